//! Properties: no context, flow context, action context or policy, however
//! malformed, makes the policy engine panic, and every context error names a
//! field that the input actually has (or a required one it lacks).

#![cfg(not(target_arch = "wasm32"))]
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed unwrap is a failed test"
)]

use kosmos_connect::{
    context_from_descope, context_from_salesforce, ErrorInfo, Policy, PolicyError,
};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

/// Every example policy plus every policy of the predicate vectors.
fn policies() -> Vec<Policy> {
    let mut out = Vec::new();
    for name in [
        "financial-services",
        "health",
        "commerce",
        "descope-adaptive-mfa",
    ] {
        let text =
            std::fs::read_to_string(format!("{}/examples/policies/{name}.json", root())).unwrap();
        out.push(Policy::compile(&text).unwrap());
    }
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/tests/vectors/policy-predicates.json", root()))
            .unwrap(),
    )
    .unwrap();
    for g in v["groups"].as_array().unwrap() {
        out.push(Policy::from_value(&g["policy"]).unwrap());
    }
    out
}

/// Scalars that sit on the edges of what the context accepts.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-400.0f64..400.0).prop_map(Value::from),
        prop_oneof![
            Just(0.0),
            Just(1.0),
            Just(-0.0),
            Just(1e300),
            Just(-1e-300),
            Just(0.1 + 0.2),
            Just(9_007_199_254_740_993.0)
        ]
        .prop_map(Value::from),
        prop_oneof![
            Just("US"),
            Just("us"),
            Just("USD"),
            Just("JPY"),
            Just("XYZ"),
            Just("10.0.0.1"),
            Just("::ffff:10.0.0.1"),
            Just("2001:db8::1"),
            Just("10.0.0.0/8"),
            Just("funds_transfer"),
            Just("x_"),
            Just("x_custom"),
            Just("true"),
            Just("0.7"),
            Just("12.345"),
            Just(""),
            Just("é\u{0}\u{ffff}"),
        ]
        .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ]
}

/// Keys the context and the adapters know, plus noise.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(vec![
            "now", "device", "known", "trusted", "id", "ip", "ip_flags", "anonymous", "vpn", "tor",
            "proxy", "hosting", "geo", "country", "lat", "lon", "last_login", "at", "risk",
            "score", "bot", "impossible_travel", "action", "type", "amount_minor", "currency",
            "object", "record_id", "user", "roles", "last_step_up_at", "last_verification_at",
            "current_ial", "custom", "is_primary_provider", "controlled_substance", "on_call",
            "loyalty_points", "payment_method_added_s", "tags", "riskInfo", "riskScore",
            "botDetected", "impossibleTravel", "vpnDetected", "trustedDevice", "fingerprint",
            "knownDevice", "lastAuth", "customAttributes", "recordId", "actionType", "amount",
            "lastStepUpAt", "lastVerificationAt", "currentIal",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z_]{0,6}",
    ]
}

fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..8)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Whether a dotted path exists in `v` (a present, possibly null, value).
fn has_path(v: &Value, path: &str) -> bool {
    if path == "$" {
        return true;
    }
    let mut cur = v;
    for k in path.split('.') {
        match cur.as_object().and_then(|m| m.get(k)) {
            Some(next) => cur = next,
            None => return false,
        }
    }
    true
}

fn check_error(e: &PolicyError, input: &Value, required_absent: &[&str]) {
    let PolicyError::BadContext { field, message } = e else {
        panic!("unexpected error kind: {e:?}");
    };
    assert_eq!(e.code(), "invalid_context");
    assert_eq!(e.field(), Some(field.as_str()));
    assert!(!message.is_empty() && !message.ends_with('.'), "{message}");
    assert!(
        has_path(input, field) || required_absent.contains(&field.as_str()),
        "error names `{field}`, which the input does not have: {input}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn decide_never_panics_and_errors_name_the_field(ctx in json()) {
        let text = ctx.to_string();
        for p in policies() {
            let got = p.decide(&ctx);
            prop_assert_eq!(&p.decide_json(&text), &got);
            if let Err(e) = got {
                check_error(&e, &ctx, &["now", "action.currency"]);
            }
        }
    }

    #[test]
    fn decide_json_never_panics_on_arbitrary_text(text in "\\PC{0,64}", prefix in prop::sample::select(vec!["", "{", "{\"now\":", "{\"device\":{\"id\":\"", "{\"custom\":{\"a\":["])) {
        let text = format!("{prefix}{text}");
        for p in policies() {
            if let Err(e) = p.decide_json(&text) {
                prop_assert_eq!(e.code(), "invalid_context");
                prop_assert!(e.field().is_some());
            }
        }
    }

    #[test]
    fn decide_on_context_shaped_input(
        fields in prop::collection::vec((key(), key(), scalar()), 0..12),
    ) {
        // Two levels deep, mostly known keys: reaches the typed checks.
        let mut ctx = Map::new();
        for (a, b, v) in fields {
            let entry = ctx.entry(a).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = entry {
                m.insert(b, v);
            }
        }
        let ctx = Value::Object(ctx);
        let text = ctx.to_string();
        for p in policies() {
            prop_assert_eq!(&p.decide_json(&text), &p.decide(&ctx));
            if let Err(e) = p.decide(&ctx) {
                check_error(&e, &ctx, &["now", "action.currency"]);
            }
        }
    }

    #[test]
    fn adapters_never_panic_and_errors_name_the_input_field(input in json(), now in any::<Option<u64>>()) {
        if let Err(e) = context_from_descope(&input, now) {
            check_error(&e, &input, &[]);
        }
        match context_from_salesforce(&input, now) {
            Err(e) => check_error(&e, &input, &["currency"]),
            Ok(ctx) => {
                // What an adapter builds is a context the engine accepts.
                for p in policies() {
                    if let Err(e) = p.decide(&ctx) {
                        check_error(&e, &ctx, &["now"]);
                    }
                }
            }
        }
    }

    #[test]
    fn compile_never_panics_on_arbitrary_json(policy in json()) {
        if let Err(e) = Policy::from_value(&policy) {
            let PolicyError::Invalid(problems) = &e else { panic!("{e:?}") };
            prop_assert!(!problems.is_empty());
            for p in problems {
                prop_assert!(!p.path.is_empty() && !p.message.is_empty());
            }
        }
    }

    #[test]
    fn compile_never_panics_on_mutated_examples(
        which in 0usize..4,
        path in prop::collection::vec(0usize..16, 1..6),
        replacement in json(),
    ) {
        let name = ["financial-services", "health", "commerce", "descope-adaptive-mfa"][which];
        let text = std::fs::read_to_string(format!("{}/examples/policies/{name}.json", root())).unwrap();
        let mut v: Value = serde_json::from_str(&text).unwrap();
        // Walk down by index (objects by entry position), then replace that node.
        let mut pointer = String::new();
        let mut cur = &v;
        for i in path {
            let next = match cur {
                Value::Array(a) if !a.is_empty() => {
                    let k = i % a.len();
                    pointer.push_str(&format!("/{k}"));
                    a.get(k)
                }
                Value::Object(m) if !m.is_empty() => {
                    let (k, next) = m.iter().nth(i % m.len()).unwrap();
                    pointer.push_str(&format!("/{}", k.replace('~', "~0").replace('/', "~1")));
                    Some(next)
                }
                _ => None,
            };
            match next { Some(n) => cur = n, None => break }
        }
        *v.pointer_mut(&pointer).unwrap() = replacement;
        if let Ok(p) = Policy::from_value(&v) {
            let _ = p.decide(&serde_json::json!({"now": 1_767_225_600u64}));
        }
    }
}
