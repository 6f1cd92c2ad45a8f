//! The verify-v1 REST profile: bearer API key, JSON bodies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::KosmosError;
use crate::entropy::{random_hex_id, Entropy};
use crate::http::{find_header, join_url, HttpRequest};
use crate::secret::Secret;

/// Where and how to reach a verify-v1 deployment.
#[derive(Debug, Clone, Deserialize)]
pub struct VerifyV1Config {
    /// The API base URL, e.g. `https://idv.example.com/api`.
    pub base_url: String,
    /// The bearer API key.
    pub api_key: Secret,
}

/// A kind of identity document the user may present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// A driver's license.
    DriversLicense,
    /// A passport.
    Passport,
    /// A national identity card.
    IdCard,
    /// A residence permit.
    ResidencePermit,
}

/// How the liveness check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LivenessMode {
    /// No user action; judged from a selfie.
    Passive,
    /// The user follows prompts (turn, blink).
    Active,
}

/// What to ask for when creating an IDV session.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateIdvSession {
    /// Accepted documents; at least one.
    pub document_types: Vec<DocumentType>,
    /// The liveness check to run.
    pub liveness_mode: LivenessMode,
    /// Where 1Kosmos sends the result webhook; https, or http on loopback.
    #[serde(default)]
    pub callback_url: Option<String>,
    /// Caller data echoed back in results and webhooks.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
}

/// Most metadata entries accepted.
pub const MAX_METADATA_ENTRIES: usize = 32;
/// Longest metadata key, in bytes.
pub const MAX_METADATA_KEY_BYTES: usize = 64;
/// Longest metadata value, in bytes.
pub const MAX_METADATA_VALUE_BYTES: usize = 512;

/// Builds `POST {base}/v1/verify/sessions`, with a fresh `Idempotency-Key`.
pub fn build_create_idv_session(
    config: &VerifyV1Config,
    request: &CreateIdvSession,
    entropy: &mut dyn Entropy,
) -> Result<HttpRequest, KosmosError> {
    validate_base_url(&config.base_url)?;
    if request.document_types.is_empty() {
        return Err(KosmosError::invalid(
            "document_types",
            "at least one document type is required",
        ));
    }
    if let Some(url) = &request.callback_url {
        validate_callback_url(url)?;
    }
    validate_metadata(&request.metadata)?;
    let mut body = serde_json::Map::new();
    body.insert(
        "document_types".into(),
        serde_json::json!(request.document_types),
    );
    body.insert(
        "liveness_mode".into(),
        serde_json::json!(request.liveness_mode),
    );
    if let Some(url) = &request.callback_url {
        body.insert("callback_url".into(), Value::String(url.clone()));
    }
    if !request.metadata.is_empty() {
        body.insert("metadata".into(), serde_json::json!(request.metadata));
    }
    let key = random_hex_id(entropy).map_err(|_| KosmosError::EntropyUnavailable)?;
    Ok(HttpRequest {
        method: "POST",
        url: join_url(&config.base_url, "/v1/verify/sessions"),
        headers: vec![
            (
                "authorization".into(),
                format!("Bearer {}", config.api_key.expose()),
            ),
            ("content-type".into(), "application/json".into()),
            ("accept".into(), "application/json".into()),
            ("idempotency-key".into(), key),
        ],
        body: Some(Value::Object(body).to_string()),
    })
}

fn validate_base_url(url: &str) -> Result<(), KosmosError> {
    validate_https_or_loopback(url).map_err(|m| KosmosError::invalid("base_url", m))
}

fn validate_callback_url(url: &str) -> Result<(), KosmosError> {
    validate_https_or_loopback(url).map_err(|m| KosmosError::invalid("callback_url", m))
}

/// Accepts `https://host...`, and `http://` only for loopback hosts.
fn validate_https_or_loopback(url: &str) -> Result<(), String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("`{}` is not an absolute url", truncate(url)))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host_of(authority);
    if host.is_empty() {
        return Err(format!("`{}` has no host", truncate(url)));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(format!(
            "`{}` must use https (http is allowed only on loopback)",
            truncate(url)
        )),
        _ => Err(format!("`{}` must use https", truncate(url))),
    }
}

