//! One interface over both wire profiles, so callers do not care which runs.
//!
//! ```text
//!   ProfileConfig { "profile": "verify-v1" | "blockid-tenant", ... }  --Profile::new-->  Profile
//!   Profile.build(&Call, entropy, now)                 --> HttpRequest (the host sends it)
//!   Profile.parse(Operation, status, headers, body)    --> Answer (same types for both profiles)
//! ```

use serde::{Deserialize, Serialize};

use super::blockid::{BlockIdConfig, BlockIdTenant, CreateDocumentSession};
use super::model::{IdvResult, IdvSession, StepUpChallenge, StepUpResult};
use super::verify_v1::{self, CreateIdvSession, CreateStepUp, VerifyV1Config};
use super::KosmosError;
use crate::entropy::Entropy;
use crate::http::HttpRequest;

/// The configuration of one profile, tagged by `profile`
/// (`{"profile": "verify-v1", "base_url": ..., "api_key": ...}`).
#[derive(Debug, Clone)]
pub enum ProfileConfig {
    /// The verify-v1 REST contract (bearer API key).
    VerifyV1(VerifyV1Config),
    /// A BlockID tenant through the encrypted envelope.
    BlockIdTenant(BlockIdConfig),
}

// Internally tagged enums by hand: serde's derive for them buffers through
// its `Content` machinery, about 25 KB of wasm; `serde_json::Value` is already there.
fn untag<E: serde::de::Error>(
    value: serde_json::Value,
    tag: &'static str,
) -> Result<(String, serde_json::Value), E> {
    let serde_json::Value::Object(mut map) = value else {
        return Err(E::custom("expected an object"));
    };
    match map.remove(tag) {
        Some(serde_json::Value::String(name)) => Ok((name, serde_json::Value::Object(map))),
        Some(_) => Err(E::custom(format!("`{tag}` is not a string"))),
        None => Err(E::missing_field(tag)),
    }
}

fn inner<T: serde::de::DeserializeOwned, E: serde::de::Error>(
    value: serde_json::Value,
) -> Result<T, E> {
    serde_json::from_value(value).map_err(E::custom)
}

impl ProfileConfig {
    /// Reads the configuration of the profile called `profile` from JSON text
    /// holding its other members.
    pub fn from_json(profile: &str, json: &str) -> Result<Self, serde_json::Error> {
        use serde::de::Error as _;
        match profile {
            "verify-v1" => serde_json::from_str(json).map(Self::VerifyV1),
            "blockid-tenant" => serde_json::from_str(json).map(Self::BlockIdTenant),
            other => Err(serde_json::Error::unknown_variant(
                other,
                &["verify-v1", "blockid-tenant"],
            )),
        }
    }
}

impl<'de> Deserialize<'de> for ProfileConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (name, rest) = untag::<D::Error>(serde_json::Value::deserialize(d)?, "profile")?;
        match name.as_str() {
            "verify-v1" => inner(rest).map(Self::VerifyV1),
            "blockid-tenant" => inner(rest).map(Self::BlockIdTenant),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &["verify-v1", "blockid-tenant"],
            )),
        }
    }
}

/// A ready-to-use profile.
#[derive(Debug)]
pub enum Profile {
    /// The verify-v1 REST contract.
    VerifyV1(VerifyV1Config),
    /// A BlockID tenant, keys checked and shared key agreed.
    BlockIdTenant(Box<BlockIdTenant>),
}

/// One of the four 1Kosmos operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Create an IDV session.
    CreateIdvSession,
    /// Read an IDV session's result.
    ReadIdvResult,
    /// Create a LiveID step-up challenge.
    CreateStepUp,
    /// Read a step-up challenge's result.
    ReadStepUpResult,
}

impl Operation {
    /// Whether the operation creates something (and so must not be repeated
    /// without its idempotency key).
    pub fn is_create(self) -> bool {
        matches!(self, Self::CreateIdvSession | Self::CreateStepUp)
    }

    /// The operation's snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::CreateIdvSession => "create_idv_session",
            Self::ReadIdvResult => "read_idv_result",
            Self::CreateStepUp => "create_step_up",
            Self::ReadStepUpResult => "read_step_up_result",
        }
    }
}

