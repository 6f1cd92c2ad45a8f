//! Provider metadata: read from `/.well-known/openid-configuration`, or
//! written by hand for a tenant that does not publish one.

use serde_json::Value;

use super::encoding::check_endpoint;
use super::error::short;
use super::json::{parse_text, Reader, Writer};
use super::OidcError;
use crate::http::{join_url, HttpRequest};

/// Longest discovery document accepted, in bytes.
pub const MAX_DISCOVERY_BYTES: usize = 64 * 1024;

/// What the client needs to know about an OpenID provider.
///
/// The same JSON shape serves a discovery document (unknown members are
/// ignored) and a hand-written configuration (`issuer`,
/// `authorization_endpoint`, `token_endpoint` and `jwks_uri` are enough):
/// read either with [`ProviderMetadata::from_json`]. Call
/// [`ProviderMetadata::validate`] on a hand-written one; [`parse_discovery`]
/// does it for you.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderMetadata {
    /// The issuer identifier, compared exactly with the `iss` of ID tokens.
    pub issuer: String,
    /// Where the browser is sent to authenticate.
    pub authorization_endpoint: String,
    /// Where the code is exchanged for tokens.
    pub token_endpoint: String,
    /// Where the provider's signing keys are published.
    pub jwks_uri: String,
    /// The UserInfo endpoint, if any.
    pub userinfo_endpoint: Option<String>,
    /// ID token signing algorithms the provider uses.
    pub id_token_signing_alg_values_supported: Vec<String>,
    /// PKCE methods the provider supports.
    pub code_challenge_methods_supported: Vec<String>,
    /// Client authentication methods the token endpoint supports.
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// Authentication context classes the provider supports.
    pub acr_values_supported: Vec<String>,
    /// Scopes the provider supports.
    pub scopes_supported: Vec<String>,
    /// Whether the `claims` request parameter is supported.
    pub claims_parameter_supported: Option<bool>,
    /// Whether the provider returns `iss` in the authorization response
    /// (RFC 9207). When `true`, a callback without `iss` is rejected.
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// OpenID Connect for Identity Assurance: whether `verified_claims` are supported.
    pub verified_claims_supported: Option<bool>,
    /// OpenID Connect for Identity Assurance: the trust frameworks supported.
    pub trust_frameworks_supported: Vec<String>,
}

impl ProviderMetadata {
    /// Reads provider metadata from JSON text (not yet validated).
    pub fn from_json(text: &str) -> Result<Self, OidcError> {
        Self::from_value(&parse_text(text, "provider")?)
    }

    /// Reads provider metadata from a JSON value (not yet validated).
    pub fn from_value(value: &Value) -> Result<Self, OidcError> {
        let r = Reader::new(value, "")?;
        Ok(Self {
            issuer: r.str("issuer")?,
            authorization_endpoint: r.str("authorization_endpoint")?,
            token_endpoint: r.str("token_endpoint")?,
            jwks_uri: r.str("jwks_uri")?,
            userinfo_endpoint: r.opt_str("userinfo_endpoint")?,
            id_token_signing_alg_values_supported: r
                .strings("id_token_signing_alg_values_supported")?,
            code_challenge_methods_supported: r.strings("code_challenge_methods_supported")?,
            token_endpoint_auth_methods_supported: r
                .strings("token_endpoint_auth_methods_supported")?,
            acr_values_supported: r.strings("acr_values_supported")?,
            scopes_supported: r.strings("scopes_supported")?,
            claims_parameter_supported: r.opt_bool("claims_parameter_supported")?,
            authorization_response_iss_parameter_supported: r
                .opt_bool("authorization_response_iss_parameter_supported")?,
            verified_claims_supported: r.opt_bool("verified_claims_supported")?,
            trust_frameworks_supported: r.strings("trust_frameworks_supported")?,
        })
    }