fn host_of(authority: &str) -> &str {
    let without_user = authority.rsplit('@').next().unwrap_or(authority);
    if let Some(rest) = without_user.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    without_user.split(':').next().unwrap_or_default()
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn truncate(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

fn validate_metadata(metadata: &BTreeMap<String, String>) -> Result<(), KosmosError> {
    if metadata.len() > MAX_METADATA_ENTRIES {
        return Err(KosmosError::invalid(
            "metadata",
            format!(
                "at most {MAX_METADATA_ENTRIES} entries are allowed, got {}",
                metadata.len()
            ),
        ));
    }
    for (k, v) in metadata {
        if k.is_empty() || k.len() > MAX_METADATA_KEY_BYTES {
            return Err(KosmosError::invalid(
                "metadata",
                format!(
                    "keys must be 1 to {MAX_METADATA_KEY_BYTES} bytes, `{}` is not",
                    truncate(k)
                ),
            ));
        }
        if v.len() > MAX_METADATA_VALUE_BYTES {
            return Err(KosmosError::invalid(
                &format!("metadata.{}", truncate(k)),
                format!("values must be at most {MAX_METADATA_VALUE_BYTES} bytes"),
            ));
        }
    }
    Ok(())
}

/// Where an IDV session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdvStatus {
    /// Created, the user has not started.
    Pending,
    /// The user is capturing documents or selfie.
    InProgress,
    /// Finished with a verdict; see `ial_level`.
    Completed,
    /// The checks ran and failed.
    Failed,
    /// The session timed out.
    Expired,
    /// The user declined or abandoned.
    Declined,
}

/// NIST SP 800-63A identity assurance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum IalLevel {
    /// Self-asserted.
    #[serde(rename = "IAL1")]
    Ial1,
    /// Remote or in-person proofing with evidence.
    #[serde(rename = "IAL2")]
    Ial2,
    /// In-person (or supervised remote) proofing.
    #[serde(rename = "IAL3")]
    Ial3,
}

impl IalLevel {
    /// Reads `IAL2`, `ial2`, `2`, or `nist_800_63A_ial_2`-like forms.
    pub fn parse(s: &str) -> Option<Self> {
        let digit = s.trim().chars().rev().find(|c| !c.is_whitespace())?;
        let lower = s.to_ascii_lowercase();
        let looks_like_ial = lower.contains("ial") || s.trim().len() == 1;
        match (looks_like_ial, digit) {
            (true, '1') => Some(Self::Ial1),
            (true, '2') => Some(Self::Ial2),
            (true, '3') => Some(Self::Ial3),
            _ => None,
        }
    }
}

/// The result of an IDV session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdvResult {
    /// Where the session stands.
    pub status: IdvStatus,
    /// The level reached, once completed.
    pub ial_level: Option<IalLevel>,
    /// The verified claims, in the OpenID Connect for Identity Assurance shape.
    pub verified_claims: Option<Value>,
}

/// Parses the answer to `GET {base}/v1/verify/sessions/{id}`.
pub fn parse_idv_result(
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> Result<IdvResult, KosmosError> {
    if !(200..300).contains(&status) {
        return Err(api_error(status, headers, body));
    }
    let value: Value = serde_json::from_str(body)
        .map_err(|e| KosmosError::malformed(format!("body is not json ({e})")))?;
    let obj = value
        .as_object()
        .ok_or_else(|| KosmosError::malformed("body is not a json object"))?;
    let status_str = obj
        .get("status")
        .and_then(Value::as_str)
        .ok_or_else(|| KosmosError::malformed("`status` is missing or not a string"))?;
    let idv_status: IdvStatus = serde_json::from_value(Value::String(status_str.to_owned()))
        .map_err(|_| {
            KosmosError::malformed(format!("`status` `{}` is not known", truncate(status_str)))
        })?;
    let ial_level = match obj.get("ial_level") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(IalLevel::parse(s).ok_or_else(|| {
            KosmosError::malformed(format!("`ial_level` `{}` is not known", truncate(s)))
        })?),
        Some(_) => return Err(KosmosError::malformed("`ial_level` is not a string")),
    };
    let verified_claims = match obj.get("verified_claims") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(_) => return Err(KosmosError::malformed("`verified_claims` is not an object")),
    };
    Ok(IdvResult {
        status: idv_status,
        ial_level,
        verified_claims,
    })
}

