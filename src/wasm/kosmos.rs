//! 1Kosmos request building, result parsing and the envelope, for JS.
//!
//! Inputs use the JSON field names of the core (`base_url`, `api_key`,
//! `document_types`, ...). `headers` are `[name, value][]` pairs; `now` is
//! whole unix seconds.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{error_to_js, from_js, headers_from_js, to_js, unix_seconds, JsResult};
use crate::{
    build_create_idv_session, build_create_step_up, build_read_idv_result,
    build_read_service_public_key, build_read_step_up_result, parse_idv_result, parse_idv_session,
    parse_service_public_key, parse_step_up_challenge, parse_step_up_result, parse_verified_claims,
    BlockIdConfig, BlockIdTenant, Call, CreateDocumentSession, CreateIdvSession, CreateStepUp,
    Curve, Envelope, Error, KosmosError, Operation, PrivateKey, Profile, ProfileConfig, PublicKey,
    SystemEntropy, VerifyV1Config,
};

/// Builds the verify-v1 "create IDV session" request (with a fresh `idempotency-key`).
#[wasm_bindgen(js_name = buildCreateIdvSession)]
pub fn build_create_idv_session_js(config: JsValue, request: JsValue) -> JsResult {
    let config: VerifyV1Config = from_js_json(config, "config")?;
    let request: CreateIdvSession = from_js_json(request, "request")?;
    to_js(&build_create_idv_session(
        &config,
        &request,
        &mut SystemEntropy,
    )?)
}

/// Parses the answer to "create IDV session": `{ session_id, session_url }`.
#[wasm_bindgen(js_name = parseIdvSession)]
pub fn parse_idv_session_js(status: u16, headers: JsValue, body: &str) -> JsResult {
    let headers = headers_from_js(headers)?;
    to_js(&parse_idv_session(status, &headers, body)?)
}

/// Builds the verify-v1 "read IDV result" request.
#[wasm_bindgen(js_name = buildReadIdvResult)]
pub fn build_read_idv_result_js(config: JsValue, session_id: &str) -> JsResult {
    let config: VerifyV1Config = from_js_json(config, "config")?;
    to_js(&build_read_idv_result(&config, session_id)?)
}

/// Parses the answer to "read IDV result": `{ status, ial_level, verified_claims }`.
#[wasm_bindgen(js_name = parseIdvResult)]
pub fn parse_idv_result_js(status: u16, headers: JsValue, body: &str) -> JsResult {
    let headers = headers_from_js(headers)?;
    to_js(&parse_idv_result(status, &headers, body)?)
}

/// Builds the verify-v1 "create step-up challenge" request (with a fresh `idempotency-key`).
#[wasm_bindgen(js_name = buildCreateStepUp)]
pub fn build_create_step_up_js(config: JsValue, request: JsValue) -> JsResult {
    let config: VerifyV1Config = from_js_json(config, "config")?;
    let request: CreateStepUp = from_js_json(request, "request")?;
    to_js(&build_create_step_up(
        &config,
        &request,
        &mut SystemEntropy,
    )?)
}

/// Parses the answer to "create step-up challenge": `{ challenge_id, challenge_url }`.
#[wasm_bindgen(js_name = parseStepUpChallenge)]
pub fn parse_step_up_challenge_js(status: u16, headers: JsValue, body: &str) -> JsResult {
    let headers = headers_from_js(headers)?;
    to_js(&parse_step_up_challenge(status, &headers, body)?)
}

/// Builds the verify-v1 "read step-up result" request.
#[wasm_bindgen(js_name = buildReadStepUpResult)]
pub fn build_read_step_up_result_js(config: JsValue, challenge_id: &str) -> JsResult {
    let config: VerifyV1Config = from_js_json(config, "config")?;
    to_js(&build_read_step_up_result(&config, challenge_id)?)
}

