//! What a decision looks like.

use serde::Serialize;

use crate::kosmos::IalLevel;

/// The four decisions, ordered from least to most strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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

impl DecisionKind {
    /// The name used in policies and decisions: `allow`, `step_up`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "allow",
            Self::StepUp => "step_up",
            Self::VerifyIdentity => "verify_identity",
            Self::Deny => "deny",
        }
    }
}

/// A rule's (or the default's) outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The decision.
    pub kind: DecisionKind,
    /// For `verify_identity`: the IAL required.
    pub required_ial: Option<IalLevel>,
    /// For `step_up`: a previous step-up at most this many seconds old
    /// satisfies the rule (0: always step up). For `verify_identity`, when
    /// set: a verification older than this no longer satisfies the rule.
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
    /// Why: one line per matched rule, winning rule first. A rule whose
    /// step-up or verification requirement the context already meets says
    /// so here and counts as `allow`.
    pub reasons: Vec<String>,
    /// Ids of every rule that matched, in policy order.
    pub matched_rules: Vec<String>,
    /// For `verify_identity`: as `IAL1`..`IAL3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_ial: Option<IalLevel>,
    /// For `step_up`: its freshness window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_up: Option<StepUpRequirement>,
}
