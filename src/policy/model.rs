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

/// The IAL numbered `n` (1 to 3), as the policy and the context write it.
pub(super) fn ial_level(n: u64) -> Option<IalLevel> {
    match n {
        1 => Some(IalLevel::Ial1),
        2 => Some(IalLevel::Ial2),
        3 => Some(IalLevel::Ial3),
        _ => None,
    }
}

/// The number of an IAL (1 to 3); a context's `current_ial` 0 is none.
pub(super) fn ial_number(level: IalLevel) -> u8 {
    match level {
        IalLevel::Ial1 => 1,
        IalLevel::Ial2 => 2,
        IalLevel::Ial3 => 3,
    }
}
