//! Any bytes as policy JSON: compile must return Ok or a listed error, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = kosmos_connect::Policy::compile(text);
    }
});
