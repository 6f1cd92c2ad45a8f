//! Keys and algorithms: JWK, PEM (SPKI, PKCS#8, PKCS#1, SEC1), raw keys and
//! HMAC secrets, each under a `keyid`.

use base64::Engine as _;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, DecodePublicKey as _};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest as _, Sha256, Sha512};
use zeroize::Zeroizing;

use super::rsa_private::{self, RsaPrivate};
use super::HttpSigError;
use crate::Entropy;

/// The RFC 9421 algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// `ecdsa-p256-sha256`, signature r || s.
    EcdsaP256Sha256,
    /// `ed25519`.
    Ed25519,
    /// `rsa-pss-sha512` (salt of 64 bytes).
    RsaPssSha512,
    /// `rsa-v1_5-sha256`.
    RsaV15Sha256,
    /// `hmac-sha256`.
    HmacSha256,
}

impl Algorithm {
    /// The registered name.
    pub fn name(self) -> &'static str {
        match self {
            Self::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            Self::Ed25519 => "ed25519",
            Self::RsaPssSha512 => "rsa-pss-sha512",
            Self::RsaV15Sha256 => "rsa-v1_5-sha256",
            Self::HmacSha256 => "hmac-sha256",
        }
    }

    /// The algorithm of a registered name.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            Self::EcdsaP256Sha256,
            Self::Ed25519,
            Self::RsaPssSha512,
            Self::RsaV15Sha256,
            Self::HmacSha256,
        ]
        .into_iter()
        .find(|a| a.name() == name)
    }
}

#[derive(Clone)]
enum Material {
    P256(p256::ecdsa::VerifyingKey, Option<p256::ecdsa::SigningKey>),
    Ed25519(
        ed25519_dalek::VerifyingKey,
        Option<Box<ed25519_dalek::SigningKey>>,
    ),
    Rsa(rsa::RsaPublicKey, Option<Box<RsaPrivate>>),
    Hmac(Zeroizing<Vec<u8>>),
}

/// One key under its `keyid`. `Debug` never shows key material.
#[derive(Clone)]
pub struct Key {
    keyid: String,
    alg: Option<Algorithm>,
    material: Material,
}

impl core::fmt::Debug for Key {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Key")
            .field("keyid", &self.keyid)
            .field("alg", &self.alg)
            .field("material", &"[REDACTED]")
            .finish()
    }
}

fn b64url(v: &Value, name: &str, keyid: &str) -> Result<Zeroizing<Vec<u8>>, HttpSigError> {
    let s = v
        .get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| HttpSigError::InvalidKey(format!("key `{keyid}` lacks `{name}`")))?;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s.trim_end_matches('='))
        .map(Zeroizing::new)
        .map_err(|_| HttpSigError::InvalidKey(format!("key `{keyid}`: `{name}` is not base64url")))
}

fn pem_der(pem: &str, keyid: &str) -> Result<(String, Zeroizing<Vec<u8>>), HttpSigError> {
    let bad = || HttpSigError::InvalidKey(format!("key `{keyid}` is not a pem key"));
    let begin = pem.find("-----BEGIN ").ok_or_else(bad)?;
    let rest = pem.get(begin + 11..).ok_or_else(bad)?;
    let (label, rest) = rest.split_once("-----").ok_or_else(bad)?;
    let end = rest.find("-----END ").ok_or_else(bad)?;
    let body: String = rest
        .get(..end)
        .ok_or_else(bad)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = super::sf::decode_base64(body.as_bytes()).ok_or_else(bad)?;
    Ok((label.to_owned(), Zeroizing::new(der)))
}

fn rsa_checked(k: rsa::RsaPublicKey, keyid: &str) -> Result<rsa::RsaPublicKey, HttpSigError> {
    use rsa::traits::PublicKeyParts as _;
    if k.n().bits() < crate::MIN_RSA_BITS {
        return Err(HttpSigError::InvalidKey(format!(
            "key `{keyid}`: an rsa modulus below {} bits",
            crate::MIN_RSA_BITS
        )));
    }
    Ok(k)
}

