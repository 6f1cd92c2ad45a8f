//! The JSON-in / JSON-out forms of the host contracts (verdicts, IAL
//! reading), cedar-style: each takes and returns text, is tested natively
//! here, and `src/wasm/` wraps each in one line.

use crate::kosmos::IalLevel;
use crate::verdict::{read_ial, ResultInput, VerdictError};

/// The verdict on an IDV result (`{ status, ial_level }` as JSON text, other
/// members ignored) at `required_ial` (any form [`parse_ial`] reads), as JSON
/// text `{ final, outcome, reason, required_ial }`.
pub fn idv_verdict_json(result_json: &str, required_ial: &str) -> Result<String, VerdictError> {
    let required = read_ial(required_ial, "required_ial")?;
    Ok(ResultInput::from_json(result_json)?
        .idv_verdict(required)?
        .to_json())
}

/// The verdict on a step-up result (`{ status, match_result, confidence }` as
/// JSON text) with an optional minimum confidence in `[0, 1]`, as JSON text
/// `{ final, outcome, reason }`.
pub fn step_up_verdict_json(
    result_json: &str,
    min_confidence: Option<f64>,
) -> Result<String, VerdictError> {
    Ok(ResultInput::from_json(result_json)?
        .step_up_verdict(min_confidence)?
        .to_json())
}

/// Reads an identity assurance level (`IAL2`, `ial2`, `ial_2`, `2`,
/// `nist_800_63A_ial_2`, ...) into its one spelling `IAL1` | `IAL2` | `IAL3`;
/// anything else is `invalid_argument` naming `field`.
pub fn parse_ial(text: &str) -> Result<&'static str, VerdictError> {
    read_ial(text, "ial").map(IalLevel::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorInfo;

    #[test]
    fn verdicts_as_text() {
        assert_eq!(
            idv_verdict_json(r#"{"status":"completed","ial_level":"IAL1"}"#, "ial2").unwrap(),
            r#"{"final":true,"outcome":"rejected","reason":"ial_below_required","required_ial":"IAL2"}"#
        );
        assert_eq!(
            idv_verdict_json(
                r#"{"status":"completed","ial_level":"IAL2","verified_claims":null}"#,
                "2"
            )
            .unwrap(),
            r#"{"final":true,"outcome":"approved","reason":"completed","required_ial":"IAL2"}"#
        );
        assert_eq!(
            step_up_verdict_json(
                r#"{"status":"completed","match_result":"match","confidence":0.8}"#,
                Some(0.9)
            )
            .unwrap(),
            r#"{"final":true,"outcome":"rejected","reason":"confidence_below_required"}"#
        );
        let e = idv_verdict_json("{", "IAL2").unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_argument", Some("result")));
        let e = idv_verdict_json("{}", "IAL2").unwrap_err();
        assert_eq!(e.field(), Some("status"));
        let e = idv_verdict_json(r#"{"status":"completed"}"#, "IAL7").unwrap_err();
        assert_eq!(e.field(), Some("required_ial"));
    }

    #[test]
    fn ial_spellings() {
        for s in ["IAL2", "ial2", "2", "nist_800_63A_ial_2", "ial-2"] {
            assert_eq!(parse_ial(s).unwrap(), "IAL2");
        }
        // gate.js's old digit stripping read this as 800632.
        assert_eq!(parse_ial("nist_800_63A_ial_3").unwrap(), "IAL3");
        assert!(parse_ial("800632").is_err());
    }
}
