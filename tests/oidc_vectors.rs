//! The jose-minted ID token vectors (tests/vectors/oidc/id_tokens.json)
//! through the public API: every algorithm and every rejection rule.

use kosmos_connect::{validate_id_token, ErrorInfo as _, IdTokenExpectations, Jwks};
use serde_json::Value;

#[test]
fn every_jose_minted_vector_gives_the_expected_outcome() {
    let doc: Value =
        serde_json::from_str(include_str!("vectors/oidc/id_tokens.json")).expect("vector file");
    assert_eq!(
        doc["max_id_token_bytes"].as_u64(),
        Some(kosmos_connect::MAX_ID_TOKEN_BYTES as u64)
    );
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let jwks = Jwks::from_value(doc["jwks"][case["jwks"].as_str().expect("jwks")].clone())
            .expect("jwks parses");
        let expected =
            IdTokenExpectations::from_value(&case["expectations"]).expect("expectations");
        let now = case["now"].as_u64().expect("now");
        let token = case["token"].as_str().expect("token");
        let want = case["expect"].as_str().expect("expect");
        match validate_id_token(token, &jwks, &expected, now) {
            Ok(verified) if want == "ok" => {
                let got = verified.to_value();
                for (k, v) in case["claims"]
                    .as_object()
                    .expect("claims for an accepted case")
                {
                    let actual = got.get(k).cloned().unwrap_or(Value::Null);
                    if &actual != v {
                        failures.push(format!("{name}: `{k}` is {actual}, want {v}"));
                    }
                }
            }
            Ok(_) => failures.push(format!("{name}: accepted, want `{want}`")),
            Err(e) if e.code() == want => {
                let message = e.to_string();
                assert!(
                    !message.is_empty() && !message.ends_with('.'),
                    "{name}: {message}"
                );
            }
            Err(e) => failures.push(format!("{name}: `{}` ({e}), want `{want}`", e.code())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
