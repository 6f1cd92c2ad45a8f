//! The policy author's tools, for JS (feature `policy-tools`: the module of
//! the `kosmos-connect/policy-tools` entry only; the Worker and apps do not
//! load them). JSON text in, JSON text out: the core's answers, the same
//! in the CLI, the playground and CI.

use wasm_bindgen::prelude::*;

use super::convert::usage;

fn json_out<T: serde::Serialize>(value: &T) -> Result<String, JsValue> {
    serde_json::to_string(value)
        .map_err(|e| usage(&format!("result could not be serialized: {e}"), None))
}

/// Every problem of a policy with path, line, column and hint, and the static warnings.
#[wasm_bindgen(js_name = validatePolicy)]
pub fn validate_policy(source: &str) -> Result<String, JsValue> {
    json_out(&crate::policy_tools::validate(source))
}

/// The policy in canonical form.
#[wasm_bindgen(js_name = formatPolicy)]
pub fn format_policy(source: &str) -> Result<String, JsValue> {
    Ok(crate::policy_tools::format(source)?)
}

/// Runs a test file (JSON text) against a policy.
#[wasm_bindgen(js_name = testPolicy)]
pub fn test_policy(policy: &str, tests: &str) -> Result<String, JsValue> {
    json_out(&crate::policy_tools::run_tests(policy, tests)?)
}

/// Which rules and branches a test file reaches, with static warnings.
#[wasm_bindgen(js_name = policyCoverage)]
pub fn policy_coverage(policy: &str, tests: &str) -> Result<String, JsValue> {
    json_out(&crate::policy_tools::coverage(policy, tests)?)
}

/// The old and the new policy over JSON Lines of contexts: what moves.
#[wasm_bindgen(js_name = diffPolicies)]
pub fn diff_policies(old: &str, new: &str, jsonl: &str) -> Result<String, JsValue> {
    json_out(&crate::policy_tools::diff(old, new, jsonl)?)
}
