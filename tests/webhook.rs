//! Webhook verification through the public API only: published vectors,
//! vectors computed by Node (tests/vectors/gen/webhooks-js.mjs), every
//! rejection path and the replay id contract. Every `verify` here also runs
//! the host-digest way (`prepare`, MACs outside the core, `finish`) and must
//! give exactly the same result or error (see `Checked`).

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions fail the test loudly"
)]

use kosmos_connect::{
    ErrorInfo, StandardWebhooks, Verifier, WebhookError, MAX_BODY_BYTES, MAX_HEADER_BYTES,
    MAX_SECRETS, MAX_SIGNATURES,
};
use serde_json::{json, Value};

#[path = "common/split.rs"]
mod split;

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/webhooks.json")).unwrap()
}

/// A verifier whose `verify` also verifies the host-digest way and asserts
/// that both ways agree exactly, on success and on every error.
#[derive(Debug)]
struct Checked(Verifier);

impl std::ops::Deref for Checked {
    type Target = Verifier;
    fn deref(&self) -> &Verifier {
        &self.0
    }
}

impl Checked {
    fn verify(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        now: u64,
    ) -> Result<kosmos_connect::Verified, WebhookError> {
        let direct = self.0.verify(headers, body, now);
        if let Some(split) = split::verify_split(&self.0, headers, body, now) {
            assert_eq!(split, direct, "split and verify differ for {headers:?}");
        }
        direct
    }
}

fn verifier(config: Value) -> Checked {
    Checked(Verifier::from_json(&config.to_string()).unwrap())
}

