//! HTTP message signatures (RFC 9421), for JS: one-line wrappers over the
//! core's JSON-shaped functions.

use wasm_bindgen::prelude::*;

use super::convert::{from_js, to_js, unix_seconds, JsResult};
use crate::{content_digest, HttpMessage, HttpSigVerifier, SignRequest, SystemEntropy};

/// A compiled HTTP message signature verifier (and signer).
#[wasm_bindgen(js_name = HttpSigVerifier)]
pub struct HttpSigVerifierJs(HttpSigVerifier);

/// Compiles `{ keys, required_components?, tolerance_s?, max_age_s?, ... }` (JSON text).
#[wasm_bindgen(js_name = createHttpSigVerifier)]
pub fn create_http_sig_verifier(config: &str) -> Result<HttpSigVerifierJs, JsValue> {
    Ok(HttpSigVerifierJs(HttpSigVerifier::from_json(config)?))
}

#[wasm_bindgen(js_class = HttpSigVerifier)]
impl HttpSigVerifierJs {
    /// Verifies `{ method, url, status?, headers: [name, value][] }` with the body bytes.
    pub fn verify(&self, message: JsValue, body: &[u8], now: f64) -> JsResult {
        let msg: HttpMessage = from_js(message, "message")?;
        to_js(&self.0.verify(&msg, body, unix_seconds(now)?)?)
    }

    /// Signs: returns `{ signature_input, signature, base }`.
    pub fn sign(&self, message: JsValue, request: JsValue, now: f64) -> JsResult {
        let msg: HttpMessage = from_js(message, "message")?;
        let req: SignRequest = from_js(request, "request")?;
        to_js(
            &self
                .0
                .sign(&msg, &req, unix_seconds(now)?, &mut SystemEntropy)?,
        )
    }
}

/// `Content-Digest` of `body` for `algs` (`sha-256`, `sha-512`).
#[wasm_bindgen(js_name = httpContentDigest)]
pub fn http_content_digest(body: &[u8], algs: Vec<String>) -> Result<String, JsValue> {
    let algs: Vec<&str> = algs.iter().map(String::as_str).collect();
    Ok(content_digest(body, &algs)?)
}