/// Maps a non-2xx answer to [`KosmosError::Api`].
pub(crate) fn api_error(status: u16, headers: &[(String, String)], body: &str) -> KosmosError {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let err = parsed
        .as_ref()
        .and_then(|v| v.get("error"))
        .unwrap_or(&Value::Null);
    let message = err
        .get("message")
        .or_else(|| parsed.as_ref().and_then(|v| v.get("message")))
        .and_then(Value::as_str)
        .map(|m| truncate(m).to_owned())
        .unwrap_or_default();
    let field = err
        .get("field")
        .or_else(|| parsed.as_ref().and_then(|v| v.get("field")))
        .and_then(Value::as_str)
        .map(|f| truncate(f).to_owned());
    let retry_after_s =
        find_header(headers, "retry-after").and_then(|v| v.trim().parse::<u64>().ok());
    let (code, retryable) = match status {
        400 | 422 => ("invalid_request", false),
        401 => ("unauthorized", false),
        403 => ("forbidden", false),
        404 => ("not_found", false),
        409 => ("conflict", false),
        429 => ("rate_limited", true),
        500 | 502 | 503 | 504 => ("upstream_unavailable", true),
        _ => ("api_error", status >= 500),
    };
    KosmosError::Api {
        status,
        code,
        message,
        field,
        retryable,
        retry_after_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(u8);
    impl Entropy for Fixed {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), crate::entropy::EntropyUnavailable> {
            buf.fill(self.0);
            Ok(())
        }
    }

    fn config() -> VerifyV1Config {
        VerifyV1Config {
            base_url: "https://idv.example.com/api/".into(),
            api_key: Secret::new("key_123"),
        }
    }

    fn session() -> CreateIdvSession {
        CreateIdvSession {
            document_types: vec![DocumentType::Passport, DocumentType::DriversLicense],
            liveness_mode: LivenessMode::Passive,
            callback_url: Some("https://app.example.com/hook".into()),
            metadata: BTreeMap::from([("user".into(), "u1".into())]),
        }
    }

    #[test]
    fn builds_create_session() {
        let req = build_create_idv_session(&config(), &session(), &mut Fixed(0xab)).unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.url, "https://idv.example.com/api/v1/verify/sessions");
        assert_eq!(req.header("Authorization"), Some("Bearer key_123"));
        assert_eq!(
            req.header("idempotency-key"),
            Some("abababababababababababababababab")
        );
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body["document_types"],
            serde_json::json!(["passport", "drivers_license"])
        );
        assert_eq!(body["liveness_mode"], "passive");
        assert_eq!(body["metadata"]["user"], "u1");
        assert!(!format!("{req:?}").contains("key_123"));
    }

    #[test]
    fn callback_must_be_https_unless_loopback() {
        for (url, ok) in [
            ("http://127.0.0.1:8787/cb", true),
            ("http://localhost/cb", true),
            ("http://[::1]:9/cb", true),
            ("http://evil.example/cb", false),
            ("ftp://x/cb", false),
            ("nonsense", false),
        ] {
            let mut s = session();
            s.callback_url = Some(url.into());
            let r = build_create_idv_session(&config(), &s, &mut Fixed(1));
            assert_eq!(r.is_ok(), ok, "{url}");
        }
    }

    #[test]
    fn empty_document_types_names_the_field() {
        let mut s = session();
        s.document_types.clear();
        let err = build_create_idv_session(&config(), &s, &mut Fixed(1)).unwrap_err();
        assert!(
            matches!(err, KosmosError::InvalidInput { ref field, .. } if field == "document_types")
        );
    }

    #[test]
    fn parses_idv_result_forms() {
        let r = parse_idv_result(200, &[], r#"{"status":"completed","ial_level":"IAL2","verified_claims":{"verification":{"trust_framework":"nist_800_63A"},"claims":{"given_name":"Ada"}}}"#).unwrap();
        assert_eq!(r.status, IdvStatus::Completed);
        assert_eq!(r.ial_level, Some(IalLevel::Ial2));
        assert_eq!(IalLevel::parse("ial2"), Some(IalLevel::Ial2));
        assert_eq!(IalLevel::parse("IAL-9"), None);
        let r = parse_idv_result(200, &[], r#"{"status":"pending"}"#).unwrap();
        assert_eq!(r.ial_level, None);
    }

    #[test]
    fn malformed_and_api_errors() {
        assert!(matches!(
            parse_idv_result(200, &[], "{"),
            Err(KosmosError::MalformedResponse { .. })
        ));
        assert!(matches!(
            parse_idv_result(200, &[], r#"{"status":"weird"}"#),
            Err(KosmosError::MalformedResponse { .. })
        ));
        let e = parse_idv_result(429, &[("Retry-After".into(), "7".into())], "").unwrap_err();
        assert!(matches!(
            e,
            KosmosError::Api {
                code: "rate_limited",
                retryable: true,
                retry_after_s: Some(7),
                ..
            }
        ));
        let e =
            parse_idv_result(404, &[], r#"{"error":{"message":"no such session"}}"#).unwrap_err();
        assert_eq!(e.to_string(), "1kosmos answered http 404: no such session");
    }
}
