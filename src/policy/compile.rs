//! From policy JSON to a compiled [`Policy`], listing every problem found.

use serde_json::{Map, Value};

use super::error::{PolicyError, Problem};
use super::eval::{Cmp, Cond, SignalType};
use super::model::{DecisionKind, Outcome};

/// Largest policy document accepted, in bytes.
pub const MAX_POLICY_BYTES: usize = 256 * 1024;
/// Deepest condition nesting accepted.
pub const MAX_CONDITION_DEPTH: usize = 32;

/// A compiled policy: validated once, then [`decide`](Policy::decide)d many times.
#[derive(Debug, Clone)]
pub struct Policy {
    pub(super) signals: Vec<(String, SignalType)>,
    pub(super) rules: Vec<Rule>,
    pub(super) default: Outcome,
}

#[derive(Debug, Clone)]
pub(super) struct Rule {
    pub(super) id: String,
    pub(super) description: String,
    pub(super) when: Cond,
    pub(super) outcome: Outcome,
}

struct Compiler {
    problems: Vec<Problem>,
    signals: Vec<(String, SignalType)>,
}

impl Policy {
    /// Compiles a policy from its JSON text. On failure every problem is
    /// listed with its JSON path.
    pub fn compile(json: &str) -> Result<Self, PolicyError> {
        if json.len() > MAX_POLICY_BYTES {
            return Err(PolicyError::Invalid(vec![Problem {
                path: "$".into(),
                message: format!(
                    "policy is {} bytes, the limit is {MAX_POLICY_BYTES}",
                    json.len()
                ),
            }]));
        }
        let value: Value = serde_json::from_str(json).map_err(|e| {
            PolicyError::Invalid(vec![Problem {
                path: "$".into(),
                message: format!("not valid json: {e}"),
            }])
        })?;
        Self::from_value(&value)
    }

    /// Compiles a policy already parsed as JSON.
    pub fn from_value(value: &Value) -> Result<Self, PolicyError> {
        let mut c = Compiler {
            problems: Vec::new(),
            signals: Vec::new(),
        };
        let policy = c.policy(value);
        match policy {
            Some(p) if c.problems.is_empty() => Ok(p),
            _ => Err(PolicyError::Invalid(c.problems)),
        }
    }
}

