//! Risk branching, for JS.

use wasm_bindgen::prelude::*;

use super::convert::{error_to_js, from_js, to_js, JsResult};
use crate::Policy;

/// A compiled policy, held in wasm memory.
#[wasm_bindgen(js_name = CompiledPolicy)]
pub struct CompiledPolicy(Policy);

#[wasm_bindgen(js_class = CompiledPolicy)]
impl CompiledPolicy {
    /// Decides for one context object.
    pub fn decide(&self, context: JsValue) -> JsResult {
        let context: serde_json::Value = from_js(context, "context")?;
        to_js(&self.0.decide(&context)?)
    }
}

/// Compiles a policy from its JSON text.
#[wasm_bindgen(js_name = compilePolicy)]
pub fn compile_policy_js(json: &str) -> Result<CompiledPolicy, JsValue> {
    Policy::compile(json)
        .map(CompiledPolicy)
        .map_err(|e| error_to_js(&e.into()))
}
