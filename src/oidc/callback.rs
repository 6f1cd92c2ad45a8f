//! The authorization response: the browser comes back to the redirect URI
//! with `code` and `state`, or with `error`.

use serde_json::Value;
use subtle::ConstantTimeEq as _;

use super::authorize::PendingAuthorization;
use super::discovery::ProviderMetadata;
use super::encoding::form_parse;
use super::error::{sanitize, short};
use super::json::Writer;
use super::OidcError;
use crate::secret::Secret;

/// Longest callback URL or query accepted, in bytes.
pub const MAX_CALLBACK_BYTES: usize = 16 * 1024;

/// A successful authorization response: the code to exchange.
#[derive(Clone)]
pub struct AuthorizationResponse {
    /// The authorization code (single use, short-lived). `Debug` redacts it.
    pub code: Secret,
    /// The `iss` the provider returned (RFC 9207), if it did.
    pub iss: Option<String>,
}

impl AuthorizationResponse {
    /// `{ code, iss? }`, the code in clear for the host.
    pub fn to_value(&self) -> Value {
        Writer::default()
            .str("code", self.code.expose())
            .opt_str("iss", self.iss.as_deref())
            .build()
    }
}

impl core::fmt::Debug for AuthorizationResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthorizationResponse")
            .field("code", &self.code)
            .field("iss", &self.iss)
            .finish()
    }
}

/// Reads the callback: `input` is the full callback URL, or its query
/// string (with or without the leading `?`), or a `form_post` body.
///
/// Checks, in order: `state` is present and equals `pending.state`
/// (compared in constant time); `iss`, when present or when the provider
/// advertises it, is the provider's issuer (mix-up defense, RFC 9207); an
/// `error` becomes [`OidcError::Authorization`]; otherwise `code` must be present.
pub fn parse_callback(
    input: &str,
    provider: &ProviderMetadata,
    pending: &PendingAuthorization,
) -> Result<AuthorizationResponse, OidcError> {
    if input.len() > MAX_CALLBACK_BYTES {
        return Err(OidcError::invalid(
            "callback",
            format!("exceeds {MAX_CALLBACK_BYTES} bytes"),
        ));
    }
    if pending.issuer != provider.issuer {
        return Err(OidcError::invalid(
            "pending.issuer",
            "this authorization was started with another provider",
        ));
    }
    // A URL: its query, without the fragment. Otherwise the text is the query
    // itself, where a literal `?` may appear inside a value.
    let query = if let Some(q) = input.strip_prefix('?') {
        q
    } else if is_url(input) {
        let without_fragment = input.split('#').next().unwrap_or_default();
        without_fragment.split_once('?').map_or("", |(_, q)| q)
    } else {
        input
    };
    let pairs = form_parse(query).map_err(|m| OidcError::invalid("callback", m))?;
    for (i, (name, _)) in pairs.iter().enumerate() {
        if pairs.iter().skip(i + 1).any(|(other, _)| other == name) {
            return Err(OidcError::invalid(
                "callback",
                format!("the parameter `{}` appears more than once", short(name)),
            ));
        }
    }
    let param = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    let state = param("state").ok_or(OidcError::MissingParameter("state"))?;
    if !bool::from(state.as_bytes().ct_eq(pending.state.as_bytes())) {
        return Err(OidcError::StateMismatch);
    }
    let iss = param("iss");
    match iss {
        Some(iss) if iss != provider.issuer => {
            return Err(OidcError::IssuerMismatch { field: "iss" });
        }
        None if provider.authorization_response_iss_parameter_supported == Some(true) => {
            return Err(OidcError::MissingParameter("iss"));
        }
        _ => {}
    }
    if let Some(error) = param("error") {
        return Err(OidcError::Authorization {
            error: sanitize(error),
            description: param("error_description").map(sanitize),
            uri: param("error_uri").map(sanitize),
        });
    }
    let code = param("code")
        .filter(|c| !c.is_empty())
        .ok_or(OidcError::MissingParameter("code"))?;
    Ok(AuthorizationResponse {
        code: Secret::new(code),
        iss: iss.map(str::to_owned),
    })
}

