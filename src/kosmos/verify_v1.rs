//! The verify-v1 REST profile: bearer API key, JSON bodies.
//!
//! | call | request | answer |
//! |---|---|---|
//! | create IDV session | `POST {base}/v1/verify/sessions` | `session_id`, `redirect_url` |
//! | read IDV result | `GET {base}/v1/verify/sessions/{id}` | `status`, `ial_level`, `verified_claims` |
//! | create step-up | `POST {base}/v1/liveid/challenges` | `challenge_id`, `challenge_url` |
//! | read step-up result | `GET {base}/v1/liveid/challenges/{id}` | `status`, `match_result`, `confidence` |

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::model::{
    DocumentType, IalLevel, IdvResult, IdvSession, IdvStatus, LivenessMode, MatchResult,
    StepUpChallenge, StepUpResult, StepUpStatus,
};
use super::verified_claims::parse_verified_claims;
use super::wire::{
    check_https_or_loopback, check_text, ensure_success, json_object, path_segment, required_id,
    required_url, truncate, MAX_ID_BYTES,
};
use super::KosmosError;
use crate::entropy::{random_hex_id, Entropy};
use crate::http::{join_url, HttpRequest};
use crate::secret::Secret;

/// Where and how to reach a verify-v1 deployment.
#[derive(Debug, Clone, Deserialize)]
pub struct VerifyV1Config {
    /// The API base URL, e.g. `https://idv.example.com/api` (https, or http on loopback).
    pub base_url: String,
    /// The bearer API key.
    pub api_key: Secret,
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

/// What to ask for when creating a LiveID step-up challenge.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateStepUp {
    /// The enrolled user who must show their face.
    pub user_identifier: String,
    /// What the user is confirming, shown to them (e.g. "Wire $5,000 to ACME").
    #[serde(default)]
    pub action_description: Option<String>,
    /// How long the challenge stays open, in seconds.
    #[serde(default)]
    pub expires_in_s: Option<u64>,
}

/// Most metadata entries accepted.
pub const MAX_METADATA_ENTRIES: usize = 32;
/// Longest metadata key, in bytes.
pub const MAX_METADATA_KEY_BYTES: usize = 64;
/// Longest metadata value, in bytes.
pub const MAX_METADATA_VALUE_BYTES: usize = 512;
/// Longest step-up action description, in bytes.
pub const MAX_ACTION_DESCRIPTION_BYTES: usize = 256;
/// Shortest step-up expiry accepted, in seconds.
pub const MIN_STEP_UP_EXPIRY_S: u64 = 30;
/// Longest step-up expiry accepted, in seconds.
pub const MAX_STEP_UP_EXPIRY_S: u64 = 3600;

const SESSIONS_PATH: &str = "/v1/verify/sessions";
const CHALLENGES_PATH: &str = "/v1/liveid/challenges";

/// Builds `POST {base}/v1/verify/sessions`, with a fresh `Idempotency-Key`.
///
/// Errors: `invalid_input` naming the field (`base_url`, `document_types`,
/// `callback_url`, `metadata...`), `entropy_unavailable`.
pub fn build_create_idv_session(
    config: &VerifyV1Config,
    request: &CreateIdvSession,
    entropy: &mut dyn Entropy,
) -> Result<HttpRequest, KosmosError> {
    check_config(config)?;
    if request.document_types.is_empty() {
        return Err(KosmosError::invalid(
            "document_types",
            "at least one document type is required",
        ));
    }
    let mut seen = Vec::with_capacity(request.document_types.len());
    for t in &request.document_types {
        if seen.contains(t) {
            return Err(KosmosError::invalid(
                "document_types",
                "each document type may appear only once",
            ));
        }
        seen.push(*t);
    }
    if let Some(url) = &request.callback_url {
        check_https_or_loopback("callback_url", url)?;
    }
    check_metadata(&request.metadata)?;
    let mut body = Map::new();
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
    create_request(config, SESSIONS_PATH, body, entropy)
}