fn config_error(config: Value) -> (String, String) {
    let e = Verifier::from_json(&config.to_string()).unwrap_err();
    (e.code().to_owned(), e.to_string())
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn code<T>(r: Result<T, WebhookError>) -> &'static str {
    r.map(|_| "ok").unwrap_or_else(|e| e.code())
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const TS: u64 = 1_649_367_553;
const BODY: &str = r#"{"email":"test@example.com","username":"test_user"}"#;
const SIG: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

fn std_headers(id: &str, ts: &str, sig: &str) -> Vec<(String, String)> {
    h(&[
        ("Webhook-Id", id),
        ("Webhook-Timestamp", ts),
        ("Webhook-Signature", sig),
    ])
}

// ---- published vectors ----------------------------------------------------

#[test]
fn published_standard_webhooks_v1_vectors_verify_and_sign() {
    let v = vectors();
    let cases = v["standard_webhooks_v1"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for c in cases {
        let ts = c["timestamp"].as_u64().unwrap();
        let wh = verifier(json!({ "scheme": "standard", "secrets": [c["secret"]] }));
        let headers = std_headers(s(&c["id"]), &ts.to_string(), s(&c["signature"]));
        let ok = wh.verify(&headers, s(&c["body"]).as_bytes(), ts).unwrap();
        assert_eq!(ok.id, s(&c["id"]));
        assert_eq!(ok.timestamp, Some(ts));
        assert_eq!(ok.remember_until, ts + 300);
        let signed = wh
            .sign(Some(s(&c["id"])), ts, s(&c["body"]).as_bytes())
            .unwrap();
        assert_eq!(
            signed[2],
            ("webhook-signature".into(), s(&c["signature"]).to_owned())
        );
        // The svix- names carry the same scheme.
        let svix = h(&[
            ("svix-id", s(&c["id"])),
            ("svix-timestamp", &ts.to_string()),
            ("svix-signature", s(&c["signature"])),
        ]);
        assert!(wh.verify(&svix, s(&c["body"]).as_bytes(), ts).is_ok());
    }
}

#[test]
fn signatures_made_by_the_npm_standardwebhooks_and_svix_libraries_verify() {
    let v = vectors();
    let cases = v["interop"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    for c in cases {
        let ts = c["timestamp"].as_u64().unwrap();
        let wh = verifier(json!({ "scheme": "standard", "secrets": [c["secret"]] }));
        let prefix = if c["lib"] == "svix" {
            "svix"
        } else {
            "webhook"
        };
        let headers = h(&[
            (&format!("{prefix}-id"), s(&c["id"])),
            (&format!("{prefix}-timestamp"), &ts.to_string()),
            (&format!("{prefix}-signature"), s(&c["signature"])),
        ]);
        assert_eq!(
            wh.verify(&headers, s(&c["body"]).as_bytes(), ts)
                .unwrap()
                .id,
            s(&c["id"])
        );
        let ours = wh
            .sign(Some(s(&c["id"])), ts, s(&c["body"]).as_bytes())
            .unwrap();
        assert_eq!(ours[2].1, s(&c["signature"]));
    }
}

#[test]
fn published_standard_webhooks_v1a_vector_verifies_with_public_and_secret_key() {
    let v = vectors();
    let c = &v["standard_webhooks_v1a"][0];
    let ts = c["timestamp"].as_u64().unwrap();
    let headers = std_headers(s(&c["id"]), &ts.to_string(), s(&c["signature"]));
    let body = s(&c["body"]).as_bytes();
    let public = format!("whpk_{}", s(&c["public_key_b64"]));
    let secret = format!("whsk_{}", s(&c["secret_key_seed_b64"]));
    for key in [&public, &secret] {
        let wh = verifier(json!({ "scheme": "standard", "secrets": [key] }));
        assert_eq!(wh.verify(&headers, body, ts).unwrap().id, s(&c["id"]));
        assert_eq!(
            code(wh.verify(&headers, b"{\"test\": 2432232315}", ts)),
            "no_matching_signature"
        );
    }
    // Ed25519 signatures are deterministic: signing reproduces the vector.
    let signer = verifier(json!({ "scheme": "standard", "secrets": [secret] }));
    let signed = signer.sign(Some(s(&c["id"])), ts, body).unwrap();
    assert_eq!(signed[2].1, s(&c["signature"]));
    // A public key cannot sign.
    let public_only = verifier(json!({ "scheme": "standard", "secrets": [public] }));
    let e = public_only.sign(Some("msg_1"), ts, body).unwrap_err();
    assert_eq!(e.code(), "invalid_secret");
    // A 64-byte seed-and-public pair is accepted too.
    let seed = base64_decode(s(&c["secret_key_seed_b64"]));
    let mut pair = seed.clone();
    pair.extend(base64_decode(s(&c["public_key_b64"])));
    let pair_key = format!("whsk_{}", base64_encode(&pair));
    let wh = verifier(json!({ "scheme": "standard", "secrets": [pair_key] }));
    assert!(wh.verify(&headers, body, ts).is_ok());
    // ... but not one whose public half belongs to another seed.
    let mut wrong = seed;
    wrong.extend([7u8; 32]);
    let (code, message) = config_error(
        json!({ "scheme": "standard", "secrets": [format!("whsk_{}", base64_encode(&wrong))] }),
    );
    assert_eq!(code, "invalid_secret");
    assert!(!message.contains(s(&c["secret_key_seed_b64"])));
}

#[test]
fn published_github_example_verifies_and_signs() {
    let v = vectors();
    let c = &v["github_sha256"][0];
    let wh = verifier(json!({ "scheme": "sha256_hex", "secrets": [c["secret"]] }));
    let headers = h(&[("X-Hub-Signature-256", s(&c["signature"]))]);
    let ok = wh
        .verify(&headers, s(&c["body"]).as_bytes(), 1_700_000_000)
        .unwrap();
    assert_eq!(ok.timestamp, None);
    assert_eq!(ok.remember_until, 1_700_000_000 + 86_400);
    assert!(ok.id.starts_with("sha256_hex_") && ok.id.len() == "sha256_hex_".len() + 32);
    let signed = wh.sign(None, 0, s(&c["body"]).as_bytes()).unwrap();
    assert_eq!(
        signed,
        vec![(s(&c["header"]).to_owned(), s(&c["signature"]).to_owned())]
    );
    // Uppercase hex digits decode to the same bytes.
    let upper = s(&c["signature"]).replace("sha256=", "").to_uppercase();
    let headers = h(&[("x-hub-signature-256", &format!("sha256={upper}"))]);
    assert!(wh.verify(&headers, s(&c["body"]).as_bytes(), 0).is_ok());
}

// ---- Descope ----------------------------------------------------------------

#[test]
fn descope_signatures_made_by_node_verify_on_the_received_text() {
    let v = vectors();
    for c in v["descope"].as_array().unwrap() {
        let wh = verifier(json!({ "scheme": "descope", "secrets": [c["secret"]] }));
        let headers = h(&[("x-descope-webhook-s256", s(&c["signature"]))]);
        let body = s(&c["body"]).as_bytes();
        let ok = wh.verify(&headers, body, 100).unwrap();
        assert!(ok.id.starts_with("descope_"));
        assert_eq!(ok.timestamp, None);
        // Without the fallback, only a body already in JSON.stringify form passes.
        let raw_only = verifier(
            json!({ "scheme": "descope", "secrets": [c["secret"]], "stringify_fallback": false }),
        );
        let expected = if c["raw_matches"].as_bool().unwrap() {
            "ok"
        } else {
            "no_matching_signature"
        };
        assert_eq!(code(raw_only.verify(&headers, body, 100)), expected, "{c}");
    }
}

#[test]
fn descope_json_stringify_hard_cases_verify_through_the_fallback() {
    // Sign the JS-canonical text (Node's output), deliver the original text.
    let v = vectors();
    let wh = verifier(json!({ "scheme": "descope", "secrets": ["k"] }));
    let mut through_fallback = 0;
    for c in v["js_stringify"].as_array().unwrap() {
        let Some(text) = c.get("text") else { continue };
        let signed = wh.sign(None, 0, s(&c["expected"]).as_bytes()).unwrap();
        let headers = h(&[(&signed[0].0, &signed[0].1)]);
        let via_raw = wh
            .verify(&headers, s(&c["expected"]).as_bytes(), 0)
            .unwrap();
        let via_text = wh.verify(&headers, s(text).as_bytes(), 0).unwrap();
        // Same authenticated content, same replay id.
        assert_eq!(via_raw.id, via_text.id, "{c}");
        if s(text) != s(&c["expected"]) {
            through_fallback += 1;
        }
    }
    assert!(through_fallback >= 30, "{through_fallback}");
    // Raw bytes cases (BOM, invalid UTF-8) as a JS host decodes them.
    for c in v["js_stringify"].as_array().unwrap() {
        let Some(hex) = c.get("body_hex") else {
            continue;
        };
        let body = hex_decode(s(hex));
        let signed = wh.sign(None, 0, s(&c["expected"]).as_bytes()).unwrap();
        let headers = h(&[(&signed[0].0, &signed[0].1)]);
        assert!(wh.verify(&headers, &body, 0).is_ok(), "{c}");
    }
}

#[test]
fn descope_rejections() {
    let wh = verifier(json!({ "scheme": "descope", "secrets": ["k1", "k2"] }));
    let body = br#"{"a":1}"#;
    let good = wh.sign(None, 0, body).unwrap()[0].1.clone();
    assert_eq!(code(wh.verify(&[], body, 0)), "missing_header");
    for bad in ["not base64!", "AAAA", ""] {
        let e = wh
            .verify(&h(&[("x-descope-webhook-s256", bad)]), body, 0)
            .unwrap_err();
        assert_eq!(e.code(), "bad_format", "{bad}");
        assert_eq!(e.field(), Some("x-descope-webhook-s256"));
    }
    let headers = h(&[("x-descope-webhook-s256", &good)]);
    assert_eq!(
        code(wh.verify(&headers, br#"{"a":2}"#, 0)),
        "no_matching_signature"
    );
    assert_eq!(
        code(wh.verify(&headers, b"{\"a\":1", 0)),
        "no_matching_signature"
    );
    assert_eq!(code(wh.verify(&headers, br#"{"a":1.0}"#, 0)), "ok");
    assert_eq!(code(wh.verify(&headers, br#"{"a":1,"a":1}"#, 0)), "ok");
    // Signed with the second secret (rotation): still verifies, same id.
    let second = verifier(json!({ "scheme": "descope", "secrets": ["k2"] }));
    let sig2 = second.sign(None, 0, body).unwrap()[0].1.clone();
    let ok2 = wh
        .verify(&h(&[("x-descope-webhook-s256", &sig2)]), body, 0)
        .unwrap();
    assert_eq!(ok2.id, wh.verify(&headers, body, 0).unwrap().id);
    // A configurable header name and base64 secrets.
    let custom = verifier(
        json!({ "scheme": "descope", "secrets": ["AQID"], "secret_encoding": "base64", "header": "X-Sig" }),
    );
    let signed = custom.sign(None, 0, body).unwrap();
    assert_eq!(signed[0].0, "x-sig");
    assert!(custom
        .verify(&h(&[("X-SIG", &signed[0].1)]), body, 0)
        .is_ok());
}

// ---- timestamped hex ----------------------------------------------------------

#[test]
fn timestamped_hex_vectors_made_by_node_verify_and_sign() {
    let v = vectors();
    for c in v["timestamped_hex"].as_array().unwrap() {
        let wh = verifier(json!({
            "scheme": "timestamped_hex", "secrets": [c["secret"]], "header": c["header"], "template": c["template"]
        }));
        let ts = c["timestamp"].as_u64().unwrap();
        let headers = h(&[(s(&c["header"]), s(&c["value"]))]);
        let ok = wh.verify(&headers, s(&c["body"]).as_bytes(), ts).unwrap();
        assert_eq!(ok.timestamp, Some(ts));
        assert!(ok.id.starts_with("timestamped_hex_"));
        let signed = wh.sign(None, ts, s(&c["body"]).as_bytes()).unwrap();
        assert!(wh
            .verify(
                &h(&[(&signed[0].0, &signed[0].1)]),
                s(&c["body"]).as_bytes(),
                ts
            )
            .is_ok());
        if c["template"] == "{t}.{body}" {
            assert_eq!(signed[0].1, s(&c["value"]));
        }
    }
}

#[test]
fn timestamped_hex_rejections_and_replay_id() {
    let config = json!({ "scheme": "timestamped_hex", "secrets": ["a", "b"], "header": "x-sig", "tolerance_s": 60 });
    let wh = verifier(config);
    let body = b"payload";
    let value = wh.sign(None, 1000, body).unwrap()[0].1.clone();
    let entries: Vec<&str> = value.split(',').collect();
    assert_eq!(entries.len(), 3, "t and one v1 per secret");
    let at = |v: &str, now: u64| code(wh.verify(&h(&[("x-sig", v)]), body, now));
    assert_eq!(at(&value, 1000), "ok");
    assert_eq!(at(&value, 1060), "ok");
    assert_eq!(at(&value, 940), "ok");
    assert_eq!(at(&value, 1061), "timestamp_too_old");
    assert_eq!(at(&value, 939), "timestamp_in_future");
    assert_eq!(code(wh.verify(&[], body, 1000)), "missing_header");
    let v1a = entries[1];
    let v1b = entries[2];
    for bad in [
        v1a.to_string(),                // no timestamp
        format!("t=1000,t=1000,{v1a}"), // twice
        format!("t=1000.5,{v1a}"),      // not an integer
        format!("t=01000,{v1a}"),       // not canonical
        format!("t=-1000,{v1a}"),
        format!("t=1000,{v1a},garbage"), // not key=value
    ] {
        assert_eq!(at(&bad, 1000), "bad_format", "{bad}");
    }
    assert_eq!(at("t=1000", 1000), "no_matching_signature");
    assert_eq!(at("t=1000,v1=zz", 1000), "no_matching_signature");
    assert_eq!(at(&format!("t=1001,{v1a}"), 1000), "no_matching_signature");
    assert_eq!(at(&format!("t=1000,v0=00,{v1b}"), 1000), "ok");
    let many = std::iter::repeat_n(v1a, MAX_SIGNATURES + 1)
        .collect::<Vec<_>>()
        .join(",");
    assert_eq!(at(&format!("t=1000,{many}"), 1000), "bad_format");
    // Whichever listed signature (and secret) matched, the id is the same.
    let id_a = wh
        .verify(&h(&[("x-sig", &format!("t=1000,{v1a}"))]), body, 1000)
        .unwrap()
        .id;
    let id_b = wh
        .verify(&h(&[("x-sig", &format!("t=1000,{v1b}"))]), body, 1000)
        .unwrap()
        .id;
    assert_eq!(id_a, id_b);
    let other = wh.sign(None, 1001, body).unwrap()[0].1.clone();
    assert_ne!(
        wh.verify(&h(&[("x-sig", &other)]), body, 1001).unwrap().id,
        id_a
    );
}

// ---- Standard Webhooks rejections --------------------------------------------

#[test]
fn standard_rejections() {
    let wh = verifier(json!({ "scheme": "standard", "secrets": [SECRET], "tolerance_s": 300 }));
    let ts = TS.to_string();
    let body = BODY.as_bytes();
    let ok = |hs: Vec<(String, String)>, now: u64| code(wh.verify(&hs, body, now));
    assert_eq!(ok(std_headers(ID, &ts, SIG), TS), "ok");
    assert_eq!(ok(std_headers(ID, &ts, SIG), TS + 300), "ok");
    assert_eq!(ok(std_headers(ID, &ts, SIG), TS - 300), "ok");
    assert_eq!(ok(std_headers(ID, &ts, SIG), TS + 301), "timestamp_too_old");
    assert_eq!(
        ok(std_headers(ID, &ts, SIG), TS - 301),
        "timestamp_in_future"
    );
    for missing in 0..3 {
        let mut hs = std_headers(ID, &ts, SIG);
        hs.remove(missing);
        assert_eq!(ok(hs, TS), "missing_header");
    }
    for bad_id in ["msg.1", "", &"x".repeat(257)] {
        assert_eq!(
            ok(std_headers(bad_id, &ts, SIG), TS),
            "bad_format",
            "{bad_id}"
        );
    }
    for bad_ts in [
        "1649367553.0",
        "1649367553.5",
        "1.649367553e9",
        "-1",
        "abc",
        "",
        "01649367553",
    ] {
        assert_eq!(
            ok(std_headers(ID, bad_ts, SIG), TS),
            "bad_format",
            "{bad_ts}"
        );
    }
    assert_eq!(
        code(wh.verify(&std_headers(ID, &ts, SIG), b"{}", TS)),
        "no_matching_signature"
    );
    assert_eq!(
        ok(std_headers("msg_other", &ts, SIG), TS),
        "no_matching_signature"
    );
    for bad_sig in [
        "",
        "v1",
        "v1,",
        "v1,!!!",
        "v2,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        "v1a,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        "v1,AAAA",
    ] {
        assert_eq!(
            ok(std_headers(ID, &ts, bad_sig), TS),
            "no_matching_signature",
            "{bad_sig:?}"
        );
    }
    // A list: any valid entry passes; unknown versions are skipped.
    let list = format!("v1,AAAA v2,zzz {SIG}");
    assert_eq!(ok(std_headers(ID, &ts, &list), TS), "ok");
    let too_many = std::iter::repeat_n("v1,AAAA", MAX_SIGNATURES)
        .collect::<Vec<_>>()
        .join(" ")
        + " "
        + SIG;
    assert_eq!(ok(std_headers(ID, &ts, &too_many), TS), "bad_format");
    // Bounded sizes.
    let big = vec![b'a'; MAX_BODY_BYTES + 1];
    assert_eq!(
        code(wh.verify(&std_headers(ID, &ts, SIG), &big, TS)),
        "payload_too_large"
    );
    let long = format!("{SIG} {}", "x".repeat(MAX_HEADER_BYTES));
    assert_eq!(ok(std_headers(ID, &ts, &long), TS), "payload_too_large");
    // Signing refuses ids the verifier would refuse.
    let signer = StandardWebhooks::new(&[SECRET], 300).unwrap();
    assert_eq!(
        signer.sign("a.b", TS, body).unwrap_err().code(),
        "bad_format"
    );
    assert_eq!(
        signer.verify(&std_headers(ID, &ts, SIG), body, TS),
        wh.verify(&std_headers(ID, &ts, SIG), body, TS)
    );
}

#[test]
fn standard_key_rotation_both_sides() {
    let old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let v = vectors();
    let ed = format!(
        "whsk_{}",
        s(&v["standard_webhooks_v1a"][0]["secret_key_seed_b64"])
    );
    // Receiver holds the new and the old secret: a message signed with either verifies.
    let receiver = verifier(json!({ "scheme": "standard", "secrets": [SECRET, old] }));
    let old_sender = verifier(json!({ "scheme": "standard", "secrets": [old] }));
    let signed = old_sender.sign(Some("msg_1"), TS, b"x").unwrap();
    assert!(receiver.verify(&signed, b"x", TS).is_ok());
    // A sender with several keys lists one signature per key; each side verifies.
    let sender = verifier(json!({ "scheme": "standard", "secrets": [SECRET, ed] }));
    let signed = sender.sign(Some("msg_2"), TS, b"x").unwrap();
    let sig = &signed[2].1;
    assert!(sig.starts_with("v1,") && sig.contains(" v1a,"), "{sig}");
    assert!(
        verifier(json!({ "scheme": "standard", "secrets": [SECRET] }))
            .verify(&signed, b"x", TS)
            .is_ok()
    );
    assert!(verifier(json!({ "scheme": "standard", "secrets": [ed] }))
        .verify(&signed, b"x", TS)
        .is_ok());
    assert_eq!(
        code(verifier(json!({ "scheme": "standard", "secrets": [old] })).verify(&signed, b"x", TS)),
        "no_matching_signature"
    );
    // Standard signing needs an id.
    assert_eq!(
        sender.sign(None, TS, b"x").unwrap_err().code(),
        "bad_format"
    );
}

// ---- configuration --------------------------------------------------------------

#[test]
fn configuration_is_checked_once_up_front() {
    let cases = [
        (
            json!({ "scheme": "standard", "secrets": ["whsec_!!!"] }),
            "invalid_secret",
        ),
        (
            json!({ "scheme": "standard", "secrets": ["whsec_"] }),
            "invalid_secret",
        ),
        (
            json!({ "scheme": "standard", "secrets": [] }),
            "invalid_secret",
        ),
        (
            json!({ "scheme": "standard", "secrets": ["whpk_AAAA"] }),
            "invalid_secret",
        ),
        (
            json!({ "scheme": "standard", "secrets": ["whsk_AAAA"] }),
            "invalid_secret",
        ),
        (
            json!({ "scheme": "standard", "secrets": [format!("whpk_{}", base64_encode(&[0u8; 33]))] }),
            "invalid_secret",
        ),
        (
            json!({ "scheme": "standard", "secrets": vec!["whsec_AAAA"; MAX_SECRETS + 1] }),
            "invalid_secret",
        ),
        (
            json!({ "scheme": "standard", "secrets": [SECRET], "tolerance_s": 100_000_000 }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "standard", "secrets": [SECRET], "tolerance": 5 }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "standrad", "secrets": [SECRET] }),
            "invalid_argument",
        ),
        (json!({ "secrets": [SECRET] }), "invalid_argument"),
        (
            json!({ "scheme": "standard", "secrets": "whsec_AAAA" }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "descope", "secrets": ["AQID"], "secret_encoding": "base64", "header": "x" }),
            "ok",
        ),
        (
            json!({ "scheme": "descope", "secrets": ["not base64"], "secret_encoding": "base64" }),
            "invalid_secret",
        ),
        (
            json!({ "scheme": "descope", "secrets": ["abc"], "secret_encoding": "hex" }),
            "invalid_secret",
        ),
        (
            json!({ "scheme": "descope", "secrets": [""] }),
            "invalid_secret",
        ),
        (
            json!({ "scheme": "descope", "secrets": ["k"], "header": "bad header" }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "descope", "secrets": ["k"], "tolerance_s": 5 }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "timestamped_hex", "secrets": ["k"] }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "timestamped_hex", "secrets": ["k"], "header": "x", "template": "{body}" }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "timestamped_hex", "secrets": ["k"], "header": "x", "template": "{t}.{id}.{body}" }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "timestamped_hex", "secrets": ["k"], "header": "x", "timestamp_key": "v1" }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "timestamped_hex", "secrets": ["k"], "header": "x", "signature_key": "a=b" }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "sha256_hex", "secrets": ["k"], "prefix": "has space" }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "sha256_hex", "secrets": ["k"], "replay_window_s": 100_000_000 }),
            "invalid_argument",
        ),
        (
            json!({ "scheme": "sha256_hex", "secrets": ["k"], "prefix": "" }),
            "ok",
        ),
    ];
    for (config, want) in cases {
        let got = Verifier::from_json(&config.to_string())
            .map(|_| "ok")
            .unwrap_or_else(|e| e.code());
        assert_eq!(got, want, "{config}");
    }
    // The error never repeats the secret, even one put in the wrong place.
    for config in [
        json!({ "scheme": "standard", "secrets": ["whsec_S3CR3T!"] }),
        json!({ "scheme": "standard", "secrets": "whsec_S3CR3T" }),
        json!({ "scheme": "descope", "secrets": [{ "k": "S3CR3T" }] }),
        json!({ "scheme": "descope", "secrets": "S3CR3T", "header": "x" }),
    ] {
        let (code, message) = config_error(config);
        assert!(
            code == "invalid_secret" || code == "invalid_argument",
            "{code}"
        );
        assert!(!message.contains("S3CR3T"), "{message}");
    }
}

