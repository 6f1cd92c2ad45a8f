//! Randomness, injected: the core asks an [`Entropy`] source, never the OS.

/// A source of random bytes. Hosts use [`SystemEntropy`]; tests may pass a
/// deterministic source.
pub trait Entropy {
    /// Fills `buf` with random bytes, or says why it could not.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable>;
}

/// The platform's secure random generator (`crypto.getRandomValues` in wasm).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemEntropy;

/// No secure randomness could be had from the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntropyUnavailable;

impl Entropy for SystemEntropy {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable> {
        getrandom::fill(buf).map_err(|_| EntropyUnavailable)
    }
}

/// A random identifier: 16 random bytes as 32 lowercase hex digits.
pub(crate) fn random_hex_id(entropy: &mut dyn Entropy) -> Result<String, EntropyUnavailable> {
    let mut bytes = [0u8; 16];
    entropy.fill(&mut bytes)?;
    Ok(hex_lower(&bytes))
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    out
}

/// Deterministic entropy sources for tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Entropy, EntropyUnavailable};

    /// Counts up from a seed (each byte one more than the last), so every
    /// draw differs and tests are repeatable.
    pub(crate) struct Counter(pub(crate) u8);

    impl Entropy for Counter {
        fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable> {
            for b in buf {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }
}
