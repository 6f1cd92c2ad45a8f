//! Moving values and errors across the JS boundary.

use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;

use crate::Error;

/// What every export returns: a plain JS value or a thrown `KosmosError`.
pub(super) type JsResult = Result<JsValue, JsValue>;

impl From<Error> for JsValue {
    fn from(e: Error) -> Self {
        error_to_js(&e)
    }
}

impl From<crate::KosmosError> for JsValue {
    fn from(e: crate::KosmosError) -> Self {
        error_to_js(&e.into())
    }
}

impl From<crate::PolicyError> for JsValue {
    fn from(e: crate::PolicyError) -> Self {
        error_to_js(&e.into())
    }
}

impl From<crate::WebhookError> for JsValue {
    fn from(e: crate::WebhookError) -> Self {
        error_to_js(&e.into())
    }
}

impl From<crate::OidcError> for JsValue {
    fn from(e: crate::OidcError) -> Self {
        error_to_js(&e.into())
    }
}

/// A JS `Error` named `KosmosError` with `code`, `field?` and `details?`.
pub(super) fn error_to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("KosmosError");
    let obj: &JsValue = err.as_ref();
    // Reflect::set only fails on frozen or proxy targets, never on a fresh Error.
    let _ = js_sys::Reflect::set(obj, &"code".into(), &e.code().into());
    if let Some(field) = e.field() {
        let _ = js_sys::Reflect::set(obj, &"field".into(), &field.into());
    }
    if let Some(details) = e.details() {
        if let Ok(v) = details.serialize(&serde_wasm_bindgen::Serializer::json_compatible()) {
            let _ = js_sys::Reflect::set(obj, &"details".into(), &v);
        }
    }
    err.into()
}

/// Reads a typed argument; a shape error names the argument and the field.
pub(super) fn from_js<T: DeserializeOwned>(value: JsValue, arg: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| {
        let detail = e.to_string();
        let detail = detail.strip_prefix("Error: ").unwrap_or(&detail);
        Error::usage(format!("`{arg}` is not valid: {detail}"), Some(arg)).into()
    })
}

/// Serializes a result as a plain, JSON-compatible JS value.
pub(super) fn to_js<T: Serialize>(value: &T) -> JsResult {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Error::usage(format!("result could not be converted: {e}"), None).into())
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
    Err(Error::usage("`body` must be a string or a Uint8Array", Some("body")).into())
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
        Err(Error::usage("`now` must be whole unix seconds", Some("now")).into())
    }
}