/// Whether `input` starts with `scheme://` (a `=`, `&` or `?` before it means a query).
fn is_url(input: &str) -> bool {
    input
        .find("://")
        .and_then(|i| input.get(..i))
        .is_some_and(|scheme| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo as _;

    fn pending() -> PendingAuthorization {
        PendingAuthorization::from_value(&serde_json::json!({
            "issuer": "https://idp.example",
            "redirect_uri": "https://app.example/cb",
            "state": "st-123",
            "nonce": "n-1",
            "code_verifier": "v".repeat(43)
        }))
        .unwrap()
    }

    fn provider(iss_supported: bool) -> ProviderMetadata {
        let mut p = crate::oidc::authorize::tests::provider();
        p.authorization_response_iss_parameter_supported = Some(iss_supported);
        p
    }

    #[test]
    fn accepts_a_code_in_a_url_query_or_body() {
        let r = parse_callback("code=a?b&state=st-123", &provider(false), &pending()).unwrap();
        assert_eq!(r.code.expose(), "a?b");
        for input in [
            "https://app.example/cb?code=abc%2B1&state=st-123#ignored",
            "?state=st-123&code=abc%2B1",
            "code=abc%2B1&state=st-123",
        ] {
            let r = parse_callback(input, &provider(false), &pending()).unwrap();
            assert_eq!(r.code.expose(), "abc+1", "{input}");
            assert_eq!(r.iss, None);
            assert!(!format!("{r:?}").contains("abc"));
        }
        let r = parse_callback(
            "code=c&state=st-123&iss=https%3A%2F%2Fidp.example",
            &provider(true),
            &pending(),
        )
        .unwrap();
        assert_eq!(r.iss.as_deref(), Some("https://idp.example"));
        assert_eq!(
            r.to_value(),
            serde_json::json!({ "code": "c", "iss": "https://idp.example" })
        );
    }

    #[test]
    fn checks_state_and_issuer_before_anything_else() {
        let p = provider(false);
        let e = parse_callback("code=c", &p, &pending()).unwrap_err();
        assert_eq!((e.code(), e.field()), ("missing_parameter", Some("state")));
        let e = parse_callback("code=c&state=st-124", &p, &pending()).unwrap_err();
        assert_eq!(e.code(), "state_mismatch");
        let e = parse_callback("error=access_denied&state=other", &p, &pending()).unwrap_err();
        assert_eq!(e.code(), "state_mismatch");
        let e = parse_callback(
            "code=c&state=st-123&iss=https://evil.example",
            &p,
            &pending(),
        )
        .unwrap_err();
        assert_eq!((e.code(), e.field()), ("issuer_mismatch", Some("iss")));
        let e = parse_callback("code=c&state=st-123", &provider(true), &pending()).unwrap_err();
        assert_eq!((e.code(), e.field()), ("missing_parameter", Some("iss")));
        let e = parse_callback("code=c&state=st-123&state=st-123", &p, &pending()).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        let e = parse_callback("state=st-123&code=", &p, &pending()).unwrap_err();
        assert_eq!((e.code(), e.field()), ("missing_parameter", Some("code")));
        let e = parse_callback("state=st-123&code=%zz", &p, &pending()).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        let mut other = pending();
        other.issuer = "https://other.example".into();
        let e = parse_callback("code=c&state=st-123", &p, &other).unwrap_err();
        assert_eq!(e.field(), Some("pending.issuer"));
        let long = format!("code={}&state=st-123", "a".repeat(MAX_CALLBACK_BYTES));
        assert_eq!(
            parse_callback(&long, &p, &pending()).unwrap_err().code(),
            "invalid_input"
        );
    }

    #[test]
    fn surfaces_provider_errors() {
        let e = parse_callback(
            "error=unmet_authentication_requirements&error_description=LiveID+push+was+declined%0A&state=st-123",
            &provider(false),
            &pending(),
        )
        .unwrap_err();
        assert_eq!(e.code(), "authorization_error");
        assert_eq!(
            e.details().unwrap(),
            serde_json::json!({
                "error": "unmet_authentication_requirements",
                "error_description": "LiveID push was declined",
                "error_uri": null
            })
        );
        assert_eq!(
            e.to_string(),
            "the provider refused the authorization: `unmet_authentication_requirements` (`LiveID push was declined`)"
        );
    }
}
