//! `format`: one canonical text per policy, so a review shows only real
//! changes. Two-space indentation, one key per line, keys in the order the
//! reference documents them (a policy's, a rule's, an outcome's; a
//! condition's predicate first, then its modifiers in the table's order),
//! any other key after them in its original order, and a final newline.
//! The meaning never changes: only whitespace and key order do.

use serde_json::{Map, Value};

use super::compile::{OUTCOME_KEYS as OUTCOME, POLICY_KEYS as POLICY, RULE_KEYS as RULE};
use super::error::{PolicyError, Problem};
use super::predicates::PREDICATES;

/// Formats a policy's JSON text (it need not compile, only parse).
///
/// # Errors
/// `invalid_policy` at `$` when the text is not JSON.
pub fn format(source: &str) -> Result<String, PolicyError> {
    let value: Value = serde_json::from_str(source).map_err(|e| {
        PolicyError::Invalid(vec![Problem {
            path: "$".into(),
            message: format!("not valid json: {e}"),
        }])
    })?;
    let mut text = serde_json::to_string_pretty(&policy(value)).map_err(|e| {
        PolicyError::Invalid(vec![Problem {
            path: "$".into(),
            message: format!("could not be written: {e}"),
        }])
    })?;
    text.push('\n');
    Ok(text)
}

/// `obj` with the keys of `order` first, in that order.
fn ordered(
    mut obj: Map<String, Value>,
    order: &[&str],
    mut each: impl FnMut(&str, Value) -> Value,
) -> Value {
    let mut out = Map::with_capacity(obj.len());
    for k in order {
        if let Some(v) = obj.shift_remove(*k) {
            out.insert((*k).to_owned(), each(k, v));
        }
    }
    for (k, v) in obj {
        out.insert(k, v);
    }
    Value::Object(out)
}

fn policy(v: Value) -> Value {
    let Value::Object(obj) = v else { return v };
    ordered(obj, POLICY, |k, v| match (k, v) {
        ("rules", Value::Array(list)) => Value::Array(list.into_iter().map(rule).collect()),
        ("default", v) => outcome(v),
        (_, v) => v,
    })
}

fn rule(v: Value) -> Value {
    let Value::Object(obj) = v else { return v };
    ordered(obj, RULE, |k, v| match k {
        "when" => cond(v, 0),
        "then" => outcome(v),
        _ => v,
    })
}

fn outcome(v: Value) -> Value {
    match v {
        Value::Object(obj) => ordered(obj, OUTCOME, |_, v| v),
        other => other,
    }
}

fn cond(v: Value, depth: usize) -> Value {
    let Value::Object(obj) = v else { return v };
    let Some(row) = PREDICATES.iter().find(|p| obj.contains_key(p.name)) else {
        return Value::Object(obj);
    };
    let mut order = vec![row.name];
    order.extend(row.modifiers.iter().map(|m| m.0));
    let nested = matches!(row.name, "all" | "any" | "not") && depth < 64;
    ordered(obj, &order, |k, v| match v {
        Value::Array(list) if nested && k != "not" => {
            Value::Array(list.into_iter().map(|c| cond(c, depth + 1)).collect())
        }
        v if nested && k == "not" => cond(v, depth + 1),
        v => v,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_keys_and_keeps_meaning() {
        let text = r#"{"default":{"decision":"allow"},"rules":[{"then":{"max_age_s":60,"decision":"step_up"},"when":{"any":[{"on_missing":"match","device":"new"},{"not":{"value":0.5,"op":"gt","signal":"risk.score"}}]},"id":"a","x_note":1}],"version":1}"#;
        let out = format(text).unwrap_or_default();
        let want = "{\n  \"version\": 1,\n  \"rules\": [\n    {\n      \"id\": \"a\",\n      \"when\": {\n        \"any\": [\n          {\n            \"device\": \"new\",\n            \"on_missing\": \"match\"\n          },\n          {\n            \"not\": {\n              \"signal\": \"risk.score\",\n              \"op\": \"gt\",\n              \"value\": 0.5\n            }\n          }\n        ]\n      },\n      \"then\": {\n        \"decision\": \"step_up\",\n        \"max_age_s\": 60\n      },\n      \"x_note\": 1\n    }\n  ],\n  \"default\": {\n    \"decision\": \"allow\"\n  }\n}\n";
        assert_eq!(out, want);
        assert_eq!(format(&out).unwrap_or_default(), out, "idempotent");
        let a: Value = serde_json::from_str(text).unwrap_or_default();
        let b: Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(a, b, "same value");
    }
}
