//! JWS compact serialization: `base64url(header).base64url(payload).base64url(signature)`.

use serde_json::Value;

use super::encoding::b64url_decode;
use super::error::short;
use super::OidcError;

/// Longest ID token accepted, in bytes (32 KiB).
///
/// Ordinary ID tokens are 1 to 2 KiB; one carrying `verified_claims` with
/// evidence can reach several KiB. Anything larger is refused before any
/// decoding, so a hostile token cannot make the core parse megabytes.
pub const MAX_ID_TOKEN_BYTES: usize = 32 * 1024;

/// The signature algorithms this library verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alg {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// EdDSA (RFC 8037); only Ed25519 keys are accepted.
    EdDsa,
    /// Ed25519, the fully-specified name (RFC 9864).
    Ed25519,
}

impl Alg {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            "EdDSA" => Some(Self::EdDsa),
            "Ed25519" => Some(Self::Ed25519),
            _ => None,
        }
    }

    /// The JOSE name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
            Self::EdDsa => "EdDSA",
            Self::Ed25519 => "Ed25519",
        }
    }
}

/// A parsed, not yet verified, JWS.
pub(crate) struct Jws<'a> {
    pub(crate) alg: Alg,
    pub(crate) kid: Option<String>,
    /// `header.payload`, the bytes the signature covers.
    pub(crate) signing_input: &'a [u8],
    pub(crate) payload: Vec<u8>,
    pub(crate) signature: Vec<u8>,
}

/// Parses a compact JWS. Refuses, in this order: oversize input, a wrong
/// number of parts, non-strict base64url, a header that is not a JSON
/// object, `alg: none`, HMAC algorithms, unsupported algorithms, a `typ`
/// other than `JWT` or `application/jwt` (any case; RFC 8725 section 3.11:
/// an access token, logout token or DPoP proof is never an ID token), and
/// any `crit` extension (none is understood). The header's `jwk`, `jku`, `x5u`
/// and `x5c` are never used: keys come from the JWKS the caller supplies.
pub(crate) fn parse_compact(token: &str) -> Result<Jws<'_>, OidcError> {
    if token.len() > MAX_ID_TOKEN_BYTES {
        return Err(OidcError::TokenTooLarge {
            limit: MAX_ID_TOKEN_BYTES,
        });
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(OidcError::MalformedToken(format!(
            "expected 3 dot-separated parts, found {}",
            token.split('.').count()
        )));
    };
    let header_bytes = b64url_decode(header_b64)
        .ok_or_else(|| OidcError::MalformedToken("the header is not base64url".into()))?;
    let header: Value = core::str::from_utf8(&header_bytes)
        .ok()
        .and_then(|text| serde_json::from_str(text).ok())
        .ok_or_else(|| OidcError::MalformedToken("the header is not json".into()))?;
    let Value::Object(header) = header else {
        return Err(OidcError::MalformedToken(
            "the header is not a json object".into(),
        ));
    };
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => alg.as_str(),
        _ => {
            return Err(OidcError::MalformedToken(
                "the header has no string `alg`".into(),
            ))
        }
    };
    if alg.eq_ignore_ascii_case("none") {
        return Err(OidcError::AlgNone);
    }
    if alg.starts_with("HS") {
        return Err(OidcError::HmacAlg {
            alg: short(alg).to_owned(),
        });
    }
    let alg = Alg::parse(alg).ok_or_else(|| OidcError::UnsupportedAlg {
        alg: short(alg).to_owned(),
    })?;
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => {
            return Err(OidcError::MalformedToken(
                "the header `kid` is not a string".into(),
            ))
        }
    };
    match header.get("typ") {
        None => {}
        Some(Value::String(typ)) if is_jwt_typ(typ) => {}
        Some(Value::String(typ)) => {
            return Err(OidcError::UnexpectedTyp {
                typ: short(typ).to_owned(),
            })
        }
        Some(_) => {
            return Err(OidcError::MalformedToken(
                "the header `typ` is not a string".into(),
            ))
        }
    }
    if let Some(crit) = header.get("crit") {
        // No extension is understood, so any well-formed `crit` is refused.
        match crit.as_array().and_then(|a| a.first()) {
            Some(Value::String(name)) => {
                return Err(OidcError::UnsupportedCritical(short(name).to_owned()))
            }
            _ => {
                return Err(OidcError::MalformedToken(
                    "the header `crit` is not a non-empty array of names".into(),
                ))
            }
        }
    }
    let payload = b64url_decode(payload_b64)
        .ok_or_else(|| OidcError::MalformedToken("the payload is not base64url".into()))?;
    let signature = b64url_decode(signature_b64)
        .ok_or_else(|| OidcError::MalformedToken("the signature is not base64url".into()))?;
    let signing_input = token
        .get(..header_b64.len() + 1 + payload_b64.len())
        .unwrap_or_default()
        .as_bytes();
    Ok(Jws {
        alg,
        kid,
        signing_input,
        payload,
        signature,
    })
}

