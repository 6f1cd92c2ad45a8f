//! The Salesforce records of a 1Kosmos verification event: the Platform
//! Event `Kosmos_Verification__e` and, when the caller named a related
//! record, a completed Task on it. Plain data; the host publishes them.
//!
//! ```text
//!   VerificationEvent + Delivery + required IAL --> salesforce_records --> { external_id, verdict, event, task? }
//! ```
//!
//! The Task's outcome is the core's verdict ([`crate::idv_verdict`] /
//! [`crate::step_up_verdict`]): an IDV is judged at the level recorded at
//! its start (`metadata.required_ial`), else at the host's default; an IDV
//! completed below it is `rejected`, as in every other host.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::datetime::{format_iso_ms, parse_rfc3339_ms};
use crate::kosmos::{EventKind, EventStatus, IalLevel, VerificationEvent};
use crate::verdict::{idv_verdict, step_up_verdict, Verdict};

/// The most characters of the Task's `Subject` and of the event's `User_Id__c` and
/// `Verification_Id__c` (Salesforce's field lengths).
pub const MAX_SUBJECT_CHARS: usize = 255;
/// The most characters of a rule name or an action type quoted in the Task.
pub const MAX_LABEL_CHARS: usize = 64;
/// The most characters of the caller's reason quoted in the Task.
pub const MAX_REASON_CHARS: usize = 500;

/// Key prefixes of the objects a Task names with `WhoId` (Contact, Lead); any other record is a `WhatId`.
const WHO_PREFIXES: [&str; 2] = ["003", "00Q"];
/// The decisions a caller may pass on in `metadata.decision`.
const DECISIONS: [&str; 4] = ["allow", "step_up", "verify_identity", "deny"];

/// Which delivery carried the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The verified message id (`webhook-id`): the event's identity across redeliveries.
    pub webhook_id: String,
    /// The verified timestamp, unix seconds (the time of the event when it gives none).
    pub timestamp_s: u64,
}

/// The records of one event.
#[derive(Debug, Clone, PartialEq)]
pub struct SalesforceRecords {
    /// A key for deduplication in Salesforce (an External ID field, an idempotent upsert):
    /// `kc_` and 32 hex digits of SHA-256 over the webhook id, the same for every redelivery.
    pub external_id: String,
    /// The core's verdict on the result the event reports.
    pub verdict: Verdict,
    /// The Platform Event's fields.
    pub event: Map<String, Value>,
    /// The Task's fields, when the metadata names a related record.
    pub task: Option<Map<String, Value>>,
}

impl SalesforceRecords {
    /// `{ external_id, verdict, event, task }` as JSON text (`task` is `null` without a related record).
    pub fn to_json(&self) -> String {
        let mut out = Map::new();
        out.insert("external_id".into(), self.external_id.clone().into());
        out.insert(
            "verdict".into(),
            serde_json::from_str(&self.verdict.to_json()).unwrap_or(Value::Null),
        );
        out.insert("event".into(), Value::Object(self.event.clone()));
        out.insert(
            "task".into(),
            self.task.clone().map_or(Value::Null, Value::Object),
        );
        Value::Object(out).to_string()
    }
}

