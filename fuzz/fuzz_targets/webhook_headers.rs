//! Header parsing and verification of every webhook scheme on arbitrary
//! input: nothing may panic, nothing random may verify, and the host-digest
//! split (`prepare`, MACs outside the core, `finish`) gives exactly what
//! `verify` gives, errors included.
//!
//! Input layout: the first byte picks header-name casing tricks, the rest is
//! split on 0xFF into header values and a body. `cargo fuzz run webhook_headers -- -max_total_time=60`
#![no_main]

use std::sync::OnceLock;

use kosmos_connect::Verifier;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/common/split.rs"]
mod split;

fn check_split(v: &Verifier, headers: &[(String, String)], body: &[u8], now: u64) {
    let direct = v.verify(headers, body, now);
    if let Some(split) = split::verify_split(v, headers, body, now) {
        assert_eq!(split, direct, "split and verify differ");
    }
}

fn verifiers() -> &'static [Verifier] {
    static V: OnceLock<Vec<Verifier>> = OnceLock::new();
    V.get_or_init(|| {
        [
            r#"{"scheme":"standard","secrets":["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD","whpk_ZlN4eg7dSSqi0moX9hQUk3orrOouK3QVQSlJa248c/g="]}"#,
            r#"{"scheme":"descope","secrets":["k"]}"#,
            r#"{"scheme":"timestamped_hex","secrets":["k"],"header":"x-sig","template":"v0:{t}:{body}"}"#,
            r#"{"scheme":"sha256_hex","secrets":["k"]}"#,
            r#"{"scheme":"standard","secrets":["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD","whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]}"#,
            r#"{"scheme":"timestamped_hex","secrets":["a","b"],"header":"x-sig","template":"{body}|{t}"}"#,
        ]
        .iter()
        .map(|c| Verifier::from_json(c).unwrap())
        .collect()
    })
}

const NAMES: [&str; 7] = [
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "svix-signature",
    "x-descope-webhook-s256",
    "x-sig",
    "x-hub-signature-256",
];

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.split(|b| *b == 0xff);
    let mut headers = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let Some(value) = parts.next() else { break };
        if flags & (1 << (i % 8)) != 0 {
            continue;
        }
        let name = if flags & 0x80 != 0 {
            name.to_uppercase()
        } else {
            (*name).to_owned()
        };
        headers.push((name, String::from_utf8_lossy(value).into_owned()));
    }
    let body: Vec<u8> = parts.flatten().copied().collect();
    for (i, v) in verifiers().iter().enumerate() {
        for now in [0, 1_649_367_553, u64::MAX] {
            check_split(v, &headers, &body, now);
            if let Ok(ok) = v.verify(&headers, &body, now) {
                // Only a real signature verifies; random input never should,
                // except through the sign-then-verify round trip below.
                panic!("scheme #{i} verified random input as {ok:?}");
            }
        }
        // Whatever we sign verifies, whatever the body.
        if let Ok(signed) = v.sign(Some("msg_fuzz"), 1_649_367_553, &body) {
            assert!(
                v.verify(&signed, &body, 1_649_367_553).is_ok(),
                "scheme #{i}: own signature refused"
            );
            check_split(v, &signed, &body, 1_649_367_553);
        }
    }
});
