//! Deciding: read the context, evaluate every rule, pick the strictest.

use serde_json::Value;

use super::compile::{Policy, Rule};
use super::cond::Env;
use super::context::Context;
use super::error::PolicyError;
use super::model::{Decision, DecisionKind, Outcome, StepUpRequirement};
use super::signal::Builtin;
use crate::kosmos::IalLevel;

/// Why an outcome is already met, for the reasons line.
enum Met {
    StepUp { age_s: u64, max_age_s: u64 },
    Ial { current: u8, required: u8 },
}

impl Policy {
    /// Decides for one request.
    ///
    /// `context` is the JSON signal set documented in the policy guide
    /// (`now`, `device`, `ip`, `ip_flags`, `geo`, `last_login`, `risk`,
    /// `action`, `user`, `last_step_up_at`, `last_verification_at`,
    /// `current_ial`, `custom`). Every rule whose condition holds matches;
    /// a matched `step_up` rule whose window a recent step-up meets, or a
    /// `verify_identity` rule whose IAL the user already holds, counts as
    /// `allow` and says so in its reason. The strictest matched outcome wins
    /// (deny > verify_identity > step_up > allow), ties going to the earlier
    /// rule; with no match the `default` applies (and may itself be met).
    ///
    /// # Errors
    /// [`PolicyError::BadContext`] naming the field (`geo.country`,
    /// `custom.plan`, `now`...) when a value has the wrong type or range, a
    /// key is not part of the context, or `now` is absent while the context
    /// carries a timestamp (`last_login.at`, `last_step_up_at`,
    /// `last_verification_at`) that the policy compares. Absent signals are never errors: each condition says what
    /// absence means.
    pub fn decide(&self, context: &Value) -> Result<Decision, PolicyError> {
        self.decide_context(&Context::from_value(context)?)
    }

    /// Decides for one context given as JSON text: the same as
    /// [`decide`](Self::decide) on the parsed text, but without building a
    /// JSON tree (the fast path from JavaScript). Text that is not JSON is a
    /// [`PolicyError::BadContext`] at `$`.
    pub fn decide_json(&self, context: &str) -> Result<Decision, PolicyError> {
        self.decide_context(&Context::from_json(context)?)
    }

    pub(super) fn decide_context(&self, ctx: &Context<'_>) -> Result<Decision, PolicyError> {
        let (custom, now) = self.prepare(ctx)?;
        self.decide_env(&Env {
            ctx,
            custom: &custom,
            now,
        })
    }

    /// The declared custom signals' values (type-checked) and `now`.
    pub(super) fn prepare<'c>(
        &self,
        ctx: &'c Context<'c>,
    ) -> Result<(Vec<Option<&'c Value>>, u64), PolicyError> {
        let mut custom = Vec::with_capacity(self.custom.len());
        for (name, ty) in &self.custom {
            let v = ctx
                .custom
                .as_deref()
                .and_then(|m| m.get(name))
                .filter(|v| !v.is_null());
            if let Some(v) = v {
                if !ty.accepts(v) {
                    return Err(PolicyError::BadContext {
                        field: format!("custom.{name}"),
                        message: format!("must be {}, as the policy declares", ty.name()),
                    });
                }
            }
            custom.push(v);
        }
        // Time is compared only against a timestamp the context carries; with
        // none of them present, `now` is never read (comparisons on `now`
        // itself treat it as absent).
        let stamped = [
            Builtin::LastAt,
            Builtin::LastStepUpAt,
            Builtin::LastVerificationAt,
        ]
        .iter()
        .any(|f| ctx.uint(*f).is_some());
        let now = match ctx.now() {
            Some(now) => now,
            None if self.needs_now && stamped => {
                return Err(PolicyError::BadContext {
                    field: "now".into(),
                    message: "is required: the context has a timestamp (last_login.at, last_step_up_at or last_verification_at) and this policy compares times".into(),
                })
            }
            None => 0,
        };
        Ok((custom, now))
    }

    pub(super) fn decide_env(&self, env: &Env<'_>) -> Result<Decision, PolicyError> {
        let mut winner: Option<(usize, DecisionKind)> = None;
        let mut matched: Vec<usize> = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if env.eval(&rule.when) {
                matched.push(i);
                let kind = effective(&rule.outcome, env)
                    .map_or(rule.outcome.kind, |_| DecisionKind::Allow);
                if winner.is_none_or(|(_, w)| kind > w) {
                    winner = Some((i, kind));
                }
            }
        }
        let win_rule = winner.and_then(|(i, _)| self.rules.get(i));
        let outcome = win_rule.map_or(&self.default, |r| &r.outcome);
        let met = effective(outcome, env);
        let decision = if met.is_some() {
            DecisionKind::Allow
        } else {
            outcome.kind
        };
        let mut reasons = Vec::with_capacity(matched.len().max(1));
        match win_rule {
            Some(r) => reasons.push(reason(r, met.as_ref())),
            None => reasons.push(match &met {
                None => "no rule matched; the default applies".to_owned(),
                Some(m) => format!("no rule matched; the default applies, {}", met_text(m)),
            }),
        }
        for &i in &matched {
            if Some(i) != winner.map(|(w, _)| w) {
                if let Some(r) = self.rules.get(i) {
                    let m = effective(&r.outcome, env);
                    reasons.push(reason(r, m.as_ref()));
                }
            }
        }
        Ok(Decision {
            decision,
            rule: win_rule.map_or_else(|| "default".to_owned(), |r| r.id.clone()),
            reasons,
            matched_rules: matched
                .iter()
                .filter_map(|&i| self.rules.get(i).map(|r| r.id.clone()))
                .collect(),
            required_ial: match decision {
                DecisionKind::VerifyIdentity => outcome.required_ial,
                _ => None,
            },
            step_up: match decision {
                DecisionKind::StepUp => Some(StepUpRequirement {
                    max_age_s: outcome.max_age_s.unwrap_or(0),
                }),
                _ => None,
            },
        })
    }
}

/// Whether the context already meets a `step_up` or `verify_identity` outcome.
fn effective(o: &Outcome, env: &Env<'_>) -> Option<Met> {
    let c = env.ctx;
    match o.kind {
        DecisionKind::StepUp => {
            let max_age_s = o.max_age_s.unwrap_or(0);
            let at = c.uint(Builtin::LastStepUpAt)?;
            let age_s = env.now.saturating_sub(at);
            (max_age_s > 0 && age_s <= max_age_s).then_some(Met::StepUp { age_s, max_age_s })
        }
        DecisionKind::VerifyIdentity => {
            let required = o.required_ial.map_or(2, IalLevel::number);
            let current = c.current_ial()?;
            if current < required {
                return None;
            }
            if let Some(max) = o.max_age_s {
                let at = c.uint(Builtin::LastVerificationAt)?;
                if env.now.saturating_sub(at) > max {
                    return None;
                }
            }
            Some(Met::Ial { current, required })
        }
        DecisionKind::Allow | DecisionKind::Deny => None,
    }
}

fn met_text(m: &Met) -> String {
    match m {
        Met::StepUp { age_s, max_age_s } => {
            format!("met by a step-up {age_s} s ago (window {max_age_s} s)")
        }
        Met::Ial { current, required } => {
            format!("met by the current IAL{current} (IAL{required} required)")
        }
    }
}

fn reason(rule: &Rule, met: Option<&Met>) -> String {
    match met {
        None => rule.reason.clone(),
        Some(m) => format!("{}; {}", rule.reason, met_text(m)),
    }
}
