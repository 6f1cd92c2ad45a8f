//! The decision context: a typed, documented set of signals, read from JSON
//! without copying and checked field by field.
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
//! It is read either from a parsed `serde_json::Value` or straight from JSON
//! text; the text path builds no JSON tree (strings are borrowed from the
//! text), which is what makes deciding from JS cheap. Both paths run the same
//! checks per field.
//!
//! Every field is optional and `null` means absent. What a policy does with
//! an absent value is stated per condition (see the policy docs); it is
//! never an error. A present value of the wrong type or range, and any key
//! the set does not define (outside `custom`), is an error that names the
//! field by its dotted path, so a typo cannot silently read as "absent".

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::net::IpAddr;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::currency::Currency;
use super::error::PolicyError;
use super::signal::Builtin;

/// Action types a context and a policy may name. Anything else must start
/// with `x_` (a deployment's own type), so that a typo is caught, not
/// silently never matched.
pub(super) const ACTION_TYPES: &[&str] = &[
    "account_recovery",
    "address_change",
    "beneficiary_change",
    "checkout",
    "claim_approval",
    "data_export",
    "funds_transfer",
    "high_value_order",
    "login",
    "loyalty_redemption",
    "mfa_change",
    "password_change",
    "payment_method_change",
    "phi_access",
    "policy_change",
    "preauthorization_override",
    "prescription_authorization",
    "profile_change",
    "refund",
    "signup",
];

