//! The bindings under a real wasm engine (wasm-bindgen-test, Node).

use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

// Each test runs when its capability's exports are built (all by default).
#[cfg(feature = "webhook")]
use super::convert::body_bytes;
use super::convert::unix_seconds;
#[cfg(feature = "kosmos")]
use super::kosmos::{create_profile_js, parse_verify_v1_js};
#[cfg(feature = "oidc")]
use super::oidc::{
    build_authn_challenge_js, build_oidc_authorization_js, parse_authn_challenge_js,
    validate_id_token_js,
};
#[cfg(feature = "policy")]
use super::policy::compile_policy_js;
#[cfg(feature = "webhook")]
use super::webhook::{create_webhook_verifier, verify_standard_webhook_js};

fn get(v: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(v, &key.into()).unwrap()
}

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

#[cfg(feature = "kosmos")]
#[wasm_bindgen_test]
fn create_session_request_is_json_of_a_plain_object() {
    let profile = create_profile_js(
        "verify-v1",
        r#"{"base_url":"https://idv.example.com/","api_key":"k"}"#,
    )
    .map_err(|_| ())
    .unwrap();
    let req = profile
        .build(
            "create_idv_session",
            r#"{"document_types":["id_card"],"liveness_mode":"passive"}"#,
            1_700_000_000.0,
        )
        .unwrap();
    let req = json(&req);
    assert_eq!(
        get(&req, "url").as_string().unwrap(),
        "https://idv.example.com/v1/verify/sessions"
    );
    let headers = get(&req, "headers");
    assert_eq!(
        get(&headers, "authorization").as_string().unwrap(),
        "Bearer k"
    );
    assert_eq!(
        get(&headers, "idempotency-key").as_string().unwrap().len(),
        32
    );
}

#[cfg(feature = "kosmos")]
#[wasm_bindgen_test]
fn errors_cross_as_kosmos_errors() {
    let err = parse_verify_v1_js("read_idv_result", 503, JsValue::NULL, "").unwrap_err();
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(get(&err, "name").as_string().unwrap(), "KosmosError");
    assert_eq!(
        get(&err, "code").as_string().unwrap(),
        "upstream_unavailable"
    );
    assert_eq!(
        get(&get(&err, "details"), "retryable").as_bool(),
        Some(true)
    );

    let Err(err) = create_profile_js("verify-v1", "{}") else {
        panic!("accepted `{{}}`")
    };
    assert_eq!(get(&err, "code").as_string().unwrap(), "invalid_argument");
    assert_eq!(get(&err, "field").as_string().unwrap(), "config");
}

