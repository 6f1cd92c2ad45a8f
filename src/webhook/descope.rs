//! Descope: `x-descope-webhook-s256` = base64(HMAC-SHA256(secret, JSON text)).
//!
//! Descope signs the JSON text of the payload it sends. A receiver may get
//! that text re-serialized on the way, so the raw body is tried first and,
//! if it does not match, the body's `JSON.stringify(JSON.parse(body))` form
//! (see `js_json`, or the host's `JSON` in wasm). There is no timestamp and no message id: the id is
//! derived from the authenticated content (see [`Verified`]).

use super::common::{
    check_body, check_body_len, decode_base64_exact, encode_base64, required_header, HeaderLookup,
    HmacKeys, JsonRestringify, Verified,
};
use super::prepared::Prepared;
use super::WebhookError;

/// The header Descope signs into.
pub(super) const DESCOPE_HEADER: &str = "x-descope-webhook-s256";

/// A compiled Descope verifier.
#[derive(Debug, Clone)]
pub(super) struct Descope {
    pub(super) keys: HmacKeys,
    pub(super) header: String,
    pub(super) replay_window_s: u64,
    /// Whether to try the `JSON.stringify` form after the raw body.
    pub(super) fallback: bool,
    /// What computes that form (built in natively, the host's `JSON` in wasm).
    pub(super) restringify: Option<JsonRestringify>,
}

impl Descope {
    pub(super) fn verify(
        &self,
        headers: &dyn HeaderLookup,
        body: &[u8],
        now: u64,
    ) -> Result<Verified, WebhookError> {
        let prepared = self.prepare(headers, body.len(), now)?;
        match prepared.finish_with(&self.keys, body) {
            Err(WebhookError::NoMatchingSignature) => {}
            done => return done,
        }
        if let (true, Some(restringify)) = (self.fallback, self.restringify) {
            if let Some(text) = restringify(&super::common::body_text(body)) {
                if text.as_bytes() != body {
                    return prepared.finish_with(&self.keys, text.as_bytes());
                }
            }
        }
        Err(WebhookError::NoMatchingSignature)
    }

    /// The header checks; the signed content is the raw body (the
    /// `JSON.stringify` fallback is `verify`'s alone).
    pub(super) fn prepare(
        &self,
        headers: &dyn HeaderLookup,
        body_len: usize,
        now: u64,
    ) -> Result<Prepared, WebhookError> {
        check_body_len(body_len)?;
        let value = required_header(headers, &self.header)?;
        let given = decode_base64_exact::<32>(value).ok_or_else(|| {
            WebhookError::bad_format(&self.header, "must be the base64 of a 32-byte HMAC-SHA256")
        })?;
        Ok(Prepared::raw_body(
            given,
            "descope",
            now.saturating_add(self.replay_window_s),
            self.keys.len(),
        ))
    }

    /// The header to send with `body`, signed with the first secret.
    pub(super) fn sign(&self, body: &[u8]) -> Result<Vec<(String, String)>, WebhookError> {
        check_body(body)?;
        let mac = self.keys.first_mac(&[body])?;
        Ok(vec![(self.header.clone(), encode_base64(&mac))])
    }
}
