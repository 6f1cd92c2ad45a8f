//! 1Kosmos verification events: the body of a (verified) webhook.
//!
//! ```text
//!   { type, timestamp?, data }  --> parse_verification_event --> VerificationEvent
//! ```
//!
//! `type` is `idv.session.completed` / `idv.session.updated` (data: a session
//! result plus `session_id` and `metadata`) or `liveid.challenge.completed` /
//! `liveid.challenge.updated` (data: a challenge result plus `challenge_id`,
//! `user_identifier` and `metadata`); any `idv.*` / `liveid.*` type is read
//! the same way. The results inside are read by the result parsers of the
//! REST contract (the same rules as a polled result).

use serde::Serialize;
use serde_json::{Map, Value};

use super::error::KosmosError;
use super::model::{IalLevel, IdvStatus, MatchResult, StepUpStatus};
use super::verify_v1::{parse_idv_result, parse_step_up_result};
use super::wire::{check_text, json_object, truncate, MAX_ID_BYTES};

/// Which kind of verification an event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// An IDV session (`idv.*`).
    Idv,
    /// A LiveID step-up challenge (`liveid.*`).
    StepUp,
}

/// Where the verification stands: an IDV or a step-up status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum EventStatus {
    /// An IDV session's status.
    Idv(IdvStatus),
    /// A step-up challenge's status.
    StepUp(StepUpStatus),
}

/// A 1Kosmos verification event, read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerificationEvent {
    /// IDV or step-up.
    pub kind: EventKind,
    /// `data.session_id` or `data.challenge_id` (1 to [`MAX_ID_BYTES`] bytes, no control characters).
    pub verification_id: String,
    /// The user: a step-up's `data.user_identifier`, else `metadata.user_identifier`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Where it stands.
    pub status: EventStatus,
    /// The level reached (IDV).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ial_level: Option<IalLevel>,
    /// The verdict of the matcher (step-up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_result: Option<MatchResult>,
    /// The matcher's confidence (step-up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// The string members of `data.metadata`, in their order (others are dropped).
    pub metadata: Map<String, Value>,
    /// The event's `timestamp`, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
}

impl VerificationEvent {
    /// The event as JSON text.
    pub fn to_json(&self) -> String {
        // Every member is a string, a number, an enum word or a map of strings.
        serde_json::to_string(self).unwrap_or_default()
    }
}

fn metadata_of(data: &Map<String, Value>) -> Result<Map<String, Value>, KosmosError> {
    match data.get("metadata") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => {
            let mut out = m.clone();
            out.retain(|_, v| v.is_string());
            Ok(out)
        }
        Some(_) => Err(KosmosError::invalid("data.metadata", "is not an object")),
    }
}

fn id_of(data: &Map<String, Value>, name: &'static str) -> Result<String, KosmosError> {
    let field = if name == "session_id" {
        "data.session_id"
    } else {
        "data.challenge_id"
    };
    match data.get(name) {
        Some(Value::String(s)) => {
            check_text(field, s, MAX_ID_BYTES)?;
            Ok(s.clone())
        }
        _ => Err(KosmosError::invalid(field, "is missing or not a string")),
    }
}

