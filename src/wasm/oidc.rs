//! OpenID Connect federation and RFC 9470 step-up challenges, for JS.
//!
//! The order a host follows (the Worker's `/v1/oidc/start` and
//! `/v1/oidc/callback`): `buildOidcAuthorization` -> keep `pending` in a
//! signed, short-lived cookie or a store -> redirect to `url`; on the
//! callback `parseOidcCallback` -> `buildOidcTokenRequest` -> fetch ->
//! `parseOidcTokenResponse` -> `validateIdToken` with `oidcExpectations`
//! (plus the access token and code, for `at_hash` / `c_hash`); then, when
//! claims are needed that the ID token lacks, `buildOidcUserInfoRequest` ->
//! fetch -> `parseOidcUserInfoResponse` with the ID token's `sub`.
//!
//! Arguments cross as plain JS values read into `serde_json::Value` and then
//! by the core's own readers (one compiled path for every shape), so a bad
//! member is an `invalid_input` error naming it.

use serde_json::Value;
use wasm_bindgen::prelude::*;

use super::convert::{from_js, headers_from_js, to_js, unix_seconds, JsResult};
use crate::{
    build_authorization_request, build_discovery_request, build_jwks_request, build_token_request,
    build_userinfo_request, parse_authn_challenge, parse_callback, parse_discovery, parse_jwks,
    parse_token_response, parse_userinfo_response, validate_id_token, AuthnChallenge,
    AuthorizationRequest, AuthorizationResponse, IdTokenExpectations, Jwks, OidcClient, OidcError,
    PendingAuthorization, ProviderMetadata, Secret, SystemEntropy,
};

/// Reads a JS argument as JSON (`undefined` becomes `null`).
fn json_arg(value: JsValue, arg: &str) -> Result<Value, JsValue> {
    if value.is_undefined() {
        return Ok(Value::Null);
    }
    from_js(value, arg)
}

/// Renames a top-level `invalid_input` field after the argument it came from.
fn in_arg(arg: &str) -> impl Fn(OidcError) -> JsValue + '_ {
    move |e| match e {
        OidcError::InvalidInput { field, message } if !field.starts_with(arg) => {
            OidcError::InvalidInput {
                field: format!("{arg}.{field}"),
                message,
            }
            .into()
        }
        other => other.into(),
    }
}

fn provider_arg(value: JsValue) -> Result<ProviderMetadata, JsValue> {
    ProviderMetadata::from_value(&json_arg(value, "provider")?).map_err(in_arg("provider"))
}

fn client_arg(value: JsValue) -> Result<OidcClient, JsValue> {
    OidcClient::from_value(&json_arg(value, "client")?).map_err(in_arg("client"))
}

fn pending_arg(value: JsValue) -> Result<PendingAuthorization, JsValue> {
    PendingAuthorization::from_value(&json_arg(value, "pending")?).map_err(in_arg("pending"))
}

/// Builds `GET {issuer}/.well-known/openid-configuration`.
#[wasm_bindgen(js_name = buildOidcDiscoveryRequest)]
pub fn build_oidc_discovery_request_js(issuer: &str) -> JsResult {
    to_js(&build_discovery_request(issuer)?)
}

/// Reads a discovery document; its `issuer` must equal `issuer`.
#[wasm_bindgen(js_name = parseOidcDiscovery)]
pub fn parse_oidc_discovery_js(status: u16, body: &str, issuer: &str) -> JsResult {
    to_js(&parse_discovery(status, body, issuer)?.to_value())
}

/// Builds `GET {jwks_uri}` for a provider (discovered or written by hand).
#[wasm_bindgen(js_name = buildOidcJwksRequest)]
pub fn build_oidc_jwks_request_js(provider: JsValue) -> JsResult {
    to_js(&build_jwks_request(&provider_arg(provider)?)?)
}

/// Reads a JWKS answer; returns the checked set (`{ keys }`), to cache.
#[wasm_bindgen(js_name = parseOidcJwks)]
pub fn parse_oidc_jwks_js(status: u16, body: &str) -> JsResult {
    to_js(&parse_jwks(status, body)?.to_value())
}

/// Builds the authorization URL: `{ url, pending }`. Keep `pending` out of the URL.
#[wasm_bindgen(js_name = buildOidcAuthorization)]
pub fn build_oidc_authorization_js(
    provider: JsValue,
    client: JsValue,
    request: JsValue,
) -> JsResult {
    let provider = provider_arg(provider)?;
    let client = client_arg(client)?;
    let request = match json_arg(request, "request")? {
        Value::Null => AuthorizationRequest::default(),
        value => AuthorizationRequest::from_value(&value).map_err(in_arg("request"))?,
    };
    let start = build_authorization_request(&provider, &client, &request, &mut SystemEntropy)?;
    to_js(&start.to_value())
}

