//! Decision-log records, for JS (feature `decision-log`: in the full module,
//! since the Worker records the contexts it decides at run time; and in the
//! `kosmos-connect/policy-tools` module, whose `diffPolicies` reads them back).

use wasm_bindgen::prelude::*;

/// One decision-log line: the context reduced as `config` says, with its decision.
#[wasm_bindgen(js_name = decisionLogRecord)]
pub fn decision_log_record(
    context: &str,
    decision: &str,
    rule: &str,
    config: &str,
) -> Result<String, JsValue> {
    let config = crate::policy_tools::LogConfig::parse(config)?;
    let context: serde_json::Value = serde_json::from_str(context).map_err(|_| {
        JsValue::from(crate::PolicyError::BadContext {
            field: "$".into(),
            message: "is not valid json".into(),
        })
    })?;
    Ok(crate::policy_tools::log_record(
        &context, decision, rule, &config,
    ))
}
