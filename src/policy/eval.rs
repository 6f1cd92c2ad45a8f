//! Evaluating compiled conditions against a decision context.

use serde_json::Value;

use super::compile::Policy;
use super::error::PolicyError;
use super::model::{Decision, DecisionKind, StepUpRequirement};

/// The declared type of a signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SignalType {
    Number,
    String,
    Boolean,
    StringSet,
}

impl SignalType {
    pub(super) fn parse(s: &str) -> Option<Self> {
        match s {
            "number" => Some(Self::Number),
            "string" => Some(Self::String),
            "boolean" => Some(Self::Boolean),
            "string_set" => Some(Self::StringSet),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Number => "a number",
            Self::String => "a string",
            Self::Boolean => "a boolean",
            Self::StringSet => "an array of strings",
        }
    }
}

/// A compiled comparison against one signal.
#[derive(Debug, Clone)]
pub(super) enum Cmp {
    NumGt(f64),
    NumGte(f64),
    NumLt(f64),
    NumLte(f64),
    NumEq(f64),
    StrEq(String),
    StrNe(String),
    StrIn(Vec<String>),
    StrNotIn(Vec<String>),
    BoolEq(bool),
    SetContains(String),
}

impl Cmp {
    pub(super) fn build(ty: SignalType, op: &str, value: &Value) -> Result<Self, String> {
        let wrong = || {
            format!(
                "`value` for `{op}` on {} signal has the wrong type",
                ty.name()
            )
        };
        let strings = |v: &Value| -> Option<Vec<String>> {
            v.as_array()?
                .iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect()
        };
        Ok(match (ty, op) {
            (SignalType::Number, "gt" | "gte" | "lt" | "lte" | "eq") => {
                let n = value.as_f64().ok_or_else(wrong)?;
                match op {
                    "gt" => Self::NumGt(n),
                    "gte" => Self::NumGte(n),
                    "lt" => Self::NumLt(n),
                    "lte" => Self::NumLte(n),
                    _ => Self::NumEq(n),
                }
            }
            (SignalType::String, "eq") => Self::StrEq(value.as_str().ok_or_else(wrong)?.to_owned()),
            (SignalType::String, "ne") => Self::StrNe(value.as_str().ok_or_else(wrong)?.to_owned()),
            (SignalType::String, "in") => Self::StrIn(strings(value).ok_or_else(wrong)?),
            (SignalType::String, "not_in") => Self::StrNotIn(strings(value).ok_or_else(wrong)?),
            (SignalType::Boolean, "eq") => Self::BoolEq(value.as_bool().ok_or_else(wrong)?),
            (SignalType::StringSet, "contains") => {
                Self::SetContains(value.as_str().ok_or_else(wrong)?.to_owned())
            }
            _ => {
                return Err(format!(
                    "operator `{op}` does not apply to {} signal",
                    ty.name()
                ))
            }
        })
    }
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub(super) enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Signal { index: usize, cmp: Cmp },
}

/// Signal values read from the context, by declared index; `None` when absent.
struct Values<'a>(Vec<Option<&'a Value>>);

impl Policy {
    /// Decides for one request. `context` is a JSON object of signal values;
    /// a signal that is absent (or `null`) makes every comparison on it
    /// false, so write rules that trigger on presence of risk, and use
    /// `not` deliberately. A value of the wrong type is an error naming it.
    pub fn decide(&self, context: &Value) -> Result<Decision, PolicyError> {
        let obj = context.as_object().ok_or_else(|| PolicyError::BadContext {
            field: "$".into(),
            message: "the context must be a json object".into(),
        })?;
        let mut values = Values(Vec::with_capacity(self.signals.len()));
        for (name, ty) in &self.signals {
            let v = obj.get(name).filter(|v| !v.is_null());
            if let Some(v) = v {
                let ok = match ty {
                    SignalType::Number => v.is_number(),
                    SignalType::String => v.is_string(),
                    SignalType::Boolean => v.is_boolean(),
                    SignalType::StringSet => {
                        v.as_array().is_some_and(|a| a.iter().all(Value::is_string))
                    }
                };
                if !ok {
                    return Err(PolicyError::BadContext {
                        field: name.clone(),
                        message: format!("must be {}", ty.name()),
                    });
                }
            }
            values.0.push(v);
        }
        let mut winner: Option<usize> = None;
        let mut matched = Vec::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if eval(&rule.when, &values) {
                matched.push(i);
                let stricter = winner
                    .and_then(|w| self.rules.get(w))
                    .is_none_or(|w| rule.outcome.kind > w.outcome.kind);
                if stricter {
                    winner = Some(i);
                }
            }
        }
        let win_rule = winner.and_then(|w| self.rules.get(w));
        let outcome = win_rule.map_or(&self.default, |r| &r.outcome);
        let mut reasons = Vec::with_capacity(matched.len());
        if let Some(r) = win_rule {
            reasons.push(reason(r));
        }
        for &i in &matched {
            if Some(i) != winner {
                if let Some(r) = self.rules.get(i) {
                    reasons.push(reason(r));
                }
            }
        }
        if reasons.is_empty() {
            reasons.push("no rule matched; the default applies".into());
        }
        Ok(Decision {
            decision: outcome.kind,
            rule: win_rule.map_or_else(|| "default".to_owned(), |r| r.id.clone()),
            reasons,
            matched_rules: matched
                .iter()
                .filter_map(|&i| self.rules.get(i).map(|r| r.id.clone()))
                .collect(),
            required_ial: outcome.required_ial.map(|n| format!("IAL{n}")),
            step_up: match outcome.kind {
                DecisionKind::StepUp => Some(StepUpRequirement {
                    max_age_s: outcome.max_age_s.unwrap_or(0),
                }),
                _ => None,
            },
        })
    }
}

