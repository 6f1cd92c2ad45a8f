//! 1Kosmos request building, result parsing and the envelope, for JS.
//!
//! Structured inputs and outputs cross as JSON text (the shim does
//! `JSON.stringify` / `JSON.parse`): the core already carries serde_json, and
//! one text boundary costs far less wasm than a converter per type. Inputs
//! use the core's field names (`base_url`, `api_key`, `document_types`, ...);
//! `headers` are `[name, value][]` pairs; `now` is whole unix seconds.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{headers_from_js, unix_seconds};
use crate::{
    build_read_service_public_key, parse_idv_result, parse_idv_session, parse_service_public_key,
    parse_step_up_challenge, parse_step_up_result, parse_verified_claims, Answer, Call, Curve,
    Envelope, Error, KosmosError, Operation, PrivateKey, Profile, ProfileConfig, PublicKey,
    SystemEntropy,
};

/// Reads a typed argument from JSON text; a shape error names the argument.
fn from_json<T: serde::de::DeserializeOwned>(text: &str, arg: &str) -> Result<T, JsValue> {
    serde_json::from_str(text)
        .map_err(|e| Error::usage(format!("`{arg}` is not valid: {e}"), Some(arg)).into())
}

/// A result as JSON text.
fn to_json<T: Serialize>(value: &T) -> Result<String, JsValue> {
    serde_json::to_string(value)
        .map_err(|e| Error::usage(format!("result could not be converted: {e}"), None).into())
}

fn operation_from_js(operation: &str) -> Result<Operation, JsValue> {
    match operation {
        "create_idv_session" => Ok(Operation::CreateIdvSession),
        "read_idv_result" => Ok(Operation::ReadIdvResult),
        "create_step_up" => Ok(Operation::CreateStepUp),
        "read_step_up_result" => Ok(Operation::ReadStepUpResult),
        _ => Err(Error::usage(
            format!(
                "`operation` `{operation}` is not create_idv_session, read_idv_result, create_step_up or read_step_up_result"
            ),
            Some("operation"),
        )
        .into()),
    }
}

fn curve_from_js(curve: Option<String>) -> Result<Curve, JsValue> {
    match curve {
        None => Ok(Curve::default()),
        Some(name) => Curve::parse(&name).ok_or_else(|| {
            Error::usage(
                format!("`curve` `{name}` is not secp256k1 or p256"),
                Some("curve"),
            )
            .into()
        }),
    }
}

/// A checked profile (verify-v1 or blockid-tenant), held in wasm memory so
/// that keys are read and the envelope key agreed once.
#[wasm_bindgen(js_name = KosmosProfile)]
pub struct KosmosProfile(Profile);

#[wasm_bindgen(js_class = KosmosProfile)]
impl KosmosProfile {
    /// `verify-v1` or `blockid-tenant`.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.0.name().to_owned()
    }

    /// Builds the request of `operation` whose input is `input_json`: the
    /// `HttpRequest` as JSON text.
    pub fn build(&self, operation: &str, input_json: &str, now: f64) -> Result<String, JsValue> {
        let op = operation_from_js(operation)?;
        let call = Call::from_json(op, input_json)
            .map_err(|e| Error::usage(format!("`request` is not valid: {e}"), Some("request")))?;
        to_json(
            &self
                .0
                .build(&call, &mut SystemEntropy, unix_seconds(now)?)?,
        )
    }

    /// Parses the answer to `operation` (the same result shapes for both
    /// profiles), as JSON text.
    pub fn parse(
        &self,
        operation: &str,
        status: u16,
        headers: JsValue,
        body: &str,
    ) -> Result<String, JsValue> {
        let op = operation_from_js(operation)?;
        let headers = headers_from_js(headers)?;
        to_json(&self.0.parse(op, status, &headers, body)?)
    }
}

/// Checks the configuration of the profile called `profile` (`verify-v1` or
/// `blockid-tenant`; its other members as JSON text).
#[wasm_bindgen(js_name = createProfile)]
pub fn create_profile_js(profile: &str, config_json: &str) -> Result<KosmosProfile, JsValue> {
    let config = ProfileConfig::from_json(profile, config_json)
        .map_err(|e| Error::usage(format!("`config` is not valid: {e}"), Some("config")))?;
    Ok(KosmosProfile(Profile::new(config)?))
}

/// Parses a verify-v1 answer to `operation` (no configuration needed), as JSON text.
#[wasm_bindgen(js_name = parseVerifyV1)]
pub fn parse_verify_v1_js(
    operation: &str,
    status: u16,
    headers: JsValue,
    body: &str,
) -> Result<String, JsValue> {
    let headers = headers_from_js(headers)?;
    let answer = match operation_from_js(operation)? {
        Operation::CreateIdvSession => {
            parse_idv_session(status, &headers, body).map(Answer::IdvSession)
        }
        Operation::ReadIdvResult => parse_idv_result(status, &headers, body).map(Answer::IdvResult),
        Operation::CreateStepUp => {
            parse_step_up_challenge(status, &headers, body).map(Answer::StepUpChallenge)
        }
        Operation::ReadStepUpResult => {
            parse_step_up_result(status, &headers, body).map(Answer::StepUpResult)
        }
    }?;
    to_json(&answer)
}

