//! `private_key_jwt` client authentication (OpenID Connect Core 1.0 section 9,
//! RFC 7523): the client signs a short-lived JWT with its own private key.
//!
//! Only ES256 (P-256) and EdDSA (Ed25519) client keys are supported.

use serde_json::Value;
use zeroize::Zeroizing;

use super::encoding::{b64url, b64url_decode};
use super::json::{Reader, Writer};
use super::OidcError;
use crate::entropy::Entropy;

/// The `client_assertion_type` sent with a `private_key_jwt` assertion.
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Seconds a client assertion is valid: `exp` = `iat` + this.
pub const CLIENT_ASSERTION_LIFETIME_S: u64 = 60;

/// Random bytes in a client assertion's `jti` (128 bits).
const JTI_BYTES: usize = 16;

/// What a client assertion's `aud` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClientAssertionAudience {
    /// The token endpoint URL (OpenID Connect Core section 9; the default).
    #[default]
    TokenEndpoint,
    /// The provider's issuer identifier, for providers that want it instead.
    Issuer,
}

impl ClientAssertionAudience {
    /// Reads `token_endpoint` or `issuer`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "token_endpoint" => Some(Self::TokenEndpoint),
            "issuer" => Some(Self::Issuer),
            _ => None,
        }
    }
}

#[derive(Clone)]
enum SigningKey {
    Es256(Box<p256::ecdsa::SigningKey>),
    /// The key and the `alg` name to send (`EdDSA`, or `Ed25519` when the JWK says so).
    Ed25519(Box<ed25519_dalek::SigningKey>, &'static str),
}

/// A client's private signing key, read from a private JWK (EC P-256 or OKP
/// Ed25519, with `d`). The key material is wiped on drop and never shown by
/// `Debug` or in errors.
#[derive(Clone)]
pub struct ClientKey {
    kid: Option<String>,
    key: SigningKey,
}

impl core::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientKey")
            .field("alg", &self.alg())
            .field("kid", &self.kid)
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl ClientKey {
    /// Reads a private JWK. `field` names it in errors (e.g. `private_jwk`).
    ///
    /// Accepted: `{ kty: "EC", crv: "P-256", x, y, d }` and
    /// `{ kty: "OKP", crv: "Ed25519", x, d }`, with optional `kid` and `alg`
    /// (`ES256`; `EdDSA` or `Ed25519`); other members are ignored. The public
    /// members must match `d`.
    pub fn from_jwk(value: &Value, field: &str) -> Result<Self, OidcError> {
        let r = Reader::new(value, field)?;
        let kty = r.str("kty")?;
        let crv = r.opt_str("crv")?.unwrap_or_default();
        let alg = r.opt_str("alg")?;
        let b64 = |name: &str| {
            r.raw(name)
                .and_then(Value::as_str)
                .and_then(b64url_decode)
                .unwrap_or_default()
        };
        // `d` goes straight into a buffer wiped on drop.
        let d = Zeroizing::new(b64("d"));
        if d.len() != 32 {
            return Err(bad(
                &r,
                "d",
                "is required: the 32-byte private key, base64url (a public key is not enough)",
            ));
        }
        let not_a_key = || bad(&r, "d", "is not a valid private key for this curve");
        let (key, public) = match (kty.as_str(), crv.as_str(), alg.as_deref()) {
            ("EC", "P-256", None | Some("ES256")) => {
                let key = p256::ecdsa::SigningKey::from_slice(&d).map_err(|_| not_a_key())?;
                let point = key.verifying_key().to_encoded_point(false);
                let public = point.as_bytes().get(1..).map(<[u8]>::to_vec);
                (SigningKey::Es256(Box::new(key)), public)
            }
            ("OKP", "Ed25519", None | Some("EdDSA" | "Ed25519")) => {
                let key =
                    ed25519_dalek::SigningKey::try_from(d.as_slice()).map_err(|_| not_a_key())?;
                let public = Some(key.verifying_key().as_bytes().to_vec());
                let name = if alg.as_deref() == Some("Ed25519") {
                    "Ed25519"
                } else {
                    "EdDSA"
                };
                (SigningKey::Ed25519(Box::new(key), name), public)
            }
            ("EC", "P-256", _) | ("OKP", "Ed25519", _) => {
                return Err(bad(
                    &r,
                    "alg",
                    "does not fit the key (`ES256` for P-256, `EdDSA` for Ed25519)",
                ))
            }
            _ => {
                return Err(bad(
                    &r,
                    "kty",
                    "must be `EC` with `crv` `P-256`, or `OKP` with `crv` `Ed25519`",
                ))
            }
        };
        let mut given = b64("x");
        given.extend(b64("y"));
        if public.as_deref() != Some(given.as_slice()) {
            return Err(bad(
                &r,
                "x",
                "(the public key) is missing or does not match `d`",
            ));
        }
        Ok(Self {
            kid: r.opt_str("kid")?,
            key,
        })
    }

    /// The JOSE `alg` this key signs with.
    pub fn alg(&self) -> &'static str {
        match &self.key {
            SigningKey::Es256(_) => "ES256",
            SigningKey::Ed25519(_, name) => name,
        }
    }