#[test]
fn sha256_hex_rejections() {
    let wh = verifier(
        json!({ "scheme": "sha256_hex", "secrets": ["k"], "header": "x-signature", "prefix": "" }),
    );
    let good = wh.sign(None, 0, b"body").unwrap()[0].1.clone();
    assert_eq!(good.len(), 64);
    let at = |v: &str, body: &[u8]| code(wh.verify(&h(&[("x-signature", v)]), body, 0));
    assert_eq!(at(&good, b"body"), "ok");
    assert_eq!(at(&good, b"bodY"), "no_matching_signature");
    assert_eq!(at(&format!("sha256={good}"), b"body"), "bad_format");
    assert_eq!(at(good.get(..62).unwrap(), b"body"), "bad_format");
    assert_eq!(code(wh.verify(&[], b"body", 0)), "missing_header");
    let gh = verifier(json!({ "scheme": "sha256_hex", "secrets": ["k"] }));
    assert_eq!(
        code(gh.verify(&h(&[("x-hub-signature-256", &good)]), b"body", 0)),
        "bad_format"
    );
    assert_eq!(
        code(gh.verify(
            &h(&[("x-hub-signature-256", &format!("sha256={good}"))]),
            b"body",
            0
        )),
        "ok"
    );
}

#[test]
fn nothing_secret_leaks_into_errors_or_debug() {
    let secrets = [
        "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        "descope-connector-hmac-secret",
    ];
    let wh = verifier(json!({ "scheme": "standard", "secrets": [secrets[0]] }));
    let d = verifier(json!({ "scheme": "descope", "secrets": [secrets[1]] }));
    let good_sig = wh.sign(Some(ID), TS, b"x").unwrap()[2].1.clone();
    let good_d = d.sign(None, 0, b"x").unwrap()[0].1.clone();
    let mut texts = vec![format!("{wh:?}"), format!("{d:?}")];
    texts.push(
        wh.verify(&std_headers(ID, &TS.to_string(), "v1,AAAA"), b"x", TS)
            .unwrap_err()
            .to_string(),
    );
    texts.push(
        d.verify(&h(&[("x-descope-webhook-s256", "AAAA")]), b"x", 0)
            .unwrap_err()
            .to_string(),
    );
    texts.push(format!(
        "{:?}",
        d.verify(&h(&[("x-descope-webhook-s256", &good_d)]), b"y", 0)
    ));
    for t in &texts {
        for secret in secrets {
            assert!(
                !t.contains(secret) && !t.contains(secret.get(6..).unwrap()),
                "{t}"
            );
        }
        assert!(
            !t.contains(good_sig.get(3..).unwrap()) && !t.contains(&good_d),
            "{t}"
        );
    }
}

