//! Webhook verification and signing, for JS.
//!
//! Hot path: `createWebhookVerifier(config)` compiles the configuration once
//! (secrets decoded and checked then); `verifyParts(values, body, now)` takes
//! only the header values the verifier reads (in `headerNames()` order, in
//! one string) and the body as bytes, so a call copies one short string and
//! the body into wasm memory, nothing else.

use wasm_bindgen::prelude::*;

use super::convert::{body_bytes, from_js, headers_from_js, to_js, unix_seconds, JsResult};
use crate::entropy::{random_hex_id, SystemEntropy};
use crate::webhook::HeaderLookup;
use crate::{Error, Secret, StandardWebhooks, Verifier, DEFAULT_TOLERANCE_S};

/// A compiled webhook verifier and signer (see `VerifierConfig`).
#[wasm_bindgen(js_name = WebhookVerifier)]
pub struct WebhookVerifierJs {
    inner: Verifier,
    names: Vec<String>,
}

/// Compiles a verifier configuration
/// `{ scheme: "standard" | "descope" | "timestamped_hex" | "sha256_hex", secrets, ... }`.
/// Throws `invalid_secret` or `invalid_argument` at once for a bad configuration.
#[wasm_bindgen(js_name = createWebhookVerifier)]
pub fn create_webhook_verifier(config: JsValue) -> Result<WebhookVerifierJs, JsValue> {
    // Read as JSON text: the serde_json path is already in the module, a
    // JS-value deserializer for this shape would add code for nothing.
    let text = match config.as_string() {
        Some(text) => text,
        None => js_sys::JSON::stringify(&config)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| {
                Error::usage("`config` must be an object or JSON text", Some("config"))
            })?,
    };
    let inner = Verifier::from_json(&text)?.with_json_restringify(host_restringify);
    let names = inner
        .header_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    Ok(WebhookVerifierJs { inner, names })
}

/// `JSON.stringify(JSON.parse(text))` by the host's own `JSON`: exactly what
/// a JavaScript sender computes, at no cost in module size.
fn host_restringify(text: &str) -> Option<String> {
    let value = js_sys::JSON::parse(text).ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// Header values aligned with the verifier's header names.
struct Values<'a> {
    names: &'a [String],
    values: Vec<Option<String>>,
}

impl HeaderLookup for Values<'_> {
    fn get_header(&self, name: &str) -> Option<&str> {
        let at = self.names.iter().position(|n| n == name)?;
        self.values.get(at)?.as_deref()
    }
}

#[wasm_bindgen(js_class = WebhookVerifier)]
impl WebhookVerifierJs {
    /// The scheme name.
    #[wasm_bindgen(getter)]
    pub fn scheme(&self) -> String {
        self.inner.scheme().to_owned()
    }

    /// The lowercase header names `verifyValues` expects, in order.
    #[wasm_bindgen(js_name = headerNames)]
    pub fn header_names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// Verifies with headers as `[name, value][]`. Returns
    /// `{ id, timestamp, remember_until }` or throws a `KosmosError`.
    pub fn verify(&self, headers: JsValue, body: JsValue, now: f64) -> JsResult {
        let headers = headers_from_js(headers)?;
        let body = body_bytes(&body)?;
        to_js(&self.inner.verify(&headers, &body, unix_seconds(now)?)?)
    }

    /// The fast path the shim uses: the values of `headerNames()` in order,
    /// joined by `\n`, an absent header written as `\0` (neither can occur
    /// in an HTTP header value); the body as bytes. Returns
    /// `[id, timestamp | null, remember_until]`, which the shim turns into an
    /// object: one string and one byte copy in, no serializer on the way out.
    #[wasm_bindgen(js_name = verifyParts)]
    pub fn verify_parts(&self, values: &str, body: &[u8], now: f64) -> JsResult {
        let parts = Values {
            names: &self.names,
            values: values
                .split('\n')
                .map(|v| (v != "\0").then(|| v.to_owned()))
                .collect(),
        };
        if parts.values.len() != self.names.len() {
            return Err(Error::usage(
                "`values` must hold one entry per header name",
                Some("values"),
            )
            .into());
        }
        let ok = self.inner.verify_with(&parts, body, unix_seconds(now)?)?;
        let timestamp = ok
            .timestamp
            .map_or(JsValue::NULL, |t| JsValue::from_f64(t as f64));
        Ok(js_sys::Array::of3(
            &JsValue::from_str(&ok.id),
            &timestamp,
            &JsValue::from_f64(ok.remember_until as f64),
        )
        .into())
    }

    /// Signs `body` (string or bytes) at `now`: returns the headers to send
    /// as an object. `id` is used by `standard`; when absent a random
    /// `msg_<32 hex>` id is made.
    pub fn sign(&self, body: JsValue, now: f64, id: Option<String>) -> JsResult {
        let body = body_bytes(&body)?;
        let now = unix_seconds(now)?;
        let id = match (self.inner.scheme(), id) {
            (_, Some(id)) => Some(id),
            ("standard", None) => Some(format!(
                "msg_{}",
                random_hex_id(&mut SystemEntropy)
                    .map_err(|_| Error::usage("no secure randomness to make an id", Some("id")))?
            )),
            (_, None) => None,
        };
        let headers = self.inner.sign(id.as_deref(), now, &body)?;
        let map: serde_json::Map<String, serde_json::Value> = headers
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect();
        to_js(&map)
    }
}

/// Verifies a Standard Webhooks message. `options`: `{ secrets: string[], tolerance_s? }`.
/// Compiles the secrets on every call; prefer `createWebhookVerifier`.
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
    let ok = verifier.verify(&headers, &body, unix_seconds(now)?)?;
    // This older export keeps its `{ id, timestamp }` shape.
    #[derive(serde::Serialize)]
    struct Legacy {
        id: String,
        timestamp: Option<u64>,
    }
    to_js(&Legacy {
        id: ok.id,
        timestamp: ok.timestamp,
    })
}
