//! The UserInfo request and its answer (OpenID Connect Core 1.0 section 5.3).

use serde_json::{Map, Value};

use super::discovery::ProviderMetadata;
use super::error::sanitize;
use super::json::Writer;
use super::step_up_challenge::{bearer_error, parse_authn_challenge};
use super::OidcError;
use crate::http::{find_header, HttpRequest};

/// Longest UserInfo response accepted, in bytes.
pub const MAX_USERINFO_BYTES: usize = 64 * 1024;

/// Builds `GET {userinfo_endpoint}` with `Authorization: Bearer {access_token}`.
///
/// The provider must name a `userinfo_endpoint` (discovered or written by hand).
pub fn build_userinfo_request(
    provider: &ProviderMetadata,
    access_token: &str,
) -> Result<HttpRequest, OidcError> {
    provider.validate()?;
    let url = provider.userinfo_endpoint.clone().ok_or_else(|| {
        OidcError::invalid("userinfo_endpoint", "the provider has no userinfo endpoint")
    })?;
    // RFC 6750 section 2.1: b64token characters only, so the header cannot be split.
    let b64token = |c: char| c.is_ascii_alphanumeric() || "-._~+/=".contains(c);
    if access_token.is_empty() || !access_token.chars().all(b64token) {
        return Err(OidcError::invalid(
            "access_token",
            "must be a non-empty bearer token (letters, digits and `-._~+/=`)",
        ));
    }
    Ok(HttpRequest {
        method: "GET",
        url,
        headers: vec![
            ("authorization".to_owned(), format!("Bearer {access_token}")),
            ("accept".to_owned(), "application/json".to_owned()),
        ],
        body: None,
    })
}

/// The claims the UserInfo endpoint returned about the user.
#[derive(Debug, Clone, PartialEq)]
pub struct UserInfo {
    /// The subject; always the ID token's `sub`.
    pub sub: String,
    /// `verified_claims` (OpenID Connect for Identity Assurance), normalized
    /// by the same parser as the ID token's and 1Kosmos IDV results.
    pub verified_claims: Option<Value>,
    /// Every member of the response, as sent.
    pub claims: Map<String, Value>,
}

impl UserInfo {
    /// `{ sub, verified_claims?, claims }`.
    pub fn to_value(&self) -> Value {
        Writer::default()
            .str("sub", &self.sub)
            .opt_value("verified_claims", self.verified_claims.clone())
            .value("claims", Value::Object(self.claims.clone()))
            .build()
    }
}