impl Key {
    /// The key's id.
    pub fn keyid(&self) -> &str {
        &self.keyid
    }

    /// The algorithm the key is bound to, when known.
    pub fn alg(&self) -> Option<Algorithm> {
        self.alg.or(match self.material {
            Material::P256(..) => Some(Algorithm::EcdsaP256Sha256),
            Material::Ed25519(..) => Some(Algorithm::Ed25519),
            Material::Hmac(_) => Some(Algorithm::HmacSha256),
            Material::Rsa(..) => None,
        })
    }

    /// Reads a key entry: `{ keyid, alg?, jwk | pem | secret (base64) | raw (base64) }`
    /// or a JWK with `kid`.
    pub fn from_value(v: &Value) -> Result<Self, HttpSigError> {
        let keyid = v
            .get("keyid")
            .or_else(|| v.get("kid"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                HttpSigError::config("keys", "every key needs a `keyid` (or a jwk `kid`)")
            })?
            .to_owned();
        let alg_of = |name: &str| {
            Algorithm::from_name(name)
                .ok_or_else(|| HttpSigError::Unsupported(format!("algorithm `{name}`")))
        };
        let mut alg = match v.get("alg").and_then(Value::as_str) {
            None => None,
            Some("PS512") => Some(Algorithm::RsaPssSha512),
            Some("RS256") => Some(Algorithm::RsaV15Sha256),
            Some("ES256") => Some(Algorithm::EcdsaP256Sha256),
            Some("EdDSA" | "Ed25519") => Some(Algorithm::Ed25519),
            Some("HS256") => Some(Algorithm::HmacSha256),
            Some(name) => Some(alg_of(name)?),
        };
        let material = if v.get("kty").is_some() {
            Self::from_jwk(v, &keyid)?
        } else if let Some(jwk) = v.get("jwk") {
            if alg.is_none() {
                alg = match jwk.get("alg").and_then(Value::as_str) {
                    Some("PS512") => Some(Algorithm::RsaPssSha512),
                    Some("RS256") => Some(Algorithm::RsaV15Sha256),
                    _ => None,
                };
            }
            Self::from_jwk(jwk, &keyid)?
        } else if let Some(pem) = v.get("pem").and_then(Value::as_str) {
            Self::from_pem(pem, &keyid)?
        } else if let Some(secret) = v.get("secret").and_then(Value::as_str) {
            let bytes = super::sf::decode_base64(secret.as_bytes()).ok_or_else(|| {
                HttpSigError::InvalidKey(format!("key `{keyid}`: `secret` is not base64"))
            })?;
            if bytes.len() < 16 {
                return Err(HttpSigError::InvalidKey(format!(
                    "key `{keyid}`: an hmac secret below 16 bytes"
                )));
            }
            Material::Hmac(Zeroizing::new(bytes))
        } else if let Some(raw) = v.get("raw").and_then(Value::as_str) {
            let bytes =
                Zeroizing::new(super::sf::decode_base64(raw.as_bytes()).unwrap_or_default());
            if let Ok(arr) = <[u8; 32]>::try_from(bytes.as_slice()) {
                let k = ed25519_dalek::VerifyingKey::from_bytes(&arr).map_err(|_| {
                    HttpSigError::InvalidKey(format!("key `{keyid}` is not an ed25519 key"))
                })?;
                Material::Ed25519(k, None)
            } else {
                let k = p256::ecdsa::VerifyingKey::from_sec1_bytes(&bytes).map_err(|_| {
                    HttpSigError::InvalidKey(format!(
                        "key `{keyid}`: `raw` is neither ed25519 nor p-256"
                    ))
                })?;
                Material::P256(k, None)
            }
        } else {
            return Err(HttpSigError::config(
                "keys",
                format!("key `{keyid}` needs `jwk`, `pem`, `secret` or `raw`"),
            ));
        };
        let key = Self {
            keyid,
            alg,
            material,
        };
        if let Some(a) = key.alg.filter(|a| !key.fits(*a)) {
            return Err(HttpSigError::InvalidKey(format!(
                "key `{}` cannot be used with `{}`",
                key.keyid,
                a.name()
            )));
        }
        Ok(key)
    }

