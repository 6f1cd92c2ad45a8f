//! The blockid-tenant encrypted envelope.
//!
//! ```text
//!   our private key  x  service public key   --ECDH-->  shared point
//!   shared point's raw 32-byte x-coordinate   ========  AES-256-GCM key
//!   message = base64( iv[16] || ciphertext || tag[16] )
//! ```
//!
//! Keys travel as base64: a private key is the raw 32-byte scalar, a public
//! key the uncompressed point without its leading `0x04` (64 bytes).
//! Private keys and the shared key are zeroized on drop and redacted in `Debug`.

use aes_gcm::aead::consts::U16;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::aes::Aes256;
use aes_gcm::AesGcm;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::wire::MAX_RESPONSE_BYTES;
use super::KosmosError;
use crate::entropy::Entropy;
use crate::secret::Secret;

/// AES-256-GCM with the 16-byte IV the 1Kosmos helpers use.
type Cipher = AesGcm<Aes256, U16>;

/// IV length, in bytes.
pub const ENVELOPE_IV_BYTES: usize = 16;
/// Authentication tag length, in bytes.
pub const ENVELOPE_TAG_BYTES: usize = 16;

/// Standard base64 alphabet; padding written, and optional when read.
const B64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The elliptic curve of the envelope's key agreement. In JSON: `secp256k1`,
/// or `p256` (also read as `P-256`, `prime256v1`, `secp256r1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Curve {
    /// secp256k1, the 1Kosmos default.
    #[default]
    Secp256k1,
    /// NIST P-256 (`prime256v1`, `secp256r1`).
    P256,
}

impl Curve {
    /// The curve's name as OpenSSL and Node know it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Secp256k1 => "secp256k1",
            Self::P256 => "prime256v1",
        }
    }

    /// Reads `secp256k1`, `p256`, `P-256`, `prime256v1` or `secp256r1`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "secp256k1" => Some(Self::Secp256k1),
            "p256" | "P-256" | "prime256v1" | "secp256r1" => Some(Self::P256),
            _ => None,
        }
    }
}

// By hand: serde's derive for a renamed, aliased enum costs more wasm than this.
impl Serialize for Curve {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Self::Secp256k1 => "secp256k1",
            Self::P256 => "p256",
        })
    }
}

impl<'de> Deserialize<'de> for Curve {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("`{name}` is not secp256k1 or p256")))
    }
}

enum Scalar {
    K256(k256::SecretKey),
    P256(p256::SecretKey),
}

/// A private key of the envelope's key agreement.
pub struct PrivateKey(Scalar);

impl core::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "PrivateKey({}, [REDACTED])", self.curve().name())
    }
}

impl PrivateKey {
    /// A fresh random key from `entropy`.
    ///
    /// Errors: `entropy_unavailable`.
    pub fn generate(curve: Curve, entropy: &mut dyn Entropy) -> Result<Self, KosmosError> {
        // A random 32-byte string is out of the scalar range with probability
        // below 2^-32 for both curves: a few draws always suffice.
        for _ in 0..8 {
            let mut bytes = Zeroizing::new([0u8; 32]);
            entropy
                .fill(bytes.as_mut())
                .map_err(|_| KosmosError::EntropyUnavailable)?;
            if let Ok(key) = Self::from_bytes(curve, bytes.as_ref()) {
                return Ok(key);
            }
        }
        Err(KosmosError::EntropyUnavailable)
    }

    /// Reads a raw scalar given as base64 (24 to 32 bytes, big-endian).
    ///
    /// Errors: `invalid_key` (never quoting the key).
    pub fn from_base64(curve: Curve, b64: &str) -> Result<Self, KosmosError> {
        let bytes = Zeroizing::new(
            B64.decode(b64.trim())
                .map_err(|_| KosmosError::invalid_key("the private key is not base64"))?,
        );
        Self::from_bytes(curve, &bytes)
    }

    fn from_bytes(curve: Curve, bytes: &[u8]) -> Result<Self, KosmosError> {
        let bad = |_| {
            KosmosError::invalid_key(format!(
                "the private key is not a {} scalar (32 bytes, nonzero, below the group order)",
                curve.name()
            ))
        };
        Ok(Self(match curve {
            Curve::Secp256k1 => Scalar::K256(k256::SecretKey::from_slice(bytes).map_err(bad)?),
            Curve::P256 => Scalar::P256(p256::SecretKey::from_slice(bytes).map_err(bad)?),
        }))
    }

