//! Webhook verification and signing, sans-IO: the caller passes headers,
//! the raw body and `now`; the verifier says whether the message is
//! authentic and fresh. Replay protection by message id is the host's part
//! (see the shim's `verifyOnce`), fed by the id and timestamp returned here.

mod error;
mod standard;

pub use error::WebhookError;
pub use standard::{
    StandardWebhooks, Verified, DEFAULT_TOLERANCE_S, MAX_BODY_BYTES, MAX_SIGNATURE_HEADER_BYTES,
};
