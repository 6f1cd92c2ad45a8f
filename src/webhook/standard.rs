//! Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`
//! (or the same with `svix-`), signed content `{id}.{timestamp}.{body}`;
//! `v1` = HMAC-SHA256 with a `whsec_` secret, `v1a` = Ed25519 with a
//! `whpk_` public or `whsk_` secret key. The signature header lists
//! space-separated `<version>,<base64>` entries; any valid one passes.

use ed25519_dalek::Signature;

use super::common::{
    check_body, check_body_len, check_tolerance, check_window, decode_base64_exact,
    optional_header, parse_timestamp, HeaderLookup, Pairs, Verified, DEFAULT_TOLERANCE_S,
    MAX_ID_BYTES, MAX_SIGNATURES,
};
use super::prepared::{MessageId, Prepared};
use super::standard_keys::StandardKeys;
use super::WebhookError;
use crate::Secret;

const ID: &str = "webhook-id";
const TIMESTAMP: &str = "webhook-timestamp";
const SIGNATURE: &str = "webhook-signature";

/// A Standard Webhooks verifier and signer with one or more keys.
///
/// Keys: `whsec_<base64>` (HMAC-SHA256, `v1`; the prefix may be left out),
/// `whpk_<base64>` (Ed25519 public key, `v1a`, verify only) and
/// `whsk_<base64>` (Ed25519 seed or seed-and-public pair, `v1a`, verifies
/// and signs). Several keys allow rotation: a message verifies if any
/// listed signature matches any key.
#[derive(Clone)]
pub struct StandardWebhooks {
    keys: StandardKeys,
    tolerance_s: u64,
}

impl core::fmt::Debug for StandardWebhooks {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StandardWebhooks")
            .field("hmac_keys", &self.keys.hmac)
            .field("ed25519_keys", &self.keys.verifying.len())
            .field("tolerance_s", &self.tolerance_s)
            .finish()
    }
}

impl StandardWebhooks {
    /// A verifier for `secrets`, accepting timestamps within `tolerance_s`
    /// of `now` both ways.
    ///
    /// Errors: `invalid_secret` when a key is malformed (bad base64, wrong
    /// length, not a curve point) or there are none or too many;
    /// `invalid_argument` for a tolerance over [`MAX_WINDOW_S`](crate::MAX_WINDOW_S).
    pub fn new<S: AsRef<str>>(secrets: &[S], tolerance_s: u64) -> Result<Self, WebhookError> {
        let secrets: Vec<Secret> = secrets.iter().map(|s| Secret::new(s.as_ref())).collect();
        Self::from_secrets(&secrets, tolerance_s)
    }

    pub(super) fn from_secrets(secrets: &[Secret], tolerance_s: u64) -> Result<Self, WebhookError> {
        Ok(Self {
            keys: StandardKeys::parse(secrets)?,
            tolerance_s: check_window(tolerance_s, "tolerance_s")?,
        })
    }

    /// A verifier with the default tolerance ([`DEFAULT_TOLERANCE_S`]).
    pub fn with_default_tolerance<S: AsRef<str>>(secrets: &[S]) -> Result<Self, WebhookError> {
        Self::new(secrets, DEFAULT_TOLERANCE_S)
    }

    /// Verifies a message against its headers, `now` in unix seconds.
    ///
    /// Returns the `webhook-id` and timestamp for replay protection.
    /// Errors: `missing_header`, `bad_format` (id empty, too long or with
    /// `.`; timestamp not whole seconds; too many signature entries),
    /// `payload_too_large`, `timestamp_too_old`, `timestamp_in_future`,
    /// `no_matching_signature`.
    pub fn verify(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        now: u64,
    ) -> Result<Verified, WebhookError> {
        self.verify_with(&Pairs(headers), body, now)
    }

