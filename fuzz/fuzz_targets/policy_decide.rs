//! Any bytes as a decision context against a fixed policy: never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

const POLICY: &str = include_str!("../../tests/vectors/fuzz-policy.json");

fuzz_target!(|data: &[u8]| {
    let Ok(policy) = kosmos_connect::Policy::compile(POLICY) else {
        return;
    };
    if let Ok(context) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = policy.decide(&context);
    }
});
