//! Any status and body as a 1Kosmos IDV answer: parse never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&status, rest)) = data.split_first() else {
        return;
    };
    let status = 100 + u16::from(status) * 2;
    let body = String::from_utf8_lossy(rest);
    let headers = vec![("retry-after".to_owned(), body.chars().take(8).collect())];
    let _ = kosmos_connect::parse_idv_result(status, &headers, &body);
});
