//! Standard Webhooks keys: `whsec_` (HMAC), `whpk_` (Ed25519 public key)
//! and `whsk_` (Ed25519 secret key).

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use super::common::{check_secret_count, decode_base64, encode_base64, HmacKeys};
use super::WebhookError;
use crate::Secret;

/// The keys of one Standard Webhooks verifier, sorted by kind.
#[derive(Clone)]
pub(super) struct StandardKeys {
    /// `whsec_` secrets (and unprefixed base64 secrets), in configured order.
    pub(super) hmac: HmacKeys,
    /// Every Ed25519 key that can verify (from `whpk_` and `whsk_`).
    pub(super) verifying: Vec<VerifyingKey>,
    /// What signing uses, in configured order.
    pub(super) signing: Vec<SigningSlot>,
}

/// One key able to sign.
#[derive(Clone)]
pub(super) enum SigningSlot {
    /// The index of a key in [`StandardKeys::hmac`].
    Hmac(usize),
    /// An Ed25519 secret key (zeroized on drop by ed25519-dalek).
    Ed25519(Box<SigningKey>),
}

impl StandardKeys {
    /// Parses `whsec_` / `whpk_` / `whsk_` keys. An unprefixed secret is
    /// taken as `whsec_` base64. A `whsk_` key is the 32-byte seed or the
    /// 64-byte seed-and-public-key pair, base64.
    pub(super) fn parse(secrets: &[Secret]) -> Result<Self, WebhookError> {
        check_secret_count(secrets.len())?;
        let mut hmac = Vec::new();
        let mut verifying = Vec::new();
        let mut signing = Vec::new();
        for (i, secret) in secrets.iter().enumerate() {
            let text = secret.expose().trim();
            let bad = |what: &str| WebhookError::InvalidSecret(format!("secret #{} {what}", i + 1));
            if let Some(b64) = text.strip_prefix("whpk_") {
                let bytes =
                    Zeroizing::new(decode_base64(b64).ok_or_else(|| bad("is not valid base64"))?);
                let array: [u8; 32] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| bad("must be a 32-byte Ed25519 public key"))?;
                let key = VerifyingKey::from_bytes(&array)
                    .map_err(|_| bad("is not a valid Ed25519 public key"))?;
                verifying.push(key);
            } else if let Some(b64) = text.strip_prefix("whsk_") {
                let bytes =
                    Zeroizing::new(decode_base64(b64).ok_or_else(|| bad("is not valid base64"))?);
                let key = match bytes.len() {
                    32 => {
                        let mut seed = Zeroizing::new([0u8; 32]);
                        seed.copy_from_slice(&bytes);
                        SigningKey::from_bytes(&seed)
                    }
                    64 => {
                        let mut pair = Zeroizing::new([0u8; 64]);
                        pair.copy_from_slice(&bytes);
                        SigningKey::from_keypair_bytes(&pair)
                            .map_err(|_| bad("has a public half that does not match its seed"))?
                    }
                    _ => return Err(bad("must be a 32-byte Ed25519 seed or 64-byte key pair")),
                };
                verifying.push(key.verifying_key());
                signing.push(SigningSlot::Ed25519(Box::new(key)));
            } else {
                let b64 = text.strip_prefix("whsec_").unwrap_or(text);
                let key =
                    Zeroizing::new(decode_base64(b64).ok_or_else(|| bad("is not valid base64"))?);
                if key.is_empty() {
                    return Err(bad("is empty"));
                }
                signing.push(SigningSlot::Hmac(hmac.len()));
                hmac.push(key);
            }
        }
        Ok(Self {
            hmac: HmacKeys::from_keys(hmac)?,
            verifying,
            signing,
        })
    }

    /// The `webhook-signature` value: one entry per signing key, in order,
    /// space-separated (`v1,<base64>` or `v1a,<base64>`).
    pub(super) fn sign(&self, content: &[&[u8]]) -> Result<String, WebhookError> {
        if self.signing.is_empty() {
            return Err(WebhookError::InvalidSecret(
                "no configured key can sign (`whpk_` keys only verify)".into(),
            ));
        }
        let hmacs = if self.hmac.len() > 0 {
            self.hmac.macs(content)
        } else {
            Vec::new()
        };
        let mut joined: Option<Vec<u8>> = None;
        let mut out = String::new();
        for slot in &self.signing {
            if !out.is_empty() {
                out.push(' ');
            }
            match slot {
                SigningSlot::Hmac(i) => {
                    let mac = hmacs.get(*i).ok_or(WebhookError::NoMatchingSignature)?;
                    out.push_str("v1,");
                    out.push_str(&encode_base64(mac));
                }
                SigningSlot::Ed25519(key) => {
                    let message = joined.get_or_insert_with(|| content.concat());
                    let sig: Signature = key.sign(message);
                    out.push_str("v1a,");
                    out.push_str(&encode_base64(&sig.to_bytes()));
                }
            }
        }
        Ok(out)
    }
}
