//! A rule's `then` (and the policy's `default`): the outcome it asks for.

use serde_json::Value;

use super::compile::Compiler;
use super::model::{DecisionKind, Outcome};
use crate::kosmos::IalLevel;

impl Compiler {
    pub(super) fn outcome(&mut self, value: &Value, path: &str) -> Option<Outcome> {
        let Some(obj) = value.as_object() else {
            self.problem(
                path,
                "an outcome must be an object like {\"decision\": \"allow\"}",
            );
            return None;
        };
        self.known_keys(obj, path, super::compile::OUTCOME_KEYS);
        let kind = match obj.get("decision").and_then(Value::as_str) {
            Some("allow") => DecisionKind::Allow,
            Some("step_up") => DecisionKind::StepUp,
            Some("verify_identity") => DecisionKind::VerifyIdentity,
            Some("deny") => DecisionKind::Deny,
            _ => {
                self.problem(
                    &format!("{path}.decision"),
                    "must be one of `allow`, `step_up`, `verify_identity`, `deny`",
                );
                return None;
            }
        };
        let required_ial = match (kind, obj.get("required_ial")) {
            // A number or any spelling the core reads (`IAL2`, `ial_2`, ...).
            (DecisionKind::VerifyIdentity, Some(v)) => match v
                .as_u64()
                .and_then(IalLevel::from_number)
                .or_else(|| v.as_str().and_then(IalLevel::parse))
            {
                Some(level) => Some(level),
                _ => {
                    self.problem(
                        &format!("{path}.required_ial"),
                        "must be 1, 2 or 3 (or `IAL1`, `IAL2`, `IAL3`)",
                    );
                    None
                }
            },
            (DecisionKind::VerifyIdentity, None) => Some(IalLevel::Ial2),
            (_, Some(_)) => {
                self.problem(
                    &format!("{path}.required_ial"),
                    "only applies to `verify_identity`",
                );
                None
            }
            (_, None) => None,
        };
        let max_age_s = match (kind, obj.get("max_age_s")) {
            (DecisionKind::StepUp | DecisionKind::VerifyIdentity, Some(v)) => match v.as_u64() {
                Some(n) => Some(n),
                None => {
                    self.problem(
                        &format!("{path}.max_age_s"),
                        "must be a whole number of seconds",
                    );
                    None
                }
            },
            (DecisionKind::StepUp, None) => Some(0),
            (_, Some(_)) => {
                self.problem(
                    &format!("{path}.max_age_s"),
                    "only applies to `step_up` and `verify_identity`",
                );
                None
            }
            (_, None) => None,
        };
        Some(Outcome {
            kind,
            required_ial,
            max_age_s,
        })
    }
}