#[cfg(feature = "policy")]
#[wasm_bindgen_test]
fn policy_compiles_and_decides() {
    let policy = compile_policy_js(
        r#"{"version":1,"signals":{"amount":"number"},"rules":[{"id":"big","when":{"signal":"custom.amount","op":"gte","value":1000},"then":{"decision":"verify_identity","required_ial":2}}],"default":{"decision":"allow"}}"#,
    )
    .map_err(|_| ())
    .unwrap();
    let d = policy.decide_json(r#"{"custom":{"amount":1000}}"#).unwrap();
    assert!(
        d.starts_with(r#"{"decision":"verify_identity","rule":"big""#)
            && d.contains(r#""required_ial":"IAL2""#),
        "{d}"
    );
    let text = policy.decide_json(r#"{"custom":{"amount":999}}"#).unwrap();
    assert!(
        text.starts_with(r#"{"decision":"allow","rule":"default""#),
        "{text}"
    );
    let err = policy
        .decide_json(r#"{"custom":{"amount":"x"}}"#)
        .unwrap_err();
    assert_eq!(get(&err, "field").as_string().unwrap(), "custom.amount");
    let ctx = super::policy::descope_context_to_signals(
        json(r#"{"riskInfo":{"riskScore":"0.5"},"geo":{"country":"fr"}}"#),
        Some(10.0),
    )
    .unwrap();
    assert_eq!(get(&get(&ctx, "geo"), "country").as_string().unwrap(), "FR");
    assert_eq!(get(&ctx, "now").as_f64(), Some(10.0));
    let Err(err) = compile_policy_js("[]") else {
        panic!("compiled `[]`")
    };
    assert_eq!(get(&err, "code").as_string().unwrap(), "invalid_policy");
}

#[cfg(feature = "webhook")]
#[wasm_bindgen_test]
fn webhook_vector_verifies_from_bytes_and_string() {
    let headers = json(
        r#"[["webhook-id","msg_27UH4WbU6Z5A5EzD8u03UvzRbpk"],["webhook-timestamp","1649367553"],["webhook-signature","v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="]]"#,
    );
    let options = json(r#"{"secrets":["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}"#);
    let body = r#"{"email":"test@example.com","username":"test_user"}"#;
    let bytes = js_sys::Uint8Array::from(body.as_bytes());
    for b in [JsValue::from_str(body), bytes.into()] {
        let ok = verify_standard_webhook_js(options.clone(), headers.clone(), b, 1_649_367_553.0)
            .unwrap();
        assert_eq!(get(&ok, "timestamp").as_f64(), Some(1_649_367_553.0));
    }
    assert!(body_bytes(&JsValue::from_f64(1.0)).is_err());
}

#[wasm_bindgen_test]
fn now_must_be_whole_unix_seconds() {
    assert!(unix_seconds(-1.0).is_err());
    assert!(unix_seconds(1.5).is_err());
    assert!(unix_seconds(f64::NAN).is_err());
    let err = unix_seconds(f64::INFINITY).unwrap_err();
    assert_eq!(get(&err, "name").as_string().unwrap(), "KosmosError");
    assert_eq!(get(&err, "code").as_string().unwrap(), "invalid_argument");
    assert_eq!(get(&err, "field").as_string().unwrap(), "now");
    assert_eq!(unix_seconds(1_700_000_000.0).ok(), Some(1_700_000_000));
}

#[cfg(feature = "webhook")]
#[wasm_bindgen_test]
fn webhook_verifier_signs_verifies_and_uses_the_hosts_json() {
    let v = create_webhook_verifier(json(r#"{"scheme":"descope","secrets":["k"]}"#))
        .map_err(|_| ())
        .unwrap();
    assert_eq!(v.scheme(), "descope");
    assert_eq!(v.header_names(), vec!["x-descope-webhook-s256".to_owned()]);
    // Descope signs JSON.stringify(payload); the receiver gets other text of it.
    let canonical = r#"{"1":2,"a":1e+21,"s":"\ud800"}"#;
    let received = "{ \"a\": 1E21, \"1\": 2, \"s\": \"\\uD800\" }";
    let signed = v.sign(canonical.into(), 0.0, None).unwrap();
    let sig = get(&signed, "x-descope-webhook-s256");
    let sig = sig.as_string().unwrap();
    let ok = js_sys::Array::from(&v.verify_parts(&sig, received.as_bytes(), 5.0).unwrap());
    assert!(ok.get(0).as_string().unwrap().starts_with("descope_"));
    assert!(ok.get(1).is_null());
    assert_eq!(ok.get(2).as_f64(), Some(5.0 + 86_400.0));
    let err = v.verify_parts(&sig, b"{\"a\":2}", 5.0).unwrap_err();
    assert_eq!(
        get(&err, "code").as_string().unwrap(),
        "no_matching_signature"
    );
    let err = v.verify_parts("\0", received.as_bytes(), 5.0).unwrap_err();
    assert_eq!(get(&err, "code").as_string().unwrap(), "missing_header");

    let Err(err) = create_webhook_verifier(json(r#"{"scheme":"standard","secrets":["whsec_!!"]}"#))
    else {
        panic!("accepted a bad secret")
    };
    assert_eq!(get(&err, "code").as_string().unwrap(), "invalid_secret");
    let std = create_webhook_verifier(json(
        r#"{"scheme":"standard","secrets":["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}"#,
    ))
    .map_err(|_| ())
    .unwrap();
    let signed = std.sign("x".into(), 100.0, None).unwrap();
    let id = get(&signed, "webhook-id").as_string().unwrap();
    assert!(id.starts_with("msg_") && id.len() == 36);
    let pairs = js_sys::Array::new();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        pairs.push(&js_sys::Array::of2(&name.into(), &get(&signed, name)));
    }
    let ok = std.verify(pairs.into(), "x".into(), 100.0).unwrap();
    assert_eq!(get(&ok, "id").as_string().unwrap(), id);
    assert_eq!(get(&ok, "remember_until").as_f64(), Some(400.0));
}

#[cfg(feature = "oidc")]
#[wasm_bindgen_test]
fn oidc_vectors_validate_under_a_wasm_engine() {
    let doc = json(include_str!("../../tests/vectors/oidc/id_tokens.json"));
    let cases = js_sys::Array::from(&get(&doc, "cases"));
    assert!(cases.length() >= 60);
    for case in cases.iter() {
        let name = get(&case, "name").as_string().unwrap();
        let jwks = get(&get(&doc, "jwks"), &get(&case, "jwks").as_string().unwrap());
        let outcome = validate_id_token_js(
            &get(&case, "token").as_string().unwrap(),
            jwks,
            get(&case, "expectations"),
            get(&case, "now").as_f64().unwrap(),
        );
        let got = match outcome {
            Ok(token) => {
                assert!(get(&token, "sub").is_string(), "{name}");
                "ok".to_owned()
            }
            Err(e) => {
                assert_eq!(get(&e, "name").as_string().unwrap(), "KosmosError");
                get(&e, "code").as_string().unwrap()
            }
        };
        assert_eq!(got, get(&case, "expect").as_string().unwrap(), "{name}");
    }
}

#[cfg(feature = "oidc")]
#[wasm_bindgen_test]
fn oidc_authorization_and_challenges_cross_as_plain_values() {
    let provider = json(
        r#"{"issuer":"https://idp.example","authorization_endpoint":"https://idp.example/authorize","token_endpoint":"https://idp.example/token","jwks_uri":"https://idp.example/jwks"}"#,
    );
    let client =
        json(r#"{"client_id":"c","client_secret":"s","redirect_uri":"https://app.example/cb"}"#);
    let start =
        build_oidc_authorization_js(provider.clone(), client.clone(), JsValue::UNDEFINED).unwrap();
    assert!(get(&start, "url")
        .as_string()
        .unwrap()
        .starts_with("https://idp.example/authorize?response_type=code&"));
    assert_eq!(
        get(&get(&start, "pending"), "code_verifier")
            .as_string()
            .unwrap()
            .len(),
        43
    );
    let err = build_oidc_authorization_js(provider, client, json(r#"{"max_age":-1}"#)).unwrap_err();
    assert_eq!(get(&err, "code").as_string().unwrap(), "invalid_input");
    assert_eq!(get(&err, "field").as_string().unwrap(), "request.max_age");

    let value = build_authn_challenge_js(json(r#"{"acr_values":["a"],"max_age":60}"#)).unwrap();
    let parsed = parse_authn_challenge_js(&value).unwrap();
    assert_eq!(get(&parsed, "max_age").as_f64(), Some(60.0));
    let err = parse_authn_challenge_js("Basic realm=x").unwrap_err();
    assert_eq!(
        get(&err, "code").as_string().unwrap(),
        "not_a_step_up_challenge"
    );
}
