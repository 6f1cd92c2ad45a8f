//! Compile-time analysis: constant folding and rules that can never decide.
//!
//! What is detected (each one a problem at the rule's path):
//!
//! 1. **Never matches**: the condition folds to false: an empty `any`, an
//!    `all` containing a false part, an `all` holding a test and its exact
//!    negation, or an `all` whose numeric comparisons on one signal leave no
//!    value (`risk.score > 0.8` and `risk.score < 0.5`) while at least one
//!    of them does not match a missing signal.
//! 2. **Shadowed by an unconditional rule**: an earlier or stricter rule
//!    always matches (its condition folds to true, like `{"all": []}`) and
//!    its outcome can never be satisfied by the context (`deny`, `allow`, or
//!    `step_up` with `max_age_s` 0): every rule less strict than it, and
//!    every rule as strict after it, can never be the deciding rule.
//! 3. **Duplicate**: a rule with the same condition as another rule that
//!    always beats it (the same outcome earlier in the policy, or a stricter
//!    outcome that the context cannot satisfy).
//!
//! Analysis is structural: two conditions that mean the same but are written
//! differently are not recognised as equal.

use super::compile::Rule;
use super::cond::{Cmp, Cond, NumOp, Sig, Test};
use super::error::Problem;
use super::model::{DecisionKind, Outcome};

/// Simplifies a condition: constants propagate, single-item lists unwrap,
/// double negations cancel, contradictions fold to false and tautologies
/// (`any` holding a test and its negation) to true.
pub(super) fn fold(c: Cond) -> Cond {
    match c {
        Cond::All(list) => {
            let mut items = Vec::with_capacity(list.len());
            for item in list.into_vec().into_iter().map(fold) {
                match item {
                    Cond::Const(true) => {}
                    Cond::Const(false) => return Cond::Const(false),
                    other => items.push(other),
                }
            }
            if holds_negation(&items) || numeric_contradiction(&items) {
                return Cond::Const(false);
            }
            match items.len() {
                0 => Cond::Const(true),
                1 => items.pop().unwrap_or(Cond::Const(true)),
                _ => Cond::All(items.into()),
            }
        }
        Cond::Any(list) => {
            let mut items = Vec::with_capacity(list.len());
            for item in list.into_vec().into_iter().map(fold) {
                match item {
                    Cond::Const(false) => {}
                    Cond::Const(true) => return Cond::Const(true),
                    other => items.push(other),
                }
            }
            if holds_negation(&items) {
                return Cond::Const(true);
            }
            match items.len() {
                0 => Cond::Const(false),
                1 => items.pop().unwrap_or(Cond::Const(false)),
                _ => Cond::Any(items.into()),
            }
        }
        Cond::Not(inner) => match fold(*inner) {
            Cond::Const(b) => Cond::Const(!b),
            Cond::Not(x) => *x,
            other => Cond::Not(Box::new(other)),
        },
        leaf @ (Cond::Leaf { .. } | Cond::Const(_)) => leaf,
    }
}

/// Whether the list holds some `x` and `not x`.
fn holds_negation(items: &[Cond]) -> bool {
    items.iter().any(|a| match a {
        Cond::Not(inner) => items.iter().any(|b| b == inner.as_ref()),
        _ => false,
    })
}

/// Whether numeric comparisons on one signal, all required together,
/// leave no value possible (and a missing value fails at least one).
fn numeric_contradiction(items: &[Cond]) -> bool {
    let leaves = || {
        items.iter().filter_map(|c| match c {
            Cond::Leaf {
                test:
                    Test::Cmp {
                        sig,
                        cmp: Cmp::Num(op, n),
                    },
                on_missing,
            } => Some((*sig, *op, *n, *on_missing)),
            _ => None,
        })
    };
    let mut seen: Vec<Sig> = Vec::new();
    for (sig, ..) in leaves() {
        if seen.contains(&sig) {
            continue;
        }
        seen.push(sig);
        // (bound, strict); start unbounded.
        let mut lo = (f64::NEG_INFINITY, false);
        let mut hi = (f64::INFINITY, false);
        let mut missing_fails = false;
        for (_, op, n, on_missing) in leaves().filter(|l| l.0 == sig) {
            missing_fails |= !on_missing;
            let (raise_lo, lower_hi) = match op {
                NumOp::Gt => (Some((n, true)), None),
                NumOp::Gte => (Some((n, false)), None),
                NumOp::Lt => (None, Some((n, true))),
                NumOp::Lte => (None, Some((n, false))),
                NumOp::Eq => (Some((n, false)), Some((n, false))),
                NumOp::Ne => (None, None),
            };
            if let Some(b) = raise_lo {
                if b.0 > lo.0 || (b.0 == lo.0 && b.1) {
                    lo = b;
                }
            }
            if let Some(b) = lower_hi {
                if b.0 < hi.0 || (b.0 == hi.0 && b.1) {
                    hi = b;
                }
            }
        }
        let empty = lo.0 > hi.0 || (lo.0 == hi.0 && (lo.1 || hi.1));
        if empty && missing_fails {
            return true;
        }
    }
    false
}