/// Reads a 1Kosmos verification event (the JSON text of a webhook body
/// whose signature the host has verified). Errors: `invalid_input` naming
/// the field (`body`, `data`, `type`, `data.session_id`, ...) or
/// `malformed_response` for a result the parsers refuse.
pub fn parse_verification_event(text: &str) -> Result<VerificationEvent, KosmosError> {
    let event = json_object(text).map_err(|_| {
        KosmosError::invalid("body", "the event is not a JSON object of an accepted size")
    })?;
    let data = match event.get("data") {
        Some(Value::Object(d)) => d,
        _ => return Err(KosmosError::invalid("data", "is missing or not an object")),
    };
    let kind_text = event.get("type").and_then(Value::as_str).unwrap_or("");
    let user_of_metadata = |m: &Map<String, Value>| {
        m.get("user_identifier")
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    // The results are read by the REST contract's parsers, as a polled result is.
    let data_text = || Value::Object(data.clone()).to_string();
    let metadata = metadata_of(data)?;
    let occurred_at = event
        .get("timestamp")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if kind_text.starts_with("idv.") {
        let r = parse_idv_result(200, &[], &data_text())?;
        return Ok(VerificationEvent {
            kind: EventKind::Idv,
            verification_id: id_of(data, "session_id")?,
            user_id: user_of_metadata(&metadata),
            status: EventStatus::Idv(r.status),
            ial_level: r.ial_level,
            match_result: None,
            confidence: None,
            metadata,
            occurred_at,
        });
    }
    if kind_text.starts_with("liveid.") {
        let r = parse_step_up_result(200, &[], &data_text())?;
        let user_id = match data.get("user_identifier") {
            Some(Value::String(s)) => Some(s.clone()),
            _ => user_of_metadata(&metadata),
        };
        return Ok(VerificationEvent {
            kind: EventKind::StepUp,
            verification_id: id_of(data, "challenge_id")?,
            user_id,
            status: EventStatus::StepUp(r.status),
            ial_level: None,
            match_result: Some(r.match_result),
            confidence: r.confidence,
            metadata,
            occurred_at,
        });
    }
    Err(KosmosError::invalid(
        "type",
        format!(
            "event type `{}` is not an idv or liveid event",
            truncate(kind_text)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorInfo;

    #[test]
    fn idv_event() {
        let ev = parse_verification_event(
            r#"{"type":"idv.session.completed","timestamp":"2026-01-31T12:00:00Z","data":{"session_id":"ses_1","status":"completed","ial_level":"IAL2","metadata":{"user_identifier":"u1","n":3}}}"#,
        )
        .unwrap();
        assert_eq!(ev.kind, EventKind::Idv);
        assert_eq!(ev.status, EventStatus::Idv(IdvStatus::Completed));
        assert_eq!(ev.ial_level, Some(IalLevel::Ial2));
        assert_eq!(ev.user_id.as_deref(), Some("u1"));
        assert_eq!(ev.metadata.len(), 1, "the number is dropped");
        assert_eq!(
            ev.to_json(),
            r#"{"kind":"idv","verification_id":"ses_1","user_id":"u1","status":"completed","ial_level":"IAL2","metadata":{"user_identifier":"u1"},"occurred_at":"2026-01-31T12:00:00Z"}"#
        );
    }

    #[test]
    fn step_up_event() {
        let ev = parse_verification_event(
            r#"{"type":"liveid.challenge.completed","data":{"challenge_id":"chl_1","user_identifier":"u2","status":"completed","match_result":"match","confidence":0.97,"metadata":{"user_identifier":"other"}}}"#,
        )
        .unwrap();
        assert_eq!(ev.kind, EventKind::StepUp);
        assert_eq!(
            ev.user_id.as_deref(),
            Some("u2"),
            "the challenge's own user wins"
        );
        assert_eq!(
            ev.to_json(),
            r#"{"kind":"step_up","verification_id":"chl_1","user_id":"u2","status":"completed","match_result":"match","confidence":0.97,"metadata":{"user_identifier":"other"}}"#
        );
    }

    #[test]
    fn refusals_name_the_field() {
        let long = "x".repeat(MAX_ID_BYTES + 1);
        let cases = [
            ("{", "body", "invalid_input"),
            ("[]", "body", "invalid_input"),
            (
                r#"{"type":"idv.session.completed"}"#,
                "data",
                "invalid_input",
            ),
            (r#"{"type":"idv.x","data":[]}"#, "data", "invalid_input"),
            (
                r#"{"type":"other","data":{"status":"completed"}}"#,
                "type",
                "invalid_input",
            ),
            (
                r#"{"type":"idv.x","data":{"status":"completed","metadata":[]}}"#,
                "data.metadata",
                "invalid_input",
            ),
            (
                r#"{"type":"idv.x","data":{"status":"completed"}}"#,
                "data.session_id",
                "invalid_input",
            ),
            (
                r#"{"type":"liveid.x","data":{"status":"completed","match_result":"match","challenge_id":""}}"#,
                "data.challenge_id",
                "invalid_input",
            ),
        ];
        for (text, field, code) in cases {
            let e = parse_verification_event(text).unwrap_err();
            assert_eq!((e.code(), e.field()), (code, Some(field)), "{text}");
        }
        let e = parse_verification_event(&format!(
            r#"{{"type":"idv.x","data":{{"status":"completed","session_id":"{long}"}}}}"#
        ))
        .unwrap_err();
        assert_eq!(e.field(), Some("data.session_id"));
        let e = parse_verification_event(
            r#"{"type":"idv.x","data":{"status":"done","session_id":"s"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.code(), "malformed_response");
    }
}