/// Builds `POST {base}/v1/liveid/challenges`, with a fresh `Idempotency-Key`.
///
/// Errors: `invalid_input` naming the field (`base_url`, `user_identifier`,
/// `action_description`, `expires_in_s`), `entropy_unavailable`.
pub fn build_create_step_up(
    config: &VerifyV1Config,
    request: &CreateStepUp,
    entropy: &mut dyn Entropy,
) -> Result<HttpRequest, KosmosError> {
    check_config(config)?;
    check_text("user_identifier", &request.user_identifier, MAX_ID_BYTES)?;
    let mut body = Map::new();
    body.insert(
        "user_identifier".into(),
        Value::String(request.user_identifier.clone()),
    );
    if let Some(text) = &request.action_description {
        check_text("action_description", text, MAX_ACTION_DESCRIPTION_BYTES)?;
        body.insert("action_description".into(), Value::String(text.clone()));
    }
    if let Some(s) = request.expires_in_s {
        if !(MIN_STEP_UP_EXPIRY_S..=MAX_STEP_UP_EXPIRY_S).contains(&s) {
            return Err(KosmosError::invalid(
                "expires_in_s",
                format!(
                    "must be between {MIN_STEP_UP_EXPIRY_S} and {MAX_STEP_UP_EXPIRY_S} seconds, got {s}"
                ),
            ));
        }
        body.insert("expires_in".into(), Value::from(s));
    }
    create_request(config, CHALLENGES_PATH, body, entropy)
}

/// Builds `GET {base}/v1/verify/sessions/{session_id}` (the id percent-encoded).
///
/// Errors: `invalid_input` for `base_url` or `session_id`.
pub fn build_read_idv_result(
    config: &VerifyV1Config,
    session_id: &str,
) -> Result<HttpRequest, KosmosError> {
    check_config(config)?;
    let id = path_segment("session_id", session_id)?;
    Ok(read_request(config, &format!("{SESSIONS_PATH}/{id}")))
}

/// Builds `GET {base}/v1/liveid/challenges/{challenge_id}` (the id percent-encoded).
///
/// Errors: `invalid_input` for `base_url` or `challenge_id`.
pub fn build_read_step_up_result(
    config: &VerifyV1Config,
    challenge_id: &str,
) -> Result<HttpRequest, KosmosError> {
    check_config(config)?;
    let id = path_segment("challenge_id", challenge_id)?;
    Ok(read_request(config, &format!("{CHALLENGES_PATH}/{id}")))
}

fn check_config(config: &VerifyV1Config) -> Result<(), KosmosError> {
    check_https_or_loopback("base_url", &config.base_url)?;
    let key = config.api_key.expose();
    if key.trim().is_empty() || key.chars().any(|c| c.is_control() || c == ' ') {
        return Err(KosmosError::invalid(
            "api_key",
            "must be a non-empty token without spaces",
        ));
    }
    Ok(())
}

fn create_request(
    config: &VerifyV1Config,
    path: &str,
    body: Map<String, Value>,
    entropy: &mut dyn Entropy,
) -> Result<HttpRequest, KosmosError> {
    let key = random_hex_id(entropy).map_err(|_| KosmosError::EntropyUnavailable)?;
    let mut req = read_request(config, path);
    req.method = "POST";
    req.headers
        .push(("content-type".into(), "application/json".into()));
    req.headers.push(("idempotency-key".into(), key));
    req.body = Some(Value::Object(body).to_string());
    Ok(req)
}

// A GET carries no content-type: in a browser it would force a CORS preflight.
fn read_request(config: &VerifyV1Config, path: &str) -> HttpRequest {
    HttpRequest {
        method: "GET",
        url: join_url(&config.base_url, path),
        headers: vec![
            (
                "authorization".into(),
                format!("Bearer {}", config.api_key.expose()),
            ),
            ("accept".into(), "application/json".into()),
        ],
        body: None,
    }
}

