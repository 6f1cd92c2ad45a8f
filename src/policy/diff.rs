//! `diff`: the impact of a change. The old and the new policy decide every
//! recorded context (JSON Lines: one context per line, or one decision-log
//! record `{"context": {...}, ...}` per line, as the Worker writes them);
//! the report counts how many decisions move, from what to what, with the
//! first few examples of each move.

use serde::Serialize;
use serde_json::Value;

use super::compile::Policy;
use super::error::PolicyError;
use super::model::Decision;
use crate::error::ErrorInfo;

/// Most lines read from one file.
pub const MAX_DIFF_LINES: usize = 1_000_000;
/// Examples kept per move.
const EXAMPLES: usize = 3;

/// One example of a move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// Line in the JSON Lines file, from 1.
    pub line: usize,
    /// The old policy's deciding rule.
    pub old_rule: String,
    /// The new policy's deciding rule.
    pub new_rule: String,
}

/// Decisions that moved from one value to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Move {
    /// The old decision (`allow`, `step_up`, `verify_identity`, `deny`, or `error`).
    pub from: String,
    /// The new decision.
    pub to: String,
    /// How many contexts moved so.
    pub count: usize,
    /// The first few.
    pub examples: Vec<Example>,
}

/// The answer of [`diff`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Impact {
    /// Contexts read (blank lines skipped).
    pub total: usize,
    /// Contexts whose decision changed.
    pub changed: usize,
    /// Contexts with the same decision but another deciding rule.
    pub rule_changed: usize,
    /// Lines that are not JSON (neither policy could read them).
    pub unreadable: usize,
    /// The moves, most frequent first; an `error` side means that policy
    /// refused the context (its code is in the example's rule).
    pub moves: Vec<Move>,
    /// Decisions per value under the old policy, as `[decision, count]`.
    pub old_counts: Vec<(String, usize)>,
    /// Decisions per value under the new policy.
    pub new_counts: Vec<(String, usize)>,
}

fn outcome(p: &Policy, ctx: &str) -> (String, String) {
    match p.decide_json(ctx) {
        Ok(Decision { decision, rule, .. }) => (decision.as_str().to_owned(), rule),
        Err(e) => ("error".to_owned(), e.code().to_owned()),
    }
}

fn count(list: &mut Vec<(String, usize)>, key: &str) {
    match list.iter_mut().find(|(k, _)| k == key) {
        Some((_, n)) => *n += 1,
        None => list.push((key.to_owned(), 1)),
    }
}

/// Runs both policies over every context of `jsonl`.
///
/// # Errors
/// `invalid_policy` (field `old.<path>` or `new.<path>` in the message)
/// when either policy does not compile; `invalid_input` past
/// [`MAX_DIFF_LINES`].
pub fn diff(old: &str, new: &str, jsonl: &str) -> Result<Impact, PolicyError> {
    let old = Policy::compile(old).map_err(|e| side("old", e))?;
    let new = Policy::compile(new).map_err(|e| side("new", e))?;
    let mut out = Impact {
        total: 0,
        changed: 0,
        rule_changed: 0,
        unreadable: 0,
        moves: Vec::new(),
        old_counts: Vec::new(),
        new_counts: Vec::new(),
    };
    for (i, line) in jsonl.lines().enumerate() {
        if i >= MAX_DIFF_LINES {
            return Err(PolicyError::BadInput {
                field: "$".into(),
                message: format!("more than {MAX_DIFF_LINES} lines"),
            });
        }
        if line.trim().is_empty() {
            continue;
        }
        out.total += 1;
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            out.unreadable += 1;
            continue;
        };
        let ctx = match value.get("context") {
            Some(c) if c.is_object() => c.to_string(),
            _ => line.to_owned(),
        };
        let (a, ra) = outcome(&old, &ctx);
        let (b, rb) = outcome(&new, &ctx);
        count(&mut out.old_counts, &a);
        count(&mut out.new_counts, &b);
        if a == b {
            if ra != rb {
                out.rule_changed += 1;
            }
            continue;
        }
        out.changed += 1;
        let example = Example {
            line: i + 1,
            old_rule: ra,
            new_rule: rb,
        };
        match out.moves.iter_mut().find(|m| m.from == a && m.to == b) {
            Some(m) => {
                m.count += 1;
                if m.examples.len() < EXAMPLES {
                    m.examples.push(example);
                }
            }
            None => out.moves.push(Move {
                from: a,
                to: b,
                count: 1,
                examples: vec![example],
            }),
        }
    }
    out.moves.sort_by_key(|m| core::cmp::Reverse(m.count));
    Ok(out)
}

/// Prefixes each problem's path with which policy it is in.
fn side(which: &str, e: PolicyError) -> PolicyError {
    match e {
        PolicyError::Invalid(list) => PolicyError::Invalid(
            list.into_iter()
                .map(|mut p| {
                    p.message = format!("{which} policy: {}", p.message);
                    p
                })
                .collect(),
        ),
        other => other,
    }
}
