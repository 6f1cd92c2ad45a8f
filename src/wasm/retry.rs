//! The retry policy, for JS: one-line wrappers over [`crate::ffi`]. In the
//! full module only (the policy-only module makes no calls to retry).

use wasm_bindgen::prelude::*;

use super::convert::{error_to_js, unix_seconds};

/// The delay in ms before the next attempt, or `undefined` to give up (see `next_attempt_json`).
#[wasm_bindgen(js_name = nextAttempt)]
pub fn next_attempt(
    failure_json: &str,
    attempts: u32,
    entropy: u32,
    now: f64,
    policy_json: &str,
) -> Result<Option<f64>, JsValue> {
    crate::next_attempt_json(
        failure_json,
        attempts,
        entropy,
        unix_seconds(now)?,
        policy_json,
    )
    .map(|d| d.map(|ms| ms as f64))
    .map_err(|e| error_to_js(&e))
}

/// Whether an HTTP status may succeed when sent again (408, 429, 500, 502, 503, 504).
#[wasm_bindgen(js_name = isRetryableStatus)]
pub fn is_retryable_status(status: u16) -> bool {
    crate::is_retryable_status(status)
}