/// Whether `t` is a known action type or a deployment's own `x_...` type.
pub(super) fn is_action_type(t: &str) -> bool {
    ACTION_TYPES.contains(&t)
        || t.strip_prefix("x_").is_some_and(|rest| {
            !rest.is_empty()
                && rest.len() <= 64
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

/// Whether `c` looks like an ISO 3166-1 alpha-2 code (two upper-case letters).
pub(super) fn is_country(c: &str) -> bool {
    c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())
}

/// The signals of one request, borrowed from the JSON they were read from.
#[derive(Debug, Default, Clone)]
pub(super) struct Context<'a> {
    pub(super) now: Option<u64>,
    pub(super) device_known: Option<bool>,
    pub(super) device_trusted: Option<bool>,
    pub(super) device_id: Option<Cow<'a, str>>,
    pub(super) ip: Option<IpAddr>,
    pub(super) ip_anonymous: Option<bool>,
    pub(super) ip_vpn: Option<bool>,
    pub(super) ip_tor: Option<bool>,
    pub(super) ip_proxy: Option<bool>,
    pub(super) ip_hosting: Option<bool>,
    pub(super) geo_country: Option<Cow<'a, str>>,
    pub(super) geo_lat: Option<f64>,
    pub(super) geo_lon: Option<f64>,
    pub(super) last_country: Option<Cow<'a, str>>,
    pub(super) last_ip: Option<IpAddr>,
    pub(super) last_lat: Option<f64>,
    pub(super) last_lon: Option<f64>,
    pub(super) last_at: Option<u64>,
    pub(super) risk_score: Option<f64>,
    pub(super) risk_bot: Option<bool>,
    pub(super) risk_impossible_travel: Option<bool>,
    pub(super) action_type: Option<Cow<'a, str>>,
    pub(super) action_amount_minor: Option<i64>,
    pub(super) action_currency: Option<Currency>,
    pub(super) action_object: Option<Cow<'a, str>>,
    pub(super) action_record_id: Option<Cow<'a, str>>,
    pub(super) user_id: Option<Cow<'a, str>>,
    pub(super) user_roles: Option<Vec<Cow<'a, str>>>,
    pub(super) last_step_up_at: Option<u64>,
    pub(super) last_verification_at: Option<u64>,
    pub(super) current_ial: Option<u8>,
    pub(super) custom: Option<Cow<'a, Map<String, Value>>>,
}

/// Longest piece of user input quoted back in an error message.
const QUOTE_MAX: usize = 64;

/// User input for a message, in backticks, cut at a character boundary.
pub(super) fn quote(s: &str) -> String {
    if s.len() <= QUOTE_MAX {
        return format!("`{s}`");
    }
    let mut end = QUOTE_MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("`{}...`", s.get(..end).unwrap_or_default())
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> PolicyError {
    PolicyError::BadContext {
        field: field.into(),
        message: message.into(),
    }
}

fn unknown(parent: &str, key: &str) -> PolicyError {
    let field = if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    };
    bad(
        field,
        "is not a context field; put your own signals under `custom`",
    )
}

/// One JSON value as a field reader sees it: scalars as they are, arrays and
/// objects only by kind.
#[derive(Debug)]
enum Sc<'a> {
    Null,
    Bool(bool),
    U(u64),
    I(i64),
    F(f64),
    Str(Cow<'a, str>),
    Arr,
    Obj,
}

impl<'a> Sc<'a> {
    fn of(v: &'a Value) -> Self {
        match v {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Self::U(u),
                (None, Some(i)) => Self::I(i),
                (None, None) => Self::F(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Self::Str(Cow::Borrowed(s)),
            Value::Array(_) => Self::Arr,
            Value::Object(_) => Self::Obj,
        }
    }

    /// A JSON type name, for messages.
    fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::U(_) | Self::I(_) | Self::F(_) => "a number",
            Self::Str(_) => "a string",
            Self::Arr => "an array",
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

/// The sections (nested objects) of the context.
#[derive(Debug, Clone, Copy)]
enum Section {
    Device,
    IpFlags,
    Geo,
    LastLogin,
    Risk,
    Action,
    User,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Self::Device => "device",
            Self::IpFlags => "ip_flags",
            Self::Geo => "geo",
            Self::LastLogin => "last_login",
            Self::Risk => "risk",
            Self::Action => "action",
            Self::User => "user",
        }
    }
}

/// What a key names.
enum Slot {
    Field(Builtin),
    Section(Section),
    Roles,
    Custom,
}

/// What `key` names at the top level.
fn top_slot(key: &str) -> Option<Slot> {
    Some(match key {
        "now" => Slot::Field(Builtin::Now),
        "device" => Slot::Section(Section::Device),
        "ip" => Slot::Field(Builtin::Ip),
        "ip_flags" => Slot::Section(Section::IpFlags),
        "geo" => Slot::Section(Section::Geo),
        "last_login" => Slot::Section(Section::LastLogin),
        "risk" => Slot::Section(Section::Risk),
        "action" => Slot::Section(Section::Action),
        "user" => Slot::Section(Section::User),
        "last_step_up_at" => Slot::Field(Builtin::LastStepUpAt),
        "last_verification_at" => Slot::Field(Builtin::LastVerificationAt),
        "current_ial" => Slot::Field(Builtin::CurrentIal),
        "custom" => Slot::Custom,
        _ => return None,
    })
}

/// What `key` names inside `section`.
fn section_slot(section: Section, key: &str) -> Option<Slot> {
    let f = match (section, key) {
        (Section::Device, "known") => Builtin::DeviceKnown,
        (Section::Device, "trusted") => Builtin::DeviceTrusted,
        (Section::Device, "id") => Builtin::DeviceId,
        (Section::IpFlags, "anonymous") => Builtin::IpAnonymous,
        (Section::IpFlags, "vpn") => Builtin::IpVpn,
        (Section::IpFlags, "tor") => Builtin::IpTor,
        (Section::IpFlags, "proxy") => Builtin::IpProxy,
        (Section::IpFlags, "hosting") => Builtin::IpHosting,
        (Section::Geo, "country") => Builtin::GeoCountry,
        (Section::Geo, "lat") => Builtin::GeoLat,
        (Section::Geo, "lon") => Builtin::GeoLon,
        (Section::LastLogin, "country") => Builtin::LastCountry,
        (Section::LastLogin, "ip") => Builtin::LastIp,
        (Section::LastLogin, "lat") => Builtin::LastLat,
        (Section::LastLogin, "lon") => Builtin::LastLon,
        (Section::LastLogin, "at") => Builtin::LastAt,
        (Section::Risk, "score") => Builtin::RiskScore,
        (Section::Risk, "bot") => Builtin::RiskBot,
        (Section::Risk, "impossible_travel") => Builtin::RiskImpossibleTravel,
        (Section::Action, "type") => Builtin::ActionType,
        (Section::Action, "amount_minor") => Builtin::ActionAmountMinor,
        (Section::Action, "currency") => Builtin::ActionCurrency,
        (Section::Action, "object") => Builtin::ActionObject,
        (Section::Action, "record_id") => Builtin::ActionRecordId,
        (Section::User, "id") => Builtin::UserId,
        (Section::User, "roles") => return Some(Slot::Roles),
        _ => return None,
    };
    Some(Slot::Field(f))
}

fn boolean(v: &Sc<'_>, field: &str) -> Result<Option<bool>, PolicyError> {
    match v {
        Sc::Null => Ok(None),
        Sc::Bool(b) => Ok(Some(*b)),
        other => Err(bad(
            field,
            format!("must be a boolean, not {}", other.kind()),
        )),
    }
}

fn string<'a>(v: Sc<'a>, field: &str) -> Result<Option<Cow<'a, str>>, PolicyError> {
    match v {
        Sc::Null => Ok(None),
        Sc::Str(s) => Ok(Some(s)),
        other => Err(bad(
            field,
            format!("must be a string, not {}", other.kind()),
        )),
    }
}

