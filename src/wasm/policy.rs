//! Risk branching, for JS.
//!
//! `compilePolicy(json)` returns a `CompiledPolicy` held in wasm memory
//! (call `free()` when done with it, or let the finalizer do it). Deciding is
//! the hot path: `decideJson(contextJson)` takes and returns JSON text.
//! Crossing the boundary as one string measured faster than walking an object
//! property by property, `JSON.stringify` / `JSON.parse` are native, and the core reads the text straight into its typed context
//! without building a JSON tree. (An object-taking `decide` was dropped: it
//! was slower and kept a second context reader in the module.)
//!
//! The adapters return a context object that `decide` accepts.

use wasm_bindgen::prelude::*;

use super::convert::{from_js, to_js, unix_seconds, usage, JsResult};
use crate::{context_from_descope, context_from_salesforce, Policy};

/// A compiled policy, held in wasm memory.
#[wasm_bindgen(js_name = CompiledPolicy)]
pub struct CompiledPolicy(Policy);

#[wasm_bindgen(js_class = CompiledPolicy)]
impl CompiledPolicy {
    /// Decides for one context given as JSON text; returns the decision as JSON text.
    #[wasm_bindgen(js_name = decideJson)]
    pub fn decide_json(&self, context_json: &str) -> Result<String, JsValue> {
        let decision = self.0.decide_json(context_json)?;
        serde_json::to_string(&decision)
            .map_err(|e| usage(&format!("decision could not be serialized: {e}"), None))
    }

    /// The ids of the policy's rules, in order.
    #[wasm_bindgen(js_name = ruleIds)]
    pub fn rule_ids(&self) -> Vec<String> {
        self.0.rule_ids().map(str::to_owned).collect()
    }
}

/// Compiles a policy from its JSON text; throws `invalid_policy` listing every problem.
#[wasm_bindgen(js_name = compilePolicy)]
pub fn compile_policy_js(json: &str) -> Result<CompiledPolicy, JsValue> {
    Policy::compile(json)
        .map(CompiledPolicy)
        .map_err(JsValue::from)
}

fn optional_now(now: Option<f64>) -> Result<Option<u64>, JsValue> {
    now.map(unix_seconds).transpose()
}

/// A decision context from a Descope flow context (`riskInfo.*`, `user.*`, `geo.*`).
#[wasm_bindgen(js_name = descopeContextToSignals)]
pub fn descope_context_to_signals(flow_context: JsValue, now: Option<f64>) -> JsResult {
    let flow: serde_json::Value = from_js(flow_context, "flowContext")?;
    to_js(&context_from_descope(&flow, optional_now(now)?)?)
}

/// A decision context from a Salesforce action context (object, recordId, actionType, amount, currency, user).
#[wasm_bindgen(js_name = salesforceContextToSignals)]
pub fn salesforce_context_to_signals(action_context: JsValue, now: Option<f64>) -> JsResult {
    let action: serde_json::Value = from_js(action_context, "actionContext")?;
    to_js(&context_from_salesforce(&action, optional_now(now)?)?)
}
