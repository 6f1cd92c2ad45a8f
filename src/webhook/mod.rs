//! Webhook verification and signing, sans-IO: the caller passes headers,
//! the raw body and `now`; the verifier says whether the message is
//! authentic and fresh. Replay protection by message id is the host's part
//! (see the shim's `verifyOnce`), fed by the id and timestamp returned here.
//!
//! | module | scheme |
//! |---|---|
//! | `standard` (+ `standard_keys`) | Standard Webhooks `v1` HMAC and `v1a` Ed25519, `svix-` names too |
//! | `descope` (+ `js_json`, `js_number` on native targets) | `x-descope-webhook-s256`, raw body then its `JSON.stringify` form |
//! | `timestamped` | `t=<unix>,v1=<hex>` over a templated payload |
//! | `hex` | `sha256=<hex>` over the raw body (GitHub) |
//!
//! `config` holds [`VerifierConfig`] (JSON) and the compiled [`Verifier`];
//! `common` the bounds, timestamps and constant-time comparison they share;
//! `prepared` the split of `verify` around the MAC ([`Verifier::prepare`],
//! [`Prepared::finish`]) that lets a host compute the HMAC-SHA256 itself.

mod common;
mod config;
mod descope;
mod error;
mod hex;
#[cfg(not(target_arch = "wasm32"))]
mod js_json;
#[cfg(not(target_arch = "wasm32"))]
mod js_number;
mod prepared;
mod standard;
mod standard_keys;
mod timestamped;

pub use common::{
    JsonRestringify, SecretEncoding, Verified, DEFAULT_REPLAY_WINDOW_S, DEFAULT_TOLERANCE_S,
    MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_ID_BYTES, MAX_JSON_DEPTH, MAX_SECRETS, MAX_SIGNATURES,
    MAX_WINDOW_S,
};
pub use config::{
    DescopeConfig, Sha256HexConfig, StandardConfig, TimestampedHexConfig, Verifier, VerifierConfig,
};
pub use error::WebhookError;
pub use prepared::Prepared;
pub use standard::StandardWebhooks;

#[cfg_attr(
    not(all(target_arch = "wasm32", feature = "webhook")),
    allow(unused_imports)
)]
pub(crate) use common::HeaderLookup;
