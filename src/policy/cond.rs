//! Compiled conditions: the signals they read, the tests they make, and how
//! they evaluate against a [`Context`].
//!
//! Every leaf test answers `Some(true)`, `Some(false)` or `None` when the
//! data it needs is absent; `None` then resolves to the leaf's `on_missing`
//! (each predicate has a documented default, the history predicates have
//! none and must say). So `not` always negates a definite answer.

use std::net::IpAddr;

use serde_json::Value;

use super::context::{Context, V};
use super::currency::Currency;
use super::geo;
use super::ip::CidrSet;
use super::signal::Builtin;

/// A signal a comparison reads: built in, or a policy's declared custom
/// signal by declaration index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sig {
    Builtin(Builtin),
    Custom(usize),
}

impl From<Builtin> for Sig {
    fn from(b: Builtin) -> Self {
        Self::Builtin(b)
    }
}

/// A signal's value during evaluation.
#[derive(Debug, Clone, Copy)]
pub(super) enum Val<'a> {
    Num(f64),
    Str(&'a str),
    Bool(bool),
    /// A custom `string_set` (checked to hold strings only).
    JsonSet(&'a [Value]),
    /// `user.roles`.
    StrSet(&'a [std::borrow::Cow<'a, str>]),
    Ip(IpAddr),
}

/// Numeric comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NumOp {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
}

/// A compiled comparison of one signal with constants from the policy.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cmp {
    Num(NumOp, f64),
    StrEq(Box<str>),
    StrNe(Box<str>),
    StrIn(Box<[Box<str>]>),
    StrNotIn(Box<[Box<str>]>),
    BoolEq(bool),
    SetContains(Box<str>),
    SetContainsAny(Box<[Box<str>]>),
    SetContainsAll(Box<[Box<str>]>),
    IpIn(CidrSet),
    IpNotIn(CidrSet),
}

/// How history older than a limit is treated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Staleness {
    pub(super) after_s: u64,
    pub(super) on_stale: bool,
}

/// A leaf test. The short predicates of the policy language (`device`,
/// `ip_in`, `country_in`, `risk_score_above`, `bot_detected`, `action`,
/// `ial_below`, `ip_flag` except `anonymous`) compile to [`Test::Cmp`]
/// with their own `on_missing`, so analysis sees one shape.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Test {
    /// Generic comparison.
    Cmp {
        sig: Sig,
        cmp: Cmp,
    },
    /// `present` / `absent`: never missing.
    Present {
        sig: Sig,
        want: bool,
    },
    /// Any of `ip_flags.anonymous`, `vpn`, `tor`, `proxy` is true.
    AnonymousIp,
    CountryChanged {
        stale: Option<Staleness>,
    },
    ImpossibleTravel {
        max_speed_kmh: f64,
        min_distance_km: f64,
        stale: Option<Staleness>,
    },
    AmountAbove {
        /// Threshold in minor units, per currency.
        thresholds: Box<[(Currency, i64)]>,
        on_other_currency: bool,
    },
    StepUpOlderThan(u64),
    VerificationOlderThan(u64),
}

impl Test {
    /// Whether evaluating this test reads `now`.
    pub(super) fn reads_now(&self) -> bool {
        matches!(
            self,
            Self::Cmp {
                sig: Sig::Builtin(Builtin::Now),
                ..
            } | Self::CountryChanged { stale: Some(_) }
                | Self::ImpossibleTravel { .. }
                | Self::StepUpOlderThan(_)
                | Self::VerificationOlderThan(_)
        )
    }
}

/// A compiled condition.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cond {
    /// Always true (`{"all": []}`) or always false (`{"any": []}`), after folding.
    Const(bool),
    All(Box<[Cond]>),
    Any(Box<[Cond]>),
    Not(Box<Cond>),
    Leaf {
        test: Test,
        on_missing: bool,
    },
}