/// Parses the answer to "read step-up result": `{ status, match_result, confidence }`.
#[wasm_bindgen(js_name = parseStepUpResult)]
pub fn parse_step_up_result_js(status: u16, headers: JsValue, body: &str) -> JsResult {
    let headers = headers_from_js(headers)?;
    to_js(&parse_step_up_result(status, &headers, body)?)
}

/// Validates and normalizes a `verified_claims` value (OpenID Connect for
/// Identity Assurance 1.0); errors name the offending path.
#[wasm_bindgen(js_name = parseVerifiedClaims)]
pub fn parse_verified_claims_js(value: JsValue) -> JsResult {
    let value: serde_json::Value = from_js(value, "verified_claims")?;
    let parsed = parse_verified_claims(&value)
        .map_err(|e| error_to_js(&KosmosError::malformed(e.to_string()).into()))?;
    to_js(&parsed)
}

/// Reads a typed argument through `serde_json::Value`: one `serde_wasm_bindgen`
/// instantiation for all the input types, which keeps the wasm small.
pub(super) fn from_js_json<T: serde::de::DeserializeOwned>(
    value: JsValue,
    arg: &str,
) -> Result<T, JsValue> {
    let json: serde_json::Value = from_js(value, arg)?;
    serde_json::from_value(json)
        .map_err(|e| Error::usage(format!("`{arg}` is not valid: {e}"), Some(arg)).into())
}

fn curve_from_js(curve: Option<String>) -> Result<Curve, JsValue> {
    match curve {
        None => Ok(Curve::default()),
        Some(name) => {
            serde_json::from_value(serde_json::Value::String(name.clone())).map_err(|_| {
                Error::usage(
                    format!("`curve` `{name}` is not secp256k1 or p256"),
                    Some("curve"),
                )
                .into()
            })
        }
    }
}