/// `JWT` or `application/jwt`, case-insensitively (RFC 7515 section 4.1.9
/// lets the `application/` prefix be left out).
fn is_jwt_typ(typ: &str) -> bool {
    let media = match typ.get(..12) {
        Some(prefix) if prefix.eq_ignore_ascii_case("application/") => typ.get(12..),
        _ => Some(typ),
    };
    media.is_some_and(|m| m.eq_ignore_ascii_case("jwt"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo as _;
    use crate::oidc::encoding::b64url;

    fn token(header: &str, payload: &str, sig: &[u8]) -> String {
        format!(
            "{}.{}.{}",
            b64url(header.as_bytes()),
            b64url(payload.as_bytes()),
            b64url(sig)
        )
    }

    fn code(t: &str) -> &'static str {
        match parse_compact(t) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    #[test]
    fn parses_a_well_formed_token() {
        let t = token(r#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#, "{}", b"sig");
        let jws = parse_compact(&t).unwrap();
        assert_eq!(jws.alg, Alg::Es256);
        assert_eq!(jws.kid.as_deref(), Some("k1"));
        assert_eq!(jws.payload, b"{}");
        assert_eq!(jws.signature, b"sig");
        assert_eq!(jws.signing_input, t.rsplit_once('.').unwrap().0.as_bytes());
    }

    #[test]
    fn refuses_what_is_not_a_strict_compact_jws() {
        let good = token(r#"{"alg":"RS256"}"#, "{}", b"s");
        assert_eq!(code(&good), "ok");
        assert_eq!(code("a.b"), "malformed_token");
        assert_eq!(code(&format!("{good}.x")), "malformed_token");
        assert_eq!(code(&format!("{good}=")), "malformed_token");
        assert_eq!(code(&good.replacen('.', "=.", 1)), "malformed_token");
        assert_eq!(code(&token("[]", "{}", b"s")), "malformed_token");
        assert_eq!(code(&token("{", "{}", b"s")), "malformed_token");
        assert_eq!(code(&token(r#"{"alg":1}"#, "{}", b"s")), "malformed_token");
        assert_eq!(
            code(&token(r#"{"alg":"RS256","kid":7}"#, "{}", b"s")),
            "malformed_token"
        );
        assert_eq!(code(&"a".repeat(MAX_ID_TOKEN_BYTES + 1)), "token_too_large");
    }

    #[test]
    fn accepts_only_jwt_as_typ() {
        for typ in [
            r#""JWT""#,
            r#""jwt""#,
            r#""application/jwt""#,
            r#""Application/JWT""#,
        ] {
            let t = token(&format!(r#"{{"alg":"RS256","typ":{typ}}}"#), "{}", b"s");
            assert_eq!(code(&t), "ok", "{typ}");
        }
        for typ in [
            "at+jwt",
            "application/at+jwt",
            "logout+jwt",
            "JOSE+JSON",
            "JOSE",
            "dpop+jwt",
            "",
            "application/",
            "JWTX",
        ] {
            let t = token(&format!(r#"{{"alg":"RS256","typ":"{typ}"}}"#), "{}", b"s");
            assert_eq!(code(&t), "unexpected_typ", "{typ}");
        }
        let t = token(r#"{"alg":"RS256","typ":1}"#, "{}", b"s");
        assert_eq!(code(&t), "malformed_token");
    }

    #[test]
    fn refuses_none_hmac_unknown_algs_and_crit() {
        assert_eq!(code(&token(r#"{"alg":"none"}"#, "{}", b"")), "alg_none");
        assert_eq!(code(&token(r#"{"alg":"nOnE"}"#, "{}", b"")), "alg_none");
        assert_eq!(
            code(&token(r#"{"alg":"HS256"}"#, "{}", b"s")),
            "hmac_alg_rejected"
        );
        assert_eq!(
            code(&token(r#"{"alg":"PS256"}"#, "{}", b"s")),
            "unsupported_alg"
        );
        assert_eq!(
            code(&token(r#"{"alg":"ES256K"}"#, "{}", b"s")),
            "unsupported_alg"
        );
        assert_eq!(
            code(&token(
                r#"{"alg":"RS256","crit":["b64"],"b64":false}"#,
                "{}",
                b"s"
            )),
            "unsupported_critical_header"
        );
        assert_eq!(
            code(&token(r#"{"alg":"RS256","crit":[]}"#, "{}", b"s")),
            "malformed_token"
        );
    }
}
