//! From policy JSON to a compiled [`Policy`], listing every problem found.

use serde_json::{Map, Value};

use super::analysis;
use super::cond::Cond;
use super::error::{PolicyError, Problem};
use super::ip::CidrSet;
use super::model::{DecisionKind, Outcome};
use super::predicates::{Call, Form, Predicate, PREDICATES};
use super::signal::Ty;
use super::vocab::quote;

/// The keys a policy may have, in their canonical order (the formatter's too).
pub(super) const POLICY_KEYS: &[&str] = &[
    "$schema",
    "version",
    "description",
    "signals",
    "ip_lists",
    "rules",
    "default",
];
/// The keys a rule may have, in their canonical order.
pub(super) const RULE_KEYS: &[&str] = &["id", "description", "when", "then"];
/// The keys an outcome (`then`, `default`) may have, in their canonical order.
pub(super) const OUTCOME_KEYS: &[&str] = &["decision", "required_ial", "max_age_s"];

/// Largest policy document accepted, in bytes.
pub const MAX_POLICY_BYTES: usize = 256 * 1024;
/// Deepest condition nesting accepted.
pub const MAX_CONDITION_DEPTH: usize = 32;
/// Most problems listed for one policy; past this the list says it stopped.
const MAX_PROBLEMS: usize = 100;

/// A compiled policy: validated once, then [`decide`](Policy::decide)d many times.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Declared custom signals, read from `custom.<name>` in the context.
    pub(super) custom: Vec<(String, Ty)>,
    pub(super) rules: Vec<Rule>,
    pub(super) default: Outcome,
    /// Whether any condition or outcome reads `now`.
    pub(super) needs_now: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Rule {
    pub(super) id: String,
    /// `id: description`, or the id alone: the line a decision's reasons show.
    pub(super) reason: String,
    pub(super) when: Cond,
    pub(super) outcome: Outcome,
}

/// What the compiler carries while it reads one policy.
pub(super) struct Compiler {
    pub(super) problems: Vec<Problem>,
    pub(super) custom: Vec<(String, Ty)>,
    pub(super) ip_lists: Vec<(String, CidrSet)>,
    /// The predicates this compiler knows: [`PREDICATES`], or in tests a
    /// table with a row removed.
    pub(super) table: &'static [Predicate],
    /// Fold conditions (off for coverage, whose paths follow the source).
    pub(super) fold: bool,
}

impl Policy {
    /// Compiles a policy from its JSON text. On failure every problem is
    /// listed with its JSON path (`rules[2].when.all[0].op`), as
    /// [`PolicyError::Invalid`].
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
        Self::build(value, &PREDICATES, true)
    }

    /// Compiles with the given predicate table; `fold: false` keeps every
    /// condition as written (coverage).
    pub(super) fn build(
        value: &Value,
        table: &'static [Predicate],
        fold: bool,
    ) -> Result<Self, PolicyError> {
        let mut c = Compiler {
            problems: Vec::new(),
            custom: Vec::new(),
            ip_lists: Vec::new(),
            table,
            fold,
        };
        let policy = c.policy(value);
        if let (Some(p), true) = (&policy, fold) {
            analysis::check_rules(&p.rules, &mut c.problems);
        }
        if c.problems.len() > MAX_PROBLEMS {
            c.problems.truncate(MAX_PROBLEMS);
            c.problems.push(Problem {
                path: "$".into(),
                message: format!("more than {MAX_PROBLEMS} problems; fix these first"),
            });
        }
        match policy {
            Some(p) if c.problems.is_empty() => Ok(p),
            _ => Err(PolicyError::Invalid(c.problems)),
        }
    }

    /// The rule ids, in policy order.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id.as_str())
    }
}

/// `path.key`; a key that is not a plain name (empty, or with dots, spaces,
/// brackets...) is written `path["key"]` so the path stays unambiguous.
pub(super) fn join(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'$');
    match (path == "$", plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{}]", Value::from(key)),
    }
}

pub(super) fn strings(v: &Value) -> Option<Vec<&str>> {
    v.as_array()?.iter().map(Value::as_str).collect()
}

pub(super) fn boxed(list: &[&str]) -> Box<[Box<str>]> {
    list.iter().map(|s| Box::<str>::from(*s)).collect()
}

impl Compiler {
    pub(super) fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    pub(super) fn known_keys(&mut self, obj: &Map<String, Value>, path: &str, allowed: &[&str]) {
        for k in obj.keys() {
            if !allowed.contains(&k.as_str()) {
                self.problem(&join(path, k), format!("unknown key {}", quote(k)));
            }
        }
    }

