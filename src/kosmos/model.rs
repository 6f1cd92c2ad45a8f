//! The typed inputs and results both wire profiles share, so that callers do
//! not care which profile runs.

use serde::{Deserialize, Serialize};

use super::verified_claims::VerifiedClaims;

/// A kind of identity document the user may present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// A driver's license.
    DriversLicense,
    /// A passport.
    Passport,
    /// A national identity card.
    IdCard,
    /// A residence permit.
    ResidencePermit,
}

/// How the liveness check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LivenessMode {
    /// No user action; judged from a selfie.
    Passive,
    /// The user follows prompts (turn, blink).
    Active,
}

/// A created IDV session: where to send the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdvSession {
    /// The session identifier, to read the result later.
    pub session_id: String,
    /// The URL the user opens to capture documents and selfie
    /// (verify-v1's `redirect_url`).
    pub session_url: String,
}

/// Where an IDV session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdvStatus {
    /// Created, the user has not started.
    Pending,
    /// The user is capturing documents or selfie.
    InProgress,
    /// Finished with a verdict; see `ial_level`.
    Completed,
    /// The checks ran and failed.
    Failed,
    /// The session timed out.
    Expired,
    /// The user declined or abandoned.
    Declined,
}

impl IdvStatus {
    /// Reads a status name (`in_progress`, also `in-progress` and any case).
    pub fn parse(s: &str) -> Option<Self> {
        match normalize_name(s).as_str() {
            "pending" => Some(Self::Pending),
            "in_progress" => Some(Self::InProgress),
            "completed" => Some(Self::Completed),
            "failed" => Some(Self::Failed),
            "expired" => Some(Self::Expired),
            "declined" => Some(Self::Declined),
            _ => None,
        }
    }

    /// Whether the session will not change any more.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Pending | Self::InProgress)
    }
}

/// Lowercase, trimmed, `-` and spaces turned into `_`.
pub(crate) fn normalize_name(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// NIST SP 800-63A identity assurance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum IalLevel {
    /// Self-asserted.
    #[serde(rename = "IAL1")]
    Ial1,
    /// Remote or in-person proofing with evidence.
    #[serde(rename = "IAL2")]
    Ial2,
    /// In-person (or supervised remote) proofing.
    #[serde(rename = "IAL3")]
    Ial3,
}

impl IalLevel {
    /// Reads `IAL2`, `ial2`, `ial_2`, `ial-2`, `2` and the same prefixed by
    /// the trust framework (`nist_800_63A_ial_2`, `nist_800_63A:ial2`).
    pub fn parse(s: &str) -> Option<Self> {
        let lower = s.trim().to_ascii_lowercase();
        let rest = lower
            .strip_prefix("nist_800_63a")
            .map(|r| r.trim_start_matches(['_', ':', '-', '/', ' ']))
            .unwrap_or(&lower);
        let digit = match rest.strip_prefix("ial") {
            Some(r) => r.strip_prefix(['_', '-', ' ']).unwrap_or(r),
            None => rest,
        };
        match digit {
            "1" => Some(Self::Ial1),
            "2" => Some(Self::Ial2),
            "3" => Some(Self::Ial3),
            _ => None,
        }
    }

    /// The level of a number 1 to 3 (the policy's `required_ial: 2`).
    pub fn from_number(n: u64) -> Option<Self> {
        match n {
            1 => Some(Self::Ial1),
            2 => Some(Self::Ial2),
            3 => Some(Self::Ial3),
            _ => None,
        }
    }

    /// 1, 2 or 3.
    pub fn number(self) -> u8 {
        match self {
            Self::Ial1 => 1,
            Self::Ial2 => 2,
            Self::Ial3 => 3,
        }
    }

    /// `IAL1`, `IAL2` or `IAL3`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ial1 => "IAL1",
            Self::Ial2 => "IAL2",
            Self::Ial3 => "IAL3",
        }
    }
}

impl<'de> Deserialize<'de> for IalLevel {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("`{s}` is not an identity assurance level"))
        })
    }
}

/// The result of an IDV session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdvResult {
    /// Where the session stands.
    pub status: IdvStatus,
    /// The level reached, once completed (`null` before).
    pub ial_level: Option<IalLevel>,
    /// The verified claims, in the OpenID Connect for Identity Assurance 1.0
    /// shape, once completed (`null` before).
    pub verified_claims: Option<VerifiedClaims>,
}

