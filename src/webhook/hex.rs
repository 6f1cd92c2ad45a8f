//! `sha256=<hex>` schemes without a timestamp, such as GitHub's
//! `x-hub-signature-256`: HMAC-SHA256 of the raw body, hex, behind a prefix.
//! There is no timestamp and no message id: the id is derived from the
//! authenticated content (see [`Verified`]).

use super::common::{
    check_body, decode_hex, derived_id, matches_any, required_header, HeaderLookup, HmacKeys,
    Verified,
};
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
    pub(super) fn verify(
        &self,
        headers: &dyn HeaderLookup,
        body: &[u8],
        now: u64,
    ) -> Result<Verified, WebhookError> {
        check_body(body)?;
        let value = required_header(headers, &self.header)?;
        let given = value
            .strip_prefix(self.prefix.as_str())
            .and_then(decode_hex)
            .filter(|g| g.len() == 32)
            .ok_or_else(|| {
                WebhookError::bad_format(
                    &self.header,
                    format!("must be `{}` and 64 hex digits", self.prefix),
                )
            })?;
        let macs = self.keys.macs(&[body]);
        if matches_any(&macs, &given) {
            return Ok(Verified {
                id: derived_id("sha256_hex", &self.keys, macs.first().copied(), &[body]),
                timestamp: None,
                remember_until: now.saturating_add(self.replay_window_s),
            });
        }
        Err(WebhookError::NoMatchingSignature)
    }

    /// The header to send with `body`, signed with the first secret.
    pub(super) fn sign(&self, body: &[u8]) -> Result<Vec<(String, String)>, WebhookError> {
        check_body(body)?;
        let mac = self
            .keys
            .first_mac(&[body])
            .ok_or_else(|| WebhookError::InvalidSecret("no secret configured".into()))?;
        Ok(vec![(
            self.header.clone(),
            format!("{}{}", self.prefix, hex_lower(&mac)),
        )])
    }
}
