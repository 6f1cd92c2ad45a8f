//! 1Kosmos identity proofing (IDV) and LiveID step-up: request building and
//! result parsing, sans-IO.
//!
//! `build_*` functions return an [`HttpRequest`](crate::HttpRequest) for the
//! host to send; `parse_*` functions take the HTTP status, headers and body
//! the host received and return a typed result or a [`KosmosError`].

mod error;
mod verify_v1;

pub use error::KosmosError;
pub use verify_v1::{
    build_create_idv_session, parse_idv_result, CreateIdvSession, DocumentType, IalLevel,
    IdvResult, IdvStatus, LivenessMode, VerifyV1Config, MAX_METADATA_ENTRIES,
    MAX_METADATA_KEY_BYTES, MAX_METADATA_VALUE_BYTES,
};
