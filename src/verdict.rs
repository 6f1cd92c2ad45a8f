//! Verdicts: whether an IDV or step-up result is final, and whether it meets
//! the requirement of the action waiting on it.
//!
//! The one rule every host applies (the Worker's connector answers, the
//! Salesforce records of a webhook, the Lightning component): hosts ask
//! [`idv_verdict`] / [`step_up_verdict`] (or their JSON forms in
//! [`crate::ffi`]) and never decide it again.
//!
//! ```text
//!   { status, ial_level } + required IAL           --> idv_verdict     --> Verdict
//!   { status, match_result, confidence } + min?    --> step_up_verdict --> Verdict
//! ```

use core::fmt;

use serde::Serialize;

use crate::error::ErrorInfo;
use crate::kosmos::{IalLevel, IdvStatus, MatchResult, StepUpStatus};

/// What a result means for the action waiting on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictOutcome {
    /// Final, and it meets the requirement: the action may go ahead.
    Approved,
    /// Final, and it does not meet the requirement: the action stays blocked.
    Rejected,
    /// Not final yet: ask again later.
    Pending,
}

/// Why a verdict is what it is: a stable snake_case code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictReason {
    /// The IDV completed at the required level or above.
    Completed,
    /// The IDV completed, below the required level (or without a level).
    IalBelowRequired,
    /// The result is not final yet.
    NotFinal,
    /// The checks ran and failed, or ended without a verdict.
    Failed,
    /// The session or challenge timed out.
    Expired,
    /// The step-up was cancelled by the user or the caller.
    Cancelled,
    /// The user declined or abandoned the IDV.
    Declined,
    /// The live face matched the enrolled user.
    Match,
    /// The live face did not match the enrolled user.
    NoMatch,
    /// The face matched, with less confidence than required (or none given).
    ConfidenceBelowRequired,
}

impl VerdictReason {
    /// The stable code, as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Completed => "completed",
            Self::IalBelowRequired => "ial_below_required",
            Self::NotFinal => "not_final",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Cancelled => "cancelled",
            Self::Declined => "declined",
            Self::Match => "match",
            Self::NoMatch => "no_match",
            Self::ConfidenceBelowRequired => "confidence_below_required",
        }
    }
}

/// The verdict on a result: `{ final, outcome, reason, required_ial? }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Whether the result will not change any more.
    #[serde(rename = "final")]
    pub is_final: bool,
    /// Approved, rejected or pending.
    pub outcome: VerdictOutcome,
    /// Why.
    pub reason: VerdictReason,
    /// The level that was required (IDV verdicts only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_ial: Option<IalLevel>,
}

impl Verdict {
    fn new(outcome: VerdictOutcome, reason: VerdictReason) -> Self {
        Self {
            is_final: outcome != VerdictOutcome::Pending,
            outcome,
            reason,
            required_ial: None,
        }
    }

    /// Whether the action may go ahead.
    pub fn approved(&self) -> bool {
        self.outcome == VerdictOutcome::Approved
    }
}

/// The verdict on an IDV result: approved only when completed at `required`
/// or above; a completed IDV without a level is below any requirement.
pub fn idv_verdict(status: IdvStatus, ial_level: Option<IalLevel>, required: IalLevel) -> Verdict {
    use VerdictOutcome::{Approved, Pending, Rejected};
    let v = match status {
        IdvStatus::Pending | IdvStatus::InProgress => {
            Verdict::new(Pending, VerdictReason::NotFinal)
        }
        IdvStatus::Completed => match ial_level {
            Some(reached) if reached >= required => {
                Verdict::new(Approved, VerdictReason::Completed)
            }
            _ => Verdict::new(Rejected, VerdictReason::IalBelowRequired),
        },
        IdvStatus::Failed => Verdict::new(Rejected, VerdictReason::Failed),
        IdvStatus::Expired => Verdict::new(Rejected, VerdictReason::Expired),
        IdvStatus::Declined => Verdict::new(Rejected, VerdictReason::Declined),
    };
    Verdict {
        required_ial: Some(required),
        ..v
    }
}