/// A new envelope key pair: `{ curve, privateKey, publicKey }` (base64; the
/// public key in the 64-byte form of the `publickey` header).
#[wasm_bindgen(js_name = generateKeyPair)]
pub fn generate_key_pair_js(curve: Option<String>) -> JsResult {
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
    to_js(&Pair {
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

fn envelope_from_js(keys: JsValue) -> Result<Envelope, JsValue> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Keys {
        #[serde(default)]
        curve: Curve,
        private_key: crate::Secret,
        peer_public_key: String,
    }
    let keys: Keys = from_js_json(keys, "keys")?;
    let ours = PrivateKey::from_base64(keys.curve, keys.private_key.expose())?;
    let theirs = PublicKey::from_base64(keys.curve, &keys.peer_public_key)?;
    Ok(Envelope::agree(&ours, &theirs)?)
}

/// Seals UTF-8 text: base64(iv || ciphertext || tag). `keys`:
/// `{ curve?, privateKey, peerPublicKey }`.
#[wasm_bindgen(js_name = envelopeSeal)]
pub fn envelope_seal_js(keys: JsValue, plaintext: &str) -> Result<String, JsValue> {
    let env = envelope_from_js(keys)?;
    Ok(env.seal(plaintext.as_bytes(), &mut SystemEntropy)?)
}

/// Opens a sealed message to UTF-8 text. Tampered, truncated or foreign
/// messages throw `decrypt_failed` or `bad_ciphertext`.
#[wasm_bindgen(js_name = envelopeOpen)]
pub fn envelope_open_js(keys: JsValue, message: &str) -> Result<String, JsValue> {
    let env = envelope_from_js(keys)?;
    Ok(env.open_text(message)?.as_str().to_owned())
}

/// Builds `GET {docuverify}/publickeys`.
#[wasm_bindgen(js_name = buildReadServicePublicKey)]
pub fn build_read_service_public_key_js(docuverify_url: &str) -> JsResult {
    to_js(&build_read_service_public_key(docuverify_url)?)
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

fn tenant_from_js(config: JsValue) -> Result<BlockIdTenant, JsValue> {
    let config: BlockIdConfig = from_js_json(config, "config")?;
    Ok(BlockIdTenant::new(config)?)
}

/// Builds the blockid-tenant `document_share_session/create` request (sealed).
#[wasm_bindgen(js_name = buildCreateDocumentSession)]
pub fn build_create_document_session_js(config: JsValue, request: JsValue, now: f64) -> JsResult {
    let tenant = tenant_from_js(config)?;
    let request: CreateDocumentSession = from_js_json(request, "request")?;
    to_js(&tenant.build_create_document_session(
        &request,
        &mut SystemEntropy,
        unix_seconds(now)?,
    )?)
}

/// Parses the answer to `document_share_session/create`: `{ session_id, session_url }`.
#[wasm_bindgen(js_name = parseDocumentSession)]
pub fn parse_document_session_js(
    config: JsValue,
    status: u16,
    headers: JsValue,
    body: &str,
) -> JsResult {
    let tenant = tenant_from_js(config)?;
    let headers = headers_from_js(headers)?;
    to_js(&tenant.parse_document_session(status, &headers, body)?)
}

/// Builds the blockid-tenant `document_share_session/result` request (sealed).
#[wasm_bindgen(js_name = buildReadDocumentSessionResult)]
pub fn build_read_document_session_result_js(
    config: JsValue,
    session_id: &str,
    now: f64,
) -> JsResult {
    let tenant = tenant_from_js(config)?;
    to_js(&tenant.build_read_document_session_result(
        session_id,
        &mut SystemEntropy,
        unix_seconds(now)?,
    )?)
}

/// Parses the answer to `document_share_session/result`: `{ status, ial_level, verified_claims }`.
#[wasm_bindgen(js_name = parseDocumentSessionResult)]
pub fn parse_document_session_result_js(
    config: JsValue,
    status: u16,
    headers: JsValue,
    body: &str,
) -> JsResult {
    let tenant = tenant_from_js(config)?;
    let headers = headers_from_js(headers)?;
    to_js(&tenant.parse_document_session_result(status, &headers, body)?)
}

/// A checked profile (verify-v1 or blockid-tenant), held in wasm memory so
/// that keys are read and the envelope key agreed once.
#[wasm_bindgen(js_name = KosmosProfile)]
pub struct KosmosProfile(pub(super) std::rc::Rc<Profile>);

#[wasm_bindgen(js_class = KosmosProfile)]
impl KosmosProfile {
    /// `verify-v1` or `blockid-tenant`.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.0.name().to_owned()
    }

    /// Builds the request of `call` (`{ operation, ...input }`).
    pub fn build(&self, call: JsValue, now: f64) -> JsResult {
        let call: Call = from_js_json(call, "call")?;
        to_js(
            &self
                .0
                .build(&call, &mut SystemEntropy, unix_seconds(now)?)?,
        )
    }

    /// Parses the answer to `operation` into the same result shapes for both profiles.
    pub fn parse(&self, operation: &str, status: u16, headers: JsValue, body: &str) -> JsResult {
        let op = operation_from_js(operation)?;
        let headers = headers_from_js(headers)?;
        to_js(&self.0.parse(op, status, &headers, body)?)
    }
}

pub(super) fn operation_from_js(operation: &str) -> Result<Operation, JsValue> {
    serde_json::from_value(serde_json::Value::String(operation.to_owned())).map_err(|_| {
        Error::usage(
            format!(
                "`operation` `{operation}` is not create_idv_session, read_idv_result, create_step_up or read_step_up_result"
            ),
            Some("operation"),
        )
        .into()
    })
}

/// Checks a profile configuration (`{ profile: "verify-v1" | "blockid-tenant", ... }`).
#[wasm_bindgen(js_name = createProfile)]
pub fn create_profile_js(config: JsValue) -> Result<KosmosProfile, JsValue> {
    let config: ProfileConfig = from_js_json(config, "config")?;
    Ok(KosmosProfile(std::rc::Rc::new(Profile::new(config)?)))
}