// ---- the host-digest split -------------------------------------------------------

#[test]
fn prepare_says_what_is_signed_and_finish_compares() {
    // Standard: `{id}.{ts}.` ++ body; the candidates are the listed v1 MACs.
    let wh = verifier(json!({ "scheme": "standard", "secrets": [SECRET] }));
    let ts = TS.to_string();
    let list = format!("v1,AAAA v2,zzz {SIG} v1a,{}", "A".repeat(86));
    let p = wh
        .prepare(&std_headers(ID, &ts, &list), BODY.len(), TS)
        .unwrap();
    assert_eq!(p.prefix(), format!("{ID}.{TS}."));
    assert_eq!(p.suffix(), "");
    let mac: [u8; 32] = base64_decode(SIG.strip_prefix("v1,").unwrap())
        .try_into()
        .unwrap();
    assert_eq!(p.candidates(), [mac]);
    assert_eq!(p.key_count(), 1);
    assert_eq!(
        wh.hmac_keys().unwrap(),
        [base64_decode(SECRET.strip_prefix("whsec_").unwrap()).as_slice()]
    );
    assert_eq!(code(p.finish(&[[0; 32]])), "no_matching_signature");
    assert!(!p.matches(&[[0; 32]]));
    assert!(p.matches(&[mac]));
    assert_eq!(p.finish(&[mac]).unwrap().id, ID);
    // One MAC per key, no more, no fewer.
    for macs in [&[][..], &[mac, mac][..]] {
        let e = p.finish(macs).unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_argument", Some("macs")));
    }
    // The body bound applies to the length alone.
    assert_eq!(
        code(wh.prepare(&std_headers(ID, &ts, SIG), MAX_BODY_BYTES + 1, TS)),
        "payload_too_large"
    );
    assert_eq!(
        code(wh.prepare(&std_headers(ID, &ts, SIG), MAX_BODY_BYTES, TS)),
        "ok"
    );

    // A template with text after the body: prefix and suffix.
    let th = verifier(json!({
        "scheme": "timestamped_hex", "secrets": ["a", "b"], "header": "x-sig", "template": "v0:{t}:{body}:end"
    }));
    let signed = th.sign(None, 1000, b"payload").unwrap();
    let p = th.prepare(&signed, 7, 1000).unwrap();
    assert_eq!(
        (p.prefix(), p.suffix(), p.key_count()),
        ("v0:1000:", ":end", 2)
    );
    assert_eq!(p.candidates().len(), 2);
    let tail = verifier(json!({
        "scheme": "timestamped_hex", "secrets": ["a"], "header": "x-sig", "template": "{body}|{t}"
    }));
    let p = tail
        .prepare(&h(&[("x-sig", "t=1000,v1=00")]), 1, 1000)
        .unwrap();
    assert_eq!((p.prefix(), p.suffix()), ("", "|1000"));
    assert!(p.candidates().is_empty(), "a short entry cannot match");
    assert_eq!(code(p.finish(&[[0; 32]])), "no_matching_signature");

    // sha256_hex and descope: the raw body, secrets decoded as configured.
    let gh =
        verifier(json!({ "scheme": "sha256_hex", "secrets": ["0a0b"], "secret_encoding": "hex" }));
    assert_eq!(gh.hmac_keys().unwrap(), [&[10u8, 11][..]]);
    let signed = gh.sign(None, 0, b"x").unwrap();
    let p = gh.prepare(&signed, 1, 0).unwrap();
    assert_eq!((p.prefix(), p.suffix()), ("", ""));
    let d = verifier(
        json!({ "scheme": "descope", "secrets": ["AQID", "BAU="], "secret_encoding": "base64" }),
    );
    assert_eq!(d.hmac_keys().unwrap(), [&[1u8, 2, 3][..], &[4u8, 5][..]]);

    // Ed25519 keys (alone or beside HMAC keys) are verify's alone.
    let v = vectors();
    let public = format!(
        "whpk_{}",
        s(&v["standard_webhooks_v1a"][0]["public_key_b64"])
    );
    for secrets in [json!([public]), json!([SECRET, public])] {
        let ed = verifier(json!({ "scheme": "standard", "secrets": secrets }));
        assert!(ed.hmac_keys().is_none());
        let e = ed.prepare(&std_headers(ID, &ts, SIG), 1, TS).unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_argument", Some("secrets")));
    }
}

// ---- helpers (test-only codecs) ---------------------------------------------

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex_decode(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2).unwrap(), 16).unwrap())
        .collect()
}