    /// The key id sent in the JWS header, if the JWK had one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    fn sign(&self, input: &[u8]) -> Result<Vec<u8>, OidcError> {
        let failed = || OidcError::invalid("private_jwk", "could not sign with this key");
        match &self.key {
            SigningKey::Es256(key) => {
                use p256::ecdsa::signature::Signer as _;
                // RFC 6979 deterministic nonce; JWS wants r || s (64 bytes).
                let sig: p256::ecdsa::Signature = key.try_sign(input).map_err(|_| failed())?;
                Ok(sig.to_bytes().to_vec())
            }
            SigningKey::Ed25519(key, _) => {
                use ed25519_dalek::Signer as _;
                let sig = key.try_sign(input).map_err(|_| failed())?;
                Ok(sig.to_bytes().to_vec())
            }
        }
    }

    /// The compact JWS client assertion: header `{ alg, typ: "JWT", kid? }`,
    /// claims `{ iss, sub, aud, jti, iat, exp }` with `iss` = `sub` =
    /// `client_id`, a random 128-bit `jti` and `exp` = `now` + 60 s.
    pub fn client_assertion(
        &self,
        client_id: &str,
        audience: &str,
        now: u64,
        entropy: &mut dyn Entropy,
    ) -> Result<String, OidcError> {
        let mut jti = [0u8; JTI_BYTES];
        entropy
            .fill(&mut jti)
            .map_err(|_| OidcError::EntropyUnavailable)?;
        let header = Writer::default()
            .str("alg", self.alg())
            .str("typ", "JWT")
            .opt_str("kid", self.kid.as_deref())
            .build();
        let claims = Writer::default()
            .str("iss", client_id)
            .str("sub", client_id)
            .str("aud", audience)
            .str("jti", &b64url(&jti))
            .u64("iat", now)
            .u64("exp", now.saturating_add(CLIENT_ASSERTION_LIFETIME_S))
            .build();
        let mut token = b64url(header.to_string().as_bytes());
        token.push('.');
        token.push_str(&b64url(claims.to_string().as_bytes()));
        let signature = self.sign(token.as_bytes())?;
        token.push('.');
        token.push_str(&b64url(&signature));
        Ok(token)
    }
}