    fn policy(&mut self, value: &Value) -> Option<Policy> {
        let Some(obj) = value.as_object() else {
            self.problem("$", "a policy must be a json object");
            return None;
        };
        self.known_keys(obj, "$", POLICY_KEYS);
        match obj.get("version") {
            Some(Value::Number(n)) if n.as_u64() == Some(1) => {}
            Some(_) => self.problem("version", "only version `1` is supported"),
            None => self.problem("version", "is required"),
        }
        if let Some(d) = obj.get("description") {
            if !d.is_string() {
                self.problem("description", "must be a string");
            }
        }
        match obj.get("signals") {
            None => {}
            Some(Value::Object(map)) => self.signals(map),
            Some(_) => self.problem("signals", "must be an object of custom signal name to type"),
        }
        match obj.get("ip_lists") {
            None => {}
            Some(Value::Object(map)) => self.ip_lists(map),
            Some(_) => self.problem("ip_lists", "must be an object of list name to cidr blocks"),
        }
        let mut rules: Vec<Rule> = Vec::new();
        match obj.get("rules") {
            Some(Value::Array(list)) => {
                let mut ids: Vec<&str> = Vec::with_capacity(list.len());
                for (i, r) in list.iter().enumerate() {
                    let path = format!("rules[{i}]");
                    let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
                    if let Some(first) = ids.iter().position(|x| !id.is_empty() && *x == id) {
                        self.problem(
                            &format!("{path}.id"),
                            format!(
                                "duplicate rule id {} (first used by rules[{first}])",
                                quote(id)
                            ),
                        );
                    }
                    ids.push(id);
                    if let Some(rule) = self.rule(r, &path) {
                        rules.push(rule);
                    }
                }
            }
            Some(_) => self.problem("rules", "must be an array of rules"),
            None => self.problem("rules", "is required"),
        }
        let default = match obj.get("default") {
            Some(v) => self.outcome(v, "default"),
            None => {
                self.problem("default", "is required");
                None
            }
        }?;
        let needs_now = rules
            .iter()
            .any(|r| reads_now(&r.when) || outcome_reads_now(&r.outcome))
            || outcome_reads_now(&default);
        Some(Policy {
            custom: std::mem::take(&mut self.custom),
            rules,
            default,
            needs_now,
        })
    }

    fn rule(&mut self, value: &Value, path: &str) -> Option<Rule> {
        let Some(obj) = value.as_object() else {
            self.problem(path, "a rule must be an object");
            return None;
        };
        self.known_keys(obj, path, RULE_KEYS);
        let id = match obj.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() && id.len() <= 128 => id.to_owned(),
            _ => {
                self.problem(
                    &format!("{path}.id"),
                    "must be a non-empty string of at most 128 bytes",
                );
                String::new()
            }
        };
        let description = match obj.get("description") {
            None => "",
            Some(Value::String(s)) => s.as_str(),
            Some(_) => {
                self.problem(&format!("{path}.description"), "must be a string");
                ""
            }
        };
        let when = match obj.get("when") {
            Some(w) => self.cond(w, &format!("{path}.when"), 0),
            None => {
                self.problem(
                    &format!("{path}.when"),
                    "is required (write `{\"all\": []}` for a rule that always matches)",
                );
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
        let reason = if description.is_empty() {
            id.clone()
        } else {
            format!("{id}: {description}")
        };
        let when = when?;
        Some(Rule {
            id,
            reason,
            when: if self.fold {
                analysis::fold(when)
            } else {
                when
            },
            outcome: outcome?,
        })
    }

    pub(super) fn switch(
        &mut self,
        obj: &Map<String, Value>,
        path: &str,
        key: &str,
        default: Option<bool>,
        why_required: &str,
    ) -> Option<bool> {
        match obj.get(key) {
            Some(Value::String(s)) if s == "match" => Some(true),
            Some(Value::String(s)) if s == "no_match" => Some(false),
            Some(_) => {
                self.problem(&join(path, key), "must be `match` or `no_match`");
                None
            }
            None => {
                if default.is_none() {
                    self.problem(
                        &join(path, key),
                        format!("is required: {why_required} (`match` or `no_match`)"),
                    );
                }
                default
            }
        }
    }

    pub(super) fn cond(&mut self, value: &Value, path: &str, depth: usize) -> Option<Cond> {
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
        let table = self.table;
        let present: Vec<&Predicate> = table.iter().filter(|p| obj.contains_key(p.name)).collect();
        let row = match present.as_slice() {
            [one] => *one,
            [] => {
                let names: Vec<String> = table.iter().map(|p| format!("`{}`", p.name)).collect();
                self.problem(
                    path,
                    format!("a condition needs one of {}", names.join(", ")),
                );
                return None;
            }
            [a, b, ..] => {
                self.problem(
                    path,
                    format!(
                        "has both `{}` and `{}`; a condition tests one thing, combine tests with `all` or `any`",
                        a.name, b.name
                    ),
                );
                return None;
            }
        };
        let mut allowed = vec![row.name];
        allowed.extend(row.modifiers.iter().map(|m| m.0));
        self.known_keys(obj, path, &allowed);
        let call = Call {
            arg: obj.get(row.name).unwrap_or(&Value::Null),
            arg_path: join(path, row.name),
            obj,
            path,
            depth,
        };
        match row.form {
            Form::Node(compile) => compile(self, &call),
            Form::Leaf(missing, compile) => {
                let on_missing = self.switch(
                    obj,
                    path,
                    "on_missing",
                    missing.default(call.arg),
                    missing.why(),
                );
                let test = compile(self, &call);
                Some(Cond::Leaf {
                    test: test?,
                    on_missing: on_missing?,
                })
            }
        }
    }
}

fn reads_now(c: &Cond) -> bool {
    match c {
        Cond::Const(_) => false,
        Cond::All(l) | Cond::Any(l) => l.iter().any(reads_now),
        Cond::Not(inner) => reads_now(inner),
        Cond::Leaf { test, .. } => test.reads_now(),
    }
}

fn outcome_reads_now(o: &Outcome) -> bool {
    match o.kind {
        DecisionKind::StepUp => o.max_age_s.is_some_and(|s| s > 0),
        DecisionKind::VerifyIdentity => o.max_age_s.is_some(),
        _ => false,
    }
}
