//! The shared verdict vectors (tests/vectors/verdicts.json), run through the
//! public Rust API (the JSON forms the wasm wrappers call). The JS suite runs
//! the same file through the wasm build in every host.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed unwrap is a failed test"
)]
use kosmos_connect::{idv_verdict_json, parse_ial, step_up_verdict_json, ErrorInfo};
use serde_json::Value;

fn vectors() -> Value {
    let path = format!("{}/tests/vectors/verdicts.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn check(name: &str, got: Result<String, kosmos_connect::VerdictError>, case: &Value) {
    match (got, case.get("error")) {
        (Ok(text), None) => {
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v, case["verdict"], "{name}");
        }
        (Err(e), Some(want)) => {
            assert_eq!(e.code(), want["code"].as_str().unwrap(), "{name}");
            assert_eq!(e.field(), want["field"].as_str(), "{name}");
            let msg = e.to_string();
            assert!(!msg.is_empty() && !msg.ends_with('.'), "{name}: {msg}");
        }
        (Ok(text), Some(_)) => panic!("{name}: expected an error, got {text}"),
        (Err(e), None) => panic!("{name}: {e}"),
    }
}

#[test]
fn idv_vectors() {
    let v = vectors();
    let cases = v["idv"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let got = idv_verdict_json(
            &c["result"].to_string(),
            c["required_ial"].as_str().unwrap(),
        );
        check(name, got, c);
    }
}

#[test]
fn step_up_vectors() {
    let v = vectors();
    for c in v["step_up"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let got = step_up_verdict_json(&c["result"].to_string(), c["min_confidence"].as_f64());
        check(name, got, c);
    }
}

#[test]
fn ial_vectors() {
    let v = vectors();
    for c in v["ial"].as_array().unwrap() {
        let text = c["text"].as_str().unwrap();
        match (parse_ial(text), c.get("ial")) {
            (Ok(got), Some(want)) => assert_eq!(got, want.as_str().unwrap(), "{text}"),
            (Err(e), None) => assert_eq!(e.code(), c["error"].as_str().unwrap()),
            (got, _) => panic!("{text}: {got:?}"),
        }
    }
}