/// Reads the callback URL (or its query, or a `form_post` body): `{ code, iss? }`.
#[wasm_bindgen(js_name = parseOidcCallback)]
pub fn parse_oidc_callback_js(input: &str, provider: JsValue, pending: JsValue) -> JsResult {
    let provider = provider_arg(provider)?;
    let pending = pending_arg(pending)?;
    to_js(&parse_callback(input, &provider, &pending)?.to_value())
}

/// Builds the token request exchanging `code` with the PKCE verifier. `now`
/// (unix seconds) and fresh randomness go into a `private_key_jwt` assertion.
#[wasm_bindgen(js_name = buildOidcTokenRequest)]
pub fn build_oidc_token_request_js(
    provider: JsValue,
    client: JsValue,
    pending: JsValue,
    code: &str,
    now: f64,
) -> JsResult {
    let provider = provider_arg(provider)?;
    let client = client_arg(client)?;
    let pending = pending_arg(pending)?;
    let response = AuthorizationResponse {
        code: Secret::new(code),
        iss: None,
    };
    to_js(&build_token_request(
        &provider,
        &client,
        &pending,
        &response,
        unix_seconds(now)?,
        &mut SystemEntropy,
    )?)
}

/// Reads the token endpoint's answer: `{ access_token, token_type, id_token, ... }`.
#[wasm_bindgen(js_name = parseOidcTokenResponse)]
pub fn parse_oidc_token_response_js(status: u16, body: &str) -> JsResult {
    to_js(&parse_token_response(status, body)?.to_value())
}

/// The ID token expectations that follow from an authorization this client started.
#[wasm_bindgen(js_name = oidcExpectations)]
pub fn oidc_expectations_js(provider: JsValue, client: JsValue, pending: JsValue) -> JsResult {
    let expectations = IdTokenExpectations::for_authorization(
        &provider_arg(provider)?,
        &client_arg(client)?,
        &pending_arg(pending)?,
    );
    to_js(&expectations.to_value())
}

/// Validates an ID token against a JWKS (object or JSON text) and expectations at `now`.
#[wasm_bindgen(js_name = validateIdToken)]
pub fn validate_id_token_js(
    id_token: &str,
    jwks: JsValue,
    expectations: JsValue,
    now: f64,
) -> JsResult {
    let jwks = match jwks.as_string() {
        Some(text) => Jwks::from_json(&text)?,
        None => Jwks::from_value(json_arg(jwks, "jwks")?)?,
    };
    let expectations = IdTokenExpectations::from_value(&json_arg(expectations, "expectations")?)
        .map_err(in_arg("expectations"))?;
    let token = validate_id_token(id_token, &jwks, &expectations, unix_seconds(now)?)?;
    to_js(&token.to_value())
}

/// Builds `GET {userinfo_endpoint}` with the access token as a Bearer credential.
#[wasm_bindgen(js_name = buildOidcUserInfoRequest)]
pub fn build_oidc_userinfo_request_js(provider: JsValue, access_token: &str) -> JsResult {
    to_js(&build_userinfo_request(
        &provider_arg(provider)?,
        access_token,
    )?)
}

/// Reads the UserInfo answer (`headers` as `[name, value]` pairs); its `sub`
/// must be `sub`, the ID token's. Returns `{ sub, verified_claims?, claims }`.
#[wasm_bindgen(js_name = parseOidcUserInfoResponse)]
pub fn parse_oidc_userinfo_response_js(
    status: u16,
    headers: JsValue,
    body: &str,
    sub: &str,
) -> JsResult {
    let headers = headers_from_js(headers)?;
    to_js(&parse_userinfo_response(status, &headers, body, sub)?.to_value())
}

/// Builds an RFC 9470 `WWW-Authenticate` value.
#[wasm_bindgen(js_name = buildAuthnChallenge)]
pub fn build_authn_challenge_js(challenge: JsValue) -> Result<String, JsValue> {
    let challenge = AuthnChallenge::from_value(&json_arg(challenge, "challenge")?)
        .map_err(in_arg("challenge"))?;
    Ok(challenge.to_header_value()?)
}

/// Reads an RFC 9470 step-up challenge out of a `WWW-Authenticate` value.
#[wasm_bindgen(js_name = parseAuthnChallenge)]
pub fn parse_authn_challenge_js(header_value: &str) -> JsResult {
    to_js(&parse_authn_challenge(header_value)?.to_value())
}
