//! The authorization request: where to send the browser, and what to keep
//! until it comes back.

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

use super::client::OidcClient;
use super::discovery::ProviderMetadata;
use super::encoding::{b64url, form_serialize};
use super::error::{sanitize, short};
use super::json::{parse_text, Reader, Writer};
use super::OidcError;
use crate::entropy::Entropy;
use crate::secret::Secret;

/// Values `prompt` may hold (OpenID Connect Core 1.0 and Prompt Create 1.0).
const PROMPT_VALUES: [&str; 5] = ["none", "login", "consent", "select_account", "create"];

/// Longest free-text parameter (`login_hint`, `ui_locales`, one acr or scope value), in bytes.
const MAX_PARAM_BYTES: usize = 1024;

/// A request for `verified_claims`, in the OpenID Connect for Identity
/// Assurance 1.0 form, placed in the ID token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VerifiedClaimsRequest {
    /// The trust framework the verification must follow (e.g. `nist_800_63A`);
    /// `None` asks for whichever the provider used.
    pub trust_framework: Option<String>,
    /// The assurance level required within that framework (e.g. `ial2`).
    pub assurance_level: Option<String>,
    /// The verified claims wanted (`given_name`, `family_name`, `birthdate`, ...); at least one.
    pub claims: Vec<String>,
    /// Whether the claims are essential (the provider should fail rather than omit them).
    pub essential: bool,
}

/// What to ask the provider for. Every field is optional; `scope` always
/// includes `openid`.
#[derive(Debug, Clone, Default)]
pub struct AuthorizationRequest {
    /// Scopes besides `openid` (which is always sent, first).
    pub scope: Vec<String>,
    /// Space-separated `prompt` values: `none`, `login`, `consent`, `select_account`, `create`.
    pub prompt: Option<String>,
    /// Seconds since the last active authentication beyond which the user must
    /// authenticate again; the ID token's `auth_time` is then checked against it.
    pub max_age: Option<u64>,
    /// Voluntary `acr_values`, in order of preference. Each value must be free of spaces.
    pub acr_values: Vec<String>,
    /// Essential `acr` values, sent in the `claims` parameter
    /// (`{"id_token":{"acr":{"essential":true,"values":[...]}}}`). Values may
    /// contain spaces (e.g. `liveID push`).
    pub essential_acr: Vec<String>,
    /// `verified_claims` to request in the ID token.
    pub verified_claims: Option<VerifiedClaimsRequest>,
    /// A raw `claims` parameter (`{"id_token": {...}, "userinfo": {...}}`),
    /// merged with what `essential_acr` and `verified_claims` add.
    pub claims: Option<Value>,
    /// A hint about the user's identifier.
    pub login_hint: Option<String>,
    /// Preferred UI languages, space-separated BCP 47 tags.
    pub ui_locales: Option<String>,
}

/// What the caller must keep, out of the URL and tamper-proof (a signed,
/// short-lived cookie or a server-side store keyed by `state`), until the
/// callback arrives.
///
/// Its JSON form ([`PendingAuthorization::to_value`]) holds the PKCE verifier
/// in clear, since the host has to store it; `Debug` redacts it.
#[derive(Clone)]
pub struct PendingAuthorization {
    /// The provider this authorization was started with.
    pub issuer: String,
    /// The redirect URI sent, repeated in the token request.
    pub redirect_uri: String,
    /// The `state` sent; the callback must carry the same.
    pub state: String,
    /// The `nonce` sent; the ID token must carry the same.
    pub nonce: String,
    /// The PKCE code verifier, sent with the code to the token endpoint.
    pub code_verifier: Secret,
    /// The `max_age` sent, if any; checked against `auth_time`.
    pub max_age: Option<u64>,
    /// The `acr` values the ID token must show: the essential ones if any were
    /// asked for, else the voluntary `acr_values`.
    pub required_acr: Vec<String>,
}

