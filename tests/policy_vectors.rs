//! The shared policy vectors (tests/vectors/policy-*.json), run through the
//! public Rust API. The JS suite runs the same files through the wasm build.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a failed unwrap is a failed test"
)]
use kosmos_connect::{
    context_from_descope, context_from_salesforce, ErrorInfo, Policy, PolicyError,
};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Checks one decide case against its expectation; returns a failure line.
pub fn check_case(policy: &Policy, case: &Value) -> Option<String> {
    let name = case["name"].as_str().unwrap();
    let got = build_context(case).and_then(|ctx| {
        let from_value = policy.decide(&ctx);
        // The JSON-text path decides the same, or fails the same way.
        assert_eq!(policy.decide_json(&ctx.to_string()), from_value, "{name}");
        from_value
    });
    if let Some(err) = case.get("error") {
        return match got {
            Err(e) => {
                let ok =
                    e.code() == err["code"].as_str().unwrap() && e.field() == err["field"].as_str();
                (!ok).then(|| format!("{name}: wanted {err}, got {} {:?}", e.code(), e.field()))
            }
            Ok(d) => Some(format!("{name}: wanted error {err}, got {d:?}")),
        };
    }
    let d = match got {
        Ok(d) => d,
        Err(e) => return Some(format!("{name}: unexpected error {e}")),
    };
    let got = serde_json::to_value(&d).unwrap();
    for key in [
        "decision",
        "rule",
        "matched_rules",
        "required_ial",
        "step_up",
    ] {
        if let Some(want) = case.get(key) {
            if got.get(key) != Some(want) {
                return Some(format!("{name}: `{key}` wanted {want}, got {got}"));
            }
        }
    }
    if case.get("required_ial").is_none() && got.get("required_ial").is_some() {
        return Some(format!("{name}: unexpected required_ial in {got}"));
    }
    None
}

/// The context of a case: `context` as is, or `salesforce` / `descope`
/// input through its adapter, then `with` merged in.
fn build_context(case: &Value) -> Result<Value, PolicyError> {
    let now = case["now"].as_u64();
    let mut ctx = if let Some(sf) = case.get("salesforce") {
        context_from_salesforce(sf, now)?
    } else if let Some(d) = case.get("descope") {
        context_from_descope(d, now)?
    } else {
        case["context"].clone()
    };
    if let (Some(Value::Object(with)), Value::Object(out)) = (case.get("with"), &mut ctx) {
        for (k, v) in with {
            match (out.get_mut(k), v) {
                (Some(Value::Object(a)), Value::Object(b)) => {
                    a.extend(b.iter().map(|(k, v)| (k.clone(), v.clone())));
                }
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Ok(ctx)
}

#[test]
fn example_policies() {
    let v = load("policy-examples.json");
    let mut failures = Vec::new();
    let mut count = 0;
    for example in v["examples"].as_array().unwrap() {
        let file = example["file"].as_str().unwrap();
        let text =
            std::fs::read_to_string(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let on_disk: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            on_disk, example["policy"],
            "{file}: the vector's copy drifted from the file"
        );
        let policy = match Policy::compile(&text) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{file}: does not compile: {e}"));
                continue;
            }
        };
        assert!(policy.rule_ids().count() >= 7, "{file}: a realistic policy");
        for case in example["cases"].as_array().unwrap() {
            count += 1;
            if let Some(f) = check_case(&policy, case) {
                failures.push(format!("[{file}] {f}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 60, "only {count} cases");
}

#[test]
fn predicate_vectors() {
    let v = load("policy-predicates.json");
    let mut failures = Vec::new();
    let mut count = 0;
    for group in v["groups"].as_array().unwrap() {
        let gname = group["name"].as_str().unwrap();
        let policy = match Policy::from_value(&group["policy"]) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{gname}: policy does not compile: {e}"));
                continue;
            }
        };
        for case in group["cases"].as_array().unwrap() {
            count += 1;
            if let Some(f) = check_case(&policy, case) {
                failures.push(format!("[{gname}] {f}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count > 100, "only {count} cases");
}

#[test]
fn compile_error_vectors() {
    let v = load("policy-compile-errors.json");
    let mut failures = Vec::new();
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let result = match case.get("policy_text") {
            Some(text) => Policy::compile(text.as_str().unwrap()),
            None => Policy::compile(&case["policy"].to_string()),
        };
        let want: Vec<&str> = case["paths"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        match result {
            Ok(_) => failures.push(format!("{name}: compiled")),
            Err(e) => {
                assert_eq!(e.code(), "invalid_policy");
                let PolicyError::Invalid(problems) = &e else {
                    panic!("{name}: {e:?}")
                };
                let got: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
                if got != want {
                    failures.push(format!("{name}:\n  want {want:?}\n  got  {got:?}\n  {e}"));
                    continue;
                }
                assert_eq!(e.field(), want.first().copied(), "{name}");
                let details = e.details().unwrap();
                assert_eq!(details["problems"].as_array().unwrap().len(), want.len());
                for p in problems {
                    assert!(!p.message.is_empty());
                    assert!(!p.message.ends_with('.'), "{name}: {}", p.message);
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fuzz_policy_compiles() {
    let text = std::fs::read_to_string(format!(
        "{}/tests/vectors/fuzz-policy.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let policy = Policy::compile(&text).unwrap();
    assert!(policy.rule_ids().count() >= 13);
    // A context touching every rule decides without error on both paths.
    let ctx = serde_json::json!({"now": 1_767_225_600u64, "ip": "::ffff:203.0.113.9", "device": {"known": false, "id": "d"},
        "last_login": {"ip": "10.1.1.1", "country": "US", "lat": 0, "lon": 0, "at": 1_767_225_000u64},
        "geo": {"country": "FR", "lat": 1, "lon": 1}, "risk": {"score": 0.95},
        "action": {"type": "x_wire", "amount_minor": 5, "currency": "KWD"},
        "custom": {"risk_score": 80, "points": 11, "tags": ["x"], "new_device": true}});
    let d = policy.decide(&ctx).unwrap();
    assert_eq!(d.decision, kosmos_connect::DecisionKind::Deny);
    assert_eq!(policy.decide_json(&ctx.to_string()).unwrap(), d);
}