    /// The raw scalar as base64, for storing the key. Never log it.
    pub fn to_base64(&self) -> Secret {
        let bytes = Zeroizing::new(match &self.0 {
            Scalar::K256(k) => k.to_bytes().to_vec(),
            Scalar::P256(k) => k.to_bytes().to_vec(),
        });
        Secret::new(B64.encode(bytes.as_slice()))
    }

    /// The curve of the key.
    pub fn curve(&self) -> Curve {
        match self.0 {
            Scalar::K256(_) => Curve::Secp256k1,
            Scalar::P256(_) => Curve::P256,
        }
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(match &self.0 {
            Scalar::K256(k) => Point::K256(k.public_key()),
            Scalar::P256(k) => Point::P256(k.public_key()),
        })
    }
}

#[derive(Clone, PartialEq, Eq)]
enum Point {
    K256(k256::PublicKey),
    P256(p256::PublicKey),
}

/// A public key of the envelope's key agreement.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey(Point);

impl core::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "PublicKey({}, {})",
            self.curve().name(),
            self.to_base64()
        )
    }
}

impl PublicKey {
    /// Reads a public key given as base64: the 64-byte uncompressed point
    /// without `0x04` (the 1Kosmos form), or a SEC1 point (65 bytes
    /// uncompressed, 33 bytes compressed).
    ///
    /// Errors: `invalid_key` when it is not base64 or not a point of the curve.
    pub fn from_base64(curve: Curve, b64: &str) -> Result<Self, KosmosError> {
        let raw = B64
            .decode(b64.trim())
            .map_err(|_| KosmosError::invalid_key("the public key is not base64"))?;
        let sec1 = if raw.len() == 64 {
            let mut v = Vec::with_capacity(65);
            v.push(0x04);
            v.extend_from_slice(&raw);
            v
        } else {
            raw
        };
        let bad = |_| {
            KosmosError::invalid_key(format!(
                "the public key is not a point of {} (expected 64 bytes x||y)",
                curve.name()
            ))
        };
        Ok(Self(match curve {
            Curve::Secp256k1 => Point::K256(k256::PublicKey::from_sec1_bytes(&sec1).map_err(bad)?),
            Curve::P256 => Point::P256(p256::PublicKey::from_sec1_bytes(&sec1).map_err(bad)?),
        }))
    }

    /// The 64-byte uncompressed point without `0x04`, as base64 (the
    /// `publickey` header's form).
    pub fn to_base64(&self) -> String {
        use k256::elliptic_curve::sec1::ToEncodedPoint as _;
        let encoded = match &self.0 {
            Point::K256(p) => p.to_encoded_point(false).as_bytes().to_vec(),
            Point::P256(p) => p.to_encoded_point(false).as_bytes().to_vec(),
        };
        B64.encode(encoded.get(1..).unwrap_or_default())
    }

    /// The curve of the key.
    pub fn curve(&self) -> Curve {
        match self.0 {
            Point::K256(_) => Curve::Secp256k1,
            Point::P256(_) => Curve::P256,
        }
    }
}

/// The symmetric side of the envelope: the AES-256-GCM key both parties
/// derive. Seals and opens messages.
pub struct Envelope {
    key: Zeroizing<[u8; 32]>,
}

impl core::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Envelope([REDACTED])")
    }
}

impl Envelope {
    /// Agrees on the key between our private key and the peer's public key:
    /// the raw x-coordinate of the ECDH shared point.
    ///
    /// Errors: `invalid_key` when the two keys are of different curves.
    pub fn agree(ours: &PrivateKey, theirs: &PublicKey) -> Result<Self, KosmosError> {
        let mut key = Zeroizing::new([0u8; 32]);
        match (&ours.0, &theirs.0) {
            (Scalar::K256(s), Point::K256(p)) => {
                let shared = k256::ecdh::diffie_hellman(s.to_nonzero_scalar(), p.as_affine());
                key.copy_from_slice(shared.raw_secret_bytes().as_slice());
            }
            (Scalar::P256(s), Point::P256(p)) => {
                let shared = p256::ecdh::diffie_hellman(s.to_nonzero_scalar(), p.as_affine());
                key.copy_from_slice(shared.raw_secret_bytes().as_slice());
            }
            _ => {
                return Err(KosmosError::invalid_key(format!(
                    "the private key is on {} but the public key on {}",
                    ours.curve().name(),
                    theirs.curve().name()
                )))
            }
        }
        Ok(Self { key })
    }

    /// An envelope over a raw 32-byte AES key (for tests and vectors).
    pub fn from_raw_key(key: [u8; 32]) -> Self {
        Self {
            key: Zeroizing::new(key),
        }
    }

    fn cipher(&self) -> Cipher {
        Cipher::new(&(*self.key).into())
    }