fn unix_seconds(v: &Sc<'_>, field: &str) -> Result<Option<u64>, PolicyError> {
    match v {
        Sc::Null => Ok(None),
        // Beyond 2^53 a JS number cannot carry the value exactly anyway.
        Sc::U(n) if *n < (1 << 53) => Ok(Some(*n)),
        _ => Err(bad(
            field,
            "must be whole unix seconds (a non-negative integer)",
        )),
    }
}

fn number_in(
    v: &Sc<'_>,
    field: &str,
    lo: f64,
    hi: f64,
    range: &str,
) -> Result<Option<f64>, PolicyError> {
    if let Sc::Null = v {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() && (lo..=hi).contains(&n) => Ok(Some(n)),
        Some(_) => Err(bad(field, format!("must be between {range}"))),
        None => Err(bad(field, format!("must be a number, not {}", v.kind()))),
    }
}

fn ip(v: Sc<'_>, field: &str) -> Result<Option<IpAddr>, PolicyError> {
    match string(v, field)? {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            bad(
                field,
                format!("{} is not an ipv4 or ipv6 address", quote(&s)),
            )
        }),
    }
}

fn country<'a>(v: Sc<'a>, field: &str) -> Result<Option<Cow<'a, str>>, PolicyError> {
    match string(v, field)? {
        Some(c) if !is_country(&c) => Err(bad(
            field,
            format!(
                "{} is not an iso 3166-1 alpha-2 country code in upper case, like `US`",
                quote(&c)
            ),
        )),
        other => Ok(other),
    }
}

