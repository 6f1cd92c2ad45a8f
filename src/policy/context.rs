//! The decision context: a typed, documented set of signals, read from JSON
//! without copying and checked field by field against the signal table.
//!
//! ```json
//! {
//!   "now": 1767225600,                                   // unix seconds; required when the policy reads time
//!   "device": { "known": true, "trusted": false, "id": "fp_1" },
//!   "ip": "203.0.113.7",                                 // IPv4 or IPv6
//!   "ip_flags": { "anonymous": false, "vpn": false, "tor": false, "proxy": false, "hosting": false },
//!   "geo": { "country": "US", "lat": 40.71, "lon": -74.0 },
//!   "last_login": { "country": "US", "ip": "198.51.100.2", "lat": 40.7, "lon": -74.0, "at": 1767139200 },
//!   "risk": { "score": 0.42, "bot": false, "impossible_travel": false },  // score in [0, 1]
//!   "action": { "type": "funds_transfer", "amount_minor": 1250000, "currency": "USD",
//!               "object": "FinServ__FinancialAccount__c", "record_id": "a0B..." },
//!   "user": { "id": "005...", "roles": ["advisor"] },
//!   "last_step_up_at": 1767225000,                       // last successful LiveID step-up
//!   "last_verification_at": 1760000000,                  // last successful identity proofing
//!   "current_ial": 2,                                    // 0 (none) to 3
//!   "custom": { "is_primary_provider": false }           // the policy's declared signals
//! }
//! ```
//!
//! There is one reader, a serde visitor (`context_de`): from JSON text it
//! builds no JSON tree (strings are borrowed from the text), which is what
//! makes deciding from JS cheap; a parsed `serde_json::Value` goes through
//! the same visitor.
//!
//! Every field is optional and `null` means absent. What a policy does with
//! an absent value is stated per condition (see the policy docs); it is
//! never an error. A present value of the wrong type or range, and any key
//! the set does not define (outside `custom`), is an error that names the
//! field by its dotted path, so a typo cannot silently read as "absent".

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::{Map, Value};

use super::currency::Currency;
use super::error::PolicyError;
use super::signal::{Builtin, Check, Signal, Ty, N_SIGNALS, SIGNALS};
use super::vocab::quote;

/// One built-in signal's value, as read and checked.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) enum V<'a> {
    #[default]
    Absent,
    Bool(bool),
    Num(f64),
    /// Unix seconds (below 2^53), or an IAL 0..=3.
    Uint(u64),
    /// `action.amount_minor`.
    Amount(i64),
    Str(Cow<'a, str>),
    Ip(IpAddr),
    Currency(Currency),
    Set(Vec<Cow<'a, str>>),
}

/// The signals of one request, borrowed from the JSON they were read from.
#[derive(Debug, Default, Clone)]
pub(super) struct Context<'a> {
    /// Indexed by [`Builtin`].
    vals: [V<'a>; N_SIGNALS],
    pub(super) custom: Option<Cow<'a, Map<String, Value>>>,
}

pub(super) fn bad(field: impl Into<String>, message: impl Into<String>) -> PolicyError {
    PolicyError::BadContext {
        field: field.into(),
        message: message.into(),
    }
}

/// One JSON value as a field reader sees it: scalars as they are, arrays of
/// strings for sets, other arrays and objects only by kind.
#[derive(Debug)]
pub(super) enum Sc<'a> {
    Null,
    Bool(bool),
    U(u64),
    I(i64),
    F(f64),
    Str(Cow<'a, str>),
    Strings(Vec<Cow<'a, str>>),
    Arr,
    Obj,
}

impl Sc<'_> {
    /// A JSON type name, for messages.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::U(_) | Self::I(_) | Self::F(_) => "a number",
            Self::Str(_) => "a string",
            Self::Strings(_) | Self::Arr => "an array",
            Self::Obj => "an object",
        }
    }

    #[expect(
        clippy::cast_precision_loss,
        reason = "a JSON number read as a double, as JavaScript does"
    )]
    fn as_f64(&self) -> Option<f64> {
        match self {
            Self::U(u) => Some(*u as f64),
            Self::I(i) => Some(*i as f64),
            Self::F(f) => Some(*f),
            _ => None,
        }
    }
}

fn must_be(field: &str, what: &str, v: &Sc<'_>) -> PolicyError {
    bad(field, format!("must be {what}, not {}", v.kind()))
}