/// The deduplication key of a webhook delivery (see [`SalesforceRecords::external_id`]).
pub fn external_id(webhook_id: &str) -> String {
    let digest = Sha256::digest(format!("kosmos-connect/webhook\n{webhook_id}").as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("kc_{hex}")
}

/// Whether `s` is a 15- or 18-character Salesforce record id.
pub fn is_salesforce_id(s: &str) -> bool {
    (s.len() == 15 || s.len() == 18) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn clip(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// `Math.round(n * 10000) / 10000` for a confidence in [0, 1].
fn round4(n: f64) -> f64 {
    (n * 10_000.0).round() / 10_000.0
}

/// A number as JavaScript writes it (`0.97`, `1`), through serde_json's
/// formatter: `format!` of an `f64` would pull core's float printing into the
/// module (about 10 KB gzip).
fn js_number(n: f64) -> String {
    let s = serde_json::Number::from_f64(n).map_or_else(String::new, |n| n.to_string());
    match s.strip_suffix(".0") {
        Some(whole) => whole.to_owned(),
        None => s,
    }
}

/// The JSON word of an enum (`completed`, `no_match`), through the string
/// serializer the module already has (serde_json's value serializer would
/// add its own code).
fn word<T: serde::Serialize>(v: &T) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    s.trim_matches('"').to_owned()
}

fn status_word(s: EventStatus) -> String {
    match s {
        EventStatus::Idv(s) => word(&s),
        EventStatus::StepUp(s) => word(&s),
    }
}

/// The core's verdict on the event: a step-up as the core judges it, an
/// IDV at `metadata.required_ial` when readable, else at `default_required`.
pub fn event_verdict(ev: &VerificationEvent, default_required: IalLevel) -> Verdict {
    match ev.status {
        EventStatus::StepUp(status) => step_up_verdict(
            status,
            ev.match_result
                .unwrap_or(crate::kosmos::MatchResult::Pending),
            ev.confidence,
            None,
        ),
        EventStatus::Idv(status) => {
            let required = ev
                .metadata
                .get("required_ial")
                .and_then(Value::as_str)
                .and_then(IalLevel::parse)
                .unwrap_or(default_required);
            idv_verdict(status, ev.ial_level, required)
        }
    }
}

/// The risk decision that asked for the verification: `metadata.decision`
/// when it is one, else what the kind implies.
fn decision_of(ev: &VerificationEvent) -> &str {
    match ev.metadata.get("decision").and_then(Value::as_str) {
        Some(d) if DECISIONS.contains(&d) => d,
        _ if ev.kind == EventKind::StepUp => "step_up",
        _ => "verify_identity",
    }
}

/// The records of one verification event (see the module documentation).
pub fn salesforce_records(
    ev: &VerificationEvent,
    delivery: &Delivery,
    default_required: IalLevel,
) -> SalesforceRecords {
    let occurred_ms = ev
        .occurred_at
        .as_deref()
        .and_then(parse_rfc3339_ms)
        .unwrap_or_else(|| {
            i64::try_from(delivery.timestamp_s)
                .unwrap_or(0)
                .saturating_mul(1000)
        });
    let occurred_at = format_iso_ms(occurred_ms);
    let related = ev
        .metadata
        .get("related_record_id")
        .and_then(Value::as_str)
        .filter(|s| is_salesforce_id(s));
    let status = status_word(ev.status);
    let decision = decision_of(ev);
    let user = ev
        .user_id
        .as_deref()
        .filter(|u| !u.is_empty())
        .map(|u| clip(u, MAX_SUBJECT_CHARS));
    let confidence = ev.confidence.map(round4);
    let match_result = ev.match_result.map(|m| word(&m));
    let ial = ev.ial_level.map(IalLevel::as_str);

    let mut event = Map::new();
    event.insert(
        "Verification_Id__c".into(),
        ev.verification_id.clone().into(),
    );
    event.insert("Kind__c".into(), word(&ev.kind).into());
    event.insert("Status__c".into(), status.clone().into());
    event.insert("Decision__c".into(), decision.into());
    event.insert("Occurred_At__c".into(), occurred_at.clone().into());
    if let Some(u) = user {
        event.insert("User_Id__c".into(), u.into());
    }
    if let Some(m) = &match_result {
        event.insert("Match_Result__c".into(), m.clone().into());
    }
    if let Some(c) = confidence.and_then(serde_json::Number::from_f64) {
        event.insert("Confidence__c".into(), Value::Number(c));
    }
    if let Some(l) = ial {
        event.insert("IAL__c".into(), l.into());
    }
    if let Some(r) = related {
        event.insert("Related_Record_Id__c".into(), r.into());
    }

    let verdict = event_verdict(ev, default_required);
    let task = related.map(|related| {
        let meta = |k: &str| {
            ev.metadata
                .get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let what = if ev.kind == EventKind::StepUp {
            "Step-up challenge"
        } else {
            "IDV session"
        };
        let rule = meta("rule")
            .map(|r| format!(" (rule {})", clip(r, MAX_LABEL_CHARS)))
            .unwrap_or_default();
        let outcome = word(&verdict.outcome);
        let mut lines = vec![
            format!("{what}: {}", ev.verification_id),
            format!("Outcome: {outcome}"),
            format!("Verdict: {}", verdict.reason.as_str()),
            format!("Status: {status}"),
            format!("Asked by: {decision}{rule}"),
        ];
        if let Some(r) = verdict.required_ial {
            lines.push(format!("Required assurance: {}", r.as_str()));
        }
        if let Some(a) = meta("action_type") {
            lines.push(format!("Action: {}", clip(a, MAX_LABEL_CHARS)));
        }
        if let Some(u) = user {
            lines.push(format!("User: {u}"));
        }
        if let Some(m) = &match_result {
            let c = confidence
                .map(|c| format!(" (confidence {})", js_number(c)))
                .unwrap_or_default();
            lines.push(format!("Match: {m}{c}"));
        }
        if let Some(l) = ial {
            lines.push(format!("Identity assurance: {l}"));
        }
        if let Some(r) = meta("reason") {
            lines.push(format!("Reason: {}", clip(r, MAX_REASON_CHARS)));
        }
        lines.push(format!("Webhook: {}", delivery.webhook_id));
        let subject = match ev.kind {
            EventKind::StepUp => format!(
                "1Kosmos step-up: {}{}",
                match_result.as_deref().unwrap_or(&status),
                confidence
                    .map(|c| format!(" ({})", js_number(c)))
                    .unwrap_or_default()
            ),
            EventKind::Idv => format!(
                "1Kosmos IDV: {status}{}",
                ial.map(|l| format!(" ({l})")).unwrap_or_default()
            ),
        };
        let who = if WHO_PREFIXES.iter().any(|p| related.starts_with(p)) {
            "WhoId"
        } else {
            "WhatId"
        };
        let mut task = Map::new();
        task.insert(who.into(), related.into());
        task.insert("Subject".into(), clip(&subject, MAX_SUBJECT_CHARS).into());
        task.insert("Status".into(), "Completed".into());
        task.insert("Priority".into(), "Normal".into());
        task.insert("Description".into(), lines.join("\n").into());
        task.insert(
            "ActivityDate".into(),
            occurred_at.get(..10).unwrap_or("").into(),
        );
        task
    });
    SalesforceRecords {
        external_id: external_id(&delivery.webhook_id),
        verdict,
        event,
        task,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kosmos::parse_verification_event;

    fn records(event: &str, required: IalLevel) -> SalesforceRecords {
        let ev = parse_verification_event(event).unwrap();
        salesforce_records(
            &ev,
            &Delivery {
                webhook_id: "msg_1".into(),
                timestamp_s: 1_769_860_800,
            },
            required,
        )
    }

    #[test]
    fn idv_completed_below_the_recorded_level_is_rejected() {
        let r = records(
            r#"{"type":"idv.session.completed","data":{"session_id":"ses_1","status":"completed","ial_level":"IAL2","metadata":{"related_record_id":"001000000000001AAA","required_ial":"ial3","user_identifier":"u1","rule":"kyc"}}}"#,
            IalLevel::Ial1,
        );
        assert!(!r.verdict.approved());
        let task = r.task.unwrap();
        assert_eq!(task["WhatId"], "001000000000001AAA");
        assert_eq!(task["Subject"], "1Kosmos IDV: completed (IAL2)");
        assert_eq!(task["ActivityDate"], "2026-01-31");
        assert_eq!(
            task["Description"],
            "IDV session: ses_1\nOutcome: rejected\nVerdict: ial_below_required\nStatus: completed\nAsked by: verify_identity (rule kyc)\nRequired assurance: IAL3\nUser: u1\nIdentity assurance: IAL2\nWebhook: msg_1"
        );
        assert_eq!(r.event["Occurred_At__c"], "2026-01-31T12:00:00.000Z");
        assert_eq!(r.event["IAL__c"], "IAL2");
        assert_eq!(r.event["Decision__c"], "verify_identity");
        // At the default level when none was recorded (or it is unreadable).
        let ok = records(
            r#"{"type":"idv.session.completed","data":{"session_id":"ses_1","status":"completed","ial_level":"IAL2","metadata":{"required_ial":"IAL9"}}}"#,
            IalLevel::Ial2,
        );
        assert!(ok.verdict.approved());
        assert!(ok.task.is_none());
    }

    #[test]
    fn step_up_records() {
        let r = records(
            r#"{"type":"liveid.challenge.completed","timestamp":"2026-02-01T08:30:00+01:00","data":{"challenge_id":"chl_1","user_identifier":"u2","status":"completed","match_result":"match","confidence":0.971249,"metadata":{"related_record_id":"003000000000001","decision":"deny","action_type":"funds_transfer"}}}"#,
            IalLevel::Ial2,
        );
        assert!(r.verdict.approved());
        assert_eq!(r.event["Confidence__c"], 0.9712);
        assert_eq!(r.event["Occurred_At__c"], "2026-02-01T07:30:00.000Z");
        assert_eq!(r.event["Decision__c"], "deny");
        let task = r.task.clone().unwrap();
        assert_eq!(task["WhoId"], "003000000000001", "a Contact is a WhoId");
        assert_eq!(task["Subject"], "1Kosmos step-up: match (0.9712)");
        let d = task["Description"].as_str().unwrap();
        assert!(
            d.starts_with("Step-up challenge: chl_1\nOutcome: approved\nVerdict: match\n"),
            "{d}"
        );
        assert!(
            d.contains("\nAction: funds_transfer\nUser: u2\nMatch: match (confidence 0.9712)\n"),
            "{d}"
        );
        assert!(!d.contains("Required assurance"));
        let j: Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(j["verdict"]["outcome"], "approved");
        assert_eq!(j["external_id"], external_id("msg_1"));
    }

    #[test]
    fn limits_and_identity() {
        let long = "é".repeat(600);
        let r = records(
            &format!(
                r#"{{"type":"idv.x","data":{{"session_id":"s","status":"failed","metadata":{{"related_record_id":"bad-id","user_identifier":"{long}"}}}}}}"#
            ),
            IalLevel::Ial2,
        );
        assert!(r.task.is_none(), "not a Salesforce id");
        assert!(!r.event.contains_key("Related_Record_Id__c"));
        assert_eq!(
            r.event["User_Id__c"].as_str().unwrap().chars().count(),
            MAX_SUBJECT_CHARS
        );
        let a = external_id("msg_1");
        assert_eq!(a, external_id("msg_1"));
        assert_ne!(a, external_id("msg_2"));
        assert_eq!(a.len(), 35);
        assert!(is_salesforce_id("001000000000001") && !is_salesforce_id("00100000000000"));
        for (n, js) in [
            (0.97, "0.97"),
            (1.0, "1"),
            (0.0, "0"),
            (0.0001, "0.0001"),
            (0.5, "0.5"),
        ] {
            assert_eq!(js_number(n), js);
        }
    }
}