impl<'a> Context<'a> {
    /// Checks one scalar field and stores it.
    fn set(&mut self, f: Builtin, v: Sc<'a>) -> Result<(), PolicyError> {
        let p = f.path();
        match f {
            Builtin::Now => self.now = unix_seconds(&v, p)?,
            Builtin::DeviceKnown => self.device_known = boolean(&v, p)?,
            Builtin::DeviceTrusted => self.device_trusted = boolean(&v, p)?,
            Builtin::DeviceId => self.device_id = string(v, p)?,
            Builtin::Ip => self.ip = ip(v, p)?,
            Builtin::IpAnonymous => self.ip_anonymous = boolean(&v, p)?,
            Builtin::IpVpn => self.ip_vpn = boolean(&v, p)?,
            Builtin::IpTor => self.ip_tor = boolean(&v, p)?,
            Builtin::IpProxy => self.ip_proxy = boolean(&v, p)?,
            Builtin::IpHosting => self.ip_hosting = boolean(&v, p)?,
            Builtin::GeoCountry => self.geo_country = country(v, p)?,
            Builtin::GeoLat => self.geo_lat = number_in(&v, p, -90.0, 90.0, "-90 and 90")?,
            Builtin::GeoLon => self.geo_lon = number_in(&v, p, -180.0, 180.0, "-180 and 180")?,
            Builtin::LastCountry => self.last_country = country(v, p)?,
            Builtin::LastIp => self.last_ip = ip(v, p)?,
            Builtin::LastLat => self.last_lat = number_in(&v, p, -90.0, 90.0, "-90 and 90")?,
            Builtin::LastLon => self.last_lon = number_in(&v, p, -180.0, 180.0, "-180 and 180")?,
            Builtin::LastAt => self.last_at = unix_seconds(&v, p)?,
            Builtin::RiskScore => self.risk_score = number_in(&v, p, 0.0, 1.0, "0 and 1")?,
            Builtin::RiskBot => self.risk_bot = boolean(&v, p)?,
            Builtin::RiskImpossibleTravel => self.risk_impossible_travel = boolean(&v, p)?,
            Builtin::ActionType => {
                self.action_type = match string(v, p)? {
                    Some(t) if !is_action_type(&t) => {
                        return Err(bad(
                            p,
                            format!(
                                "{} is not a known action type; a deployment's own types start with `x_`",
                                quote(&t)
                            ),
                        ))
                    }
                    other => other,
                };
            }
            Builtin::ActionAmountMinor => {
                self.action_amount_minor =
                    match v {
                        Sc::Null => None,
                        Sc::U(n) => Some(i64::try_from(n).map_err(|_| bad(p, "is too large"))?),
                        _ => return Err(bad(
                            p,
                            "must be a non-negative whole number of minor units (cents for USD)",
                        )),
                    };
            }
            Builtin::ActionCurrency => {
                self.action_currency = match string(v, p)? {
                    None => None,
                    Some(code) => Some(Currency::from_code(&code).ok_or_else(|| {
                        bad(
                            p,
                            format!("{} is not a supported iso 4217 currency code", quote(&code)),
                        )
                    })?),
                };
            }
            Builtin::ActionObject => self.action_object = string(v, p)?,
            Builtin::ActionRecordId => self.action_record_id = string(v, p)?,
            Builtin::UserId => self.user_id = string(v, p)?,
            // An array: read by `roles_of` and `RolesSeed`, never as a scalar.
            Builtin::UserRoles => return Err(roles_error()),
            Builtin::LastStepUpAt => self.last_step_up_at = unix_seconds(&v, p)?,
            Builtin::LastVerificationAt => self.last_verification_at = unix_seconds(&v, p)?,
            Builtin::CurrentIal => {
                self.current_ial = match v {
                    Sc::Null => None,
                    Sc::U(n @ 0..=3) => u8::try_from(n).ok(),
                    _ => return Err(bad(p, "must be 0, 1, 2 or 3")),
                };
            }
        }
        Ok(())
    }

    /// The checks that span fields, once everything is read.
    fn finish(self) -> Result<Self, PolicyError> {
        if self.action_amount_minor.is_some() && self.action_currency.is_none() {
            return Err(bad(
                "action.currency",
                "is required when `action.amount_minor` is given",
            ));
        }
        Ok(self)
    }