impl core::fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("issuer", &self.issuer)
            .field("redirect_uri", &self.redirect_uri)
            .field("state", &self.state)
            .field("nonce", &self.nonce)
            .field("code_verifier", &self.code_verifier)
            .field("max_age", &self.max_age)
            .field("required_acr", &self.required_acr)
            .finish()
    }
}

impl PendingAuthorization {
    /// Reads a stored pending authorization from JSON text.
    pub fn from_json(text: &str) -> Result<Self, OidcError> {
        Self::from_value(&parse_text(text, "pending")?)
    }

    /// Reads a stored pending authorization; unknown members are refused.
    pub fn from_value(value: &Value) -> Result<Self, OidcError> {
        let r = Reader::new(value, "pending")?;
        r.only(&[
            "issuer",
            "redirect_uri",
            "state",
            "nonce",
            "code_verifier",
            "max_age",
            "required_acr",
        ])?;
        Ok(Self {
            issuer: r.str("issuer")?,
            redirect_uri: r.str("redirect_uri")?,
            state: r.str("state")?,
            nonce: r.str("nonce")?,
            code_verifier: Secret::new(r.str("code_verifier")?),
            max_age: r.opt_u64("max_age")?,
            required_acr: r.strings("required_acr")?,
        })
    }

    /// The JSON form to store, the code verifier in clear.
    pub fn to_value(&self) -> Value {
        Writer::default()
            .str("issuer", &self.issuer)
            .str("redirect_uri", &self.redirect_uri)
            .str("state", &self.state)
            .str("nonce", &self.nonce)
            .str("code_verifier", self.code_verifier.expose())
            .opt_u64("max_age", self.max_age)
            .strings("required_acr", &self.required_acr)
            .build()
    }
}

impl VerifiedClaimsRequest {
    /// Reads `{ trust_framework?, assurance_level?, claims: [...], essential? }`.
    pub fn from_value(value: &Value) -> Result<Self, OidcError> {
        let r = Reader::new(value, "verified_claims")?;
        r.only(&["trust_framework", "assurance_level", "claims", "essential"])?;
        Ok(Self {
            trust_framework: r.opt_str("trust_framework")?,
            assurance_level: r.opt_str("assurance_level")?,
            claims: r.strings("claims")?,
            essential: r.opt_bool("essential")?.unwrap_or(false),
        })
    }
}

impl AuthorizationRequest {
    /// Reads an authorization request from JSON text.
    pub fn from_json(text: &str) -> Result<Self, OidcError> {
        Self::from_value(&parse_text(text, "request")?)
    }

    /// Reads an authorization request (every member optional); unknown members are refused.
    pub fn from_value(value: &Value) -> Result<Self, OidcError> {
        let r = Reader::new(value, "")?;
        r.only(&[
            "scope",
            "prompt",
            "max_age",
            "acr_values",
            "essential_acr",
            "verified_claims",
            "claims",
            "login_hint",
            "ui_locales",
        ])?;
        Ok(Self {
            scope: r.strings("scope")?,
            prompt: r.opt_str("prompt")?,
            max_age: r.opt_u64("max_age")?,
            acr_values: r.strings("acr_values")?,
            essential_acr: r.strings("essential_acr")?,
            verified_claims: r
                .raw("verified_claims")
                .map(VerifiedClaimsRequest::from_value)
                .transpose()?,
            claims: r.raw("claims").cloned(),
            login_hint: r.opt_str("login_hint")?,
            ui_locales: r.opt_str("ui_locales")?,
        })
    }
}

impl AuthorizationStart {
    /// `{ url, pending }`.
    pub fn to_value(&self) -> Value {
        Writer::default()
            .str("url", &self.url)
            .value("pending", self.pending.to_value())
            .build()
    }
}

/// The authorization URL and what to keep for the callback.
#[derive(Debug, Clone)]
pub struct AuthorizationStart {
    /// Where to redirect the browser.
    pub url: String,
    /// What to keep until the callback (never put it in the URL).
    pub pending: PendingAuthorization,
}

