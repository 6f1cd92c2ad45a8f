//! The predicate table: every key a condition may test, with its
//! modifiers, what it answers when data is missing, how it compiles and its
//! reference text. The compiler, the JSON Schema (`schema/policy.schema.json`)
//! and the predicate reference in `docs/policy.md` all come from
//! [`PREDICATES`]; removing a row removes the predicate from all three.

use serde_json::{Map, Value};

use super::compile::Compiler;
use super::cond::{Cmp, Cond, NumOp, Sig, Test};
use super::signal::{Builtin, Check};
use super::vocab::quote;

/// One condition being compiled: `{"<name>": arg, ...modifiers}` at `path`.
pub(super) struct Call<'v> {
    pub(super) arg: &'v Value,
    /// `path.<name>`.
    pub(super) arg_path: String,
    pub(super) obj: &'v Map<String, Value>,
    pub(super) path: &'v str,
    pub(super) depth: usize,
}

/// What a leaf predicate answers when the data it needs is absent, unless
/// the condition's `on_missing` says otherwise.
#[derive(Clone, Copy)]
pub(super) enum Missing {
    /// Match (`true`) or no match.
    Default(bool),
    /// Match for these arguments (`{"device": "new"}`), no match otherwise.
    MatchFor(&'static [&'static str]),
    /// No default: the policy must say, for the reason given.
    Required(&'static str),
}

impl Missing {
    pub(super) fn default(self, arg: &Value) -> Option<bool> {
        match self {
            Self::Default(b) => Some(b),
            Self::MatchFor(list) => Some(arg.as_str().is_some_and(|a| list.contains(&a))),
            Self::Required(_) => None,
        }
    }

    pub(super) fn why(self) -> &'static str {
        match self {
            Self::Required(why) => why,
            _ => "",
        }
    }
}

/// How a predicate compiles.
#[derive(Clone, Copy)]
pub(super) enum Form {
    /// Combinators and comparisons: the whole condition.
    Node(fn(&mut Compiler, &Call<'_>) -> Option<Cond>),
    /// A leaf test; the compiler adds its `on_missing`.
    Leaf(Missing, fn(&mut Compiler, &Call<'_>) -> Option<Test>),
}

/// The reference text of a predicate (empty outside tests).
#[cfg_attr(
    not(test),
    expect(dead_code, reason = "read by the reference generator, in tests")
)]
pub(super) struct Doc {
    /// The JSON Schema of the predicate's argument, as JSON text.
    pub(super) schema: &'static str,
    /// One line for the schema.
    pub(super) summary: &'static str,
    /// Rows of the reference table: example, holds when, absent data.
    pub(super) rows: &'static [(&'static str, &'static str, &'static str)],
}

/// One predicate.
pub(super) struct Predicate {
    /// The key that names it in a condition.
    pub(super) name: &'static str,
    /// The other keys it takes, and whether each is required.
    pub(super) modifiers: &'static [(&'static str, bool)],
    pub(super) form: Form,
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "read by the reference generator, in tests")
    )]
    pub(super) doc: Doc,
}

const ON_MISSING: &[(&str, bool)] = &[("on_missing", false)];
const ON_MISSING_REQUIRED: &[(&str, bool)] = &[("on_missing", true)];
const HISTORY: &str =
    "say what missing login history means; it is never treated as safe by default";

macro_rules! predicates {
    ($($name:literal $modifiers:expr, $form:expr, $schema:literal, $summary:literal, [$(($ex:literal, $holds:literal, $absent:literal)),* $(,)?];)*) => {
        /// Every predicate, in the order the reference lists them.
        pub(super) const PREDICATES: [Predicate; 17] = [$(Predicate {
            name: $name,
            modifiers: $modifiers,
            form: $form,
            doc: Doc {
                schema: doc!($schema),
                summary: doc!($summary),
                rows: docs!(&[$((doc!($ex), doc!($holds), doc!($absent))),*]),
            },
        }),*];
    };
}

use Form::{Leaf, Node};
use Missing::{Default, MatchFor, Required};

