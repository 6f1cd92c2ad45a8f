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
//! Every field is optional and `null` means absent. What a policy does with
//! an absent value is stated per condition (see the policy docs); it is
//! never an error. A present value of the wrong type or range, and any key
//! the set does not define (outside `custom`), is an error that names the
//! field by its dotted path, so a typo cannot silently read as "absent".

use std::net::IpAddr;

use serde_json::{Map, Value};

use super::currency::Currency;
use super::error::PolicyError;

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

/// The signals of one request, borrowed from the JSON it was read from.
#[derive(Debug, Default, Clone)]
pub(super) struct Context<'a> {
    pub(super) now: Option<u64>,
    pub(super) device_known: Option<bool>,
    pub(super) device_trusted: Option<bool>,
    pub(super) device_id: Option<&'a str>,
    pub(super) ip: Option<IpAddr>,
    pub(super) ip_anonymous: Option<bool>,
    pub(super) ip_vpn: Option<bool>,
    pub(super) ip_tor: Option<bool>,
    pub(super) ip_proxy: Option<bool>,
    pub(super) ip_hosting: Option<bool>,
    pub(super) geo_country: Option<&'a str>,
    pub(super) geo_lat: Option<f64>,
    pub(super) geo_lon: Option<f64>,
    pub(super) last_country: Option<&'a str>,
    pub(super) last_ip: Option<IpAddr>,
    pub(super) last_lat: Option<f64>,
    pub(super) last_lon: Option<f64>,
    pub(super) last_at: Option<u64>,
    pub(super) risk_score: Option<f64>,
    pub(super) risk_bot: Option<bool>,
    pub(super) risk_impossible_travel: Option<bool>,
    pub(super) action_type: Option<&'a str>,
    pub(super) action_amount_minor: Option<i64>,
    pub(super) action_currency: Option<Currency>,
    pub(super) action_object: Option<&'a str>,
    pub(super) action_record_id: Option<&'a str>,
    pub(super) user_id: Option<&'a str>,
    pub(super) user_roles: Option<&'a [Value]>,
    pub(super) last_step_up_at: Option<u64>,
    pub(super) last_verification_at: Option<u64>,
    pub(super) current_ial: Option<u8>,
    pub(super) custom: Option<&'a Map<String, Value>>,
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

/// A JSON type name, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `null` reads as absent.
fn present(v: &Value) -> Option<&Value> {
    (!v.is_null()).then_some(v)
}

fn boolean(v: &Value, field: &str) -> Result<Option<bool>, PolicyError> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        other => Err(bad(
            field,
            format!("must be a boolean, not {}", kind(other)),
        )),
    }
}

fn string<'a>(v: &'a Value, field: &str) -> Result<Option<&'a str>, PolicyError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Err(bad(field, format!("must be a string, not {}", kind(other)))),
    }
}

fn unix_seconds(v: &Value, field: &str) -> Result<Option<u64>, PolicyError> {
    let Some(v) = present(v) else { return Ok(None) };
    match v.as_u64() {
        // Beyond 2^53 a JS number cannot carry the value exactly anyway.
        Some(n) if n < (1 << 53) => Ok(Some(n)),
        _ => Err(bad(
            field,
            "must be whole unix seconds (a non-negative integer)",
        )),
    }
}

fn number_in(
    v: &Value,
    field: &str,
    lo: f64,
    hi: f64,
    range: &str,
) -> Result<Option<f64>, PolicyError> {
    let Some(v) = present(v) else { return Ok(None) };
    match v.as_f64() {
        Some(n) if n.is_finite() && (lo..=hi).contains(&n) => Ok(Some(n)),
        Some(_) => Err(bad(field, format!("must be between {range}"))),
        None => Err(bad(field, format!("must be a number, not {}", kind(v)))),
    }
}

fn ip(v: &Value, field: &str) -> Result<Option<IpAddr>, PolicyError> {
    match string(v, field)? {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            bad(
                field,
                format!("{} is not an ipv4 or ipv6 address", quote(s)),
            )
        }),
    }
}