/// Builds the authorization request: `response_type=code` with PKCE S256,
/// fresh `state` and `nonce` from `entropy`, and the optional step-up and
/// identity-assurance parameters of `request`.
pub fn build_authorization_request(
    provider: &ProviderMetadata,
    client: &OidcClient,
    request: &AuthorizationRequest,
    entropy: &mut dyn Entropy,
) -> Result<AuthorizationStart, OidcError> {
    provider.validate()?;
    client.validate()?;
    let scope = scope_value(&request.scope)?;
    let prompt = request.prompt.as_deref().map(check_prompt).transpose()?;
    for v in &request.acr_values {
        check_token_value(v, "acr_values")?;
    }
    for v in &request.essential_acr {
        check_text(v, "essential_acr")?;
        if v.is_empty() {
            return Err(OidcError::invalid(
                "essential_acr",
                "values must not be empty",
            ));
        }
    }
    let claims = claims_parameter(request)?;
    for (value, field) in [
        (&request.login_hint, "login_hint"),
        (&request.ui_locales, "ui_locales"),
    ] {
        if let Some(v) = value {
            check_text(v, field)?;
        }
    }

    let code_verifier = random_b64url(entropy, 32)?;
    let state = random_b64url(entropy, 16)?;
    let nonce = random_b64url(entropy, 16)?;
    let code_challenge = pkce_challenge(&code_verifier);

    let max_age = request.max_age.map(|m| m.to_string());
    let acr_values = request.acr_values.join(" ");
    let mut params: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        ("client_id", &client.client_id),
        ("redirect_uri", &client.redirect_uri),
        ("scope", &scope),
        ("state", &state),
        ("nonce", &nonce),
        ("code_challenge", &code_challenge),
        ("code_challenge_method", "S256"),
    ];
    if let Some(p) = &prompt {
        params.push(("prompt", p));
    }
    if let Some(m) = &max_age {
        params.push(("max_age", m));
    }
    if !acr_values.is_empty() {
        params.push(("acr_values", &acr_values));
    }
    if let Some(c) = &claims {
        params.push(("claims", c));
    }
    if let Some(h) = &request.login_hint {
        params.push(("login_hint", h));
    }
    if let Some(l) = &request.ui_locales {
        params.push(("ui_locales", l));
    }

    let endpoint = &provider.authorization_endpoint;
    let separator = match endpoint.find('?') {
        None => "?",
        Some(_) if endpoint.ends_with('?') || endpoint.ends_with('&') => "",
        Some(_) => "&",
    };
    let url = format!("{endpoint}{separator}{}", form_serialize(&params));

    let required_acr = if request.essential_acr.is_empty() {
        request.acr_values.clone()
    } else {
        request.essential_acr.clone()
    };
    Ok(AuthorizationStart {
        url,
        pending: PendingAuthorization {
            issuer: provider.issuer.clone(),
            redirect_uri: client.redirect_uri.clone(),
            state,
            nonce,
            code_verifier: Secret::new(code_verifier),
            max_age: request.max_age,
            required_acr,
        },
    })
}

/// The PKCE S256 challenge of a verifier: base64url(SHA-256(verifier)).
pub(crate) fn pkce_challenge(verifier: &str) -> String {
    b64url(&Sha256::digest(verifier.as_bytes()))
}

fn random_b64url(entropy: &mut dyn Entropy, len: usize) -> Result<String, OidcError> {
    let mut bytes = vec![0u8; len];
    entropy
        .fill(&mut bytes)
        .map_err(|_| OidcError::EntropyUnavailable)?;
    Ok(b64url(&bytes))
}

fn scope_value(extra: &[String]) -> Result<String, OidcError> {
    let mut scope = String::from("openid");
    for s in extra {
        check_token_value(s, "scope")?;
        if s != "openid" {
            scope.push(' ');
            scope.push_str(s);
        }
    }
    Ok(scope)
}

