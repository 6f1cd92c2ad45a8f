//! The shared record vectors (tests/vectors/salesforce-records.json), run
//! through the JSON forms the wasm wrappers call. The JS suite runs the same
//! file through the wasm build in every host.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a failed unwrap is a failed test"
)]
use kosmos_connect::{parse_verification_event_json, salesforce_records_json, ErrorInfo};
use serde_json::Value;

#[test]
fn record_vectors() {
    let path = format!(
        "{}/tests/vectors/salesforce-records.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let body = c["body"].to_string();
        let got = salesforce_records_json(&body, &c["options"].to_string());
        match (got, c.get("error")) {
            (Ok(text), None) => {
                let got: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(got, c["records"], "{name}");
                let ev: Value =
                    serde_json::from_str(&parse_verification_event_json(&body).unwrap()).unwrap();
                assert_eq!(
                    ev["verification_id"], got["event"]["Verification_Id__c"],
                    "{name}"
                );
            }
            (Err(e), Some(want)) => {
                assert_eq!(e.code(), want["code"].as_str().unwrap(), "{name}");
                if let Some(field) = want.get("field") {
                    assert_eq!(e.field(), field.as_str(), "{name}");
                }
            }
            (Ok(text), Some(_)) => panic!("{name}: expected an error, got {text}"),
            (Err(e), None) => panic!("{name}: {e}"),
        }
    }
}
