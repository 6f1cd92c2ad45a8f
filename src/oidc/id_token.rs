//! ID token validation (OpenID Connect Core 1.0, section 3.1.3.7), with
//! the step-up checks: `acr` against what was required, `auth_time`
//! against `max_age`.

use serde_json::{Map, Value};
use subtle::ConstantTimeEq as _;

use super::authorize::PendingAuthorization;
use super::client::OidcClient;
use super::discovery::ProviderMetadata;
use super::encoding::b64url;
use super::json::{parse_text, Reader, Writer};
use super::jwks::Jwks;
use super::jws::{parse_compact, Alg};
use super::OidcError;
use crate::secret::Secret;

/// Clock skew allowed by default on `exp`, `iat`, `nbf` and `auth_time`, in seconds.
pub const DEFAULT_CLOCK_SKEW_S: u64 = 60;
/// Largest clock skew accepted, in seconds.
pub const MAX_CLOCK_SKEW_S: u64 = 600;

/// What an ID token must show to be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdTokenExpectations {
    /// The provider's issuer identifier; `iss` must equal it exactly.
    pub issuer: String,
    /// The client id; `aud` must contain it (and `azp` must be it when present
    /// or when there are several audiences).
    pub client_id: String,
    /// The nonce sent with the authorization request; `nonce` must equal it.
    pub nonce: Option<String>,
    /// The `max_age` sent; `auth_time` is then required and must be recent enough.
    pub max_age: Option<u64>,
    /// When not empty, `acr` must be one of these values.
    pub required_acr: Vec<String>,
    /// Allowed clock difference with the provider, in seconds (default 60, at most 600).
    pub clock_skew_s: u64,
    /// Audiences besides the client id that may appear in `aud`.
    /// Any other extra audience is refused.
    pub trusted_audiences: Vec<String>,
    /// When not empty, the only `alg` values accepted (e.g. the client's
    /// registered `id_token_signed_response_alg`). Supported: `RS256`,
    /// `ES256`, `EdDSA`, `Ed25519`.
    pub algorithms: Vec<String>,
    /// The access token issued with the ID token. When given and the token
    /// carries `at_hash`, the hash must match (OpenID Connect Core 1.0
    /// section 3.1.3.8). An absent `at_hash` is accepted: the code flow
    /// makes it optional, and the access token came straight from the
    /// token endpoint over TLS.
    pub access_token: Option<Secret>,
    /// The authorization code. When given and the token carries `c_hash`,
    /// the hash must match (section 3.3.2.11); an absent `c_hash` is accepted.
    pub code: Option<Secret>,
}

impl IdTokenExpectations {
    /// Expectations with only issuer and audience set, and the default skew.
    pub fn new(issuer: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            client_id: client_id.into(),
            nonce: None,
            max_age: None,
            required_acr: Vec::new(),
            clock_skew_s: DEFAULT_CLOCK_SKEW_S,
            trusted_audiences: Vec::new(),
            algorithms: Vec::new(),
            access_token: None,
            code: None,
        }
    }

    /// Reads expectations from JSON text.
    pub fn from_json(text: &str) -> Result<Self, OidcError> {
        Self::from_value(&parse_text(text, "expectations")?)
    }

    /// Reads `{ issuer, client_id, nonce?, max_age?, required_acr?,
    /// clock_skew_s?, trusted_audiences?, algorithms?, access_token?, code? }`;
    /// unknown members are refused.
    pub fn from_value(value: &Value) -> Result<Self, OidcError> {
        let r = Reader::new(value, "")?;
        r.only(&[
            "issuer",
            "client_id",
            "nonce",
            "max_age",
            "required_acr",
            "clock_skew_s",
            "trusted_audiences",
            "algorithms",
            "access_token",
            "code",
        ])?;
        Ok(Self {
            issuer: r.str("issuer")?,
            client_id: r.str("client_id")?,
            nonce: r.opt_str("nonce")?,
            max_age: r.opt_u64("max_age")?,
            required_acr: r.strings("required_acr")?,
            clock_skew_s: r.opt_u64("clock_skew_s")?.unwrap_or(DEFAULT_CLOCK_SKEW_S),
            trusted_audiences: r.strings("trusted_audiences")?,
            algorithms: r.strings("algorithms")?,
            access_token: r.opt_str("access_token")?.map(Secret::new),
            code: r.opt_str("code")?.map(Secret::new),
        })
    }

    /// The JSON form [`IdTokenExpectations::from_value`] reads.
    pub fn to_value(&self) -> Value {
        Writer::default()
            .str("issuer", &self.issuer)
            .str("client_id", &self.client_id)
            .opt_str("nonce", self.nonce.as_deref())
            .opt_u64("max_age", self.max_age)
            .strings("required_acr", &self.required_acr)
            .u64("clock_skew_s", self.clock_skew_s)
            .strings("trusted_audiences", &self.trusted_audiences)
            .strings("algorithms", &self.algorithms)
            .opt_str(
                "access_token",
                self.access_token.as_ref().map(Secret::expose),
            )
            .opt_str("code", self.code.as_ref().map(Secret::expose))
            .build()
    }

    /// The expectations that follow from an authorization this client
    /// started: the provider's issuer, the client id, and the pending
    /// authorization's nonce, `max_age` and required `acr`.
    pub fn for_authorization(
        provider: &ProviderMetadata,
        client: &OidcClient,
        pending: &PendingAuthorization,
    ) -> Self {
        Self {
            nonce: Some(pending.nonce.clone()),
            max_age: pending.max_age,
            required_acr: pending.required_acr.clone(),
            ..Self::new(provider.issuer.clone(), client.client_id.clone())
        }
    }
}

