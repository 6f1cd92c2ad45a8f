//! The token request (authorization code + PKCE verifier) and its answer.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;

use super::authorize::PendingAuthorization;
use super::callback::AuthorizationResponse;
use super::client::{OidcClient, TokenEndpointAuthMethod};
use super::client_assertion::{ClientAssertionAudience, CLIENT_ASSERTION_TYPE};
use super::discovery::ProviderMetadata;
use super::encoding::{form_encode, form_serialize};
use super::error::sanitize;
use super::json::Writer;
use super::OidcError;
use crate::entropy::Entropy;
use crate::http::HttpRequest;
use crate::secret::Secret;

/// Longest token response accepted, in bytes.
pub const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// Builds `POST {token_endpoint}` exchanging the code: `grant_type=authorization_code`,
/// `code`, `redirect_uri` and `code_verifier`, with the client authenticated
/// as `client.token_endpoint_auth_method` says.
///
/// With `private_key_jwt` the body also carries `client_id`,
/// `client_assertion_type` ([`CLIENT_ASSERTION_TYPE`]) and
/// `client_assertion`: a JWT signed with `client.private_jwk`, `iss` = `sub` =
/// the client id, `aud` = the token endpoint URL (or the issuer, as
/// `client.client_assertion_audience` says), a fresh 128-bit `jti` drawn from
/// `entropy`, `iat` = `now` (unix seconds) and `exp` = `now` + 60. Other
/// methods use neither `now` nor `entropy`.
pub fn build_token_request(
    provider: &ProviderMetadata,
    client: &OidcClient,
    pending: &PendingAuthorization,
    response: &AuthorizationResponse,
    now: u64,
    entropy: &mut dyn Entropy,
) -> Result<HttpRequest, OidcError> {
    provider.validate()?;
    client.validate()?;
    if pending.issuer != provider.issuer {
        return Err(OidcError::invalid(
            "pending.issuer",
            "this authorization was started with another provider",
        ));
    }
    let code = response.code.expose();
    if code.is_empty() {
        return Err(OidcError::invalid("code", "must not be empty"));
    }
    let assertion: String;
    let mut params: Vec<(&str, &str)> = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", &pending.redirect_uri),
        ("code_verifier", pending.code_verifier.expose()),
    ];
    let mut headers = vec![
        (
            "content-type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ),
        ("accept".to_owned(), "application/json".to_owned()),
    ];
    let secret = || {
        client.client_secret.as_ref().ok_or_else(|| {
            OidcError::invalid(
                "client_secret",
                "is required by `client_secret_basic` and `client_secret_post`",
            )
        })
    };
    match client.token_endpoint_auth_method {
        TokenEndpointAuthMethod::ClientSecretBasic => {
            // RFC 6749 section 2.3.1: each part form-urlencoded before base64.
            let secret = secret()?;
            let credentials = Secret::new(format!(
                "{}:{}",
                form_encode(&client.client_id),
                form_encode(secret.expose())
            ));
            headers.push((
                "authorization".to_owned(),
                format!("Basic {}", STANDARD.encode(credentials.expose())),
            ));
        }
        TokenEndpointAuthMethod::ClientSecretPost => {
            params.push(("client_id", &client.client_id));
            params.push(("client_secret", secret()?.expose()));
        }
        TokenEndpointAuthMethod::None => params.push(("client_id", &client.client_id)),
        TokenEndpointAuthMethod::PrivateKeyJwt => {
            let key = client.private_jwk.as_ref().ok_or_else(|| {
                OidcError::invalid("private_jwk", "is required by `private_key_jwt`")
            })?;
            let audience = match client.client_assertion_audience {
                ClientAssertionAudience::TokenEndpoint => &provider.token_endpoint,
                ClientAssertionAudience::Issuer => &provider.issuer,
            };
            assertion = key.client_assertion(&client.client_id, audience, now, entropy)?;
            params.push(("client_id", &client.client_id));
            params.push(("client_assertion_type", CLIENT_ASSERTION_TYPE));
            params.push(("client_assertion", &assertion));
        }
    }
    Ok(HttpRequest {
        method: "POST",
        url: provider.token_endpoint.clone(),
        headers,
        body: Some(form_serialize(&params)),
    })
}