/// The verdict on a step-up result. A `match` is approved when no minimum
/// confidence is asked, or when the confidence reaches it; `no_match`,
/// cancelled and expired are final refusals whatever the status says; a
/// completed or failed challenge without a verdict is `failed`.
pub fn step_up_verdict(
    status: StepUpStatus,
    match_result: MatchResult,
    confidence: Option<f64>,
    min_confidence: Option<f64>,
) -> Verdict {
    use VerdictOutcome::{Approved, Pending, Rejected};
    match (match_result, status) {
        (MatchResult::Match, _) => match (min_confidence, confidence) {
            (Some(min), Some(c)) if c < min => {
                Verdict::new(Rejected, VerdictReason::ConfidenceBelowRequired)
            }
            (Some(_), None) => Verdict::new(Rejected, VerdictReason::ConfidenceBelowRequired),
            _ => Verdict::new(Approved, VerdictReason::Match),
        },
        (MatchResult::NoMatch, _) => Verdict::new(Rejected, VerdictReason::NoMatch),
        (MatchResult::Cancelled, _) | (_, StepUpStatus::Cancelled) => {
            Verdict::new(Rejected, VerdictReason::Cancelled)
        }
        (MatchResult::Expired, _) | (_, StepUpStatus::Expired) => {
            Verdict::new(Rejected, VerdictReason::Expired)
        }
        (MatchResult::Pending, StepUpStatus::Completed | StepUpStatus::Failed) => {
            Verdict::new(Rejected, VerdictReason::Failed)
        }
        (MatchResult::Pending, StepUpStatus::Pending | StepUpStatus::InProgress) => {
            Verdict::new(Pending, VerdictReason::NotFinal)
        }
    }
}

/// A verdict input the core could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictError {
    /// What was wrong, for a person.
    message: String,
    /// The field concerned.
    field: &'static str,
}

impl VerdictError {
    fn new(field: &'static str, message: String) -> Self {
        Self { message, field }
    }

    /// `field` does not have the expected JSON shape.
    pub(crate) fn shape(field: &'static str, e: &serde_json::Error) -> Self {
        Self::new(field, format!("`{field}` is not valid: {e}"))
    }
}

impl fmt::Display for VerdictError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for VerdictError {}

impl ErrorInfo for VerdictError {
    fn code(&self) -> &'static str {
        "invalid_argument"
    }
    fn field(&self) -> Option<&str> {
        Some(self.field)
    }
}

/// Shortens user input quoted in a message.
fn quoted(s: &str) -> String {
    s.chars().take(64).collect()
}

/// Reads an IAL (`IAL2`, `ial2`, `2`, `nist_800_63A_ial_2`, ...), or says
/// which field was not one.
pub fn read_ial(text: &str, field: &'static str) -> Result<IalLevel, VerdictError> {
    IalLevel::parse(text).ok_or_else(|| {
        VerdictError::new(
            field,
            format!(
                "`{field}` `{}` is not an identity assurance level (IAL1, IAL2 or IAL3)",
                quoted(text)
            ),
        )
    })
}

/// A string member of a result object; absent, `null` and `""` are `None`.
fn member<'a>(
    obj: &'a serde_json::Map<String, serde_json::Value>,
    name: &'static str,
) -> Result<Option<&'a str>, VerdictError> {
    match obj.get(name) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(VerdictError::new(
            name,
            format!("`{name}` must be a string"),
        )),
    }
}

/// A result as hosts hold it: a JSON object (extra members ignored).
pub(crate) struct ResultInput(serde_json::Map<String, serde_json::Value>);

