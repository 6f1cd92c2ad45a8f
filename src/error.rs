//! The one error type every capability's error joins into.
//!
//! Each capability has its own error enum (`KosmosError` for 1Kosmos calls,
//! `PolicyError` for risk branching, `WebhookError` for webhooks, `OidcError`
//! for OpenID Connect federation). They all
//! convert into [`Error`], which is what crosses into JavaScript as
//! `KosmosError { name, code, message, field?, details? }`.

use core::fmt;

/// What every capability error tells a caller: a stable machine code, the
/// input field it is about (when there is one) and extra machine-readable
/// details (when there are any).
pub trait ErrorInfo: fmt::Display {
    /// A stable, lowercase, snake_case code such as `bad_format`.
    fn code(&self) -> &'static str;
    /// The input field the error is about, as a dotted path, if any.
    fn field(&self) -> Option<&str> {
        None
    }
    /// Extra machine-readable facts (HTTP status, retry hints, problem lists).
    fn details(&self) -> Option<serde_json::Value> {
        None
    }
}

/// Any error of the library.
///
/// Messages are lowercase, quote user input in backticks and never contain a
/// secret, a key or an expected signature.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// 1Kosmos request building or result parsing failed.
    Kosmos(crate::kosmos::KosmosError),
    /// A policy did not compile, or a decision context was unusable.
    Policy(crate::policy::PolicyError),
    /// A webhook did not verify, or the verifier was misconfigured.
    Webhook(crate::webhook::WebhookError),
    /// An OIDC request could not be built, or a provider answer or ID token was refused.
    Oidc(crate::oidc::OidcError),
    /// An HTTP message signature (RFC 9421) did not verify, or its keys were unusable.
    HttpSig(crate::httpsig::HttpSigError),
    /// The caller used the API wrongly (for example an argument of the wrong shape).
    Usage {
        /// What was wrong, for a person.
        message: String,
        /// The argument or field concerned.
        field: Option<String>,
    },
}

impl Error {
    /// A usage error: the caller passed something the API does not accept.
    pub fn usage(message: impl Into<String>, field: Option<&str>) -> Self {
        Self::Usage {
            message: message.into(),
            field: field.map(str::to_owned),
        }
    }

    fn info(&self) -> Option<&dyn ErrorInfo> {
        match self {
            Self::Kosmos(e) => Some(e),
            Self::Policy(e) => Some(e),
            Self::Webhook(e) => Some(e),
            Self::Oidc(e) => Some(e),
            Self::HttpSig(e) => Some(e),
            Self::Usage { .. } => None,
        }
    }

    /// The stable machine code of the error.
    pub fn code(&self) -> &'static str {
        self.info().map_or("invalid_argument", ErrorInfo::code)
    }

    /// The input field concerned, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Usage { field, .. } => field.as_deref(),
            other => other.info().and_then(ErrorInfo::field),
        }
    }

    /// Extra machine-readable details, if any.
    pub fn details(&self) -> Option<serde_json::Value> {
        self.info().and_then(ErrorInfo::details)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage { message, .. } => f.write_str(message),
            other => match other.info() {
                Some(info) => fmt::Display::fmt(info, f),
                None => Ok(()),
            },
        }
    }
}

impl std::error::Error for Error {}

impl From<crate::kosmos::KosmosError> for Error {
    fn from(e: crate::kosmos::KosmosError) -> Self {
        Self::Kosmos(e)
    }
}

impl From<crate::policy::PolicyError> for Error {
    fn from(e: crate::policy::PolicyError) -> Self {
        Self::Policy(e)
    }
}

impl From<crate::webhook::WebhookError> for Error {
    fn from(e: crate::webhook::WebhookError) -> Self {
        Self::Webhook(e)
    }
}

impl From<crate::oidc::OidcError> for Error {
    fn from(e: crate::oidc::OidcError) -> Self {
        Self::Oidc(e)
    }
}

impl From<crate::httpsig::HttpSigError> for Error {
    fn from(e: crate::httpsig::HttpSigError) -> Self {
        Self::HttpSig(e)
    }
}