    /// Reads and checks a context from a parsed JSON value. Unknown keys
    /// (outside `custom`), wrong types and out-of-range values are errors
    /// naming the field.
    pub(super) fn from_value(value: &'a Value) -> Result<Self, PolicyError> {
        let Value::Object(top) = value else {
            return Err(bad("$", "the context must be a json object"));
        };
        let mut c = Context::default();
        for (key, v) in top {
            match top_slot(key) {
                Some(Slot::Field(f)) => c.set(f, Sc::of(v))?,
                Some(Slot::Section(s)) => match v {
                    Value::Null => {}
                    Value::Object(m) => {
                        for (k, v) in m {
                            match section_slot(s, k) {
                                Some(Slot::Field(f)) => c.set(f, Sc::of(v))?,
                                Some(_) => c.user_roles = roles_of(v)?,
                                None => return Err(unknown(s.name(), k)),
                            }
                        }
                    }
                    other => {
                        return Err(bad(
                            s.name(),
                            format!("must be an object, not {}", Sc::of(other).kind()),
                        ))
                    }
                },
                Some(_) => {
                    c.custom = match v {
                        Value::Null => None,
                        Value::Object(m) => Some(Cow::Borrowed(m)),
                        other => {
                            return Err(bad(
                                "custom",
                                format!("must be an object, not {}", Sc::of(other).kind()),
                            ))
                        }
                    };
                }
                None => return Err(unknown("", key)),
            }
        }
        c.finish()
    }

    /// Reads and checks a context from JSON text, without building a JSON
    /// tree: strings are borrowed from `text` unless they hold escapes.
    /// Same checks and errors as [`Context::from_value`]; text that is not
    /// JSON is an error at `$`.
    pub(super) fn from_json(text: &'a str) -> Result<Self, PolicyError> {
        let slot = RefCell::new(None);
        let seen = Seen::default();
        let mut de = serde_json::Deserializer::from_str(text);
        let read = TopSeed(&slot, &seen)
            .deserialize(&mut de)
            .and_then(|c| de.end().map(|()| c));
        match read {
            Ok(c) => c.finish(),
            Err(e) => Err(slot
                .into_inner()
                .unwrap_or_else(|| bad("$", format!("the context is not valid json: {e}")))),
        }
    }
}

fn roles_of(v: &Value) -> Result<Option<Vec<Cow<'_, str>>>, PolicyError> {
    match v {
        Value::Null => Ok(None),
        Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().map(Cow::Borrowed))
            .collect::<Option<Vec<_>>>()
            .map(Some)
            .ok_or_else(roles_error),
        _ => Err(roles_error()),
    }
}

fn roles_error() -> PolicyError {
    bad(Builtin::UserRoles.path(), "must be an array of strings")
}

// ---- The text path: serde visitors over the same slots and checks. ----
//
// A check that fails stores its error in the shared slot and aborts the
// parse with a placeholder serde error; `from_json` then reports the stored
// error. Any other serde error is text that is not JSON.

type ErrSlot = RefCell<Option<PolicyError>>;

/// Keys already read, one bit each (fields by number, then sections,
/// `custom` and `user.roles`): JSON text may repeat a key, which a parsed
/// value silently collapses; the text path refuses it instead.
#[derive(Default)]
struct Seen(std::cell::Cell<u64>);

impl Seen {
    fn first(&self, bit: u32) -> bool {
        let mask = 1u64 << (bit & 63);
        let was = self.0.get();
        self.0.set(was | mask);
        was & mask == 0
    }
}

fn slot_bit(slot: &Slot) -> u32 {
    match slot {
        Slot::Field(f) => *f as u32,
        Slot::Section(s) => 40 + *s as u32,
        Slot::Custom => 50,
        Slot::Roles => 51,
    }
}

fn duplicate(path: String) -> PolicyError {
    bad(path, "appears twice; a context names each field once")
}

fn fail<E: de::Error>(slot: &ErrSlot, e: PolicyError) -> E {
    *slot.borrow_mut() = Some(e);
    E::custom("invalid context")
}

/// A string that borrows from the input when it can.
struct Str<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value, as a scalar (arrays and objects are skipped, by kind).
struct AnySc;