    /// The metadata as JSON (absent members left out), the shape [`ProviderMetadata::from_value`] reads.
    pub fn to_value(&self) -> Value {
        Writer::default()
            .str("issuer", &self.issuer)
            .str("authorization_endpoint", &self.authorization_endpoint)
            .str("token_endpoint", &self.token_endpoint)
            .str("jwks_uri", &self.jwks_uri)
            .opt_str("userinfo_endpoint", self.userinfo_endpoint.as_deref())
            .strings(
                "id_token_signing_alg_values_supported",
                &self.id_token_signing_alg_values_supported,
            )
            .strings(
                "code_challenge_methods_supported",
                &self.code_challenge_methods_supported,
            )
            .strings(
                "token_endpoint_auth_methods_supported",
                &self.token_endpoint_auth_methods_supported,
            )
            .strings("acr_values_supported", &self.acr_values_supported)
            .strings("scopes_supported", &self.scopes_supported)
            .opt_bool(
                "claims_parameter_supported",
                self.claims_parameter_supported,
            )
            .opt_bool(
                "authorization_response_iss_parameter_supported",
                self.authorization_response_iss_parameter_supported,
            )
            .opt_bool("verified_claims_supported", self.verified_claims_supported)
            .strings(
                "trust_frameworks_supported",
                &self.trust_frameworks_supported,
            )
            .build()
    }

    /// Checks the endpoints: every URL absolute and `https` (`http` only on
    /// loopback, for local stand-ins), the issuer without query or fragment.
    pub fn validate(&self) -> Result<(), OidcError> {
        check_issuer(&self.issuer)?;
        check_endpoint(&self.authorization_endpoint, "authorization_endpoint")?;
        check_endpoint(&self.token_endpoint, "token_endpoint")?;
        check_endpoint(&self.jwks_uri, "jwks_uri")?;
        if let Some(url) = &self.userinfo_endpoint {
            check_endpoint(url, "userinfo_endpoint")?;
        }
        Ok(())
    }
}

fn check_issuer(issuer: &str) -> Result<(), OidcError> {
    check_endpoint(issuer, "issuer")?;
    if issuer.contains('?') {
        return Err(OidcError::invalid(
            "issuer",
            format!("`{}` must not have a query", short(issuer)),
        ));
    }
    Ok(())
}

/// Builds `GET {issuer}/.well-known/openid-configuration`.
pub fn build_discovery_request(issuer: &str) -> Result<HttpRequest, OidcError> {
    check_issuer(issuer)?;
    Ok(HttpRequest {
        method: "GET",
        url: join_url(issuer, "/.well-known/openid-configuration"),
        headers: vec![("accept".into(), "application/json".into())],
        body: None,
    })
}

