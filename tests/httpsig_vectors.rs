//! RFC 9421 Appendix B vectors (tests/vectors/rfc9421.json, shared with the
//! JS suite), signing round trips, and the mutation test: every covered
//! component and every parameter of a signed request changed -> refused.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use kosmos_connect::{content_digest, ErrorInfo as _, HttpMessage, HttpSigVerifier, SignRequest};
use serde_json::{json, Value};

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/rfc9421.json")).unwrap()
}

fn message(v: &Value, name: &str, input: &str, sig: &str) -> (HttpMessage, Vec<u8>) {
    let m = &v["messages"][name];
    let mut msg: HttpMessage = serde_json::from_value(json!({
        "method": m.get("method"), "url": m.get("url"), "status": m.get("status"),
        "headers": m["headers"], "request": m.get("request"),
    }))
    .unwrap();
    msg.headers.push(("Signature-Input".into(), input.into()));
    msg.headers.push(("Signature".into(), sig.into()));
    (msg, m["body"].as_str().unwrap().as_bytes().to_vec())
}

fn verifier(v: &Value, key: &str, part: &str) -> HttpSigVerifier {
    let cfg =
        json!({ "keys": [v["keys"][key][part]], "required_components": [], "max_age_s": 300 });
    HttpSigVerifier::from_json(&cfg.to_string()).unwrap()
}

struct Fixed;
impl kosmos_connect::Entropy for Fixed {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), kosmos_connect::EntropyUnavailable> {
        buf.fill(7);
        Ok(())
    }
}

#[test]
fn appendix_b_vectors_verify() {
    let v = vectors();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for c in cases {
        let name = c["name"].as_str().unwrap();
        let now = c
            .get("now")
            .and_then(Value::as_u64)
            .unwrap_or(v["now"].as_u64().unwrap());
        let (msg, body) = message(
            &v,
            c["message"].as_str().unwrap(),
            c["signature_input"].as_str().unwrap(),
            c["signature"].as_str().unwrap(),
        );
        let ver = verifier(&v, c["key"].as_str().unwrap(), "public");
        let ok = ver
            .verify(&msg, &body, now)
            .unwrap_or_else(|e| panic!("{name}: {e} ({})", e.code()));
        assert_eq!(ok.keyid, c["key"].as_str().unwrap(), "{name}");
        // The base we build is the RFC's, byte for byte: re-signing with the
        // same covered list and parameters gives it (keys with a private part).
        if let Some(private) = v["keys"][c["key"].as_str().unwrap()].get("private") {
            let signer = HttpSigVerifier::from_json(
                &json!({ "keys": [private], "required_components": [] }).to_string(),
            )
            .unwrap();
            let input = c["signature_input"].as_str().unwrap();
            let comps: Vec<String> = ok
                .components
                .iter()
                .map(|s| {
                    if s.contains(';') {
                        s.clone()
                    } else {
                        s.trim_matches('"').to_owned()
                    }
                })
                .collect();
            let req = SignRequest {
                keyid: ok.keyid.clone(),
                label: Some(ok.label.clone()),
                components: comps,
                created: ok.created,
                expires: None,
                nonce: ok.nonce.clone(),
                tag: ok.tag.clone(),
                alg: None,
                include_alg: false,
                omit_keyid: false,
            };
            let signed = signer.sign(&msg, &req, now, &mut Fixed).unwrap();
            assert_eq!(signed.base, c["base"].as_str().unwrap(), "{name}: base");
            assert_eq!(signed.signature_input, input, "{name}: signature-input");
            if c["deterministic"].as_bool().unwrap() {
                assert_eq!(
                    signed.signature,
                    c["signature"].as_str().unwrap(),
                    "{name}: exact signature"
                );
            }
            let (again, body) = message(
                &v,
                c["message"].as_str().unwrap(),
                &signed.signature_input,
                &signed.signature,
            );
            verifier(&v, c["key"].as_str().unwrap(), "public")
                .verify(&again, &body, now)
                .unwrap();
        }
    }
}

