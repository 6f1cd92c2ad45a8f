//! The JSON-in / JSON-out forms of the host contracts (verdicts, IAL
//! reading), cedar-style: each takes and returns text, is tested natively
//! here, and `src/wasm/` wraps each in one line.

use crate::kosmos::IalLevel;
use crate::verdict::{read_ial, ResultInput, VerdictError};

/// The verdict on an IDV result (`{ status, ial_level }` as JSON text, other
/// members ignored) at `required_ial` (any form [`parse_ial`] reads), as JSON
/// text `{ final, outcome, reason, required_ial }`.
pub fn idv_verdict_json(result_json: &str, required_ial: &str) -> Result<String, VerdictError> {
    let required = read_ial(required_ial, "required_ial")?;
    Ok(ResultInput::from_json(result_json)?
        .idv_verdict(required)?
        .to_json())
}

/// The verdict on a step-up result (`{ status, match_result, confidence }` as
/// JSON text) with an optional minimum confidence in `[0, 1]`, as JSON text
/// `{ final, outcome, reason }`.
pub fn step_up_verdict_json(
    result_json: &str,
    min_confidence: Option<f64>,
) -> Result<String, VerdictError> {
    Ok(ResultInput::from_json(result_json)?
        .step_up_verdict(min_confidence)?
        .to_json())
}

/// Reads an identity assurance level (`IAL2`, `ial2`, `ial_2`, `2`,
/// `nist_800_63A_ial_2`, ...) into its one spelling `IAL1` | `IAL2` | `IAL3`;
/// anything else is `invalid_argument` naming `field`.
pub fn parse_ial(text: &str) -> Result<&'static str, VerdictError> {
    read_ial(text, "ial").map(IalLevel::as_str)
}

/// A failure as hosts describe it, read from JSON.
fn failure_from(v: &serde_json::Value, now_s: u64) -> crate::Failure {
    let status = v
        .get("status")
        .and_then(serde_json::Value::as_u64)
        .and_then(|s| u16::try_from(s).ok());
    let retryable = v
        .get("retryable")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or_else(|| status.is_some_and(crate::is_retryable_status));
    let retry_after_s = match v.get("retry_after") {
        Some(serde_json::Value::String(s)) => crate::parse_retry_after(s, now_s),
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        _ => v.get("retry_after_s").and_then(serde_json::Value::as_u64),
    };
    crate::Failure {
        retryable,
        retry_after_ms: retry_after_s.map(|s| s.saturating_mul(1000)),
        idempotent: v
            .get("idempotent")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(true),
    }
}

fn policy_from(v: &serde_json::Value) -> Result<crate::RetryPolicy, crate::RetryError> {
    let d = crate::RetryPolicy::default();
    let num = |name: &str, default: u64| {
        v.get(name)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(default)
    };
    crate::RetryPolicy {
        max_attempts: u32::try_from(num("max_attempts", d.max_attempts.into())).unwrap_or(u32::MAX),
        base_delay_ms: num("base_delay_ms", d.base_delay_ms),
        max_delay_ms: num("max_delay_ms", d.max_delay_ms),
        max_retry_after_ms: num("max_retry_after_ms", d.max_retry_after_ms),
    }
    .checked()
}

/// The retry policy as JSON: after `attempts` failed attempts of a call whose
/// last failure is `failure_json` (`{ status?, retryable?, retry_after?
/// (header value: seconds or an HTTP-date), retry_after_s?, idempotent?
/// (default true) }`), the delay in milliseconds before the next attempt, or
/// `None` to give up. `policy_json`: `{ max_attempts?, base_delay_ms?,
/// max_delay_ms?, max_retry_after_ms? }` (see [`crate::RetryPolicy`]);
/// `entropy` draws the jitter, `now_s` dates an HTTP-date `Retry-After`.
pub fn next_attempt_json(
    failure_json: &str,
    attempts: u32,
    entropy: u32,
    now_s: u64,
    policy_json: &str,
) -> Result<Option<u64>, crate::RetryError> {
    let read = |text: &str, field: &'static str| -> Result<serde_json::Value, crate::RetryError> {
        match serde_json::from_str(text) {
            Ok(v @ serde_json::Value::Object(_)) => Ok(v),
            _ => Err(crate::RetryError::shape(field)),
        }
    };
    let policy = policy_from(&read(policy_json, "policy")?)?;
    let failure = failure_from(&read(failure_json, "failure")?, now_s);
    Ok(policy.next_attempt(&failure, attempts, entropy))
}