    fn from_jwk(v: &Value, keyid: &str) -> Result<Material, HttpSigError> {
        let bad = |m: &str| HttpSigError::InvalidKey(format!("key `{keyid}`: {m}"));
        match (
            v.get("kty").and_then(Value::as_str),
            v.get("crv").and_then(Value::as_str),
        ) {
            (Some("EC"), Some("P-256")) => {
                let (x, y) = (b64url(v, "x", keyid)?, b64url(v, "y", keyid)?);
                let mut sec1 = vec![4u8];
                sec1.extend_from_slice(&x);
                sec1.extend_from_slice(&y);
                let public = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1)
                    .map_err(|_| bad("not a p-256 point"))?;
                let private = match v.get("d") {
                    None => None,
                    Some(_) => Some(
                        p256::ecdsa::SigningKey::from_slice(&b64url(v, "d", keyid)?)
                            .map_err(|_| bad("a bad p-256 `d`"))?,
                    ),
                };
                Ok(Material::P256(public, private))
            }
            (Some("OKP"), Some("Ed25519")) => {
                let x: [u8; 32] = b64url(v, "x", keyid)?
                    .as_slice()
                    .try_into()
                    .map_err(|_| bad("`x` must be 32 bytes"))?;
                let public = ed25519_dalek::VerifyingKey::from_bytes(&x)
                    .map_err(|_| bad("not an ed25519 key"))?;
                let private = match v.get("d") {
                    None => None,
                    Some(_) => {
                        let d = b64url(v, "d", keyid)?;
                        let seed: &[u8; 32] = d
                            .as_slice()
                            .try_into()
                            .map_err(|_| bad("`d` must be 32 bytes"))?;
                        Some(Box::new(ed25519_dalek::SigningKey::from_bytes(seed)))
                    }
                };
                Ok(Material::Ed25519(public, private))
            }
            (Some("RSA"), _) => {
                let n = rsa::BigUint::from_bytes_be(&b64url(v, "n", keyid)?);
                let e = rsa::BigUint::from_bytes_be(&b64url(v, "e", keyid)?);
                let public = rsa_checked(
                    rsa::RsaPublicKey::new(n.clone(), e.clone())
                        .map_err(|_| bad("not a usable rsa key"))?,
                    keyid,
                )?;
                let private = match v.get("d") {
                    None => None,
                    Some(_) => {
                        let d = rsa::BigUint::from_bytes_be(&b64url(v, "d", keyid)?);
                        let primes = match (v.get("p"), v.get("q")) {
                            (Some(_), Some(_)) => vec![
                                rsa::BigUint::from_bytes_be(&b64url(v, "p", keyid)?),
                                rsa::BigUint::from_bytes_be(&b64url(v, "q", keyid)?),
                            ],
                            _ => return Err(bad("an rsa private jwk needs `p` and `q`")),
                        };
                        if !rsa_private::AVAILABLE {
                            return Err(rsa_private::unavailable(keyid));
                        }
                        let k = rsa_private::from_components(n, e, d, primes)
                            .ok_or_else(|| bad("not a usable rsa private key"))?;
                        Some(Box::new(k))
                    }
                };
                Ok(Material::Rsa(public, private))
            }
            (Some("oct"), _) => {
                let k = b64url(v, "k", keyid)?;
                if k.len() < 16 {
                    return Err(bad("an hmac secret below 16 bytes"));
                }
                Ok(Material::Hmac(k))
            }
            _ => Err(bad(
                "an unsupported jwk (kty EC P-256, OKP Ed25519, RSA or oct)",
            )),
        }
    }

    fn from_pem(pem: &str, keyid: &str) -> Result<Material, HttpSigError> {
        use rsa::pkcs1::DecodeRsaPublicKey as _;
        let (label, der) = pem_der(pem, keyid)?;
        let bad = || {
            HttpSigError::InvalidKey(format!(
                "key `{keyid}` is not a supported {} key",
                label.to_ascii_lowercase()
            ))
        };
        match label.as_str() {
            "PUBLIC KEY" => {
                if let Ok(k) = ed25519_dalek::VerifyingKey::from_public_key_der(&der) {
                    Ok(Material::Ed25519(k, None))
                } else if let Ok(k) =
                    <p256::ecdsa::VerifyingKey as p256::pkcs8::DecodePublicKey>::from_public_key_der(
                        &der,
                    )
                {
                    Ok(Material::P256(k, None))
                } else {
                    let k =
                        <rsa::RsaPublicKey as rsa::pkcs8::DecodePublicKey>::from_public_key_der(
                            &der,
                        )
                        .map_err(|_| bad())?;
                    Ok(Material::Rsa(rsa_checked(k, keyid)?, None))
                }
            }
            "RSA PUBLIC KEY" => {
                let k = rsa::RsaPublicKey::from_pkcs1_der(&der).map_err(|_| bad())?;
                Ok(Material::Rsa(rsa_checked(k, keyid)?, None))
            }
            "RSA PRIVATE KEY" => {
                if !rsa_private::AVAILABLE {
                    return Err(rsa_private::unavailable(keyid));
                }
                let k = rsa_private::from_pkcs1_der(&der).ok_or_else(bad)?;
                Ok(Material::Rsa(
                    rsa_checked(rsa_private::public(&k), keyid)?,
                    Some(Box::new(k)),
                ))
            }
            "EC PRIVATE KEY" => {
                let sk = p256::SecretKey::from_sec1_der(&der).map_err(|_| bad())?;
                let k = p256::ecdsa::SigningKey::from(sk);
                Ok(Material::P256(*k.verifying_key(), Some(k)))
            }
            "PRIVATE KEY" => {
                if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(&der) {
                    Ok(Material::Ed25519(k.verifying_key(), Some(Box::new(k))))
                } else if let Ok(k) =
                    <p256::ecdsa::SigningKey as p256::pkcs8::DecodePrivateKey>::from_pkcs8_der(&der)
                {
                    Ok(Material::P256(*k.verifying_key(), Some(k)))
                } else if !rsa_private::AVAILABLE {
                    Err(rsa_private::unavailable(keyid))
                } else {
                    let k = rsa_private::from_pkcs8_der(&der).ok_or_else(bad)?;
                    Ok(Material::Rsa(
                        rsa_checked(rsa_private::public(&k), keyid)?,
                        Some(Box::new(k)),
                    ))
                }
            }
            _ => Err(bad()),
        }
    }

    /// Whether the key can be used with `alg`.
    pub(crate) fn fits(&self, alg: Algorithm) -> bool {
        if let Some(bound) = self.alg {
            if bound != alg {
                return false;
            }
        }
        matches!(
            (&self.material, alg),
            (Material::P256(..), Algorithm::EcdsaP256Sha256)
                | (Material::Ed25519(..), Algorithm::Ed25519)
                | (
                    Material::Rsa(..),
                    Algorithm::RsaPssSha512 | Algorithm::RsaV15Sha256
                )
                | (Material::Hmac(_), Algorithm::HmacSha256)
        )
    }

    /// Verifies `signature` over `base` with `alg` (which the key fits).
    pub(crate) fn verify(
        &self,
        alg: Algorithm,
        base: &[u8],
        signature: &[u8],
    ) -> Result<(), HttpSigError> {
        use p256::ecdsa::signature::Verifier as _;
        fn bad<E>(_: E) -> HttpSigError {
            HttpSigError::BadSignature
        }
        match (&self.material, alg) {
            (Material::P256(k, _), Algorithm::EcdsaP256Sha256) => {
                let sig = p256::ecdsa::Signature::from_slice(signature).map_err(bad)?;
                k.verify(base, &sig).map_err(bad)
            }
            (Material::Ed25519(k, _), Algorithm::Ed25519) => {
                let sig = ed25519_dalek::Signature::from_slice(signature).map_err(bad)?;
                k.verify_strict(base, &sig).map_err(bad)
            }
            (Material::Rsa(k, _), Algorithm::RsaPssSha512) => {
                let digest = Sha512::digest(base);
                k.verify(rsa::Pss::new_with_salt::<Sha512>(64), &digest, signature)
                    .map_err(bad)
            }
            (Material::Rsa(k, _), Algorithm::RsaV15Sha256) => {
                let digest = Sha256::digest(base);
                k.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest, signature)
                    .map_err(bad)
            }
            (Material::Hmac(secret), Algorithm::HmacSha256) => {
                let mut mac = Hmac::<Sha256>::new_from_slice(secret)
                    .map_err(|_| HttpSigError::BadSignature)?;
                mac.update(base);
                // Constant time.
                mac.verify_slice(signature).map_err(bad)
            }
            _ => Err(HttpSigError::Unsupported(format!(
                "key `{}` with `{}`",
                self.keyid,
                alg.name()
            ))),
        }
    }

    /// Signs `base` with `alg`. ECDSA (RFC 6979), Ed25519, RSA v1.5 and HMAC
    /// are deterministic; RSA-PSS draws its salt from `entropy`.
    pub(crate) fn sign(
        &self,
        alg: Algorithm,
        base: &[u8],
        entropy: &mut dyn Entropy,
    ) -> Result<Vec<u8>, HttpSigError> {
        use p256::ecdsa::signature::Signer as _;
        let no_private =
            || HttpSigError::InvalidKey(format!("key `{}` has no private part", self.keyid));
        match (&self.material, alg) {
            (Material::P256(_, Some(k)), Algorithm::EcdsaP256Sha256) => {
                let sig: p256::ecdsa::Signature = k.sign(base);
                Ok(sig.to_bytes().to_vec())
            }
            (Material::Ed25519(_, Some(k)), Algorithm::Ed25519) => {
                Ok(k.sign(base).to_bytes().to_vec())
            }
            (Material::Rsa(_, Some(k)), Algorithm::RsaV15Sha256) => rsa_private::sign_v15(k, base)
                .ok_or_else(|| {
                    HttpSigError::InvalidKey(format!("key `{}` cannot sign", self.keyid))
                }),
            (Material::Rsa(_, Some(k)), Algorithm::RsaPssSha512) => {
                rsa_private::sign_pss(k, base, entropy)?.ok_or_else(|| {
                    HttpSigError::InvalidKey(format!("key `{}` cannot sign", self.keyid))
                })
            }
            (Material::Hmac(secret), Algorithm::HmacSha256) => {
                let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| no_private())?;
                mac.update(base);
                Ok(mac.finalize().into_bytes().to_vec())
            }
            (_, a) if self.fits(a) => Err(no_private()),
            _ => Err(HttpSigError::Unsupported(format!(
                "key `{}` with `{}`",
                self.keyid,
                alg.name()
            ))),
        }
    }
}