    /// Seals `plaintext` under a fresh random IV: base64(iv || ciphertext || tag).
    ///
    /// Errors: `entropy_unavailable`.
    pub fn seal(&self, plaintext: &[u8], entropy: &mut dyn Entropy) -> Result<String, KosmosError> {
        let mut iv = [0u8; ENVELOPE_IV_BYTES];
        entropy
            .fill(&mut iv)
            .map_err(|_| KosmosError::EntropyUnavailable)?;
        self.seal_with_iv(plaintext, iv)
    }

    /// Seals with a given IV. Never reuse an IV under one key: use [`seal`](Self::seal).
    pub(crate) fn seal_with_iv(
        &self,
        plaintext: &[u8],
        iv: [u8; ENVELOPE_IV_BYTES],
    ) -> Result<String, KosmosError> {
        let sealed = self
            .cipher()
            .encrypt(&iv.into(), plaintext)
            // Only fails past the 64 GiB GCM limit, which no input here reaches.
            .map_err(|_| KosmosError::BadCiphertext {
                message: "the message is too long to seal".into(),
            })?;
        let mut out = Vec::with_capacity(ENVELOPE_IV_BYTES + sealed.len());
        out.extend_from_slice(&iv);
        out.extend_from_slice(&sealed);
        Ok(B64.encode(out))
    }

    /// Opens base64(iv || ciphertext || tag).
    ///
    /// Errors: `bad_ciphertext` when it is not base64 or shorter than iv and
    /// tag; `decrypt_failed` when authentication fails (tampered, truncated,
    /// or sealed under another key).
    pub fn open(&self, message: &str) -> Result<Zeroizing<Vec<u8>>, KosmosError> {
        let max_b64 = MAX_RESPONSE_BYTES;
        if message.len() > max_b64 {
            return Err(KosmosError::BadCiphertext {
                message: format!("it is longer than {max_b64} characters"),
            });
        }
        let raw = B64
            .decode(message.trim())
            .map_err(|e| KosmosError::BadCiphertext {
                message: format!("it is not base64 ({e})"),
            })?;
        let min = ENVELOPE_IV_BYTES + ENVELOPE_TAG_BYTES;
        if raw.len() < min {
            return Err(KosmosError::BadCiphertext {
                message: format!(
                    "it is {} bytes, shorter than the {min} of iv and tag",
                    raw.len()
                ),
            });
        }
        let (iv, sealed) = raw.split_at(ENVELOPE_IV_BYTES);
        let iv: [u8; ENVELOPE_IV_BYTES] = iv.try_into().map_err(|_| KosmosError::DecryptFailed)?;
        self.cipher()
            .decrypt(&iv.into(), sealed)
            .map(Zeroizing::new)
            .map_err(|_| KosmosError::DecryptFailed)
    }

