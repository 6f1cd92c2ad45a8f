//! # kosmos-connect
//!
//! Verified identity for sign-up, login and high-risk actions: the core that
//! connects Descope flows, Cloudflare Workers, Salesforce Lightning and Node
//! to 1Kosmos identity proofing (IDV) and LiveID biometric step-up.
//!
//! The core is **sans-IO and deterministic**. It never opens a socket, reads
//! a clock or draws randomness of its own:
//!
//! ```text
//!   inputs (config, request data, now, entropy)  -->  build_*   --> HttpRequest (host sends it)
//!   (status, headers, body) the host received   -->  parse_*   --> typed result | error
//!   policy JSON --> Policy::compile --> Policy.decide(context) --> Decision + reasons
//!   (headers, raw body, now)                     -->  verify    --> Verified { id, timestamp, remember_until } | error
//!   (id_token, jwks, expectations, now)          -->  validate_id_token --> VerifiedIdToken | error
//!   (IDV or step-up result, requirement)         -->  idv_verdict / step_up_verdict --> Verdict
//! ```
//!
//! Every fallible function returns an error with a stable machine `code`;
//! no input makes the core panic. Secrets never appear in errors or `Debug`.
//! The WebAssembly bindings live in the `wasm` module alone.

mod codes;
mod entropy;
mod error;
mod ffi;
mod http;
mod httpsig;
mod kosmos;
mod oidc;
mod policy;
mod retry;
mod salesforce;
mod secret;
mod slots;
mod verdict;
mod webhook;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use codes::{code_info, CodeClass, CodeInfo, CODES};
pub use entropy::{Entropy, EntropyUnavailable, SystemEntropy};
pub use error::{Error, ErrorInfo};
pub use ffi::{
    check_metadata_json, idv_verdict_json, next_attempt_json, open_slot_json, parse_ial,
    parse_verification_event_json, salesforce_records_json, step_up_verdict_json,
};
pub use http::{join_url, HttpRequest};
pub use httpsig::{
    check_content_digest, content_digest, Algorithm as HttpSigAlgorithm, Alternative, HttpSigError,
    HttpSigVerifier, Key as HttpSigKey, Message as HttpMessage, ReplayKey, Requirement,
    SignRequest, SignedMessage, VerifiedSignature, DEFAULT_HTTPSIG_MAX_AGE_S,
    DEFAULT_HTTPSIG_TOLERANCE_S, MAX_HEADER_VALUE_BYTES as MAX_HTTPSIG_VALUE_BYTES,
    MAX_HTTPSIG_HEADER_BYTES, MAX_HTTPSIG_SIGNATURES,
};
pub use kosmos::{
    build_create_idv_session, build_create_step_up, build_read_idv_result,
    build_read_service_public_key, build_read_step_up_result, check_metadata, parse_idv_result,
    parse_idv_session, parse_service_public_key, parse_step_up_challenge, parse_step_up_result,
    parse_verification_event, parse_verified_claims, Answer, BlockIdConfig, BlockIdTenant, Call,
    CreateDocumentSession, CreateIdvSession, CreateStepUp, Curve, DocumentType, Envelope,
    EventKind, EventStatus, EvidenceType, IalLevel, IdvResult, IdvSession, IdvStatus, KosmosError,
    LivenessMode, MatchResult, Operation, PrivateKey, Profile, ProfileConfig, PublicKey,
    StepUpChallenge, StepUpResult, StepUpStatus, VerificationEvent, VerifiedClaims,
    VerifiedClaimsError, VerifyV1Config, ENVELOPE_IV_BYTES, ENVELOPE_TAG_BYTES,
    MAX_ACTION_DESCRIPTION_BYTES, MAX_CHECK_DETAILS, MAX_CLAIM_SETS, MAX_EVIDENCE, MAX_ID_BYTES,
    MAX_METADATA_ENTRIES, MAX_METADATA_KEY_BYTES, MAX_METADATA_VALUE_BYTES, MAX_RESPONSE_BYTES,
    MAX_STEP_UP_EXPIRY_S, MIN_STEP_UP_EXPIRY_S,
};
pub use oidc::{
    build_authn_challenge, build_authorization_request, build_discovery_request,
    build_jwks_request, build_token_request, build_userinfo_request, parse_authn_challenge,
    parse_callback, parse_discovery, parse_jwks, parse_token_response, parse_userinfo_response,
    validate_id_token, AuthnChallenge, AuthorizationRequest, AuthorizationResponse,
    AuthorizationStart, ClientAssertionAudience, ClientKey, IdTokenExpectations, Jwks,
    KeyRestriction, OidcClient, OidcError, PendingAuthorization, ProviderMetadata,
    TokenEndpointAuthMethod, TokenResponse, UserInfo, VerifiedClaimsRequest, VerifiedIdToken,
    CLIENT_ASSERTION_LIFETIME_S, CLIENT_ASSERTION_TYPE, DEFAULT_CLOCK_SKEW_S,
    INSUFFICIENT_USER_AUTHENTICATION, MAX_CALLBACK_BYTES, MAX_CLOCK_SKEW_S, MAX_DISCOVERY_BYTES,
    MAX_ID_TOKEN_BYTES, MAX_JWKS_BYTES, MAX_JWKS_KEYS, MAX_TOKEN_RESPONSE_BYTES,
    MAX_USERINFO_BYTES, MIN_RSA_BITS,
};
pub use policy::{
    context_from_descope, context_from_salesforce, Currency, Decision, DecisionKind, Outcome,
    Policy, PolicyError, Problem, StepUpRequirement, DEFAULT_MAX_SPEED_KMH, MAX_CONDITION_DEPTH,
    MAX_POLICY_BYTES,
};
/// The policy author's tools: validate, test, coverage, diff, format, and
/// the decision-log records `diff` reads back.
pub mod policy_tools {
    pub use crate::policy::{
        coverage, diff, format, log_record, reduce_context, run_tests, validate, Branch,
        CaseResult, Coverage, Example, Finding, Impact, LogConfig, Mismatch, Move, RuleCoverage,
        TestReport, Validation, MAX_CASES, MAX_DIFF_LINES, MAX_LOG_RECORD_BYTES,
    };
}
pub use retry::{
    is_retryable_status, parse_retry_after, Failure, RetryError, RetryPolicy,
    MAX_RETRY_AFTER_READ_S,
};
pub use salesforce::{
    event_verdict, external_id, is_salesforce_id, salesforce_records, Delivery, SalesforceRecords,
    MAX_LABEL_CHARS as MAX_SALESFORCE_LABEL_CHARS, MAX_REASON_CHARS as MAX_SALESFORCE_REASON_CHARS,
    MAX_SUBJECT_CHARS as MAX_SALESFORCE_SUBJECT_CHARS,
};
pub use secret::Secret;
pub use slots::{open_slot, OpenSlot, SlotDecision};
pub use verdict::{
    idv_verdict, read_ial, step_up_verdict, Verdict, VerdictError, VerdictOutcome, VerdictReason,
};
pub use webhook::{
    DescopeConfig, JsonRestringify, Prepared, SecretEncoding, Sha256HexConfig, StandardConfig,
    StandardWebhooks, TimestampedHexConfig, Verified, Verifier, VerifierConfig, WebhookError,
    DEFAULT_REPLAY_WINDOW_S, DEFAULT_TOLERANCE_S, MAX_BODY_BYTES, MAX_HEADER_BYTES,
    MAX_ID_BYTES as MAX_WEBHOOK_ID_BYTES, MAX_JSON_DEPTH, MAX_SECRETS, MAX_SIGNATURES,
    MAX_WINDOW_S,
};