/// Reads `keys` in any accepted shape: an array of entries, a JWK set
/// `{ "keys": [...] }`, or an object `{ keyid: PEM | entry }`.
pub(crate) fn read_keys(v: &Value) -> Result<Vec<Key>, HttpSigError> {
    let mut out = Vec::new();
    match v {
        Value::Array(list) => {
            for e in list {
                out.push(Key::from_value(e)?);
            }
        }
        Value::Object(map) => {
            if let Some(Value::Array(list)) = map.get("keys") {
                for e in list {
                    out.push(Key::from_value(e)?);
                }
            } else {
                for (keyid, e) in map {
                    let entry = match e {
                        Value::String(pem) => serde_json::json!({ "keyid": keyid, "pem": pem }),
                        Value::Object(o) => {
                            let mut o = o.clone();
                            o.insert("keyid".into(), Value::String(keyid.clone()));
                            Value::Object(o)
                        }
                        _ => {
                            return Err(HttpSigError::config(
                                "keys",
                                format!("key `{keyid}` must be a pem text or an object"),
                            ))
                        }
                    };
                    out.push(Key::from_value(&entry)?);
                }
            }
        }
        _ => {
            return Err(HttpSigError::config(
                "keys",
                "must be an array, a jwk set or a keyid map",
            ))
        }
    }
    if out.is_empty() || out.len() > 32 {
        return Err(HttpSigError::config("keys", "give 1 to 32 keys"));
    }
    Ok(out)
}
