//! `validate`: every problem of a policy with its JSON path, its line and
//! column in the source text and a hint to fix it, plus the warnings of
//! static analysis (rules that can never decide) for a policy that compiles.

use serde::Serialize;
use serde_json::Value;

use super::analysis;
use super::compile::{Policy, MAX_POLICY_BYTES, OUTCOME_KEYS, POLICY_KEYS, RULE_KEYS};
use super::error::{PolicyError, Problem};
use super::locate::Index;
use super::predicates::PREDICATES;

/// One problem or warning, located in the source text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// JSON path, like `rules[2].when.all[0]`.
    pub path: String,
    /// Line in the source text, from 1.
    pub line: usize,
    /// Column in the source text, from 1, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: String,
}

/// The answer of [`validate`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Validation {
    /// Whether the policy compiles.
    pub valid: bool,
    /// Why it does not (empty when valid).
    pub problems: Vec<Finding>,
    /// What compiles but cannot be what the author meant.
    pub warnings: Vec<Finding>,
}

/// Validates a policy's JSON text. Never fails: a text that is not JSON is
/// one problem at the line and column where parsing stopped.
pub fn validate(source: &str) -> Validation {
    if source.len() > MAX_POLICY_BYTES {
        let message = format!(
            "policy is {} bytes, the limit is {MAX_POLICY_BYTES}",
            source.len()
        );
        return Validation {
            valid: false,
            problems: vec![Finding {
                path: "$".into(),
                line: 1,
                column: 1,
                hint: hint(&message),
                message,
            }],
            warnings: Vec::new(),
        };
    }
    let value: Value = match serde_json::from_str(source) {
        Ok(v) => v,
        Err(e) => {
            let message = if source.len() > MAX_POLICY_BYTES {
                format!(
                    "policy is {} bytes, the limit is {MAX_POLICY_BYTES}",
                    source.len()
                )
            } else {
                format!("not valid json: {e}")
            };
            return Validation {
                valid: false,
                problems: vec![Finding {
                    path: "$".into(),
                    line: e.line().max(1),
                    column: e.column().max(1),
                    hint: hint(&message),
                    message,
                }],
                warnings: Vec::new(),
            };
        }
    };
    let index = Index::new(source);
    let locate = |p: Problem| {
        let pos = index.find(&p.path);
        Finding {
            hint: hint(&p.message),
            path: p.path,
            line: pos.line,
            column: pos.column,
            message: p.message,
        }
    };
    match Policy::from_value(&value) {
        Ok(policy) => Validation {
            valid: true,
            problems: Vec::new(),
            warnings: analysis::warnings(&policy.rules)
                .into_iter()
                .map(locate)
                .collect(),
        },
        Err(PolicyError::Invalid(list)) => Validation {
            valid: false,
            problems: list.into_iter().map(locate).collect(),
            warnings: Vec::new(),
        },
        Err(other) => Validation {
            valid: false,
            problems: vec![locate(Problem {
                path: "$".into(),
                message: other.to_string(),
            })],
            warnings: Vec::new(),
        },
    }
}

/// The closest known key to `key`, at most two edits away.
fn closest(key: &str) -> Option<&'static str> {
    let names = PREDICATES
        .iter()
        .flat_map(|p| core::iter::once(p.name).chain(p.modifiers.iter().map(|m| m.0)));
    names
        // The keys a policy, a rule or an outcome may have, for "did you mean".
        .chain(
            POLICY_KEYS
                .iter()
                .chain(RULE_KEYS)
                .chain(OUTCOME_KEYS)
                .copied(),
        )
        .map(|k| (edits(key, k), k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance, by characters.
fn edits(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let diag = prev + usize::from(ca != *cb);
            prev = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = diag
                    .min(above.saturating_add(1))
                    .min(left.saturating_add(1));
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// A fix hint for a problem's message.
fn hint(message: &str) -> String {
    if let Some(key) = message
        .strip_prefix("unknown key `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return match closest(key) {
            Some(k) => format!("did you mean `{k}`? Otherwise remove the key"),
            None => "remove the key; docs/policy.md lists the keys each part takes".into(),
        };
    }
    let table: &[(&str, &str)] = &[
        ("not valid json", "look for a missing comma, quote or bracket at or just before this position"),
        ("bytes, the limit is", "split the policy or move long lists into ip_lists"),
        ("is required", "add the key; docs/policy.md shows an example of each part"),
        ("a condition needs one of", "write one predicate, like {\"device\": \"new\"} or {\"signal\": \"risk.score\", \"op\": \"gt\", \"value\": 0.8}"),
        ("has both", "split it: {\"all\": [{...}, {...}]}"),
        ("unreachable", "remove the rule, make its condition narrower than the rule that wins, or give it a stricter outcome"),
        ("can never be true", "remove the rule or fix the contradictory tests"),
        ("can never decide", "move the rule before the one that wins, narrow that rule, or remove this one"),
        ("only version", "write \"version\": 1"),
        ("duplicate rule id", "give every rule its own id"),
        ("`match` or `no_match`", "write \"on_missing\": \"match\" or \"no_match\""),
        ("unknown signal", "use a signal of the context table in docs/policy.md, or declare it under `signals` and read it as custom.<name>"),
        ("must be", "change the value to the type the message names"),
    ];
    table
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map_or(
            "see docs/policy.md for this part of the language",
            |(_, h)| h,
        )
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_every_problem_with_a_hint() {
        let text = "{\n  \"version\": 1,\n  \"rules\": [\n    {\"id\": \"a\", \"when\": {\"devise\": \"new\"}, \"then\": {\"decision\": \"deny\"}}\n  ],\n  \"default\": {\"decision\": \"allow\"}\n}\n";
        let v = validate(text);
        assert!(!v.valid);
        let p = v
            .problems
            .iter()
            .find(|p| p.path == "rules[0].when.devise")
            .or_else(|| v.problems.iter().find(|p| p.path == "rules[0].when"));
        let p = p.map(|p| (p.line, p.hint.contains("device")));
        assert_eq!(p.map(|x| x.0), Some(4), "{v:?}");
    }

    #[test]
    fn json_errors_point_where_parsing_stopped() {
        let v = validate("{\n  \"version\": 1\n  \"rules\": []\n}");
        assert_eq!((v.problems.len(), v.problems[0].line), (1, 3));
        assert!(v.problems[0].hint.contains("comma"));
    }

    #[test]
    fn an_oversized_policy_is_refused_before_parsing() {
        let v = validate(&" ".repeat(MAX_POLICY_BYTES + 1));
        assert!(!v.valid && v.problems[0].message.contains("the limit is"));
    }

    #[test]
    fn edit_distance() {
        assert_eq!(edits("devise", "device"), 1);
        assert_eq!(edits("", "abc"), 3);
        assert_eq!(closest("on_mising"), Some("on_missing"));
        assert_eq!(closest("zzzzzzzz"), None);
    }
}
