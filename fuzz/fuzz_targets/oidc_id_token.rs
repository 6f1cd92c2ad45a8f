//! Any token text against a JWKS with every key type: ID token validation
//! never panics (JWS parsing, base64url, key selection, RSA/P-256/Ed25519
//! verification, claim checks).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn fixtures() -> &'static (kosmos_connect::Jwks, kosmos_connect::IdTokenExpectations) {
    static F: OnceLock<(kosmos_connect::Jwks, kosmos_connect::IdTokenExpectations)> =
        OnceLock::new();
    F.get_or_init(|| {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/oidc/id_tokens.json")).unwrap();
        let jwks = kosmos_connect::Jwks::from_value(doc["jwks"]["main"].clone()).unwrap();
        let mut exp = kosmos_connect::IdTokenExpectations::new(
            "https://idp.1kosmos.example/oauth2",
            "kosmos-connect-demo",
        );
        exp.nonce = Some("n-0S6_WzA2Mj".into());
        exp.max_age = Some(300);
        exp.required_acr = vec!["liveID push".into()];
        // at_hash / c_hash are checked whenever a token carries them.
        exp.access_token = Some(kosmos_connect::Secret::new("at-fuzz"));
        exp.code = Some(kosmos_connect::Secret::new("code-fuzz"));
        (jwks, exp)
    })
}

fuzz_target!(|data: &[u8]| {
    let (jwks, exp) = fixtures();
    let text = String::from_utf8_lossy(data);
    let _ = kosmos_connect::validate_id_token(&text, jwks, exp, 1_760_000_000);
    // The same bytes as a base64url header, payload and signature.
    let b64 = |b: &[u8]| {
        use std::fmt::Write as _;
        let mut s = String::new();
        for chunk in b.chunks(3) {
            let n =
                chunk.iter().fold(0u32, |a, &c| a << 8 | u32::from(c)) << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                let v = (n >> (18 - 6 * i)) & 63;
                let _ = s.write_char(
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"[v as usize]
                        as char,
                );
            }
        }
        s
    };
    let mut parts = data.splitn(3, |&b| b == 0);
    let (h, p, s) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let token = format!("{}.{}.{}", b64(h), b64(p), b64(s));
    let _ = kosmos_connect::validate_id_token(&token, jwks, exp, 1_760_000_000);
});
