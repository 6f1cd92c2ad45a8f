//! Decision-log records: the context a host decided, reduced as configured,
//! with its decision, as one JSON line that `diff` reads back.
//!
//! Reduction (defaults first): IPs (`ip`, `last_login.ip`) `truncate` to
//! their /24 (IPv4) or /48 (IPv6) network, or `drop`, or `keep`;
//! identifiers (`device.id`, `user.id`, `action.record_id`) `hash` (keyed
//! HMAC-SHA256, `h:` + 32 hex digits: the same id gives the same hash under
//! one key, nobody without the key can test a guess), or `drop`, or `keep`;
//! coordinates (`geo.*`, `last_login.lat/lon`) `round` to 0.1 degree (about
//! 11 km), or `drop`, or `keep`; `custom` `keep` or `drop`. A record over
//! `max_bytes` (default 4096, at most 65536) loses `custom`, then its
//! context, and says `"truncated": true`.

use std::net::IpAddr;

use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

use super::error::PolicyError;
use crate::entropy::hex_lower;
use crate::secret::Secret;

/// Largest `max_bytes` accepted.
pub const MAX_LOG_RECORD_BYTES: usize = 65_536;

/// How a decision-log record is reduced (see the module documentation).
#[derive(Debug, Clone)]
pub struct LogConfig {
    /// `truncate`, `drop` or `keep`.
    pub ip: String,
    /// `hash`, `drop` or `keep`.
    pub ids: String,
    /// `round`, `drop` or `keep`.
    pub geo: String,
    /// `keep` or `drop`.
    pub custom: String,
    /// The HMAC key for `ids: "hash"`.
    pub key: Option<Secret>,
    /// Largest record, in bytes of JSON text.
    pub max_bytes: usize,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            ip: "truncate".into(),
            ids: "hash".into(),
            geo: "round".into(),
            custom: "keep".into(),
            key: None,
            max_bytes: 4096,
        }
    }
}

fn bad(field: &str, message: &str) -> PolicyError {
    PolicyError::BadInput {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

impl LogConfig {
    /// Reads and checks a configuration given as JSON text (`{}` for the defaults).
    ///
    /// # Errors
    /// `invalid_input` naming the setting; the key never appears in a message.
    pub fn parse(text: &str) -> Result<Self, PolicyError> {
        // Checked as a tree first, so no message ever quotes a value (the key).
        let tree: Value = serde_json::from_str(text)
            .map_err(|_| bad("$", "decision log settings must be a json object"))?;
        let obj = tree
            .as_object()
            .ok_or_else(|| bad("$", "decision log settings must be a json object"))?;
        let mut c = Self::default();
        for (k, v) in obj {
            let text = v.as_str().map(str::to_owned);
            let slot = match k.as_str() {
                "ip" => &mut c.ip,
                "ids" => &mut c.ids,
                "geo" => &mut c.geo,
                "custom" => &mut c.custom,
                "key" => {
                    let key = text.ok_or_else(|| bad(k, "must be a string"))?;
                    c.key = Some(Secret::new(key));
                    continue;
                }
                "max_bytes" => {
                    let n = v.as_u64().ok_or_else(|| bad(k, "must be an integer"))?;
                    c.max_bytes = usize::try_from(n).unwrap_or(usize::MAX);
                    continue;
                }
                _ => {
                    let known = "unknown setting (ip, ids, geo, custom, key, max_bytes)";
                    return Err(bad(k, known));
                }
            };
            *slot = text.ok_or_else(|| bad(k, "must be a string"))?;
        }
        let one_of = |v: &str, list: &[&str], field: &str| {
            if list.contains(&v) {
                Ok(())
            } else {
                Err(bad(field, &format!("must be one of {}", list.join(", "))))
            }
        };
        one_of(&c.ip, &["truncate", "drop", "keep"], "ip")?;
        one_of(&c.ids, &["hash", "drop", "keep"], "ids")?;
        one_of(&c.geo, &["round", "drop", "keep"], "geo")?;
        one_of(&c.custom, &["keep", "drop"], "custom")?;
        if c.ids == "hash" && c.key.as_ref().is_none_or(|k| k.expose().len() < 16) {
            return Err(bad(
                "key",
                "`ids: hash` needs a key of at least 16 characters",
            ));
        }
        if c.max_bytes < 256 || c.max_bytes > MAX_LOG_RECORD_BYTES {
            return Err(bad("max_bytes", "must be between 256 and 65536"));
        }
        Ok(c)
    }

    fn hash(&self, s: &str) -> Value {
        let key = self.key.as_ref().map_or("", |k| k.expose());
        match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
            Ok(mut mac) => {
                mac.update(s.as_bytes());
                let tag = mac.finalize().into_bytes();
                Value::String(format!(
                    "h:{}",
                    hex_lower(tag.get(..16).unwrap_or_default())
                ))
            }
            Err(_) => Value::Null,
        }
    }
}

fn truncate_ip(s: &str) -> Value {
    let Ok(ip) = s.parse::<IpAddr>() else {
        return Value::Null;
    };
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    Value::String(match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            let net = std::net::Ipv6Addr::new(
                s.first().copied().unwrap_or(0),
                s.get(1).copied().unwrap_or(0),
                s.get(2).copied().unwrap_or(0),
                0,
                0,
                0,
                0,
                0,
            );
            net.to_string()
        }
    })
}