/// Checks one present value against its row of the signal table.
fn read<'a>(row: &Signal, v: Sc<'a>) -> Result<V<'a>, PolicyError> {
    let p = row.path;
    if let Sc::Null = v {
        return Ok(V::Absent);
    }
    Ok(match (row.ty, row.check) {
        (Ty::Boolean, _) => match v {
            Sc::Bool(b) => V::Bool(b),
            other => return Err(must_be(p, "a boolean", &other)),
        },
        // Beyond 2^53 a JS number cannot carry the value exactly anyway.
        (Ty::Timestamp, _) => match v {
            Sc::U(n) if n < (1 << 53) => V::Uint(n),
            _ => {
                return Err(bad(
                    p,
                    "must be whole unix seconds (a non-negative integer)",
                ))
            }
        },
        (Ty::Integer, Check::Ial) => match v {
            Sc::U(n @ 0..=3) => V::Uint(n),
            _ => return Err(bad(p, "must be 0, 1, 2 or 3")),
        },
        (Ty::Integer, _) => match v {
            Sc::U(n) => V::Amount(i64::try_from(n).map_err(|_| bad(p, "is too large"))?),
            _ => {
                return Err(bad(
                    p,
                    "must be a non-negative whole number of minor units (cents for USD)",
                ))
            }
        },
        (Ty::Number, check) => {
            let (lo, hi) = match check {
                Check::Range(lo, hi) => (lo, hi),
                _ => (f64::MIN, f64::MAX),
            };
            match v.as_f64() {
                Some(n) if n.is_finite() && (lo..=hi).contains(&n) => V::Num(n),
                Some(_) => return Err(bad(p, format!("must be between {lo} and {hi}"))),
                None => return Err(must_be(p, "a number", &v)),
            }
        }
        (Ty::StringSet, _) => match v {
            Sc::Strings(list) => V::Set(list),
            _ => return Err(bad(p, "must be an array of strings")),
        },
        (Ty::String | Ty::Ip, check) => {
            let s = match v {
                Sc::Str(s) => s,
                other => return Err(must_be(p, "a string", &other)),
            };
            let wrong = |what: &str| Err(bad(p, format!("{} {what}", quote(&s))));
            match (row.ty, check) {
                (Ty::Ip, _) => match s.parse() {
                    Ok(ip) => V::Ip(ip),
                    Err(_) => return wrong("is not an ipv4 or ipv6 address"),
                },
                (_, check) if check.string_problem(&s).is_some() => {
                    return wrong(check.string_problem(&s).unwrap_or_default())
                }
                (_, Check::Currency) => match Currency::from_code(&s) {
                    Some(c) => V::Currency(c),
                    None => return wrong("is not a supported iso 4217 currency code"),
                },
                _ => V::Str(s),
            }
        }
    })
}

impl<'a> Context<'a> {
    /// Checks one field and stores it.
    pub(super) fn set(&mut self, f: Builtin, v: Sc<'a>) -> Result<(), PolicyError> {
        let value = read(f.row(), v)?;
        if let Some(slot) = self.vals.get_mut(f as usize) {
            *slot = value;
        }
        Ok(())
    }

    /// The checks that span fields, once everything is read.
    pub(super) fn finish(self) -> Result<Self, PolicyError> {
        if self.amount_minor().is_some() && self.currency().is_none() {
            return Err(bad(
                "action.currency",
                "is required when `action.amount_minor` is given",
            ));
        }
        Ok(self)
    }

    /// The value of a built-in signal.
    pub(super) fn get(&self, f: Builtin) -> &V<'a> {
        self.vals.get(f as usize).unwrap_or(&V::Absent)
    }

    pub(super) fn flag(&self, f: Builtin) -> Option<bool> {
        match self.get(f) {
            V::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A timestamp (or `current_ial`).
    pub(super) fn uint(&self, f: Builtin) -> Option<u64> {
        match self.get(f) {
            V::Uint(n) => Some(*n),
            _ => None,
        }
    }

    pub(super) fn num(&self, f: Builtin) -> Option<f64> {
        match self.get(f) {
            V::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub(super) fn str(&self, f: Builtin) -> Option<&str> {
        match self.get(f) {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn now(&self) -> Option<u64> {
        self.uint(Builtin::Now)
    }

    pub(super) fn amount_minor(&self) -> Option<i64> {
        match self.get(Builtin::ActionAmountMinor) {
            V::Amount(n) => Some(*n),
            _ => None,
        }
    }

    pub(super) fn currency(&self) -> Option<Currency> {
        match self.get(Builtin::ActionCurrency) {
            V::Currency(c) => Some(*c),
            _ => None,
        }
    }

    pub(super) fn current_ial(&self) -> Option<u8> {
        self.uint(Builtin::CurrentIal)
            .and_then(|n| u8::try_from(n).ok())
    }

    /// Reads and checks a context from a parsed JSON value. Unknown keys
    /// (outside `custom`), wrong types and out-of-range values are errors
    /// naming the field.
    pub(super) fn from_value(value: &'a Value) -> Result<Self, PolicyError> {
        super::context_de::read(value)
    }

    /// Reads and checks a context from JSON text, without building a JSON
    /// tree: strings are borrowed from `text` unless they hold escapes.
    /// Same checks and errors as [`Context::from_value`], and a key given
    /// twice is an error; text that is not JSON is an error at `$`.
    pub(super) fn from_json(text: &'a str) -> Result<Self, PolicyError> {
        super::context_de::read_text(text)
    }
}

/// The row for `key` at the top level, or in `section`.
pub(super) fn field(section: Option<&str>, key: &str) -> Option<&'static Signal> {
    SIGNALS
        .iter()
        .find(|row| match (section, row.path.split_once('.')) {
            (None, None) => row.path == key,
            (Some(s), Some((rs, rk))) => rs == s && rk == key,
            _ => false,
        })
}

/// Whether `key` names a section of the context (`device`, `geo`...).
pub(super) fn section(key: &str) -> Option<&'static str> {
    SIGNALS
        .iter()
        .find_map(|row| row.section().filter(|s| *s == key))
}