#[test]
fn a_flipped_signature_bit_is_refused() {
    let v = vectors();
    for c in v["cases"].as_array().unwrap() {
        let sig = c["signature"].as_str().unwrap();
        let at = sig.find(":").unwrap() + 5;
        let mut bytes = sig.as_bytes().to_vec();
        bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
        let (msg, body) = message(
            &v,
            c["message"].as_str().unwrap(),
            c["signature_input"].as_str().unwrap(),
            std::str::from_utf8(&bytes).unwrap(),
        );
        let now = c.get("now").and_then(Value::as_u64).unwrap_or(1618884473);
        let e = verifier(&v, c["key"].as_str().unwrap(), "public")
            .verify(&msg, &body, now)
            .unwrap_err();
        assert!(
            ["bad_signature", "bad_format"].contains(&e.code()),
            "{}: {}",
            c["name"],
            e.code()
        );
    }
}

const NOW: u64 = 1_700_000_000;

fn descope_request(body: &str) -> HttpMessage {
    HttpMessage {
        method: Some("POST".into()),
        url: Some("https://worker.example/v1/descope/risk?x=1".into()),
        status: None,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            (
                "content-digest".into(),
                content_digest(body.as_bytes(), &["sha-256"]).unwrap(),
            ),
            ("x-extra".into(), "one".into()),
        ],
        request: None,
    }
}

fn ed_config() -> HttpSigVerifier {
    let v = vectors();
    HttpSigVerifier::from_json(
        &json!({ "keys": [v["keys"]["test-key-ed25519"]["private"]] }).to_string(),
    )
    .unwrap()
}

fn sign_descope(ver: &HttpSigVerifier, msg: &HttpMessage, nonce: Option<&str>) -> HttpMessage {
    let req = SignRequest {
        keyid: "test-key-ed25519".into(),
        label: None,
        components: [
            "@method",
            "@target-uri",
            "@authority",
            "@path",
            "@query",
            "content-digest",
            "content-type",
            "x-extra",
            "\"@query-param\";name=\"x\"",
        ]
        .map(String::from)
        .to_vec(),
        created: None,
        expires: Some(NOW as i64 + 120),
        nonce: nonce.map(String::from),
        tag: Some("descope".into()),
        alg: None,
        include_alg: true,
        omit_keyid: false,
    };
    let s = ver.sign(msg, &req, NOW, &mut Fixed).unwrap();
    let mut out = msg.clone();
    out.headers
        .push(("signature-input".into(), s.signature_input));
    out.headers.push(("signature".into(), s.signature));
    out
}