impl ResultInput {
    /// Reads the JSON text of a result object.
    pub(crate) fn from_json(text: &str) -> Result<Self, VerdictError> {
        match serde_json::from_str(text) {
            Ok(serde_json::Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(VerdictError::new(
                "result",
                "`result` must be an object".to_owned(),
            )),
            Err(e) => Err(VerdictError::shape("result", &e)),
        }
    }

    fn status(&self) -> Result<&str, VerdictError> {
        member(&self.0, "status")?
            .ok_or_else(|| VerdictError::new("status", "`status` is missing".to_owned()))
    }

    /// The verdict on this IDV result (`{ status, ial_level }`) at `required`.
    pub(crate) fn idv_verdict(&self, required: IalLevel) -> Result<Verdict, VerdictError> {
        let text = self.status()?;
        let status = IdvStatus::parse(text).ok_or_else(|| {
            VerdictError::new(
                "status",
                format!("`status` `{}` is not an IDV status", quoted(text)),
            )
        })?;
        let ial = match member(&self.0, "ial_level")? {
            None => None,
            Some(text) => Some(read_ial(text, "ial_level")?),
        };
        Ok(idv_verdict(status, ial, required))
    }

    /// The verdict on this step-up result (`{ status, match_result,
    /// confidence }`) with an optional minimum confidence in `[0, 1]`.
    pub(crate) fn step_up_verdict(
        &self,
        min_confidence: Option<f64>,
    ) -> Result<Verdict, VerdictError> {
        let text = self.status()?;
        let status = StepUpStatus::parse(text).ok_or_else(|| {
            VerdictError::new(
                "status",
                format!("`status` `{}` is not a step-up status", quoted(text)),
            )
        })?;
        let match_result = match member(&self.0, "match_result")? {
            None => MatchResult::Pending,
            Some(text) => MatchResult::parse(text).ok_or_else(|| {
                VerdictError::new(
                    "match_result",
                    format!("`match_result` `{}` is not a match result", quoted(text)),
                )
            })?,
        };
        let confidence = match self.0.get("confidence") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::Number(n)) => n.as_f64(),
            Some(_) => {
                return Err(VerdictError::new(
                    "confidence",
                    "`confidence` must be a number".to_owned(),
                ))
            }
        };
        if let Some(min) = min_confidence {
            if !(0.0..=1.0).contains(&min) {
                return Err(VerdictError::new(
                    "min_confidence",
                    "`min_confidence` must be a number from 0 to 1".to_owned(),
                ));
            }
        }
        Ok(step_up_verdict(
            status,
            match_result,
            confidence,
            min_confidence,
        ))
    }
}