/// What evaluation reads: the context, the declared custom signals' values
/// (checked already) and `now` (checked present if the policy reads it).
pub(super) struct Env<'c> {
    pub(super) ctx: &'c Context<'c>,
    pub(super) custom: &'c [Option<&'c Value>],
    pub(super) now: u64,
}

impl<'c> Env<'c> {
    /// The value of a built-in signal, `None` when absent.
    #[expect(
        clippy::cast_precision_loss,
        reason = "timestamps are checked below 2^53 and amounts are compared as integers elsewhere"
    )]
    fn builtin(&self, b: Builtin) -> Option<Val<'c>> {
        Some(match self.ctx.get(b) {
            V::Absent => return None,
            V::Bool(x) => Val::Bool(*x),
            V::Num(n) => Val::Num(*n),
            V::Uint(n) => Val::Num(*n as f64),
            // The compiler refuses comparisons on the bare amount (they
            // would ignore the currency); this arm only serves `present`.
            V::Amount(_) => Val::Bool(true),
            V::Str(s) => Val::Str(s),
            V::Ip(ip) => Val::Ip(*ip),
            V::Currency(c) => Val::Str(c.code()),
            V::Set(list) => Val::StrSet(list),
        })
    }

    /// The value of a signal, `None` when absent.
    pub(super) fn get(&self, sig: Sig) -> Option<Val<'c>> {
        match sig {
            Sig::Builtin(b) => self.builtin(b),
            Sig::Custom(i) => match self.custom.get(i).copied().flatten()? {
                Value::Number(n) => n.as_f64().map(Val::Num),
                Value::String(s) => Some(Val::Str(s)),
                Value::Bool(b) => Some(Val::Bool(*b)),
                Value::Array(a) => Some(Val::JsonSet(a)),
                Value::Null | Value::Object(_) => None,
            },
        }
    }

    /// Evaluates a condition.
    pub(super) fn eval(&self, cond: &Cond) -> bool {
        match cond {
            Cond::Const(b) => *b,
            Cond::All(list) => list.iter().all(|c| self.eval(c)),
            Cond::Any(list) => list.iter().any(|c| self.eval(c)),
            Cond::Not(inner) => !self.eval(inner),
            Cond::Leaf { test, on_missing } => self.test(test).unwrap_or(*on_missing),
        }
    }

    /// Seconds from `at` to now; a timestamp in the future (clock skew
    /// between systems) counts as zero seconds old.
    fn age(&self, at: u64) -> u64 {
        self.now.saturating_sub(at)
    }

    fn stale(&self, stale: Option<Staleness>) -> Result<(), Option<bool>> {
        match stale {
            None => Ok(()),
            Some(s) => match self.ctx.uint(Builtin::LastAt) {
                None => Err(None),
                Some(at) if self.age(at) > s.after_s => Err(Some(s.on_stale)),
                Some(_) => Ok(()),
            },
        }
    }

    pub(super) fn test(&self, test: &Test) -> Option<bool> {
        let c = self.ctx;
        match test {
            Test::Cmp { sig, cmp } => compare(cmp, self.get(*sig)?),
            Test::Present { sig, want } => Some(self.get(*sig).is_some() == *want),
            Test::AnonymousIp => {
                let flags = [
                    Builtin::IpAnonymous,
                    Builtin::IpVpn,
                    Builtin::IpTor,
                    Builtin::IpProxy,
                ]
                .map(|f| c.flag(f));
                if flags.contains(&Some(true)) {
                    Some(true)
                } else if flags.iter().all(Option::is_none) {
                    None
                } else {
                    Some(false)
                }
            }
            Test::CountryChanged { stale } => {
                if let Err(answer) = self.stale(*stale) {
                    return answer;
                }
                Some(c.str(Builtin::GeoCountry)? != c.str(Builtin::LastCountry)?)
            }
            Test::ImpossibleTravel {
                max_speed_kmh,
                min_distance_km,
                stale,
            } => {
                let (lat, lon) = (c.num(Builtin::GeoLat)?, c.num(Builtin::GeoLon)?);
                let (last_lat, last_lon, at) = (
                    c.num(Builtin::LastLat)?,
                    c.num(Builtin::LastLon)?,
                    c.uint(Builtin::LastAt)?,
                );
                if let Err(answer) = self.stale(*stale) {
                    return answer;
                }
                let d = geo::distance_km(last_lat, last_lon, lat, lon);
                Some(d > *min_distance_km && geo::too_fast(d, self.age(at), *max_speed_kmh))
            }
            Test::AmountAbove {
                thresholds,
                on_other_currency,
            } => {
                let amount = c.amount_minor()?;
                // INVARIANT: the context reader refuses an amount without a currency.
                let cur = c.currency()?;
                Some(
                    thresholds
                        .iter()
                        .find(|(t, _)| *t == cur)
                        .map_or(*on_other_currency, |&(_, limit)| amount > limit),
                )
            }
            Test::StepUpOlderThan(s) => c.uint(Builtin::LastStepUpAt).map(|at| self.age(at) > *s),
            Test::VerificationOlderThan(s) => c
                .uint(Builtin::LastVerificationAt)
                .map(|at| self.age(at) > *s),
        }
    }
}