#[test]
fn every_covered_component_and_parameter_matters() {
    let ver = ed_config();
    let body = r#"{"user":"u1"}"#;
    let signed = sign_descope(&ver, &descope_request(body), Some("n-1"));
    let ok = ver.verify(&signed, body.as_bytes(), NOW + 10).unwrap();
    assert_eq!(ok.replay.id, "httpsig:nonce:test-key-ed25519:n-1");
    assert_eq!(ok.replay.remember_until, NOW + 120 + 60);
    assert_eq!(ok.components.len(), 9);

    let refused = |m: &HttpMessage, b: &str, now: u64| {
        ver.verify(m, b.as_bytes(), now)
            .map(|_| ())
            .unwrap_err()
            .code()
    };
    // Components.
    let mut m = signed.clone();
    m.method = Some("PUT".into());
    assert_eq!(refused(&m, body, NOW), "bad_signature");
    for url in [
        "https://worker.example/v1/descope/risk?x=2",
        "https://other.example/v1/descope/risk?x=1",
        "http://worker.example/v1/descope/risk?x=1",
        "https://worker.example/v1/descope/idv?x=1",
        "https://worker.example/v1/descope/risk?x=1&y=2",
    ] {
        let mut m = signed.clone();
        m.url = Some(url.into());
        assert_eq!(refused(&m, body, NOW), "bad_signature", "{url}");
    }
    for (name, value) in [("content-type", "text/plain"), ("x-extra", "two")] {
        let mut m = signed.clone();
        m.headers.iter_mut().find(|(n, _)| n == name).unwrap().1 = value.into();
        assert_eq!(refused(&m, body, NOW), "bad_signature", "{name}");
        let mut m = signed.clone();
        m.headers.retain(|(n, _)| n != name);
        assert_eq!(
            refused(&m, body, NOW),
            "component_unavailable",
            "{name} removed"
        );
    }
    // The body behind content-digest, and content-digest itself.
    assert_eq!(refused(&signed, r#"{"user":"u2"}"#, NOW), "digest_mismatch");
    let mut m = signed.clone();
    m.headers
        .iter_mut()
        .find(|(n, _)| n == "content-digest")
        .unwrap()
        .1 = content_digest(b"{}", &["sha-256"]).unwrap();
    assert_eq!(refused(&m, "{}", NOW), "bad_signature");
    // Parameters.
    let input = signed
        .headers
        .iter()
        .find(|(n, _)| n == "signature-input")
        .unwrap()
        .1
        .clone();
    for (from, to) in [
        (format!("created={NOW}"), format!("created={}", NOW - 1)),
        (
            format!("expires={}", NOW + 120),
            format!("expires={}", NOW + 121),
        ),
        ("nonce=\"n-1\"".into(), "nonce=\"n-2\"".into()),
        ("tag=\"descope\"".into(), "tag=\"other\"".into()),
        ("alg=\"ed25519\"".into(), "alg=\"hmac-sha256\"".into()),
        (
            "keyid=\"test-key-ed25519\"".into(),
            "keyid=\"other\"".into(),
        ),
    ] {
        assert!(input.contains(&from), "{from} in {input}");
        let mut m = signed.clone();
        m.headers
            .iter_mut()
            .find(|(n, _)| n == "signature-input")
            .unwrap()
            .1 = input.replace(&from, &to);
        let code = refused(&m, body, NOW);
        assert!(
            ["bad_signature", "unsupported", "unknown_key"].contains(&code),
            "{from}: {code}"
        );
    }
    // A component dropped from the covered list.
    let mut m = signed.clone();
    m.headers
        .iter_mut()
        .find(|(n, _)| n == "signature-input")
        .unwrap()
        .1 = input.replace(" \"x-extra\"", "");
    assert_eq!(refused(&m, body, NOW), "bad_signature");
    // Time.
    assert_eq!(refused(&signed, body, NOW - 61), "timestamp_in_future");
    assert_eq!(refused(&signed, body, NOW + 181), "signature_expired");
}

#[test]
fn required_components_and_age_are_enforced() {
    let ver = ed_config();
    let body = "{}";
    let msg = descope_request(body);
    let req = |components: &[&str], created: Option<i64>| SignRequest {
        keyid: "test-key-ed25519".into(),
        label: Some("sig2".into()),
        components: components.iter().map(|s| s.to_string()).collect(),
        created,
        expires: None,
        nonce: None,
        tag: None,
        alg: None,
        include_alg: false,
        omit_keyid: false,
    };
    let with = |r: SignRequest| {
        let s = ver.sign(&msg, &r, NOW, &mut Fixed).unwrap();
        let mut m = msg.clone();
        m.headers
            .push(("signature-input".into(), s.signature_input));
        m.headers.push(("signature".into(), s.signature));
        m
    };
    let code = |m: &HttpMessage| {
        ver.verify(m, body.as_bytes(), NOW)
            .map(|_| ())
            .map_err(|e| e.code())
    };
    assert_eq!(
        code(&with(req(
            &[
                "@method",
                "@authority",
                "@path",
                "content-digest",
                "content-type"
            ],
            None
        ))),
        Ok(())
    );
    assert_eq!(
        code(&with(req(
            &["@method", "@authority", "content-digest", "content-type"],
            None
        ))),
        Err("missing_component")
    );
    assert_eq!(
        code(&with(req(
            &["@target-uri", "content-digest", "content-type"],
            None
        ))),
        Err("missing_component")
    );
    assert_eq!(
        code(&with(req(
            &["@method", "@target-uri", "content-type"],
            None
        ))),
        Err("missing_component")
    );
    assert_eq!(
        code(&with(req(
            &["@method", "@target-uri", "content-digest", "content-type"],
            Some(NOW as i64 - 361)
        ))),
        Err("timestamp_too_old")
    );
    let ok = ver
        .verify(
            &with(req(
                &["@method", "@target-uri", "content-digest", "content-type"],
                Some(NOW as i64 - 100),
            )),
            body.as_bytes(),
            NOW,
        )
        .unwrap();
    assert_eq!(ok.replay.kind, "signature");
    assert_eq!(ok.replay.remember_until, NOW - 100 + 300 + 60);
}

#[test]
fn every_algorithm_signs_and_verifies() {
    let v = vectors();
    for (key, alg) in [
        ("test-key-ecc-p256", "ecdsa-p256-sha256"),
        ("test-shared-secret", "hmac-sha256"),
        ("test-key-ed25519", "ed25519"),
    ] {
        let ver = HttpSigVerifier::from_json(
            &json!({ "keys": [v["keys"][key]["private"]], "required_components": ["@method"] })
                .to_string(),
        )
        .unwrap();
        let msg = descope_request("{}");
        let r = SignRequest {
            keyid: key.into(),
            label: None,
            components: vec!["@method".into()],
            created: None,
            expires: None,
            nonce: None,
            tag: None,
            alg: Some(alg.into()),
            include_alg: true,
            omit_keyid: false,
        };
        let a = ver.sign(&msg, &r, NOW, &mut Fixed).unwrap();
        let b = ver.sign(&msg, &r, NOW, &mut Fixed).unwrap();
        assert_eq!(a, b, "{alg} is deterministic");
        let mut m = msg.clone();
        m.headers
            .push(("signature-input".into(), a.signature_input));
        m.headers.push(("signature".into(), a.signature));
        assert_eq!(ver.verify(&m, b"{}", NOW).unwrap().alg, alg);
    }
}

#[test]
fn keys_redact_and_bad_input_never_panics() {
    let v = vectors();
    let ver = HttpSigVerifier::from_json(
        &json!({ "keys": [v["keys"]["test-shared-secret"]["private"]] }).to_string(),
    )
    .unwrap();
    let dbg = format!("{ver:?}");
    assert!(!dbg.contains("uzvJ") && dbg.contains("REDACTED"), "{dbg}");
    for (input, sig) in [
        ("", ""),
        ("sig1=(", "sig1=:x:"),
        ("sig1=()", "sig1=:AAAA:"),
        (
            "sig1=(\"@x\");created=1;keyid=\"test-shared-secret\"",
            "sig1=:AAAA:",
        ),
        ("a=1", "a=2"),
        (
            "sig1=(\"@query-param\");keyid=\"test-shared-secret\";created=1700000000",
            "sig1=:AA==:",
        ),
    ] {
        let mut m = descope_request("{}");
        m.headers.push(("signature-input".into(), input.into()));
        m.headers.push(("signature".into(), sig.into()));
        assert!(ver.verify(&m, b"{}", NOW).is_err());
    }
    for bad in [
        json!({"keys": []}),
        json!({"keys": [{"keyid": "a", "secret": "c2hvcnQ="}]}),
        json!({"keys": [{"keyid": "a", "pem": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"}]}),
        json!({"keys": {"k": 1}}),
    ] {
        let e = HttpSigVerifier::from_json(&bad.to_string()).unwrap_err();
        assert!(
            ["invalid_key", "invalid_argument"].contains(&e.code()),
            "{bad}"
        );
        assert!(!e.to_string().contains("AAAA"));
    }
}

/// Found by the fuzzer: covering the Signature field whole signs a value the
/// new signature then changes, so it could never verify. The signer refuses.
#[test]
fn signing_refuses_to_cover_the_signature_fields_whole() {
    let v = vectors();
    let ver = HttpSigVerifier::from_json(
        &json!({ "keys": [v["keys"]["test-shared-secret"]["private"]] }).to_string(),
    )
    .unwrap();
    let mut msg = descope_request("{}");
    msg.headers.push(("signature".into(), "".into()));
    for comp in ["signature", "Signature-Input", "\"signature\""] {
        let r = SignRequest {
            keyid: "test-shared-secret".into(),
            label: None,
            components: vec!["@method".into(), comp.into()],
            created: None,
            expires: None,
            nonce: None,
            tag: None,
            alg: Some("hmac-sha256".into()),
            include_alg: false,
            omit_keyid: false,
        };
        let e = ver.sign(&msg, &r, NOW, &mut Fixed).unwrap_err();
        assert_eq!(e.code(), "invalid_argument", "{comp}");
        assert!(e.to_string().contains(";key="), "{comp}: {e}");
    }
}