/// The token endpoint's answer. Its JSON form ([`TokenResponse::to_value`])
/// holds the tokens in clear, for the host; `Debug` redacts them.
#[derive(Clone)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: Secret,
    /// The token type, usually `Bearer`.
    pub token_type: String,
    /// The ID token, still to be validated with [`crate::validate_id_token`].
    pub id_token: String,
    /// Seconds until the access token expires, if said.
    pub expires_in: Option<u64>,
    /// A refresh token, if one was issued.
    pub refresh_token: Option<Secret>,
    /// The granted scope, if the provider said.
    pub scope: Option<String>,
}

impl TokenResponse {
    /// `{ access_token, token_type, id_token, expires_in?, refresh_token?, scope? }`.
    pub fn to_value(&self) -> Value {
        Writer::default()
            .str("access_token", self.access_token.expose())
            .str("token_type", &self.token_type)
            .str("id_token", &self.id_token)
            .opt_u64("expires_in", self.expires_in)
            .opt_str(
                "refresh_token",
                self.refresh_token.as_ref().map(Secret::expose),
            )
            .opt_str("scope", self.scope.as_deref())
            .build()
    }
}

impl core::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("id_token", &"[REDACTED]")
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .finish()
    }
}

/// Reads the token endpoint's answer. A non-2xx answer becomes
/// [`OidcError::TokenEndpoint`] with the OAuth `error` when the body has one.
pub fn parse_token_response(status: u16, body: &str) -> Result<TokenResponse, OidcError> {
    if body.len() > MAX_TOKEN_RESPONSE_BYTES {
        return Err(OidcError::malformed(format!(
            "the token response exceeds {MAX_TOKEN_RESPONSE_BYTES} bytes"
        )));
    }
    if !(200..300).contains(&status) {
        let json: Option<Value> = serde_json::from_str(body).ok();
        let text = |name: &str| {
            json.as_ref()
                .and_then(|j| j.get(name))
                .and_then(Value::as_str)
                .map(sanitize)
        };
        let error = text("error");
        let retryable =
            status >= 500 || status == 429 || error.as_deref() == Some("temporarily_unavailable");
        return Err(OidcError::TokenEndpoint {
            status,
            error,
            description: text("error_description"),
            retryable,
        });
    }
    let json: Value = serde_json::from_str(body)
        .map_err(|e| OidcError::malformed(format!("token response: {e}")))?;
    let Value::Object(map) = json else {
        return Err(OidcError::malformed(
            "the token response is not a json object",
        ));
    };
    let string = |name: &str, required: bool| -> Result<Option<String>, OidcError> {
        match map.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            None | Some(Value::Null) if !required => Ok(None),
            None | Some(Value::Null) => Err(OidcError::malformed(format!(
                "the token response has no `{name}`{}",
                if name == "id_token" {
                    " (was `openid` in the scope?)"
                } else {
                    ""
                }
            ))),
            Some(_) => Err(OidcError::malformed(format!(
                "the token response `{name}` is not a non-empty string"
            ))),
        }
    };
    let access_token = string("access_token", true)?.unwrap_or_default();
    let token_type = string("token_type", true)?.unwrap_or_default();
    let id_token = string("id_token", true)?.unwrap_or_default();
    let refresh_token = string("refresh_token", false)?;
    let scope = string("scope", false)?;
    let expires_in = match map.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => n.as_u64(),
        // Some providers send it as a string of digits.
        Some(Value::String(s)) => s.parse::<u64>().ok(),
        Some(_) => None,
    };
    if map.get("expires_in").is_some_and(|v| !v.is_null()) && expires_in.is_none() {
        return Err(OidcError::malformed(
            "the token response `expires_in` is not a whole number of seconds",
        ));
    }
    Ok(TokenResponse {
        access_token: Secret::new(access_token),
        token_type,
        id_token,
        expires_in,
        refresh_token: refresh_token.map(Secret::new),
        scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entropy::testing::Counter;
    use crate::entropy::{Entropy, EntropyUnavailable};
    use crate::error::ErrorInfo as _;
    use crate::oidc::authorize::tests::{client, provider};
    use crate::oidc::client_assertion::tests::{ed25519_jwk, es256_jwk};
    use crate::oidc::encoding::{b64url_decode, form_parse};

    fn pending() -> PendingAuthorization {
        PendingAuthorization::from_value(&serde_json::json!({
            "issuer": "https://idp.example",
            "redirect_uri": "https://app.example/v1/oidc/callback",
            "state": "s",
            "nonce": "n",
            "code_verifier": "dBjftJeZ4CVP-mJ92IZPjpkcXNFYQjsh2sWxGLdo2fE"
        }))
        .unwrap()
    }

    fn code() -> AuthorizationResponse {
        AuthorizationResponse {
            code: Secret::new("SplxlOBeZQQYbYS6WxSbIA+/="),
            iss: None,
        }
    }

    fn form(req: &HttpRequest) -> Vec<(String, String)> {
        form_parse(req.body.as_deref().unwrap()).unwrap()
    }

    #[test]
    fn client_secret_basic_encodes_then_base64s() {
        let req = build_token_request(
            &provider(),
            &client(),
            &pending(),
            &code(),
            0,
            &mut Counter(0),
        )
        .unwrap();
        assert_eq!(req.method, "POST");
        assert_eq!(req.url, "https://idp.example/token");
        assert_eq!(
            req.header("content-type"),
            Some("application/x-www-form-urlencoded")
        );
        // "client 1" : "s3cr3t:&=" each form-urlencoded first.
        let expected = STANDARD.encode("client+1:s3cr3t%3A%26%3D");
        assert_eq!(
            req.header("authorization"),
            Some(format!("Basic {expected}").as_str())
        );
        assert_eq!(
            req.body.as_deref(),
            Some(
                "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA%2B%2F%3D\
                 &redirect_uri=https%3A%2F%2Fapp.example%2Fv1%2Foidc%2Fcallback\
                 &code_verifier=dBjftJeZ4CVP-mJ92IZPjpkcXNFYQjsh2sWxGLdo2fE"
            )
        );
        assert!(!format!("{req:?}").contains("s3cr3t"));
    }

    #[test]
    fn client_secret_post_and_public_clients() {
        let mut c = client();
        c.token_endpoint_auth_method = TokenEndpointAuthMethod::ClientSecretPost;
        let req =
            build_token_request(&provider(), &c, &pending(), &code(), 0, &mut Counter(0)).unwrap();
        assert_eq!(req.header("authorization"), None);
        let f = form(&req);
        assert!(f.contains(&("client_id".into(), "client 1".into())));
        assert!(f.contains(&("client_secret".into(), "s3cr3t:&=".into())));
        assert!(f.contains(&("code".into(), "SplxlOBeZQQYbYS6WxSbIA+/=".into())));

        c.token_endpoint_auth_method = TokenEndpointAuthMethod::None;
        let f = form(
            &build_token_request(&provider(), &c, &pending(), &code(), 0, &mut Counter(0)).unwrap(),
        );
        assert!(f.contains(&("client_id".into(), "client 1".into())));
        assert!(!f.iter().any(|(k, _)| k == "client_secret"));

        c.token_endpoint_auth_method = TokenEndpointAuthMethod::ClientSecretPost;
        c.client_secret = None;
        let e = build_token_request(&provider(), &c, &pending(), &code(), 0, &mut Counter(0))
            .unwrap_err();
        assert_eq!(e.field(), Some("client_secret"));
    }

    fn get<'a>(f: &'a [(String, String)], k: &str) -> Option<&'a str> {
        f.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    fn key_client(jwk: Value, audience: Option<&str>) -> OidcClient {
        let mut v = serde_json::json!({
            "client_id": "client 1",
            "redirect_uri": "https://app.example/v1/oidc/callback",
            "token_endpoint_auth_method": "private_key_jwt",
            "private_jwk": jwk
        });
        if let Some(a) = audience {
            v["client_assertion_audience"] = a.into();
        }
        OidcClient::from_value(&v).unwrap()
    }

    #[test]
    fn private_key_jwt_sends_a_signed_assertion() {
        use p256::ecdsa::signature::Verifier as _;
        let req = build_token_request(
            &provider(),
            &key_client(es256_jwk(), None),
            &pending(),
            &code(),
            1_700_000_000,
            &mut Counter(0),
        )
        .unwrap();
        assert_eq!(req.header("authorization"), None);
        let f = form(&req);
        let names: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "grant_type",
                "code",
                "redirect_uri",
                "code_verifier",
                "client_id",
                "client_assertion_type",
                "client_assertion"
            ]
        );
        assert_eq!(get(&f, "client_id"), Some("client 1"));
        assert_eq!(
            get(&f, "client_assertion_type"),
            Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        );
        let token = get(&f, "client_assertion").unwrap();
        let (input, sig) = token.rsplit_once('.').unwrap();
        let claims: Value =
            serde_json::from_slice(&b64url_decode(input.split_once('.').unwrap().1).unwrap())
                .unwrap();
        assert_eq!(claims["iss"], "client 1");
        assert_eq!(claims["sub"], "client 1");
        assert_eq!(claims["aud"], "https://idp.example/token");
        assert_eq!(claims["iat"], 1_700_000_000u64);
        assert_eq!(claims["exp"], 1_700_000_060u64);
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let sig = p256::ecdsa::Signature::from_slice(&b64url_decode(sig).unwrap()).unwrap();
        key.verifying_key().verify(input.as_bytes(), &sig).unwrap();

        // The issuer as audience, on request; an EdDSA key.
        let req = build_token_request(
            &provider(),
            &key_client(ed25519_jwk(), Some("issuer")),
            &pending(),
            &code(),
            10,
            &mut Counter(0),
        )
        .unwrap();
        let f = form(&req);
        let token = get(&f, "client_assertion").unwrap();
        let claims: Value =
            serde_json::from_slice(&b64url_decode(token.split('.').nth(1).unwrap()).unwrap())
                .unwrap();
        assert_eq!(claims["aud"], "https://idp.example");
    }

    #[test]
    fn private_key_jwt_without_entropy_or_key_fails_cleanly() {
        struct Dry;
        impl Entropy for Dry {
            fn fill(&mut self, _: &mut [u8]) -> Result<(), EntropyUnavailable> {
                Err(EntropyUnavailable)
            }
        }
        let c = key_client(es256_jwk(), None);
        let e = build_token_request(&provider(), &c, &pending(), &code(), 0, &mut Dry).unwrap_err();
        assert_eq!(e.code(), "entropy_unavailable");
        // A client built in Rust without a key is refused, not signed.
        let mut c = client();
        c.token_endpoint_auth_method = TokenEndpointAuthMethod::PrivateKeyJwt;
        let e = build_token_request(&provider(), &c, &pending(), &code(), 0, &mut Counter(0))
            .unwrap_err();
        assert_eq!(e.field(), Some("private_jwk"));
        // The other methods never draw randomness.
        assert!(
            build_token_request(&provider(), &client(), &pending(), &code(), 0, &mut Dry).is_ok()
        );
    }

    #[test]
    fn parses_a_token_response() {
        let t = parse_token_response(
            200,
            r#"{"access_token":"at-1","token_type":"Bearer","id_token":"a.b.c","expires_in":"3600","refresh_token":"rt-1"}"#,
        )
        .unwrap();
        assert_eq!(t.access_token.expose(), "at-1");
        assert_eq!(t.id_token, "a.b.c");
        assert_eq!(t.expires_in, Some(3600));
        let debug = format!("{t:?}");
        assert!(!debug.contains("at-1") && !debug.contains("rt-1") && !debug.contains("a.b.c"));
        let json = t.to_value();
        assert_eq!(json["access_token"], "at-1");
        assert_eq!(json["refresh_token"], "rt-1");
    }

    #[test]
    fn rejects_incomplete_answers_and_surfaces_errors() {
        for body in [
            r#"{"access_token":"at","token_type":"Bearer"}"#,
            r#"{"access_token":"","token_type":"Bearer","id_token":"x"}"#,
            r#"{"access_token":"at","token_type":"Bearer","id_token":"x","expires_in":-1}"#,
            "[]",
            "not json",
        ] {
            assert_eq!(
                parse_token_response(200, body).unwrap_err().code(),
                "malformed_response",
                "{body}"
            );
        }
        let e = parse_token_response(
            400,
            r#"{"error":"invalid_grant","error_description":"code expired"}"#,
        )
        .unwrap_err();
        assert_eq!(e.code(), "token_endpoint_error");
        assert!(!e.retryable());
        assert_eq!(e.details().unwrap()["error"], "invalid_grant");
        let e = parse_token_response(503, "<html>").unwrap_err();
        assert!(e.retryable());
        assert_eq!(e.details().unwrap()["error"], Value::Null);
    }
}