/// A call to make: the operation and its input, tagged by `operation`
/// (`{"operation": "read_idv_result", "session_id": "..."}`).
#[derive(Debug, Clone)]
pub enum Call {
    /// Create an IDV session.
    CreateIdvSession(CreateIdvSession),
    /// Read an IDV session's result.
    ReadIdvResult {
        /// The session to read.
        session_id: String,
    },
    /// Create a LiveID step-up challenge.
    CreateStepUp(CreateStepUp),
    /// Read a step-up challenge's result.
    ReadStepUpResult {
        /// The challenge to read.
        challenge_id: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SessionRef {
    session_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChallengeRef {
    challenge_id: String,
}

impl Call {
    /// Reads the input of `operation` from JSON text.
    pub fn from_json(operation: Operation, json: &str) -> Result<Self, serde_json::Error> {
        match operation {
            Operation::CreateIdvSession => serde_json::from_str(json).map(Self::CreateIdvSession),
            Operation::ReadIdvResult => {
                serde_json::from_str(json).map(|r: SessionRef| Self::ReadIdvResult {
                    session_id: r.session_id,
                })
            }
            Operation::CreateStepUp => serde_json::from_str(json).map(Self::CreateStepUp),
            Operation::ReadStepUpResult => {
                serde_json::from_str(json).map(|r: ChallengeRef| Self::ReadStepUpResult {
                    challenge_id: r.challenge_id,
                })
            }
        }
    }
}

impl<'de> Deserialize<'de> for Call {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (name, rest) = untag::<D::Error>(serde_json::Value::deserialize(d)?, "operation")?;
        match name.as_str() {
            "create_idv_session" => inner(rest).map(Self::CreateIdvSession),
            "read_idv_result" => inner(rest).map(|r: SessionRef| Self::ReadIdvResult {
                session_id: r.session_id,
            }),
            "create_step_up" => inner(rest).map(Self::CreateStepUp),
            "read_step_up_result" => inner(rest).map(|r: ChallengeRef| Self::ReadStepUpResult {
                challenge_id: r.challenge_id,
            }),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &[
                    "create_idv_session",
                    "read_idv_result",
                    "create_step_up",
                    "read_step_up_result",
                ],
            )),
        }
    }
}

impl Call {
    /// The operation of this call.
    pub fn operation(&self) -> Operation {
        match self {
            Self::CreateIdvSession(_) => Operation::CreateIdvSession,
            Self::ReadIdvResult { .. } => Operation::ReadIdvResult,
            Self::CreateStepUp(_) => Operation::CreateStepUp,
            Self::ReadStepUpResult { .. } => Operation::ReadStepUpResult,
        }
    }
}

/// A parsed answer; serializes as the bare result object.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Answer {
    /// `{ session_id, session_url }`.
    IdvSession(IdvSession),
    /// `{ status, ial_level, verified_claims }`.
    IdvResult(IdvResult),
    /// `{ challenge_id, challenge_url }`.
    StepUpChallenge(StepUpChallenge),
    /// `{ status, match_result, confidence }`.
    StepUpResult(StepUpResult),
}

impl Profile {
    /// Checks the configuration (and, for blockid-tenant, agrees on the envelope key).
    ///
    /// Errors: `invalid_input`, `invalid_key`.
    pub fn new(config: ProfileConfig) -> Result<Self, KosmosError> {
        match config {
            ProfileConfig::VerifyV1(c) => {
                // Checked now so that a bad base URL fails at setup, not per call.
                verify_v1::build_read_idv_result(&c, "check")?;
                Ok(Self::VerifyV1(c))
            }
            ProfileConfig::BlockIdTenant(c) => {
                Ok(Self::BlockIdTenant(Box::new(BlockIdTenant::new(c)?)))
            }
        }
    }

