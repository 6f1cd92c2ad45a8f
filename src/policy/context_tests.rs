//! Tests of the context reader.

use super::context::*;
use super::currency::Currency;
use super::error::PolicyError;
use super::signal::{Builtin, SIGNALS};
use super::vocab::quote;
use serde_json::json;
use std::borrow::Cow;

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
    assert!(matches!(
        c2.get(Builtin::DeviceId),
        V::Str(Cow::Borrowed("fp"))
    ));
    let escaped =
        Context::from_json(r#"{"device": {"id": "f\u0070"}, "user": {"roles": ["a\n"]}}"#).unwrap();
    assert_eq!(escaped.str(Builtin::DeviceId), Some("fp"));
    assert_eq!(
        escaped.get(Builtin::UserRoles),
        &V::Set(vec![Cow::Borrowed("a\n")])
    );
    assert_eq!(c.now(), Some(1_767_225_600));
    assert_eq!(c.get(Builtin::Ip), &V::Ip("2001:db8::1".parse().unwrap()));
    assert_eq!(c.flag(Builtin::IpVpn), Some(true));
    assert_eq!(c.flag(Builtin::IpAnonymous), None);
    assert_eq!(c.num(Builtin::RiskScore), Some(1.0));
    assert_eq!(c.currency().map(Currency::code), Some("JPY"));
    assert_eq!(c.current_ial(), Some(0));
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
    for row in &SIGNALS {
        let found = match row.path.split_once('.') {
            None => field(None, row.path),
            Some((s, key)) => {
                assert_eq!(section(s), Some(s), "{}", row.path);
                field(Some(s), key)
            }
        };
        assert_eq!(found.map(|r| r.builtin), Some(row.builtin), "{}", row.path);
    }
}

#[test]
fn quote_cuts_long_input_on_a_char_boundary() {
    let s = "é".repeat(100);
    let q = quote(&s);
    assert!(q.len() < 80 && q.ends_with("...`"));
}