    pub(crate) fn verify_with(
        &self,
        headers: &dyn HeaderLookup,
        body: &[u8],
        now: u64,
    ) -> Result<Verified, WebhookError> {
        let (prepared, signatures) = self.prepare_with(headers, body.len(), now)?;
        if !prepared.candidates().is_empty() {
            let macs = self.keys.hmac.macs(&[prepared.prefix().as_bytes(), body]);
            if prepared.matches(&macs) {
                return Ok(prepared.accepted(macs.first()));
            }
        }
        if !signatures.is_empty() {
            let message = prepared.content(body);
            let ok = signatures.iter().any(|sig| {
                self.keys
                    .verifying
                    .iter()
                    .any(|k| k.verify_strict(&message, sig).is_ok())
            });
            if ok {
                return Ok(prepared.accepted(None));
            }
        }
        Err(WebhookError::NoMatchingSignature)
    }

    /// Every check before the signatures, and the signatures sorted by kind:
    /// `v1` HMAC candidates (in the [`Prepared`]) and `v1a` Ed25519 ones.
    /// Entries that cannot match (unknown version, bad base64, wrong length,
    /// no key of their kind) are skipped, as a list may carry them.
    pub(super) fn prepare_with(
        &self,
        headers: &dyn HeaderLookup,
        body_len: usize,
        now: u64,
    ) -> Result<(Prepared, Vec<Signature>), WebhookError> {
        check_body_len(body_len)?;
        let (id, id_name) = header(headers, ID)?;
        let (ts_text, ts_name) = header(headers, TIMESTAMP)?;
        let (sigs, sig_name) = header(headers, SIGNATURE)?;
        check_id(id, id_name)?;
        let timestamp = parse_timestamp(ts_text, ts_name)?;
        check_tolerance(timestamp, now, self.tolerance_s)?;

        let entries = || sigs.split(' ').filter(|s| !s.is_empty());
        if entries().count() > MAX_SIGNATURES {
            return Err(WebhookError::bad_format(
                sig_name,
                format!("lists more than {MAX_SIGNATURES} signatures"),
            ));
        }
        let mut candidates = Vec::new();
        let mut signatures = Vec::new();
        for entry in entries() {
            match entry.split_once(',') {
                Some(("v1", b64)) if self.keys.hmac.len() > 0 => {
                    if let Some(mac) = decode_base64_exact::<32>(b64) {
                        candidates.push(mac);
                    }
                }
                Some(("v1a", b64)) if !self.keys.verifying.is_empty() => {
                    if let Some(sig) = decode_base64_exact::<64>(b64) {
                        signatures.push(Signature::from_bytes(&sig));
                    }
                }
                _ => {}
            }
        }
        let mut prefix = String::with_capacity(id.len() + ts_text.len() + 2);
        for part in [id, ".", ts_text, "."] {
            prefix.push_str(part);
        }
        let prepared = Prepared::new(
            prefix,
            String::new(),
            candidates,
            MessageId::Sender(id.to_owned()),
            Some(timestamp),
            timestamp.saturating_add(self.tolerance_s),
            self.keys.hmac.len(),
        );
        Ok((prepared, signatures))
    }

    /// Whether every key is an HMAC key (`whsec_`), so that `prepare` and
    /// `finish` make the whole check.
    pub(super) fn is_hmac_only(&self) -> bool {
        self.keys.verifying.is_empty()
    }

    /// The raw HMAC keys when every key is one (`whsec_`), else `None`.
    pub(super) fn hmac_keys(&self) -> Option<Vec<&[u8]>> {
        self.is_hmac_only().then(|| self.keys.hmac.raw())
    }

    /// Signs a message: the `webhook-signature` value, one entry per key
    /// that can sign (`whsec_` and `whsk_`), in configured order.
    ///
    /// Errors: `bad_format` when `id` is empty, too long, contains `.` or a
    /// control character, or has surrounding spaces;
    /// `invalid_secret` when no configured key can sign.
    pub fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> Result<String, WebhookError> {
        check_id(id, ID)?;
        check_body(body)?;
        let ts = timestamp.to_string();
        self.keys
            .sign(&[id.as_bytes(), b".", ts.as_bytes(), b".", body])
    }

    /// Signs a message and returns the three headers to send.
    pub(crate) fn sign_headers(
        &self,
        id: &str,
        timestamp: u64,
        body: &[u8],
    ) -> Result<Vec<(String, String)>, WebhookError> {
        let signature = self.sign(id, timestamp, body)?;
        Ok(vec![
            (ID.to_owned(), id.to_owned()),
            (TIMESTAMP.to_owned(), timestamp.to_string()),
            (SIGNATURE.to_owned(), signature),
        ])
    }

