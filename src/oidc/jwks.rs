//! The provider's public keys (JWKS), key selection and signature verification.

use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::discovery::ProviderMetadata;
use super::encoding::b64url_decode;
use super::error::{short, KeyRestriction};
use super::json::{Reader, Writer};
use super::jws::{Alg, Jws};
use super::OidcError;
use crate::http::HttpRequest;

/// Longest JWKS document accepted, in bytes.
pub const MAX_JWKS_BYTES: usize = 64 * 1024;
/// Most keys accepted in one JWKS.
pub const MAX_JWKS_KEYS: usize = 32;
/// Smallest RSA modulus accepted, in bits. The largest is 4096.
pub const MIN_RSA_BITS: usize = 2048;

/// One JSON Web Key: the members this library reads. Others are ignored.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Jwk {
    kty: String,
    kid: Option<String>,
    use_: Option<String>,
    alg: Option<String>,
    key_ops: Option<Vec<String>>,
    crv: Option<String>,
    n: Option<String>,
    e: Option<String>,
    x: Option<String>,
    y: Option<String>,
    /// Whether private key material (`d`) is present: never expected in a
    /// published JWKS. Only its presence is kept, so such a key is refused
    /// and the material never echoed.
    has_private: bool,
}

impl Jwk {
    fn from_value(value: &Value, index: usize) -> Result<Self, OidcError> {
        let prefix = format!("keys[{index}]");
        let r = Reader::new(value, &prefix)?;
        Ok(Self {
            kty: r.str("kty")?,
            kid: r.opt_str("kid")?,
            use_: r.opt_str("use")?,
            alg: r.opt_str("alg")?,
            key_ops: r.raw("key_ops").map(|_| r.strings("key_ops")).transpose()?,
            crv: r.opt_str("crv")?,
            n: r.opt_str("n")?,
            e: r.opt_str("e")?,
            x: r.opt_str("x")?,
            y: r.opt_str("y")?,
            has_private: r.raw("d").is_some(),
        })
    }

    fn to_value(&self) -> Value {
        let w = Writer::default()
            .str("kty", &self.kty)
            .opt_str("kid", self.kid.as_deref())
            .opt_str("use", self.use_.as_deref())
            .opt_str("alg", self.alg.as_deref());
        let w = match &self.key_ops {
            Some(ops) => w.value(
                "key_ops",
                Value::Array(ops.iter().cloned().map(Value::String).collect()),
            ),
            None => w,
        };
        w.opt_str("crv", self.crv.as_deref())
            .opt_str("n", self.n.as_deref())
            .opt_str("e", self.e.as_deref())
            .opt_str("x", self.x.as_deref())
            .opt_str("y", self.y.as_deref())
            .build()
    }
}

/// A provider's JSON Web Key Set, checked for shape and size.
///
/// Keys of types this library does not use (`oct`, `X25519`, ...) are kept
/// but never selected. [`Jwks::to_value`] gives back `{"keys": [...]}` with
/// the public members it reads (a private `d` is never echoed).
#[derive(Debug, Clone, PartialEq)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

impl Jwks {
    /// Reads a JWKS from its JSON text.
    pub fn from_json(text: &str) -> Result<Self, OidcError> {
        if text.len() > MAX_JWKS_BYTES {
            return Err(OidcError::malformed(format!(
                "the jwks exceeds {MAX_JWKS_BYTES} bytes"
            )));
        }
        let value: Value =
            serde_json::from_str(text).map_err(|e| OidcError::malformed(format!("jwks: {e}")))?;
        Self::from_value(value)
    }

