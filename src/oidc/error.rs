//! Errors of OIDC federation: building requests, reading the provider's
//! answers, validating ID tokens and step-up challenges.

use core::fmt;

use crate::error::ErrorInfo;

/// What a key's own parameters forbid, when a token names a key it may not use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRestriction {
    /// The key's `use` is not `sig`.
    Use,
    /// The key's `alg` is not the token's `alg`.
    Alg,
    /// The key's `key_ops` does not include `verify`.
    KeyOps,
}

/// Why an OIDC step could not be built, or an answer was rejected.
///
/// No variant ever carries a client secret, a code verifier, an access token
/// or key material. Values chosen by the provider or by whoever crafted a
/// callback URL are shortened and shown in backticks.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum OidcError {
    /// An input to a `build_*` function, or a configuration value, was not acceptable.
    InvalidInput {
        /// The input field, dotted.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A discovery document, JWKS or token response is not what the specs promise.
    MalformedResponse {
        /// What was wrong, naming the document and the member.
        what: String,
    },
    /// The provider answered a discovery or JWKS request with a non-2xx status.
    UnexpectedStatus {
        /// Which document was asked for (`discovery`, `jwks`).
        what: &'static str,
        /// The HTTP status.
        status: u16,
    },
    /// The authorization response carried `error` (the user cancelled, the
    /// provider could not authenticate at the required level, ...).
    Authorization {
        /// The OAuth `error` code, e.g. `access_denied`, `login_required`,
        /// `unmet_authentication_requirements`.
        error: String,
        /// The provider's `error_description`, shortened.
        description: Option<String>,
        /// The provider's `error_uri`.
        uri: Option<String>,
    },
    /// The token endpoint refused the code exchange.
    TokenEndpoint {
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code (`invalid_grant`, `invalid_client`, ...), if sent.
        error: Option<String>,
        /// The provider's `error_description`, shortened.
        description: Option<String>,
        /// Whether sending the same request again can help (5xx, 429, `temporarily_unavailable`).
        retryable: bool,
    },
    /// A required parameter is absent from the callback.
    MissingParameter(&'static str),
    /// The callback's `state` does not belong to this authorization.
    StateMismatch,
    /// The issuer named by the callback (`iss`) or the ID token does not match the provider.
    IssuerMismatch {
        /// `iss` (callback) or `claims.iss` (ID token).
        field: &'static str,
    },
    /// The ID token exceeds [`crate::MAX_ID_TOKEN_BYTES`].
    TokenTooLarge {
        /// The bound, in bytes.
        limit: usize,
    },
    /// The ID token is not a well-formed JWS compact serialization.
    MalformedToken(String),
    /// The token is unsecured (`alg: none`).
    AlgNone,
    /// The token uses an HMAC algorithm, which the provider's asymmetric keys can never verify.
    HmacAlg {
        /// The token's `alg`.
        alg: String,
    },
    /// The token's algorithm is not one this library verifies.
    UnsupportedAlg {
        /// The token's `alg`.
        alg: String,
    },
    /// The token's algorithm is not in the configured allow-list.
    AlgNotAllowed {
        /// The token's `alg`.
        alg: String,
    },
    /// The token's `typ` header says it is another kind of JWT (an access
    /// token, a logout token, a DPoP proof, JSON serialization, ...).
    UnexpectedTyp {
        /// The token's `typ`, shortened.
        typ: String,
    },
    /// `at_hash` or `c_hash` does not match the access token or the code
    /// the token was issued with.
    HashMismatch {
        /// `at_hash` or `c_hash`.
        claim: &'static str,
    },
    /// The UserInfo response's `sub` is not the ID token's `sub`
    /// (OpenID Connect Core 1.0 section 5.3.4): the answer must not be used.
    SubMismatch,
    /// The UserInfo endpoint refused the request. With
    /// `error="insufficient_user_authentication"` in `WWW-Authenticate`
    /// (RFC 9470), `challenge` says what a fresh step-up must satisfy.
    UserInfoEndpoint {
        /// The HTTP status.
        status: u16,
        /// The Bearer challenge's `error` (`invalid_token`, `insufficient_scope`, ...), if sent.
        error: Option<String>,
        /// The challenge's `error_description`, shortened.
        description: Option<String>,
        /// The step-up the resource asks for, when `error` is `insufficient_user_authentication`.
        challenge: Option<Box<super::AuthnChallenge>>,
    },
    /// The token lists a critical header extension this library does not understand.
    UnsupportedCritical(String),
    /// No key in the JWKS fits the token (the provider may have rotated keys: fetch the JWKS again).
    NoMatchingKey {
        /// The token's `kid`, if it had one.
        kid: Option<String>,
    },
    /// The key the token names is of a type that cannot verify the token's `alg`.
    KeyTypeMismatch {
        /// The token's `kid`.
        kid: String,
        /// The token's `alg`.
        alg: String,
    },
    /// The key's own `use`, `alg` or `key_ops` forbids verifying this token.
    KeyForbidden {
        /// The key's `kid`, if it has one.
        kid: Option<String>,
        /// Which parameter forbids it.
        restriction: KeyRestriction,
    },
    /// The selected key is unusable (malformed, too weak, private material present).
    InvalidKey {
        /// The key's `kid`, if it has one.
        kid: Option<String>,
        /// What is wrong with it.
        message: String,
    },
    /// The signature does not verify.
    BadSignature,
    /// A claim the checks need is absent.
    MissingClaim(&'static str),
    /// A claim has the wrong type or an impossible value.
    InvalidClaim {
        /// The claim name.
        claim: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// `aud` does not contain the client id.
    AudienceMismatch,
    /// `aud` contains an audience the client does not trust.
    UntrustedAudience(String),
    /// `azp` is absent although there are several audiences, or is not the client id.
    AzpMismatch,
    /// `exp` has passed (beyond the clock skew).
    Expired {
        /// The token's `exp`.
        exp: u64,
    },
    /// `nbf` is in the future (beyond the clock skew).
    NotYetValid {
        /// The token's `nbf`.
        nbf: u64,
    },
    /// `iat` is in the future (beyond the clock skew).
    IssuedInFuture {
        /// The token's `iat`.
        iat: u64,
    },
    /// `nonce` is absent or is not the one sent with the authorization request.
    NonceMismatch,
    /// `acr` is absent or is not one of the required values.
    AcrNotSatisfied {
        /// The token's `acr`, if any.
        acr: Option<String>,
        /// The values that would have been accepted.
        required: Vec<String>,
    },
    /// `auth_time` is older than `max_age` allows (beyond the clock skew).
    AuthTooOld {
        /// The token's `auth_time`.
        auth_time: u64,
        /// The `max_age` asked for.
        max_age: u64,
    },
    /// A `WWW-Authenticate` value is not valid challenge syntax.
    MalformedChallenge(String),
    /// `WWW-Authenticate` holds no Bearer challenge with `error="insufficient_user_authentication"`.
    NotAuthnChallenge,
    /// The platform had no secure randomness for state, nonce or PKCE verifier.
    EntropyUnavailable,
}

impl OidcError {
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn malformed(what: impl Into<String>) -> Self {
        Self::MalformedResponse { what: what.into() }
    }

    pub(crate) fn invalid_claim(claim: &'static str, message: impl Into<String>) -> Self {
        Self::InvalidClaim {
            claim,
            message: message.into(),
        }
    }

    /// Whether retrying the same request may succeed.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Self::TokenEndpoint {
                retryable: true,
                ..
            }
        ) || matches!(self, Self::UnexpectedStatus { status, .. } | Self::UserInfoEndpoint { status, .. } if *status == 429 || *status >= 500)
    }
}

