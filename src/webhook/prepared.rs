//! Verification split around the MAC, for a host with a faster SHA-256 than
//! ours (Node's `node:crypto` uses the CPU's SHA extensions):
//!
//! ```text
//!   (headers, body length, now) --> Verifier::prepare --> Prepared { prefix, suffix, candidates }
//!   HMAC-SHA256(key, prefix ++ body ++ suffix) for each key of Verifier::hmac_keys  (the host)
//!   macs --> Prepared::finish --> Verified | no_matching_signature
//! ```
//!
//! Every decision stays here: `prepare` reads and bounds the headers, checks
//! the id and the timestamp tolerance and says what is signed; `finish`
//! compares in constant time and makes the result. `verify` itself is built
//! from the same two halves, so the two ways cannot drift apart.

use super::common::{derived_id, matches_any, HmacKeys, Verified};
use super::WebhookError;

/// What [`Verifier::prepare`](super::Verifier::prepare) found in a message:
/// the checks before the MAC passed; the signed content is
/// `prefix ++ body ++ suffix` and one of [`candidates`](Self::candidates)
/// must equal its HMAC-SHA256 under one of the configured keys.
///
/// Holds nothing secret: the prefix and suffix come from headers and the
/// configuration's template, the candidates are the signatures the sender
/// listed (only well-formed 32-byte ones; others cannot match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    prefix: String,
    suffix: String,
    candidates: Vec<[u8; 32]>,
    id: MessageId,
    timestamp: Option<u64>,
    remember_until: u64,
    keys: usize,
}

/// Where the message id of a verified message comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MessageId {
    /// The sender's (`webhook-id`).
    Sender(String),
    /// Derived from the authenticated content, with this scheme name.
    Derived(&'static str),
}

impl Prepared {
    /// Assembles what a scheme's `prepare` found; `keys` is how many MACs
    /// `finish` expects.
    pub(super) fn new(
        prefix: String,
        suffix: String,
        candidates: Vec<[u8; 32]>,
        id: MessageId,
        timestamp: Option<u64>,
        remember_until: u64,
        keys: usize,
    ) -> Self {
        Self {
            prefix,
            suffix,
            candidates,
            id,
            timestamp,
            remember_until,
            keys,
        }
    }

    /// For schemes that sign the raw body alone, without a timestamp or a
    /// sender's id (Descope, `sha256=`): the id is derived from the MAC and
    /// kept until `remember_until`.
    pub(super) fn raw_body(
        given: [u8; 32],
        scheme: &'static str,
        remember_until: u64,
        keys: usize,
    ) -> Self {
        Self::new(
            String::new(),
            String::new(),
            vec![given],
            MessageId::Derived(scheme),
            None,
            remember_until,
            keys,
        )
    }

    /// What precedes the body in the signed content (`{id}.{timestamp}.`
    /// for Standard Webhooks, the template's text before `{body}`, or empty).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// What follows the body in the signed content (usually empty).
    pub fn suffix(&self) -> &str {
        &self.suffix
    }

    /// The listed signatures that could match (decoded, 32 bytes each).
    /// When empty, no MAC needs computing: `finish` fails whatever it gets.
    pub fn candidates(&self) -> &[[u8; 32]] {
        &self.candidates
    }

    /// How many MACs `finish` expects: one per configured key.
    pub fn key_count(&self) -> usize {
        self.keys
    }

    /// Compares the MACs of the signed content with the candidates and
    /// makes the result. `macs` holds HMAC-SHA256(key, prefix ++ body ++
    /// suffix) for each key of [`Verifier::hmac_keys`](super::Verifier::hmac_keys),
    /// in that order (the first one derives the id of schemes without one).
    ///
    /// Each candidate is compared with each MAC in constant time. Errors:
    /// `no_matching_signature` when none matches (as `verify` says it);
    /// `invalid_argument` (field `macs`) when `macs` does not hold one MAC
    /// per key.
    pub fn finish(&self, macs: &[[u8; 32]]) -> Result<Verified, WebhookError> {
        if macs.len() != self.keys {
            return Err(WebhookError::InvalidConfig {
                field: "macs",
                message: "must hold one MAC per configured key".into(),
            });
        }
        if !self.matches(macs) {
            return Err(WebhookError::NoMatchingSignature);
        }
        Ok(self.accepted(macs.first()))
    }

    /// Whether any candidate equals any of `macs` (constant time per pair).
    pub fn matches(&self, macs: &[[u8; 32]]) -> bool {
        let mut found = false;
        for c in &self.candidates {
            found |= matches_any(macs, c);
        }
        found
    }

    /// `finish` with the MACs computed here, in WebAssembly or natively:
    /// what `verify` does. No MAC is computed when no candidate can match.
    pub(super) fn finish_with(
        &self,
        keys: &HmacKeys,
        body: &[u8],
    ) -> Result<Verified, WebhookError> {
        if self.candidates.is_empty() {
            return Err(WebhookError::NoMatchingSignature);
        }
        self.finish(&keys.macs(&[self.prefix.as_bytes(), body, self.suffix.as_bytes()]))
    }

    /// The signed content, for a check that is not an HMAC (Ed25519).
    pub(super) fn content(&self, body: &[u8]) -> Vec<u8> {
        [self.prefix.as_bytes(), body, self.suffix.as_bytes()].concat()
    }

    /// The result for an authentic message; `first_mac` is the content's MAC
    /// under the first key, which only a derived id needs.
    pub(super) fn accepted(&self, first_mac: Option<&[u8; 32]>) -> Verified {
        let id = match &self.id {
            MessageId::Sender(id) => id.clone(),
            MessageId::Derived(scheme) => derived_id(scheme, first_mac.unwrap_or(&[0; 32])),
        };
        Verified {
            id,
            timestamp: self.timestamp,
            remember_until: self.remember_until,
        }
    }
}
