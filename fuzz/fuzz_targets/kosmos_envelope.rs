//! Any text as a sealed envelope message, and any bytes as keys: no panic;
//! what we seal always opens.
#![no_main]
use kosmos_connect::{Curve, Entropy, EntropyUnavailable, Envelope, PrivateKey, PublicKey};
use libfuzzer_sys::fuzz_target;

struct Bytes<'a>(&'a [u8], usize);
impl Entropy for Bytes<'_> {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable> {
        for b in buf {
            *b = self
                .0
                .get(self.1 % self.0.len().max(1))
                .copied()
                .unwrap_or(7)
                ^ (self.1 as u8);
            self.1 += 1;
        }
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let env = Envelope::from_raw_key([0x42; 32]);
    let _ = env.open(&text);
    let mut rng = Bytes(data, 0);
    let sealed = env.seal(data, &mut rng).expect("sealing never fails");
    assert_eq!(
        env.open(&sealed).expect("our own message opens").as_slice(),
        data
    );
    for curve in [Curve::Secp256k1, Curve::P256] {
        let _ = PrivateKey::from_base64(curve, &text);
        let _ = PublicKey::from_base64(curve, &text);
    }
});
