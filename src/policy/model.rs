//! What a decision looks like.

use serde::Serialize;

/// The four decisions, ordered from least to most strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Let the request through.
    Allow,
    /// Ask for a LiveID biometric step-up.
    StepUp,
    /// Ask for identity proofing at a required IAL.
    VerifyIdentity,
    /// Refuse.
    Deny,
}

/// A rule's (or the default's) outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The decision.
    pub kind: DecisionKind,
    /// For `verify_identity`: the IAL required (1 to 3).
    pub required_ial: Option<u8>,
    /// For `step_up`: a step-up younger than this many seconds still counts.
    pub max_age_s: Option<u64>,
}

/// The step-up a `step_up` decision asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepUpRequirement {
    /// A previous step-up younger than this counts.
    pub max_age_s: u64,
}

/// The answer of [`Policy::decide`](super::Policy::decide).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The winning decision.
    pub decision: DecisionKind,
    /// The id of the winning rule, or `default`.
    pub rule: String,
    /// Why: one line per matched rule, winning rule first.
    pub reasons: Vec<String>,
    /// Ids of every rule that matched, in policy order.
    pub matched_rules: Vec<String>,
    /// For `verify_identity`: as `IAL1`..`IAL3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_ial: Option<String>,
    /// For `step_up`: its freshness window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_up: Option<StepUpRequirement>,
}
