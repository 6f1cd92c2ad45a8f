//! Tests of the Descope and Salesforce adapters.

use super::*;

#[test]
fn descope_maps_every_documented_field() {
    let flow = json!({
        "riskInfo": {"riskScore": 0.82, "botDetected": false, "impossibleTravel": "true",
                     "vpnDetected": true, "trustedDevice": false},
        "user": {"fingerprint": {"knownDevice": false},
                 "lastAuth": {"country": "fr", "ip": "2001:DB8::1"},
                 "customAttributes": {"plan": "gold"}},
        "geo": {"country": "us"},
        "unrelated": {"x": 1}
    });
    let ctx = context_from_descope(&flow, Some(1_767_225_600)).unwrap();
    assert_eq!(
        ctx,
        json!({
            "now": 1_767_225_600u64,
            "risk": {"score": 0.82, "bot": false, "impossible_travel": true},
            "ip_flags": {"vpn": true},
            "device": {"known": false, "trusted": false},
            "last_login": {"country": "FR", "ip": "2001:DB8::1"},
            "geo": {"country": "US"},
            "custom": {"plan": "gold"}
        })
    );
    assert_eq!(context_from_descope(&json!({}), None).unwrap(), json!({}));
    let strings = json!({"riskInfo": {"riskScore": "0.5", "botDetected": ""}});
    assert_eq!(
        context_from_descope(&strings, None).unwrap(),
        json!({"risk": {"score": 0.5}})
    );
}

#[test]
fn descope_errors_name_the_descope_field() {
    let cases = [
        (json!([]), "$"),
        (json!({"riskInfo": {"riskScore": 70}}), "riskInfo.riskScore"),
        (
            json!({"riskInfo": {"riskScore": "high"}}),
            "riskInfo.riskScore",
        ),
        (
            json!({"riskInfo": {"botDetected": 1}}),
            "riskInfo.botDetected",
        ),
        (
            json!({"riskInfo": {"vpnDetected": "yes"}}),
            "riskInfo.vpnDetected",
        ),
        (
            json!({"user": {"lastAuth": {"ip": "nope"}}}),
            "user.lastAuth.ip",
        ),
        (
            json!({"user": {"lastAuth": {"country": "France"}}}),
            "user.lastAuth.country",
        ),
        (json!({"geo": {"country": 1}}), "geo.country"),
        (
            json!({"user": {"customAttributes": []}}),
            "user.customAttributes",
        ),
    ];
    for (flow, field) in cases {
        match context_from_descope(&flow, None) {
            Err(PolicyError::BadContext { field: f, .. }) => assert_eq!(f, field, "{flow}"),
            other => panic!("{flow}: {other:?}"),
        }
    }
}

#[test]
fn salesforce_converts_amounts_exactly() {
    let cases = [
        (json!(12500.5), "USD", 1_250_050),
        (json!("12500.50"), "usd", 1_250_050),
        (json!(0.3), "EUR", 30),
        (json!(1500), "JPY", 1500),
        (json!("1.234"), "KWD", 1234),
        (json!(100), "USD", 10000),
    ];
    for (amount, cur, minor) in cases {
        let ctx = context_from_salesforce(
            &json!({"actionType": "funds_transfer", "amount": amount, "currency": cur}),
            None,
        )
        .unwrap();
        assert_eq!(
            ctx["action"]["amount_minor"],
            json!(minor),
            "{amount} {cur}"
        );
    }
    let full = context_from_salesforce(
        &json!({"object": "Opportunity", "recordId": "006x", "actionType": "x_discount",
                "user": {"id": "005x", "roles": ["rep"]}, "lastStepUpAt": 5,
                "lastVerificationAt": 6, "currentIal": 2}),
        Some(10),
    )
    .unwrap();
    assert_eq!(
        full,
        json!({"now": 10, "action": {"type": "x_discount", "object": "Opportunity", "record_id": "006x"},
               "user": {"id": "005x", "roles": ["rep"]}, "last_step_up_at": 5,
               "last_verification_at": 6, "current_ial": 2})
    );
    let by_id = context_from_salesforce(&json!({"user": "005y"}), None).unwrap();
    assert_eq!(by_id, json!({"user": {"id": "005y"}}));
}

#[test]
fn salesforce_errors_name_the_salesforce_field() {
    let cases = [
        (json!("x"), "$"),
        (json!({"amount": 10}), "currency"),
        (json!({"amount": 10, "currency": "XYZ"}), "currency"),
        (json!({"amount": 10.001, "currency": "USD"}), "amount"),
        (json!({"amount": 1.5, "currency": "JPY"}), "amount"),
        (json!({"amount": -1, "currency": "USD"}), "amount"),
        (json!({"amount": 1e300, "currency": "USD"}), "amount"),
        (json!({"amount": true, "currency": "USD"}), "amount"),
        (json!({"actionType": "wire"}), "actionType"),
        (json!({"recordId": 5}), "recordId"),
        (json!({"user": 5}), "user"),
        (json!({"user": {"roles": "admin"}}), "user.roles"),
        (json!({"lastStepUpAt": -5}), "lastStepUpAt"),
        (json!({"currentIal": 9}), "currentIal"),
    ];
    for (input, field) in cases {
        match context_from_salesforce(&input, None) {
            Err(PolicyError::BadContext { field: f, .. }) => assert_eq!(f, field, "{input}"),
            other => panic!("{input}: {other:?}"),
        }
    }
}