/// An ID token whose signature and claims were checked.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedIdToken {
    /// The signature algorithm used.
    pub alg: &'static str,
    /// The key id that verified it, if the token named one.
    pub kid: Option<String>,
    /// The issuer.
    pub iss: String,
    /// The subject: the provider's stable identifier of the user.
    pub sub: String,
    /// The audiences.
    pub aud: Vec<String>,
    /// The authorized party, if present.
    pub azp: Option<String>,
    /// Expiry, unix seconds.
    pub exp: u64,
    /// Issue time, unix seconds.
    pub iat: u64,
    /// When the user authenticated, unix seconds, if present.
    pub auth_time: Option<u64>,
    /// The authentication context class satisfied, if present.
    pub acr: Option<String>,
    /// The authentication methods used.
    pub amr: Vec<String>,
    /// `verified_claims` (OpenID Connect for Identity Assurance), as JSON.
    pub verified_claims: Option<Value>,
    /// Every claim of the payload, as sent.
    pub claims: Map<String, Value>,
}

impl VerifiedIdToken {
    /// `{ alg, kid?, iss, sub, aud, azp?, exp, iat, auth_time?, acr?, amr?,
    /// verified_claims?, claims }`.
    pub fn to_value(&self) -> Value {
        Writer::default()
            .str("alg", self.alg)
            .opt_str("kid", self.kid.as_deref())
            .str("iss", &self.iss)
            .str("sub", &self.sub)
            .value(
                "aud",
                Value::Array(self.aud.iter().cloned().map(Value::String).collect()),
            )
            .opt_str("azp", self.azp.as_deref())
            .u64("exp", self.exp)
            .u64("iat", self.iat)
            .opt_u64("auth_time", self.auth_time)
            .opt_str("acr", self.acr.as_deref())
            .strings("amr", &self.amr)
            .opt_value("verified_claims", self.verified_claims.clone())
            .value("claims", Value::Object(self.claims.clone()))
            .build()
    }
}

