//! The one table of error codes: every stable `code` the core (and the JS
//! shim) can emit, with its class and the HTTP status a server should answer
//! when the error is the last word.
//!
//! `pkg/codes.js` and `pkg/codes.d.ts` (the `KosmosErrorCode` union) are
//! generated from [`CODES`] by `tests/codes_table.rs` (checked in; the test
//! fails on any drift, `UPDATE_CODES=1 cargo test --test codes_table`
//! rewrites them), and the same test fails when a code in `src/` or `pkg/` is
//! missing here.

/// What kind of failure a code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeClass {
    /// The caller's input was refused: fix the request.
    BadInput,
    /// A signature, token or message is not authentic (or stale, or replayed).
    NotAuthentic,
    /// The upstream service (1Kosmos, the identity provider) failed or answered oddly.
    Upstream,
    /// A setting of the deployment is wrong: an operator has to fix it.
    Configuration,
    /// A bug or an environment failure.
    Internal,
}

impl CodeClass {
    /// `bad_input`, `not_authentic`, `upstream`, `configuration` or `internal`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadInput => "bad_input",
            Self::NotAuthentic => "not_authentic",
            Self::Upstream => "upstream",
            Self::Configuration => "configuration",
            Self::Internal => "internal",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable snake_case code.
    pub code: &'static str,
    /// What kind of failure it is.
    pub class: CodeClass,
    /// The HTTP status a server answers for it.
    pub http_status: u16,
}

const fn row(code: &'static str, class: CodeClass, http_status: u16) -> CodeInfo {
    CodeInfo {
        code,
        class,
        http_status,
    }
}

use CodeClass::{BadInput, Configuration, Internal, NotAuthentic, Upstream};

/// Every code, once.
pub const CODES: &[CodeInfo] = &[
    // any capability
    row("invalid_argument", BadInput, 400),
    row("internal", Internal, 500),
    row("not_initialized", Configuration, 500),
    row("init_failed", Configuration, 500),
    row("entropy_unavailable", Internal, 500),
    // 1Kosmos requests and results (the API error codes follow the HTTP status 1Kosmos answered)
    row("invalid_input", BadInput, 400),
    row("invalid_request", BadInput, 400),
    row("not_found", BadInput, 404),
    row("conflict", BadInput, 409),
    row("gone", BadInput, 410),
    row("payload_too_large", BadInput, 413),
    row("unauthorized", Configuration, 502),
    row("forbidden", Configuration, 502),
    row("rate_limited", Upstream, 429),
    row("upstream_unavailable", Upstream, 503),
    row("timeout", Upstream, 504),
    row("network_error", Upstream, 502),
    row("api_error", Upstream, 502),
    row("unexpected_status", Upstream, 502),
    row("malformed_response", Upstream, 502),
    row("bad_ciphertext", Upstream, 502),
    row("decrypt_failed", NotAuthentic, 401),
    row("unsupported", Configuration, 501),
    // policies
    row("invalid_policy", Configuration, 500),
    row("invalid_context", BadInput, 400),
    // OIDC federation and step-up: the provider's answers
    row("authorization_error", Upstream, 400),
    row("token_endpoint_error", Upstream, 502),
    row("userinfo_error", Upstream, 502),
    row("sub_mismatch", Upstream, 502),
    row("malformed_challenge", Upstream, 502),
    row("not_a_step_up_challenge", Upstream, 502),
    row("missing_parameter", BadInput, 400),
    row("state_mismatch", NotAuthentic, 400),
    row("insufficient_user_authentication", NotAuthentic, 401),
    // OIDC: ID token (and JWKS key) refusals
    row("token_too_large", NotAuthentic, 401),
    row("malformed_token", NotAuthentic, 401),
    row("alg_none", NotAuthentic, 401),
    row("hmac_alg_rejected", NotAuthentic, 401),
    row("unsupported_alg", NotAuthentic, 401),
    row("alg_not_allowed", NotAuthentic, 401),
    row("unsupported_critical_header", NotAuthentic, 401),
    row("no_matching_key", NotAuthentic, 401),
    row("key_type_mismatch", NotAuthentic, 401),
    row("key_use_forbidden", NotAuthentic, 401),
    row("key_alg_mismatch", NotAuthentic, 401),
    row("key_ops_forbidden", NotAuthentic, 401),
    row("invalid_key", NotAuthentic, 401),
    row("bad_signature", NotAuthentic, 401),
    row("missing_claim", NotAuthentic, 401),
    row("invalid_claim", NotAuthentic, 401),
    row("audience_mismatch", NotAuthentic, 401),
    row("untrusted_audience", NotAuthentic, 401),
    row("azp_mismatch", NotAuthentic, 401),
    row("token_expired", NotAuthentic, 401),
    row("token_not_yet_valid", NotAuthentic, 401),
    row("issued_in_future", NotAuthentic, 401),
    row("nonce_mismatch", NotAuthentic, 401),
    row("acr_not_satisfied", NotAuthentic, 401),
    row("auth_time_too_old", NotAuthentic, 401),
    row("issuer_mismatch", NotAuthentic, 401),
    row("unexpected_typ", NotAuthentic, 401),
    row("hash_mismatch", NotAuthentic, 401),
    // webhooks
    row("missing_header", NotAuthentic, 401),
    row("bad_format", NotAuthentic, 401),
    row("no_matching_signature", NotAuthentic, 401),
    row("timestamp_too_old", NotAuthentic, 401),
    row("timestamp_in_future", NotAuthentic, 401),
    row("duplicate", NotAuthentic, 409),
    row("invalid_secret", Configuration, 500),
    // http message signatures (RFC 9421)
    row("no_signature", NotAuthentic, 401),
    row("unknown_key", NotAuthentic, 401),
    row("missing_component", NotAuthentic, 401),
    row("component_unavailable", NotAuthentic, 401),
    row("digest_mismatch", NotAuthentic, 401),
    row("signature_expired", NotAuthentic, 401),
    // abuse limits of a server (the Worker): the caller is told when to retry
    row("too_many_requests", BadInput, 429),
    row("too_many_open_challenges", BadInput, 429),
    // ownership: a verification read for a user it was not started for
    row("not_owner", NotAuthentic, 403),
];

/// The row of `code`, if it is one of the table.
pub fn code_info(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_once_and_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for c in CODES {
            assert!(seen.insert(c.code), "{} twice", c.code);
            assert!(c.code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert!((400..600).contains(&c.http_status), "{}", c.code);
        }
        assert_eq!(code_info("bad_format").map(|c| c.class), Some(NotAuthentic));
        assert!(code_info("signature_mismatch").is_none());
    }
}
