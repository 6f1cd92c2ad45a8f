//! The 1Kosmos vectors (tests/vectors/kosmos-*.json), through the public API only.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test"
)]

use kosmos_connect::{
    parse_verified_claims, Curve, Envelope, ErrorInfo, KosmosError, Operation, PrivateKey, Profile,
    ProfileConfig, PublicKey,
};
use serde_json::{json, Value};

fn load(name: &str) -> Value {
    let path = format!("{}/tests/vectors/kosmos-{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn verify_v1() -> Profile {
    let config: ProfileConfig = serde_json::from_value(json!({
        "profile": "verify-v1",
        "base_url": "https://idv.example.com",
        "api_key": "k"
    }))
    .unwrap();
    Profile::new(config).unwrap()
}

fn headers(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn check_error(name: &str, e: &KosmosError, want: &Value) {
    assert_eq!(e.code(), want["code"], "{name}: {e}");
    if let Some(field) = want.get("field") {
        assert_eq!(e.field(), field.as_str(), "{name}");
    }
    if let Some(r) = want.get("retryable") {
        assert_eq!(Some(e.retryable()), r.as_bool(), "{name}");
    }
    if let Some(s) = want.get("status") {
        assert_eq!(e.status().map(u64::from), s.as_u64(), "{name}");
    }
    if let Some(s) = want.get("retry_after_s") {
        assert_eq!(e.retry_after_s(), s.as_u64(), "{name}");
    }
    if let Some(m) = want.get("message_contains") {
        let m = m.as_str().unwrap();
        assert!(e.to_string().contains(m), "{name}: `{e}` lacks `{m}`");
    }
}

#[test]
fn verify_v1_answers() {
    let profile = verify_v1();
    let vectors = load("verify-v1-answers.json");
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() > 90);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let op: Operation = serde_json::from_value(case["operation"].clone()).unwrap();
        let status = u16::try_from(case["status"].as_u64().unwrap()).unwrap();
        let got = profile.parse(
            op,
            status,
            &headers(&case["headers"]),
            case["body"].as_str().unwrap(),
        );
        match (&got, case["expect"].get("ok"), case["expect"].get("error")) {
            (Ok(answer), Some(want), None) => {
                assert_eq!(&serde_json::to_value(answer).unwrap(), want, "{name}");
            }
            (Err(e), None, Some(want)) => check_error(name, e, want),
            _ => panic!("{name}: got {got:?}, expected {}", case["expect"]),
        }
    }
}

#[test]
fn verified_claims_vectors() {
    let vectors = load("verified-claims.json");
    for case in vectors["valid"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let parsed =
            parse_verified_claims(&case["input"]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            serde_json::to_value(&parsed).unwrap(),
            case["normalized"],
            "{name}"
        );
        // Normalizing is idempotent.
        let again = parse_verified_claims(&case["normalized"]).unwrap();
        assert_eq!(again, parsed, "{name}");
    }
    for case in vectors["invalid"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let e = parse_verified_claims(&case["input"]).unwrap_err();
        assert_eq!(e.path(), case["path"], "{name}: {e}");
    }
}

/// Messages sealed by Node's crypto open here, with the key agreed here.
#[test]
fn envelope_vectors_from_node_open() {
    let vectors = load("envelope.json");
    for case in vectors["cases"].as_array().unwrap() {
        let curve: Curve = serde_json::from_value(case["curve"].clone()).unwrap();
        let caller =
            PrivateKey::from_base64(curve, case["caller_private_key"].as_str().unwrap()).unwrap();
        assert_eq!(
            caller.public_key().to_base64(),
            case["caller_public_key"].as_str().unwrap()
        );
        let service =
            PublicKey::from_base64(curve, case["service_public_key"].as_str().unwrap()).unwrap();
        let ours = Envelope::agree(&caller, &service).unwrap();
        // The service side agrees on the same key.
        let service_private =
            PrivateKey::from_base64(curve, case["service_private_key"].as_str().unwrap()).unwrap();
        let theirs = Envelope::agree(&service_private, &caller.public_key()).unwrap();
        for m in case["messages"].as_array().unwrap() {
            let sealed = m["sealed"].as_str().unwrap();
            assert_eq!(ours.open_text(sealed).unwrap().as_str(), m["plaintext"]);
            assert_eq!(theirs.open_text(sealed).unwrap().as_str(), m["plaintext"]);
        }
    }
}
