//! Errors of webhook verification.

use core::fmt;

use crate::error::ErrorInfo;

/// Why a webhook was rejected or a verifier could not be configured.
///
/// No variant ever carries a secret or an expected signature.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required header is absent.
    MissingHeader(&'static str),
    /// A header is present but not in the expected format.
    BadFormat {
        /// The header concerned.
        header: &'static str,
        /// What is wrong.
        message: String,
    },
    /// No signature in the header matched any configured key.
    NoMatchingSignature,
    /// The timestamp is older than the tolerance.
    TimestampTooOld,
    /// The timestamp is further in the future than the tolerance.
    TimestampInFuture,
    /// The body or a header exceeds its size bound.
    PayloadTooLarge {
        /// What was too large.
        what: &'static str,
        /// The bound, in bytes.
        limit: usize,
    },
    /// A configured secret or key is not usable.
    InvalidSecret(String),
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader(h) => write!(f, "missing header `{h}`"),
            Self::BadFormat { header, message } => {
                write!(f, "header `{header}` is malformed: {message}")
            }
            Self::NoMatchingSignature => f.write_str("no signature matches any configured key"),
            Self::TimestampTooOld => f.write_str("the message timestamp is too old"),
            Self::TimestampInFuture => {
                f.write_str("the message timestamp is too far in the future")
            }
            Self::PayloadTooLarge { what, limit } => write!(f, "{what} exceeds {limit} bytes"),
            Self::InvalidSecret(m) => write!(f, "invalid webhook secret: {m}"),
        }
    }
}

impl ErrorInfo for WebhookError {
    fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader(_) => "missing_header",
            Self::BadFormat { .. } => "bad_format",
            Self::NoMatchingSignature => "no_matching_signature",
            Self::TimestampTooOld => "timestamp_too_old",
            Self::TimestampInFuture => "timestamp_in_future",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::InvalidSecret(_) => "invalid_secret",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::MissingHeader(h) | Self::BadFormat { header: h, .. } => Some(h),
            _ => None,
        }
    }
}
