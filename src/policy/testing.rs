//! `test` and `coverage`: a test file of named cases (context -> expected
//! decision, rule, reasons), like `opa test`, and which rules and which
//! branches of each condition the cases reached.
//!
//! A test file is `{"policy"?: "<file>", "cases": [{"name", "context",
//! "expect": {"decision"?, "rule"?, "reasons"?, "matched_rules"?,
//! "required_ial"?, "step_up"?, "error"?}}]}`. Only the fields `expect`
//! names are compared; `error` expects the context to be refused with that
//! code. `policy` is for the host (the CLI reads that file); the core
//! ignores it.

use serde::Serialize;
use serde_json::{Map, Value};

use super::compile::Policy;
use super::cond::{Cond, Env};
use super::context::Context;
use super::error::PolicyError;
use super::predicates::PREDICATES;
use super::validate::{validate, Finding};
use crate::error::ErrorInfo;

/// Most cases in one test file.
pub const MAX_CASES: usize = 10_000;

const EXPECTABLE: &[&str] = &[
    "decision",
    "rule",
    "reasons",
    "matched_rules",
    "required_ial",
    "step_up",
    "error",
];

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mismatch {
    /// `decision`, `rule`, `reasons`, ...
    pub field: String,
    /// What the case expects.
    pub expected: Value,
    /// What the policy answered (`null` when absent).
    pub actual: Value,
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Whether every expected field matched.
    pub ok: bool,
    /// The fields that differ, empty when `ok`.
    pub failures: Vec<Mismatch>,
    /// The decision (or `{"error": code, "message": ...}` when the context was refused).
    pub actual: Value,
}

/// The answer of [`run_tests`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestReport {
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Every case, in file order.
    pub cases: Vec<CaseResult>,
}

/// A case as read from the file.
struct Case<'v> {
    name: String,
    context: &'v Value,
    expect: &'v Map<String, Value>,
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> PolicyError {
    PolicyError::BadInput {
        field: field.into(),
        message: message.into(),
    }
}

fn cases(tests: &Value) -> Result<Vec<Case<'_>>, PolicyError> {
    let list = tests
        .get("cases")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("cases", "a test file needs `cases`, an array of cases"))?;
    if list.len() > MAX_CASES {
        return Err(bad("cases", format!("more than {MAX_CASES} cases")));
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, c) in list.iter().enumerate() {
        let at = |k: &str| format!("cases[{i}].{k}");
        let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
        if name.is_empty() {
            return Err(bad(at("name"), "every case needs a name"));
        }
        let context = c
            .get("context")
            .ok_or_else(|| bad(at("context"), "is required"))?;
        let expect = c
            .get("expect")
            .and_then(Value::as_object)
            .ok_or_else(|| bad(at("expect"), "must be an object of expected fields"))?;
        if let Some(k) = expect.keys().find(|k| !EXPECTABLE.contains(&k.as_str())) {
            return Err(bad(
                at("expect"),
                format!(
                    "unknown field `{k}` (expected any of {})",
                    EXPECTABLE.join(", ")
                ),
            ));
        }
        out.push(Case {
            name: name.to_owned(),
            context,
            expect,
        });
    }
    Ok(out)
}

fn parse(text: &str, what: &str) -> Result<Value, PolicyError> {
    serde_json::from_str(text).map_err(|e| bad("$", format!("{what} is not valid json: {e}")))
}

fn actual(policy: &Policy, context: &Value) -> Value {
    // As text, through the reader the hosts use (one context reader in the module).
    match policy.decide_json(&context.to_string()) {
        // Through the text the hosts see (and one serializer in the module).
        Ok(d) => serde_json::to_string(&d)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null),
        Err(e) => serde_json::json!({ "error": e.code(), "message": e.to_string() }),
    }
}

/// Runs a test file against a policy (both JSON text).
///
/// # Errors
/// `invalid_policy` when the policy does not compile, `invalid_input` when
/// the test file is malformed. A failing case is not an error.
pub fn run_tests(policy: &str, tests: &str) -> Result<TestReport, PolicyError> {
    let policy = Policy::compile(policy)?;
    let tests = parse(tests, "the test file")?;
    let mut report = TestReport {
        passed: 0,
        failed: 0,
        cases: Vec::new(),
    };
    for case in cases(&tests)? {
        let got = actual(&policy, case.context);
        let failures: Vec<Mismatch> = case
            .expect
            .iter()
            .filter_map(|(k, want)| {
                let have = got.get(k).cloned().unwrap_or(Value::Null);
                (have != *want).then(|| Mismatch {
                    field: k.clone(),
                    expected: want.clone(),
                    actual: have,
                })
            })
            .collect();
        let ok = failures.is_empty();
        if ok {
            report.passed += 1;
        } else {
            report.failed += 1;
        }
        report.cases.push(CaseResult {
            name: case.name,
            ok,
            failures,
            actual: got,
        });
    }
    Ok(report)
}

/// How often one condition node evaluated each way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Branch {
    /// Its JSON path, like `rules[1].when.all[0]`.
    pub path: String,
    /// Times it held.
    #[serde(rename = "true")]
    pub yes: usize,
    /// Times it did not.
    #[serde(rename = "false")]
    pub no: usize,
    /// Times a leaf's data was absent (its `on_missing` answered); 0 for `all`/`any`/`not`.
    pub missing: usize,
}

