//! Webhook verification and signing, for JS.
//!
//! Hot path: `createWebhookVerifier(config)` compiles the configuration once
//! (secrets decoded and checked then); `verifyParts(values, body, now)` takes
//! only the header values the verifier reads (in `headerNames()` order, in
//! one string) and the body as bytes, so a call copies one short string and
//! the body into wasm memory, nothing else.
//!
//! Host-digest path (Node), the body never in wasm memory:
//! - `hmacKeys()`, once: the raw HMAC keys as an array of `Uint8Array`
//!   copies in configured order (the host imports each into its key store,
//!   then zero-fills it), or `null` when the verifier cannot be split
//!   (Standard Webhooks with Ed25519 keys).
//! - `prepareParts(values, bodyLength, now)`: header values as for
//!   `verifyParts`, the body's length in bytes. Every check before the MAC,
//!   with `verify`'s errors. Returns what precedes the body in the signed
//!   content, or `[prefix, suffix]` when something follows it too.
//! - the host computes HMAC-SHA256(key, prefix ++ body ++ suffix) per key.
//! - `finishParts(macs)`: the MACs one after the other in `hmacKeys()`
//!   order. Compares them with the listed signatures in constant time;
//!   returns `"<remember_until> <timestamp or -> <id>"` (one string crosses,
//!   cheaper than an array of three values; the id, which may hold spaces,
//!   comes last) or throws `no_matching_signature`.

use wasm_bindgen::prelude::*;

use super::convert::{body_bytes, from_js, headers_from_js, to_js, unix_seconds, JsResult};
use crate::entropy::{random_hex_id, SystemEntropy};
use crate::webhook::HeaderLookup;
use crate::{
    Error, Prepared, Secret, StandardWebhooks, Verified, Verifier, DEFAULT_TOLERANCE_S,
    MAX_BODY_BYTES,
};

/// A compiled webhook verifier and signer (see `VerifierConfig`).
#[wasm_bindgen(js_name = WebhookVerifier)]
pub struct WebhookVerifierJs {
    inner: Verifier,
    names: Vec<String>,
    /// What the last `prepareParts` found, for the `finishParts` after it.
    prepared: Option<Prepared>,
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
    let names: Vec<String> = inner
        .header_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    // INVARIANT: `Values` holds at most MAX_NAMES values.
    if names.len() > MAX_NAMES {
        return Err(Error::usage("a verifier reads too many headers", Some("config")).into());
    }
    Ok(WebhookVerifierJs {
        inner,
        names,
        prepared: None,
    })
}

/// `JSON.stringify(JSON.parse(text))` by the host's own `JSON`: exactly what
/// a JavaScript sender computes, at no cost in module size.
fn host_restringify(text: &str) -> Option<String> {
    let value = js_sys::JSON::parse(text).ok()?;
    js_sys::JSON::stringify(&value).ok()?.as_string()
}

/// Most header names a verifier reads (Standard Webhooks: three, twice).
const MAX_NAMES: usize = 6;

/// Header values aligned with the verifier's header names, read in place
/// from the joined string (no copies, no allocation).
struct Values<'a> {
    names: &'a [String],
    values: [Option<&'a str>; MAX_NAMES],
}

impl HeaderLookup for Values<'_> {
    fn get_header(&self, name: &str) -> Option<&str> {
        let at = self.names.iter().position(|n| n == name)?;
        *self.values.get(at)?
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
        let parts = self.values(values)?;
        let ok = self.inner.verify_with(&parts, body, unix_seconds(now)?)?;
        Ok(verified_to_js(&ok))
    }

    /// The raw HMAC keys, or `null` (see the module docs).
    #[wasm_bindgen(js_name = hmacKeys)]
    pub fn hmac_keys(&self) -> JsValue {
        match self.inner.hmac_keys() {
            None => JsValue::NULL,
            Some(keys) => keys
                .into_iter()
                .map(js_sys::Uint8Array::from)
                .collect::<js_sys::Array>()
                .into(),
        }
    }

    /// Every check before the MAC; says what is signed (see the module docs).
    #[wasm_bindgen(js_name = prepareParts)]
    pub fn prepare_parts(&mut self, values: &str, body_length: f64, now: f64) -> JsResult {
        self.prepared = None;
        let body_len = byte_count(body_length)?;
        let now = unix_seconds(now)?;
        let prepared = self
            .inner
            .prepare_with(&self.values(values)?, body_len, now)?;
        let out = if prepared.suffix().is_empty() {
            JsValue::from_str(prepared.prefix())
        } else {
            js_sys::Array::of2(
                &JsValue::from_str(prepared.prefix()),
                &JsValue::from_str(prepared.suffix()),
            )
            .into()
        };
        self.prepared = Some(prepared);
        Ok(out)
    }

    /// Compares the host's MACs; the result (see the module docs).
    #[wasm_bindgen(js_name = finishParts)]
    pub fn finish_parts(&mut self, macs: &[u8]) -> Result<String, JsValue> {
        let prepared = self.prepared.take().ok_or_else(|| {
            Error::usage("`finishParts` must follow `prepareParts`", Some("macs"))
        })?;
        let chunks = macs.chunks_exact(32);
        if !chunks.remainder().is_empty() {
            return Err(Error::usage("`macs` must be 32-byte MACs", Some("macs")).into());
        }
        let macs: Vec<[u8; 32]> = chunks
            .map(|c| <[u8; 32]>::try_from(c).unwrap_or([0; 32]))
            .collect();
        let ok = prepared.finish(&macs)?;
        let mut out = ok.remember_until.to_string();
        out.push(' ');
        match ok.timestamp {
            Some(t) => out.push_str(&t.to_string()),
            None => out.push('-'),
        }
        out.push(' ');
        out.push_str(&ok.id);
        Ok(out)
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

impl WebhookVerifierJs {
    /// Header values joined by `\n` (`\0` for an absent one), aligned with
    /// the verifier's header names.
    fn values<'a>(&'a self, joined: &'a str) -> Result<Values<'a>, JsValue> {
        let mut values = [None; MAX_NAMES];
        let mut count = 0;
        for v in joined.split('\n') {
            if let Some(slot) = values.get_mut(count) {
                *slot = (v != "\0").then_some(v);
            }
            count += 1;
        }
        if count != self.names.len() {
            return Err(Error::usage(
                "`values` must hold one entry per header name",
                Some("values"),
            )
            .into());
        }
        Ok(Values {
            names: &self.names,
            values,
        })
    }
}

/// `[id, timestamp | null, remember_until]`.
fn verified_to_js(ok: &Verified) -> JsValue {
    let timestamp = ok
        .timestamp
        .map_or(JsValue::NULL, |t| JsValue::from_f64(t as f64));
    js_sys::Array::of3(
        &JsValue::from_str(&ok.id),
        &timestamp,
        &JsValue::from_f64(ok.remember_until as f64),
    )
    .into()
}

/// A byte count from JS; anything over [`MAX_BODY_BYTES`] stays over it.
fn byte_count(n: f64) -> Result<usize, JsValue> {
    if !(n.is_finite() && n >= 0.0 && n.fract() == 0.0) {
        return Err(Error::usage("`bodyLength` must be a byte count", Some("bodyLength")).into());
    }
    // INVARIANT: checked finite, non-negative and integral; the bound keeps
    // the cast exact, and every count over it is refused alike.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "range checked above"
    )]
    Ok(n.min((MAX_BODY_BYTES + 1) as f64) as usize)
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