/// Validates an ID token: the JWS against `jwks`, then the claims against
/// `expected` at time `now` (unix seconds).
///
/// The signature is checked before any claim is read. Every rule that can
/// refuse a token has its own error code (see [`OidcError`]).
pub fn validate_id_token(
    token: &str,
    jwks: &Jwks,
    expected: &IdTokenExpectations,
    now: u64,
) -> Result<VerifiedIdToken, OidcError> {
    if expected.issuer.is_empty() {
        return Err(OidcError::invalid("issuer", "must not be empty"));
    }
    if expected.client_id.is_empty() {
        return Err(OidcError::invalid("client_id", "must not be empty"));
    }
    if expected.clock_skew_s > MAX_CLOCK_SKEW_S {
        return Err(OidcError::invalid(
            "clock_skew_s",
            format!("must be at most {MAX_CLOCK_SKEW_S} seconds"),
        ));
    }
    let jws = parse_compact(token)?;
    if !expected.algorithms.is_empty() && !expected.algorithms.iter().any(|a| a == jws.alg.name()) {
        return Err(OidcError::AlgNotAllowed {
            alg: jws.alg.name().to_owned(),
        });
    }
    jwks.verify(&jws)?;

    // Text first: the core parses JSON from `&str` everywhere, so one parser is compiled in.
    let payload: Value = core::str::from_utf8(&jws.payload)
        .ok()
        .and_then(|text| serde_json::from_str(text).ok())
        .ok_or_else(|| OidcError::MalformedToken("the payload is not json".into()))?;
    let Value::Object(claims) = payload else {
        return Err(OidcError::MalformedToken(
            "the payload is not a json object".into(),
        ));
    };
    let skew = expected.clock_skew_s;

    let iss = string_claim(&claims, "iss")?.ok_or(OidcError::MissingClaim("iss"))?;
    if iss != expected.issuer {
        return Err(OidcError::IssuerMismatch {
            field: "claims.iss",
        });
    }
    let sub = string_claim(&claims, "sub")?
        .filter(|s| !s.is_empty())
        .ok_or(OidcError::MissingClaim("sub"))?;

    let aud = audiences(&claims)?;
    if !aud.contains(&expected.client_id) {
        return Err(OidcError::AudienceMismatch);
    }
    if let Some(untrusted) = aud
        .iter()
        .find(|a| **a != expected.client_id && !expected.trusted_audiences.contains(a))
    {
        return Err(OidcError::UntrustedAudience(
            super::error::short(untrusted).to_owned(),
        ));
    }
    let azp = string_claim(&claims, "azp")?;
    match &azp {
        Some(azp) if *azp != expected.client_id => return Err(OidcError::AzpMismatch),
        None if aud.len() > 1 => return Err(OidcError::AzpMismatch),
        _ => {}
    }

    let exp = numeric_date(&claims, "exp")?.ok_or(OidcError::MissingClaim("exp"))?;
    if now >= exp.saturating_add(skew) {
        return Err(OidcError::Expired { exp });
    }
    let iat = numeric_date(&claims, "iat")?.ok_or(OidcError::MissingClaim("iat"))?;
    if iat > now.saturating_add(skew) {
        return Err(OidcError::IssuedInFuture { iat });
    }
    if let Some(nbf) = numeric_date(&claims, "nbf")? {
        if nbf > now.saturating_add(skew) {
            return Err(OidcError::NotYetValid { nbf });
        }
    }

    if let Some(expected_nonce) = &expected.nonce {
        let nonce = string_claim(&claims, "nonce")?.ok_or(OidcError::NonceMismatch)?;
        if !bool::from(nonce.as_bytes().ct_eq(expected_nonce.as_bytes())) {
            return Err(OidcError::NonceMismatch);
        }
    }

    let acr = string_claim(&claims, "acr")?;
    if !expected.required_acr.is_empty()
        && !acr
            .as_ref()
            .is_some_and(|acr| expected.required_acr.contains(acr))
    {
        return Err(OidcError::AcrNotSatisfied {
            acr: acr.map(|a| super::error::short(&a).to_owned()),
            required: expected.required_acr.clone(),
        });
    }

    let auth_time = numeric_date(&claims, "auth_time")?;
    if let Some(auth_time) = auth_time {
        if auth_time > now.saturating_add(skew) {
            return Err(OidcError::invalid_claim("auth_time", "is in the future"));
        }
    }
    if let Some(max_age) = expected.max_age {
        let auth_time = auth_time.ok_or(OidcError::MissingClaim("auth_time"))?;
        if now > auth_time.saturating_add(max_age).saturating_add(skew) {
            return Err(OidcError::AuthTooOld { auth_time, max_age });
        }
    }

    for (claim, value) in [
        ("at_hash", &expected.access_token),
        ("c_hash", &expected.code),
    ] {
        if let (Some(value), Some(hash)) = (value, string_claim(&claims, claim)?) {
            if !bool::from(
                left_half_hash(jws.alg, value.expose())
                    .as_bytes()
                    .ct_eq(hash.as_bytes()),
            ) {
                return Err(OidcError::HashMismatch { claim });
            }
        }
    }

    let amr = match claims.get("amr") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| OidcError::invalid_claim("amr", "is not an array of strings"))?,
        Some(_) => {
            return Err(OidcError::invalid_claim(
                "amr",
                "is not an array of strings",
            ))
        }
    };
    let verified_claims = match claims.get("verified_claims") {
        None => None,
        // The same parser as 1Kosmos IDV results: normalized, validated,
        // unknown members kept.
        Some(v @ (Value::Object(_) | Value::Array(_))) => Some(
            crate::kosmos::parse_verified_claims(v)
                .map_err(|e| OidcError::invalid_claim("verified_claims", e.to_string()))?
                .into_value(),
        ),
        Some(_) => {
            return Err(OidcError::invalid_claim(
                "verified_claims",
                "is not an object or an array of objects",
            ))
        }
    };

    Ok(VerifiedIdToken {
        alg: jws.alg.name(),
        kid: jws.kid,
        iss,
        sub,
        aud,
        azp,
        exp,
        iat,
        auth_time,
        acr,
        amr,
        verified_claims,
        claims,
    })
}

