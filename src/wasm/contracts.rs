//! The host contracts (verdicts, IAL reading), in every build: one-line
//! wrappers over [`crate::ffi`].

use wasm_bindgen::prelude::*;

use super::convert::error_to_js;

/// The verdict on an IDV result (JSON text) at `requiredIal`, as JSON text.
#[wasm_bindgen(js_name = idvVerdict)]
pub fn idv_verdict(result_json: &str, required_ial: &str) -> Result<String, JsValue> {
    crate::idv_verdict_json(result_json, required_ial).map_err(|e| error_to_js(&e))
}

/// The verdict on a step-up result (JSON text), optionally at a minimum confidence, as JSON text.
#[wasm_bindgen(js_name = stepUpVerdict)]
pub fn step_up_verdict(result_json: &str, min_confidence: Option<f64>) -> Result<String, JsValue> {
    crate::step_up_verdict_json(result_json, min_confidence).map_err(|e| error_to_js(&e))
}

/// An identity assurance level in its one spelling (`IAL1` | `IAL2` | `IAL3`).
#[wasm_bindgen(js_name = parseIal)]
pub fn parse_ial(text: &str) -> Result<String, JsValue> {
    crate::parse_ial(text)
        .map(str::to_owned)
        .map_err(|e| error_to_js(&e))
}
