//! HTTP Message Signatures (RFC 9421), sans-IO: the caller passes the
//! message (method, URL, status, headers), the body and `now`; the verifier
//! says which signature verified and what a replay store must remember.
//!
//! | module | holds |
//! |---|---|
//! | `sf` | RFC 8941 structured fields, parsed and serialized |
//! | `message` | [`Message`] and the signature base (RFC 9421 section 2.5) |
//! | `keys` | keys (JWK, PEM, raw, HMAC) and the five algorithms |
//! | `rsa_private` | RSA private keys (signing); in wasm only with the feature `httpsig-rsa-sign` |
//! | `verify` | [`HttpSigVerifier`]: checks, verification, signing, `Content-Digest` (RFC 9530) |

mod error;
mod keys;
mod message;
mod rsa_private;
mod sf;
mod verify;

pub use error::HttpSigError;
pub use keys::{Algorithm, Key};
pub use message::{Message, MAX_HEADER_VALUE_BYTES};
pub use verify::{
    check_content_digest, content_digest, Alternative, HttpSigVerifier, ReplayKey, Requirement,
    SignRequest, SignedMessage, VerifiedSignature, DEFAULT_HTTPSIG_MAX_AGE_S,
    DEFAULT_HTTPSIG_TOLERANCE_S, MAX_HTTPSIG_HEADER_BYTES, MAX_HTTPSIG_SIGNATURES,
};