/// `at_hash` / `c_hash`: base64url of the left half of the hash of the
/// ASCII value, with the hash of the token's `alg` (SHA-256 for RS256 and
/// ES256; SHA-512 for EdDSA and Ed25519, whose only curve here is Ed25519,
/// as the OpenID Connect registry says).
fn left_half_hash(alg: Alg, value: &str) -> String {
    use sha2::Digest as _;
    match alg {
        Alg::Rs256 | Alg::Es256 => {
            let digest = sha2::Sha256::digest(value.as_bytes());
            b64url(digest.get(..16).unwrap_or_default())
        }
        Alg::EdDsa | Alg::Ed25519 => {
            let digest = sha2::Sha512::digest(value.as_bytes());
            b64url(digest.get(..32).unwrap_or_default())
        }
    }
}

fn string_claim(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<String>, OidcError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(OidcError::invalid_claim(name, "is not a string")),
    }
}

/// Largest NumericDate accepted: 2^53 - 1, the largest integer every JSON
/// reader (JavaScript included) represents exactly.
const MAX_NUMERIC_DATE: u64 = (1 << 53) - 1;

/// A NumericDate: a non-negative JSON number of seconds (fractions are
/// dropped), at most [`MAX_NUMERIC_DATE`].
fn numeric_date(claims: &Map<String, Value>, name: &'static str) -> Result<Option<u64>, OidcError> {
    let value = numeric_date_unbounded(claims, name)?;
    if value.is_some_and(|v| v > MAX_NUMERIC_DATE) {
        return Err(OidcError::invalid_claim(name, "is too large"));
    }
    Ok(value)
}

fn numeric_date_unbounded(
    claims: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<u64>, OidcError> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(v), _) => Ok(Some(v)),
            // `as` saturates on overflow; finite and non-negative is checked.
            (None, Some(f)) if f.is_finite() && f >= 0.0 => Ok(Some(f.floor() as u64)),
            _ => Err(OidcError::invalid_claim(
                name,
                "is not a non-negative number",
            )),
        },
        Some(_) => Err(OidcError::invalid_claim(name, "is not a number of seconds")),
    }
}