fn check_prompt(prompt: &str) -> Result<String, OidcError> {
    let values: Vec<&str> = prompt.split(' ').filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return Err(OidcError::invalid("prompt", "must not be empty"));
    }
    if let Some(bad) = values.iter().find(|v| !PROMPT_VALUES.contains(v)) {
        return Err(OidcError::invalid(
            "prompt",
            format!(
                "`{}` is not one of `none`, `login`, `consent`, `select_account`, `create`",
                short(bad)
            ),
        ));
    }
    if values.len() > 1 && values.contains(&"none") {
        return Err(OidcError::invalid(
            "prompt",
            "`none` cannot be combined with other values",
        ));
    }
    Ok(values.join(" "))
}

/// A value of a space-delimited parameter (scope, acr_values): printable
/// ASCII without space, `"` or `\` (RFC 6749 scope-token).
fn check_token_value(v: &str, field: &str) -> Result<(), OidcError> {
    let ok = !v.is_empty()
        && v.len() <= MAX_PARAM_BYTES
        && v.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b));
    if ok {
        Ok(())
    } else {
        Err(OidcError::invalid(
            field,
            format!(
                "`{}` must be printable ascii without spaces, quotes or backslashes",
                sanitize(short(v))
            ),
        ))
    }
}

fn check_text(v: &str, field: &str) -> Result<(), OidcError> {
    if v.len() > MAX_PARAM_BYTES {
        return Err(OidcError::invalid(
            field,
            format!("must be at most {MAX_PARAM_BYTES} bytes"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(OidcError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// The `claims` parameter: the raw one, plus essential `acr` and `verified_claims`.
fn claims_parameter(request: &AuthorizationRequest) -> Result<Option<String>, OidcError> {
    let mut root = match &request.claims {
        None => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(OidcError::invalid("claims", "must be a json object")),
    };
    for (member, value) in &root {
        if member != "id_token" && member != "userinfo" {
            return Err(OidcError::invalid(
                "claims",
                format!(
                    "`{}` is not a claims target (use `id_token` or `userinfo`)",
                    short(member)
                ),
            ));
        }
        if !value.is_object() {
            return Err(OidcError::invalid(
                &format!("claims.{member}"),
                "must be a json object",
            ));
        }
    }
    let mut additions: Vec<(&str, Value)> = Vec::new();
    if !request.essential_acr.is_empty() {
        additions.push((
            "acr",
            serde_json::json!({ "essential": true, "values": request.essential_acr }),
        ));
    }
    if let Some(vc) = &request.verified_claims {
        additions.push(("verified_claims", verified_claims_request(vc)?));
    }
    if !additions.is_empty() {
        let id_token = root
            .entry("id_token")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(id_token) = id_token {
            for (name, value) in additions {
                if id_token.contains_key(name) {
                    return Err(OidcError::invalid(
                        &format!("claims.id_token.{name}"),
                        "is also set by a dedicated field; set it in one place",
                    ));
                }
                id_token.insert(name.to_owned(), value);
            }
        }
    }
    if root.is_empty() {
        Ok(None)
    } else {
        Ok(Some(Value::Object(root).to_string()))
    }
}

fn verified_claims_request(vc: &VerifiedClaimsRequest) -> Result<Value, OidcError> {
    if vc.claims.is_empty() {
        return Err(OidcError::invalid(
            "verified_claims.claims",
            "at least one claim must be requested",
        ));
    }
    let value_or_null = |v: &Option<String>, field: &str| -> Result<Value, OidcError> {
        match v {
            None => Ok(Value::Null),
            Some(v) if v.is_empty() => Err(OidcError::invalid(field, "must not be empty")),
            Some(v) => {
                check_text(v, field)?;
                Ok(serde_json::json!({ "value": v }))
            }
        }
    };
    let mut verification = Map::new();
    verification.insert(
        "trust_framework".into(),
        value_or_null(&vc.trust_framework, "verified_claims.trust_framework")?,
    );
    if vc.assurance_level.is_some() {
        verification.insert(
            "assurance_level".into(),
            value_or_null(&vc.assurance_level, "verified_claims.assurance_level")?,
        );
    }
    let mut claims = Map::new();
    for name in &vc.claims {
        if name.is_empty() {
            return Err(OidcError::invalid(
                "verified_claims.claims",
                "claim names must not be empty",
            ));
        }
        check_text(name, "verified_claims.claims")?;
        let request = if vc.essential {
            serde_json::json!({ "essential": true })
        } else {
            Value::Null
        };
        claims.insert(name.clone(), request);
    }
    Ok(serde_json::json!({ "verification": verification, "claims": claims }))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::entropy::EntropyUnavailable;
    use crate::error::ErrorInfo as _;
    use crate::oidc::encoding::form_parse;

    pub(crate) use crate::entropy::testing::Counter;

    struct NoEntropy;
    impl Entropy for NoEntropy {
        fn fill(&mut self, _: &mut [u8]) -> Result<(), EntropyUnavailable> {
            Err(EntropyUnavailable)
        }
    }

    pub(crate) fn provider() -> ProviderMetadata {
        ProviderMetadata::from_value(&serde_json::json!({
            "issuer": "https://idp.example",
            "authorization_endpoint": "https://idp.example/authorize?tenant=t1",
            "token_endpoint": "https://idp.example/token",
            "jwks_uri": "https://idp.example/jwks"
        }))
        .unwrap()
    }

    pub(crate) fn client() -> OidcClient {
        OidcClient::from_value(&serde_json::json!({
            "client_id": "client 1",
            "client_secret": "s3cr3t:&=",
            "redirect_uri": "https://app.example/v1/oidc/callback"
        }))
        .unwrap()
    }

    fn query(url: &str) -> Vec<(String, String)> {
        form_parse(url.split_once('?').unwrap().1).unwrap()
    }

    fn get<'a>(q: &'a [(String, String)], k: &str) -> Option<&'a str> {
        q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn pkce_matches_rfc_7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn builds_a_minimal_request() {
        let start = build_authorization_request(
            &provider(),
            &client(),
            &AuthorizationRequest::default(),
            &mut Counter(0),
        )
        .unwrap();
        assert!(start
            .url
            .starts_with("https://idp.example/authorize?tenant=t1&response_type=code&"));
        let q = query(&start.url);
        assert_eq!(get(&q, "tenant"), Some("t1"));
        assert_eq!(get(&q, "client_id"), Some("client 1"));
        assert_eq!(
            get(&q, "redirect_uri"),
            Some("https://app.example/v1/oidc/callback")
        );
        assert_eq!(get(&q, "scope"), Some("openid"));
        assert_eq!(get(&q, "code_challenge_method"), Some("S256"));
        let p = &start.pending;
        assert_eq!(p.code_verifier.expose().len(), 43);
        assert_eq!(p.state.len(), 22);
        assert_eq!(p.nonce.len(), 22);
        assert_ne!(p.state, p.nonce);
        assert_eq!(get(&q, "state"), Some(p.state.as_str()));
        assert_eq!(get(&q, "nonce"), Some(p.nonce.as_str()));
        assert_eq!(
            get(&q, "code_challenge"),
            Some(pkce_challenge(p.code_verifier.expose()).as_str())
        );
        assert!(!start.url.contains(p.code_verifier.expose()));
        for absent in ["prompt", "max_age", "acr_values", "claims"] {
            assert_eq!(get(&q, absent), None);
        }
        assert!(!format!("{p:?}").contains(p.code_verifier.expose()));
        let json = p.to_value();
        assert_eq!(json["code_verifier"], p.code_verifier.expose());
        let back = PendingAuthorization::from_value(&json).unwrap();
        assert_eq!(back.to_value(), json);
        assert_eq!(start.to_value()["pending"], json);
    }

    #[test]
    fn builds_a_step_up_request_with_claims() {
        let request = AuthorizationRequest::from_value(&serde_json::json!({
            "scope": ["profile", "openid"],
            "prompt": "login consent",
            "max_age": 0,
            "acr_values": ["urn:1kosmos:liveid"],
            "essential_acr": ["liveID push"],
            "verified_claims": {
                "trust_framework": "nist_800_63A",
                "assurance_level": "ial2",
                "claims": ["given_name", "birthdate"],
                "essential": true
            },
            "claims": { "userinfo": { "email": null } },
            "login_hint": "ada@example.com"
        }))
        .unwrap();
        let start =
            build_authorization_request(&provider(), &client(), &request, &mut Counter(7)).unwrap();
        let q = query(&start.url);
        assert_eq!(get(&q, "scope"), Some("openid profile"));
        assert_eq!(get(&q, "prompt"), Some("login consent"));
        assert_eq!(get(&q, "max_age"), Some("0"));
        assert_eq!(get(&q, "acr_values"), Some("urn:1kosmos:liveid"));
        assert_eq!(get(&q, "login_hint"), Some("ada@example.com"));
        let claims: Value = serde_json::from_str(get(&q, "claims").unwrap()).unwrap();
        assert_eq!(
            claims,
            serde_json::json!({
                "userinfo": { "email": null },
                "id_token": {
                    "acr": { "essential": true, "values": ["liveID push"] },
                    "verified_claims": {
                        "verification": {
                            "trust_framework": { "value": "nist_800_63A" },
                            "assurance_level": { "value": "ial2" }
                        },
                        "claims": {
                            "given_name": { "essential": true },
                            "birthdate": { "essential": true }
                        }
                    }
                }
            })
        );
        assert_eq!(start.pending.required_acr, vec!["liveID push"]);
        assert_eq!(start.pending.max_age, Some(0));
    }

    #[test]
    fn voluntary_acr_values_are_required_when_no_essential_ones() {
        let request = AuthorizationRequest {
            acr_values: vec!["a".into(), "b".into()],
            ..AuthorizationRequest::default()
        };
        let start =
            build_authorization_request(&provider(), &client(), &request, &mut Counter(0)).unwrap();
        assert_eq!(start.pending.required_acr, vec!["a", "b"]);
        assert_eq!(get(&query(&start.url), "acr_values"), Some("a b"));
    }

    #[test]
    fn rejects_bad_requests() {
        let cases: Vec<(Value, &str)> = vec![
            (serde_json::json!({ "prompt": "none login" }), "prompt"),
            (serde_json::json!({ "prompt": "later" }), "prompt"),
            (
                serde_json::json!({ "acr_values": ["liveID push"] }),
                "acr_values",
            ),
            (serde_json::json!({ "scope": ["a\"b"] }), "scope"),
            (
                serde_json::json!({ "essential_acr": [""] }),
                "essential_acr",
            ),
            (serde_json::json!({ "claims": [] }), "claims"),
            (
                serde_json::json!({ "claims": { "access_token": {} } }),
                "claims",
            ),
            (
                serde_json::json!({ "claims": { "id_token": 1 } }),
                "claims.id_token",
            ),
            (
                serde_json::json!({ "essential_acr": ["x"], "claims": { "id_token": { "acr": null } } }),
                "claims.id_token.acr",
            ),
            (
                serde_json::json!({ "verified_claims": { "claims": [] } }),
                "verified_claims.claims",
            ),
            (serde_json::json!({ "login_hint": "a\r\nb" }), "login_hint"),
        ];
        for (json, field) in cases {
            let request = AuthorizationRequest::from_value(&json).unwrap();
            let e = build_authorization_request(&provider(), &client(), &request, &mut Counter(0))
                .unwrap_err();
            assert_eq!(
                (e.code(), e.field()),
                ("invalid_input", Some(field)),
                "{json}"
            );
        }
        let e = build_authorization_request(
            &provider(),
            &client(),
            &AuthorizationRequest::default(),
            &mut NoEntropy,
        )
        .unwrap_err();
        assert_eq!(e.code(), "entropy_unavailable");
    }
}
