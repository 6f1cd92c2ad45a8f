//! Mutation testing on stable Rust, bounded (runs in `cargo test`): genuine
//! signed messages of every scheme, mutated at random in their headers and
//! body. Nothing panics; a mutation verifies only when it leaves the signed
//! content and a valid signature in place. Every mutant also goes the
//! host-digest way (`prepare`, MACs outside the core, `finish`), which must
//! give exactly what `verify` gives. (The libFuzzer target in `fuzz/`
//! explores arbitrary input further with `cargo +nightly fuzz`.)

use kosmos_connect::{ErrorInfo, Verifier};

#[path = "common/split.rs"]
mod split;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n as u64)).unwrap_or(0)
    }
}

const CONFIGS: [&str; 9] = [
    r#"{"scheme":"standard","secrets":["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}"#,
    r#"{"scheme":"standard","secrets":["whsk_VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk="]}"#,
    r#"{"scheme":"descope","secrets":["k1","k2"]}"#,
    r#"{"scheme":"timestamped_hex","secrets":["k"],"header":"x-sig"}"#,
    r#"{"scheme":"sha256_hex","secrets":["k"]}"#,
    r#"{"scheme":"standard","secrets":["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw","whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]}"#,
    r#"{"scheme":"descope","secrets":["k"],"stringify_fallback":false}"#,
    r#"{"scheme":"timestamped_hex","secrets":["a","b"],"header":"x-sig","template":"v0:{body}:{t}end"}"#,
    r#"{"scheme":"sha256_hex","secrets":["a","b"],"prefix":""}"#,
];

const PIECES: [&str; 14] = [
    ".", " ", ",", "=", "v1,", "v1a,", "t=", "\u{0}", "é", "sha256=", "AAAA", "-", "0", "\u{2028}",
];

fn mutate(rng: &mut Rng, s: &mut Vec<u8>) {
    match rng.below(6) {
        0 if !s.is_empty() => {
            let i = rng.below(s.len());
            if let Some(b) = s.get_mut(i) {
                *b ^= 1 << rng.below(8);
            }
        }
        1 if !s.is_empty() => {
            let i = rng.below(s.len());
            s.truncate(i);
        }
        2 => {
            let i = rng.below(s.len() + 1);
            let piece = PIECES
                .get(rng.below(PIECES.len()))
                .copied()
                .unwrap_or(".")
                .as_bytes();
            s.splice(i..i, piece.iter().copied());
        }
        3 if !s.is_empty() => {
            let i = rng.below(s.len());
            s.remove(i);
        }
        4 => s.extend(std::iter::repeat_n(b'A', rng.below(5000))),
        _ => s.clear(),
    }
}

#[test]
fn mutated_messages_never_panic_and_never_verify_with_other_content() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let verifiers: Vec<Verifier> = CONFIGS
        .iter()
        .map(|c| Verifier::from_json(c).unwrap())
        .collect();
    let mut verified_mutants = 0;
    let mut rejected = 0;
    let mut split_checked = 0;
    for round in 0..5000 {
        let v = &verifiers[round % verifiers.len()];
        let body = format!(r#"{{"n":{round},"s":"é\u2028"}}"#).into_bytes();
        let ts = 1_700_000_000;
        let signed = v.sign(Some(&format!("msg_{round}")), ts, &body).unwrap();
        assert!(v.verify(&signed, &body, ts).is_ok());
        // Mutate one header value or the body, sometimes the header name's case.
        let mut headers = signed.clone();
        let mut new_body = body.clone();
        let target = rng.below(headers.len() + 1);
        if target == headers.len() {
            mutate(&mut rng, &mut new_body);
        } else {
            let mut value = headers[target].1.clone().into_bytes();
            mutate(&mut rng, &mut value);
            headers[target].1 = String::from_utf8_lossy(&value).into_owned();
            if rng.below(2) == 0 {
                headers[target].0 = headers[target].0.to_uppercase();
            }
        }
        let direct = v.verify(&headers, &new_body, ts);
        if let Some(split) = split::verify_split(v, &headers, &new_body, ts) {
            assert_eq!(split, direct, "split and verify differ: {headers:?}");
            split_checked += 1;
        }
        match direct {
            Ok(ok) => {
                verified_mutants += 1;
                // Allowed only when nothing signed changed: the same body (or
                // JSON.stringify-equal for descope) and the same id.
                let same_body = new_body == body
                    || (v.scheme() == "descope" && reparse(&new_body) == reparse(&body));
                assert!(
                    same_body,
                    "a changed body verified: {:?}",
                    String::from_utf8_lossy(&new_body)
                );
                if v.scheme() == "standard" {
                    assert_eq!(ok.id, format!("msg_{round}"));
                }
            }
            Err(e) => {
                rejected += 1;
                assert!(!e.code().is_empty());
            }
        }
    }
    assert!(rejected > 4000, "{rejected} rejected");
    assert!(
        split_checked > 4000,
        "{split_checked} compared with the split"
    );
    assert!(
        verified_mutants > 0,
        "some mutations are harmless (header case, trailing space)"
    );
}

fn reparse(body: &[u8]) -> Option<serde_json::Value> {
    serde_json::from_slice(body).ok()
}
