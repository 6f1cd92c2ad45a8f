//! Unit tests across the policy modules: the schema against the code's
//! tables, and the shape of a decision.

use serde_json::{json, Value};

use super::currency::Currency;
use super::signal::SIGNALS;
use super::vocab::ACTION_TYPES;
use super::{Policy, PolicyError};

fn schema() -> Value {
    serde_json::from_str(include_str!("../../schema/policy.schema.json")).unwrap()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

#[test]
fn schema_enums_match_the_code() {
    let s = schema();
    let defs = &s["$defs"];
    let currencies = strings(&defs["currency"]["enum"]);
    for c in &currencies {
        assert!(Currency::from_code(c).is_some(), "{c}");
    }
    assert_eq!(currencies.len(), Currency::all().count());
    assert_eq!(
        strings(&defs["action_type"]["anyOf"][0]["enum"]),
        ACTION_TYPES
    );
    let builtins: Vec<&str> = SIGNALS.iter().map(|b| b.path).collect();
    assert_eq!(strings(&defs["signal_name"]["anyOf"][0]["enum"]), builtins);
    // Every predicate key the compiler knows has a schema branch, and back.
    let mut keys: Vec<&str> = defs["condition"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["required"][0].as_str().unwrap())
        .collect();
    keys.sort_unstable();
    let mut known: Vec<&str> = super::predicates::PREDICATES
        .iter()
        .map(|p| p.name)
        .collect();
    known.sort_unstable();
    assert_eq!(keys, known);
}

#[test]
fn decision_shape_and_reasons() {
    let p = Policy::compile(
        r#"{"version": 1, "rules": [
            {"id": "a", "description": "risky", "when": {"risk_score_above": 0.5}, "then": {"decision": "step_up", "max_age_s": 600}},
            {"id": "b", "when": {"bot_detected": true}, "then": {"decision": "verify_identity", "required_ial": 3}}
        ], "default": {"decision": "allow"}}"#,
    )
    .unwrap();
    let d = p
        .decide(&json!({"now": 1000, "risk": {"score": 0.9, "bot": true}}))
        .unwrap();
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        json!({"decision": "verify_identity", "rule": "b", "reasons": ["b", "a: risky"],
               "matched_rules": ["a", "b"], "required_ial": "IAL3"})
    );
    let d = p
        .decide(&json!({"now": 1000, "last_step_up_at": 900, "risk": {"score": 0.9}}))
        .unwrap();
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        json!({"decision": "allow", "rule": "a",
               "reasons": ["a: risky; met by a step-up 100 s ago (window 600 s)"],
               "matched_rules": ["a"]})
    );
    let d = p
        .decide(&json!({"now": 1000, "risk": {"score": 0.9}}))
        .unwrap();
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        json!({"decision": "step_up", "rule": "a", "reasons": ["a: risky"],
               "matched_rules": ["a"], "step_up": {"max_age_s": 600}})
    );
    let d = p.decide(&json!({"now": 1000})).unwrap();
    assert_eq!(d.reasons, vec!["no rule matched; the default applies"]);
}

#[test]
fn default_outcome_can_be_met_too() {
    let p = Policy::compile(
        r#"{"version": 1, "rules": [], "default": {"decision": "verify_identity", "required_ial": 2}}"#,
    )
    .unwrap();
    let d = p.decide(&json!({"current_ial": 2})).unwrap();
    assert_eq!(d.decision, super::DecisionKind::Allow);
    assert_eq!(d.rule, "default");
    assert_eq!(
        d.reasons,
        vec!["no rule matched; the default applies, met by the current IAL2 (IAL2 required)"]
    );
    let d = p.decide(&json!({"current_ial": 1})).unwrap();
    assert_eq!(d.required_ial.map(|l| l.as_str()), Some("IAL2"));
}

#[test]
fn messages_are_lowercase_without_final_period() {
    let e = Policy::compile(r#"{"version": 1, "rules": [{"id": "a", "when": {"ip_in": ["10.0.0.1/8"]}, "then": {"decision": "deny"}}], "default": {"decision": "allow"}}"#).unwrap_err();
    let PolicyError::Invalid(problems) = e else {
        panic!()
    };
    assert_eq!(problems[0].path, "rules[0].when.ip_in[0]");
    assert_eq!(
        problems[0].message,
        "`10.0.0.1/8` has bits set after the first 8; clear them to name the network"
    );
}

#[test]
#[ignore = "timing, run by hand with --release --ignored --nocapture"]
fn timing_breakdown() {
    use std::hint::black_box;
    use std::time::Instant;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/policies/financial-services.json"
    ))
    .unwrap();
    let p = Policy::compile(&text).unwrap();
    let ctx = r#"{"now": 1767225600, "device": {"known": true, "trusted": false}, "ip": "203.0.113.5", "ip_flags": {"vpn": false}, "geo": {"country": "US", "lat": 40.7, "lon": -74}, "last_login": {"country": "US", "lat": 40.7, "lon": -74.1, "at": 1767222000}, "risk": {"score": 0.42, "bot": false}, "action": {"type": "funds_transfer", "amount_minor": 1250000, "currency": "USD"}, "user": {"id": "005x", "roles": ["advisor"]}, "last_step_up_at": 1767225500, "current_ial": 1}"#;
    let n = 200_000;
    let time = |name: &str, f: &dyn Fn()| {
        let t = Instant::now();
        for _ in 0..n {
            f();
        }
        println!("{name:32} {:?}", t.elapsed() / n);
    };
    time("serde_json::from_str::<Value>", &|| {
        black_box(serde_json::from_str::<Value>(black_box(ctx)).unwrap());
    });
    time("Context::from_json", &|| {
        black_box(super::context::Context::from_json(black_box(ctx)).unwrap());
    });
    let c = super::context::Context::from_json(ctx).unwrap();
    time("decide_context", &|| {
        black_box(p.decide_context(black_box(&c)).unwrap());
    });
    time("decide_json", &|| {
        black_box(p.decide_json(black_box(ctx)).unwrap());
    });
    time("ip parse", &|| {
        black_box(
            black_box("203.0.113.5")
                .parse::<std::net::IpAddr>()
                .unwrap(),
        );
    });
}

#[test]
fn json_text_reads_numbers_exactly_as_javascript_wrote_them() {
    // 0.1 + 0.2 in JavaScript is 0.30000000000000004, one step above 0.3;
    // without exact float parsing the text path read it as 0.3 and missed
    // the rule that the parsed-value path (and JavaScript) would match.
    let p = Policy::compile(
        r#"{"version": 1, "rules": [
            {"id": "a", "when": {"risk_score_above": 0.3}, "then": {"decision": "deny"}}
        ], "default": {"decision": "allow"}}"#,
    )
    .unwrap();
    let text = r#"{"risk": {"score": 0.30000000000000004}}"#;
    let from_text = p.decide_json(text).unwrap();
    let from_value = p
        .decide(&serde_json::from_str::<serde_json::Value>(text).unwrap())
        .unwrap();
    assert_eq!(from_text.decision, super::DecisionKind::Deny);
    assert_eq!(from_value.decision, super::DecisionKind::Deny);
    // And a float-noise run: every text read equals Rust's own exact parse.
    let mut x = 0.1_f64;
    for _ in 0..2000 {
        x = (x * 1.000_000_7 + 0.000_013).fract();
        let s = format!("{x:?}");
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(
            v.as_f64().unwrap().to_bits(),
            s.parse::<f64>().unwrap().to_bits(),
            "{s}"
        );
    }
}
