//! RFC 9421 parsing and verification on arbitrary input: nothing may
//! panic, random input never verifies, and what we sign verifies.
//!
//! Input layout: split on 0xFF into `Signature-Input`, `Signature`, a URL,
//! a covered-components list (space-separated) and the body.
//! `cargo fuzz run httpsig_verify -- -max_total_time=60`
#![no_main]

use std::sync::OnceLock;

use kosmos_connect::{Entropy, EntropyUnavailable, HttpMessage, HttpSigVerifier, SignRequest};
use libfuzzer_sys::fuzz_target;

fn verifier() -> &'static HttpSigVerifier {
    static V: OnceLock<HttpSigVerifier> = OnceLock::new();
    V.get_or_init(|| {
        HttpSigVerifier::from_json(
            r#"{"keys":[{"keyid":"k","secret":"uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ=="}],"required_components":[]}"#,
        )
        .unwrap()
    })
}

struct Zero;
impl Entropy for Zero {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable> {
        buf.fill(0);
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data
        .split(|b| *b == 0xff)
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let input = parts.next().unwrap_or_default();
    let sig = parts.next().unwrap_or_default();
    let url = parts.next().unwrap_or_default();
    let comps = parts.next().unwrap_or_default();
    let body: Vec<u8> = parts.collect::<Vec<_>>().join("\u{ff}").into_bytes();
    let msg = HttpMessage {
        method: Some("POST".into()),
        url: Some(url),
        status: Some(200),
        headers: vec![
            ("signature-input".into(), input),
            ("signature".into(), sig),
            ("content-type".into(), "application/json".into()),
            (
                "content-digest".into(),
                kosmos_connect::content_digest(&body, &["sha-256"]).unwrap(),
            ),
        ],
        request: None,
    };
    let v = verifier();
    for now in [0, 1_618_884_473, u64::MAX] {
        if let Ok(ok) = v.verify(&msg, &body, now) {
            panic!("random input verified as {ok:?}");
        }
    }
    let req = SignRequest {
        keyid: "k".into(),
        label: None,
        // The harness replaces the Signature fields below, so a signature
        // that covers one of them (allowed with `;key`) could not verify here.
        components: comps
            .split(' ')
            .filter(|c| {
                !c.is_empty()
                    && !c
                        .trim_start_matches('"')
                        .to_ascii_lowercase()
                        .starts_with("signature")
            })
            .map(String::from)
            .collect(),
        created: None,
        expires: None,
        nonce: None,
        tag: None,
        alg: None,
        include_alg: false,
        omit_keyid: false,
    };
    if let Ok(signed) = v.sign(&msg, &req, 1_618_884_473, &mut Zero) {
        let mut m = msg.clone();
        m.headers.retain(|(n, _)| !n.starts_with("signature"));
        m.headers
            .push(("signature-input".into(), signed.signature_input));
        m.headers.push(("signature".into(), signed.signature));
        assert!(
            v.verify(&m, &body, 1_618_884_473).is_ok(),
            "own signature refused"
        );
    }
});
