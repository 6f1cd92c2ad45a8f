//! Errors of 1Kosmos request building and result parsing.

use core::fmt;

use crate::error::ErrorInfo;

/// Why a 1Kosmos request could not be built or an answer could not be used.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum KosmosError {
    /// An input to a `build_*` function was not acceptable.
    InvalidInput {
        /// The input field, dotted.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// 1Kosmos answered with a non-2xx status.
    Api {
        /// The HTTP status.
        status: u16,
        /// Stable code: `unauthorized`, `forbidden`, `not_found`, `conflict`,
        /// `rate_limited`, `invalid_request`, `upstream_unavailable`, `api_error`.
        code: &'static str,
        /// The API's own message, if it sent one.
        message: String,
        /// The field the API named, for `invalid_request`.
        field: Option<String>,
        /// Whether sending the same request again can help.
        retryable: bool,
        /// Seconds to wait, from `Retry-After`.
        retry_after_s: Option<u64>,
    },
    /// A 2xx answer whose body is not what the contract promises.
    MalformedResponse {
        /// What was wrong, naming the field.
        what: String,
    },
    /// The platform had no secure randomness for an idempotency key.
    EntropyUnavailable,
}

impl KosmosError {
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::InvalidInput {
            field: field.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn malformed(what: impl Into<String>) -> Self {
        Self::MalformedResponse { what: what.into() }
    }

    /// Whether retrying the same request may succeed.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Self::Api {
                retryable: true,
                ..
            }
        )
    }
}

impl fmt::Display for KosmosError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidInput { field, message } => write!(f, "invalid `{field}`: {message}"),
            Self::Api {
                status, message, ..
            } if message.is_empty() => {
                write!(f, "1kosmos answered http {status}")
            }
            Self::Api {
                status, message, ..
            } => {
                write!(f, "1kosmos answered http {status}: {message}")
            }
            Self::MalformedResponse { what } => write!(f, "malformed 1kosmos response: {what}"),
            Self::EntropyUnavailable => f.write_str("no secure random source is available"),
        }
    }
}

impl ErrorInfo for KosmosError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "invalid_input",
            Self::Api { code, .. } => code,
            Self::MalformedResponse { .. } => "malformed_response",
            Self::EntropyUnavailable => "entropy_unavailable",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::InvalidInput { field, .. } => Some(field),
            Self::Api { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    fn details(&self) -> Option<serde_json::Value> {
        match self {
            Self::Api {
                status,
                retryable,
                retry_after_s,
                ..
            } => Some(serde_json::json!({
                "status": status,
                "retryable": retryable,
                "retry_after_s": retry_after_s,
            })),
            _ => None,
        }
    }
}
