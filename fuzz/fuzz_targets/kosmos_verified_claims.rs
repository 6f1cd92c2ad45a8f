//! Any JSON as `verified_claims`: no panic, and what parses normalizes to a
//! fixed point (parsing the output again gives the same output).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(parsed) = kosmos_connect::parse_verified_claims(&value) {
        let again = kosmos_connect::parse_verified_claims(parsed.as_value())
            .expect("a normalized value parses");
        assert_eq!(again, parsed);
        let _ = parsed.ial_level();
        let _ = parsed.evidence_types();
    }
});
