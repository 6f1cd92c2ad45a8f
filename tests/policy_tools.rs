//! The policy author's tools over the example policies and their test files.

use kosmos_connect::policy_tools::{
    coverage, diff, format, log_record, reduce_context, run_tests, validate, LogConfig,
};
use kosmos_connect::{ErrorInfo, Policy};
use serde_json::{json, Value};

const EXAMPLES: &[&str] = &[
    "commerce",
    "descope-adaptive-mfa",
    "financial-services",
    "health",
];

fn read(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/examples/policies/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_default()
}

#[test]
fn every_example_passes_its_test_file() {
    for name in EXAMPLES {
        let report = run_tests(
            &read(&format!("{name}.json")),
            &read(&format!("{name}.test.json")),
        );
        let report = report.map_err(|e| e.to_string());
        let Ok(report) = report else {
            panic!("{name}: {report:?}");
        };
        let failing: Vec<_> = report.cases.iter().filter(|c| !c.ok).collect();
        assert!(failing.is_empty(), "{name}: {failing:#?}");
        assert!(report.passed >= 10, "{name}: {} cases", report.passed);
    }
}

#[test]
fn a_failing_case_names_each_field_that_differs() {
    let policy = read("health.json");
    let tests = json!({"cases": [{"name": "wrong", "context": {"risk": {"score": 0.99}},
        "expect": {"decision": "allow", "rule": "extreme-risk"}}]});
    let report = run_tests(&policy, &tests.to_string()).map_err(|e| e.to_string());
    let Ok(report) = report else {
        panic!("{report:?}")
    };
    assert_eq!((report.passed, report.failed), (0, 1));
    let f = &report.cases[0].failures;
    assert_eq!(f.len(), 1, "only the decision differs: {f:?}");
    assert_eq!(
        (f[0].field.as_str(), &f[0].expected, &f[0].actual),
        ("decision", &json!("allow"), &json!("deny"))
    );
    // A malformed test file is invalid_input, naming where.
    let bad = run_tests(
        &policy,
        r#"{"cases": [{"name": "x", "context": {}, "expect": {"decison": "allow"}}]}"#,
    );
    let err = bad.err().map(|e| (e.code(), e.field().map(str::to_owned)));
    assert_eq!(
        err,
        Some(("invalid_input", Some("cases[0].expect".to_owned())))
    );
}

#[test]
fn coverage_counts_rules_and_branches() {
    let cov = coverage(&read("health.json"), &read("health.test.json")).map_err(|e| e.to_string());
    let Ok(cov) = cov else { panic!("{cov:?}") };
    assert_eq!(cov.cases, 12);
    // impossible-travel has no case in the test file.
    assert_eq!(
        cov.rules_never_matched,
        vec!["impossible-travel".to_owned()]
    );
    let phi = cov
        .rules
        .iter()
        .find(|r| r.id == "phi-non-primary")
        .map(|r| r.branches.clone())
        .unwrap_or_default();
    let paths: Vec<&str> = phi.iter().map(|b| b.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "rules[2].when",
            "rules[2].when.all[0]",
            "rules[2].when.all[1]",
            "rules[2].when.all[1].not",
            "rules[2].when.all[2]",
            "rules[2].when.all[2].not"
        ]
    );
    // `action: phi_access` held in 6 cases, failed in the 5 others (the refused context reaches no rule).
    assert_eq!((phi[1].yes, phi[1].no), (6, 5));
    // custom.is_primary_provider was absent in two of the cases that reached it.
    assert_eq!(phi[3].missing, 2, "{phi:?}");
    assert!(cov.branches_covered < cov.branches_total);
    assert!(cov.warnings.is_empty());
}

#[test]
fn static_warning_for_a_rule_a_stricter_rule_always_beats() {
    let policy = json!({"version": 1, "rules": [
        {"id": "new-device", "when": {"device": "new"}, "then": {"decision": "deny"}},
        {"id": "new-device-abroad", "when": {"all": [{"device": "new"}, {"country_in": ["FR"]}]}, "then": {"decision": "step_up"}}
    ], "default": {"decision": "allow"}});
    let text = serde_json::to_string_pretty(&policy).unwrap_or_default();
    let v = validate(&text);
    assert!(v.valid);
    assert_eq!(v.warnings.len(), 1, "{v:?}");
    assert_eq!(v.warnings[0].path, "rules[1]");
    assert!(v.warnings[0].message.contains("new-device"));
    assert!(v.warnings[0].line > 1);
}

#[test]
fn examples_are_valid_and_canonical() {
    for name in EXAMPLES {
        let text = read(&format!("{name}.json"));
        let v = validate(&text);
        assert!(v.valid && v.warnings.is_empty(), "{name}: {v:?}");
        assert_eq!(
            format(&text).ok().as_deref(),
            Some(text.as_str()),
            "{name} is not in canonical form"
        );
    }
}

