//! `sha256=<hex>` schemes without a timestamp, such as GitHub's
//! `x-hub-signature-256`: HMAC-SHA256 of the raw body, hex, behind a prefix.
//! There is no timestamp and no message id: the id is derived from the
//! authenticated content (see [`Verified`]).

use super::common::{
    check_body, check_body_len, decode_hex_exact, required_header, HeaderLookup, HmacKeys,
};
use super::prepared::Prepared;
use super::WebhookError;
use crate::entropy::hex_lower;

/// GitHub's header, the default.
pub(super) const GITHUB_HEADER: &str = "x-hub-signature-256";

/// A compiled `sha256_hex` verifier.
#[derive(Debug, Clone)]
pub(super) struct Sha256Hex {
    pub(super) keys: HmacKeys,
    pub(super) header: String,
    pub(super) prefix: String,
    pub(super) replay_window_s: u64,
}

impl Sha256Hex {
    pub(super) fn prepare(
        &self,
        headers: &dyn HeaderLookup,
        body_len: usize,
        now: u64,
    ) -> Result<Prepared, WebhookError> {
        check_body_len(body_len)?;
        let value = required_header(headers, &self.header)?;
        let given = value
            .strip_prefix(self.prefix.as_str())
            .and_then(decode_hex_exact::<32>)
            .ok_or_else(|| {
                WebhookError::bad_format(
                    &self.header,
                    format!("must be `{}` and 64 hex digits", self.prefix),
                )
            })?;
        Ok(Prepared::raw_body(
            given,
            "sha256_hex",
            now.saturating_add(self.replay_window_s),
            self.keys.len(),
        ))
    }

    /// The header to send with `body`, signed with the first secret.
    pub(super) fn sign(&self, body: &[u8]) -> Result<Vec<(String, String)>, WebhookError> {
        check_body(body)?;
        let mac = self.keys.first_mac(&[body])?;
        Ok(vec![(
            self.header.clone(),
            format!("{}{}", self.prefix, hex_lower(&mac)),
        )])
    }
}