/// One rule's coverage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCoverage {
    /// Its id.
    pub id: String,
    /// Cases where its condition held.
    pub matched: usize,
    /// Cases it decided.
    pub decided: usize,
    /// Every node of its condition, in source order.
    pub branches: Vec<Branch>,
}

/// The answer of [`coverage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Cases run (a refused context reaches no rule).
    pub cases: usize,
    /// Each rule, in policy order.
    pub rules: Vec<RuleCoverage>,
    /// Branch outcomes (true and false of every node) in all.
    pub branches_total: usize,
    /// Branch outcomes some case reached.
    pub branches_covered: usize,
    /// Ids of the rules no case matched.
    pub rules_never_matched: Vec<String>,
    /// Static analysis: rules that can never decide.
    pub warnings: Vec<Finding>,
}

/// Registers every node of `c` at `path`, with zero counts.
fn nodes(c: &Cond, path: &str, out: &mut Vec<Branch>) {
    out.push(Branch {
        path: path.to_owned(),
        yes: 0,
        no: 0,
        missing: 0,
    });
    let (key, list): (&str, &[Cond]) = match c {
        Cond::All(l) => ("all", l),
        Cond::Any(l) => ("any", l),
        Cond::Not(inner) => return nodes(inner, &format!("{path}.not"), out),
        Cond::Leaf { .. } | Cond::Const(_) => return,
    };
    for (i, item) in list.iter().enumerate() {
        nodes(item, &format!("{path}.{key}[{i}]"), out);
    }
}

/// Evaluates `c` as [`Env::eval`] does (short-circuits included), counting
/// each node's outcome in `counts`, whose order is that of [`nodes`].
/// Returns the value and how many nodes the subtree has.
fn trace(env: &Env<'_>, c: &Cond, counts: &mut [Branch], at: usize) -> (bool, usize) {
    let (value, size) = match c {
        Cond::Const(b) => (*b, 1),
        Cond::Leaf { test, on_missing } => {
            let answer = env.test(test);
            if answer.is_none() {
                if let Some(b) = counts.get_mut(at) {
                    b.missing += 1;
                }
            }
            (answer.unwrap_or(*on_missing), 1)
        }
        Cond::Not(inner) => {
            let (v, n) = trace(env, inner, counts, at + 1);
            (!v, n + 1)
        }
        Cond::All(list) | Cond::Any(list) => {
            let every = matches!(c, Cond::All(_));
            let mut size = 1;
            let mut value = every;
            let mut decided = false;
            for item in list.iter() {
                if decided {
                    size += subtree(item);
                    continue;
                }
                let (v, n) = trace(env, item, counts, at + size);
                size += n;
                if v != every {
                    value = v;
                    decided = true;
                }
            }
            (value, size)
        }
    };
    if let Some(b) = counts.get_mut(at) {
        if value {
            b.yes += 1;
        } else {
            b.no += 1;
        }
    }
    (value, size)
}

fn subtree(c: &Cond) -> usize {
    match c {
        Cond::All(l) | Cond::Any(l) => 1 + l.iter().map(subtree).sum::<usize>(),
        Cond::Not(inner) => 1 + subtree(inner),
        Cond::Leaf { .. } | Cond::Const(_) => 1,
    }
}

/// Runs a test file and reports which rules and branches its cases reached,
/// with the static warnings of the policy.
///
/// # Errors
/// As [`run_tests`].
pub fn coverage(policy_text: &str, tests: &str) -> Result<Coverage, PolicyError> {
    let policy = Policy::compile(policy_text)?;
    let value = parse(policy_text, "the policy")?;
    let plain = Policy::build(&value, &PREDICATES, false)?;
    let tests = parse(tests, "the test file")?;
    let list = cases(&tests)?;
    let mut rules: Vec<RuleCoverage> = plain
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut branches = Vec::new();
            nodes(&r.when, &format!("rules[{i}].when"), &mut branches);
            RuleCoverage {
                id: r.id.clone(),
                matched: 0,
                decided: 0,
                branches,
            }
        })
        .collect();
    for case in &list {
        let text = case.context.to_string();
        let Ok(ctx) = Context::from_json(&text) else {
            continue;
        };
        let Ok((custom, now)) = plain.prepare(&ctx) else {
            continue;
        };
        let env = Env {
            ctx: &ctx,
            custom: &custom,
            now,
        };
        for (rule, cov) in plain.rules.iter().zip(rules.iter_mut()) {
            if trace(&env, &rule.when, &mut cov.branches, 0).0 {
                cov.matched += 1;
            }
        }
        if let Ok(d) = policy.decide_context(&ctx) {
            if let Some(cov) = rules.iter_mut().find(|r| r.id == d.rule) {
                cov.decided += 1;
            }
        }
    }
    let all = rules.iter().flat_map(|r| r.branches.iter());
    let branches_total = all.clone().count() * 2;
    let branches_covered = all
        .map(|b| usize::from(b.yes > 0) + usize::from(b.no > 0))
        .sum();
    Ok(Coverage {
        cases: list.len(),
        rules_never_matched: rules
            .iter()
            .filter(|r| r.matched == 0)
            .map(|r| r.id.clone())
            .collect(),
        rules,
        branches_total,
        branches_covered,
        warnings: validate(policy_text).warnings,
    })
}