    /// Opens a message whose plaintext is UTF-8 text (JSON, a license key).
    ///
    /// Errors: as [`open`](Self::open), and `bad_ciphertext` when the plaintext is not UTF-8.
    pub fn open_text(&self, message: &str) -> Result<Zeroizing<String>, KosmosError> {
        let bytes = self.open(message)?;
        String::from_utf8(bytes.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| KosmosError::BadCiphertext {
                message: "the plaintext is not utf-8".into(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo;

    use crate::entropy::testing::Counter;

    #[test]
    fn both_sides_agree_and_round_trip() {
        for curve in [Curve::Secp256k1, Curve::P256] {
            let mut rng = Counter(0);
            let a = PrivateKey::generate(curve, &mut rng).unwrap();
            let b = PrivateKey::generate(curve, &mut rng).unwrap();
            let ab = Envelope::agree(&a, &b.public_key()).unwrap();
            let ba = Envelope::agree(&b, &a.public_key()).unwrap();
            assert_eq!(*ab.key, *ba.key);
            let msg = ab.seal(b"{\"hello\":\"world\"}", &mut rng).unwrap();
            assert_eq!(
                ba.open_text(&msg).unwrap().as_str(),
                "{\"hello\":\"world\"}"
            );
            let raw = B64.decode(&msg).unwrap();
            assert_eq!(raw.len(), 16 + 17 + 16);
            // Keys survive a trip through base64.
            let a2 = PrivateKey::from_base64(curve, a.to_base64().expose()).unwrap();
            assert_eq!(a2.public_key(), a.public_key());
            let pk = PublicKey::from_base64(curve, &a.public_key().to_base64()).unwrap();
            assert_eq!(pk, a.public_key());
            assert_eq!(B64.decode(a.public_key().to_base64()).unwrap().len(), 64);
        }
    }

    #[test]
    fn tampered_truncated_and_foreign_messages_fail_clearly() {
        let mut rng = Counter(7);
        let env = Envelope::from_raw_key([9; 32]);
        let msg = env.seal(b"secret payload", &mut rng).unwrap();
        let mut raw = B64.decode(&msg).unwrap();
        for i in [0, 16, raw.len() - 1] {
            let mut t = raw.clone();
            t[i] ^= 1;
            assert_eq!(
                env.open(&B64.encode(&t)).unwrap_err(),
                KosmosError::DecryptFailed
            );
        }
        raw.truncate(raw.len() - 1);
        assert_eq!(
            env.open(&B64.encode(&raw)).unwrap_err(),
            KosmosError::DecryptFailed
        );
        let e = env.open(&B64.encode([0u8; 31])).unwrap_err();
        assert_eq!(e.code(), "bad_ciphertext");
        assert!(e.to_string().contains("31 bytes"));
        assert_eq!(
            env.open("not base64!").unwrap_err().code(),
            "bad_ciphertext"
        );
        let other = Envelope::from_raw_key([8; 32]);
        assert_eq!(other.open(&msg).unwrap_err().code(), "decrypt_failed");
        // Unpadded base64 is read too.
        assert!(env.open(msg.trim_end_matches('=')).is_ok());
    }

    #[test]
    fn bad_keys_are_rejected_without_echo() {
        for curve in [Curve::Secp256k1, Curve::P256] {
            let zero = B64.encode([0u8; 32]);
            let e = PrivateKey::from_base64(curve, &zero).unwrap_err();
            assert_eq!(e.code(), "invalid_key");
            let order_plus = B64.encode([0xff; 32]);
            assert!(PrivateKey::from_base64(curve, &order_plus).is_err());
            assert!(PrivateKey::from_base64(curve, "***").is_err());
            let e = PublicKey::from_base64(curve, &B64.encode([1u8; 64])).unwrap_err();
            assert_eq!(e.code(), "invalid_key");
            assert!(!e.to_string().contains(&B64.encode([1u8; 64])));
        }
        let mut rng = Counter(1);
        let k = PrivateKey::generate(Curve::Secp256k1, &mut rng).unwrap();
        let p = PrivateKey::generate(Curve::P256, &mut rng).unwrap();
        assert_eq!(
            Envelope::agree(&k, &p.public_key()).unwrap_err().code(),
            "invalid_key"
        );
        let shown = format!("{k:?} {:?}", Envelope::agree(&k, &k.public_key()).unwrap());
        assert!(!shown.contains(k.to_base64().expose()));
        assert!(shown.contains("REDACTED"));
    }

    /// Node's crypto made these (tests/vectors/make-kosmos-envelope-vectors.mjs):
    /// the same key and the same bytes, sealing with the vector's IV.
    #[test]
    fn seals_exactly_as_node_does() {
        let vectors: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/vectors/kosmos-envelope.json")).unwrap();
        for case in vectors["cases"].as_array().unwrap() {
            let curve: Curve = serde_json::from_value(case["curve"].clone()).unwrap();
            let ours = PrivateKey::from_base64(curve, case["caller_private_key"].as_str().unwrap())
                .unwrap();
            let theirs =
                PublicKey::from_base64(curve, case["service_public_key"].as_str().unwrap())
                    .unwrap();
            let env = Envelope::agree(&ours, &theirs).unwrap();
            assert_eq!(
                crate::entropy::hex_lower(env.key.as_ref()),
                case["shared_key_hex"].as_str().unwrap()
            );
            for m in case["messages"].as_array().unwrap() {
                let iv: [u8; 16] = B64
                    .decode(m["iv"].as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap();
                let sealed = env
                    .seal_with_iv(m["plaintext"].as_str().unwrap().as_bytes(), iv)
                    .unwrap();
                assert_eq!(sealed, m["sealed"].as_str().unwrap());
            }
        }
    }

    #[test]
    fn compressed_and_prefixed_public_keys_are_read() {
        use k256::elliptic_curve::sec1::ToEncodedPoint as _;
        let mut rng = Counter(3);
        let k = PrivateKey::generate(Curve::Secp256k1, &mut rng).unwrap();
        let Point::K256(p) = &k.public_key().0 else {
            panic!("curve")
        };
        for compress in [true, false] {
            let b64 = B64.encode(p.to_encoded_point(compress).as_bytes());
            assert_eq!(
                PublicKey::from_base64(Curve::Secp256k1, &b64).unwrap(),
                k.public_key()
            );
        }
    }
}