/// A created LiveID step-up challenge: where to send the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepUpChallenge {
    /// The challenge identifier, to read the result later.
    pub challenge_id: String,
    /// The URL the user opens to take the biometric check.
    pub challenge_url: String,
}

/// Where a step-up challenge stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepUpStatus {
    /// Created, the user has not started.
    Pending,
    /// The user is taking the check.
    InProgress,
    /// Finished; see `match_result`.
    Completed,
    /// The check could not be run to the end.
    Failed,
    /// The challenge timed out.
    Expired,
    /// The user or the caller cancelled it.
    Cancelled,
}

impl StepUpStatus {
    /// Reads a status name (also `canceled`, `in-progress`, any case).
    pub fn parse(s: &str) -> Option<Self> {
        match normalize_name(s).as_str() {
            "pending" => Some(Self::Pending),
            "in_progress" => Some(Self::InProgress),
            "completed" => Some(Self::Completed),
            "failed" => Some(Self::Failed),
            "expired" => Some(Self::Expired),
            "cancelled" | "canceled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}

/// Whether the live face matched the enrolled user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchResult {
    /// The live face is the enrolled user's.
    Match,
    /// The live face is not the enrolled user's.
    NoMatch,
    /// No verdict yet.
    Pending,
    /// The challenge expired before a verdict.
    Expired,
    /// The challenge was cancelled before a verdict.
    Cancelled,
}

impl MatchResult {
    /// Reads a match result name (also `no-match`, `nomatch`, `canceled`, any case).
    pub fn parse(s: &str) -> Option<Self> {
        match normalize_name(s).as_str() {
            "match" | "matched" => Some(Self::Match),
            "no_match" | "nomatch" | "not_matched" => Some(Self::NoMatch),
            "pending" => Some(Self::Pending),
            "expired" => Some(Self::Expired),
            "cancelled" | "canceled" => Some(Self::Cancelled),
            _ => None,
        }
    }
}

/// The result of a step-up challenge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepUpResult {
    /// Where the challenge stands.
    pub status: StepUpStatus,
    /// The verdict.
    pub match_result: MatchResult,
    /// The matcher's confidence in `[0, 1]`, when there is a verdict.
    pub confidence: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ial_forms() {
        for (s, want) in [
            ("IAL1", Some(IalLevel::Ial1)),
            ("ial2", Some(IalLevel::Ial2)),
            ("ial_3", Some(IalLevel::Ial3)),
            ("IAL-2", Some(IalLevel::Ial2)),
            ("2", Some(IalLevel::Ial2)),
            ("nist_800_63A_ial_2", Some(IalLevel::Ial2)),
            ("nist_800_63A:ial3", Some(IalLevel::Ial3)),
            (" IAL2 ", Some(IalLevel::Ial2)),
            ("IAL-9", None),
            ("ial", None),
            ("aal2", None),
            ("12", None),
            ("", None),
        ] {
            assert_eq!(IalLevel::parse(s), want, "{s:?}");
        }
        assert!(IalLevel::Ial1 < IalLevel::Ial3);
        let l: IalLevel = serde_json::from_str("\"ial2\"").unwrap();
        assert_eq!(serde_json::to_string(&l).unwrap(), "\"IAL2\"");
        assert!(serde_json::from_str::<IalLevel>("\"x\"").is_err());
    }

    #[test]
    fn every_status_name() {
        for (s, want) in [
            ("pending", IdvStatus::Pending),
            ("in_progress", IdvStatus::InProgress),
            ("IN-PROGRESS", IdvStatus::InProgress),
            ("completed", IdvStatus::Completed),
            ("failed", IdvStatus::Failed),
            ("expired", IdvStatus::Expired),
            ("declined", IdvStatus::Declined),
        ] {
            assert_eq!(IdvStatus::parse(s), Some(want));
        }
        assert_eq!(IdvStatus::parse("done"), None);
        assert!(IdvStatus::Declined.is_final() && !IdvStatus::Pending.is_final());
        assert_eq!(
            StepUpStatus::parse("canceled"),
            Some(StepUpStatus::Cancelled)
        );
        assert_eq!(MatchResult::parse("NO_MATCH"), Some(MatchResult::NoMatch));
        assert_eq!(MatchResult::parse("maybe"), None);
    }
}