pub(crate) fn check_metadata(metadata: &BTreeMap<String, String>) -> Result<(), KosmosError> {
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
        if k.is_empty() || k.len() > MAX_METADATA_KEY_BYTES || k.chars().any(char::is_control) {
            return Err(KosmosError::invalid(
                "metadata",
                format!(
                    "keys must be 1 to {MAX_METADATA_KEY_BYTES} bytes without control characters, `{}` is not",
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

/// Parses the answer to "create IDV session": `session_id` and `redirect_url`
/// (also accepted as `session_url`), the latter returned as `session_url`.
///
/// Errors: the API error for a non-2xx status; `malformed_response` otherwise.
pub fn parse_idv_session(
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> Result<IdvSession, KosmosError> {
    ensure_success(status, headers, body)?;
    let obj = json_object(body)?;
    let url_field = if obj.contains_key("redirect_url") {
        "redirect_url"
    } else if obj.contains_key("session_url") {
        "session_url"
    } else {
        "redirect_url"
    };
    Ok(IdvSession {
        session_id: required_id(&obj, "session_id")?,
        session_url: required_url(&obj, url_field)?,
    })
}

/// Parses the answer to "read IDV result".
///
/// `ial_level` may be `IAL2`, `ial2`, `nist_800_63A_ial_2`...; when absent it
/// is taken from `verified_claims` (a `nist_800_63A` verification's
/// `assurance_level`). When both are given they must agree.
///
/// Errors: the API error for a non-2xx status; `malformed_response` naming
/// the field otherwise.
pub fn parse_idv_result(
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> Result<IdvResult, KosmosError> {
    ensure_success(status, headers, body)?;
    let obj = json_object(body)?;
    idv_result_from(&obj, "status")
}

/// Reads `{ status, ial_level, verified_claims }` from an answer object; the
/// status is in `status_field` and holds a verify-v1 status name.
pub(crate) fn idv_result_from(
    obj: &Map<String, Value>,
    status_field: &str,
) -> Result<IdvResult, KosmosError> {
    let status_str = obj
        .get(status_field)
        .ok_or_else(|| KosmosError::malformed(format!("`{status_field}` is missing")))?
        .as_str()
        .ok_or_else(|| KosmosError::malformed(format!("`{status_field}` is not a string")))?;
    let status = IdvStatus::parse(status_str).ok_or_else(|| {
        KosmosError::malformed(format!(
            "`{status_field}` `{}` is not pending, in_progress, completed, failed, expired or declined",
            truncate(status_str)
        ))
    })?;
    let verified_claims = match obj.get("verified_claims") {
        None | Some(Value::Null) => None,
        Some(v) => {
            Some(parse_verified_claims(v).map_err(|e| KosmosError::malformed(e.to_string()))?)
        }
    };
    let ial_level = match obj.get("ial_level") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(IalLevel::parse(s).ok_or_else(|| {
            KosmosError::malformed(format!(
                "`ial_level` `{}` is not IAL1, IAL2 or IAL3",
                truncate(s)
            ))
        })?),
        Some(_) => return Err(KosmosError::malformed("`ial_level` is not a string")),
    };
    let claimed = verified_claims.as_ref().and_then(|v| v.ial_level());
    let ial_level = match (ial_level, claimed) {
        (Some(a), Some(b)) if a != b => {
            return Err(KosmosError::malformed(format!(
                "`ial_level` {} disagrees with `verified_claims` assurance level {}",
                a.as_str(),
                b.as_str()
            )))
        }
        (a, b) => a.or(b),
    };
    Ok(IdvResult {
        status,
        ial_level,
        verified_claims,
    })
}

/// Parses the answer to "create step-up challenge": `challenge_id`, `challenge_url`.
///
/// Errors: the API error for a non-2xx status; `malformed_response` otherwise.
pub fn parse_step_up_challenge(
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> Result<StepUpChallenge, KosmosError> {
    ensure_success(status, headers, body)?;
    let obj = json_object(body)?;
    Ok(StepUpChallenge {
        challenge_id: required_id(&obj, "challenge_id")?,
        challenge_url: required_url(&obj, "challenge_url")?,
    })
}

/// Parses the answer to "read step-up result": `status`, `match_result`
/// (match, no_match, pending, expired, cancelled) and `confidence` in `[0, 1]`.
///
/// Errors: the API error for a non-2xx status; `malformed_response` naming
/// the field otherwise.
pub fn parse_step_up_result(
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> Result<StepUpResult, KosmosError> {
    ensure_success(status, headers, body)?;
    let obj = json_object(body)?;
    let text = |name: &str| -> Result<&str, KosmosError> {
        obj.get(name)
            .ok_or_else(|| KosmosError::malformed(format!("`{name}` is missing")))?
            .as_str()
            .ok_or_else(|| KosmosError::malformed(format!("`{name}` is not a string")))
    };
    let status_str = text("status")?;
    let step_status = StepUpStatus::parse(status_str).ok_or_else(|| {
        KosmosError::malformed(format!(
            "`status` `{}` is not pending, in_progress, completed, failed, expired or cancelled",
            truncate(status_str)
        ))
    })?;
    let match_str = text("match_result")?;
    let match_result = MatchResult::parse(match_str).ok_or_else(|| {
        KosmosError::malformed(format!(
            "`match_result` `{}` is not match, no_match, pending, expired or cancelled",
            truncate(match_str)
        ))
    })?;
    let confidence = match obj.get("confidence") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let c = v
                .as_f64()
                .ok_or_else(|| KosmosError::malformed("`confidence` is not a number"))?;
            if !(0.0..=1.0).contains(&c) {
                // `v` (not `c`) is printed: serde_json's number printer is already
                // in the wasm, core's float formatting would add ~15 KB.
                return Err(KosmosError::malformed(format!(
                    "`confidence` {v} is not between 0 and 1"
                )));
            }
            Some(c)
        }
    };
    if matches!(match_result, MatchResult::Match | MatchResult::NoMatch)
        && step_status != StepUpStatus::Completed
    {
        return Err(KosmosError::malformed(format!(
            "`match_result` `{match_str}` with `status` `{status_str}`: a verdict needs status completed"
        )));
    }
    Ok(StepUpResult {
        status: step_status,
        match_result,
        confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo;

    struct Fixed(u8);
    impl Entropy for Fixed {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), crate::entropy::EntropyUnavailable> {
            buf.fill(self.0);
            Ok(())
        }
    }

    struct NoEntropy;
    impl Entropy for NoEntropy {
        fn fill(&mut self, _: &mut [u8]) -> Result<(), crate::entropy::EntropyUnavailable> {
            Err(crate::entropy::EntropyUnavailable)
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

    fn step_up() -> CreateStepUp {
        CreateStepUp {
            user_identifier: "user@example.com".into(),
            action_description: Some("Wire $5,000 to ACME".into()),
            expires_in_s: Some(300),
        }
    }

    #[test]
    fn builds_create_session() {
        let req = build_create_idv_session(&config(), &session(), &mut Fixed(0xab)).unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.url, "https://idv.example.com/api/v1/verify/sessions");
        assert_eq!(req.header("Authorization"), Some("Bearer key_123"));
        assert_eq!(req.header("content-type"), Some("application/json"));
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
    fn builds_step_up_and_reads() {
        let req = build_create_step_up(&config(), &step_up(), &mut Fixed(1)).unwrap();
        assert_eq!(req.url, "https://idv.example.com/api/v1/liveid/challenges");
        assert!(req.header("idempotency-key").is_some());
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"user_identifier": "user@example.com", "action_description": "Wire $5,000 to ACME", "expires_in": 300})
        );
        let minimal = CreateStepUp {
            user_identifier: "u".into(),
            action_description: None,
            expires_in_s: None,
        };
        let req = build_create_step_up(&config(), &minimal, &mut Fixed(1)).unwrap();
        assert_eq!(req.body.as_deref(), Some(r#"{"user_identifier":"u"}"#));

        let req = build_read_idv_result(&config(), "ses/../1 2").unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(
            req.url,
            "https://idv.example.com/api/v1/verify/sessions/ses%2F..%2F1%202"
        );
        assert_eq!(req.header("idempotency-key"), None);
        assert_eq!(req.header("content-type"), None);
        assert_eq!(req.body, None);
        let req = build_read_step_up_result(&config(), "ch_1").unwrap();
        assert_eq!(
            req.url,
            "https://idv.example.com/api/v1/liveid/challenges/ch_1"
        );
        for bad in ["", "..", "a\u{0}b"] {
            let e = build_read_idv_result(&config(), bad).unwrap_err();
            assert_eq!(e.field(), Some("session_id"));
            let e = build_read_step_up_result(&config(), bad).unwrap_err();
            assert_eq!(e.field(), Some("challenge_id"));
        }
    }

    #[test]
    fn step_up_inputs_are_checked() {
        let cases: Vec<(CreateStepUp, &str)> = vec![
            (
                CreateStepUp {
                    user_identifier: " ".into(),
                    ..step_up()
                },
                "user_identifier",
            ),
            (
                CreateStepUp {
                    action_description: Some("x".repeat(MAX_ACTION_DESCRIPTION_BYTES + 1)),
                    ..step_up()
                },
                "action_description",
            ),
            (
                CreateStepUp {
                    action_description: Some("a\nb".into()),
                    ..step_up()
                },
                "action_description",
            ),
            (
                CreateStepUp {
                    expires_in_s: Some(5),
                    ..step_up()
                },
                "expires_in_s",
            ),
            (
                CreateStepUp {
                    expires_in_s: Some(MAX_STEP_UP_EXPIRY_S + 1),
                    ..step_up()
                },
                "expires_in_s",
            ),
        ];
        for (req, field) in cases {
            let e = build_create_step_up(&config(), &req, &mut Fixed(1)).unwrap_err();
            assert_eq!(e.field(), Some(field));
        }
        let e = build_create_step_up(&config(), &step_up(), &mut NoEntropy).unwrap_err();
        assert_eq!(e.code(), "entropy_unavailable");
    }

    #[test]
    fn config_is_checked() {
        let mut c = config();
        c.base_url = "http://idv.example.com".into();
        let e = build_read_idv_result(&c, "s").unwrap_err();
        assert_eq!(e.field(), Some("base_url"));
        c.base_url = "http://127.0.0.1:8080/".into();
        assert_eq!(
            build_read_idv_result(&c, "s").unwrap().url,
            "http://127.0.0.1:8080/v1/verify/sessions/s"
        );
        let mut c = config();
        c.api_key = Secret::new("a b");
        let e = build_read_idv_result(&c, "s").unwrap_err();
        assert_eq!(e.field(), Some("api_key"));
        assert!(!e.to_string().contains("a b"));
    }

    #[test]
    fn callback_must_be_https_unless_loopback() {
        for (url, ok) in [
            ("http://127.0.0.1:8787/cb", true),
            ("http://localhost/cb", true),
            ("http://[::1]:9/cb", true),
            ("http://evil.example/cb", false),
            ("http://localhost.evil.example/cb", false),
            ("ftp://x/cb", false),
            ("https:///cb", false),
            ("nonsense", false),
        ] {
            let mut s = session();
            s.callback_url = Some(url.into());
            let r = build_create_idv_session(&config(), &s, &mut Fixed(1));
            assert_eq!(r.is_ok(), ok, "{url}");
        }
    }

    #[test]
    fn session_inputs_are_checked() {
        let mut s = session();
        s.document_types.clear();
        let e = build_create_idv_session(&config(), &s, &mut Fixed(1)).unwrap_err();
        assert_eq!(e.field(), Some("document_types"));
        let mut s = session();
        s.document_types = vec![DocumentType::Passport, DocumentType::Passport];
        let e = build_create_idv_session(&config(), &s, &mut Fixed(1)).unwrap_err();
        assert_eq!(e.field(), Some("document_types"));
        let mut s = session();
        s.metadata = (0..=MAX_METADATA_ENTRIES)
            .map(|i| (i.to_string(), String::new()))
            .collect();
        let e = build_create_idv_session(&config(), &s, &mut Fixed(1)).unwrap_err();
        assert_eq!(e.field(), Some("metadata"));
        let mut s = session();
        s.metadata = BTreeMap::from([("k".into(), "v".repeat(MAX_METADATA_VALUE_BYTES + 1))]);
        let e = build_create_idv_session(&config(), &s, &mut Fixed(1)).unwrap_err();
        assert_eq!(e.field(), Some("metadata.k"));
        let mut s = session();
        s.metadata = BTreeMap::from([("k".repeat(MAX_METADATA_KEY_BYTES + 1), "v".into())]);
        assert!(build_create_idv_session(&config(), &s, &mut Fixed(1)).is_err());
        let e = build_create_idv_session(&config(), &session(), &mut NoEntropy).unwrap_err();
        assert_eq!(e.code(), "entropy_unavailable");
    }

    #[test]
    fn idv_session_answers() {
        let s = parse_idv_session(
            201,
            &[],
            r#"{"session_id":"ses_1","redirect_url":"https://verify.example.com/s/ses_1"}"#,
        )
        .unwrap();
        assert_eq!(s.session_id, "ses_1");
        assert_eq!(s.session_url, "https://verify.example.com/s/ses_1");
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["session_url"], "https://verify.example.com/s/ses_1");
        for (body, want) in [
            (r#"{"redirect_url":"https://x"}"#, "`session_id` is missing"),
            (r#"{"session_id":"s"}"#, "`redirect_url` is missing"),
            (
                r#"{"session_id":7,"redirect_url":"https://x"}"#,
                "`session_id` is not a string",
            ),
            (
                r#"{"session_id":"s","redirect_url":"http://evil.example/x"}"#,
                "`redirect_url`",
            ),
            (
                r#"{"session_id":"","redirect_url":"https://x"}"#,
                "`session_id` is empty",
            ),
        ] {
            let e = parse_idv_session(200, &[], body).unwrap_err();
            assert_eq!(e.code(), "malformed_response", "{body}");
            assert!(e.to_string().contains(want), "{body}: {e}");
        }
    }

    #[test]
    fn idv_result_every_status() {
        for (name, want) in [
            ("pending", IdvStatus::Pending),
            ("in_progress", IdvStatus::InProgress),
            ("completed", IdvStatus::Completed),
            ("failed", IdvStatus::Failed),
            ("expired", IdvStatus::Expired),
            ("declined", IdvStatus::Declined),
        ] {
            let r = parse_idv_result(200, &[], &format!(r#"{{"status":"{name}"}}"#)).unwrap();
            assert_eq!(r.status, want);
            assert_eq!(r.ial_level, None);
            assert_eq!(r.verified_claims, None);
        }
    }

    #[test]
    fn idv_result_levels_and_claims() {
        let r = parse_idv_result(200, &[], r#"{"status":"completed","ial_level":"IAL2","verified_claims":{"verification":{"trust_framework":"nist_800_63A","assurance_level":"ial2"},"claims":{"given_name":"Ada"}}}"#).unwrap();
        assert_eq!(r.status, IdvStatus::Completed);
        assert_eq!(r.ial_level, Some(IalLevel::Ial2));
        // Level taken from the claims when the top level has none.
        let r = parse_idv_result(200, &[], r#"{"status":"completed","verified_claims":{"verification":{"trust_framework":"nist_800_63A","assurance_level":"ial3"},"claims":{}}}"#).unwrap();
        assert_eq!(r.ial_level, Some(IalLevel::Ial3));
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["ial_level"], "IAL3");
        for (body, want) in [
            (
                r#"{"status":"completed","ial_level":"IAL2","verified_claims":{"verification":{"trust_framework":"nist_800_63A","assurance_level":"ial3"},"claims":{}}}"#,
                "disagrees",
            ),
            (
                r#"{"status":"completed","ial_level":"IAL9"}"#,
                "`ial_level` `IAL9`",
            ),
            (
                r#"{"status":"completed","ial_level":2}"#,
                "`ial_level` is not a string",
            ),
            (
                r#"{"status":"completed","verified_claims":[]}"#,
                "`verified_claims` is an empty array",
            ),
            (
                r#"{"status":"completed","verified_claims":{"claims":{}}}"#,
                "`verified_claims.verification` is missing",
            ),
            (r#"{"status":"weird"}"#, "`status` `weird`"),
            (r#"{"status":1}"#, "`status` is not a string"),
            (r#"{}"#, "`status` is missing"),
            ("{", "not json"),
            ("null", "not a json object"),
            ("", "empty"),
        ] {
            let e = parse_idv_result(200, &[], body).unwrap_err();
            assert_eq!(e.code(), "malformed_response", "{body}");
            assert!(e.to_string().contains(want), "{body}: {e}");
        }
    }

    #[test]
    fn step_up_answers() {
        let c = parse_step_up_challenge(
            201,
            &[],
            r#"{"challenge_id":"ch_1","challenge_url":"https://liveid.example.com/c/ch_1"}"#,
        )
        .unwrap();
        assert_eq!(c.challenge_id, "ch_1");
        assert!(parse_step_up_challenge(200, &[], r#"{"challenge_id":"ch_1"}"#).is_err());
        for (status, m, conf) in [
            ("completed", "match", Some(0.97)),
            ("completed", "no_match", Some(0.12)),
            ("pending", "pending", None),
            ("in_progress", "pending", None),
            ("expired", "expired", None),
            ("cancelled", "cancelled", None),
            ("failed", "pending", None),
        ] {
            let body = serde_json::json!({"status": status, "match_result": m, "confidence": conf});
            let r = parse_step_up_result(200, &[], &body.to_string()).unwrap();
            assert_eq!(serde_json::to_value(&r).unwrap(), body);
        }
        for (body, want) in [
            (
                r#"{"status":"completed","match_result":"match","confidence":1.5}"#,
                "between 0 and 1",
            ),
            (
                r#"{"status":"completed","match_result":"match","confidence":-0.1}"#,
                "between 0 and 1",
            ),
            (
                r#"{"status":"completed","match_result":"match","confidence":"high"}"#,
                "not a number",
            ),
            (
                r#"{"status":"completed","match_result":"perhaps"}"#,
                "`match_result` `perhaps`",
            ),
            (
                r#"{"status":"pending","match_result":"match"}"#,
                "needs status completed",
            ),
            (
                r#"{"status":"done","match_result":"match"}"#,
                "`status` `done`",
            ),
            (r#"{"status":"completed"}"#, "`match_result` is missing"),
        ] {
            let e = parse_step_up_result(200, &[], body).unwrap_err();
            assert_eq!(e.code(), "malformed_response", "{body}");
            assert!(e.to_string().contains(want), "{body}: {e}");
        }
    }

    #[test]
    fn every_error_mapping() {
        for (status, code, retryable) in [
            (400, "invalid_request", false),
            (401, "unauthorized", false),
            (402, "api_error", false),
            (403, "forbidden", false),
            (404, "not_found", false),
            (405, "api_error", false),
            (408, "timeout", true),
            (409, "conflict", false),
            (410, "gone", false),
            (413, "payload_too_large", false),
            (422, "invalid_request", false),
            (429, "rate_limited", true),
            (500, "upstream_unavailable", true),
            (501, "api_error", false),
            (502, "upstream_unavailable", true),
            (503, "upstream_unavailable", true),
            (504, "upstream_unavailable", true),
            (505, "api_error", false),
            (302, "unexpected_status", false),
            (101, "unexpected_status", false),
        ] {
            for parse in [
                |s, h: &[(String, String)], b| parse_idv_result(s, h, b).map(|_| ()),
                |s, h: &[(String, String)], b| parse_idv_session(s, h, b).map(|_| ()),
                |s, h: &[(String, String)], b| parse_step_up_challenge(s, h, b).map(|_| ()),
                |s, h: &[(String, String)], b| parse_step_up_result(s, h, b).map(|_| ()),
            ] {
                let e = parse(status, &[], "").unwrap_err();
                assert_eq!(e.code(), code, "{status}");
                assert_eq!(e.retryable(), retryable, "{status}");
                assert_eq!(e.status(), Some(status));
            }
        }
        let e = parse_idv_result(429, &[("Retry-After".into(), "7".into())], "").unwrap_err();
        assert_eq!(e.retry_after_s(), Some(7));
        assert_eq!(e.details().unwrap()["retry_after_s"], 7);
        let e = parse_idv_result(
            429,
            &[("retry-after".into(), "Wed, 21 Oct 2015 07:28:00 GMT".into())],
            "",
        )
        .unwrap_err();
        assert_eq!(e.retry_after_s(), None);
        let e = parse_idv_session(
            400,
            &[],
            r#"{"error":{"code":"bad_doc","message":"unknown document type","field":"document_types"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("document_types"));
        assert_eq!(e.details().unwrap()["api_code"], "bad_doc");
        let e =
            parse_idv_result(404, &[], r#"{"error":{"message":"no such session"}}"#).unwrap_err();
        assert_eq!(e.to_string(), "1kosmos answered http 404: no such session");
    }
}
