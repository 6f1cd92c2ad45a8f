//! From policy JSON to a compiled [`Policy`], listing every problem found.

use serde_json::{Map, Value};

use super::analysis;
use super::cond::{Cmp, Cond, NumOp, Sig, Staleness, Test};
use super::context::{is_action_type, is_country, quote};
use super::currency::Currency;
use super::error::{PolicyError, Problem};
use super::geo::DEFAULT_MAX_SPEED_KMH;
use super::ip::CidrSet;
use super::model::{DecisionKind, Outcome};
use super::signal::{Builtin, Ty};
use crate::kosmos::IalLevel;

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

/// Keys that name what a condition tests; a condition has exactly one.
pub(super) const PREDICATES: &[&str] = &[
    "all",
    "any",
    "not",
    "signal",
    "device",
    "ip_in",
    "ip_flag",
    "country_in",
    "country_changed",
    "impossible_travel",
    "risk_score_above",
    "bot_detected",
    "action",
    "amount_above",
    "step_up_older_than",
    "verification_older_than",
    "ial_below",
];

struct Compiler {
    problems: Vec<Problem>,
    custom: Vec<(String, Ty)>,
    ip_lists: Vec<(String, CidrSet)>,
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
        let mut c = Compiler {
            problems: Vec::new(),
            custom: Vec::new(),
            ip_lists: Vec::new(),
        };
        let policy = c.policy(value);
        if let Some(p) = &policy {
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
fn join(path: &str, key: &str) -> String {
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

fn strings(v: &Value) -> Option<Vec<&str>> {
    v.as_array()?.iter().map(Value::as_str).collect()
}

fn boxed(list: &[&str]) -> Box<[Box<str>]> {
    list.iter().map(|s| Box::<str>::from(*s)).collect()
}

impl Compiler {
    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.to_owned(),
            message: message.into(),
        });
    }

