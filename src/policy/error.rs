//! Errors of policy compilation and evaluation.

use core::fmt;

use serde::Serialize;

use crate::error::ErrorInfo;

/// One thing wrong with a policy, at a JSON path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// JSON path of the offending value, like `rules[2].when.op`.
    pub path: String,
    /// What is wrong, for a person.
    pub message: String,
}

/// Why a policy did not compile or a context could not be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// The policy has problems; all of them are listed.
    Invalid(Vec<Problem>),
    /// The decision context had a value of the wrong type.
    BadContext {
        /// The signal concerned.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A tool's input other than a policy or a context (a test file, a
    /// decision log's settings) is malformed.
    BadInput {
        /// Its JSON path, like `cases[2].expect`.
        field: String,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(problems) => {
                write!(f, "policy is invalid ({} problem", problems.len())?;
                if problems.len() != 1 {
                    f.write_str("s")?;
                }
                f.write_str(")")?;
                for p in problems {
                    write!(f, "; {}: {}", p.path, p.message)?;
                }
                Ok(())
            }
            Self::BadContext { field, message } => write!(f, "context `{field}`: {message}"),
            Self::BadInput { field, message } => write!(f, "`{field}`: {message}"),
        }
    }
}

impl ErrorInfo for PolicyError {
    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_policy",
            Self::BadContext { .. } => "invalid_context",
            Self::BadInput { .. } => "invalid_input",
        }
    }

    fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(problems) => problems.first().map(|p| p.path.as_str()),
            Self::BadContext { field, .. } | Self::BadInput { field, .. } => Some(field),
        }
    }

    fn details(&self) -> Option<serde_json::Value> {
        match self {
            Self::Invalid(problems) => Some(serde_json::json!({ "problems": problems })),
            Self::BadContext { .. } | Self::BadInput { .. } => None,
        }
    }
}