impl Compiler {
    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn policy(&mut self, value: &Value) -> Option<Policy> {
        let Some(obj) = value.as_object() else {
            self.problem("$", "a policy must be a json object");
            return None;
        };
        self.known_keys(
            obj,
            "$",
            &["version", "signals", "rules", "default", "description"],
        );
        match obj.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
            Some(_) => self.problem("version", "only version `1` is supported"),
            None => self.problem("version", "is required"),
        }
        match obj.get("signals") {
            Some(Value::Object(map)) => {
                for (name, ty) in map {
                    let path = format!("signals.{name}");
                    match ty.as_str().and_then(SignalType::parse) {
                        Some(t) => self.signals.push((name.clone(), t)),
                        None => self.problem(
                            &path,
                            "must be one of `number`, `string`, `boolean`, `string_set`",
                        ),
                    }
                }
            }
            Some(_) => self.problem("signals", "must be an object of signal name to type"),
            None => self.problem("signals", "is required"),
        }
        let mut rules = Vec::new();
        match obj.get("rules") {
            Some(Value::Array(list)) => {
                for (i, r) in list.iter().enumerate() {
                    if let Some(rule) = self.rule(r, &format!("rules[{i}]")) {
                        if rules.iter().any(|x: &Rule| x.id == rule.id) {
                            self.problem(
                                &format!("rules[{i}].id"),
                                format!("duplicate rule id `{}`", rule.id),
                            );
                        }
                        rules.push(rule);
                    }
                }
            }
            Some(_) => self.problem("rules", "must be an array"),
            None => self.problem("rules", "is required"),
        }
        let default = match obj.get("default") {
            Some(v) => self.outcome(v, "default"),
            None => {
                self.problem("default", "is required");
                None
            }
        };
        Some(Policy {
            signals: std::mem::take(&mut self.signals),
            rules,
            default: default?,
        })
    }

    fn known_keys(&mut self, obj: &Map<String, Value>, path: &str, allowed: &[&str]) {
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                let p = if path == "$" {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                self.problem(&p, format!("unknown key `{k}`"));
            }
        }
    }

    fn rule(&mut self, value: &Value, path: &str) -> Option<Rule> {
        let Some(obj) = value.as_object() else {
            self.problem(path, "a rule must be an object");
            return None;
        };
        self.known_keys(obj, path, &["id", "description", "when", "then"]);
        let id = match obj.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => id.to_owned(),
            _ => {
                self.problem(&format!("{path}.id"), "must be a non-empty string");
                String::new()
            }
        };
        let description = obj
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let when = match obj.get("when") {
            Some(w) => self.cond(w, &format!("{path}.when"), 0),
            None => {
                self.problem(&format!("{path}.when"), "is required");
                None
            }
        };
        let outcome = match obj.get("then") {
            Some(t) => self.outcome(t, &format!("{path}.then")),
            None => {
                self.problem(&format!("{path}.then"), "is required");
                None
            }
        };
        Some(Rule {
            id,
            description,
            when: when?,
            outcome: outcome?,
        })
    }

    fn outcome(&mut self, value: &Value, path: &str) -> Option<Outcome> {
        let Some(obj) = value.as_object() else {
            self.problem(
                path,
                "an outcome must be an object like {\"decision\": \"allow\"}",
            );
            return None;
        };
        self.known_keys(obj, path, &["decision", "required_ial", "max_age_s"]);
        let kind = match obj.get("decision").and_then(Value::as_str) {
            Some("allow") => DecisionKind::Allow,
            Some("step_up") => DecisionKind::StepUp,
            Some("verify_identity") => DecisionKind::VerifyIdentity,
            Some("deny") => DecisionKind::Deny,
            _ => {
                self.problem(
                    &format!("{path}.decision"),
                    "must be one of `allow`, `step_up`, `verify_identity`, `deny`",
                );
                return None;
            }
        };
        let required_ial = match (kind, obj.get("required_ial")) {
            (DecisionKind::VerifyIdentity, Some(v)) => match v.as_u64() {
                Some(n @ 1..=3) => u8::try_from(n).ok(),
                _ => {
                    self.problem(&format!("{path}.required_ial"), "must be 1, 2 or 3");
                    None
                }
            },
            (DecisionKind::VerifyIdentity, None) => Some(2),
            (_, Some(_)) => {
                self.problem(
                    &format!("{path}.required_ial"),
                    "only applies to `verify_identity`",
                );
                None
            }
            (_, None) => None,
        };
        let max_age_s = match (kind, obj.get("max_age_s")) {
            (DecisionKind::StepUp, Some(v)) => match v.as_u64() {
                Some(n) => Some(n),
                None => {
                    self.problem(
                        &format!("{path}.max_age_s"),
                        "must be a whole number of seconds",
                    );
                    None
                }
            },
            (DecisionKind::StepUp, None) => Some(0),
            (_, Some(_)) => {
                self.problem(&format!("{path}.max_age_s"), "only applies to `step_up`");
                None
            }
            (_, None) => None,
        };
        Some(Outcome {
            kind,
            required_ial,
            max_age_s,
        })
    }

    fn cond(&mut self, value: &Value, path: &str, depth: usize) -> Option<Cond> {
        if depth > MAX_CONDITION_DEPTH {
            self.problem(
                path,
                format!("conditions nest deeper than {MAX_CONDITION_DEPTH}"),
            );
            return None;
        }
        let Some(obj) = value.as_object() else {
            self.problem(path, "a condition must be an object");
            return None;
        };
        if let Some(list) = obj.get("all").or_else(|| obj.get("any")) {
            let is_all = obj.contains_key("all");
            let key = if is_all { "all" } else { "any" };
            self.known_keys(obj, path, &[key]);
            let Some(items) = list.as_array() else {
                self.problem(&format!("{path}.{key}"), "must be an array of conditions");
                return None;
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if let Some(c) = self.cond(item, &format!("{path}.{key}[{i}]"), depth + 1) {
                    out.push(c);
                }
            }
            return Some(if is_all {
                Cond::All(out)
            } else {
                Cond::Any(out)
            });
        }
        if let Some(inner) = obj.get("not") {
            self.known_keys(obj, path, &["not"]);
            return self
                .cond(inner, &format!("{path}.not"), depth + 1)
                .map(|c| Cond::Not(Box::new(c)));
        }
        self.known_keys(obj, path, &["signal", "op", "value"]);
        let Some(name) = obj.get("signal").and_then(Value::as_str) else {
            self.problem(path, "must have `all`, `any`, `not` or `signal`");
            return None;
        };
        let Some(index) = self.signals.iter().position(|(n, _)| n == name) else {
            self.problem(
                &format!("{path}.signal"),
                format!("unknown signal `{name}`; declare it in `signals`"),
            );
            return None;
        };
        let ty = self.signals.get(index).map(|(_, t)| *t)?;
        let op = obj.get("op").and_then(Value::as_str).unwrap_or("eq");
        let value = obj.get("value").unwrap_or(&Value::Null);
        match Cmp::build(ty, op, value) {
            Ok(cmp) => Some(Cond::Signal { index, cmp }),
            Err(m) => {
                self.problem(path, m);
                None
            }
        }
    }
}
