//! The relying party's registration with the provider.

use serde_json::Value;

use super::client_assertion::{ClientAssertionAudience, ClientKey};
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
    /// `private_key_jwt` (OpenID Connect Core section 9, RFC 7523): a JWT
    /// signed with the client's private key (ES256 or EdDSA) in
    /// `client_assertion`, and `client_id` in the body.
    PrivateKeyJwt,
}

impl TokenEndpointAuthMethod {
    /// Reads the registered name (`client_secret_basic`, `client_secret_post`,
    /// `none`, `private_key_jwt`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "client_secret_basic" => Some(Self::ClientSecretBasic),
            "client_secret_post" => Some(Self::ClientSecretPost),
            "none" => Some(Self::None),
            "private_key_jwt" => Some(Self::PrivateKeyJwt),
            _ => None,
        }
    }
}

/// A client registered with the provider.
///
/// JSON shape: `{ client_id, client_secret?, redirect_uri, token_endpoint_auth_method?,
/// private_jwk?, client_assertion_audience? }`.
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
    /// The private signing key; required by (and only allowed with) `private_key_jwt`.
    pub private_jwk: Option<ClientKey>,
    /// What the `private_key_jwt` assertion's `aud` names: the token endpoint
    /// URL by default, or the issuer.
    pub client_assertion_audience: ClientAssertionAudience,
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
            "private_jwk",
            "client_assertion_audience",
        ])?;
        let method = match r.opt_str("token_endpoint_auth_method")? {
            None => TokenEndpointAuthMethod::default(),
            Some(name) => TokenEndpointAuthMethod::parse(&name).ok_or_else(|| {
                OidcError::invalid(
                    "token_endpoint_auth_method",
                    "must be `client_secret_basic`, `client_secret_post`, `none` or `private_key_jwt`",
                )
            })?,
        };
        let audience = match r.opt_str("client_assertion_audience")? {
            None => ClientAssertionAudience::default(),
            Some(name) => ClientAssertionAudience::parse(&name).ok_or_else(|| {
                OidcError::invalid(
                    "client_assertion_audience",
                    "must be `token_endpoint` or `issuer`",
                )
            })?,
        };
        let client = Self {
            client_id: r.str("client_id")?,
            client_secret: r.opt_str("client_secret")?.map(Secret::new),
            redirect_uri: r.str("redirect_uri")?,
            token_endpoint_auth_method: method,
            private_jwk: r
                .raw("private_jwk")
                .map(|jwk| ClientKey::from_jwk(jwk, "private_jwk"))
                .transpose()?,
            client_assertion_audience: audience,
        };
        client.check_key()?;
        Ok(client)
    }

    /// A private key is required by `private_key_jwt` and refused with any
    /// other method (key material where it is not used is a mistake).
    fn check_key(&self) -> Result<(), OidcError> {
        match (self.token_endpoint_auth_method, &self.private_jwk) {
            (TokenEndpointAuthMethod::PrivateKeyJwt, None) => Err(OidcError::invalid(
                "private_jwk",
                "is required by `private_key_jwt`",
            )),
            (TokenEndpointAuthMethod::PrivateKeyJwt, Some(_)) | (_, None) => Ok(()),
            (_, Some(_)) => Err(OidcError::invalid(
                "private_jwk",
                "is only used with `token_endpoint_auth_method` `private_key_jwt`",
            )),
        }
    }

    /// Checks the client id (non-empty, printable), the redirect URI, and that
    /// a private key is there exactly when `private_key_jwt` is the method.
    pub fn validate(&self) -> Result<(), OidcError> {
        if self.client_id.is_empty() || self.client_id.chars().any(char::is_control) {
            return Err(OidcError::invalid(
                "client_id",
                "must be a non-empty string without control characters",
            ));
        }
        check_endpoint(&self.redirect_uri, "redirect_uri")?;
        self.check_key()
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
            r#"{"client_id":"c","redirect_uri":"https://a.example/cb","token_endpoint_auth_method":"client_secret_jwt"}"#,
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("token_endpoint_auth_method"));
        assert_eq!(
            OidcClient::from_json("{").unwrap_err().field(),
            Some("client")
        );
    }

    #[test]
    fn private_key_jwt_needs_a_private_key_checked_up_front() {
        use crate::oidc::client_assertion::tests::{ed25519_jwk, es256_jwk};
        use serde_json::json;
        let base = |extra: Value| {
            let mut v = json!({"client_id":"c","redirect_uri":"https://a.example/cb"});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            OidcClient::from_value(&v)
        };
        for jwk in [es256_jwk(), ed25519_jwk()] {
            let c = base(json!({"token_endpoint_auth_method":"private_key_jwt","private_jwk":jwk}))
                .unwrap();
            assert_eq!(
                c.token_endpoint_auth_method,
                TokenEndpointAuthMethod::PrivateKeyJwt
            );
            assert_eq!(
                c.client_assertion_audience,
                ClientAssertionAudience::TokenEndpoint
            );
            let debug = format!("{c:?}");
            assert!(!debug.contains(jwk["d"].as_str().unwrap()), "{debug}");
        }
        let e = base(json!({"token_endpoint_auth_method":"private_key_jwt"})).unwrap_err();
        assert_eq!(e.field(), Some("private_jwk"));
        let e = base(json!({"private_jwk": es256_jwk()})).unwrap_err();
        assert_eq!(e.field(), Some("private_jwk"));
        let mut public = es256_jwk();
        public.as_object_mut().unwrap().remove("d");
        let e = base(json!({"token_endpoint_auth_method":"private_key_jwt","private_jwk":public}))
            .unwrap_err();
        assert_eq!(e.field(), Some("private_jwk.d"));
        let c = base(json!({"token_endpoint_auth_method":"private_key_jwt",
            "private_jwk": ed25519_jwk(), "client_assertion_audience": "issuer"}))
        .unwrap();
        assert_eq!(c.client_assertion_audience, ClientAssertionAudience::Issuer);
        let e = base(json!({"token_endpoint_auth_method":"private_key_jwt",
            "private_jwk": ed25519_jwk(), "client_assertion_audience": "me"}))
        .unwrap_err();
        assert_eq!(e.field(), Some("client_assertion_audience"));
    }
}
