//! Errors of 1Kosmos request building, result parsing and the envelope.

use core::fmt;

use crate::error::ErrorInfo;

/// Why a 1Kosmos request could not be built or an answer could not be used.
///
/// No variant ever carries a key, a license key or a decrypted secret.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum KosmosError {
    /// An input to a `build_*` function (or a configuration value) was not acceptable.
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
        /// Stable code: `invalid_request`, `unauthorized`, `forbidden`,
        /// `not_found`, `timeout`, `conflict`, `gone`, `payload_too_large`,
        /// `rate_limited`, `upstream_unavailable`, `unexpected_status` or `api_error`.
        code: &'static str,
        /// The API's own message, if it sent one (trimmed, at most 200 characters).
        message: String,
        /// The API's own error code, if it sent one.
        api_code: Option<String>,
        /// The field the API named, for `invalid_request`.
        field: Option<String>,
        /// Whether sending the same request again can help.
        retryable: bool,
        /// Seconds to wait, from `Retry-After` (delta-seconds form).
        retry_after_s: Option<u64>,
    },
    /// A 2xx answer whose body is not what the contract promises.
    MalformedResponse {
        /// What was wrong, naming the field.
        what: String,
    },
    /// A key (ours or the service's) is not a valid key of the curve.
    InvalidKey {
        /// Which key and what is wrong, never the key itself.
        message: String,
    },
    /// An envelope message is not base64 or too short to hold iv and tag.
    BadCiphertext {
        /// What is wrong with it.
        message: String,
    },
    /// An envelope message failed authentication: tampered, or sealed under another key.
    DecryptFailed,
    /// The profile in use cannot do this operation.
    Unsupported {
        /// The operation asked for.
        operation: &'static str,
        /// The profile that cannot do it.
        profile: &'static str,
    },
    /// The platform had no secure randomness.
    EntropyUnavailable,
    /// The request did not get an answer: for a host's own client layer (the
    /// sans-IO core never raises it; the JS client throws the same codes).
    Transport {
        /// Whether it was the client's timeout (else the fetch itself failed).
        timed_out: bool,
        /// What happened, without URL query or headers.
        message: String,
    },
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

    pub(crate) fn invalid_key(message: impl Into<String>) -> Self {
        Self::InvalidKey {
            message: message.into(),
        }
    }

    /// Whether retrying the same request may succeed.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            Self::Api {
                retryable: true,
                ..
            } | Self::Transport { .. }
        )
    }

    /// The HTTP status of an API error, if this is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Seconds the API asked to wait before retrying, if it said.
    pub fn retry_after_s(&self) -> Option<u64> {
        match self {
            Self::Api { retry_after_s, .. } => *retry_after_s,
            _ => None,
        }
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
            Self::InvalidKey { message } => write!(f, "invalid key: {message}"),
            Self::BadCiphertext { message } => write!(f, "bad encrypted message: {message}"),
            Self::DecryptFailed => f.write_str(
                "encrypted message failed authentication (tampered, truncated or sealed under another key)",
            ),
            Self::Unsupported { operation, profile } => {
                write!(f, "the `{profile}` profile does not support `{operation}`")
            }
            Self::EntropyUnavailable => f.write_str("no secure random source is available"),
            Self::Transport { timed_out: true, message } => {
                write!(f, "1kosmos did not answer in time: {message}")
            }
            Self::Transport { message, .. } => write!(f, "1kosmos could not be reached: {message}"),
        }
    }
}

impl std::error::Error for KosmosError {}

impl ErrorInfo for KosmosError {
    fn code(&self) -> &'static str {
        match self {
            Self::InvalidInput { .. } => "invalid_input",
            Self::Api { code, .. } => code,
            Self::MalformedResponse { .. } => "malformed_response",
            Self::InvalidKey { .. } => "invalid_key",
            Self::BadCiphertext { .. } => "bad_ciphertext",
            Self::DecryptFailed => "decrypt_failed",
            Self::Unsupported { .. } => "unsupported",
            Self::EntropyUnavailable => "entropy_unavailable",
            Self::Transport {
                timed_out: true, ..
            } => "timeout",
            Self::Transport { .. } => "network_error",
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
                api_code,
                retryable,
                retry_after_s,
                ..
            } => {
                let mut d = serde_json::json!({
                    "status": status,
                    "retryable": retryable,
                    "retry_after_s": retry_after_s,
                });
                if let (Some(code), Some(map)) = (api_code, d.as_object_mut()) {
                    map.insert("api_code".into(), serde_json::Value::String(code.clone()));
                }
                Some(d)
            }
            Self::Transport { .. } => Some(serde_json::json!({ "retryable": true })),
            Self::Unsupported { operation, profile } => Some(serde_json::json!({
                "operation": operation,
                "profile": profile,
            })),
            _ => None,
        }
    }
}