/// Applies `how` to `obj[key]`.
fn apply(obj: &mut Map<String, Value>, key: &str, how: &str, f: impl Fn(&Value) -> Value) {
    if how == "keep" {
        return;
    }
    if how == "drop" {
        obj.shift_remove(key);
        return;
    }
    if let Some(v) = obj.get_mut(key) {
        if !v.is_null() {
            *v = f(v);
        }
    }
}

fn round(v: &Value) -> Value {
    v.as_f64()
        .map_or(Value::Null, |x| json!((x * 10.0).round() / 10.0))
}

/// The context reduced as configured.
pub fn reduce_context(context: &Value, config: &LogConfig) -> Value {
    let mut ctx = match context {
        Value::Object(m) => m.clone(),
        _ => return Value::Null,
    };
    let ip = |v: &Value| v.as_str().map_or(Value::Null, truncate_ip);
    let id = |v: &Value| v.as_str().map_or(Value::Null, |s| config.hash(s));
    apply(&mut ctx, "ip", &config.ip, ip);
    for (section, keys) in [
        ("device", &["id"][..]),
        ("user", &["id"]),
        ("action", &["record_id"]),
    ] {
        if let Some(Value::Object(m)) = ctx.get_mut(section) {
            for k in keys {
                apply(m, k, &config.ids, id);
            }
        }
    }
    if let Some(Value::Object(m)) = ctx.get_mut("last_login") {
        apply(m, "ip", &config.ip, ip);
        apply(m, "lat", &config.geo, round);
        apply(m, "lon", &config.geo, round);
    }
    if let Some(Value::Object(m)) = ctx.get_mut("geo") {
        apply(m, "lat", &config.geo, round);
        apply(m, "lon", &config.geo, round);
    }
    if config.custom == "drop" {
        ctx.shift_remove("custom");
    }
    Value::Object(ctx)
}

/// One JSON line for the decision log: `{"v": 1, "decision", "rule",
/// "context"}` with the context reduced and the record bounded. `decision`
/// and `rule` are the decision's (`Decision::decision.as_str()`, `rule`).
pub fn log_record(context: &Value, decision: &str, rule: &str, config: &LogConfig) -> String {
    let mut record = json!({
        "v": 1,
        "decision": decision,
        "rule": rule,
        "context": reduce_context(context, config),
    });
    let mut text = record.to_string();
    if text.len() > config.max_bytes {
        if let Value::Object(r) = &mut record {
            if let Some(Value::Object(c)) = r.get_mut("context") {
                c.shift_remove("custom");
            }
            r.insert("truncated".into(), Value::Bool(true));
        }
        text = record.to_string();
    }
    if text.len() > config.max_bytes {
        if let Value::Object(r) = &mut record {
            r.shift_remove("context");
        }
        text = record.to_string();
    }
    text
}