fn country<'a>(v: &'a Value, field: &str) -> Result<Option<&'a str>, PolicyError> {
    match string(v, field)? {
        Some(c) if !is_country(c) => Err(bad(
            field,
            format!(
                "{} is not an iso 3166-1 alpha-2 country code in upper case, like `US`",
                quote(c)
            ),
        )),
        other => Ok(other),
    }
}

fn object<'a>(v: &'a Value, field: &str) -> Result<Option<&'a Map<String, Value>>, PolicyError> {
    match v {
        Value::Null => Ok(None),
        Value::Object(m) => Ok(Some(m)),
        other => Err(bad(
            field,
            format!("must be an object, not {}", kind(other)),
        )),
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

impl<'a> Context<'a> {
    /// Reads and checks a context. Unknown keys (outside `custom`), wrong
    /// types and out-of-range values are errors naming the field.
    pub(super) fn from_value(value: &'a Value) -> Result<Self, PolicyError> {
        let Value::Object(top) = value else {
            return Err(bad("$", "the context must be a json object"));
        };
        let mut c = Context::default();
        for (key, v) in top {
            match key.as_str() {
                "now" => c.now = unix_seconds(v, "now")?,
                "device" => c.device(v)?,
                "ip" => c.ip = ip(v, "ip")?,
                "ip_flags" => c.ip_flags(v)?,
                "geo" => c.geo(v)?,
                "last_login" => c.last_login(v)?,
                "risk" => c.risk(v)?,
                "action" => c.action(v)?,
                "user" => c.user(v)?,
                "last_step_up_at" => c.last_step_up_at = unix_seconds(v, "last_step_up_at")?,
                "last_verification_at" => {
                    c.last_verification_at = unix_seconds(v, "last_verification_at")?;
                }
                "current_ial" => {
                    c.current_ial = match present(v) {
                        None => None,
                        Some(n) => match n.as_u64() {
                            Some(n @ 0..=3) => u8::try_from(n).ok(),
                            _ => return Err(bad("current_ial", "must be 0, 1, 2 or 3")),
                        },
                    };
                }
                "custom" => c.custom = object(v, "custom")?,
                other => return Err(unknown("", other)),
            }
        }
        Ok(c)
    }

    fn device(&mut self, v: &'a Value) -> Result<(), PolicyError> {
        let Some(m) = object(v, "device")? else {
            return Ok(());
        };
        for (key, v) in m {
            match key.as_str() {
                "known" => self.device_known = boolean(v, "device.known")?,
                "trusted" => self.device_trusted = boolean(v, "device.trusted")?,
                "id" => self.device_id = string(v, "device.id")?,
                other => return Err(unknown("device", other)),
            }
        }
        Ok(())
    }

    fn ip_flags(&mut self, v: &'a Value) -> Result<(), PolicyError> {
        let Some(m) = object(v, "ip_flags")? else {
            return Ok(());
        };
        for (key, v) in m {
            match key.as_str() {
                "anonymous" => self.ip_anonymous = boolean(v, "ip_flags.anonymous")?,
                "vpn" => self.ip_vpn = boolean(v, "ip_flags.vpn")?,
                "tor" => self.ip_tor = boolean(v, "ip_flags.tor")?,
                "proxy" => self.ip_proxy = boolean(v, "ip_flags.proxy")?,
                "hosting" => self.ip_hosting = boolean(v, "ip_flags.hosting")?,
                other => return Err(unknown("ip_flags", other)),
            }
        }
        Ok(())
    }

    fn geo(&mut self, v: &'a Value) -> Result<(), PolicyError> {
        let Some(m) = object(v, "geo")? else {
            return Ok(());
        };
        for (key, v) in m {
            match key.as_str() {
                "country" => self.geo_country = country(v, "geo.country")?,
                "lat" => self.geo_lat = number_in(v, "geo.lat", -90.0, 90.0, "-90 and 90")?,
                "lon" => self.geo_lon = number_in(v, "geo.lon", -180.0, 180.0, "-180 and 180")?,
                other => return Err(unknown("geo", other)),
            }
        }
        Ok(())
    }

    fn last_login(&mut self, v: &'a Value) -> Result<(), PolicyError> {
        let Some(m) = object(v, "last_login")? else {
            return Ok(());
        };
        for (key, v) in m {
            match key.as_str() {
                "country" => self.last_country = country(v, "last_login.country")?,
                "ip" => self.last_ip = ip(v, "last_login.ip")?,
                "lat" => self.last_lat = number_in(v, "last_login.lat", -90.0, 90.0, "-90 and 90")?,
                "lon" => {
                    self.last_lon = number_in(v, "last_login.lon", -180.0, 180.0, "-180 and 180")?
                }
                "at" => self.last_at = unix_seconds(v, "last_login.at")?,
                other => return Err(unknown("last_login", other)),
            }
        }
        Ok(())
    }

    fn risk(&mut self, v: &'a Value) -> Result<(), PolicyError> {
        let Some(m) = object(v, "risk")? else {
            return Ok(());
        };
        for (key, v) in m {
            match key.as_str() {
                "score" => self.risk_score = number_in(v, "risk.score", 0.0, 1.0, "0 and 1")?,
                "bot" => self.risk_bot = boolean(v, "risk.bot")?,
                "impossible_travel" => {
                    self.risk_impossible_travel = boolean(v, "risk.impossible_travel")?;
                }
                other => return Err(unknown("risk", other)),
            }
        }
        Ok(())
    }

    fn action(&mut self, v: &'a Value) -> Result<(), PolicyError> {
        let Some(m) = object(v, "action")? else {
            return Ok(());
        };
        for (key, v) in m {
            match key.as_str() {
                "type" => {
                    self.action_type = match string(v, "action.type")? {
                        Some(t) if !is_action_type(t) => {
                            return Err(bad(
                                "action.type",
                                format!(
                                    "{} is not a known action type; a deployment's own types start with `x_`",
                                    quote(t)
                                ),
                            ))
                        }
                        other => other,
                    };
                }
                "amount_minor" => {
                    self.action_amount_minor = match present(v) {
                        None => None,
                        Some(n) => match n.as_i64() {
                            Some(n) if n >= 0 => Some(n),
                            _ => {
                                return Err(bad(
                                    "action.amount_minor",
                                    "must be a non-negative whole number of minor units (cents for USD)",
                                ))
                            }
                        },
                    };
                }
                "currency" => {
                    self.action_currency = match string(v, "action.currency")? {
                        None => None,
                        Some(code) => Some(Currency::from_code(code).ok_or_else(|| {
                            bad(
                                "action.currency",
                                format!(
                                    "{} is not a supported iso 4217 currency code",
                                    quote(code)
                                ),
                            )
                        })?),
                    };
                }
                "object" => self.action_object = string(v, "action.object")?,
                "record_id" => self.action_record_id = string(v, "action.record_id")?,
                other => return Err(unknown("action", other)),
            }
        }
        if self.action_amount_minor.is_some() && self.action_currency.is_none() {
            return Err(bad(
                "action.currency",
                "is required when `action.amount_minor` is given",
            ));
        }
        Ok(())
    }

    fn user(&mut self, v: &'a Value) -> Result<(), PolicyError> {
        let Some(m) = object(v, "user")? else {
            return Ok(());
        };
        for (key, v) in m {
            match key.as_str() {
                "id" => self.user_id = string(v, "user.id")?,
                "roles" => {
                    self.user_roles = match v {
                        Value::Null => None,
                        Value::Array(a) if a.iter().all(Value::is_string) => Some(a.as_slice()),
                        _ => return Err(bad("user.roles", "must be an array of strings")),
                    };
                }
                other => return Err(unknown("user", other)),
            }
        }
        Ok(())
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
        }
    }

    #[test]
    fn quote_cuts_long_input_on_a_char_boundary() {
        let s = "é".repeat(100);
        let q = quote(&s);
        assert!(q.len() < 80 && q.ends_with("...`"));
    }
}