/// `s` shortened to 80 characters, for messages that quote outside input.
pub(crate) fn short(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// Outside text made safe to show: control characters dropped, at most 200 characters.
pub(crate) fn sanitize(s: &str) -> String {
    s.chars().filter(|c| !c.is_control()).take(200).collect()
}

impl fmt::Display for OidcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput { field, message } => write!(f, "invalid `{field}`: {message}"),
            Self::MalformedResponse { what } => write!(f, "malformed provider response: {what}"),
            Self::UnexpectedStatus { what, status } => {
                write!(f, "the provider answered the {what} request with http {status}")
            }
            Self::Authorization {
                error, description, ..
            } => {
                write!(f, "the provider refused the authorization: `{error}`")?;
                match description {
                    Some(d) => write!(f, " (`{d}`)"),
                    None => Ok(()),
                }
            }
            Self::TokenEndpoint {
                status,
                error,
                description,
                ..
            } => {
                write!(f, "the token endpoint answered http {status}")?;
                if let Some(e) = error {
                    write!(f, ": `{e}`")?;
                }
                match description {
                    Some(d) => write!(f, " (`{d}`)"),
                    None => Ok(()),
                }
            }
            Self::MissingParameter(p) => write!(f, "the callback has no `{p}` parameter"),
            Self::StateMismatch => {
                f.write_str("the callback `state` does not match this authorization")
            }
            Self::IssuerMismatch { field } => {
                write!(f, "`{field}` does not name the expected issuer")
            }
            Self::TokenTooLarge { limit } => write!(f, "the id token exceeds {limit} bytes"),
            Self::MalformedToken(m) => write!(f, "the id token is malformed: {m}"),
            Self::AlgNone => f.write_str("the id token is unsecured (`alg` is `none`)"),
            Self::HmacAlg { alg } => write!(
                f,
                "the id token uses the hmac algorithm `{alg}`, which is never accepted with the provider's asymmetric keys"
            ),
            Self::UnsupportedAlg { alg } => {
                write!(f, "the id token algorithm `{alg}` is not supported")
            }
            Self::AlgNotAllowed { alg } => {
                write!(f, "the id token algorithm `{alg}` is not in the allowed list")
            }
            Self::UnexpectedTyp { typ } => write!(
                f,
                "the token `typ` `{typ}` is not an id token type (`JWT` or `application/jwt`)"
            ),
            Self::HashMismatch { claim } => {
                let of = if *claim == "c_hash" {
                    "authorization code"
                } else {
                    "access token"
                };
                write!(f, "the id token `{claim}` does not match the {of}")
            }
            Self::SubMismatch => {
                f.write_str("the userinfo `sub` is not the id token's `sub`")
            }
            Self::UserInfoEndpoint {
                status,
                error,
                description,
                ..
            } => {
                write!(f, "the userinfo endpoint answered http {status}")?;
                if let Some(e) = error {
                    write!(f, ": `{e}`")?;
                }
                match description {
                    Some(d) => write!(f, " (`{d}`)"),
                    None => Ok(()),
                }
            }
            Self::UnsupportedCritical(name) => {
                write!(f, "the id token requires the unsupported header extension `{name}`")
            }
            Self::NoMatchingKey { kid: Some(kid) } => write!(
                f,
                "no key in the jwks has kid `{kid}` (the provider may have rotated its keys)"
            ),
            Self::NoMatchingKey { kid: None } => {
                f.write_str("no key in the jwks fits the id token algorithm")
            }
            Self::KeyTypeMismatch { kid, alg } => {
                write!(f, "the key `{kid}` cannot verify `{alg}` signatures")
            }
            Self::KeyForbidden { kid, restriction } => {
                let what = match restriction {
                    KeyRestriction::Use => "its `use` is not `sig`",
                    KeyRestriction::Alg => "its `alg` differs from the token's",
                    KeyRestriction::KeyOps => "its `key_ops` does not include `verify`",
                };
                match kid {
                    Some(kid) => write!(f, "the key `{kid}` may not verify this token: {what}"),
                    None => write!(f, "the only fitting key may not verify this token: {what}"),
                }
            }
            Self::InvalidKey { kid, message } => match kid {
                Some(kid) => write!(f, "the key `{kid}` is unusable: {message}"),
                None => write!(f, "the key is unusable: {message}"),
            },
            Self::BadSignature => f.write_str("the id token signature does not verify"),
            Self::MissingClaim(c) => write!(f, "the id token has no `{c}` claim"),
            Self::InvalidClaim { claim, message } => {
                write!(f, "the id token claim `{claim}` is invalid: {message}")
            }
            Self::AudienceMismatch => f.write_str("the id token `aud` does not contain the client id"),
            Self::UntrustedAudience(aud) => {
                write!(f, "the id token `aud` contains the untrusted audience `{aud}`")
            }
            Self::AzpMismatch => f.write_str(
                "the id token `azp` must be present and equal to the client id when there are several audiences",
            ),
            Self::Expired { .. } => f.write_str("the id token has expired"),
            Self::NotYetValid { .. } => f.write_str("the id token is not valid yet (`nbf`)"),
            Self::IssuedInFuture { .. } => f.write_str("the id token was issued in the future (`iat`)"),
            Self::NonceMismatch => {
                f.write_str("the id token `nonce` does not match the authorization request")
            }
            Self::AcrNotSatisfied { acr: Some(acr), .. } => {
                write!(f, "the id token `acr` `{acr}` is not one of the required values")
            }
            Self::AcrNotSatisfied { acr: None, .. } => {
                f.write_str("the id token has no `acr` although one is required")
            }
            Self::AuthTooOld { max_age, .. } => write!(
                f,
                "the user authenticated longer ago than `max_age` ({max_age} s) allows"
            ),
            Self::MalformedChallenge(m) => write!(f, "malformed `www-authenticate` value: {m}"),
            Self::NotAuthnChallenge => f.write_str(
                "`www-authenticate` has no bearer challenge with `insufficient_user_authentication`",
            ),
            Self::EntropyUnavailable => f.write_str("no secure random source is available"),
        }
    }
}