/// Validates and normalizes a `verified_claims` value (OpenID Connect for
/// Identity Assurance 1.0, JSON text); errors name the offending path.
#[wasm_bindgen(js_name = parseVerifiedClaims)]
pub fn parse_verified_claims_js(json: &str) -> Result<String, JsValue> {
    let value: serde_json::Value = from_json(json, "verified_claims")?;
    let parsed = parse_verified_claims(&value).map_err(|e| {
        Error::from(KosmosError::MalformedResponse {
            what: e.to_string(),
        })
    })?;
    to_json(&parsed)
}

/// A new envelope key pair as JSON text `{ curve, privateKey, publicKey }`
/// (base64; the public key in the 64-byte form of the `publickey` header).
#[wasm_bindgen(js_name = generateKeyPair)]
pub fn generate_key_pair_js(curve: Option<String>) -> Result<String, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Pair<'a> {
        curve: Curve,
        private_key: &'a str,
        public_key: String,
    }
    let curve = curve_from_js(curve)?;
    let key = PrivateKey::generate(curve, &mut SystemEntropy)?;
    let private = key.to_base64();
    to_json(&Pair {
        curve,
        private_key: private.expose(),
        public_key: key.public_key().to_base64(),
    })
}

/// The public key (64-byte form, base64) of a base64 private key.
#[wasm_bindgen(js_name = publicKeyOf)]
pub fn public_key_of_js(private_key: &str, curve: Option<String>) -> Result<String, JsValue> {
    let curve = curve_from_js(curve)?;
    Ok(PrivateKey::from_base64(curve, private_key)?
        .public_key()
        .to_base64())
}

fn envelope_from_js(
    curve: Option<String>,
    private_key: &str,
    peer_public_key: &str,
) -> Result<Envelope, JsValue> {
    let curve = curve_from_js(curve)?;
    let ours = PrivateKey::from_base64(curve, private_key)?;
    let theirs = PublicKey::from_base64(curve, peer_public_key)?;
    Ok(Envelope::agree(&ours, &theirs)?)
}

/// Seals UTF-8 text for the peer: base64(iv || ciphertext || tag).
#[wasm_bindgen(js_name = envelopeSeal)]
pub fn envelope_seal_js(
    curve: Option<String>,
    private_key: &str,
    peer_public_key: &str,
    plaintext: &str,
) -> Result<String, JsValue> {
    let env = envelope_from_js(curve, private_key, peer_public_key)?;
    Ok(env.seal(plaintext.as_bytes(), &mut SystemEntropy)?)
}

/// Opens a sealed message to UTF-8 text. Tampered, truncated or foreign
/// messages throw `decrypt_failed` or `bad_ciphertext`.
#[wasm_bindgen(js_name = envelopeOpen)]
pub fn envelope_open_js(
    curve: Option<String>,
    private_key: &str,
    peer_public_key: &str,
    message: &str,
) -> Result<String, JsValue> {
    let env = envelope_from_js(curve, private_key, peer_public_key)?;
    Ok(env.open_text(message)?.as_str().to_owned())
}

/// Builds `GET {docuverify}/publickeys`, as JSON text.
#[wasm_bindgen(js_name = buildReadServicePublicKey)]
pub fn build_read_service_public_key_js(docuverify_url: &str) -> Result<String, JsValue> {
    to_json(&build_read_service_public_key(docuverify_url)?)
}

/// Parses the answer to `GET {docuverify}/publickeys`: the checked base64 public key.
#[wasm_bindgen(js_name = parseServicePublicKey)]
pub fn parse_service_public_key_js(
    curve: Option<String>,
    status: u16,
    headers: JsValue,
    body: &str,
) -> Result<String, JsValue> {
    let curve = curve_from_js(curve)?;
    let headers = headers_from_js(headers)?;
    Ok(parse_service_public_key(curve, status, &headers, body)?)
}

/// The open step-up challenge cap (JSON in and out, see `open_slot_json`).
#[wasm_bindgen(js_name = openSlot)]
pub fn open_slot_js(input_json: &str) -> Result<String, JsValue> {
    crate::open_slot_json(input_json).map_err(JsValue::from)
}

/// Checks metadata (JSON text of an object of strings) by the core's limits, in bytes.
#[wasm_bindgen(js_name = checkMetadata)]
pub fn check_metadata_js(json: &str) -> Result<(), JsValue> {
    crate::check_metadata_json(json).map_err(JsValue::from)
}

/// A 1Kosmos verification event (a verified webhook body), read: JSON text (see `parse_verification_event_json`).
#[wasm_bindgen(js_name = parseVerificationEvent)]
pub fn parse_verification_event_js(text: &str) -> Result<String, JsValue> {
    crate::parse_verification_event_json(text).map_err(JsValue::from)
}

/// The Salesforce Platform Event and Task of a verification event: JSON text (see `salesforce_records_json`).
#[wasm_bindgen(js_name = salesforceRecords)]
pub fn salesforce_records_js(event_text: &str, options_json: &str) -> Result<String, JsValue> {
    crate::salesforce_records_json(event_text, options_json).map_err(JsValue::from)
}
