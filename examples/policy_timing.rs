//! Quick timing of decide on the financial-services example (for development).
use std::time::Instant;

fn main() {
    let text = std::fs::read_to_string("examples/policies/financial-services.json").unwrap();
    let p = kosmos_connect::Policy::compile(&text).unwrap();
    let now = 1_767_225_600u64;
    let ctx_text = format!(
        r#"{{"now": {now}, "device": {{"known": true, "trusted": false}}, "ip": "203.0.113.5", "ip_flags": {{"vpn": false}},
  "geo": {{"country": "US", "lat": 40.7, "lon": -74}}, "last_login": {{"country": "US", "lat": 40.7, "lon": -74.1, "at": {}}},
  "risk": {{"score": 0.42, "bot": false}}, "action": {{"type": "funds_transfer", "amount_minor": 1250000, "currency": "USD"}},
  "user": {{"id": "005x", "roles": ["advisor"]}}, "last_step_up_at": {}, "current_ial": 1}}"#,
        now - 3600,
        now - 100
    );
    let ctx: serde_json::Value = serde_json::from_str(&ctx_text).unwrap();
    let n = 200_000;
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(p.decide(std::hint::black_box(&ctx)).unwrap());
    }
    println!("decide(&Value): {:?}", t.elapsed() / n);
    let t = Instant::now();
    for _ in 0..n {
        let v: serde_json::Value = serde_json::from_str(std::hint::black_box(&ctx_text)).unwrap();
        std::hint::black_box(serde_json::to_string(&p.decide(&v).unwrap()).unwrap());
    }
    println!("parse + decide + serialize: {:?}", t.elapsed() / n);
}