/// Checks metadata (a JSON object of strings) by the core's limits: at most
/// 32 entries, keys 1 to 64 bytes without control characters, values up to
/// 512 bytes (bytes of UTF-8, not UTF-16 units).
pub fn check_metadata_json(json: &str) -> Result<(), crate::KosmosError> {
    let map: std::collections::BTreeMap<String, String> = serde_json::from_str(json)
        .map_err(|_| crate::KosmosError::invalid("metadata", "must be an object of strings"))?;
    crate::check_metadata(&map)
}

/// The open step-up challenge cap as JSON (see [`crate::open_slot`]): input
/// `{ slots?: [{ id, until }], now, max, ttl_ms, token }` (times in unix ms),
/// answer `{ ok: true, open, slots }` (the live slots to store, the new one
/// last) or `{ ok: false, open, retry_after_s }`.
pub fn open_slot_json(input_json: &str) -> Result<String, crate::KosmosError> {
    use serde_json::Value;
    let bad = |field: &str, what: &str| crate::KosmosError::invalid(field, what);
    let v: Value = match serde_json::from_str(input_json) {
        Ok(v @ Value::Object(_)) => v,
        _ => return Err(bad("slots", "the input must be a JSON object")),
    };
    let int = |name: &str| {
        v.get(name)
            .and_then(Value::as_u64)
            .ok_or_else(|| bad(name, "must be a non-negative integer"))
    };
    let (now, ttl_ms) = (int("now")?, int("ttl_ms")?);
    let max = u32::try_from(int("max")?).map_err(|_| bad("max", "is too large"))?;
    let token = v
        .get("token")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("token", "must be a string"))?;
    let mut slots = Vec::new();
    match v.get("slots") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for s in list {
                let id = s.get("id").and_then(Value::as_str);
                let until = s.get("until").and_then(Value::as_u64);
                let (Some(id), Some(until_ms)) = (id, until) else {
                    return Err(bad(
                        "slots",
                        "each slot must be { id: string, until: integer }",
                    ));
                };
                slots.push(crate::OpenSlot {
                    id: id.to_owned(),
                    until_ms,
                });
            }
        }
        Some(_) => return Err(bad("slots", "must be an array")),
    }
    // Written out by hand: smaller in wasm than building a `Value`.
    Ok(match crate::open_slot(&slots, now, max, ttl_ms, token) {
        crate::SlotDecision::Taken { slots } => {
            let list: Vec<String> = slots
                .iter()
                .map(|s| {
                    format!(
                        r#"{{"id":{},"until":{}}}"#,
                        Value::from(s.id.as_str()),
                        s.until_ms
                    )
                })
                .collect();
            format!(
                r#"{{"ok":true,"open":{},"slots":[{}]}}"#,
                slots.len(),
                list.join(",")
            )
        }
        crate::SlotDecision::Full {
            retry_after_s,
            open,
        } => format!(r#"{{"ok":false,"open":{open},"retry_after_s":{retry_after_s}}}"#),
    })
}

/// Reads a 1Kosmos verification event (the JSON text of a verified webhook
/// body) as JSON text `{ kind, verification_id, user_id?, status, ial_level?,
/// match_result?, confidence?, metadata, occurred_at? }` (see
/// [`crate::parse_verification_event`]).
pub fn parse_verification_event_json(text: &str) -> Result<String, crate::KosmosError> {
    crate::parse_verification_event(text).map(|ev| ev.to_json())
}

