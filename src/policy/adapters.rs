//! Adapters: decision contexts from what Descope and Salesforce send.
//!
//! Both return a context as JSON (the shape [`Policy::decide`](super::Policy::decide)
//! reads), so a host can add what it knows (`ip`, `geo.lat`, `last_login.at`...)
//! before deciding. Errors name the field of the *input*, as the sender wrote it
//! (`riskInfo.riskScore`, `amount`).

use serde_json::{json, Map, Value};

use super::currency::Currency;
use super::error::PolicyError;
use super::vocab::{is_action_type, is_country, quote};

fn bad(field: &str, message: impl Into<String>) -> PolicyError {
    PolicyError::BadContext {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// Follows a dotted path; `null` reads as absent.
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for key in path.split('.') {
        cur = cur.as_object()?.get(key)?;
    }
    (!cur.is_null()).then_some(cur)
}

/// A boolean, also accepted as the strings `"true"` / `"false"` (a Descope
/// HTTP connector body template renders values as text).
fn flag(v: &Value, field: &str) -> Result<Option<bool>, PolicyError> {
    match at(v, field) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(_) => Err(bad(field, "must be a boolean")),
    }
}

/// A number, also accepted as a decimal string.
fn number(v: &Value, field: &str) -> Result<Option<f64>, PolicyError> {
    match at(v, field) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => match serde_json::from_str::<f64>(s.trim()) {
            Ok(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(bad(field, format!("{} is not a number", quote(s)))),
        },
        Some(_) => Err(bad(field, "must be a number")),
    }
}

fn text<'a>(v: &'a Value, field: &str) -> Result<Option<&'a str>, PolicyError> {
    match at(v, field) {
        None => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(field, "must be a string")),
    }
}

/// A country code, upper-cased.
fn country(v: &Value, field: &str) -> Result<Option<String>, PolicyError> {
    match text(v, field)? {
        None => Ok(None),
        Some(c) => {
            let up = c.trim().to_ascii_uppercase();
            if is_country(&up) {
                Ok(Some(up))
            } else {
                Err(bad(
                    field,
                    format!("{} is not an iso 3166-1 alpha-2 country code", quote(c)),
                ))
            }
        }
    }
}

fn ip(v: &Value, field: &str) -> Result<Option<String>, PolicyError> {
    match text(v, field)? {
        None => Ok(None),
        Some(s) => match s.trim().parse::<std::net::IpAddr>() {
            Ok(_) => Ok(Some(s.trim().to_owned())),
            Err(_) => Err(bad(field, format!("{} is not an ip address", quote(s)))),
        },
    }
}

fn seconds(v: &Value, field: &str) -> Result<Option<u64>, PolicyError> {
    match at(v, field) {
        None => Ok(None),
        Some(n) => match n.as_u64() {
            Some(n) if n < (1 << 53) => Ok(Some(n)),
            _ => Err(bad(field, "must be whole unix seconds")),
        },
    }
}

