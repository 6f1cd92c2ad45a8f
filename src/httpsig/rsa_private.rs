//! RSA private keys (RFC 9421 signing with `rsa-pss-sha512` / `rsa-v1_5-sha256`).
//!
//! In a WebAssembly build they cost about as much as the rest of RFC 9421
//! together (big-number key setup, blinding, PKCS#1 / PKCS#8 private-key
//! DER), and a verifier never needs them: a Worker verifying Descope's
//! signatures holds public keys. So in wasm they exist only with the Cargo
//! feature `httpsig-rsa-sign`; without it an RSA private key is refused as
//! `unsupported` (RSA public keys verify either way). The native Rust API
//! always has them.

use super::HttpSigError;

#[cfg(any(not(target_arch = "wasm32"), feature = "httpsig-rsa-sign"))]
mod imp {
    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    use rsa::pkcs8::DecodePrivateKey as _;
    use sha2::{Digest as _, Sha256, Sha512};

    use super::HttpSigError;
    use crate::Entropy;

    /// An RSA private key.
    pub(crate) type RsaPrivate = rsa::RsaPrivateKey;

    /// From JWK members `n`, `e`, `d` and the two primes.
    pub(crate) fn from_components(
        n: rsa::BigUint,
        e: rsa::BigUint,
        d: rsa::BigUint,
        primes: Vec<rsa::BigUint>,
    ) -> Option<RsaPrivate> {
        rsa::RsaPrivateKey::from_components(n, e, d, primes).ok()
    }

    /// From PKCS#1 DER (`RSA PRIVATE KEY`).
    pub(crate) fn from_pkcs1_der(der: &[u8]) -> Option<RsaPrivate> {
        rsa::RsaPrivateKey::from_pkcs1_der(der).ok()
    }

    /// From PKCS#8 DER (`PRIVATE KEY`).
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Option<RsaPrivate> {
        rsa::RsaPrivateKey::from_pkcs8_der(der).ok()
    }

    /// The public half.
    pub(crate) fn public(k: &RsaPrivate) -> rsa::RsaPublicKey {
        k.to_public_key()
    }

    /// Whether RSA private keys are available in this build.
    pub(crate) const AVAILABLE: bool = true;

    /// `rsa-v1_5-sha256`.
    pub(crate) fn sign_v15(k: &RsaPrivate, base: &[u8]) -> Option<Vec<u8>> {
        k.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(base))
            .ok()
    }

    /// `rsa-pss-sha512` (salt of 64 bytes from `entropy`).
    pub(crate) fn sign_pss(
        k: &RsaPrivate,
        base: &[u8],
        entropy: &mut dyn Entropy,
    ) -> Result<Option<Vec<u8>>, HttpSigError> {
        let mut rng = EntropyRng {
            entropy,
            failed: false,
        };
        let sig = k
            .sign_with_rng(
                &mut rng,
                rsa::Pss::new_with_salt::<Sha512>(64),
                &Sha512::digest(base),
            )
            .ok();
        if rng.failed {
            return Err(HttpSigError::EntropyUnavailable);
        }
        Ok(sig)
    }

    /// The caller's entropy as the RNG the rsa crate asks for.
    struct EntropyRng<'a> {
        entropy: &'a mut dyn Entropy,
        failed: bool,
    }

    impl rand_core::RngCore for EntropyRng<'_> {
        fn next_u32(&mut self) -> u32 {
            let mut b = [0u8; 4];
            self.fill_bytes(&mut b);
            u32::from_le_bytes(b)
        }
        fn next_u64(&mut self) -> u64 {
            let mut b = [0u8; 8];
            self.fill_bytes(&mut b);
            u64::from_le_bytes(b)
        }
        fn fill_bytes(&mut self, dest: &mut [u8]) {
            if self.entropy.fill(dest).is_err() {
                self.failed = true;
            }
        }
        fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
            self.fill_bytes(dest);
            Ok(())
        }
    }

    impl rand_core::CryptoRng for EntropyRng<'_> {}
}

#[cfg(all(target_arch = "wasm32", not(feature = "httpsig-rsa-sign")))]
mod imp {
    use super::HttpSigError;
    use crate::Entropy;

    /// No RSA private keys in this build: a type without values.
    #[derive(Clone)]
    pub(crate) enum RsaPrivate {}

    pub(crate) fn from_components(
        _n: rsa::BigUint,
        _e: rsa::BigUint,
        _d: rsa::BigUint,
        _primes: Vec<rsa::BigUint>,
    ) -> Option<RsaPrivate> {
        None
    }

    pub(crate) fn from_pkcs1_der(_der: &[u8]) -> Option<RsaPrivate> {
        None
    }

    pub(crate) fn from_pkcs8_der(_der: &[u8]) -> Option<RsaPrivate> {
        None
    }

    pub(crate) fn public(k: &RsaPrivate) -> rsa::RsaPublicKey {
        match *k {}
    }

    pub(crate) const AVAILABLE: bool = false;

    pub(crate) fn sign_v15(k: &RsaPrivate, _base: &[u8]) -> Option<Vec<u8>> {
        match *k {}
    }

    pub(crate) fn sign_pss(
        k: &RsaPrivate,
        _base: &[u8],
        _entropy: &mut dyn Entropy,
    ) -> Result<Option<Vec<u8>>, HttpSigError> {
        match *k {}
    }
}

pub(crate) use imp::*;

/// The error for an RSA private key in a build without them.
pub(crate) fn unavailable(keyid: &str) -> HttpSigError {
    HttpSigError::Unsupported(format!(
        "key `{keyid}`: rsa private keys (signing) are not in this build; the wasm module has them with the cargo feature `httpsig-rsa-sign`"
    ))
}
