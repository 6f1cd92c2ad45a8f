//! Policy compile and decide times on the shipped financial-services policy
//! (12 rules: deny lists, sanctioned countries, impossible travel, amounts
//! per currency, step-up windows, IAL), through both context paths.

#![allow(clippy::unwrap_used, reason = "benchmark setup")]

// Criterion is a native dev-dependency; on wasm32 this bench is empty.
#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;

    use criterion::{criterion_group, Criterion};
    use kosmos_connect::Policy;
    use serde_json::Value;

    const NOW: u64 = 1_767_225_600;

    fn contexts() -> Vec<String> {
        let base = format!(
            r#""now": {NOW}, "device": {{"known": true, "trusted": false}}, "ip": "203.0.113.5",
            "geo": {{"country": "US", "lat": 40.7128, "lon": -74.006}},
            "last_login": {{"country": "US", "lat": 40.73, "lon": -73.99, "at": {}}},
            "risk": {{"score": 0.42, "bot": false}}, "user": {{"id": "005x", "roles": ["advisor"]}}"#,
            NOW - 3600
        );
        [
            r#""action": {"type": "funds_transfer", "amount_minor": 1250000, "currency": "USD"}, "last_step_up_at": 1767225500, "current_ial": 1"#,
            r#""action": {"type": "funds_transfer", "amount_minor": 50000, "currency": "EUR"}"#,
            r#""action": {"type": "beneficiary_change"}, "ip_flags": {"vpn": true}"#,
            r#""action": {"type": "claim_approval", "amount_minor": 3000000, "currency": "GBP"}, "current_ial": 2"#,
            r#""action": {"type": "login"}"#,
        ]
        .iter()
        .map(|extra| format!("{{{base}, {extra}}}"))
        .collect()
    }

    fn bench(c: &mut Criterion) {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/policies/financial-services.json"
        ))
        .unwrap();
        let policy = Policy::compile(&text).unwrap();
        let texts = contexts();
        let values: Vec<Value> = texts
            .iter()
            .map(|t| serde_json::from_str(t).unwrap())
            .collect();
        for v in &values {
            policy.decide(v).unwrap();
        }
        c.bench_function("compile financial-services (12 rules)", |b| {
            b.iter(|| Policy::compile(black_box(&text)).unwrap());
        });
        c.bench_function("decide(&Value), 5 contexts", |b| {
            b.iter(|| {
                for v in &values {
                    black_box(policy.decide(black_box(v)).unwrap());
                }
            });
        });
        c.bench_function("decide_json(&str), 5 contexts", |b| {
            b.iter(|| {
                for t in &texts {
                    black_box(policy.decide_json(black_box(t)).unwrap());
                }
            });
        });
        c.bench_function("decide_json + serialize, 5 contexts", |b| {
            b.iter(|| {
                for t in &texts {
                    let d = policy.decide_json(black_box(t)).unwrap();
                    black_box(serde_json::to_string(&d).unwrap());
                }
            });
        });
    }

    criterion_group!(benches, bench);
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
