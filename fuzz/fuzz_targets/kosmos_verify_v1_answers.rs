//! Any status and body as an answer to each verify-v1 call: no panic, and a
//! 2xx either parses or is `malformed_response`.
#![no_main]
use kosmos_connect::{ErrorInfo, Operation, Profile, ProfileConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let status = if selector & 0x80 == 0 {
        200
    } else {
        100 + u16::from(selector & 0x7f) * 4
    };
    let op = match selector % 4 {
        0 => Operation::CreateIdvSession,
        1 => Operation::ReadIdvResult,
        2 => Operation::CreateStepUp,
        _ => Operation::ReadStepUpResult,
    };
    let body = String::from_utf8_lossy(rest);
    let headers = vec![("Retry-After".to_owned(), body.chars().take(6).collect())];
    let config: ProfileConfig = serde_json::from_str(
        r#"{"profile":"verify-v1","base_url":"https://idv.example.com","api_key":"k"}"#,
    )
    .expect("a valid config");
    let profile = Profile::new(config).expect("a valid profile");
    if let Err(e) = profile.parse(op, status, &headers, &body) {
        if (200..300).contains(&status) {
            assert_eq!(e.code(), "malformed_response");
        }
    }
});