/// The Salesforce records of a 1Kosmos verification event (the webhook
/// body's JSON text, read again by [`crate::parse_verification_event`]), as
/// JSON text `{ external_id, verdict, event, task }`. `options_json`:
/// `{ webhook_id, timestamp (unix seconds), required_ial? (default IAL2:
/// an IDV whose start recorded no level), metadata? (an object of strings
/// the host kept for the verification; the event's own metadata wins) }`.
pub fn salesforce_records_json(
    event_text: &str,
    options_json: &str,
) -> Result<String, crate::KosmosError> {
    use serde_json::Value;
    let bad = |field: &str, message: &str| crate::KosmosError::invalid(field, message);
    let options = match serde_json::from_str::<Value>(options_json) {
        Ok(Value::Object(o)) => o,
        _ => return Err(bad("options", "must be an object")),
    };
    let webhook_id = match options.get("webhook_id") {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= crate::MAX_WEBHOOK_ID_BYTES => {
            s.clone()
        }
        _ => {
            return Err(bad(
                "options.webhook_id",
                "must be a string of 1 to 256 bytes",
            ))
        }
    };
    let timestamp_s = options
        .get("timestamp")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("options.timestamp", "must be whole unix seconds"))?;
    let required = match options.get("required_ial") {
        None | Some(Value::Null) => IalLevel::Ial2,
        Some(Value::String(s)) => IalLevel::parse(s)
            .ok_or_else(|| bad("options.required_ial", "is not IAL1, IAL2 or IAL3"))?,
        Some(_) => return Err(bad("options.required_ial", "must be a string")),
    };
    let mut ev = crate::parse_verification_event(event_text)?;
    // The Platform Event's Verification_Id__c holds 255 characters (1Kosmos ids may have 256 bytes).
    if ev.verification_id.chars().count() > crate::MAX_SALESFORCE_SUBJECT_CHARS {
        let field = match ev.kind {
            crate::EventKind::Idv => "data.session_id",
            crate::EventKind::StepUp => "data.challenge_id",
        };
        return Err(bad(
            field,
            "is longer than the 255 characters Salesforce keeps",
        ));
    }
    match options.get("metadata") {
        None | Some(Value::Null) => {}
        Some(Value::Object(kept)) => {
            for (k, v) in kept {
                if v.is_string() && !ev.metadata.contains_key(k) {
                    ev.metadata.insert(k.clone(), v.clone());
                }
            }
        }
        Some(_) => return Err(bad("options.metadata", "must be an object")),
    }
    let delivery = crate::Delivery {
        webhook_id,
        timestamp_s,
    };
    Ok(crate::salesforce_records(&ev, &delivery, required).to_json())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorInfo;

    #[test]
    fn open_slot_as_text() {
        let taken = open_slot_json(
            r#"{"slots":[{"id":"chl_old","until":999},{"id":"chl_a","until":5000}],"now":1000,"max":2,"ttl_ms":300000,"token":"pending:x"}"#,
        )
        .unwrap();
        assert_eq!(
            taken,
            r#"{"ok":true,"open":2,"slots":[{"id":"chl_a","until":5000},{"id":"pending:x","until":301000}]}"#
        );
        let full = open_slot_json(
            r#"{"slots":[{"id":"a","until":2500},{"id":"b","until":9000}],"now":1000,"max":2,"ttl_ms":300000,"token":"t"}"#,
        )
        .unwrap();
        assert_eq!(full, r#"{"ok":false,"open":2,"retry_after_s":2}"#);
        // No slots yet: absent or null.
        assert!(
            open_slot_json(r#"{"now":1,"max":1,"ttl_ms":1,"token":"t"}"#)
                .unwrap()
                .starts_with(r#"{"ok":true,"open":1,"#)
        );
        assert!(open_slot_json(r#"{"slots":null,"now":1,"max":1,"ttl_ms":1,"token":"t"}"#).is_ok());
    }

    #[test]
    fn open_slot_refuses_bad_input_with_a_field() {
        for (input, field) in [
            ("[]", "slots"),
            ("not json", "slots"),
            (r#"{"max":1,"ttl_ms":1,"token":"t"}"#, "now"),
            (r#"{"now":-1,"max":1,"ttl_ms":1,"token":"t"}"#, "now"),
            (r#"{"now":1.5,"max":1,"ttl_ms":1,"token":"t"}"#, "now"),
            (
                r#"{"now":1,"max":4294967296,"ttl_ms":1,"token":"t"}"#,
                "max",
            ),
            (r#"{"now":1,"max":1,"token":"t"}"#, "ttl_ms"),
            (r#"{"now":1,"max":1,"ttl_ms":1}"#, "token"),
            (
                r#"{"now":1,"max":1,"ttl_ms":1,"token":"t","slots":{}}"#,
                "slots",
            ),
            (
                r#"{"now":1,"max":1,"ttl_ms":1,"token":"t","slots":[{"id":"a"}]}"#,
                "slots",
            ),
            (
                r#"{"now":1,"max":1,"ttl_ms":1,"token":"t","slots":[{"id":1,"until":2}]}"#,
                "slots",
            ),
        ] {
            let e = open_slot_json(input).unwrap_err();
            assert_eq!(e.code(), "invalid_input", "{input}");
            assert_eq!(e.field(), Some(field), "{input}");
        }
    }

    #[test]
    fn verdicts_as_text() {
        assert_eq!(
            idv_verdict_json(r#"{"status":"completed","ial_level":"IAL1"}"#, "ial2").unwrap(),
            r#"{"final":true,"outcome":"rejected","reason":"ial_below_required","required_ial":"IAL2"}"#
        );
        assert_eq!(
            idv_verdict_json(
                r#"{"status":"completed","ial_level":"IAL2","verified_claims":null}"#,
                "2"
            )
            .unwrap(),
            r#"{"final":true,"outcome":"approved","reason":"completed","required_ial":"IAL2"}"#
        );
        assert_eq!(
            step_up_verdict_json(
                r#"{"status":"completed","match_result":"match","confidence":0.8}"#,
                Some(0.9)
            )
            .unwrap(),
            r#"{"final":true,"outcome":"rejected","reason":"confidence_below_required"}"#
        );
        let e = idv_verdict_json("{", "IAL2").unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_argument", Some("result")));
        let e = idv_verdict_json("{}", "IAL2").unwrap_err();
        assert_eq!(e.field(), Some("status"));
        let e = idv_verdict_json(r#"{"status":"completed"}"#, "IAL7").unwrap_err();
        assert_eq!(e.field(), Some("required_ial"));
    }

    #[test]
    fn retry_as_text() {
        let now = 1_445_412_480;
        let p = r#"{"base_delay_ms":100}"#;
        assert_eq!(
            next_attempt_json(r#"{"status":503}"#, 1, 0, now, p).unwrap(),
            Some(50)
        );
        assert_eq!(
            next_attempt_json(r#"{"status":401}"#, 1, 0, now, p).unwrap(),
            None
        );
        assert_eq!(
            next_attempt_json(r#"{"retryable":true}"#, 1, 50, now, p).unwrap(),
            Some(100)
        );
        assert_eq!(
            next_attempt_json(
                r#"{"status":429,"retry_after":"Wed, 21 Oct 2015 07:28:05 GMT"}"#,
                1,
                0,
                now,
                p
            )
            .unwrap(),
            Some(5000)
        );
        assert_eq!(
            next_attempt_json(r#"{"status":503,"retry_after":"2"}"#, 1, 0, now, p).unwrap(),
            Some(2000)
        );
        assert_eq!(
            next_attempt_json(r#"{"status":503,"idempotent":false}"#, 1, 0, now, p).unwrap(),
            None
        );
        assert_eq!(
            next_attempt_json(r#"{"status":503}"#, 3, 0, now, p).unwrap(),
            None
        );
        assert_eq!(
            next_attempt_json(r#"{"status":503}"#, 1, 0, now, r#"{"max_attempts":0}"#)
                .unwrap_err()
                .field(),
            Some("max_attempts")
        );
        assert_eq!(
            next_attempt_json("[]", 1, 0, now, "{}")
                .unwrap_err()
                .field(),
            Some("failure")
        );
    }

    #[test]
    fn metadata_limits_in_bytes() {
        let key = "k".repeat(64);
        assert!(check_metadata_json(&format!(r#"{{"{key}":"v"}}"#)).is_ok());
        assert!(check_metadata_json(&format!(r#"{{"{key}x":"v"}}"#)).is_err());
        // 256 two-byte characters: 256 UTF-16 units, 512 bytes (fits); one more does not.
        let v = "é".repeat(256);
        assert!(check_metadata_json(&format!(r#"{{"a":"{v}"}}"#)).is_ok());
        assert!(check_metadata_json(&format!(r#"{{"a":"{v}é"}}"#)).is_err());
        assert!(check_metadata_json(r#"{"a\u0001":"v"}"#).is_err());
        assert!(check_metadata_json(r#"{"a":1}"#).is_err());
    }

    #[test]
    fn ial_spellings() {
        for s in ["IAL2", "ial2", "2", "nist_800_63A_ial_2", "ial-2"] {
            assert_eq!(parse_ial(s).unwrap(), "IAL2");
        }
        // gate.js's old digit stripping read this as 800632.
        assert_eq!(parse_ial("nist_800_63A_ial_3").unwrap(), "IAL3");
        assert!(parse_ial("800632").is_err());
    }

    #[test]
    fn events_and_records_as_text() {
        let body = r#"{"type":"liveid.challenge.completed","data":{"challenge_id":"chl_1","status":"completed","match_result":"match","confidence":0.97,"metadata":{"rule":"own"}}}"#;
        assert_eq!(
            parse_verification_event_json(body).unwrap(),
            r#"{"kind":"step_up","verification_id":"chl_1","status":"completed","match_result":"match","confidence":0.97,"metadata":{"rule":"own"}}"#
        );
        let out = salesforce_records_json(
            body,
            r#"{"webhook_id":"msg_1","timestamp":1769860800,"metadata":{"related_record_id":"001000000000001AAA","rule":"kept"}}"#,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v["task"]["WhatId"], "001000000000001AAA",
            "kept metadata fills in"
        );
        let d = v["task"]["Description"].as_str().unwrap();
        assert!(
            d.contains("(rule own)"),
            "the event's own metadata wins: {d}"
        );
        assert_eq!(v["event"]["Occurred_At__c"], "2026-01-31T12:00:00.000Z");
        assert_eq!(v["external_id"], crate::external_id("msg_1"));
        assert_eq!(v["verdict"]["outcome"], "approved");
        // An IDV completed below the default level is rejected.
        let idv = r#"{"type":"idv.session.completed","data":{"session_id":"s","status":"completed","ial_level":"IAL1"}}"#;
        let v: serde_json::Value = serde_json::from_str(
            &salesforce_records_json(idv, r#"{"webhook_id":"m","timestamp":1}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(v["verdict"]["reason"], "ial_below_required");
        assert_eq!(v["task"], serde_json::Value::Null);
        for (options, field) in [
            ("[]", "options"),
            (r#"{"timestamp":1}"#, "options.webhook_id"),
            (r#"{"webhook_id":"m"}"#, "options.timestamp"),
            (r#"{"webhook_id":"m","timestamp":-1}"#, "options.timestamp"),
            (
                r#"{"webhook_id":"m","timestamp":1,"required_ial":"IAL7"}"#,
                "options.required_ial",
            ),
            (
                r#"{"webhook_id":"m","timestamp":1,"metadata":"x"}"#,
                "options.metadata",
            ),
        ] {
            let e = salesforce_records_json(idv, options).unwrap_err();
            assert_eq!(e.field(), Some(field), "{options}");
        }
        let long = format!(
            r#"{{"type":"idv.x","data":{{"session_id":"{}","status":"failed"}}}}"#,
            "s".repeat(256)
        );
        let opts = r#"{"webhook_id":"m","timestamp":1}"#;
        assert!(
            parse_verification_event_json(&long).is_ok(),
            "1Kosmos's 256 bytes"
        );
        assert_eq!(
            salesforce_records_json(&long, opts).unwrap_err().field(),
            Some("data.session_id")
        );
        let fits = long.replace(&"s".repeat(256), &"s".repeat(255));
        assert!(salesforce_records_json(&fits, opts).is_ok());
        assert_eq!(
            salesforce_records_json("{", r#"{"webhook_id":"m","timestamp":1}"#)
                .unwrap_err()
                .field(),
            Some("body")
        );
    }
}