impl Verdict {
    /// The verdict as JSON text (written by hand: every member is a fixed
    /// word, and it keeps a serializer out of the small policy module).
    pub fn to_json(&self) -> String {
        let outcome = match self.outcome {
            VerdictOutcome::Approved => "approved",
            VerdictOutcome::Rejected => "rejected",
            VerdictOutcome::Pending => "pending",
        };
        let mut out = format!(
            r#"{{"final":{},"outcome":"{outcome}","reason":"{}""#,
            self.is_final,
            self.reason.as_str()
        );
        if let Some(ial) = self.required_ial {
            out.push_str(r#","required_ial":""#);
            out.push_str(ial.as_str());
            out.push('"');
        }
        out.push('}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: &Verdict) -> String {
        serde_json::to_string(v).unwrap()
    }

    #[test]
    fn idv_rule() {
        let at = |s, l| idv_verdict(s, l, IalLevel::Ial2);
        assert_eq!(
            json(&at(IdvStatus::Completed, Some(IalLevel::Ial2))),
            r#"{"final":true,"outcome":"approved","reason":"completed","required_ial":"IAL2"}"#
        );
        assert!(at(IdvStatus::Completed, Some(IalLevel::Ial3)).approved());
        let low = at(IdvStatus::Completed, Some(IalLevel::Ial1));
        assert_eq!(
            (low.outcome, low.reason, low.is_final),
            (
                VerdictOutcome::Rejected,
                VerdictReason::IalBelowRequired,
                true
            )
        );
        assert_eq!(
            at(IdvStatus::Completed, None).reason,
            VerdictReason::IalBelowRequired
        );
        let pending = at(IdvStatus::InProgress, None);
        assert_eq!(
            json(&pending),
            r#"{"final":false,"outcome":"pending","reason":"not_final","required_ial":"IAL2"}"#
        );
        for (s, r) in [
            (IdvStatus::Failed, VerdictReason::Failed),
            (IdvStatus::Expired, VerdictReason::Expired),
            (IdvStatus::Declined, VerdictReason::Declined),
        ] {
            let v = at(s, Some(IalLevel::Ial3));
            assert_eq!((v.outcome, v.reason), (VerdictOutcome::Rejected, r));
        }
        // Every final status is final, every other not, as IdvStatus says.
        for s in [
            IdvStatus::Pending,
            IdvStatus::InProgress,
            IdvStatus::Completed,
            IdvStatus::Failed,
            IdvStatus::Expired,
            IdvStatus::Declined,
        ] {
            assert_eq!(at(s, None).is_final, s.is_final());
        }
    }

    #[test]
    fn step_up_rule() {
        use MatchResult as M;
        use StepUpStatus as S;
        let v = |s, m, c, min| {
            let v = step_up_verdict(s, m, c, min);
            (v.outcome, v.reason)
        };
        use VerdictOutcome::*;
        assert_eq!(
            v(S::Completed, M::Match, Some(0.9), None),
            (Approved, VerdictReason::Match)
        );
        assert_eq!(
            v(S::Completed, M::Match, Some(0.9), Some(0.95)),
            (Rejected, VerdictReason::ConfidenceBelowRequired)
        );
        assert_eq!(
            v(S::Completed, M::Match, None, Some(0.5)),
            (Rejected, VerdictReason::ConfidenceBelowRequired)
        );
        assert_eq!(
            v(S::Completed, M::Match, Some(0.95), Some(0.95)),
            (Approved, VerdictReason::Match)
        );
        assert_eq!(
            v(S::Completed, M::NoMatch, Some(0.1), None),
            (Rejected, VerdictReason::NoMatch)
        );
        assert_eq!(
            v(S::Cancelled, M::Pending, None, None),
            (Rejected, VerdictReason::Cancelled)
        );
        assert_eq!(
            v(S::Pending, M::Cancelled, None, None),
            (Rejected, VerdictReason::Cancelled)
        );
        assert_eq!(
            v(S::Expired, M::Pending, None, None),
            (Rejected, VerdictReason::Expired)
        );
        assert_eq!(
            v(S::Failed, M::Pending, None, None),
            (Rejected, VerdictReason::Failed)
        );
        assert_eq!(
            v(S::Completed, M::Pending, None, None),
            (Rejected, VerdictReason::Failed)
        );
        assert_eq!(
            v(S::InProgress, M::Pending, None, None),
            (Pending, VerdictReason::NotFinal)
        );
        let s = step_up_verdict(S::Completed, M::Match, Some(0.9), None);
        assert_eq!(
            json(&s),
            r#"{"final":true,"outcome":"approved","reason":"match"}"#
        );
    }

    #[test]
    fn inputs_are_read_leniently_and_checked() {
        let r = ResultInput::from_json(
            r#"{"status":"COMPLETED","ial_level":"nist_800_63A_ial_1","x":1}"#,
        )
        .unwrap();
        assert_eq!(
            r.idv_verdict(IalLevel::Ial2).unwrap().reason,
            VerdictReason::IalBelowRequired
        );
        let bad = ResultInput::from_json(r#"{"status":"done"}"#).unwrap();
        assert_eq!(
            bad.idv_verdict(IalLevel::Ial2).unwrap_err().field(),
            Some("status")
        );
        let bad_ial =
            ResultInput::from_json(r#"{"status":"completed","ial_level":"800632"}"#).unwrap();
        assert_eq!(
            bad_ial.idv_verdict(IalLevel::Ial2).unwrap_err().field(),
            Some("ial_level")
        );
        let s =
            ResultInput::from_json(r#"{"status":"completed","match_result":"no-match"}"#).unwrap();
        assert_eq!(
            s.step_up_verdict(None).unwrap().reason,
            VerdictReason::NoMatch
        );
        assert_eq!(
            s.step_up_verdict(Some(1.5)).unwrap_err().field(),
            Some("min_confidence")
        );
        let c = ResultInput::from_json(
            r#"{"status":"completed","match_result":"match","confidence":"high"}"#,
        )
        .unwrap();
        assert_eq!(
            c.step_up_verdict(None).unwrap_err().field(),
            Some("confidence")
        );
        assert!(ResultInput::from_json("[]").is_err());
        assert!(read_ial("IAL9", "required_ial")
            .unwrap_err()
            .to_string()
            .contains("`IAL9`"));
    }

    #[test]
    fn hand_written_json_is_serdes() {
        for v in [
            idv_verdict(IdvStatus::Completed, None, IalLevel::Ial3),
            step_up_verdict(StepUpStatus::Pending, MatchResult::Pending, None, None),
        ] {
            assert_eq!(v.to_json(), serde_json::to_string(&v).unwrap());
        }
    }
}