/// Whether the context can turn this outcome into `allow` (a fresh enough
/// step-up, a high enough IAL).
fn satisfiable(o: &Outcome) -> bool {
    match o.kind {
        DecisionKind::Allow | DecisionKind::Deny => false,
        DecisionKind::StepUp => o.max_age_s.is_some_and(|s| s > 0),
        DecisionKind::VerifyIdentity => true,
    }
}

/// Whether rule `j` always beats rule `i` when both match.
fn beats(j: usize, rj: &Rule, i: usize, ri: &Rule) -> bool {
    if satisfiable(&rj.outcome) {
        // Only identical outcomes earlier in the policy win every tie.
        return rj.outcome == ri.outcome && j < i;
    }
    rj.outcome.kind > ri.outcome.kind || (rj.outcome.kind == ri.outcome.kind && j < i)
}

/// Lists the rules that can never decide.
pub(super) fn check_rules(rules: &[Rule], problems: &mut Vec<Problem>) {
    for (i, ri) in rules.iter().enumerate() {
        if ri.when == Cond::Const(false) {
            problems.push(Problem {
                path: format!("rules[{i}].when"),
                message: "can never be true (an empty `any`, or contradictory tests in an `all`), so the rule never matches".into(),
            });
            continue;
        }
        let shadow = rules.iter().enumerate().find(|(j, rj)| {
            *j != i
                && rj.when == Cond::Const(true)
                && !satisfiable(&rj.outcome)
                && beats(*j, rj, i, ri)
        });
        if let Some((j, rj)) = shadow {
            problems.push(Problem {
                path: format!("rules[{i}]"),
                message: format!(
                    "unreachable: rule `{}` (rules[{j}]) always matches and its `{}` outcome always wins",
                    rj.id,
                    rj.outcome.kind.as_str()
                ),
            });
            continue;
        }
        let dup = rules
            .iter()
            .enumerate()
            .find(|(j, rj)| *j != i && rj.when == ri.when && beats(*j, rj, i, ri));
        if let Some((j, rj)) = dup {
            problems.push(Problem {
                path: format!("rules[{i}]"),
                message: format!(
                    "unreachable: rule `{}` (rules[{j}]) has the same condition and always wins",
                    rj.id
                ),
            });
        }
    }
}

/// The parts of a condition that must all hold.
fn conjuncts(c: &Cond) -> &[Cond] {
    match c {
        Cond::All(list) => list,
        other => core::slice::from_ref(other),
    }
}

/// Warnings (the policy still compiles): a rule whose condition implies an
/// earlier or stricter rule's (it holds every part of that rule's `all`)
/// while that rule's outcome always wins, so the rule can never decide.
pub(super) fn warnings(rules: &[Rule]) -> Vec<Problem> {
    let mut out = Vec::new();
    for (i, ri) in rules.iter().enumerate() {
        let mine = conjuncts(&ri.when);
        let by = rules.iter().enumerate().find(|(j, rj)| {
            *j != i
                && rj.when != ri.when
                && !matches!(rj.when, Cond::Const(_))
                && !satisfiable(&rj.outcome)
                && beats(*j, rj, i, ri)
                && conjuncts(&rj.when).iter().all(|c| mine.contains(c))
        });
        if let Some((j, rj)) = by {
            out.push(Problem {
                path: format!("rules[{i}]"),
                message: format!(
                    "can never decide: whenever it matches, rule `{}` (rules[{j}]) matches too and its `{}` outcome wins",
                    rj.id,
                    rj.outcome.kind.as_str()
                ),
            });
        }
    }
    out
}