    pub(crate) fn header_names() -> &'static [&'static str] {
        &[
            ID,
            TIMESTAMP,
            SIGNATURE,
            "svix-id",
            "svix-timestamp",
            "svix-signature",
        ]
    }
}

/// A `webhook-*` header, or its `svix-*` twin; with the name found.
fn header<'a>(
    headers: &'a dyn HeaderLookup,
    name: &'static str,
) -> Result<(&'a str, &'static str), WebhookError> {
    let svix = match name {
        ID => "svix-id",
        TIMESTAMP => "svix-timestamp",
        _ => "svix-signature",
    };
    match optional_header(headers, name)? {
        Some(v) => Ok((v, name)),
        None => match optional_header(headers, svix)? {
            Some(v) => Ok((v, svix)),
            None => Err(WebhookError::MissingHeader(name.to_owned())),
        },
    }
}

/// An id travels in an HTTP header, which trims surrounding whitespace and
/// cannot carry control characters: an id that would not arrive as sent is
/// refused, when signing as when verifying.
fn check_id(id: &str, header: &str) -> Result<(), WebhookError> {
    if id.is_empty()
        || id.len() > MAX_ID_BYTES
        || id.contains('.')
        || id.trim() != id
        || id.chars().any(char::is_control)
    {
        return Err(WebhookError::bad_format(
            header,
            format!(
                "the id must be 1 to {MAX_ID_BYTES} bytes without `.`, control characters or surrounding spaces"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const ID_V: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const TS: u64 = 1_649_367_553;
    const BODY: &str = r#"{"email":"test@example.com","username":"test_user"}"#;
    const SIG: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn headers(sig: &str) -> Vec<(String, String)> {
        vec![
            ("webhook-id".into(), ID_V.into()),
            ("webhook-timestamp".into(), TS.to_string()),
            ("webhook-signature".into(), sig.into()),
        ]
    }

    #[test]
    fn ids_that_a_header_would_change_are_refused_when_signing() {
        use crate::error::ErrorInfo;
        let w = StandardWebhooks::new(&[SECRET], 300).unwrap();
        for id in [" msg_1", "msg_1 ", "msg\n1", "msg\u{0}1", "msg\t1"] {
            let e = w.sign(id, TS, BODY.as_bytes()).unwrap_err();
            assert_eq!(e.code(), "bad_format", "{id:?}");
        }
        // Inner spaces survive a header: allowed, and the message verifies.
        let sig = w.sign("msg 1", TS, BODY.as_bytes()).unwrap();
        let h = vec![
            ("webhook-id".to_owned(), "msg 1".to_owned()),
            ("webhook-timestamp".to_owned(), TS.to_string()),
            ("webhook-signature".to_owned(), sig),
        ];
        assert!(w.verify(&h, BODY.as_bytes(), TS).is_ok());
    }

    #[test]
    fn verifies_signs_and_redacts() {
        let v = StandardWebhooks::with_default_tolerance(&[SECRET]).unwrap();
        let ok = v.verify(&headers(SIG), BODY.as_bytes(), TS).unwrap();
        assert_eq!(ok.id, ID_V);
        assert_eq!(ok.timestamp, Some(TS));
        assert_eq!(ok.remember_until, TS + 300);
        assert_eq!(v.sign(ID_V, TS, BODY.as_bytes()).unwrap(), SIG);
        let debug = format!("{v:?}");
        assert!(debug.contains("REDACTED") && !debug.contains("C2FV"));
    }

    #[test]
    fn the_header_checks_come_before_the_signature() {
        let v = StandardWebhooks::with_default_tolerance(&[SECRET]).unwrap();
        let mut h = headers(SIG);
        h[1].1 = "1649367553.0".into();
        assert!(matches!(
            v.verify(&h, BODY.as_bytes(), TS).unwrap_err(),
            WebhookError::BadFormat { .. }
        ));
    }
}
