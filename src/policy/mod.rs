//! Risk branching: a JSON policy compiled once, then evaluated per request.
//!
//! A policy maps signals to one decision: `allow`, `step_up`,
//! `verify_identity` or `deny`. Every rule whose condition holds matches;
//! the strictest matched outcome wins (deny > verify_identity > step_up >
//! allow), ties going to the earlier rule. When no rule matches, the
//! policy's `default` applies. The language, the context and every
//! predicate are documented in `docs/policy.md`.

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
mod error;
mod eval;
mod geo;
mod ip;
mod lists;
mod model;
mod outcome;
mod predicates;
#[cfg(test)]
mod reference;
mod signal;
#[cfg(test)]
mod tests;
mod thresholds;
mod vocab;

pub use adapters::{context_from_descope, context_from_salesforce};
pub use compile::{Policy, MAX_CONDITION_DEPTH, MAX_POLICY_BYTES};
pub use currency::Currency;
pub use error::{PolicyError, Problem};
pub use geo::DEFAULT_MAX_SPEED_KMH;
pub use model::{Decision, DecisionKind, Outcome, StepUpRequirement};