    /// Reads a JWKS from a parsed JSON value (`{"keys": [...]}`).
    pub fn from_value(value: Value) -> Result<Self, OidcError> {
        let Some(Value::Array(raw)) = value.get("keys") else {
            return Err(OidcError::malformed("the jwks has no `keys` array"));
        };
        if raw.len() > MAX_JWKS_KEYS {
            return Err(OidcError::malformed(format!(
                "the jwks has more than {MAX_JWKS_KEYS} keys"
            )));
        }
        let keys = raw
            .iter()
            .enumerate()
            .map(|(i, k)| {
                Jwk::from_value(k, i).map_err(|e| match e {
                    OidcError::InvalidInput { field, message } => {
                        OidcError::malformed(format!("jwks `{field}` {message}"))
                    }
                    other => other,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { keys })
    }

    /// `{"keys": [...]}` with the members this library reads, to cache.
    pub fn to_value(&self) -> Value {
        Writer::default()
            .value(
                "keys",
                Value::Array(self.keys.iter().map(Jwk::to_value).collect()),
            )
            .build()
    }

    /// How many keys the set holds.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Verifies the signature of `jws` with the right key.
    ///
    /// With a `kid`, the keys of that `kid` whose type fits the algorithm are
    /// tried; without one, every key whose `kty` (and `crv`) fits is tried.
    /// A key whose `use`, `alg` or `key_ops` forbids the verification is
    /// never used; when every fitting key is forbidden, the reason is reported.
    pub(crate) fn verify(&self, jws: &Jws<'_>) -> Result<(), OidcError> {
        let alg = jws.alg;
        let candidates: Vec<&Jwk> = match &jws.kid {
            Some(kid) => {
                let by_kid: Vec<&Jwk> = self
                    .keys
                    .iter()
                    .filter(|k| k.kid.as_deref() == Some(kid.as_str()))
                    .collect();
                if by_kid.is_empty() {
                    return Err(OidcError::NoMatchingKey {
                        kid: Some(short(kid).to_owned()),
                    });
                }
                let fitting: Vec<&Jwk> = by_kid.into_iter().filter(|k| k.fits(alg)).collect();
                if fitting.is_empty() {
                    return Err(OidcError::KeyTypeMismatch {
                        kid: short(kid).to_owned(),
                        alg: alg.name().to_owned(),
                    });
                }
                fitting
            }
            None => self.keys.iter().filter(|k| k.fits(alg)).collect(),
        };
        let mut first_refusal = None;
        let mut permitted = Vec::new();
        for key in candidates {
            match key.permits(alg) {
                Ok(()) => permitted.push(key),
                Err(e) => {
                    first_refusal.get_or_insert(e);
                }
            }
        }
        if permitted.is_empty() {
            return Err(first_refusal.unwrap_or(OidcError::NoMatchingKey { kid: None }));
        }
        let mut failure: Option<OidcError> = None;
        for key in permitted {
            match key.verify(alg, jws.signing_input, &jws.signature) {
                Ok(()) => return Ok(()),
                // A bad signature under one key says more than an unusable other key.
                Err(OidcError::BadSignature) => failure = Some(OidcError::BadSignature),
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        Err(failure.unwrap_or(OidcError::BadSignature))
    }
}

impl Jwk {
    fn fits(&self, alg: Alg) -> bool {
        match alg {
            Alg::Rs256 => self.kty == "RSA",
            Alg::Es256 => self.kty == "EC" && self.crv.as_deref() == Some("P-256"),
            Alg::EdDsa | Alg::Ed25519 => {
                self.kty == "OKP" && self.crv.as_deref() == Some("Ed25519")
            }
        }
    }

    fn kid(&self) -> Option<String> {
        self.kid.as_deref().map(|k| short(k).to_owned())
    }

    fn permits(&self, alg: Alg) -> Result<(), OidcError> {
        let forbidden = |restriction| OidcError::KeyForbidden {
            kid: self.kid(),
            restriction,
        };
        if self.use_.as_deref().is_some_and(|u| u != "sig") {
            return Err(forbidden(KeyRestriction::Use));
        }
        if let Some(key_alg) = self.alg.as_deref() {
            // `EdDSA` and `Ed25519` name the same signature over an Ed25519 key.
            let same = key_alg == alg.name()
                || (matches!(alg, Alg::EdDsa | Alg::Ed25519)
                    && matches!(key_alg, "EdDSA" | "Ed25519"));
            if !same {
                return Err(forbidden(KeyRestriction::Alg));
            }
        }
        if let Some(ops) = &self.key_ops {
            if !ops.iter().any(|op| op == "verify") {
                return Err(forbidden(KeyRestriction::KeyOps));
            }
        }
        if self.has_private {
            return Err(self.invalid("it contains private key material"));
        }
        Ok(())
    }

    fn invalid(&self, message: &str) -> OidcError {
        OidcError::InvalidKey {
            kid: self.kid(),
            message: message.to_owned(),
        }
    }

    fn member(&self, value: &Option<String>, name: &str) -> Result<Vec<u8>, OidcError> {
        value
            .as_deref()
            .and_then(b64url_decode)
            .ok_or_else(|| self.invalid(&format!("`{name}` is missing or not base64url")))
    }

    fn verify(&self, alg: Alg, input: &[u8], signature: &[u8]) -> Result<(), OidcError> {
        match alg {
            Alg::Rs256 => self.verify_rs256(input, signature),
            Alg::Es256 => self.verify_es256(input, signature),
            Alg::EdDsa | Alg::Ed25519 => self.verify_ed25519(input, signature),
        }
    }

    fn verify_rs256(&self, input: &[u8], signature: &[u8]) -> Result<(), OidcError> {
        use rsa::traits::PublicKeyParts as _;
        let n = rsa::BigUint::from_bytes_be(&self.member(&self.n, "n")?);
        let e = rsa::BigUint::from_bytes_be(&self.member(&self.e, "e")?);
        let bits = n.bits();
        if bits < MIN_RSA_BITS {
            return Err(self.invalid(&format!(
                "its rsa modulus has {bits} bits, below the {MIN_RSA_BITS} required"
            )));
        }
        let key = rsa::RsaPublicKey::new(n, e).map_err(|_| {
            self.invalid(
                "it is not a usable rsa public key (modulus over 4096 bits, or a bad exponent)",
            )
        })?;
        if signature.len() != key.size() {
            return Err(OidcError::BadSignature);
        }
        let digest = Sha256::digest(input);
        key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
            .map_err(|_| OidcError::BadSignature)
    }

    fn verify_es256(&self, input: &[u8], signature: &[u8]) -> Result<(), OidcError> {
        use p256::ecdsa::signature::Verifier as _;
        let x = self.member(&self.x, "x")?;
        let y = self.member(&self.y, "y")?;
        if x.len() != 32 || y.len() != 32 {
            return Err(self.invalid("p-256 coordinates must be 32 bytes each"));
        }
        let mut sec1 = Vec::with_capacity(65);
        sec1.push(0x04);
        sec1.extend_from_slice(&x);
        sec1.extend_from_slice(&y);
        let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
            .map_err(|_| self.invalid("it is not a point on p-256"))?;
        // JWS ES256 signatures are r || s, 64 bytes; DER is refused here.
        let signature =
            p256::ecdsa::Signature::from_slice(signature).map_err(|_| OidcError::BadSignature)?;
        key.verify(input, &signature)
            .map_err(|_| OidcError::BadSignature)
    }

    fn verify_ed25519(&self, input: &[u8], signature: &[u8]) -> Result<(), OidcError> {
        let x: [u8; 32] = self
            .member(&self.x, "x")?
            .try_into()
            .map_err(|_| self.invalid("an ed25519 public key must be 32 bytes"))?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&x)
            .map_err(|_| self.invalid("it is not a valid ed25519 public key"))?;
        let signature =
            ed25519_dalek::Signature::from_slice(signature).map_err(|_| OidcError::BadSignature)?;
        key.verify_strict(input, &signature)
            .map_err(|_| OidcError::BadSignature)
    }
}

/// Builds `GET {jwks_uri}`.
pub fn build_jwks_request(provider: &ProviderMetadata) -> Result<HttpRequest, OidcError> {
    provider.validate()?;
    Ok(HttpRequest {
        method: "GET",
        url: provider.jwks_uri.clone(),
        headers: vec![(
            "accept".into(),
            "application/jwk-set+json, application/json".into(),
        )],
        body: None,
    })
}

/// Reads the JWKS the host fetched.
pub fn parse_jwks(status: u16, body: &str) -> Result<Jwks, OidcError> {
    if !(200..300).contains(&status) {
        return Err(OidcError::UnexpectedStatus {
            what: "jwks",
            status,
        });
    }
    Jwks::from_json(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo as _;
    use crate::oidc::encoding::b64url;
    use crate::oidc::jws::parse_compact;
    use ed25519_dalek::Signer as _;

    fn ed_key(seed: u8) -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
    }

    fn ed_jwk(seed: u8, extra: Value) -> Value {
        let mut jwk = serde_json::json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(ed_key(seed).verifying_key().as_bytes()),
        });
        if let (Some(j), Value::Object(extra)) = (jwk.as_object_mut(), extra) {
            j.extend(extra);
        }
        jwk
    }

    fn sign(seed: u8, header: &Value) -> String {
        let input = format!(
            "{}.{}",
            b64url(header.to_string().as_bytes()),
            b64url(b"{}")
        );
        let sig = ed_key(seed).sign(input.as_bytes());
        format!("{input}.{}", b64url(&sig.to_bytes()))
    }

    fn check(jwks: Value, header: Value, seed: u8) -> Result<(), OidcError> {
        let jwks = Jwks::from_value(jwks)?;
        let token = sign(seed, &header);
        jwks.verify(&parse_compact(&token)?)
    }

    fn code(r: Result<(), OidcError>) -> &'static str {
        r.map_or_else(|e| e.code(), |()| "ok")
    }

    #[test]
    fn selects_by_kid_or_by_type() {
        let jwks = serde_json::json!({ "keys": [
            { "kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB" },
            ed_jwk(1, serde_json::json!({ "kid": "a", "use": "sig" })),
            ed_jwk(2, serde_json::json!({ "kid": "b", "alg": "EdDSA", "key_ops": ["verify"] })),
        ]});
        assert_eq!(
            code(check(
                jwks.clone(),
                serde_json::json!({"alg":"EdDSA","kid":"a"}),
                1
            )),
            "ok"
        );
        assert_eq!(
            code(check(
                jwks.clone(),
                serde_json::json!({"alg":"Ed25519","kid":"b"}),
                2
            )),
            "ok"
        );
        assert_eq!(
            code(check(
                jwks.clone(),
                serde_json::json!({"alg":"EdDSA","kid":"a"}),
                2
            )),
            "bad_signature"
        );
        // No kid: every Ed25519 key is tried.
        assert_eq!(
            code(check(jwks.clone(), serde_json::json!({"alg":"EdDSA"}), 2)),
            "ok"
        );
        assert_eq!(
            code(check(jwks.clone(), serde_json::json!({"alg":"EdDSA"}), 3)),
            "bad_signature"
        );
        assert_eq!(
            code(check(
                jwks.clone(),
                serde_json::json!({"alg":"EdDSA","kid":"zz"}),
                1
            )),
            "no_matching_key"
        );
        assert_eq!(
            code(check(
                jwks.clone(),
                serde_json::json!({"alg":"EdDSA","kid":"r"}),
                1
            )),
            "key_type_mismatch"
        );
        assert_eq!(
            code(check(
                serde_json::json!({"keys":[]}),
                serde_json::json!({"alg":"EdDSA"}),
                1
            )),
            "no_matching_key"
        );
    }

    #[test]
    fn honours_use_alg_and_key_ops() {
        let one = |extra: Value| serde_json::json!({ "keys": [ed_jwk(1, extra)] });
        let header = serde_json::json!({"alg": "EdDSA"});
        assert_eq!(
            code(check(
                one(serde_json::json!({"use":"enc"})),
                header.clone(),
                1
            )),
            "key_use_forbidden"
        );
        assert_eq!(
            code(check(
                one(serde_json::json!({"alg":"ES256"})),
                header.clone(),
                1
            )),
            "key_alg_mismatch"
        );
        assert_eq!(
            code(check(
                one(serde_json::json!({"key_ops":["sign"]})),
                header.clone(),
                1
            )),
            "key_ops_forbidden"
        );
        assert_eq!(
            code(check(
                one(serde_json::json!({"d":"AAAA"})),
                header.clone(),
                1
            )),
            "invalid_key"
        );
        assert_eq!(
            code(check(
                one(serde_json::json!({"x":"AAAA"})),
                header.clone(),
                1
            )),
            "invalid_key"
        );
        // A forbidden key next to a permitted one: the permitted one is used.
        let two = serde_json::json!({ "keys": [
            ed_jwk(1, serde_json::json!({"use":"enc"})),
            ed_jwk(1, serde_json::json!({"use":"sig"})),
        ]});
        assert_eq!(code(check(two, header, 1)), "ok");
    }

    #[test]
    fn refuses_malformed_sets() {
        for bad in [
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!({"keys": {}}),
            serde_json::json!({"keys": [1]}),
            serde_json::json!({"keys": [{"kty": 1}]}),
            serde_json::json!({"keys": [{"kty": "EC", "kid": 5}]}),
            serde_json::json!({"keys": vec![serde_json::json!({"kty":"OKP"}); MAX_JWKS_KEYS + 1]}),
        ] {
            assert_eq!(
                Jwks::from_value(bad.clone()).unwrap_err().code(),
                "malformed_response",
                "{bad}"
            );
        }
        assert_eq!(parse_jwks(404, "").unwrap_err().code(), "unexpected_status");
        let ok = parse_jwks(200, r#"{"keys":[{"kty":"oct","k":"AAAA"}]}"#).unwrap();
        assert_eq!(ok.len(), 1);
        let private = Jwks::from_value(
            serde_json::json!({"keys":[ed_jwk(1, serde_json::json!({"d":"secret"}))]}),
        )
        .unwrap();
        assert!(!private.to_value().to_string().contains("secret"));
    }

    #[test]
    fn rejects_short_and_malformed_rsa_and_ec_keys() {
        let rs = |n: &str| {
            let jwks =
                Jwks::from_value(serde_json::json!({"keys":[{"kty":"RSA","n":n,"e":"AQAB"}]}))
                    .unwrap();
            let t = format!(
                "{}.e30.{}",
                b64url(br#"{"alg":"RS256"}"#),
                b64url(&[1u8; 256])
            );
            jwks.verify(&parse_compact(&t).unwrap()).unwrap_err()
        };
        let e = rs(&b64url(&[0xffu8; 128]));
        assert_eq!(e.code(), "invalid_key");
        assert!(e.to_string().contains("1024 bits"), "{e}");
        let e = rs(&b64url(&[0xffu8; 600]));
        assert_eq!(e.code(), "invalid_key");
        assert_eq!(rs(&b64url(&[0xffu8; 256])).code(), "bad_signature");

        let ec = |x: Vec<u8>, sig: Vec<u8>| {
            let jwks = Jwks::from_value(serde_json::json!({"keys":[{"kty":"EC","crv":"P-256","x":b64url(&x),"y":b64url(&[1u8;32])}]})).unwrap();
            let t = format!("{}.e30.{}", b64url(br#"{"alg":"ES256"}"#), b64url(&sig));
            jwks.verify(&parse_compact(&t).unwrap()).unwrap_err().code()
        };
        assert_eq!(ec(vec![1u8; 31], vec![1u8; 64]), "invalid_key");
        assert_eq!(
            ec(vec![1u8; 32], vec![1u8; 64]),
            "invalid_key",
            "not on the curve"
        );
    }
}
