//! Errors of HTTP message signatures (RFC 9421).

use core::fmt;

use crate::error::ErrorInfo;

/// Why a signed HTTP message was refused, or a signer or verifier could not
/// be configured.
///
/// No variant ever carries a key, a secret or an expected signature. Codes:
///
/// | variant | code |
/// |---|---|
/// | [`MissingHeader`](Self::MissingHeader) | `missing_header` |
/// | [`BadFormat`](Self::BadFormat) | `bad_format` |
/// | [`NoSignature`](Self::NoSignature) | `no_signature` |
/// | [`UnknownKey`](Self::UnknownKey) | `unknown_key` |
/// | [`MissingComponent`](Self::MissingComponent) | `missing_component` |
/// | [`ComponentUnavailable`](Self::ComponentUnavailable) | `component_unavailable` |
/// | [`MissingParameter`](Self::MissingParameter) | `missing_parameter` |
/// | [`Unsupported`](Self::Unsupported) | `unsupported` |
/// | [`BadSignature`](Self::BadSignature) | `bad_signature` |
/// | [`DigestMismatch`](Self::DigestMismatch) | `digest_mismatch` |
/// | [`CreatedTooOld`](Self::CreatedTooOld) | `timestamp_too_old` |
/// | [`CreatedInFuture`](Self::CreatedInFuture) | `timestamp_in_future` |
/// | [`Expired`](Self::Expired) | `signature_expired` |
/// | [`PayloadTooLarge`](Self::PayloadTooLarge) | `payload_too_large` |
/// | [`InvalidKey`](Self::InvalidKey) | `invalid_key` |
/// | [`EntropyUnavailable`](Self::EntropyUnavailable) | `entropy_unavailable` |
/// | [`InvalidConfig`](Self::InvalidConfig) | `invalid_argument` |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpSigError {
    /// `Signature-Input` or `Signature` is absent (the header name, lowercase).
    MissingHeader(&'static str),
    /// A header or component is not in the format RFC 8941 / RFC 9421 require.
    BadFormat {
        /// The header or component concerned.
        what: String,
        /// What is wrong.
        message: String,
    },
    /// No signature under the expected label, or a label in one header
    /// without its counterpart in the other.
    NoSignature(String),
    /// The signature's `keyid` names no configured key (or has none).
    UnknownKey(String),
    /// A component the verifier requires is not covered by the signature.
    MissingComponent(String),
    /// A covered component is not present in the message.
    ComponentUnavailable(String),
    /// A signature parameter the verifier requires (`created`, `expires`,
    /// `nonce`, `keyid`) is absent.
    MissingParameter(&'static str),
    /// An algorithm, component parameter or digest algorithm this
    /// implementation does not support or the configuration does not allow.
    Unsupported(String),
    /// The signature does not verify with the key.
    BadSignature,
    /// `Content-Digest` does not match the body.
    DigestMismatch,
    /// `created` is older than the allowed age.
    CreatedTooOld,
    /// `created` is further in the future than the clock tolerance.
    CreatedInFuture,
    /// `expires` has passed.
    Expired,
    /// A header, the body or a list exceeds its bound.
    PayloadTooLarge {
        /// What was too large.
        what: &'static str,
        /// The bound.
        limit: usize,
    },
    /// A configured key is not usable (never shows the key).
    InvalidKey(String),
    /// Signing needed randomness (RSA-PSS) and the platform had none.
    EntropyUnavailable,
    /// The configuration or a signing request is unusable.
    InvalidConfig {
        /// The field concerned.
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl HttpSigError {
    pub(crate) fn bad_format(what: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadFormat {
            what: what.into(),
            message: message.into(),
        }
    }

    pub(crate) fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::InvalidConfig {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for HttpSigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader(h) => write!(f, "missing header `{h}`"),
            Self::BadFormat { what, message } => write!(f, "`{what}` is malformed: {message}"),
            Self::NoSignature(m) => write!(f, "no usable signature: {m}"),
            Self::UnknownKey(k) => write!(f, "no configured key has the keyid `{k}`"),
            Self::MissingComponent(c) => {
                write!(
                    f,
                    "the signature does not cover the required component `{c}`"
                )
            }
            Self::ComponentUnavailable(c) => {
                write!(f, "the covered component `{c}` is not in the message")
            }
            Self::MissingParameter(p) => {
                write!(f, "the signature lacks the required parameter `{p}`")
            }
            Self::Unsupported(m) => write!(f, "unsupported: {m}"),
            Self::BadSignature => f.write_str("the signature does not verify"),
            Self::DigestMismatch => f.write_str("`content-digest` does not match the body"),
            Self::CreatedTooOld => f.write_str("the signature was created too long ago"),
            Self::CreatedInFuture => {
                f.write_str("the signature's `created` time is too far in the future")
            }
            Self::Expired => f.write_str("the signature has expired"),
            Self::PayloadTooLarge { what, limit } => write!(f, "{what} exceeds {limit}"),
            Self::InvalidKey(m) => write!(f, "invalid signature key: {m}"),
            Self::EntropyUnavailable => f.write_str("no secure randomness is available"),
            Self::InvalidConfig { field, message } => {
                write!(
                    f,
                    "invalid http signature configuration `{field}`: {message}"
                )
            }
        }
    }
}

impl std::error::Error for HttpSigError {}

impl ErrorInfo for HttpSigError {
    fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader(_) => "missing_header",
            Self::BadFormat { .. } => "bad_format",
            Self::NoSignature(_) => "no_signature",
            Self::UnknownKey(_) => "unknown_key",
            Self::MissingComponent(_) => "missing_component",
            Self::ComponentUnavailable(_) => "component_unavailable",
            Self::MissingParameter(_) => "missing_parameter",
            Self::Unsupported(_) => "unsupported",
            Self::BadSignature => "bad_signature",
            Self::DigestMismatch => "digest_mismatch",
            Self::CreatedTooOld => "timestamp_too_old",
            Self::CreatedInFuture => "timestamp_in_future",
            Self::Expired => "signature_expired",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::InvalidKey(_) => "invalid_key",
            Self::EntropyUnavailable => "entropy_unavailable",
            Self::InvalidConfig { .. } => "invalid_argument",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::MissingHeader(h) => Some(h),
            Self::BadFormat { what, .. } => Some(what),
            Self::MissingComponent(c) | Self::ComponentUnavailable(c) => Some(c),
            Self::MissingParameter(p) => Some(p),
            Self::InvalidConfig { field, .. } => Some(field),
            _ => None,
        }
    }
}