impl<'de> Visitor<'de> for AnySc {
    type Value = Sc<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any json value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Sc::Null)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        Ok(Sc::Bool(b))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        Ok(Sc::U(n))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        Ok(u64::try_from(n).map_or(Sc::I(n), Sc::U))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        Ok(Sc::F(n))
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Sc::Str(Cow::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Sc::Str(Cow::Owned(s.to_owned())))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Self::Value, E> {
        Ok(Sc::Str(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Sc::Arr)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Sc::Obj)
    }
}

impl<'de> DeserializeSeed<'de> for AnySc {
    type Value = Sc<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

/// The whole context.
struct TopSeed<'s>(&'s ErrSlot, &'s Seen);

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = Context<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = Context<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a json object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let slot = self.0;
        let mut c = Context::default();
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            let found = top_slot(&key);
            if let Some(found) = &found {
                if !self.1.first(slot_bit(found)) {
                    return Err(fail(slot, duplicate(key.into_owned())));
                }
            }
            match found {
                Some(Slot::Field(f)) => {
                    let v = map.next_value_seed(AnySc)?;
                    c.set(f, v).map_err(|e| fail(slot, e))?;
                }
                Some(Slot::Section(section)) => map.next_value_seed(SectionSeed {
                    slot,
                    seen: self.1,
                    section,
                    ctx: &mut c,
                })?,
                Some(_) => c.custom = map.next_value_seed(CustomSeed(slot))?.map(Cow::Owned),
                None => return Err(fail(slot, unknown("", &key))),
            }
        }
        Ok(c)
    }
    // Anything but an object: consume it and say so at `$`.
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(fail(self.0, bad("$", "the context must be a json object")))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        self.visit_unit()
    }
}

/// One section object, stored into the context as it is read.
struct SectionSeed<'s, 'c, 'de> {
    slot: &'s ErrSlot,
    seen: &'s Seen,
    section: Section,
    ctx: &'c mut Context<'de>,
}

impl<'de> DeserializeSeed<'de> for SectionSeed<'_, '_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for SectionSeed<'_, '_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
            let found = section_slot(self.section, &key);
            if let Some(found) = &found {
                if !self.seen.first(slot_bit(found)) {
                    return Err(fail(
                        self.slot,
                        duplicate(format!("{}.{key}", self.section.name())),
                    ));
                }
            }
            match found {
                Some(Slot::Field(f)) => {
                    let v = map.next_value_seed(AnySc)?;
                    self.ctx.set(f, v).map_err(|e| fail(self.slot, e))?;
                }
                Some(_) => self.ctx.user_roles = map.next_value_seed(RolesSeed(self.slot))?,
                None => return Err(fail(self.slot, unknown(self.section.name(), &key))),
            }
        }
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        self.not_object(&Sc::Bool(b))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.not_object(&Sc::U(n))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        self.not_object(&Sc::I(n))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<(), E> {
        self.not_object(&Sc::F(n))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.not_object(&Sc::Str(Cow::Borrowed("")))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        self.not_object(&Sc::Arr)
    }
}

impl SectionSeed<'_, '_, '_> {
    fn not_object<E: de::Error>(&self, v: &Sc<'_>) -> Result<(), E> {
        Err(fail(
            self.slot,
            bad(
                self.section.name(),
                format!("must be an object, not {}", v.kind()),
            ),
        ))
    }
}

/// `user.roles`: an array of strings.
struct RolesSeed<'s>(&'s ErrSlot);

impl<'de> DeserializeSeed<'de> for RolesSeed<'_> {
    type Value = Option<Vec<Cow<'de, str>>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RolesSeed<'_> {
    type Value = Option<Vec<Cow<'de, str>>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of strings")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(AnySc)? {
            match v {
                Sc::Str(s) => out.push(s),
                _ => return Err(fail(self.0, roles_error())),
            }
        }
        Ok(Some(out))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(fail(self.0, roles_error()))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(fail(self.0, roles_error()))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(fail(self.0, roles_error()))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(fail(self.0, roles_error()))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(fail(self.0, roles_error()))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(fail(self.0, roles_error()))
    }
}