predicates! {
    "all" &[], Node(|c, call| c.list(call, true)),
        r##"{"type": "array", "items": {"$ref": "#/$defs/condition"}}"##,
        "Every part holds; an empty list always holds.",
        [("`{\"all\": [c, ...]}`", "every part holds; `{\"all\": []}` always holds", "")];
    "any" &[], Node(|c, call| c.list(call, false)),
        r##"{"type": "array", "items": {"$ref": "#/$defs/condition"}}"##,
        "Some part holds; an empty list never holds (a compile error in a rule).",
        [("`{\"any\": [c, ...]}`", "some part holds; `{\"any\": []}` never holds (a compile error in a rule)", "")];
    "not" &[], Node(|c, call| c.cond(call.arg, &call.arg_path, call.depth + 1).map(|x| Cond::Not(Box::new(x)))),
        r##"{"$ref": "#/$defs/condition"}"##,
        "The part does not hold (after its on_missing applied).",
        [("`{\"not\": c}`", "`c` does not hold", "")];
    "signal" &[("op", false), ("value", false), ("on_missing", false)], Node(|c, call| c.signal_cond(call.obj, call.path)),
        r##"{"$ref": "#/$defs/signal_name"}"##,
        "Generic comparison. Numbers: eq ne gt gte lt lte; strings: eq ne in not_in; booleans: eq ne (value defaults to true); string sets: contains contains_any contains_all; ip: in not_in (a list name or CIDR blocks); any type: present absent (no value). op defaults to eq.",
        [("`{\"signal\": \"risk.score\", \"op\": \"gt\", \"value\": 0.7}`", "see [Comparisons](#comparisons)", "no match")];
    "device" ON_MISSING, Leaf(MatchFor(&["new", "untrusted"]), device),
        r#"{"enum": ["new", "known", "trusted", "untrusted"]}"#,
        "device.known / device.trusted. Absent data: new and untrusted match, known and trusted do not.",
        [("`{\"device\": \"new\"}`", "`device.known` is false", "match"),
         ("`{\"device\": \"known\"}`", "`device.known` is true", "no match"),
         ("`{\"device\": \"trusted\"}`", "`device.trusted` is true", "no match"),
         ("`{\"device\": \"untrusted\"}`", "`device.trusted` is false", "match")];
    "ip_in" ON_MISSING, Leaf(Default(false), |c, call| {
            let set = c.ip_set(Some(call.arg), &call.arg_path)?;
            Some(cmp(Builtin::Ip, Cmp::IpIn(set)))
        }),
        r##"{"anyOf": [{"type": "string"}, {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/cidr"}}]}"##,
        "The request ip in a named ip list or in the given CIDR blocks. Absent ip: no match.",
        [("`{\"ip_in\": \"corp\"}` or `{\"ip_in\": [\"10.0.0.0/8\", \"2001:db8::/32\"]}`", "`ip` is in the list (a deny list is just a list used with `deny`)", "no match")];
    "ip_flag" ON_MISSING, Leaf(Default(false), ip_flag),
        r#"{"enum": ["anonymous", "vpn", "tor", "proxy", "hosting"]}"#,
        "ip_flags; anonymous is any of anonymous, vpn, tor, proxy. Absent: no match.",
        [("`{\"ip_flag\": \"anonymous\"}`", "any of `ip_flags.anonymous`, `vpn`, `tor`, `proxy` is true", "no match (all four absent)"),
         ("`{\"ip_flag\": \"vpn\" \\| \"tor\" \\| \"proxy\" \\| \"hosting\"}`", "that flag is true", "no match")];
    "country_in" ON_MISSING, Leaf(Default(false), |c, call| {
            let list = c.checked_list(call, Check::Country)?;
            Some(cmp(Builtin::GeoCountry, Cmp::StrIn(list)))
        }),
        r##"{"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/country"}}"##,
        "geo.country in the set. Absent: no match.",
        [("`{\"country_in\": [\"KP\", \"IR\"]}`", "`geo.country` is in the set", "no match")];
    "country_changed" ON_MISSING_REQUIRED, Leaf(Required(HISTORY), country_changed),
        r##"{"anyOf": [{"const": true}, {"type": "object", "additionalProperties": false, "properties": {"stale_after_s": {"type": "integer", "minimum": 0}, "on_stale": {"$ref": "#/$defs/switch"}}, "dependentRequired": {"stale_after_s": ["on_stale"], "on_stale": ["stale_after_s"]}}]}"##,
        "geo.country differs from last_login.country. on_missing is required; with stale_after_s, a last login older than that answers on_stale.",
        [("`{\"country_changed\": true, \"on_missing\": \"match\"}`", "`geo.country` differs from `last_login.country`", "**required**")];
    "impossible_travel" ON_MISSING_REQUIRED, Leaf(Required(HISTORY), |c, call| c.travel(call.arg, &call.arg_path)),
        r##"{"anyOf": [{"const": true}, {"type": "object", "additionalProperties": false, "properties": {"max_speed_kmh": {"type": "number", "exclusiveMinimum": 0}, "min_distance_km": {"type": "number", "minimum": 0}, "stale_after_s": {"type": "integer", "minimum": 0}, "on_stale": {"$ref": "#/$defs/switch"}}, "dependentRequired": {"stale_after_s": ["on_stale"], "on_stale": ["stale_after_s"]}}]}"##,
        "Great-circle distance from last_login (lat, lon, at) to geo (lat, lon) over the time elapsed until now is above max_speed_kmh (default 805), and the distance above min_distance_km (default 0). on_missing is required.",
        [("`{\"impossible_travel\": {...}, \"on_missing\": \"no_match\"}`", "see [Impossible travel](#impossible-travel)", "**required**")];
    "risk_score_above" ON_MISSING, Leaf(Default(false), risk_score_above),
        r#"{"type": "number", "minimum": 0, "exclusiveMaximum": 1}"#,
        "risk.score (0 to 1) strictly above the threshold. Absent: no match.",
        [("`{\"risk_score_above\": 0.8}`", "`risk.score > 0.8` (strictly: exactly 0.8 does not match)", "no match")];
    "bot_detected" ON_MISSING, Leaf(Default(false), |c, call| match call.arg.as_bool() {
            Some(b) => Some(cmp(Builtin::RiskBot, Cmp::BoolEq(b))),
            None => {
                c.problem(&call.arg_path, "must be `true` or `false`");
                None
            }
        }),
        r#"{"type": "boolean"}"#,
        "risk.bot equals the value. Absent: no match.",
        [("`{\"bot_detected\": true}`", "`risk.bot` equals the value", "no match")];
    "action" ON_MISSING, Leaf(Default(false), |c, call| {
            let list = c.checked_list(call, Check::ActionType)?;
            Some(cmp(Builtin::ActionType, Cmp::StrIn(list)))
        }),
        r##"{"anyOf": [{"$ref": "#/$defs/action_type"}, {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/action_type"}}]}"##,
        "action.type is one of these. Absent: no match.",
        [("`{\"action\": \"funds_transfer\"}` or `{\"action\": [\"checkout\", \"high_value_order\"]}`", "`action.type` is one of these", "no match")];
    "amount_above" &[("on_missing", false), ("on_other_currency", true)], Leaf(Default(false), |c, call| c.amount(call.arg, call.obj, call.path)),
        r##"{"type": "object", "minProperties": 1, "propertyNames": {"$ref": "#/$defs/currency"}, "additionalProperties": {"anyOf": [{"type": "integer", "minimum": 0, "description": "minor units"}, {"type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$", "description": "major units, a decimal"}]}}"##,
        "action.amount_minor strictly above the threshold for action.currency. An integer threshold is in minor units, a string is a decimal in major units. on_other_currency (required) answers for a currency without a threshold. Absent amount: no match.",
        [("`{\"amount_above\": {\"USD\": 1000000, \"EUR\": \"9000.00\"}, \"on_other_currency\": \"match\"}`", "see [Amounts](#amounts)", "no match")];
    "step_up_older_than" ON_MISSING, Leaf(Default(true), |c, call| c.seconds(call).map(Test::StepUpOlderThan)),
        r#"{"type": "integer", "minimum": 0}"#,
        "now - last_step_up_at above this many seconds. Absent (never stepped up): match.",
        [("`{\"step_up_older_than\": 900}`", "`now - last_step_up_at > 900`", "match (never stepped up)")];
    "verification_older_than" ON_MISSING, Leaf(Default(true), |c, call| c.seconds(call).map(Test::VerificationOlderThan)),
        r#"{"type": "integer", "minimum": 0}"#,
        "now - last_verification_at above this many seconds. Absent: match.",
        [("`{\"verification_older_than\": 31536000}`", "`now - last_verification_at > 31536000`", "match")];
    "ial_below" ON_MISSING, Leaf(Default(true), ial_below),
        r#"{"enum": [1, 2, 3]}"#,
        "current_ial below this. Absent (unknown): match.",
        [("`{\"ial_below\": 2}`", "`current_ial < 2`", "match (unknown IAL)")];
}