#[test]
fn diff_counts_moves_with_examples() {
    let old = read("descope-adaptive-mfa.json");
    // The new policy raises the elevated-risk threshold from 0.6 to 0.7.
    let new = old.replace("\"risk_score_above\": 0.6", "\"risk_score_above\": 0.7");
    assert_ne!(old, new);
    let base = json!({"device": {"known": true, "trusted": true}, "geo": {"country": "US"}, "last_login": {"country": "US"}});
    let mut lines = Vec::new();
    for score in [0.1, 0.65, 0.65, 0.69, 0.75, 0.95] {
        let mut c = base.clone();
        c["risk"] = json!({"score": score});
        lines.push(c.to_string());
    }
    lines.push("not json".into());
    lines.push(json!({"v": 1, "decision": "step_up", "context": {"risk": {"score": 0.62}, "device": {"known": true, "trusted": true}, "geo": {"country": "US"}, "last_login": {"country": "US"}}}).to_string());
    let impact = diff(&old, &new, &lines.join("\n")).map_err(|e| e.to_string());
    let Ok(impact) = impact else {
        panic!("{impact:?}")
    };
    assert_eq!((impact.total, impact.changed, impact.unreadable), (8, 4, 1));
    assert_eq!(impact.moves.len(), 1);
    let m = &impact.moves[0];
    assert_eq!(
        (m.from.as_str(), m.to.as_str(), m.count),
        ("step_up", "allow", 4)
    );
    assert_eq!(
        m.examples.iter().map(|e| e.line).collect::<Vec<_>>(),
        [2, 3, 4]
    );
    assert_eq!(
        (
            m.examples[0].old_rule.as_str(),
            m.examples[0].new_rule.as_str()
        ),
        ("elevated-risk", "default")
    );
}

#[test]
fn decision_log_records_reduce_and_read_back() {
    let config = LogConfig::parse(r#"{"key": "0123456789abcdef-test"}"#).map_err(|e| e.to_string());
    let Ok(config) = config else {
        panic!("{config:?}")
    };
    let ctx = json!({"ip": "203.0.113.77", "device": {"id": "fp-123", "known": false}, "user": {"id": "alice@example.com"},
        "geo": {"country": "FR", "lat": 48.8566, "lon": 2.3522}, "last_login": {"ip": "2001:db8:1:2:3::9", "country": "FR"}});
    let r = reduce_context(&ctx, &config);
    assert_eq!(r["ip"], "203.0.113.0");
    assert_eq!(r["last_login"]["ip"], "2001:db8:1::");
    assert_eq!(r["geo"]["lat"], 48.9);
    let h = r["user"]["id"].as_str().unwrap_or_default();
    assert!(
        h.starts_with("h:") && h.len() == 34 && !h.contains("alice"),
        "{h}"
    );
    assert_eq!(
        reduce_context(&ctx, &config)["user"]["id"],
        r["user"]["id"],
        "stable under one key"
    );
    let policy = Policy::compile(&read("descope-adaptive-mfa.json")).map_err(|e| e.to_string());
    let Ok(policy) = policy else {
        panic!("{policy:?}")
    };
    let decision = policy.decide(&ctx).map_err(|e| e.to_string());
    let Ok(decision) = decision else {
        panic!("{decision:?}")
    };
    let line = log_record(&ctx, decision.decision.as_str(), &decision.rule, &config);
    let back: Value = serde_json::from_str(&line).unwrap_or_default();
    assert_eq!(back["decision"], decision.decision.as_str());
    // The reduced context still decides the same way.
    assert_eq!(
        policy.decide(&back["context"]).ok().map(|d| d.decision),
        Some(decision.decision)
    );
    // Bounded: a huge custom section is dropped and the record says so.
    let mut big = ctx.clone();
    big["custom"] = json!({"note": "x".repeat(10_000)});
    let small = log_record(&big, decision.decision.as_str(), &decision.rule, &config);
    assert!(
        small.len() <= 4096 && small.contains("\"truncated\":true"),
        "{}",
        small.len()
    );
    // Settings are checked; the key never shows in a message.
    for (text, field) in [
        (r#"{"ids": "hash"}"#, "key"),
        (r#"{"ip": "hash", "key": "0123456789abcdef"}"#, "ip"),
        (r#"{"max_bytes": 10, "ids": "drop"}"#, "max_bytes"),
    ] {
        let e = LogConfig::parse(text).err();
        assert_eq!(
            e.as_ref().and_then(|e| e.field().map(str::to_owned)),
            Some(field.to_owned()),
            "{text}"
        );
    }
    let e = LogConfig::parse(r#"{"key": 12345678901234567890, "x": 1}"#)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(!e.contains("12345678901234567890"), "{e}");
}

#[cfg(not(target_arch = "wasm32"))]
mod no_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Any cut or byte change of an example policy: every tool answers, none panics,
        /// and every located problem is inside the text.
        #[test]
        fn tools_never_panic_on_a_damaged_policy(cut in 0usize..4000, at in 0usize..4000, byte in any::<u8>()) {
            let text = read("health.json");
            let mut bytes = text.into_bytes();
            let at = at % bytes.len();
            bytes[at] = byte;
            bytes.truncate(bytes.len() - cut % bytes.len());
            let damaged = String::from_utf8_lossy(&bytes).into_owned();
            let v = validate(&damaged);
            let lines = damaged.lines().count().max(1);
            for p in v.problems.iter().chain(&v.warnings) {
                prop_assert!(p.line >= 1 && p.line <= lines + 1, "{p:?}");
            }
            let _ = format(&damaged);
            let _ = run_tests(&damaged, &read("health.test.json"));
            let _ = coverage(&damaged, &read("health.test.json"));
            let _ = diff(&damaged, &read("health.json"), "{}\n{\"risk\": {\"score\": 2}}\n[1]");
        }

        #[test]
        fn test_files_and_log_settings_of_any_shape(text in "\\PC{0,200}") {
            let _ = run_tests(&read("health.json"), &text);
            let _ = LogConfig::parse(&text);
            let _ = diff(&read("health.json"), &read("health.json"), &text);
        }
    }
}