/// `custom`: an object, kept as JSON values.
struct CustomSeed<'s>(&'s ErrSlot);

impl<'de> DeserializeSeed<'de> for CustomSeed<'_> {
    type Value = Option<Map<String, Value>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CustomSeed<'_> {
    type Value = Option<Map<String, Value>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Map::new();
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            out.insert(k, v);
        }
        Ok(Some(out))
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Self::Value, E> {
        self.not_object(&Sc::Bool(b))
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
        self.not_object(&Sc::U(n))
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
        self.not_object(&Sc::I(n))
    }
    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Self::Value, E> {
        self.not_object(&Sc::F(n))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        self.not_object(&Sc::Str(Cow::Borrowed("")))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        self.not_object(&Sc::Arr)
    }
}

impl CustomSeed<'_> {
    fn not_object<E: de::Error>(&self, v: &Sc<'_>) -> Result<Option<Map<String, Value>>, E> {
        Err(fail(
            self.0,
            bad("custom", format!("must be an object, not {}", v.kind())),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_full_context() {
        let v = json!({
            "now": 1_767_225_600u64,
            "device": {"known": true, "trusted": false, "id": "fp"},
            "ip": "2001:db8::1",
            "ip_flags": {"vpn": true, "anonymous": null},
            "geo": {"country": "US", "lat": 40.7, "lon": -74.0},
            "last_login": {"country": "FR", "ip": "192.0.2.1", "lat": 48.8, "lon": 2.3, "at": 1},
            "risk": {"score": 1, "bot": false, "impossible_travel": true},
            "action": {"type": "x_wire", "amount_minor": 5, "currency": "JPY", "object": "Order", "record_id": "r"},
            "user": {"id": "u", "roles": ["a"]},
            "last_step_up_at": 2, "last_verification_at": 3, "current_ial": 0,
            "custom": {"anything": [1, 2]}
        });
        let c = Context::from_value(&v).unwrap();
        let t = v.to_string();
        let c2 = Context::from_json(&t).unwrap();
        assert_eq!(format!("{c:?}"), format!("{c2:?}"));
        // Strings borrow from the text unless escaped.
        assert!(matches!(c2.device_id, Some(Cow::Borrowed("fp"))));
        let escaped =
            Context::from_json(r#"{"device": {"id": "f\u0070"}, "user": {"roles": ["a\n"]}}"#)
                .unwrap();
        assert_eq!(escaped.device_id.as_deref(), Some("fp"));
        assert_eq!(escaped.user_roles, Some(vec![Cow::Borrowed("a\n")]));
        assert_eq!(c.now, Some(1_767_225_600));
        assert_eq!(c.ip, Some("2001:db8::1".parse().unwrap()));
        assert_eq!(c.ip_vpn, Some(true));
        assert_eq!(c.ip_anonymous, None);
        assert_eq!(c.risk_score, Some(1.0));
        assert_eq!(c.action_currency.map(Currency::code), Some("JPY"));
        assert_eq!(c.current_ial, Some(0));
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (json!([]), "$"),
            (json!({"now": -1}), "now"),
            (json!({"now": 1.5}), "now"),
            (json!({"now": "1"}), "now"),
            (json!({"devcie": {}}), "devcie"),
            (json!({"device": []}), "device"),
            (json!({"device": {"known": "yes"}}), "device.known"),
            (json!({"device": {"colour": 1}}), "device.colour"),
            (json!({"ip": "10.0.0.256"}), "ip"),
            (json!({"ip": 10}), "ip"),
            (json!({"ip_flags": {"vpn": 1}}), "ip_flags.vpn"),
            (json!({"geo": {"country": "us"}}), "geo.country"),
            (json!({"geo": {"country": "USA"}}), "geo.country"),
            (json!({"geo": {"lat": 91}}), "geo.lat"),
            (json!({"geo": {"lon": -180.5}}), "geo.lon"),
            (json!({"last_login": {"at": "yesterday"}}), "last_login.at"),
            (json!({"last_login": {"ip": "::g"}}), "last_login.ip"),
            (json!({"risk": {"score": 70}}), "risk.score"),
            (json!({"risk": {"score": -0.1}}), "risk.score"),
            (json!({"action": {"type": "wire"}}), "action.type"),
            (json!({"action": {"type": "x_"}}), "action.type"),
            (
                json!({"action": {"amount_minor": 12.5, "currency": "USD"}}),
                "action.amount_minor",
            ),
            (
                json!({"action": {"amount_minor": -1, "currency": "USD"}}),
                "action.amount_minor",
            ),
            (json!({"action": {"amount_minor": 100}}), "action.currency"),
            (
                json!({"action": {"amount_minor": 100, "currency": "XYZ"}}),
                "action.currency",
            ),
            (
                json!({"action": {"amount_minor": 100, "currency": "usd"}}),
                "action.currency",
            ),
            (json!({"user": {"roles": ["a", 1]}}), "user.roles"),
            (json!({"current_ial": 4}), "current_ial"),
            (json!({"custom": "x"}), "custom"),
            (
                json!({"last_step_up_at": 9_007_199_254_740_992u64}),
                "last_step_up_at",
            ),
        ];
        for (v, field) in cases {
            match Context::from_value(&v) {
                Err(PolicyError::BadContext { field: f, .. }) => assert_eq!(f, field, "{v}"),
                other => panic!("{v}: {other:?}"),
            }
            // The text path reports the same field and message.
            assert_eq!(
                Context::from_json(&v.to_string()).unwrap_err(),
                Context::from_value(&v).unwrap_err(),
                "{v}"
            );
        }
        for (text, field) in [
            (r#"{"now": 1, "now": 2}"#, "now"),
            (r#"{"device": {"known": true}, "device": {}}"#, "device"),
            (
                r#"{"device": {"known": true, "known": false}}"#,
                "device.known",
            ),
            (r#"{"user": {"roles": [], "roles": []}}"#, "user.roles"),
            (r#"{"custom": {}, "custom": {}}"#, "custom"),
        ] {
            match Context::from_json(text) {
                Err(PolicyError::BadContext { field: f, message }) => {
                    assert_eq!(f, field, "{text}");
                    assert!(message.contains("twice"));
                }
                other => panic!("{text}: {other:?}"),
            }
        }
        for text in ["", "{", "{\"now\": 1} x", "nul", "{\"now\": 01}"] {
            match Context::from_json(text) {
                Err(PolicyError::BadContext { field, .. }) => assert_eq!(field, "$", "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn every_builtin_signal_is_a_context_field_under_its_own_name() {
        use crate::policy::signal::BUILTINS;
        let sections = [
            Section::Device,
            Section::IpFlags,
            Section::Geo,
            Section::LastLogin,
            Section::Risk,
            Section::Action,
            Section::User,
        ];
        for &(path, b, _) in BUILTINS {
            let slot = match path.split_once('.') {
                None => top_slot(path),
                Some((section, key)) => {
                    let s = sections.iter().find(|s| s.name() == section).unwrap();
                    assert!(
                        matches!(top_slot(section), Some(Slot::Section(_))),
                        "{path}"
                    );
                    section_slot(*s, key)
                }
            };
            match slot {
                Some(Slot::Field(f)) => assert_eq!(f, b, "{path}"),
                Some(Slot::Roles) => assert_eq!(b, Builtin::UserRoles),
                _ => panic!("{path} is not read from a context"),
            }
        }
    }

    #[test]
    fn quote_cuts_long_input_on_a_char_boundary() {
        let s = "é".repeat(100);
        let q = quote(&s);
        assert!(q.len() < 80 && q.ends_with("...`"));
    }
}
