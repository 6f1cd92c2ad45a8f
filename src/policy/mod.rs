//! Risk branching: a JSON policy compiled once, then evaluated per request.
//!
//! A policy maps signals to one decision: `allow`, `step_up`,
//! `verify_identity` or `deny`. Every rule whose condition holds matches;
//! the strictest matched outcome wins (deny > verify_identity > step_up >
//! allow), ties going to the earlier rule. When no rule matches, the
//! policy's `default` applies. The language, the context and every
//! predicate are documented in `docs/policy.md`.
//!
//! The author's tools (sans-IO, JSON in and out, the same answers in the
//! CLI, the playground and CI): [`validate`], [`run_tests`], [`coverage`],
//! [`diff`] and [`format`]; [`log_record`] writes the decision-log lines
//! that `diff` reads back.

/// Reference text in a table row: compiled into tests only (they generate
/// the schema and docs from it), so the wasm module does not carry it.
#[cfg(test)]
macro_rules! doc {
    ($s:expr) => {
        $s
    };
}
#[cfg(not(test))]
macro_rules! doc {
    ($s:expr) => {
        ""
    };
}
/// A list of reference rows, as [`doc!`] for text.
#[cfg(test)]
macro_rules! docs {
    ($s:expr) => {
        $s
    };
}
#[cfg(not(test))]
macro_rules! docs {
    ($s:expr) => {
        &[]
    };
}

mod adapters;
mod analysis;
mod compare;
mod compile;
mod cond;
mod context;
mod context_de;
#[cfg(test)]
mod context_tests;
mod currency;
mod decision_log;
mod diff;
mod error;
mod eval;
mod format;
mod geo;
mod ip;
mod lists;
mod locate;
mod model;
mod outcome;
mod predicates;
#[cfg(test)]
mod reference;
mod signal;
mod testing;
#[cfg(test)]
mod tests;
mod thresholds;
mod validate;
mod vocab;

pub use adapters::{context_from_descope, context_from_salesforce};
pub use compile::{Policy, MAX_CONDITION_DEPTH, MAX_POLICY_BYTES};
pub use currency::Currency;
pub use decision_log::{log_record, reduce_context, LogConfig, MAX_LOG_RECORD_BYTES};
pub use diff::{diff, Example, Impact, Move, MAX_DIFF_LINES};
pub use error::{PolicyError, Problem};
pub use format::format;
pub use geo::DEFAULT_MAX_SPEED_KMH;
pub use model::{Decision, DecisionKind, Outcome, StepUpRequirement};
pub use testing::{
    coverage, run_tests, Branch, CaseResult, Coverage, Mismatch, RuleCoverage, TestReport,
    MAX_CASES,
};
pub use validate::{validate, Finding, Validation};