fn cmp(b: Builtin, cmp: Cmp) -> Test {
    Test::Cmp {
        sig: Sig::Builtin(b),
        cmp,
    }
}

fn device(c: &mut Compiler, call: &Call<'_>) -> Option<Test> {
    Some(match call.arg.as_str() {
        Some("new") => cmp(Builtin::DeviceKnown, Cmp::BoolEq(false)),
        Some("known") => cmp(Builtin::DeviceKnown, Cmp::BoolEq(true)),
        Some("trusted") => cmp(Builtin::DeviceTrusted, Cmp::BoolEq(true)),
        Some("untrusted") => cmp(Builtin::DeviceTrusted, Cmp::BoolEq(false)),
        _ => {
            c.problem(
                &call.arg_path,
                "must be `new`, `known`, `trusted` or `untrusted`",
            );
            return None;
        }
    })
}

fn ip_flag(c: &mut Compiler, call: &Call<'_>) -> Option<Test> {
    Some(match call.arg.as_str() {
        Some("anonymous") => Test::AnonymousIp,
        Some("vpn") => cmp(Builtin::IpVpn, Cmp::BoolEq(true)),
        Some("tor") => cmp(Builtin::IpTor, Cmp::BoolEq(true)),
        Some("proxy") => cmp(Builtin::IpProxy, Cmp::BoolEq(true)),
        Some("hosting") => cmp(Builtin::IpHosting, Cmp::BoolEq(true)),
        _ => {
            c.problem(
                &call.arg_path,
                "must be `anonymous`, `vpn`, `tor`, `proxy` or `hosting`",
            );
            return None;
        }
    })
}