    /// `verify-v1` or `blockid-tenant`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::VerifyV1(_) => "verify-v1",
            Self::BlockIdTenant(_) => "blockid-tenant",
        }
    }

    fn unsupported(&self, op: Operation) -> KosmosError {
        KosmosError::Unsupported {
            operation: op.name(),
            profile: self.name(),
        }
    }

    /// Builds the request of `call`. `entropy` supplies idempotency keys,
    /// IVs and request ids; `now` (unix seconds) dates blockid-tenant requests.
    ///
    /// For blockid-tenant, "create IDV session" becomes a document session for
    /// the first of `document_types` DocuVerify offers, with `userUID` and `did`
    /// taken from `metadata.user_uid` (or `metadata.user_id`) and
    /// `metadata.did` when given; step-up is `unsupported`.
    pub fn build(
        &self,
        call: &Call,
        entropy: &mut dyn Entropy,
        now: u64,
    ) -> Result<HttpRequest, KosmosError> {
        match (self, call) {
            (Self::VerifyV1(c), Call::CreateIdvSession(r)) => {
                verify_v1::build_create_idv_session(c, r, entropy)
            }
            (Self::VerifyV1(c), Call::ReadIdvResult { session_id }) => {
                verify_v1::build_read_idv_result(c, session_id)
            }
            (Self::VerifyV1(c), Call::CreateStepUp(r)) => {
                verify_v1::build_create_step_up(c, r, entropy)
            }
            (Self::VerifyV1(c), Call::ReadStepUpResult { challenge_id }) => {
                verify_v1::build_read_step_up_result(c, challenge_id)
            }
            (Self::BlockIdTenant(t), Call::CreateIdvSession(r)) => {
                t.build_create_document_session(&document_session_for(r)?, entropy, now)
            }
            (Self::BlockIdTenant(t), Call::ReadIdvResult { session_id }) => {
                t.build_read_document_session_result(session_id, entropy, now)
            }
            (Self::BlockIdTenant(_), other) => Err(self.unsupported(other.operation())),
        }
    }

    /// Parses the answer to `operation`.
    ///
    /// Errors: the API error (status, stable code, retryable) for a non-2xx
    /// status; `malformed_response` naming what was wrong otherwise.
    pub fn parse(
        &self,
        operation: Operation,
        status: u16,
        headers: &[(String, String)],
        body: &str,
    ) -> Result<Answer, KosmosError> {
        use Operation as Op;
        match (self, operation) {
            (Self::VerifyV1(_), Op::CreateIdvSession) => {
                verify_v1::parse_idv_session(status, headers, body).map(Answer::IdvSession)
            }
            (Self::VerifyV1(_), Op::ReadIdvResult) => {
                verify_v1::parse_idv_result(status, headers, body).map(Answer::IdvResult)
            }
            (Self::VerifyV1(_), Op::CreateStepUp) => {
                verify_v1::parse_step_up_challenge(status, headers, body)
                    .map(Answer::StepUpChallenge)
            }
            (Self::VerifyV1(_), Op::ReadStepUpResult) => {
                verify_v1::parse_step_up_result(status, headers, body).map(Answer::StepUpResult)
            }
            (Self::BlockIdTenant(t), Op::CreateIdvSession) => t
                .parse_document_session(status, headers, body)
                .map(Answer::IdvSession),
            (Self::BlockIdTenant(t), Op::ReadIdvResult) => t
                .parse_document_session_result(status, headers, body)
                .map(Answer::IdvResult),
            (Self::BlockIdTenant(_), op) => Err(self.unsupported(op)),
        }
    }

    /// Whether a failed `operation` may be sent again: reads always, creates
    /// only when the request carries an idempotency key.
    pub fn may_retry(&self, operation: Operation, request: &HttpRequest) -> bool {
        !operation.is_create() || request.header("idempotency-key").is_some()
    }
}

