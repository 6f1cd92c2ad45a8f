//! 1Kosmos request building and result parsing, for JS.

use wasm_bindgen::prelude::*;

use super::convert::{from_js, headers_from_js, to_js, JsResult};
use crate::{
    build_create_idv_session, parse_idv_result, CreateIdvSession, SystemEntropy, VerifyV1Config,
};

/// Builds the verify-v1 "create IDV session" request.
#[wasm_bindgen(js_name = buildCreateIdvSession)]
pub fn build_create_idv_session_js(config: JsValue, request: JsValue) -> JsResult {
    let config: VerifyV1Config = from_js(config, "config")?;
    let request: CreateIdvSession = from_js(request, "request")?;
    to_js(&build_create_idv_session(
        &config,
        &request,
        &mut SystemEntropy,
    )?)
}

/// Parses the answer to "read IDV result".
#[wasm_bindgen(js_name = parseIdvResult)]
pub fn parse_idv_result_js(status: u16, headers: JsValue, body: &str) -> JsResult {
    let headers = headers_from_js(headers)?;
    to_js(&parse_idv_result(status, &headers, body)?)
}
