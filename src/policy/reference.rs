//! The generated reference: the JSON Schema's predicate and signal parts and
//! the reference tables of `docs/policy.md`, made from [`PREDICATES`] and
//! [`SIGNALS`]. The test fails when the checked-in files drift; run it with
//! `KOSMOS_WRITE_REFERENCE=1` to rewrite them.

use serde_json::{json, Map, Value};

use super::predicates::{Form, Missing, Predicate, PREDICATES};
use super::signal::{Signal, Ty, SIGNALS};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn modifier_schema(key: &str) -> Value {
    match key {
        "on_missing" => json!({"$ref": "#/$defs/on_missing"}),
        "op" => {
            json!({"enum": ["eq", "ne", "gt", "gte", "lt", "lte", "in", "not_in", "contains", "contains_any", "contains_all", "present", "absent"]})
        }
        "value" => Value::Bool(true),
        _ => json!({"$ref": "#/$defs/switch"}),
    }
}

/// One `oneOf` branch of `$defs.condition`.
fn branch(p: &Predicate) -> Value {
    let mut props = Map::new();
    props.insert(p.name.into(), serde_json::from_str(p.doc.schema).unwrap());
    let mut required = vec![Value::from(p.name)];
    for (key, req) in p.modifiers {
        props.insert((*key).into(), modifier_schema(key));
        if *req {
            required.push(Value::from(*key));
        }
    }
    json!({
        "type": "object",
        "required": required,
        "additionalProperties": false,
        "description": p.doc.summary,
        "properties": props,
    })
}

/// The schema with its table-driven parts made from `table`.
pub(super) fn schema(table: &[Predicate], checked_in: &str) -> String {
    let mut s: Value = serde_json::from_str(checked_in).unwrap();
    let defs = &mut s["$defs"];
    defs["condition"] = json!({"oneOf": table.iter().map(branch).collect::<Vec<_>>()});
    defs["signal_name"]["anyOf"][0]["enum"] = SIGNALS.iter().map(|r| Value::from(r.path)).collect();
    serde_json::to_string_pretty(&s).unwrap() + "\n"
}

fn missing_text(p: &Predicate, row_absent: &str) -> String {
    if !row_absent.is_empty() {
        return row_absent.to_owned();
    }
    match p.form {
        Form::Leaf(Missing::Default(true), _) => "match".into(),
        Form::Leaf(Missing::Required(_), _) => "**required**".into(),
        _ => "no match".into(),
    }
}

fn type_name(r: &Signal) -> &'static str {
    match r.ty {
        Ty::Number => "number",
        Ty::Integer => "integer",
        Ty::Timestamp => "integer (unix seconds)",
        Ty::String => "string",
        Ty::Boolean => "boolean",
        Ty::StringSet => "string[]",
        Ty::Ip => "string (ip)",
    }
}

/// The generated tables of `docs/policy.md`.
fn tables(table: &[Predicate]) -> (String, String) {
    let mut preds = String::from(
        "| predicate | holds when | absent data (default `on_missing`) |\n|---|---|---|\n",
    );
    for p in table.iter().filter(|p| matches!(p.form, Form::Leaf(..))) {
        for (ex, holds, absent) in p.doc.rows {
            preds += &format!("| {ex} | {holds} | {} |\n", missing_text(p, absent));
        }
    }
    let mut ctx = String::from("| field | type | notes |\n|---|---|---|\n");
    for r in &SIGNALS {
        let range = match r.check {
            super::signal::Check::Range(lo, hi) => format!("{lo} to {hi}; "),
            super::signal::Check::Ial => "0 (none) to 3; ".into(),
            _ => String::new(),
        };
        ctx += &format!("| `{}` | {} | {range}{} |\n", r.path, type_name(r), r.doc);
    }
    (preds, ctx)
}

fn splice(doc: &str, name: &str, body: &str) -> String {
    let begin = format!("<!-- BEGIN GENERATED {name}: src/policy/reference.rs -->\n");
    let end = format!("<!-- END GENERATED {name} -->");
    let a = doc.find(&begin).expect("begin marker") + begin.len();
    let b = doc.find(&end).expect("end marker");
    format!("{}{body}{}", doc.get(..a).unwrap(), doc.get(b..).unwrap())
}

pub(super) fn docs(table: &[Predicate], checked_in: &str) -> String {
    let (preds, ctx) = tables(table);
    splice(&splice(checked_in, "predicates", &preds), "context", &ctx)
}

fn check(rel: &str, make: impl Fn(&str) -> String) {
    let path = format!("{ROOT}/{rel}");
    let now = std::fs::read_to_string(&path).unwrap();
    let want = make(&now);
    if std::env::var_os("KOSMOS_WRITE_REFERENCE").is_some() {
        std::fs::write(&path, &want).unwrap();
    } else {
        assert!(
            now == want,
            "{rel} drifted from the tables; run `KOSMOS_WRITE_REFERENCE=1 cargo test --lib policy::reference`"
        );
    }
}

#[test]
fn checked_in_reference_matches_the_tables() {
    check("schema/policy.schema.json", |s| schema(&PREDICATES, s));
    check("docs/policy.md", |s| docs(&PREDICATES, s));
}

#[test]
fn deleting_a_predicate_row_removes_it_from_compiler_schema_and_docs() {
    let table: &'static [Predicate] = Box::leak(
        PREDICATES
            .into_iter()
            .filter(|p| p.name != "bot_detected")
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    let policy = json!({"version": 1, "rules": [
        {"id": "bot", "when": {"bot_detected": true}, "then": {"decision": "deny"}}
    ], "default": {"decision": "allow"}});
    assert!(super::Policy::build(&policy, &PREDICATES, true).is_ok());
    let err = super::Policy::build(&policy, table, true)
        .unwrap_err()
        .to_string();
    assert!(err.contains("a condition needs one of"), "{err}");
    let schema_text = std::fs::read_to_string(format!("{ROOT}/schema/policy.schema.json")).unwrap();
    assert!(schema(&PREDICATES, &schema_text).contains("\"bot_detected\""));
    assert!(!schema(table, &schema_text).contains("\"bot_detected\""));
    let doc = std::fs::read_to_string(format!("{ROOT}/docs/policy.md")).unwrap();
    let (with, _) = tables(&PREDICATES);
    let (without, _) = tables(table);
    assert!(with.contains("bot_detected") && !without.contains("bot_detected"));
    assert!(docs(&PREDICATES, &doc).contains("{\"bot_detected\": true}"));
    assert!(!docs(table, &doc).contains("{\"bot_detected\": true}`"));
}
