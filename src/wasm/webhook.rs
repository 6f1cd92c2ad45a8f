//! Webhook verification and signing, for JS.

use wasm_bindgen::prelude::*;

use super::convert::{body_bytes, from_js, headers_from_js, to_js, unix_seconds, JsResult};
use crate::{Secret, StandardWebhooks, DEFAULT_TOLERANCE_S};

/// Verifies a Standard Webhooks message. `options`: `{ secrets: string[], tolerance_s? }`.
#[wasm_bindgen(js_name = verifyStandardWebhook)]
pub fn verify_standard_webhook_js(
    options: JsValue,
    headers: JsValue,
    body: JsValue,
    now: f64,
) -> JsResult {
    #[derive(serde::Deserialize)]
    struct Options {
        secrets: Vec<Secret>,
        tolerance_s: Option<u64>,
    }
    let options: Options = from_js(options, "options")?;
    let secrets: Vec<&str> = options.secrets.iter().map(Secret::expose).collect();
    let verifier =
        StandardWebhooks::new(&secrets, options.tolerance_s.unwrap_or(DEFAULT_TOLERANCE_S))?;
    let headers = headers_from_js(headers)?;
    let body = body_bytes(&body)?;
    to_js(&verifier.verify(&headers, &body, unix_seconds(now)?)?)
}
