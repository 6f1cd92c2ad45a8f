//! Moving values and errors across the JS boundary.

// A build with some capabilities only (see mod.rs) leaves some helpers unused;
// LTO drops them. The full build still checks that each one is used.
#![cfg_attr(
    not(all(
        feature = "httpsig",
        feature = "kosmos",
        feature = "oidc",
        feature = "policy",
        feature = "webhook"
    )),
    allow(dead_code)
)]

use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;

use crate::{Error, ErrorInfo};

/// What every export returns: a plain JS value or a thrown `KosmosError`.
pub(super) type JsResult = Result<JsValue, JsValue>;

// Each capability error converts on its own (not through `Error`), so a
// module built with some features only keeps the messages of those
// capabilities: `Error`'s `match` would hold every capability's Display.
impl From<Error> for JsValue {
    fn from(e: Error) -> Self {
        js_error(&e.to_string(), e.code(), e.field(), e.details())
    }
}

impl From<crate::KosmosError> for JsValue {
    fn from(e: crate::KosmosError) -> Self {
        error_to_js(&e)
    }
}

impl From<crate::PolicyError> for JsValue {
    fn from(e: crate::PolicyError) -> Self {
        error_to_js(&e)
    }
}

impl From<crate::WebhookError> for JsValue {
    fn from(e: crate::WebhookError) -> Self {
        error_to_js(&e)
    }
}

impl From<crate::HttpSigError> for JsValue {
    fn from(e: crate::HttpSigError) -> Self {
        error_to_js(&e)
    }
}

impl From<crate::OidcError> for JsValue {
    fn from(e: crate::OidcError) -> Self {
        error_to_js(&e)
    }
}

/// A capability error as a JS `KosmosError` (see [`js_error`]).
pub(super) fn error_to_js(e: &dyn ErrorInfo) -> JsValue {
    js_error(&e.to_string(), e.code(), e.field(), e.details())
}

/// An `invalid_argument` error: the caller passed something the API does not
/// accept (the same code and shape as [`Error::usage`], without going
/// through [`Error`]).
pub(super) fn usage(message: &str, field: Option<&str>) -> JsValue {
    js_error(message, "invalid_argument", field, None)
}

/// A JS `Error` named `KosmosError` with `code`, `field?` and `details?`.
fn js_error(
    message: &str,
    code: &str,
    field: Option<&str>,
    details: Option<serde_json::Value>,
) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("KosmosError");
    let obj: &JsValue = err.as_ref();
    // Reflect::set only fails on frozen or proxy targets, never on a fresh Error.
    let _ = js_sys::Reflect::set(obj, &"code".into(), &code.into());
    if let Some(field) = field {
        let _ = js_sys::Reflect::set(obj, &"field".into(), &field.into());
    }
    if let Some(details) = details {
        if let Ok(v) = js_sys::JSON::parse(&details.to_string()) {
            let _ = js_sys::Reflect::set(obj, &"details".into(), &v);
        }
    }
    err.into()
}

/// Reads a typed argument through JSON: the host's `JSON.stringify`, then
/// serde_json (exact numbers, the same reader as every JSON-text entry point).
/// A shape error names the argument and the field.
pub(super) fn from_js<T: DeserializeOwned>(value: JsValue, arg: &str) -> Result<T, JsValue> {
    // `undefined` (and anything else JSON has no text for) reads as `null`;
    // a value JSON cannot hold (a BigInt, a cycle) makes stringify throw.
    let text = js_sys::JSON::stringify(&value)
        .map_err(|_| {
            usage(
                &format!("`{arg}` is not valid: it cannot be written as JSON"),
                Some(arg),
            )
        })?
        .as_string()
        .unwrap_or_else(|| "null".to_owned());
    serde_json::from_str(&text).map_err(|e| {
        let detail = e.to_string();
        // serde_json says where in the text; the text is ours, not the caller's.
        let detail = detail
            .rfind(" at line ")
            .and_then(|at| detail.get(..at))
            .unwrap_or(&detail);
        usage(&format!("`{arg}` is not valid: {detail}"), Some(arg))
    })
}

/// A result as a plain JS value: serde_json's text, read by the host's `JSON.parse`.
pub(super) fn to_js<T: Serialize>(value: &T) -> JsResult {
    let text = serde_json::to_string(value)
        .map_err(|e| usage(&format!("result could not be converted: {e}"), None))?;
    js_sys::JSON::parse(&text)
}

/// Reads headers given as `[name, value][]` (the shim normalizes Headers and objects to this).
pub(super) fn headers_from_js(value: JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    from_js(value, "headers")
}

/// Reads a body given as a string or a `Uint8Array`.
pub(super) fn body_bytes(value: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(s) = value.as_string() {
        return Ok(s.into_bytes());
    }
    if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    Err(usage(
        "`body` must be a string or a Uint8Array",
        Some("body"),
    ))
}

/// Unix seconds from a JS number; rejects negatives, NaN and fractions.
pub(super) fn unix_seconds(now: f64) -> Result<u64, JsValue> {
    if now.is_finite() && now >= 0.0 && now.fract() == 0.0 && now < 9.0e15 {
        // INVARIANT: checked finite, non-negative, integral and below 2^53.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "range checked above"
        )]
        Ok(now as u64)
    } else {
        Err(usage("`now` must be whole unix seconds", Some("now")))
    }
}
