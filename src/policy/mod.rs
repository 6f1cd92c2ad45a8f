//! Risk branching: a JSON policy compiled once, then evaluated per request.
//!
//! A policy maps signals to one decision: `allow`, `step_up`,
//! `verify_identity` or `deny`. Every rule whose condition holds matches;
//! the strictest matched outcome wins (deny > verify_identity > step_up >
//! allow), ties going to the earlier rule. When no rule matches, the
//! policy's `default` applies. The language, the context and every
//! predicate are documented in `docs/policy.md`.

mod adapters;
mod analysis;
mod compile;
mod cond;
mod context;
mod currency;
mod error;
mod eval;
mod geo;
mod ip;
mod model;
mod signal;
#[cfg(test)]
mod tests;

pub use adapters::{context_from_descope, context_from_salesforce};
pub use compile::{Policy, MAX_CONDITION_DEPTH, MAX_POLICY_BYTES};
pub use currency::Currency;
pub use error::{PolicyError, Problem};
pub use geo::DEFAULT_MAX_SPEED_KMH;
pub use model::{Decision, DecisionKind, Outcome, StepUpRequirement};