fn country_changed(c: &mut Compiler, call: &Call<'_>) -> Option<Test> {
    let stale = match call.arg {
        Value::Bool(true) => Some(None),
        Value::Object(o) => {
            c.known_keys(o, &call.arg_path, &["stale_after_s", "on_stale"]);
            c.staleness(o, &call.arg_path)
        }
        _ => {
            c.problem(
                &call.arg_path,
                "must be `true` or an object with `stale_after_s` and `on_stale`",
            );
            None
        }
    };
    stale.map(|stale| Test::CountryChanged { stale })
}

fn risk_score_above(c: &mut Compiler, call: &Call<'_>) -> Option<Test> {
    match call.arg.as_f64() {
        Some(t) if (0.0..1.0).contains(&t) => Some(cmp(Builtin::RiskScore, Cmp::Num(NumOp::Gt, t))),
        _ => {
            c.problem(
                &call.arg_path,
                "must be a number from 0 up to (not including) 1: risk scores run from 0 to 1",
            );
            None
        }
    }
}

fn ial_below(c: &mut Compiler, call: &Call<'_>) -> Option<Test> {
    match call.arg.as_u64() {
        Some(n @ 1..=3) => Some(cmp(
            Builtin::CurrentIal,
            Cmp::Num(NumOp::Lt, f64::from(u8::try_from(n).unwrap_or(3))),
        )),
        _ => {
            c.problem(&call.arg_path, "must be 1, 2 or 3");
            None
        }
    }
}

impl Compiler {
    /// `all` (`every`) or `any`: an array of conditions.
    fn list(&mut self, call: &Call<'_>, every: bool) -> Option<Cond> {
        let Some(items) = call.arg.as_array() else {
            self.problem(&call.arg_path, "must be an array of conditions");
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.cond(item, &format!("{}[{i}]", call.arg_path), call.depth + 1) {
                Some(c) => out.push(c),
                None => ok = false,
            }
        }
        ok.then(|| {
            if every {
                Cond::All(out.into())
            } else {
                Cond::Any(out.into())
            }
        })
    }

    /// A string or a non-empty array of strings, each passing `check`.
    fn checked_list(&mut self, call: &Call<'_>, check: Check) -> Option<Box<[Box<str>]>> {
        let single = call
            .arg
            .as_str()
            .map(|s| Value::Array(vec![Value::String(s.to_owned())]));
        let arg = single.as_ref().unwrap_or(call.arg);
        self.string_list(Some(arg), &call.arg_path, |this, s, p| {
            let problem = check.string_problem(s);
            if let Some(m) = problem {
                this.problem(p, format!("{} {m}", quote(s)));
            }
            problem.is_none()
        })
    }

    /// A whole number of seconds.
    fn seconds(&mut self, call: &Call<'_>) -> Option<u64> {
        let s = call.arg.as_u64();
        if s.is_none() {
            self.problem(&call.arg_path, "must be a whole number of seconds");
        }
        s
    }
}