impl ErrorInfo for OidcError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "invalid_input",
            Self::MalformedResponse { .. } => "malformed_response",
            Self::UnexpectedStatus { .. } => "unexpected_status",
            Self::Authorization { .. } => "authorization_error",
            Self::TokenEndpoint { .. } => "token_endpoint_error",
            Self::MissingParameter(_) => "missing_parameter",
            Self::StateMismatch => "state_mismatch",
            Self::IssuerMismatch { .. } => "issuer_mismatch",
            Self::TokenTooLarge { .. } => "token_too_large",
            Self::MalformedToken(_) => "malformed_token",
            Self::AlgNone => "alg_none",
            Self::HmacAlg { .. } => "hmac_alg_rejected",
            Self::UnsupportedAlg { .. } => "unsupported_alg",
            Self::AlgNotAllowed { .. } => "alg_not_allowed",
            Self::UnsupportedCritical(_) => "unsupported_critical_header",
            Self::UnexpectedTyp { .. } => "unexpected_typ",
            Self::HashMismatch { .. } => "hash_mismatch",
            Self::SubMismatch => "sub_mismatch",
            Self::UserInfoEndpoint {
                challenge: Some(_), ..
            } => "insufficient_user_authentication",
            Self::UserInfoEndpoint { .. } => "userinfo_error",
            Self::NoMatchingKey { .. } => "no_matching_key",
            Self::KeyTypeMismatch { .. } => "key_type_mismatch",
            Self::KeyForbidden {
                restriction: KeyRestriction::Use,
                ..
            } => "key_use_forbidden",
            Self::KeyForbidden {
                restriction: KeyRestriction::Alg,
                ..
            } => "key_alg_mismatch",
            Self::KeyForbidden {
                restriction: KeyRestriction::KeyOps,
                ..
            } => "key_ops_forbidden",
            Self::InvalidKey { .. } => "invalid_key",
            Self::BadSignature => "bad_signature",
            Self::MissingClaim(_) => "missing_claim",
            Self::InvalidClaim { .. } => "invalid_claim",
            Self::AudienceMismatch => "audience_mismatch",
            Self::UntrustedAudience(_) => "untrusted_audience",
            Self::AzpMismatch => "azp_mismatch",
            Self::Expired { .. } => "token_expired",
            Self::NotYetValid { .. } => "token_not_yet_valid",
            Self::IssuedInFuture { .. } => "issued_in_future",
            Self::NonceMismatch => "nonce_mismatch",
            Self::AcrNotSatisfied { .. } => "acr_not_satisfied",
            Self::AuthTooOld { .. } => "auth_time_too_old",
            Self::MalformedChallenge(_) => "malformed_challenge",
            Self::NotAuthnChallenge => "not_a_step_up_challenge",
            Self::EntropyUnavailable => "entropy_unavailable",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::InvalidInput { field, .. } => Some(field),
            Self::MissingParameter(p) => Some(p),
            Self::StateMismatch => Some("state"),
            Self::IssuerMismatch { field } => Some(field),
            Self::AlgNone
            | Self::HmacAlg { .. }
            | Self::UnsupportedAlg { .. }
            | Self::AlgNotAllowed { .. } => Some("header.alg"),
            Self::UnsupportedCritical(_) => Some("header.crit"),
            Self::UnexpectedTyp { .. } => Some("header.typ"),
            Self::HashMismatch { claim } => Some(claim_field(claim)),
            Self::SubMismatch => Some("sub"),
            Self::NoMatchingKey { .. } | Self::KeyTypeMismatch { .. } => Some("header.kid"),
            Self::MissingClaim(c) | Self::InvalidClaim { claim: c, .. } => Some(claim_field(c)),
            Self::AudienceMismatch | Self::UntrustedAudience(_) => Some("claims.aud"),
            Self::AzpMismatch => Some("claims.azp"),
            Self::Expired { .. } => Some("claims.exp"),
            Self::NotYetValid { .. } => Some("claims.nbf"),
            Self::IssuedInFuture { .. } => Some("claims.iat"),
            Self::NonceMismatch => Some("claims.nonce"),
            Self::AcrNotSatisfied { .. } => Some("claims.acr"),
            Self::AuthTooOld { .. } => Some("claims.auth_time"),
            _ => None,
        }
    }

    fn details(&self) -> Option<serde_json::Value> {
        use serde_json::json;
        match self {
            Self::UnexpectedStatus { status, .. } => Some(json!({
                "status": status,
                "retryable": self.retryable(),
            })),
            Self::Authorization {
                error,
                description,
                uri,
            } => Some(json!({
                "error": error,
                "error_description": description,
                "error_uri": uri,
            })),
            Self::TokenEndpoint {
                status,
                error,
                description,
                retryable,
            } => Some(json!({
                "status": status,
                "error": error,
                "error_description": description,
                "retryable": retryable,
            })),
            Self::UserInfoEndpoint {
                status,
                error,
                description,
                challenge,
            } => {
                let mut details = json!({
                    "status": status,
                    "error": error,
                    "error_description": description,
                    "retryable": self.retryable(),
                });
                if let (Some(c), Some(map)) = (challenge, details.as_object_mut()) {
                    map.insert(
                        "acr_values".into(),
                        serde_json::Value::from(c.acr_values.clone()),
                    );
                    map.insert("max_age".into(), serde_json::Value::from(c.max_age));
                }
                Some(details)
            }
            Self::UnexpectedTyp { typ } => Some(json!({ "typ": typ })),
            Self::HashMismatch { claim } => Some(json!({ "claim": claim })),
            Self::NoMatchingKey { kid } => Some(json!({ "kid": kid, "refresh_jwks": true })),
            Self::KeyForbidden { kid, .. } | Self::InvalidKey { kid, .. } => {
                Some(json!({ "kid": kid }))
            }
            Self::KeyTypeMismatch { kid, alg } => Some(json!({ "kid": kid, "alg": alg })),
            Self::Expired { exp } => Some(json!({ "exp": exp })),
            Self::NotYetValid { nbf } => Some(json!({ "nbf": nbf })),
            Self::IssuedInFuture { iat } => Some(json!({ "iat": iat })),
            Self::AcrNotSatisfied { acr, required } => {
                Some(json!({ "acr": acr, "required": required }))
            }
            Self::AuthTooOld { auth_time, max_age } => {
                Some(json!({ "auth_time": auth_time, "max_age": max_age }))
            }
            _ => None,
        }
    }
}

/// The dotted field of a claim, as a static string.
fn claim_field(claim: &str) -> &'static str {
    match claim {
        "iss" => "claims.iss",
        "sub" => "claims.sub",
        "aud" => "claims.aud",
        "azp" => "claims.azp",
        "exp" => "claims.exp",
        "iat" => "claims.iat",
        "nbf" => "claims.nbf",
        "nonce" => "claims.nonce",
        "acr" => "claims.acr",
        "amr" => "claims.amr",
        "auth_time" => "claims.auth_time",
        "at_hash" => "claims.at_hash",
        "c_hash" => "claims.c_hash",
        "verified_claims" => "claims.verified_claims",
        _ => "claims",
    }
}