/// Reads the UserInfo endpoint's answer. `expected_sub` is the `sub` of the
/// validated ID token: a response about anyone else is refused
/// ([`OidcError::SubMismatch`]; section 5.3.4 makes the check a MUST).
///
/// - A non-2xx answer becomes [`OidcError::UserInfoEndpoint`] with the
///   Bearer challenge's `error` from `WWW-Authenticate`; when that is
///   `insufficient_user_authentication` (RFC 9470) its code is
///   `insufficient_user_authentication` and it carries the `acr_values` and
///   `max_age` a fresh step-up must meet.
/// - A signed or encrypted response (`application/jwt`, section 5.3.2) is
///   refused with `malformed_response`: register the client for plain JSON
///   UserInfo (no `userinfo_signed_response_alg`). The ID token is the
///   signed statement; this answer is trusted through TLS and the access token.
pub fn parse_userinfo_response(
    status: u16,
    headers: &[(String, String)],
    body: &str,
    expected_sub: &str,
) -> Result<UserInfo, OidcError> {
    if expected_sub.is_empty() {
        return Err(OidcError::invalid("sub", "must not be empty"));
    }
    if !(200..300).contains(&status) {
        let header = find_header(headers, "www-authenticate").unwrap_or_default();
        let challenge = parse_authn_challenge(header).ok().map(Box::new);
        let (error, description) = match bearer_error(header) {
            Some((error, description)) => (Some(error), description.map(|d| sanitize(&d))),
            None => (None, None),
        };
        return Err(OidcError::UserInfoEndpoint {
            status,
            error,
            description,
            challenge,
        });
    }
    if body.len() > MAX_USERINFO_BYTES {
        return Err(OidcError::malformed(format!(
            "the userinfo response exceeds {MAX_USERINFO_BYTES} bytes"
        )));
    }
    let media = find_header(headers, "content-type").unwrap_or_default();
    let jwt_media = media
        .get(..15)
        .is_some_and(|m| m.eq_ignore_ascii_case("application/jwt"))
        && !media
            .as_bytes()
            .get(15)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'+');
    // A compact JWS or JWE (3 or 5 parts), whatever the content type says.
    let looks_like_jwt =
        !body.contains('{') && body.as_bytes().iter().filter(|b| **b == b'.').count() >= 2;
    if jwt_media || looks_like_jwt {
        return Err(OidcError::malformed(
            "the userinfo response is a signed or encrypted jwt, which is not supported \
             (register the client for json userinfo responses)",
        ));
    }
    let Ok(Value::Object(claims)) = serde_json::from_str::<Value>(body) else {
        return Err(OidcError::malformed(
            "the userinfo response is not a json object",
        ));
    };
    let sub = match claims.get("sub") {
        Some(Value::String(sub)) if !sub.is_empty() => sub.clone(),
        _ => {
            return Err(OidcError::malformed(
                "the userinfo response has no string `sub`",
            ))
        }
    };
    if sub != expected_sub {
        return Err(OidcError::SubMismatch);
    }
    let verified_claims = match claims.get("verified_claims") {
        None | Some(Value::Null) => None,
        Some(v @ (Value::Object(_) | Value::Array(_))) => Some(
            crate::kosmos::parse_verified_claims(v)
                .map_err(|e| OidcError::malformed(format!("userinfo `verified_claims`: {e}")))?
                .into_value(),
        ),
        Some(_) => {
            return Err(OidcError::malformed(
                "userinfo `verified_claims` is not an object or an array of objects",
            ))
        }
    };
    Ok(UserInfo {
        sub,
        verified_claims,
        claims,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo as _;
    use crate::oidc::authorize::tests::provider;

    fn json_headers() -> Vec<(String, String)> {
        vec![(
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        )]
    }

    fn parse(status: u16, headers: &[(String, String)], body: &str) -> Result<UserInfo, OidcError> {
        parse_userinfo_response(status, headers, body, "user-1")
    }

    fn code(r: Result<UserInfo, OidcError>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn builds_a_bearer_get() {
        let mut p = provider();
        p.userinfo_endpoint = Some("https://idp.example/userinfo".into());
        let req = build_userinfo_request(&p, "at-1.x_y~+/=").unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(req.url, "https://idp.example/userinfo");
        assert_eq!(req.header("authorization"), Some("Bearer at-1.x_y~+/="));
        assert_eq!(req.header("accept"), Some("application/json"));
        assert_eq!(req.body, None);
        assert!(!format!("{req:?}").contains("at-1"));
        for bad in ["", "a b", "a\r\nx: y", "é"] {
            let e = build_userinfo_request(&p, bad).unwrap_err();
            assert_eq!(e.field(), Some("access_token"), "{bad:?}");
            assert!(!e.to_string().contains(bad) || bad.is_empty());
        }
        p.userinfo_endpoint = None;
        let e = build_userinfo_request(&p, "at").unwrap_err();
        assert_eq!(e.field(), Some("userinfo_endpoint"));
        p.userinfo_endpoint = Some("http://idp.example/userinfo".into());
        assert_eq!(
            build_userinfo_request(&p, "at").unwrap_err().code(),
            "invalid_input"
        );
    }

    #[test]
    fn parses_claims_and_verified_claims() {
        let vc = serde_json::json!({
            "verification": { "trust_framework": "nist_800_63A", "assurance_level": "ial2" },
            "claims": { "given_name": "Ada" }
        });
        let body = serde_json::json!({
            "sub": "user-1", "email": "ada@example.com", "verified_claims": vc.clone()
        })
        .to_string();
        let u = parse(200, &json_headers(), &body).unwrap();
        assert_eq!(u.sub, "user-1");
        assert_eq!(u.claims["email"], "ada@example.com");
        let normalized = crate::kosmos::parse_verified_claims(&vc)
            .unwrap()
            .into_value();
        assert_eq!(u.verified_claims, Some(normalized));
        assert_eq!(
            u.to_value()["verified_claims"]["claims"]["given_name"],
            "Ada"
        );
        let plain = parse(200, &[], r#"{"sub":"user-1"}"#).unwrap();
        assert_eq!(plain.verified_claims, None);
        assert!(plain.to_value().get("verified_claims").is_none());
    }

    #[test]
    fn refuses_another_subject_and_broken_answers() {
        let h = json_headers();
        let e = parse(200, &h, r#"{"sub":"user-2"}"#).unwrap_err();
        assert_eq!(e.code(), "sub_mismatch");
        assert_eq!(e.field(), Some("sub"));
        assert!(!e.to_string().contains("user-2"));
        for body in [
            r#"{"email":"a@b"}"#,
            r#"{"sub":""}"#,
            r#"{"sub":7}"#,
            "not json",
            "[]",
            "",
            r#"{"sub":"user-1","verified_claims":"x"}"#,
            r#"{"sub":"user-1","verified_claims":{"verification":5,"claims":{}}}"#,
        ] {
            assert_eq!(code(parse(200, &h, body)), "malformed_response", "{body}");
        }
        let big = format!(
            r#"{{"sub":"user-1","pad":"{}"}}"#,
            "x".repeat(MAX_USERINFO_BYTES)
        );
        let e = parse(200, &h, &big).unwrap_err();
        assert!(e.to_string().contains("exceeds"), "{e}");
        assert_eq!(
            parse_userinfo_response(200, &h, r#"{"sub":"user-1"}"#, "")
                .unwrap_err()
                .code(),
            "invalid_input"
        );
    }

    #[test]
    fn refuses_signed_responses() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2ln";
        let jwt_headers = vec![("content-type".into(), "application/jwt".into())];
        for (headers, body) in [(jwt_headers.clone(), jwt), (json_headers(), jwt)] {
            let e = parse(200, &headers, body).unwrap_err();
            assert_eq!(e.code(), "malformed_response");
            assert!(e.to_string().contains("jwt"), "{e}");
        }
        let e = parse(200, &jwt_headers, r#"{"sub":"user-1"}"#).unwrap_err();
        assert!(e.to_string().contains("jwt"), "{e}");
    }

    #[test]
    fn maps_refusals_and_step_up_challenges() {
        let www = |v: &str| vec![("WWW-Authenticate".to_owned(), v.to_owned())];
        let e = parse(
            401,
            &www(r#"Bearer error="insufficient_user_authentication", error_description="step up", acr_values="liveID push", max_age=300"#),
            "",
        )
        .unwrap_err();
        assert_eq!(e.code(), "insufficient_user_authentication");
        let d = e.details().unwrap();
        assert_eq!(d["status"], 401);
        assert_eq!(d["acr_values"], serde_json::json!(["liveID", "push"]));
        assert_eq!(d["max_age"], 300);
        assert_eq!(d["error_description"], "step up");
        assert_eq!(d["retryable"], false);

        let e = parse(
            401,
            &www(r#"Basic realm="x", Bearer realm="idp", error="invalid_token""#),
            "",
        )
        .unwrap_err();
        assert_eq!(e.code(), "userinfo_error");
        assert_eq!(e.details().unwrap()["error"], "invalid_token");
        assert!(e.details().unwrap().get("acr_values").is_none());

        let e = parse(403, &www("Bearer error=\"insufficient_scope\""), "").unwrap_err();
        assert_eq!(e.details().unwrap()["error"], "insufficient_scope");
        let e = parse(401, &www("Bearer ,,, \"broken"), "").unwrap_err();
        assert_eq!(e.code(), "userinfo_error");
        assert_eq!(e.details().unwrap()["error"], Value::Null);
        let e = parse(503, &[], "<html>").unwrap_err();
        assert!(e.retryable());
        assert_eq!(e.details().unwrap()["retryable"], true);
    }
}