fn has(set: &[Box<str>], s: &str) -> bool {
    set.iter().any(|x| **x == *s)
}

/// A set signal's members, whichever way the context holds them.
#[derive(Clone, Copy)]
enum Members<'a> {
    Json(&'a [Value]),
    Str(&'a [std::borrow::Cow<'a, str>]),
}

impl Members<'_> {
    fn has(self, s: &str) -> bool {
        match self {
            Self::Json(a) => a.iter().any(|x| x.as_str() == Some(s)),
            Self::Str(a) => a.iter().any(|x| x == s),
        }
    }
}

/// Compares a present value. A value of another shape than the compiled
/// comparison expects cannot occur for built-ins (types are fixed) nor for
/// custom signals (checked before evaluation); it reads as absent.
fn compare(cmp: &Cmp, v: Val<'_>) -> Option<bool> {
    Some(match (cmp, v) {
        (Cmp::Num(op, n), Val::Num(x)) => match op {
            NumOp::Eq => x == *n,
            NumOp::Ne => x != *n,
            NumOp::Gt => x > *n,
            NumOp::Gte => x >= *n,
            NumOp::Lt => x < *n,
            NumOp::Lte => x <= *n,
        },
        (Cmp::StrEq(s), Val::Str(x)) => **s == *x,
        (Cmp::StrNe(s), Val::Str(x)) => **s != *x,
        (Cmp::StrIn(set), Val::Str(x)) => has(set, x),
        (Cmp::StrNotIn(set), Val::Str(x)) => !has(set, x),
        (Cmp::BoolEq(b), Val::Bool(x)) => *b == x,
        (Cmp::SetContains(s), Val::JsonSet(a)) => Members::Json(a).has(s),
        (Cmp::SetContains(s), Val::StrSet(a)) => Members::Str(a).has(s),
        (Cmp::SetContainsAny(want), Val::JsonSet(a)) => {
            want.iter().any(|s| Members::Json(a).has(s))
        }
        (Cmp::SetContainsAny(want), Val::StrSet(a)) => want.iter().any(|s| Members::Str(a).has(s)),
        (Cmp::SetContainsAll(want), Val::JsonSet(a)) => {
            want.iter().all(|s| Members::Json(a).has(s))
        }
        (Cmp::SetContainsAll(want), Val::StrSet(a)) => want.iter().all(|s| Members::Str(a).has(s)),
        (Cmp::IpIn(set), Val::Ip(ip)) => set.contains(ip),
        (Cmp::IpNotIn(set), Val::Ip(ip)) => !set.contains(ip),
        _ => return None,
    })
}