/// Inserts `value` at `section.key` (or `key` when `section` is empty), skipping absent values.
fn put(out: &mut Map<String, Value>, section: &str, key: &str, value: Option<Value>) {
    let Some(value) = value else { return };
    if section.is_empty() {
        out.insert(key.to_owned(), value);
        return;
    }
    let entry = out
        .entry(section.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(m) = entry {
        m.insert(key.to_owned(), value);
    }
}

/// Builds a decision context from a Descope flow context (the JSON a flow
/// sends, or the subset a Generic HTTP connector body template renders).
///
/// | Descope | context |
/// |---|---|
/// | `riskInfo.riskScore` (0 to 1) | `risk.score` |
/// | `riskInfo.botDetected` | `risk.bot` |
/// | `riskInfo.impossibleTravel` | `risk.impossible_travel` |
/// | `riskInfo.vpnDetected` | `ip_flags.vpn` |
/// | `riskInfo.trustedDevice` | `device.trusted` |
/// | `user.fingerprint.knownDevice` | `device.known` |
/// | `user.lastAuth.country` | `last_login.country` (upper-cased) |
/// | `user.lastAuth.ip` | `last_login.ip` |
/// | `geo.country` | `geo.country` (upper-cased) |
/// | `user.customAttributes.<name>` | `custom.<name>` |
/// | `now` argument | `now` |
///
/// Booleans and numbers rendered as strings (`"true"`, `"0.7"`) are read as
/// such, and an empty string as absent. Absent inputs stay absent.
///
/// # Errors
/// [`PolicyError::BadContext`] naming the Descope field when a value has the
/// wrong type or range, or `$` when the flow context is not an object.
pub fn context_from_descope(flow: &Value, now: Option<u64>) -> Result<Value, PolicyError> {
    if !flow.is_object() {
        return Err(bad("$", "the flow context must be a json object"));
    }
    let mut out = Map::new();
    put(&mut out, "", "now", now.map(Value::from));
    let score = number(flow, "riskInfo.riskScore")?;
    if let Some(s) = score {
        if !(0.0..=1.0).contains(&s) {
            return Err(bad("riskInfo.riskScore", "must be between 0 and 1"));
        }
    }
    put(&mut out, "risk", "score", score.map(Value::from));
    put(
        &mut out,
        "risk",
        "bot",
        flag(flow, "riskInfo.botDetected")?.map(Value::from),
    );
    put(
        &mut out,
        "risk",
        "impossible_travel",
        flag(flow, "riskInfo.impossibleTravel")?.map(Value::from),
    );
    put(
        &mut out,
        "ip_flags",
        "vpn",
        flag(flow, "riskInfo.vpnDetected")?.map(Value::from),
    );
    put(
        &mut out,
        "device",
        "known",
        flag(flow, "user.fingerprint.knownDevice")?.map(Value::from),
    );
    put(
        &mut out,
        "device",
        "trusted",
        flag(flow, "riskInfo.trustedDevice")?.map(Value::from),
    );
    put(
        &mut out,
        "last_login",
        "country",
        country(flow, "user.lastAuth.country")?.map(Value::from),
    );
    put(
        &mut out,
        "last_login",
        "ip",
        ip(flow, "user.lastAuth.ip")?.map(Value::from),
    );
    put(
        &mut out,
        "geo",
        "country",
        country(flow, "geo.country")?.map(Value::from),
    );
    match at(flow, "user.customAttributes") {
        None => {}
        Some(Value::Object(attrs)) => {
            out.insert("custom".to_owned(), Value::Object(attrs.clone()));
        }
        Some(_) => return Err(bad("user.customAttributes", "must be an object")),
    }
    Ok(Value::Object(out))
}

/// Builds a decision context from a Salesforce action context, as a
/// Lightning web component or a flow sends it:
///
/// ```json
/// { "object": "FinServ__FinancialAccount__c", "recordId": "a0B5e00000AbCdE",
///   "actionType": "funds_transfer", "amount": 12500.50, "currency": "USD",
///   "user": { "id": "0055e000001AbCd", "roles": ["advisor"] },
///   "lastStepUpAt": 1767225000, "lastVerificationAt": 1760000000, "currentIal": 2 }
/// ```
///
/// `amount` is a decimal in major units (a number or a string, as Salesforce
/// currency fields are), converted to integer minor units with the
/// currency's ISO 4217 exponent, exactly: `12500.50` USD is `1250050`; an
/// amount with more decimals than the currency has is refused, never rounded.
/// `user` may also be the user id as a string.
///
/// # Errors
/// [`PolicyError::BadContext`] naming the Salesforce field (`amount`,
/// `currency`, `actionType`...).
pub fn context_from_salesforce(action: &Value, now: Option<u64>) -> Result<Value, PolicyError> {
    if !action.is_object() {
        return Err(bad("$", "the action context must be a json object"));
    }
    let mut out = Map::new();
    put(&mut out, "", "now", now.map(Value::from));
    let kind = text(action, "actionType")?;
    if let Some(t) = kind {
        if !is_action_type(t) {
            return Err(bad(
                "actionType",
                format!(
                    "{} is not a known action type; a deployment's own types start with `x_`",
                    quote(t)
                ),
            ));
        }
    }
    put(&mut out, "action", "type", kind.map(Value::from));
    put(
        &mut out,
        "action",
        "object",
        text(action, "object")?.map(Value::from),
    );
    put(
        &mut out,
        "action",
        "record_id",
        text(action, "recordId")?.map(Value::from),
    );
    let currency = match text(action, "currency")? {
        None => None,
        Some(code) => Some(
            Currency::from_code(&code.trim().to_ascii_uppercase()).ok_or_else(|| {
                bad(
                    "currency",
                    format!("{} is not a supported iso 4217 currency code", quote(code)),
                )
            })?,
        ),
    };
    let amount = match at(action, "amount") {
        None => None,
        Some(v) => {
            let Some(cur) = currency else {
                return Err(bad("currency", "is required when `amount` is given"));
            };
            let minor = match v {
                Value::Number(n) => cur.from_major_f64(n.as_f64().unwrap_or(f64::NAN)),
                Value::String(s) => cur.parse_major(s.trim()),
                _ => return Err(bad("amount", "must be a decimal number or string")),
            };
            Some(minor.map_err(|m| bad("amount", m))?)
        }
    };
    put(&mut out, "action", "amount_minor", amount.map(Value::from));
    put(
        &mut out,
        "action",
        "currency",
        currency.map(|c| Value::from(c.code())),
    );
    match at(action, "user") {
        None => {}
        Some(Value::String(id)) => put(&mut out, "user", "id", Some(json!(id))),
        Some(Value::Object(_)) => {
            put(
                &mut out,
                "user",
                "id",
                text(action, "user.id")?.map(Value::from),
            );
            match at(action, "user.roles") {
                None => {}
                Some(Value::Array(a)) if a.iter().all(Value::is_string) => {
                    put(&mut out, "user", "roles", Some(Value::Array(a.clone())));
                }
                Some(_) => return Err(bad("user.roles", "must be an array of strings")),
            }
        }
        Some(_) => return Err(bad("user", "must be a user id or an object with `id`")),
    }
    put(
        &mut out,
        "",
        "last_step_up_at",
        seconds(action, "lastStepUpAt")?.map(Value::from),
    );
    put(
        &mut out,
        "",
        "last_verification_at",
        seconds(action, "lastVerificationAt")?.map(Value::from),
    );
    match at(action, "currentIal") {
        None => {}
        Some(v) => match v.as_u64() {
            Some(n @ 0..=3) => put(&mut out, "", "current_ial", Some(Value::from(n))),
            _ => return Err(bad("currentIal", "must be 0, 1, 2 or 3")),
        },
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
#[path = "adapters_tests.rs"]
mod tests;
