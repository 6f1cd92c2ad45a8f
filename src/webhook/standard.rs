//! Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`,
//! signed content `{id}.{timestamp}.{body}`, `v1` = HMAC-SHA256.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::WebhookError;
use crate::http::find_header;

/// Default tolerance between the message timestamp and `now`, both ways.
pub const DEFAULT_TOLERANCE_S: u64 = 300;
/// Largest body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Largest signature header accepted, in bytes.
pub const MAX_SIGNATURE_HEADER_BYTES: usize = 4096;

/// A verified message: what replay protection needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// The sender's message id (`webhook-id`).
    pub id: String,
    /// The sender's timestamp, unix seconds.
    pub timestamp: u64,
}

/// A Standard Webhooks verifier with one or more `whsec_` secrets.
pub struct StandardWebhooks {
    keys: Vec<Zeroizing<Vec<u8>>>,
    tolerance_s: u64,
}

impl core::fmt::Debug for StandardWebhooks {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StandardWebhooks")
            .field("keys", &format_args!("[REDACTED; {}]", self.keys.len()))
            .field("tolerance_s", &self.tolerance_s)
            .finish()
    }
}

impl StandardWebhooks {
    /// A verifier for `secrets` (each `whsec_` + base64). Several secrets
    /// allow rotation: a message signed with any of them verifies.
    pub fn new<S: AsRef<str>>(secrets: &[S], tolerance_s: u64) -> Result<Self, WebhookError> {
        if secrets.is_empty() {
            return Err(WebhookError::InvalidSecret(
                "at least one secret is required".into(),
            ));
        }
        let mut keys = Vec::with_capacity(secrets.len());
        for (i, s) in secrets.iter().enumerate() {
            let s = s.as_ref();
            let b64 = s.strip_prefix("whsec_").unwrap_or(s);
            let key = B64.decode(b64).map_err(|_| {
                WebhookError::InvalidSecret(format!("secret #{} is not valid base64", i + 1))
            })?;
            if key.is_empty() {
                return Err(WebhookError::InvalidSecret(format!(
                    "secret #{} is empty",
                    i + 1
                )));
            }
            keys.push(Zeroizing::new(key));
        }
        Ok(Self { keys, tolerance_s })
    }

    /// Verifies a message against its headers, `now` in unix seconds.
    pub fn verify(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        now: u64,
    ) -> Result<Verified, WebhookError> {
        if body.len() > MAX_BODY_BYTES {
            return Err(WebhookError::PayloadTooLarge {
                what: "body",
                limit: MAX_BODY_BYTES,
            });
        }
        let id = header(headers, "webhook-id")?;
        let ts_text = header(headers, "webhook-timestamp")?;
        let sigs = header(headers, "webhook-signature")?;
        if sigs.len() > MAX_SIGNATURE_HEADER_BYTES {
            return Err(WebhookError::PayloadTooLarge {
                what: "header `webhook-signature`",
                limit: MAX_SIGNATURE_HEADER_BYTES,
            });
        }
        if id.is_empty() || id.contains('.') || id.len() > 256 {
            return Err(WebhookError::BadFormat {
                header: "webhook-id",
                message: "must be 1 to 256 characters without `.`".into(),
            });
        }
        let timestamp = parse_timestamp(ts_text)?;
        if timestamp.saturating_add(self.tolerance_s) < now {
            return Err(WebhookError::TimestampTooOld);
        }
        if timestamp > now.saturating_add(self.tolerance_s) {
            return Err(WebhookError::TimestampInFuture);
        }
        for sig in sigs.split(' ').filter(|s| !s.is_empty()) {
            let Some(("v1", b64)) = sig.split_once(',') else {
                continue;
            };
            let Ok(given) = B64.decode(b64) else {
                continue;
            };
            for key in &self.keys {
                let expected = sign_raw(key, id, timestamp, body);
                if bool::from(expected.as_slice().ct_eq(&given)) {
                    return Ok(Verified {
                        id: id.to_owned(),
                        timestamp,
                    });
                }
            }
        }
        Err(WebhookError::NoMatchingSignature)
    }

    /// Signs a message with the first secret: the `webhook-signature` value.
    pub fn sign(&self, id: &str, timestamp: u64, body: &[u8]) -> Result<String, WebhookError> {
        let key = self
            .keys
            .first()
            .ok_or_else(|| WebhookError::InvalidSecret("no secret configured".into()))?;
        if id.contains('.') {
            return Err(WebhookError::BadFormat {
                header: "webhook-id",
                message: "must not contain `.`".into(),
            });
        }
        Ok(format!(
            "v1,{}",
            B64.encode(sign_raw(key, id, timestamp, body))
        ))
    }
}

fn header<'a>(
    headers: &'a [(String, String)],
    name: &'static str,
) -> Result<&'a str, WebhookError> {
    let svix = name.replacen("webhook-", "svix-", 1);
    find_header(headers, name)
        .or_else(|| find_header(headers, &svix))
        .map(str::trim)
        .ok_or(WebhookError::MissingHeader(name))
}

fn parse_timestamp(text: &str) -> Result<u64, WebhookError> {
    let bad = || WebhookError::BadFormat {
        header: "webhook-timestamp",
        message: "must be whole unix seconds".into(),
    };
    if text.is_empty() || text.len() > 12 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
}

fn sign_raw(key: &[u8], id: &str, timestamp: u64, body: &[u8]) -> [u8; 32] {
    // INVARIANT: HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    const ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    const TS: u64 = 1_649_367_553;
    const BODY: &str = r#"{"email":"test@example.com","username":"test_user"}"#;
    const SIG: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

    fn headers(sig: &str) -> Vec<(String, String)> {
        vec![
            ("webhook-id".into(), ID.into()),
            ("webhook-timestamp".into(), TS.to_string()),
            ("webhook-signature".into(), sig.into()),
        ]
    }

    #[test]
    fn published_vector_verifies_and_signs() {
        let v = StandardWebhooks::new(&[SECRET], DEFAULT_TOLERANCE_S).unwrap();
        let ok = v.verify(&headers(SIG), BODY.as_bytes(), TS).unwrap();
        assert_eq!(
            ok,
            Verified {
                id: ID.into(),
                timestamp: TS
            }
        );
        assert_eq!(v.sign(ID, TS, BODY.as_bytes()).unwrap(), SIG);
    }

    #[test]
    fn rejections() {
        let v = StandardWebhooks::new(&[SECRET], DEFAULT_TOLERANCE_S).unwrap();
        let e = v.verify(&headers(SIG), b"{}", TS).unwrap_err();
        assert_eq!(e, WebhookError::NoMatchingSignature);
        assert_eq!(
            v.verify(&headers(SIG), BODY.as_bytes(), TS + 301)
                .unwrap_err(),
            WebhookError::TimestampTooOld
        );
        assert_eq!(
            v.verify(&headers(SIG), BODY.as_bytes(), TS - 301)
                .unwrap_err(),
            WebhookError::TimestampInFuture
        );
        assert!(v.verify(&headers(SIG), BODY.as_bytes(), TS + 300).is_ok());
        assert!(format!("{v:?}").contains("REDACTED"));
        assert!(StandardWebhooks::new(&["whsec_!!!"], 300).is_err());
    }
}