#[inline(never)]
fn bad(r: &Reader<'_>, member: &str, message: &str) -> OidcError {
    OidcError::invalid(&r.field(member), message)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::entropy::testing::Counter;
    use crate::error::ErrorInfo as _;
    use serde_json::json;

    pub(crate) fn es256_jwk() -> Value {
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let point = key.verifying_key().to_encoded_point(false);
        json!({
            "kty": "EC", "crv": "P-256", "kid": "k-ec",
            "x": b64url(point.x().unwrap()), "y": b64url(point.y().unwrap()),
            "d": b64url(&[7u8; 32])
        })
    }

    pub(crate) fn ed25519_jwk() -> Value {
        let key = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]);
        json!({
            "kty": "OKP", "crv": "Ed25519",
            "x": b64url(key.verifying_key().as_bytes()), "d": b64url(&[9u8; 32])
        })
    }

    fn decode(part: &str) -> Value {
        serde_json::from_slice(&b64url_decode(part).unwrap()).unwrap()
    }

    fn parts(token: &str) -> (Value, Value, Vec<u8>, String) {
        let (input, sig) = token.rsplit_once('.').unwrap();
        let (h, c) = input.split_once('.').unwrap();
        (
            decode(h),
            decode(c),
            b64url_decode(sig).unwrap(),
            input.to_owned(),
        )
    }

    #[test]
    fn es256_assertion_is_exact_and_verifies() {
        use p256::ecdsa::signature::Verifier as _;
        let key = ClientKey::from_jwk(&es256_jwk(), "private_jwk").unwrap();
        let token = key
            .client_assertion(
                "client 1",
                "https://idp.example/token",
                1000,
                &mut Counter(0),
            )
            .unwrap();
        let (header, claims, sig, input) = parts(&token);
        assert_eq!(
            header.to_string(),
            r#"{"alg":"ES256","typ":"JWT","kid":"k-ec"}"#
        );
        // Counter(0) gives bytes 1..=16.
        let jti = b64url(&(1u8..=16).collect::<Vec<_>>());
        assert_eq!(
            claims,
            json!({"iss":"client 1","sub":"client 1","aud":"https://idp.example/token",
                   "jti": jti, "iat": 1000, "exp": 1060})
        );
        assert_eq!(jti.len(), 22);
        let verifying = *p256::ecdsa::SigningKey::from_slice(&[7u8; 32])
            .unwrap()
            .verifying_key();
        let sig = p256::ecdsa::Signature::from_slice(&sig).unwrap();
        verifying.verify(input.as_bytes(), &sig).unwrap();
        // A changed byte fails.
        assert!(verifying.verify(b"x", &sig).is_err());
        // RFC 6979: same input, same signature; another jti, another token.
        let again = key
            .client_assertion(
                "client 1",
                "https://idp.example/token",
                1000,
                &mut Counter(0),
            )
            .unwrap();
        assert_eq!(again, token);
        let other = key
            .client_assertion(
                "client 1",
                "https://idp.example/token",
                1000,
                &mut Counter(50),
            )
            .unwrap();
        assert_ne!(other, token);
    }

    #[test]
    fn eddsa_assertion_verifies_and_honours_the_jwk_alg() {
        let key = ClientKey::from_jwk(&ed25519_jwk(), "private_jwk").unwrap();
        let token = key
            .client_assertion("c", "https://idp.example", 5, &mut Counter(0))
            .unwrap();
        let (header, claims, sig, input) = parts(&token);
        assert_eq!(header.to_string(), r#"{"alg":"EdDSA","typ":"JWT"}"#);
        assert_eq!(claims["exp"], 65);
        assert_eq!(claims["aud"], "https://idp.example");
        let verifying = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]).verifying_key();
        let sig = ed25519_dalek::Signature::from_slice(&sig).unwrap();
        verifying.verify_strict(input.as_bytes(), &sig).unwrap();
        assert!(verifying.verify_strict(b"x", &sig).is_err());

        let mut jwk = ed25519_jwk();
        jwk["alg"] = json!("Ed25519");
        let key = ClientKey::from_jwk(&jwk, "private_jwk").unwrap();
        assert_eq!(key.alg(), "Ed25519");
    }

    #[test]
    fn refuses_bad_keys_naming_the_member_never_the_material() {
        let d_ec = es256_jwk()["d"].as_str().unwrap().to_owned();
        let d_ed = ed25519_jwk()["d"].as_str().unwrap().to_owned();
        let with = |mut jwk: Value, name: &str, value: Value| {
            if value.is_null() {
                jwk.as_object_mut().unwrap().remove(name);
            } else {
                jwk[name] = value;
            }
            jwk
        };
        let cases = [
            (with(es256_jwk(), "d", Value::Null), "private_jwk.d"),
            (with(ed25519_jwk(), "d", Value::Null), "private_jwk.d"),
            (with(es256_jwk(), "d", json!("!!")), "private_jwk.d"),
            (
                with(es256_jwk(), "d", json!(b64url(&[7u8; 31]))),
                "private_jwk.d",
            ),
            (
                with(es256_jwk(), "d", json!(b64url(&[0u8; 32]))),
                "private_jwk.d",
            ),
            (
                with(es256_jwk(), "d", json!(b64url(&[0xffu8; 32]))),
                "private_jwk.d",
            ),
            (
                with(ed25519_jwk(), "d", json!(b64url(&[9u8; 64]))),
                "private_jwk.d",
            ),
            (with(es256_jwk(), "d", json!(d_ed.clone())), "private_jwk.x"),
            (
                with(ed25519_jwk(), "d", json!(b64url(&[8u8; 32]))),
                "private_jwk.x",
            ),
            (with(es256_jwk(), "y", Value::Null), "private_jwk.x"),
            (with(ed25519_jwk(), "x", Value::Null), "private_jwk.x"),
            (with(ed25519_jwk(), "y", json!("AA")), "private_jwk.x"),
            (with(es256_jwk(), "alg", json!("EdDSA")), "private_jwk.alg"),
            (with(es256_jwk(), "alg", json!("RS256")), "private_jwk.alg"),
            (
                with(ed25519_jwk(), "alg", json!("ES256")),
                "private_jwk.alg",
            ),
            (with(es256_jwk(), "crv", json!("P-384")), "private_jwk.kty"),
            (
                with(ed25519_jwk(), "crv", json!("X25519")),
                "private_jwk.kty",
            ),
            (with(es256_jwk(), "kty", json!("RSA")), "private_jwk.kty"),
            (with(es256_jwk(), "kty", json!("OKP")), "private_jwk.kty"),
            (with(es256_jwk(), "kty", json!(1)), "private_jwk.kty"),
            (with(es256_jwk(), "d", json!(1)), "private_jwk.d"),
            (json!("a string"), "private_jwk"),
        ];
        for (jwk, field) in cases {
            let e = ClientKey::from_jwk(&jwk, "private_jwk").unwrap_err();
            assert_eq!(
                (e.code(), e.field()),
                ("invalid_input", Some(field)),
                "{jwk}"
            );
            let text = format!("{e} {e:?}");
            assert!(!text.contains(&d_ec) && !text.contains(&d_ed), "{text}");
        }
    }

    #[test]
    fn debug_never_shows_the_private_key() {
        for jwk in [es256_jwk(), ed25519_jwk()] {
            let key = ClientKey::from_jwk(&jwk, "private_jwk").unwrap();
            let debug = format!("{key:?}");
            assert!(debug.contains("[REDACTED]"), "{debug}");
            assert!(!debug.contains(jwk["d"].as_str().unwrap()), "{debug}");
            assert!(
                !debug.contains("[7, 7") && !debug.contains("[9, 9"),
                "{debug}"
            );
        }
    }
}
