//! Errors of webhook verification.

use core::fmt;

use crate::error::ErrorInfo;

/// Why a webhook was rejected or a verifier could not be configured.
///
/// No variant ever carries a secret or an expected signature. Codes:
///
/// | variant | code |
/// |---|---|
/// | [`MissingHeader`](Self::MissingHeader) | `missing_header` |
/// | [`BadFormat`](Self::BadFormat) | `bad_format` |
/// | [`NoMatchingSignature`](Self::NoMatchingSignature) | `no_matching_signature` |
/// | [`TimestampTooOld`](Self::TimestampTooOld) | `timestamp_too_old` |
/// | [`TimestampInFuture`](Self::TimestampInFuture) | `timestamp_in_future` |
/// | [`Duplicate`](Self::Duplicate) | `duplicate` |
/// | [`PayloadTooLarge`](Self::PayloadTooLarge) | `payload_too_large` |
/// | [`InvalidSecret`](Self::InvalidSecret) | `invalid_secret` |
/// | [`InvalidConfig`](Self::InvalidConfig) | `invalid_argument` |
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// A required header is absent (the header name, lowercase).
    MissingHeader(String),
    /// A header is present but not in the expected format.
    BadFormat {
        /// The header concerned, lowercase.
        header: String,
        /// What is wrong.
        message: String,
    },
    /// No signature in the header matched any configured key.
    NoMatchingSignature,
    /// The timestamp is older than the tolerance.
    TimestampTooOld,
    /// The timestamp is further in the future than the tolerance.
    TimestampInFuture,
    /// The message id was seen before. Never returned by the core, which
    /// keeps no state: the code is reserved for the host's replay store (the
    /// JS shim's `verifyOnce` reports a duplicate as a result, not an error).
    Duplicate,
    /// The body or a header exceeds its size bound.
    PayloadTooLarge {
        /// What was too large.
        what: String,
        /// The bound, in bytes.
        limit: usize,
    },
    /// A configured secret or key is not usable (never shows the secret).
    InvalidSecret(String),
    /// The verifier configuration is unusable for a reason other than a
    /// secret (a bad template, header name or bound).
    InvalidConfig {
        /// The configuration field concerned, such as `template`.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

impl WebhookError {
    pub(crate) fn bad_format(header: &str, message: impl Into<String>) -> Self {
        Self::BadFormat {
            header: header.to_owned(),
            message: message.into(),
        }
    }
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
            Self::Duplicate => f.write_str("the message was already received"),
            Self::PayloadTooLarge { what, limit } => write!(f, "{what} exceeds {limit} bytes"),
            Self::InvalidSecret(m) => write!(f, "invalid webhook secret: {m}"),
            Self::InvalidConfig { field, message } => {
                write!(f, "invalid webhook configuration `{field}`: {message}")
            }
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
            Self::Duplicate => "duplicate",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::InvalidSecret(_) => "invalid_secret",
            Self::InvalidConfig { .. } => "invalid_argument",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::MissingHeader(h) | Self::BadFormat { header: h, .. } => Some(h),
            Self::InvalidConfig { field, .. } => Some(field),
            _ => None,
        }
    }
}
