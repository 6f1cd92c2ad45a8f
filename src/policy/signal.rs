//! The built-in signals: what a policy may read and a context carries, each
//! with its dotted name and type, in one table.

use std::net::IpAddr;

use serde_json::Value;

/// The type of a signal, which decides the operators that apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ty {
    Number,
    Integer,
    Timestamp,
    String,
    Boolean,
    StringSet,
    Ip,
}

impl Ty {
    /// Type names a policy may declare for its custom signals.
    pub(super) fn parse_custom(s: &str) -> Option<Self> {
        match s {
            "number" => Some(Self::Number),
            "integer" => Some(Self::Integer),
            "string" => Some(Self::String),
            "boolean" => Some(Self::Boolean),
            "string_set" => Some(Self::StringSet),
            _ => None,
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Number => "a number",
            Self::Integer => "an integer",
            Self::Timestamp => "unix seconds",
            Self::String => "a string",
            Self::Boolean => "a boolean",
            Self::StringSet => "an array of strings",
            Self::Ip => "an ip address",
        }
    }

    /// Whether a custom context value has this type.
    pub(super) fn accepts(self, v: &Value) -> bool {
        match self {
            Self::Number => v.is_number(),
            Self::Integer | Self::Timestamp => v.is_i64() || v.is_u64(),
            Self::String => v.is_string(),
            Self::Boolean => v.is_boolean(),
            Self::StringSet => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            Self::Ip => v.as_str().is_some_and(|s| s.parse::<IpAddr>().is_ok()),
        }
    }
}

/// A built-in signal. The discriminant is the row of [`BUILTINS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Builtin {
    Now,
    DeviceKnown,
    DeviceTrusted,
    DeviceId,
    Ip,
    IpAnonymous,
    IpVpn,
    IpTor,
    IpProxy,
    IpHosting,
    GeoCountry,
    GeoLat,
    GeoLon,
    LastCountry,
    LastIp,
    LastLat,
    LastLon,
    LastAt,
    RiskScore,
    RiskBot,
    RiskImpossibleTravel,
    ActionType,
    ActionAmountMinor,
    ActionCurrency,
    ActionObject,
    ActionRecordId,
    UserId,
    UserRoles,
    LastStepUpAt,
    LastVerificationAt,
    CurrentIal,
}

/// Every built-in signal by the dotted name a policy and a context use, in
/// the order of [`Builtin`].
pub(super) const BUILTINS: &[(&str, Builtin, Ty)] = &[
    ("now", Builtin::Now, Ty::Timestamp),
    ("device.known", Builtin::DeviceKnown, Ty::Boolean),
    ("device.trusted", Builtin::DeviceTrusted, Ty::Boolean),
    ("device.id", Builtin::DeviceId, Ty::String),
    ("ip", Builtin::Ip, Ty::Ip),
    ("ip_flags.anonymous", Builtin::IpAnonymous, Ty::Boolean),
    ("ip_flags.vpn", Builtin::IpVpn, Ty::Boolean),
    ("ip_flags.tor", Builtin::IpTor, Ty::Boolean),
    ("ip_flags.proxy", Builtin::IpProxy, Ty::Boolean),
    ("ip_flags.hosting", Builtin::IpHosting, Ty::Boolean),
    ("geo.country", Builtin::GeoCountry, Ty::String),
    ("geo.lat", Builtin::GeoLat, Ty::Number),
    ("geo.lon", Builtin::GeoLon, Ty::Number),
    ("last_login.country", Builtin::LastCountry, Ty::String),
    ("last_login.ip", Builtin::LastIp, Ty::Ip),
    ("last_login.lat", Builtin::LastLat, Ty::Number),
    ("last_login.lon", Builtin::LastLon, Ty::Number),
    ("last_login.at", Builtin::LastAt, Ty::Timestamp),
    ("risk.score", Builtin::RiskScore, Ty::Number),
    ("risk.bot", Builtin::RiskBot, Ty::Boolean),
    (
        "risk.impossible_travel",
        Builtin::RiskImpossibleTravel,
        Ty::Boolean,
    ),
    ("action.type", Builtin::ActionType, Ty::String),
    (
        "action.amount_minor",
        Builtin::ActionAmountMinor,
        Ty::Integer,
    ),
    ("action.currency", Builtin::ActionCurrency, Ty::String),
    ("action.object", Builtin::ActionObject, Ty::String),
    ("action.record_id", Builtin::ActionRecordId, Ty::String),
    ("user.id", Builtin::UserId, Ty::String),
    ("user.roles", Builtin::UserRoles, Ty::StringSet),
    ("last_step_up_at", Builtin::LastStepUpAt, Ty::Timestamp),
    (
        "last_verification_at",
        Builtin::LastVerificationAt,
        Ty::Timestamp,
    ),
    ("current_ial", Builtin::CurrentIal, Ty::Integer),
];

impl Builtin {
    /// The dotted name, e.g. `risk.score`.
    pub(super) fn path(self) -> &'static str {
        BUILTINS.get(self as usize).map_or("", |row| row.0)
    }

    /// The signal and its type for a dotted name.
    pub(super) fn by_path(name: &str) -> Option<(Self, Ty)> {
        BUILTINS
            .iter()
            .find(|row| row.0 == name)
            .map(|&(_, b, t)| (b, t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_follow_the_enum() {
        for (i, &(path, b, _)) in BUILTINS.iter().enumerate() {
            assert_eq!(b as usize, i, "{path}");
            assert_eq!(b.path(), path);
            assert_eq!(Builtin::by_path(path).map(|x| x.0), Some(b));
        }
        assert_eq!(Builtin::by_path("risk.nope"), None);
    }
}