fn document_session_for(r: &CreateIdvSession) -> Result<CreateDocumentSession, KosmosError> {
    use super::model::DocumentType as D;
    let document_type = r
        .document_types
        .iter()
        .copied()
        .find(|t| matches!(t, D::DriversLicense | D::Passport | D::IdCard))
        .ok_or_else(|| {
            KosmosError::invalid(
                "document_types",
                "document sessions offer drivers_license, passport or id_card",
            )
        })?;
    let meta = |k: &str| r.metadata.get(k).cloned();
    Ok(CreateDocumentSession {
        document_type,
        user_uid: meta("user_uid").or_else(|| meta("user_id")),
        did: meta("did"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo;
    use crate::kosmos::envelope::{Curve, PrivateKey};
    use serde_json::json;

    use crate::entropy::testing::Counter;

    fn blockid_config() -> serde_json::Value {
        let mut rng = Counter(40);
        let ours = PrivateKey::generate(Curve::Secp256k1, &mut rng).unwrap();
        let service = PrivateKey::generate(Curve::Secp256k1, &mut rng).unwrap();
        json!({
            "profile": "blockid-tenant",
            "docuverify_url": "https://t.example.com/docuverify",
            "license_key": "lic",
            "private_key": ours.to_base64().expose(),
            "service_public_key": service.public_key().to_base64(),
            "dvc_id": "d", "tenant_dns": "t.example.com", "community_name": "c"
        })
    }

    #[test]
    fn both_profiles_give_the_same_result_types() {
        let v1: ProfileConfig = serde_json::from_value(
            json!({"profile": "verify-v1", "base_url": "https://idv.example.com", "api_key": "k"}),
        )
        .unwrap();
        let v1 = Profile::new(v1).unwrap();
        let bid = Profile::new(serde_json::from_value(blockid_config()).unwrap()).unwrap();
        assert_eq!(bid.name(), "blockid-tenant");

        let call: Call = serde_json::from_value(json!({
            "operation": "create_idv_session",
            "document_types": ["residence_permit", "passport"],
            "liveness_mode": "active",
            "metadata": {"user_id": "u-7"}
        }))
        .unwrap();
        assert!(call.operation().is_create());
        let r1 = v1.build(&call, &mut Counter(1), 5).unwrap();
        assert!(v1.may_retry(Operation::CreateIdvSession, &r1));
        let r2 = bid.build(&call, &mut Counter(1), 5).unwrap();
        assert!(!bid.may_retry(Operation::CreateIdvSession, &r2));
        assert!(r2.url.ends_with("/document_share_session/create"));

        let a1 = v1
            .parse(
                Operation::CreateIdvSession,
                200,
                &[],
                r#"{"session_id":"s","redirect_url":"https://x.example/s"}"#,
            )
            .unwrap();
        let a2 = bid
            .parse(
                Operation::CreateIdvSession,
                200,
                &[],
                r#"{"sessionId":"s","url":"https://x.example/s"}"#,
            )
            .unwrap();
        assert_eq!(a1, a2);
        assert_eq!(
            serde_json::to_value(&a1).unwrap(),
            json!({"session_id": "s", "session_url": "https://x.example/s"})
        );
        let a1 = v1
            .parse(
                Operation::ReadIdvResult,
                200,
                &[],
                r#"{"status":"in_progress"}"#,
            )
            .unwrap();
        let a2 = bid
            .parse(
                Operation::ReadIdvResult,
                200,
                &[],
                r#"{"responseStatus":"INPROGRESS"}"#,
            )
            .unwrap();
        assert_eq!(a1, a2);
    }

    #[test]
    fn step_up_is_unsupported_on_blockid() {
        let bid = Profile::new(serde_json::from_value(blockid_config()).unwrap()).unwrap();
        let call: Call = serde_json::from_value(
            json!({"operation": "read_step_up_result", "challenge_id": "c"}),
        )
        .unwrap();
        let e = bid.build(&call, &mut Counter(1), 1).unwrap_err();
        assert_eq!(e.code(), "unsupported");
        assert_eq!(
            e.to_string(),
            "the `blockid-tenant` profile does not support `read_step_up_result`"
        );
        let e = bid
            .parse(Operation::CreateStepUp, 200, &[], "{}")
            .unwrap_err();
        assert_eq!(e.code(), "unsupported");
    }

    #[test]
    fn from_json_reads_untagged_members() {
        let c = ProfileConfig::from_json(
            "verify-v1",
            r#"{"base_url":"https://x.example","api_key":"k"}"#,
        )
        .unwrap();
        assert!(matches!(c, ProfileConfig::VerifyV1(_)));
        assert!(ProfileConfig::from_json("v2", "{}").is_err());
        let call = Call::from_json(Operation::ReadStepUpResult, r#"{"challenge_id":"c"}"#).unwrap();
        assert_eq!(call.operation(), Operation::ReadStepUpResult);
        assert!(Call::from_json(Operation::ReadIdvResult, r#"{"challenge_id":"c"}"#).is_err());
    }

    #[test]
    fn bad_configs_fail_at_setup() {
        let c: ProfileConfig = serde_json::from_value(
            json!({"profile": "verify-v1", "base_url": "http://idv.example.com", "api_key": "k"}),
        )
        .unwrap();
        assert_eq!(Profile::new(c).unwrap_err().field(), Some("base_url"));
        for bad in [
            json!({"profile": "v9"}),
            json!({"base_url": "https://x"}),
            json!({"profile": 1}),
            json!([]),
        ] {
            assert!(serde_json::from_value::<ProfileConfig>(bad).is_err());
        }
        for bad in [
            json!({"operation": "delete"}),
            json!({"operation": "read_idv_result"}),
            json!({"operation": "read_idv_result", "session_id": "s", "x": 1}),
            json!({"session_id": "s"}),
        ] {
            assert!(serde_json::from_value::<Call>(bad).is_err());
        }
    }
}