fn audiences(claims: &Map<String, Value>) -> Result<Vec<String>, OidcError> {
    match claims.get("aud") {
        None => Err(OidcError::MissingClaim("aud")),
        Some(Value::String(a)) => Ok(vec![a.clone()]),
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                OidcError::invalid_claim("aud", "is not a string or an array of strings")
            }),
        Some(_) => Err(OidcError::invalid_claim(
            "aud",
            "is not a string or a non-empty array of strings",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo as _;
    use crate::oidc::encoding::b64url;
    use ed25519_dalek::Signer as _;

    const NOW: u64 = 1_760_000_000;

    fn key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[9; 32])
    }

    fn jwks() -> Jwks {
        Jwks::from_value(serde_json::json!({"keys": [{
            "kty": "OKP", "crv": "Ed25519", "kid": "ed1", "use": "sig",
            "x": b64url(key().verifying_key().as_bytes())
        }]}))
        .unwrap()
    }

    fn claims() -> Value {
        serde_json::json!({
            "iss": "https://idp.example",
            "sub": "user-1",
            "aud": "client-1",
            "exp": NOW + 300,
            "iat": NOW,
            "auth_time": NOW - 10,
            "nonce": "n-1",
            "acr": "liveID push",
            "amr": ["face", "push"],
        })
    }

    fn mint(claims: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64url(br#"{"alg":"EdDSA","kid":"ed1","typ":"JWT"}"#),
            b64url(claims.to_string().as_bytes())
        );
        format!(
            "{input}.{}",
            b64url(&key().sign(input.as_bytes()).to_bytes())
        )
    }

    fn expected() -> IdTokenExpectations {
        IdTokenExpectations {
            nonce: Some("n-1".into()),
            max_age: Some(60),
            required_acr: vec!["liveID push".into()],
            ..IdTokenExpectations::new("https://idp.example", "client-1")
        }
    }

    fn outcome(claims: &Value, expected: &IdTokenExpectations, now: u64) -> &'static str {
        match validate_id_token(&mint(claims), &jwks(), expected, now) {
            Ok(_) => "ok",
            Err(e) => e.code(),
        }
    }

    fn with(changes: Value) -> Value {
        let mut c = claims();
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    }

    #[test]
    fn accepts_a_good_token_and_returns_its_claims() {
        let t = validate_id_token(&mint(&claims()), &jwks(), &expected(), NOW).unwrap();
        assert_eq!(t.alg, "EdDSA");
        assert_eq!(t.kid.as_deref(), Some("ed1"));
        assert_eq!(t.sub, "user-1");
        assert_eq!(t.aud, vec!["client-1"]);
        assert_eq!(t.acr.as_deref(), Some("liveID push"));
        assert_eq!(t.amr, vec!["face", "push"]);
        assert_eq!(t.auth_time, Some(NOW - 10));
        assert_eq!(t.claims["nonce"], "n-1");
        assert_eq!(t.verified_claims, None);
    }

    #[test]
    fn checks_every_claim_rule() {
        let e = expected();
        let cases: Vec<(Value, &str)> = vec![
            (
                serde_json::json!({"iss": "https://evil.example"}),
                "issuer_mismatch",
            ),
            (serde_json::json!({"iss": null}), "missing_claim"),
            (serde_json::json!({"iss": 1}), "invalid_claim"),
            (serde_json::json!({"sub": null}), "missing_claim"),
            (serde_json::json!({"sub": ""}), "missing_claim"),
            (serde_json::json!({"aud": "other"}), "audience_mismatch"),
            (serde_json::json!({"aud": []}), "invalid_claim"),
            (serde_json::json!({"aud": null}), "missing_claim"),
            (
                serde_json::json!({"aud": ["client-1", "other"], "azp": "client-1"}),
                "untrusted_audience",
            ),
            (serde_json::json!({"azp": "other"}), "azp_mismatch"),
            (serde_json::json!({"exp": NOW - 61}), "token_expired"),
            (serde_json::json!({"exp": NOW - 60}), "token_expired"),
            (serde_json::json!({"exp": NOW - 59}), "ok"),
            (serde_json::json!({"exp": null}), "missing_claim"),
            (serde_json::json!({"exp": "soon"}), "invalid_claim"),
            (serde_json::json!({"exp": -1}), "invalid_claim"),
            (serde_json::json!({"exp": 1.0e300}), "invalid_claim"),
            (serde_json::json!({"exp": MAX_NUMERIC_DATE}), "ok"),
            (serde_json::json!({"iat": NOW + 61}), "issued_in_future"),
            (serde_json::json!({"iat": NOW + 60}), "ok"),
            (serde_json::json!({"iat": null}), "missing_claim"),
            (serde_json::json!({"nbf": NOW + 61}), "token_not_yet_valid"),
            (serde_json::json!({"nbf": (NOW + 60) as f64 + 0.5}), "ok"),
            (serde_json::json!({"nonce": "n-2"}), "nonce_mismatch"),
            (serde_json::json!({"nonce": null}), "nonce_mismatch"),
            (serde_json::json!({"acr": "pwd"}), "acr_not_satisfied"),
            (serde_json::json!({"acr": null}), "acr_not_satisfied"),
            (serde_json::json!({"auth_time": null}), "missing_claim"),
            (
                serde_json::json!({"auth_time": NOW - 121}),
                "auth_time_too_old",
            ),
            (serde_json::json!({"auth_time": NOW - 120}), "ok"),
            (serde_json::json!({"auth_time": NOW + 61}), "invalid_claim"),
            (serde_json::json!({"amr": "face"}), "invalid_claim"),
            (serde_json::json!({"verified_claims": "x"}), "invalid_claim"),
        ];
        for (changes, want) in cases {
            assert_eq!(outcome(&with(changes.clone()), &e, NOW), want, "{changes}");
        }
    }

    #[test]
    fn several_audiences_need_azp_and_trust() {
        let mut e = expected();
        e.trusted_audiences = vec!["api".into()];
        let two = with(serde_json::json!({"aud": ["client-1", "api"]}));
        assert_eq!(outcome(&two, &e, NOW), "azp_mismatch");
        let two = with(serde_json::json!({"aud": ["client-1", "api"], "azp": "client-1"}));
        assert_eq!(outcome(&two, &e, NOW), "ok");
    }

    #[test]
    fn optional_checks_are_off_when_not_asked_for() {
        let e = IdTokenExpectations::new("https://idp.example", "client-1");
        let bare = with(serde_json::json!({"nonce": null, "acr": null, "auth_time": null}));
        assert_eq!(outcome(&bare, &e, NOW), "ok");
        let mut skewless = e.clone();
        skewless.clock_skew_s = 0;
        assert_eq!(
            outcome(&with(serde_json::json!({"exp": NOW})), &skewless, NOW),
            "token_expired"
        );
        assert_eq!(
            outcome(&with(serde_json::json!({"exp": NOW + 1})), &skewless, NOW),
            "ok"
        );
    }

    #[test]
    fn alg_allow_list_and_configuration_errors() {
        let mut e = expected();
        e.algorithms = vec!["RS256".into()];
        assert_eq!(outcome(&claims(), &e, NOW), "alg_not_allowed");
        e.algorithms = vec!["EdDSA".into()];
        assert_eq!(outcome(&claims(), &e, NOW), "ok");
        e.clock_skew_s = MAX_CLOCK_SKEW_S + 1;
        assert_eq!(outcome(&claims(), &e, NOW), "invalid_input");
    }

    #[test]
    fn keeps_verified_claims_as_json() {
        let vc = serde_json::json!({
            "verification": { "trust_framework": "nist_800_63A", "assurance_level": "ial2" },
            "claims": { "given_name": "Ada" }
        });
        let t = validate_id_token(
            &mint(&with(serde_json::json!({ "verified_claims": vc.clone() }))),
            &jwks(),
            &expected(),
            NOW,
        )
        .unwrap();
        let normalized = crate::kosmos::parse_verified_claims(&vc)
            .unwrap()
            .into_value();
        assert_eq!(t.verified_claims, Some(normalized));
        assert_eq!(t.verified_claims.unwrap()["claims"]["given_name"], "Ada");
        let bad = serde_json::json!({ "verification": 5, "claims": {} });
        let e = validate_id_token(
            &mint(&with(serde_json::json!({ "verified_claims": bad }))),
            &jwks(),
            &expected(),
            NOW,
        )
        .unwrap_err();
        assert_eq!(e.code(), "invalid_claim");
        assert!(e.to_string().contains("verification"), "{e}");
    }

    #[test]
    fn the_payload_must_be_a_json_object_and_the_signature_must_hold() {
        let input = format!("{}.{}", b64url(br#"{"alg":"EdDSA"}"#), b64url(b"[1]"));
        let t = format!(
            "{input}.{}",
            b64url(&key().sign(input.as_bytes()).to_bytes())
        );
        assert_eq!(
            validate_id_token(&t, &jwks(), &expected(), NOW)
                .unwrap_err()
                .code(),
            "malformed_token"
        );
        // Claims from another token, signature of this one.
        let good = mint(&claims());
        let other = mint(&with(serde_json::json!({"sub": "admin"})));
        let mut parts: Vec<&str> = good.split('.').collect();
        parts[1] = other.split('.').nth(1).unwrap();
        assert_eq!(
            validate_id_token(&parts.join("."), &jwks(), &expected(), NOW)
                .unwrap_err()
                .code(),
            "bad_signature"
        );
    }

    #[test]
    fn at_hash_and_c_hash_use_the_left_half_of_the_algs_hash() {
        // Known answers computed with node:crypto (createHash, base64url).
        assert_eq!(
            left_half_hash(Alg::Rs256, "jHkWEdUXMU1BwAsC4vtUsZwnNzDXGnRJP3RZaK9HgbY"),
            "nzP8GyurcyXWbcE9DGI4BQ"
        );
        assert_eq!(
            left_half_hash(Alg::Es256, "jHkWEdUXMU1BwAsC4vtUsZwnNzDXGnRJP3RZaK9HgbY"),
            "nzP8GyurcyXWbcE9DGI4BQ"
        );
        let at = "4J8UayM9qUGnNqHaqK2rpChA_M6CMUIfl5gcZqvthBE";
        let c = "vXznlBubPR11RNvIlSwIKkhrOPYsWG1UAmXIpS8zf-Q";
        assert_eq!(left_half_hash(Alg::EdDsa, "at-1"), at);
        assert_eq!(left_half_hash(Alg::Ed25519, "code-1"), c);

        let mut e = expected();
        e.access_token = Some(Secret::new("at-1"));
        e.code = Some(Secret::new("code-1"));
        let both = serde_json::json!({"at_hash": at, "c_hash": c});
        assert_eq!(outcome(&with(both), &e, NOW), "ok");
        // Absent hashes are accepted (code flow).
        assert_eq!(outcome(&claims(), &e, NOW), "ok");
        let wrong_at = serde_json::json!({"at_hash": c, "c_hash": c});
        let err = validate_id_token(&mint(&with(wrong_at)), &jwks(), &e, NOW).unwrap_err();
        assert_eq!(err.code(), "hash_mismatch");
        assert_eq!(err.field(), Some("claims.at_hash"));
        assert_eq!(err.details().unwrap()["claim"], "at_hash");
        assert!(!err.to_string().contains("at-1"), "{err}");
        let wrong_c = serde_json::json!({"at_hash": at, "c_hash": at});
        let err = validate_id_token(&mint(&with(wrong_c)), &jwks(), &e, NOW).unwrap_err();
        assert_eq!(err.field(), Some("claims.c_hash"));
        // The SHA-256 half of the right value is still wrong for EdDSA.
        let sha256_half = serde_json::json!({"at_hash": "nzP8GyurcyXWbcE9DGI4BQ"});
        e.access_token = Some(Secret::new("jHkWEdUXMU1BwAsC4vtUsZwnNzDXGnRJP3RZaK9HgbY"));
        assert_eq!(outcome(&with(sha256_half), &e, NOW), "hash_mismatch");
        assert_eq!(
            outcome(&with(serde_json::json!({"at_hash": 5})), &e, NOW),
            "invalid_claim"
        );
        // Without the access token or code, the claims are not checked.
        let unchecked = serde_json::json!({"at_hash": "x", "c_hash": "y"});
        assert_eq!(outcome(&with(unchecked), &expected(), NOW), "ok");
    }

    #[test]
    fn expectations_carry_the_tokens_to_check_in_json() {
        let v = serde_json::json!({
            "issuer": "https://idp.example", "client_id": "c",
            "access_token": "at-1", "code": "code-1"
        });
        let e = IdTokenExpectations::from_value(&v).unwrap();
        assert_eq!(e.access_token.as_ref().map(Secret::expose), Some("at-1"));
        assert!(!format!("{e:?}").contains("at-1"));
        assert_eq!(IdTokenExpectations::from_value(&e.to_value()).unwrap(), e);
    }
}
