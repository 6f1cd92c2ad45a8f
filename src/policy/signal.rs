//! The built-in signals: what a policy may read and a context carries, in
//! one table. Each row gives the dotted path, the type, the check a context
//! value must pass and the reference text; the context reader, the compiler's
//! signal lookup, the JSON Schema and the context table of `docs/policy.md`
//! all come from [`SIGNALS`].

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

/// What a present value must satisfy beyond its type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Check {
    /// Nothing more.
    Plain,
    /// An ISO 3166-1 alpha-2 code in upper case.
    Country,
    /// A known action type or a deployment's own `x_...`.
    ActionType,
    /// A supported ISO 4217 code.
    Currency,
    /// A number within `lo..=hi`.
    Range(f64, f64),
    /// A whole number of minor units, at least 0; needs `action.currency`.
    Amount,
    /// An IAL: 0 (none) to 3.
    Ial,
}

/// One built-in signal.
#[derive(Debug)]
pub(super) struct Signal {
    /// The dotted name, e.g. `risk.score`: a section and a key, or a
    /// top-level key.
    pub(super) path: &'static str,
    pub(super) builtin: Builtin,
    pub(super) ty: Ty,
    pub(super) check: Check,
    /// Reference text (empty outside tests, so the module does not carry it).
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "read by the reference generator, in tests")
    )]
    pub(super) doc: &'static str,
}

impl Signal {
    /// The section (`device` for `device.known`), `None` at the top level.
    pub(super) fn section(&self) -> Option<&'static str> {
        self.path.split_once('.').map(|(s, _)| s)
    }
}

/// A built-in signal. The discriminant is the row of [`SIGNALS`].
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

/// How many built-in signals there are.
pub(super) const N_SIGNALS: usize = 31;

macro_rules! signals {
    ($($path:literal $b:ident $ty:ident $check:expr, $doc:literal;)*) => {
        /// Every built-in signal, in the order of [`Builtin`].
        pub(super) const SIGNALS: [Signal; N_SIGNALS] = [$(Signal {
            path: $path,
            builtin: Builtin::$b,
            ty: Ty::$ty,
            check: $check,
            doc: doc!($doc),
        }),*];
    };
}

use Check::{ActionType, Amount, Country, Currency, Ial, Plain, Range};

signals! {
    "now" Now Timestamp Plain, "unix seconds. The core never reads a clock. Required when the context has a timestamp below and the policy compares times";
    "device.known" DeviceKnown Boolean Plain, "the device was seen before";
    "device.trusted" DeviceTrusted Boolean Plain, "the device is trusted (remembered by the user)";
    "device.id" DeviceId String Plain, "a device fingerprint";
    "ip" Ip Ip Plain, "IPv4 or IPv6; `::ffff:a.b.c.d` matches IPv4 blocks";
    "ip_flags.anonymous" IpAnonymous Boolean Plain, "from your IP intelligence";
    "ip_flags.vpn" IpVpn Boolean Plain, "from your IP intelligence";
    "ip_flags.tor" IpTor Boolean Plain, "from your IP intelligence";
    "ip_flags.proxy" IpProxy Boolean Plain, "from your IP intelligence";
    "ip_flags.hosting" IpHosting Boolean Plain, "from your IP intelligence";
    "geo.country" GeoCountry String Country, "ISO 3166-1 alpha-2, upper case (`US`)";
    "geo.lat" GeoLat Number Range(-90.0, 90.0), "degrees";
    "geo.lon" GeoLon Number Range(-180.0, 180.0), "degrees";
    "last_login.country" LastCountry String Country, "as `geo.country`, for the last successful login";
    "last_login.ip" LastIp Ip Plain, "as `ip`, for the last successful login";
    "last_login.lat" LastLat Number Range(-90.0, 90.0), "degrees, for the last successful login";
    "last_login.lon" LastLon Number Range(-180.0, 180.0), "degrees, for the last successful login";
    "last_login.at" LastAt Timestamp Plain, "unix seconds of the last successful login";
    "risk.score" RiskScore Number Range(0.0, 1.0), "Descope's scale";
    "risk.bot" RiskBot Boolean Plain, "an upstream detector's verdict";
    "risk.impossible_travel" RiskImpossibleTravel Boolean Plain, "an upstream detector's verdict";
    "action.type" ActionType String ActionType, "one of the [action types](#action-types), or your own starting `x_`";
    "action.amount_minor" ActionAmountMinor Integer Amount, "**minor units** (cents for USD, yen for JPY); needs `action.currency`";
    "action.currency" ActionCurrency String Currency, "a supported [ISO 4217 code](#currencies)";
    "action.object" ActionObject String Plain, "e.g. a Salesforce object";
    "action.record_id" ActionRecordId String Plain, "e.g. a Salesforce record id";
    "user.id" UserId String Plain, "";
    "user.roles" UserRoles StringSet Plain, "";
    "last_step_up_at" LastStepUpAt Timestamp Plain, "unix seconds of the last successful LiveID step-up";
    "last_verification_at" LastVerificationAt Timestamp Plain, "unix seconds of the last successful identity proofing";
    "current_ial" CurrentIal Integer Ial, "the identity assurance level held now";
}

impl Builtin {
    /// Its row.
    pub(super) fn row(self) -> &'static Signal {
        // INVARIANT: rows follow the enum (tested), so the index is in range.
        SIGNALS.get(self as usize).unwrap_or(&SIGNALS[0])
    }

    /// The dotted name, e.g. `risk.score`.
    pub(super) fn path(self) -> &'static str {
        self.row().path
    }

    /// The signal and its type for a dotted name.
    pub(super) fn by_path(name: &str) -> Option<(Self, Ty)> {
        SIGNALS
            .iter()
            .find(|row| row.path == name)
            .map(|row| (row.builtin, row.ty))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_rows_follow_the_enum() {
        for (i, row) in SIGNALS.iter().enumerate() {
            assert_eq!(row.builtin as usize, i, "{}", row.path);
            assert_eq!(row.builtin.path(), row.path);
            assert_eq!(Builtin::by_path(row.path).map(|x| x.0), Some(row.builtin));
            assert!(row.path.matches('.').count() <= 1, "{}", row.path);
        }
        assert_eq!(Builtin::by_path("risk.nope"), None);
    }
}