fn reason(rule: &super::compile::Rule) -> String {
    if rule.description.is_empty() {
        rule.id.clone()
    } else {
        format!("{}: {}", rule.id, rule.description)
    }
}

fn eval(cond: &Cond, values: &Values<'_>) -> bool {
    match cond {
        Cond::All(list) => list.iter().all(|c| eval(c, values)),
        Cond::Any(list) => list.iter().any(|c| eval(c, values)),
        Cond::Not(inner) => !eval(inner, values),
        Cond::Signal { index, cmp } => {
            let Some(Some(v)) = values.0.get(*index) else {
                return false;
            };
            compare(cmp, v)
        }
    }
}

fn compare(cmp: &Cmp, v: &Value) -> bool {
    match cmp {
        Cmp::NumGt(n) => v.as_f64().is_some_and(|x| x > *n),
        Cmp::NumGte(n) => v.as_f64().is_some_and(|x| x >= *n),
        Cmp::NumLt(n) => v.as_f64().is_some_and(|x| x < *n),
        Cmp::NumLte(n) => v.as_f64().is_some_and(|x| x <= *n),
        Cmp::NumEq(n) => v.as_f64().is_some_and(|x| x == *n),
        Cmp::StrEq(s) => v.as_str() == Some(s.as_str()),
        Cmp::StrNe(s) => v.as_str().is_some_and(|x| x != s),
        Cmp::StrIn(set) => v.as_str().is_some_and(|x| set.iter().any(|s| s == x)),
        Cmp::StrNotIn(set) => v.as_str().is_some_and(|x| !set.iter().any(|s| s == x)),
        Cmp::BoolEq(b) => v.as_bool() == Some(*b),
        Cmp::SetContains(s) => v
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(s.as_str()))),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Policy;
    use super::*;
    use serde_json::json;

    const POLICY: &str = r#"{
        "version": 1,
        "signals": {"risk_score": "number", "new_device": "boolean"},
        "rules": [
            {"id": "risky", "description": "risk score above 70", "when": {"signal": "risk_score", "op": "gt", "value": 70}, "then": {"decision": "step_up", "max_age_s": 900}},
            {"id": "very-risky", "when": {"all": [{"signal": "risk_score", "op": "gte", "value": 95}, {"signal": "new_device", "value": true}]}, "then": {"decision": "deny"}}
        ],
        "default": {"decision": "allow"}
    }"#;

    #[test]
    fn decides_with_strictest_match() {
        let p = Policy::compile(POLICY).unwrap();
        let d = p.decide(&json!({"risk_score": 10})).unwrap();
        assert_eq!(
            (d.decision, d.rule.as_str()),
            (DecisionKind::Allow, "default")
        );
        let d = p.decide(&json!({"risk_score": 71})).unwrap();
        assert_eq!(d.decision, DecisionKind::StepUp);
        assert_eq!(d.step_up, Some(StepUpRequirement { max_age_s: 900 }));
        assert_eq!(
            p.decide(&json!({"risk_score": 70})).unwrap().decision,
            DecisionKind::Allow
        );
        let d = p
            .decide(&json!({"risk_score": 96, "new_device": true}))
            .unwrap();
        assert_eq!(d.decision, DecisionKind::Deny);
        assert_eq!(d.matched_rules, vec!["risky", "very-risky"]);
        assert_eq!(d.reasons[0], "very-risky");
    }

    #[test]
    fn wrong_context_type_names_the_field() {
        let p = Policy::compile(POLICY).unwrap();
        let e = p.decide(&json!({"risk_score": "high"})).unwrap_err();
        assert!(matches!(e, PolicyError::BadContext { ref field, .. } if field == "risk_score"));
    }

    #[test]
    fn lists_every_problem() {
        let e = Policy::compile(r#"{"version": 2, "signals": {"a": "nope"}, "rules": [{"id": "x", "when": {"signal": "zzz"}, "then": {"decision": "maybe"}}], "default": {"decision": "allow"}}"#).unwrap_err();
        let PolicyError::Invalid(problems) = e else {
            panic!()
        };
        let paths: Vec<_> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "version",
                "signals.a",
                "rules[0].when.signal",
                "rules[0].then.decision"
            ]
        );
    }
}
