//! The host-digest way of verifying, as the Node shim does it: the core's
//! `prepare`, HMAC-SHA256 computed outside the core (here by the `hmac`
//! crate directly, standing in for node:crypto), the core's `finish`; for
//! Descope, a raw-body mismatch falls back to the full `verify`.

use hmac::{Hmac, Mac};
use kosmos_connect::{Verified, Verifier, WebhookError};
use sha2::Sha256;

/// The split result, or `None` when the verifier cannot be split (Ed25519
/// keys), in which case `prepare` must refuse with `invalid_argument`.
pub(crate) fn verify_split(
    v: &Verifier,
    headers: &[(String, String)],
    body: &[u8],
    now: u64,
) -> Option<Result<Verified, WebhookError>> {
    let Some(keys) = v.hmac_keys() else {
        let refused = v.prepare(headers, body.len(), now);
        assert!(
            matches!(
                &refused,
                Err(WebhookError::InvalidConfig {
                    field: "secrets",
                    ..
                })
            ),
            "an Ed25519 verifier must refuse to split: {refused:?}"
        );
        return None;
    };
    let split = v.prepare(headers, body.len(), now).and_then(|p| {
        assert_eq!(p.key_count(), keys.len());
        let macs: Vec<[u8; 32]> = keys
            .iter()
            .filter_map(|k| {
                // HMAC takes keys of any length; a failure here would leave
                // a MAC out, which `finish` refuses (one per key).
                let mut mac = Hmac::<Sha256>::new_from_slice(k).ok()?;
                mac.update(p.prefix().as_bytes());
                mac.update(body);
                mac.update(p.suffix().as_bytes());
                Some(mac.finalize().into_bytes().into())
            })
            .collect();
        p.finish(&macs)
    });
    Some(match split {
        Err(WebhookError::NoMatchingSignature) if v.scheme() == "descope" => {
            v.verify(headers, body, now)
        }
        done => done,
    })
}
