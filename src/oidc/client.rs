//! The relying party's registration with the provider.

use serde::Deserialize;

use super::encoding::check_endpoint;
use super::OidcError;
use crate::secret::Secret;

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    /// HTTP Basic with the form-urlencoded client id and secret (the OpenID default).
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A public client: `client_id` in the body, no secret (PKCE protects the code).
    None,
}

/// A client registered with the provider.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcClient {
    /// The client id the provider issued.
    pub client_id: String,
    /// The client secret; required unless `token_endpoint_auth_method` is `none`.
    #[serde(default)]
    pub client_secret: Option<Secret>,
    /// The registered redirect URI the provider sends the browser back to.
    pub redirect_uri: String,
    /// How to authenticate at the token endpoint; `client_secret_basic` by default.
    #[serde(default)]
    pub token_endpoint_auth_method: TokenEndpointAuthMethod,
}

impl OidcClient {
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