    fn known_keys(&mut self, obj: &Map<String, Value>, path: &str, allowed: &[&str]) {
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
        self.known_keys(
            obj,
            "$",
            &[
                "$schema",
                "version",
                "description",
                "signals",
                "ip_lists",
                "rules",
                "default",
            ],
        );
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

    fn signals(&mut self, map: &Map<String, Value>) {
        for (name, ty) in map {
            let path = join("signals", name);
            let name_ok = !name.is_empty()
                && name.len() <= 64
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !name_ok {
                self.problem(
                    &path,
                    "a signal name is 1 to 64 letters, digits or underscores",
                );
                continue;
            }
            match ty.as_str().and_then(Ty::parse_custom) {
                Some(t) => self.custom.push((name.clone(), t)),
                None => self.problem(
                    &path,
                    "must be one of `number`, `integer`, `string`, `boolean`, `string_set`",
                ),
            }
        }
    }

    fn ip_lists(&mut self, map: &Map<String, Value>) {
        for (name, list) in map {
            let path = join("ip_lists", name);
            let Some(items) = list.as_array() else {
                self.problem(&path, "must be an array of cidr blocks");
                continue;
            };
            let set = self.cidrs(items, &path);
            self.ip_lists.push((name.clone(), set));
        }
    }

    fn cidrs(&mut self, items: &[Value], path: &str) -> CidrSet {
        let mut set = CidrSet::default();
        for (i, item) in items.iter().enumerate() {
            let p = format!("{path}[{i}]");
            match item.as_str() {
                Some(s) => {
                    if let Err(m) = set.push(s) {
                        self.problem(&p, m);
                    }
                }
                None => self.problem(
                    &p,
                    "must be a cidr block like `10.0.0.0/8` or `2001:db8::/32`",
                ),
            }
        }
        set
    }

    fn rule(&mut self, value: &Value, path: &str) -> Option<Rule> {
        let Some(obj) = value.as_object() else {
            self.problem(path, "a rule must be an object");
            return None;
        };
        self.known_keys(obj, path, &["id", "description", "when", "then"]);
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
        Some(Rule {
            id,
            reason,
            when: analysis::fold(when?),
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
            // A number or any spelling the core reads (`IAL2`, `ial_2`, ...).
            (DecisionKind::VerifyIdentity, Some(v)) => match v
                .as_u64()
                .and_then(IalLevel::from_number)
                .or_else(|| v.as_str().and_then(IalLevel::parse))
            {
                Some(level) => Some(level.number()),
                None => {
                    self.problem(
                        &format!("{path}.required_ial"),
                        "must be 1, 2 or 3 (or `IAL1`, `IAL2`, `IAL3`)",
                    );
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
            (DecisionKind::StepUp | DecisionKind::VerifyIdentity, Some(v)) => match v.as_u64() {
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
                self.problem(
                    &format!("{path}.max_age_s"),
                    "only applies to `step_up` and `verify_identity`",
                );
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

    /// Reads `on_missing` (or another match/no_match switch) at `key`.
    /// `default` `None` means the policy must say.
    fn switch(
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
        let present: Vec<&str> = PREDICATES
            .iter()
            .copied()
            .filter(|k| obj.contains_key(*k))
            .collect();
        let key = match present.as_slice() {
            [one] => *one,
            [] => {
                self.problem(
                    path,
                    format!(
                        "a condition needs one of {}",
                        PREDICATES
                            .iter()
                            .map(|p| format!("`{p}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                return None;
            }
            [a, b, ..] => {
                self.problem(
                    path,
                    format!("has both `{a}` and `{b}`; a condition tests one thing, combine tests with `all` or `any`"),
                );
                return None;
            }
        };
        let modifiers: &[&str] = match key {
            "all" | "any" | "not" => &[],
            "signal" => &["op", "value", "on_missing"],
            "amount_above" => &["on_other_currency", "on_missing"],
            _ => &["on_missing"],
        };
        let mut allowed = vec![key];
        allowed.extend_from_slice(modifiers);
        self.known_keys(obj, path, &allowed);
        let arg = obj.get(key).unwrap_or(&Value::Null);
        let arg_path = join(path, key);
        match key {
            "all" | "any" => {
                let Some(items) = arg.as_array() else {
                    self.problem(&arg_path, "must be an array of conditions");
                    return None;
                };
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match self.cond(item, &format!("{arg_path}[{i}]"), depth + 1) {
                        Some(c) => out.push(c),
                        None => ok = false,
                    }
                }
                ok.then(|| {
                    if key == "all" {
                        Cond::All(out.into())
                    } else {
                        Cond::Any(out.into())
                    }
                })
            }
            "not" => self
                .cond(arg, &arg_path, depth + 1)
                .map(|c| Cond::Not(Box::new(c))),
            "signal" => self.signal_cond(obj, path),
            _ => self.predicate(key, arg, obj, path),
        }
    }

    fn leaf(test: Test, on_missing: bool) -> Cond {
        Cond::Leaf { test, on_missing }
    }

    /// `{"signal": name, "op": op, "value": v, "on_missing"?}`.
    fn signal_cond(&mut self, obj: &Map<String, Value>, path: &str) -> Option<Cond> {
        let name_path = join(path, "signal");
        let Some(name) = obj.get("signal").and_then(Value::as_str) else {
            self.problem(&name_path, "must be a signal name");
            return None;
        };
        let found = if let Some(custom) = name.strip_prefix("custom.") {
            self.custom
                .iter()
                .position(|(n, _)| n == custom)
                .and_then(|i| self.custom.get(i).map(|(_, t)| (Sig::Custom(i), *t)))
        } else {
            Builtin::by_path(name).map(|(b, t)| (Sig::Builtin(b), t))
        };
        let Some((sig, ty)) = found else {
            let hint = if name.starts_with("custom.") {
                "declare it in `signals`".to_owned()
            } else {
                "built-in signals are documented in the policy guide; your own go in `signals` and are read as `custom.<name>`".to_owned()
            };
            self.problem(
                &name_path,
                format!("unknown signal {}; {hint}", quote(name)),
            );
            return None;
        };
        let on_missing = self.switch(obj, path, "on_missing", Some(false), "");
        let op_path = join(path, "op");
        let value_path = join(path, "value");
        let op = match obj.get("op") {
            None => "eq",
            Some(Value::String(s)) => s.as_str(),
            Some(_) => {
                self.problem(&op_path, "must be a string");
                return None;
            }
        };
        if op == "present" || op == "absent" {
            if obj.contains_key("value") {
                self.problem(&value_path, format!("`{op}` takes no value"));
            }
            if obj.contains_key("on_missing") {
                self.problem(
                    &join(path, "on_missing"),
                    format!("`{op}` already says what happens when the signal is missing"),
                );
            }
            return Some(Self::leaf(
                Test::Present {
                    sig,
                    want: op == "present",
                },
                false,
            ));
        }
        if sig == Sig::Builtin(Builtin::ActionAmountMinor) {
            self.problem(
                &name_path,
                "compare amounts with `amount_above`, which sets a threshold per currency",
            );
            return None;
        }
        let value = obj.get("value");
        let cmp = self.cmp(sig, ty, op, value, &op_path, &value_path)?;
        Some(Self::leaf(Test::Cmp { sig, cmp }, on_missing?))
    }

    fn cmp(
        &mut self,
        sig: Sig,
        ty: Ty,
        op: &str,
        value: Option<&Value>,
        op_path: &str,
        value_path: &str,
    ) -> Option<Cmp> {
        let ops: &[&str] = match ty {
            Ty::Number | Ty::Integer | Ty::Timestamp => &["eq", "ne", "gt", "gte", "lt", "lte"],
            Ty::String => &["eq", "ne", "in", "not_in"],
            Ty::Boolean => &["eq", "ne"],
            Ty::StringSet => &["contains", "contains_any", "contains_all"],
            Ty::Ip => &["in", "not_in"],
        };
        if !ops.contains(&op) {
            self.problem(
                op_path,
                format!(
                    "operator {} does not apply to {} signal; use one of {}, `present`, `absent`",
                    quote(op),
                    ty.name(),
                    ops.iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
            return None;
        }
        let wrong = |this: &mut Self, want: &str| {
            this.problem(
                value_path,
                format!("`{op}` on {} signal needs {want}", ty.name()),
            );
        };
        match ty {
            Ty::Number | Ty::Integer | Ty::Timestamp => {
                let Some(n) = value.and_then(Value::as_f64) else {
                    wrong(self, "a number");
                    return None;
                };
                let range = match sig {
                    Sig::Builtin(Builtin::RiskScore) => {
                        Some((0.0, 1.0, "risk scores run from 0 to 1"))
                    }
                    Sig::Builtin(Builtin::CurrentIal) => Some((0.0, 3.0, "ial runs from 0 to 3")),
                    Sig::Builtin(Builtin::GeoLat | Builtin::LastLat) => {
                        Some((-90.0, 90.0, "latitude runs from -90 to 90"))
                    }
                    Sig::Builtin(Builtin::GeoLon | Builtin::LastLon) => {
                        Some((-180.0, 180.0, "longitude runs from -180 to 180"))
                    }
                    _ => None,
                };
                if let Some((lo, hi, why)) = range {
                    if !(lo..=hi).contains(&n) {
                        self.problem(value_path, format!("is out of range: {why}"));
                        return None;
                    }
                }
                let op = match op {
                    "eq" => NumOp::Eq,
                    "ne" => NumOp::Ne,
                    "gt" => NumOp::Gt,
                    "gte" => NumOp::Gte,
                    "lt" => NumOp::Lt,
                    _ => NumOp::Lte,
                };
                Some(Cmp::Num(op, n))
            }
            Ty::Boolean => {
                // `{"signal": "risk.bot"}` reads as "is true".
                let b = match value {
                    None => true,
                    Some(v) => match v.as_bool() {
                        Some(b) => b,
                        None => {
                            wrong(self, "`true` or `false`");
                            return None;
                        }
                    },
                };
                Some(Cmp::BoolEq(if op == "ne" { !b } else { b }))
            }
            Ty::String => {
                let check = |this: &mut Self, s: &str, p: &str| -> bool {
                    let msg = match sig {
                        Sig::Builtin(Builtin::GeoCountry | Builtin::LastCountry)
                            if !is_country(s) =>
                        {
                            "is not an iso 3166-1 alpha-2 country code in upper case, like `US`"
                        }
                        Sig::Builtin(Builtin::ActionType) if !is_action_type(s) => {
                            "is not a known action type; a deployment's own types start with `x_`"
                        }
                        Sig::Builtin(Builtin::ActionCurrency)
                            if Currency::from_code(s).is_none() =>
                        {
                            "is not a supported iso 4217 currency code"
                        }
                        _ => return true,
                    };
                    this.problem(p, format!("{} {msg}", quote(s)));
                    false
                };
                if op == "eq" || op == "ne" {
                    let Some(s) = value.and_then(Value::as_str) else {
                        wrong(self, "a string");
                        return None;
                    };
                    if !check(self, s, value_path) {
                        return None;
                    }
                    let s = Box::<str>::from(s);
                    Some(if op == "eq" {
                        Cmp::StrEq(s)
                    } else {
                        Cmp::StrNe(s)
                    })
                } else {
                    let list = self.string_list(value, value_path, check)?;
                    Some(if op == "in" {
                        Cmp::StrIn(list)
                    } else {
                        Cmp::StrNotIn(list)
                    })
                }
            }
            Ty::StringSet => {
                if op == "contains" {
                    let Some(s) = value.and_then(Value::as_str) else {
                        wrong(self, "a string");
                        return None;
                    };
                    Some(Cmp::SetContains(s.into()))
                } else {
                    let list = self.string_list(value, value_path, |_, _, _| true)?;
                    Some(if op == "contains_any" {
                        Cmp::SetContainsAny(list)
                    } else {
                        Cmp::SetContainsAll(list)
                    })
                }
            }
            Ty::Ip => {
                let set = self.ip_set(value, value_path)?;
                Some(if op == "in" {
                    Cmp::IpIn(set)
                } else {
                    Cmp::IpNotIn(set)
                })
            }
        }
    }

    /// A non-empty array of strings, each passing `check`.
    fn string_list(
        &mut self,
        value: Option<&Value>,
        path: &str,
        check: impl Fn(&mut Self, &str, &str) -> bool,
    ) -> Option<Box<[Box<str>]>> {
        let Some(list) = value.and_then(strings) else {
            self.problem(path, "must be an array of strings");
            return None;
        };
        if list.is_empty() {
            self.problem(path, "must not be empty (an empty list never matches)");
            return None;
        }
        let mut ok = true;
        for (i, s) in list.iter().enumerate() {
            ok &= check(self, s, &format!("{path}[{i}]"));
        }
        ok.then(|| boxed(&list))
    }

    /// A named list from `ip_lists`, or an inline array of cidr blocks.
    fn ip_set(&mut self, value: Option<&Value>, path: &str) -> Option<CidrSet> {
        match value {
            Some(Value::String(name)) => match self.ip_lists.iter().find(|(n, _)| n == name) {
                Some((_, set)) => Some(set.clone()),
                None => {
                    self.problem(
                        path,
                        format!("no ip list named {} in `ip_lists`", quote(name)),
                    );
                    None
                }
            },
            Some(Value::Array(items)) => {
                let before = self.problems.len();
                let set = self.cidrs(items, path);
                if self.problems.len() != before {
                    return None;
                }
                if set.len() == 0 {
                    self.problem(path, "must not be empty (an empty list never matches)");
                    return None;
                }
                Some(set)
            }
            _ => {
                self.problem(
                    path,
                    "must name a list in `ip_lists` or be an array of cidr blocks",
                );
                None
            }
        }
    }

    fn staleness(&mut self, obj: &Map<String, Value>, path: &str) -> Option<Option<Staleness>> {
        let on_stale_given = obj.contains_key("on_stale");
        match obj.get("stale_after_s") {
            None => {
                if on_stale_given {
                    self.problem(
                        &join(path, "on_stale"),
                        "needs `stale_after_s` to say when history is stale",
                    );
                    return None;
                }
                Some(None)
            }
            Some(v) => {
                let Some(after_s) = v.as_u64() else {
                    self.problem(
                        &join(path, "stale_after_s"),
                        "must be a whole number of seconds",
                    );
                    return None;
                };
                let on_stale = self.switch(
                    obj,
                    path,
                    "on_stale",
                    None,
                    "say what a last login older than `stale_after_s` means",
                )?;
                Some(Some(Staleness { after_s, on_stale }))
            }
        }
    }

    /// The domain predicates.
    fn predicate(
        &mut self,
        key: &str,
        arg: &Value,
        obj: &Map<String, Value>,
        path: &str,
    ) -> Option<Cond> {
        let arg_path = join(path, key);
        // The risky reading of absent data, per predicate; `None`: must be said.
        let default_missing = match key {
            "country_changed" | "impossible_travel" => None,
            "step_up_older_than" | "verification_older_than" | "ial_below" => Some(true),
            "device" => Some(matches!(arg.as_str(), Some("new" | "untrusted"))),
            _ => Some(false),
        };
        let on_missing = self.switch(
            obj,
            path,
            "on_missing",
            default_missing,
            "say what missing login history means; it is never treated as safe by default",
        );
        let cmp = |b: Builtin, cmp| {
            Some(Test::Cmp {
                sig: Sig::Builtin(b),
                cmp,
            })
        };
        let test = match key {
            "device" => match arg.as_str() {
                Some("new") => cmp(Builtin::DeviceKnown, Cmp::BoolEq(false)),
                Some("known") => cmp(Builtin::DeviceKnown, Cmp::BoolEq(true)),
                Some("trusted") => cmp(Builtin::DeviceTrusted, Cmp::BoolEq(true)),
                Some("untrusted") => cmp(Builtin::DeviceTrusted, Cmp::BoolEq(false)),
                _ => {
                    self.problem(
                        &arg_path,
                        "must be `new`, `known`, `trusted` or `untrusted`",
                    );
                    None
                }
            },
            "ip_in" => {
                let set = self.ip_set(Some(arg), &arg_path);
                set.and_then(|s| cmp(Builtin::Ip, Cmp::IpIn(s)))
            }
            "ip_flag" => match arg.as_str() {
                Some("anonymous") => Some(Test::AnonymousIp),
                Some("vpn") => cmp(Builtin::IpVpn, Cmp::BoolEq(true)),
                Some("tor") => cmp(Builtin::IpTor, Cmp::BoolEq(true)),
                Some("proxy") => cmp(Builtin::IpProxy, Cmp::BoolEq(true)),
                Some("hosting") => cmp(Builtin::IpHosting, Cmp::BoolEq(true)),
                _ => {
                    self.problem(
                        &arg_path,
                        "must be `anonymous`, `vpn`, `tor`, `proxy` or `hosting`",
                    );
                    None
                }
            },
            "country_in" => {
                let list = self.string_list(Some(arg), &arg_path, |this, s, p| {
                    let ok = is_country(s);
                    if !ok {
                        this.problem(
                            p,
                            format!("{} is not an iso 3166-1 alpha-2 country code in upper case, like `US`", quote(s)),
                        );
                    }
                    ok
                });
                list.and_then(|l| cmp(Builtin::GeoCountry, Cmp::StrIn(l)))
            }
            "country_changed" => {
                let stale = match arg {
                    Value::Bool(true) => Some(None),
                    Value::Object(o) => {
                        self.known_keys(o, &arg_path, &["stale_after_s", "on_stale"]);
                        self.staleness(o, &arg_path)
                    }
                    _ => {
                        self.problem(
                            &arg_path,
                            "must be `true` or an object with `stale_after_s` and `on_stale`",
                        );
                        None
                    }
                };
                stale.map(|stale| Test::CountryChanged { stale })
            }
            "impossible_travel" => self.travel(arg, &arg_path),
            "risk_score_above" => match arg.as_f64() {
                Some(t) if (0.0..1.0).contains(&t) => {
                    cmp(Builtin::RiskScore, Cmp::Num(NumOp::Gt, t))
                }
                _ => {
                    self.problem(
                        &arg_path,
                        "must be a number from 0 up to (not including) 1: risk scores run from 0 to 1",
                    );
                    None
                }
            },
            "bot_detected" => match arg.as_bool() {
                Some(b) => cmp(Builtin::RiskBot, Cmp::BoolEq(b)),
                None => {
                    self.problem(&arg_path, "must be `true` or `false`");
                    None
                }
            },
            "action" => {
                let single = arg
                    .as_str()
                    .map(|s| Value::Array(vec![Value::String(s.to_owned())]));
                let list = self.string_list(Some(single.as_ref().unwrap_or(arg)), &arg_path, |this, s, p| {
                    let ok = is_action_type(s);
                    if !ok {
                        this.problem(
                            p,
                            format!("{} is not a known action type; a deployment's own types start with `x_`", quote(s)),
                        );
                    }
                    ok
                });
                list.and_then(|l| cmp(Builtin::ActionType, Cmp::StrIn(l)))
            }
            "amount_above" => self.amount(arg, obj, path),
            "step_up_older_than" | "verification_older_than" => match arg.as_u64() {
                Some(s) if key == "step_up_older_than" => Some(Test::StepUpOlderThan(s)),
                Some(s) => Some(Test::VerificationOlderThan(s)),
                None => {
                    self.problem(&arg_path, "must be a whole number of seconds");
                    None
                }
            },
            "ial_below" => match arg.as_u64() {
                Some(n @ 1..=3) => cmp(
                    Builtin::CurrentIal,
                    Cmp::Num(NumOp::Lt, f64::from(u8::try_from(n).unwrap_or(3))),
                ),
                _ => {
                    self.problem(&arg_path, "must be 1, 2 or 3");
                    None
                }
            },
            _ => None,
        };
        Some(Self::leaf(test?, on_missing?))
    }

    fn travel(&mut self, arg: &Value, path: &str) -> Option<Test> {
        let empty = Map::new();
        let o = match arg {
            Value::Bool(true) => &empty,
            Value::Object(o) => o,
            _ => {
                self.problem(
                    path,
                    "must be `true` or an object with `max_speed_kmh`, `min_distance_km`, `stale_after_s`, `on_stale`",
                );
                return None;
            }
        };
        self.known_keys(
            o,
            path,
            &[
                "max_speed_kmh",
                "min_distance_km",
                "stale_after_s",
                "on_stale",
            ],
        );
        let positive = |this: &mut Self, key: &str, default: f64, zero_ok: bool| -> Option<f64> {
            match o.get(key) {
                None => Some(default),
                Some(v) => match v.as_f64() {
                    Some(n) if n > 0.0 || (zero_ok && n == 0.0) => Some(n),
                    _ => {
                        this.problem(
                            &join(path, key),
                            if zero_ok {
                                "must be a number of at least 0"
                            } else {
                                "must be a number above 0"
                            },
                        );
                        None
                    }
                },
            }
        };
        let max_speed_kmh = positive(self, "max_speed_kmh", DEFAULT_MAX_SPEED_KMH, false);
        let min_distance_km = positive(self, "min_distance_km", 0.0, true);
        let stale = self.staleness(o, path);
        Some(Test::ImpossibleTravel {
            max_speed_kmh: max_speed_kmh?,
            min_distance_km: min_distance_km?,
            stale: stale?,
        })
    }

    /// `{"amount_above": {"USD": 1000000, "EUR": "9000.00"}, "on_other_currency": ...}`:
    /// an integer threshold is in minor units; a string is a decimal in major
    /// units, converted exactly with the currency's exponent.
    fn amount(&mut self, arg: &Value, obj: &Map<String, Value>, path: &str) -> Option<Test> {
        let arg_path = join(path, "amount_above");
        let on_other = self.switch(
            obj,
            path,
            "on_other_currency",
            None,
            "say what an amount in a currency without a threshold means",
        );
        let Some(map) = arg.as_object() else {
            self.problem(
                &arg_path,
                "must be an object of iso 4217 currency code to threshold",
            );
            return None;
        };
        if map.is_empty() {
            self.problem(&arg_path, "must set a threshold for at least one currency");
            return None;
        }
        let mut thresholds = Vec::with_capacity(map.len());
        let mut ok = true;
        for (code, t) in map {
            let p = join(&arg_path, code);
            let Some(cur) = Currency::from_code(code) else {
                self.problem(
                    &p,
                    format!("{} is not a supported iso 4217 currency code", quote(code)),
                );
                ok = false;
                continue;
            };
            let minor = match t {
                Value::Number(n) => match n.as_i64() {
                    Some(m) if m >= 0 => Ok(m),
                    _ => Err("an integer threshold is in minor units and must be a whole number of at least 0 (or write a decimal string in major units, like `\"10000.00\"`)".to_owned()),
                },
                Value::String(s) => cur.parse_major(s),
                _ => Err("must be a whole number of minor units or a decimal string in major units".to_owned()),
            };
            match minor {
                Ok(m) => thresholds.push((cur, m)),
                Err(m) => {
                    self.problem(&p, m);
                    ok = false;
                }
            }
        }
        if !ok {
            return None;
        }
        Some(Test::AmountAbove {
            thresholds: thresholds.into(),
            on_other_currency: on_other?,
        })
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
