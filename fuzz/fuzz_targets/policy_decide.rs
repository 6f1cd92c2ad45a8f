//! Any bytes as a decision context against a fixed policy (every predicate):
//! never panic, and the JSON-text path decides exactly as the parsed-value path.
#![no_main]
use libfuzzer_sys::fuzz_target;

const POLICY: &str = include_str!("../../tests/vectors/fuzz-policy.json");

fuzz_target!(|data: &[u8]| {
    let Ok(policy) = kosmos_connect::Policy::compile(POLICY) else {
        return;
    };
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let from_text = policy.decide_json(text);
    if let Ok(context) = serde_json::from_str::<serde_json::Value>(text) {
        let from_value = policy.decide(&context);
        // Where both accept the context they agree. (They differ only on a
        // repeated key: a parsed value keeps the last one, the text path
        // refuses it.)
        if from_value.is_ok() && from_text.is_ok() {
            assert_eq!(from_value, from_text);
        }
    }
});
