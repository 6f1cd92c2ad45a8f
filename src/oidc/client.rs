//! The relying party's registration with the provider.

use serde_json::Value;

use super::encoding::check_endpoint;
use super::json::{parse_text, Reader};
use super::OidcError;
use crate::secret::Secret;

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenEndpointAuthMethod {
    /// `client_secret_basic`: HTTP Basic with the form-urlencoded client id
    /// and secret (the OpenID default).
    #[default]
    ClientSecretBasic,
    /// `client_secret_post`: `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// `none`: a public client; `client_id` in the body, no secret (PKCE protects the code).
    None,
}

impl TokenEndpointAuthMethod {
    /// Reads the registered name (`client_secret_basic`, `client_secret_post`, `none`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "client_secret_basic" => Some(Self::ClientSecretBasic),
            "client_secret_post" => Some(Self::ClientSecretPost),
            "none" => Some(Self::None),
            _ => None,
        }
    }
}

/// A client registered with the provider.
///
/// JSON shape: `{ client_id, client_secret?, redirect_uri, token_endpoint_auth_method? }`.
#[derive(Debug, Clone)]
pub struct OidcClient {
    /// The client id the provider issued.
    pub client_id: String,
    /// The client secret; required unless `token_endpoint_auth_method` is `none`.
    pub client_secret: Option<Secret>,
    /// The registered redirect URI the provider sends the browser back to.
    pub redirect_uri: String,
    /// How to authenticate at the token endpoint; `client_secret_basic` by default.
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
}

impl OidcClient {
    /// Reads a client from JSON text.
    pub fn from_json(text: &str) -> Result<Self, OidcError> {
        Self::from_value(&parse_text(text, "client")?)
    }

    /// Reads a client from a JSON value; unknown members are refused.
    pub fn from_value(value: &Value) -> Result<Self, OidcError> {
        let r = Reader::new(value, "")?;
        r.only(&[
            "client_id",
            "client_secret",
            "redirect_uri",
            "token_endpoint_auth_method",
        ])?;
        let method = match r.opt_str("token_endpoint_auth_method")? {
            None => TokenEndpointAuthMethod::default(),
            Some(name) => TokenEndpointAuthMethod::parse(&name).ok_or_else(|| {
                OidcError::invalid(
                    "token_endpoint_auth_method",
                    "must be `client_secret_basic`, `client_secret_post` or `none`",
                )
            })?,
        };
        Ok(Self {
            client_id: r.str("client_id")?,
            client_secret: r.opt_str("client_secret")?.map(Secret::new),
            redirect_uri: r.str("redirect_uri")?,
            token_endpoint_auth_method: method,
        })
    }

    /// Checks the client id (non-empty, printable) and the redirect URI.
    pub fn validate(&self) -> Result<(), OidcError> {
        if self.client_id.is_empty() || self.client_id.chars().any(char::is_control) {
            return Err(OidcError::invalid(
                "client_id",
                "must be a non-empty string without control characters",
            ));
        }
        check_endpoint(&self.redirect_uri, "redirect_uri")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo as _;

    #[test]
    fn reads_a_client_and_refuses_typos() {
        let c = OidcClient::from_json(
            r#"{"client_id":"c","client_secret":"s","redirect_uri":"https://a.example/cb","token_endpoint_auth_method":"none"}"#,
        )
        .unwrap();
        assert_eq!(c.token_endpoint_auth_method, TokenEndpointAuthMethod::None);
        assert!(!format!("{c:?}").contains("\"s\""));
        let e = OidcClient::from_json(
            r#"{"client_id":"c","redirect_uri":"https://a.example/cb","secret":"s"}"#,
        )
        .unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_input", Some("secret")));
        let e = OidcClient::from_json(
            r#"{"client_id":"c","redirect_uri":"https://a.example/cb","token_endpoint_auth_method":"private_key_jwt"}"#,
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("token_endpoint_auth_method"));
        assert_eq!(
            OidcClient::from_json("{").unwrap_err().field(),
            Some("client")
        );
    }
}