/// Reads the discovery document the host fetched.
///
/// The document's `issuer` must be exactly `expected_issuer` (OpenID
/// Connect Discovery 1.0, section 4.3): a document that names another issuer
/// is refused, so a compromised or mistyped URL cannot swap providers.
pub fn parse_discovery(
    status: u16,
    body: &str,
    expected_issuer: &str,
) -> Result<ProviderMetadata, OidcError> {
    if !(200..300).contains(&status) {
        return Err(OidcError::UnexpectedStatus {
            what: "discovery",
            status,
        });
    }
    if body.len() > MAX_DISCOVERY_BYTES {
        return Err(OidcError::malformed(format!(
            "the discovery document exceeds {MAX_DISCOVERY_BYTES} bytes"
        )));
    }
    let as_malformed = |e| match e {
        OidcError::InvalidInput { field, message } => {
            OidcError::malformed(format!("discovery document `{field}`: {message}"))
        }
        other => other,
    };
    let json: Value = serde_json::from_str(body)
        .map_err(|e| OidcError::malformed(format!("discovery document: {e}")))?;
    let metadata = ProviderMetadata::from_value(&json).map_err(as_malformed)?;
    if metadata.issuer != expected_issuer {
        return Err(OidcError::malformed(format!(
            "the discovery document names the issuer `{}`, not `{}`",
            short(&metadata.issuer),
            short(expected_issuer)
        )));
    }
    metadata.validate().map_err(as_malformed)?;
    Ok(metadata)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo as _;

    const ISSUER: &str = "https://tenant.1kosmos.example/oauth2";

    fn doc() -> serde_json::Value {
        serde_json::json!({
            "issuer": ISSUER,
            "authorization_endpoint": "https://tenant.1kosmos.example/oauth2/authorize",
            "token_endpoint": "https://tenant.1kosmos.example/oauth2/token",
            "jwks_uri": "https://tenant.1kosmos.example/oauth2/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
            "acr_values_supported": ["liveID push"],
            "authorization_response_iss_parameter_supported": true,
            "verified_claims_supported": true
        })
    }

    #[test]
    fn builds_the_well_known_request() {
        let req = build_discovery_request(&format!("{ISSUER}/")).unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(
            req.url,
            "https://tenant.1kosmos.example/oauth2/.well-known/openid-configuration"
        );
        assert_eq!(
            build_discovery_request("https://x.example/?a=1")
                .unwrap_err()
                .code(),
            "invalid_input"
        );
    }

    #[test]
    fn parses_a_discovery_document() {
        let m = parse_discovery(200, &doc().to_string(), ISSUER).unwrap();
        assert_eq!(
            m.token_endpoint,
            "https://tenant.1kosmos.example/oauth2/token"
        );
        assert_eq!(m.acr_values_supported, vec!["liveID push"]);
        assert_eq!(m.authorization_response_iss_parameter_supported, Some(true));
        assert_eq!(m.verified_claims_supported, Some(true));
        assert_eq!(ProviderMetadata::from_value(&m.to_value()).unwrap(), m);
    }

    #[test]
    fn refuses_another_issuer_bad_urls_and_statuses() {
        let other = parse_discovery(200, &doc().to_string(), "https://evil.example").unwrap_err();
        assert_eq!(other.code(), "malformed_response");
        assert!(other.to_string().contains("names the issuer"));

        let mut d = doc();
        d["token_endpoint"] = "http://tenant.1kosmos.example/token".into();
        let e = parse_discovery(200, &d.to_string(), ISSUER).unwrap_err();
        assert_eq!(e.code(), "malformed_response");
        assert!(e.to_string().contains("token_endpoint"), "{e}");

        let mut d = doc();
        d.as_object_mut().unwrap().remove("jwks_uri");
        assert_eq!(
            parse_discovery(200, &d.to_string(), ISSUER)
                .unwrap_err()
                .code(),
            "malformed_response"
        );
        assert_eq!(
            parse_discovery(200, "[]", ISSUER).unwrap_err().code(),
            "malformed_response"
        );
        let e = parse_discovery(503, "", ISSUER).unwrap_err();
        assert_eq!(e.code(), "unexpected_status");
        assert!(e.retryable());
        let big = " ".repeat(MAX_DISCOVERY_BYTES + 1);
        assert_eq!(
            parse_discovery(200, &big, ISSUER).unwrap_err().code(),
            "malformed_response"
        );
    }

    #[test]
    fn a_hand_written_configuration_validates() {
        let m = ProviderMetadata::from_value(&serde_json::json!({
            "issuer": "http://127.0.0.1:8788",
            "authorization_endpoint": "http://127.0.0.1:8788/authorize",
            "token_endpoint": "http://127.0.0.1:8788/token",
            "jwks_uri": "http://127.0.0.1:8788/jwks"
        }))
        .unwrap();
        assert!(m.validate().is_ok());
        assert_eq!(ProviderMetadata::from_value(&m.to_value()).unwrap(), m);
        let bad = ProviderMetadata {
            jwks_uri: "jwks".into(),
            ..m
        };
        assert_eq!(bad.validate().unwrap_err().field(), Some("jwks_uri"));
    }
}
