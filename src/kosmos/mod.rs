//! 1Kosmos identity proofing (IDV) and LiveID step-up: request building and
//! result parsing for both wire profiles, sans-IO.
//!
//! `build_*` functions return an [`HttpRequest`](crate::HttpRequest) for the
//! host to send; `parse_*` functions take the HTTP status, headers and body
//! the host received and return a typed result or a [`KosmosError`].
//! [`Profile`] puts verify-v1 and blockid-tenant behind one interface.

mod blockid;
mod envelope;
mod error;
mod events;
mod model;
mod profile;
mod verified_claims;
mod verify_v1;
mod wire;

pub use blockid::{
    build_read_service_public_key, parse_service_public_key, BlockIdConfig, BlockIdTenant,
    CreateDocumentSession,
};
pub use envelope::{Curve, Envelope, PrivateKey, PublicKey, ENVELOPE_IV_BYTES, ENVELOPE_TAG_BYTES};
pub use error::KosmosError;
pub use events::{parse_verification_event, EventKind, EventStatus, VerificationEvent};
pub use model::{
    DocumentType, IalLevel, IdvResult, IdvSession, IdvStatus, LivenessMode, MatchResult,
    StepUpChallenge, StepUpResult, StepUpStatus,
};
pub use profile::{Answer, Call, Operation, Profile, ProfileConfig};
pub use verified_claims::{
    parse_verified_claims, EvidenceType, VerifiedClaims, VerifiedClaimsError, MAX_CHECK_DETAILS,
    MAX_CLAIM_SETS, MAX_EVIDENCE,
};
pub use verify_v1::{
    build_create_idv_session, build_create_step_up, build_read_idv_result,
    build_read_step_up_result, parse_idv_result, parse_idv_session, parse_step_up_challenge,
    parse_step_up_result, CreateIdvSession, CreateStepUp, VerifyV1Config,
    MAX_ACTION_DESCRIPTION_BYTES, MAX_METADATA_ENTRIES, MAX_METADATA_KEY_BYTES,
    MAX_METADATA_VALUE_BYTES, MAX_STEP_UP_EXPIRY_S, MIN_STEP_UP_EXPIRY_S,
};
pub use wire::{MAX_ID_BYTES, MAX_RESPONSE_BYTES};

/// Checks IDV/step-up metadata by the core's limits (entries, key and value
/// bytes, no control characters in keys), as the requests do; for hosts that
/// keep metadata themselves (a LiveID challenge cannot carry it).
pub fn check_metadata(
    metadata: &std::collections::BTreeMap<String, String>,
) -> Result<(), KosmosError> {
    verify_v1::check_metadata(metadata)
}
