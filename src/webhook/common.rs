//! What every scheme shares: size bounds, header lookup, timestamps and
//! tolerance, HMAC keys, constant-time comparison and derived message ids.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::WebhookError;
use crate::entropy::hex_lower;
use crate::Secret;

/// Default tolerance between the message timestamp and `now`, both ways.
pub const DEFAULT_TOLERANCE_S: u64 = 300;
/// How long a message id is remembered for replay protection when the
/// scheme carries no timestamp (`descope`, `sha256_hex`): one day by default.
pub const DEFAULT_REPLAY_WINDOW_S: u64 = 86_400;
/// Largest body accepted, in bytes (1 MiB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Largest value accepted for any header the verifier reads, in bytes.
pub const MAX_HEADER_BYTES: usize = 4096;
/// Largest message id accepted (`webhook-id`), in bytes.
pub const MAX_ID_BYTES: usize = 256;
/// Most secrets or keys one verifier may hold.
pub const MAX_SECRETS: usize = 16;
/// Most signature entries one signature header may list.
pub const MAX_SIGNATURES: usize = 16;
/// Deepest nesting of arrays and objects the built-in `JSON.stringify`
/// re-serializer (native targets) accepts; deeper bodies only match raw.
pub const MAX_JSON_DEPTH: usize = 128;
/// Largest tolerance or replay window that can be configured (30 days).
pub const MAX_WINDOW_S: u64 = 30 * 86_400;

/// A verified message: what replay protection needs.
///
/// `id` is the sender's message id when the scheme has one (`webhook-id`).
/// Schemes without one get a stable id derived from the authenticated
/// content: the scheme name, `_`, and 32 lowercase hex digits of
/// SHA-256(HMAC-SHA256(first configured secret, signed content)). It is the
/// same for every delivery of the same signed content whichever configured
/// secret or listed signature matched, and it reveals neither the secret nor
/// a usable signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// The message id (sender's, or derived as described above).
    pub id: String,
    /// The sender's timestamp in unix seconds, `None` for schemes without one.
    pub timestamp: Option<u64>,
    /// Unix seconds until which the id must be remembered to refuse a replay:
    /// `timestamp + tolerance` (later deliveries fail as too old anyway), or
    /// `now + replay_window` for schemes without a timestamp.
    pub remember_until: u64,
}

/// How the configured secret strings of the `descope`, `timestamped_hex`
/// and `sha256_hex` schemes become HMAC key bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SecretEncoding {
    /// The UTF-8 bytes of the string as written (GitHub, Stripe, Descope).
    #[default]
    Utf8,
    /// Standard base64 (padding optional).
    Base64,
    /// Hexadecimal digits.
    Hex,
}

/// `JSON.stringify(JSON.parse(text))`, or `None` where `JSON.parse` would
/// throw: what the `descope` scheme tries after the raw body.
pub type JsonRestringify = fn(&str) -> Option<String>;

/// The body as a JS host sees it after `TextDecoder` (UTF-8): a leading BOM
/// dropped, invalid bytes replaced by U+FFFD.
pub(crate) fn body_text(body: &[u8]) -> std::borrow::Cow<'_, str> {
    let body = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    String::from_utf8_lossy(body)
}

/// Looks up header values by lowercase name.
pub(crate) trait HeaderLookup {
    /// The value of the header `name` (given lowercase), if present.
    fn get_header(&self, name: &str) -> Option<&str>;
}

/// `(name, value)` pairs as received, names in any case.
pub(crate) struct Pairs<'a>(pub(crate) &'a [(String, String)]);

impl HeaderLookup for Pairs<'_> {
    fn get_header(&self, name: &str) -> Option<&str> {
        crate::http::find_header(self.0, name)
    }
}

/// A header value, trimmed, bounded by [`MAX_HEADER_BYTES`].
pub(crate) fn optional_header<'a>(
    headers: &'a dyn HeaderLookup,
    name: &str,
) -> Result<Option<&'a str>, WebhookError> {
    match headers.get_header(name) {
        None => Ok(None),
        Some(v) if v.len() > MAX_HEADER_BYTES => Err(WebhookError::PayloadTooLarge {
            what: format!("header `{name}`"),
            limit: MAX_HEADER_BYTES,
        }),
        Some(v) => Ok(Some(v.trim())),
    }
}

/// A required header value, trimmed, bounded by [`MAX_HEADER_BYTES`].
pub(crate) fn required_header<'a>(
    headers: &'a dyn HeaderLookup,
    name: &str,
) -> Result<&'a str, WebhookError> {
    optional_header(headers, name)?.ok_or_else(|| WebhookError::MissingHeader(name.to_owned()))
}

/// Rejects a body over [`MAX_BODY_BYTES`].
pub(crate) fn check_body(body: &[u8]) -> Result<(), WebhookError> {
    check_body_len(body.len())
}

/// Rejects a body length over [`MAX_BODY_BYTES`].
pub(crate) fn check_body_len(len: usize) -> Result<(), WebhookError> {
    if len > MAX_BODY_BYTES {
        return Err(WebhookError::PayloadTooLarge {
            what: "body".into(),
            limit: MAX_BODY_BYTES,
        });
    }
    Ok(())
}

/// Whole unix seconds in canonical decimal (no sign, no leading zero, no
/// fraction, at most 12 digits).
pub(crate) fn parse_timestamp(text: &str, header: &str) -> Result<u64, WebhookError> {
    let canonical = !text.is_empty()
        && text.len() <= 12
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    if !canonical {
        return Err(WebhookError::bad_format(
            header,
            "the timestamp must be whole unix seconds",
        ));
    }
    text.parse()
        .map_err(|_| WebhookError::bad_format(header, "the timestamp must be whole unix seconds"))
}

/// Accepts `timestamp` if it is within `tolerance_s` of `now`, both ways.
pub(crate) fn check_tolerance(
    timestamp: u64,
    now: u64,
    tolerance_s: u64,
) -> Result<(), WebhookError> {
    if timestamp.saturating_add(tolerance_s) < now {
        return Err(WebhookError::TimestampTooOld);
    }
    if timestamp > now.saturating_add(tolerance_s) {
        return Err(WebhookError::TimestampInFuture);
    }
    Ok(())
}

/// Checks a configured window (tolerance or replay window).
pub(crate) fn check_window(value: u64, field: &'static str) -> Result<u64, WebhookError> {
    if value > MAX_WINDOW_S {
        return Err(WebhookError::InvalidConfig {
            field,
            message: format!("must be at most {MAX_WINDOW_S} seconds"),
        });
    }
    Ok(value)
}

/// One or more HMAC-SHA256 keys, ready to use: each key's inner and outer
/// pads are absorbed once at configuration, which saves two SHA-256 blocks
/// per message (a tenth of the work for a 1 KiB body). The raw key bytes are
/// kept too (zeroized on drop) for a host that computes the MACs itself (see
/// [`Verifier::hmac_keys`](super::Verifier::hmac_keys)); the states are
/// key-equivalent anyway and the `hmac` crate does not zeroize them on drop.
#[derive(Clone)]
pub(crate) struct HmacKeys {
    states: Vec<Hmac<Sha256>>,
    raw: Vec<Zeroizing<Vec<u8>>>,
}

impl core::fmt::Debug for HmacKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "[REDACTED; {}]", self.states.len())
    }
}

impl HmacKeys {
    /// Decodes configured secrets; at least one, at most [`MAX_SECRETS`].
    pub(crate) fn decode(
        secrets: &[Secret],
        encoding: SecretEncoding,
    ) -> Result<Self, WebhookError> {
        check_secret_count(secrets.len())?;
        let mut keys = Vec::with_capacity(secrets.len());
        for (i, s) in secrets.iter().enumerate() {
            let text = s.expose();
            let bad = |what: &str| WebhookError::InvalidSecret(format!("secret #{} {what}", i + 1));
            let key = match encoding {
                SecretEncoding::Utf8 => Zeroizing::new(text.as_bytes().to_vec()),
                SecretEncoding::Base64 => {
                    Zeroizing::new(decode_base64(text).ok_or_else(|| bad("is not valid base64"))?)
                }
                SecretEncoding::Hex => {
                    Zeroizing::new(decode_hex(text).ok_or_else(|| bad("is not valid hexadecimal"))?)
                }
            };
            if key.is_empty() {
                return Err(bad("is empty"));
            }
            keys.push(key);
        }
        Self::from_keys(keys)
    }

    /// Keys already decoded (and checked non-empty by the caller).
    pub(crate) fn from_keys(raw: Vec<Zeroizing<Vec<u8>>>) -> Result<Self, WebhookError> {
        let states = raw
            .iter()
            .map(|k| {
                Hmac::<Sha256>::new_from_slice(k)
                    .map_err(|_| WebhookError::InvalidSecret("a secret is unusable".into()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { states, raw })
    }

    pub(crate) fn len(&self) -> usize {
        self.states.len()
    }

    /// The raw key bytes, in configured order.
    pub(crate) fn raw(&self) -> Vec<&[u8]> {
        self.raw.iter().map(|k| k.as_slice()).collect()
    }

    /// The HMAC-SHA256 of `parts` (concatenated) under every key, in order.
    pub(crate) fn macs(&self, parts: &[&[u8]]) -> Vec<[u8; 32]> {
        self.states.iter().map(|k| finish(k, parts)).collect()
    }

    /// The MAC under the first key only (for signing); `invalid_secret`
    /// when no key is configured.
    pub(crate) fn first_mac(&self, parts: &[&[u8]]) -> Result<[u8; 32], WebhookError> {
        self.states
            .first()
            .map(|k| finish(k, parts))
            .ok_or_else(|| WebhookError::InvalidSecret("no secret configured".into()))
    }
}

fn finish(keyed: &Hmac<Sha256>, parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = keyed.clone();
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Errors unless `n` secrets is an allowed count.
pub(crate) fn check_secret_count(n: usize) -> Result<(), WebhookError> {
    if n == 0 {
        return Err(WebhookError::InvalidSecret(
            "at least one secret is required".into(),
        ));
    }
    if n > MAX_SECRETS {
        return Err(WebhookError::InvalidSecret(format!(
            "at most {MAX_SECRETS} secrets may be configured"
        )));
    }
    Ok(())
}

/// Constant-time equality of two byte strings (lengths may leak, contents not).
pub(crate) fn ct_equal(a: &[u8], b: &[u8]) -> bool {
    bool::from(a.ct_eq(b))
}

/// Whether `given` equals any of `candidates`, in constant time per candidate.
pub(crate) fn matches_any(candidates: &[[u8; 32]], given: &[u8]) -> bool {
    let mut found = false;
    for c in candidates {
        found |= ct_equal(c, given);
    }
    found
}

/// The id of a message whose scheme has none, from the MAC of its content
/// under the first configured key: see [`Verified`].
pub(crate) fn derived_id(scheme: &str, first_mac: &[u8; 32]) -> String {
    let digest = Sha256::digest(first_mac);
    let mut id = String::with_capacity(scheme.len() + 33);
    id.push_str(scheme);
    id.push('_');
    id.push_str(&hex_lower(digest.get(..16).unwrap_or_default()));
    id
}

/// Standard base64 with padding optional, as every decoder here reads it.
const LENIENT: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// Standard base64, padding optional; `None` if malformed.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    LENIENT.decode(text).ok()
}

/// Standard base64 (as [`decode_base64`]) of exactly `N` bytes, `N` at most
/// 64, without allocating (the per-message signatures); `None` otherwise.
pub(crate) fn decode_base64_exact<const N: usize>(text: &str) -> Option<[u8; N]> {
    // 88 characters decode to at most 66 bytes: the buffer always suffices,
    // and anything longer cannot be 64 bytes or fewer.
    let mut buf = [0u8; 66];
    if text.len() > 88 {
        return None;
    }
    let n = LENIENT.decode_slice(text, &mut buf).ok()?;
    if n != N {
        return None;
    }
    buf.get(..N)?.try_into().ok()
}

/// Standard base64 with padding.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// Hex digits (either case) to bytes; `None` if malformed or of odd length.
pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() / 2);
    for pair in digits.chunks_exact(2) {
        out.push(hex_pair(pair)?);
    }
    Some(out)
}

/// Hex digits (as [`decode_hex`]) of exactly `N` bytes, without allocating
/// (the per-message signatures); `None` otherwise.
pub(crate) fn decode_hex_exact<const N: usize>(text: &str) -> Option<[u8; N]> {
    let digits = text.as_bytes();
    if digits.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = hex_pair(pair)?;
    }
    Some(out)
}

fn hex_pair(pair: &[u8]) -> Option<u8> {
    match pair {
        [hi, lo] => Some((hex_value(*hi)? << 4) | hex_value(*lo)?),
        _ => None,
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Checks a configured header name: lowercase token characters only.
pub(crate) fn check_header_name(name: &str, field: &'static str) -> Result<String, WebhookError> {
    let name = name.trim().to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !ok {
        return Err(WebhookError::InvalidConfig {
            field,
            message: "must be an HTTP header name".into(),
        });
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_must_be_canonical_integers() {
        assert_eq!(parse_timestamp("1649367553", "h").unwrap(), 1_649_367_553);
        assert_eq!(parse_timestamp("0", "h").unwrap(), 0);
        for bad in [
            "",
            "01",
            "-1",
            "+1",
            "1.0",
            "1e9",
            " 1",
            "1649367553.5",
            "9999999999999",
            "0x10",
        ] {
            let e = parse_timestamp(bad, "h").unwrap_err();
            assert!(matches!(e, WebhookError::BadFormat { .. }), "{bad}");
        }
    }

    #[test]
    fn tolerance_is_inclusive_both_ways() {
        assert!(check_tolerance(1000, 1300, 300).is_ok());
        assert!(check_tolerance(1000, 700, 300).is_ok());
        assert_eq!(
            check_tolerance(1000, 1301, 300),
            Err(WebhookError::TimestampTooOld)
        );
        assert_eq!(
            check_tolerance(1000, 699, 300),
            Err(WebhookError::TimestampInFuture)
        );
        assert!(check_tolerance(u64::MAX, u64::MAX, 0).is_ok());
        assert_eq!(
            check_tolerance(u64::MAX, 0, u64::MAX - 1),
            Err(WebhookError::TimestampInFuture)
        );
    }

    #[test]
    fn hex_and_base64_decoding() {
        assert_eq!(decode_hex("00fFa0").unwrap(), vec![0, 255, 160]);
        assert!(decode_hex("0").is_none());
        assert!(decode_hex("zz").is_none());
        assert_eq!(decode_hex_exact::<3>("00fFa0"), Some([0, 255, 160]));
        assert_eq!(decode_hex_exact::<2>("00fFa0"), None);
        assert_eq!(decode_hex_exact::<4>("00fFa0"), None);
        assert_eq!(decode_hex_exact::<1>("zz"), None);
        assert_eq!(decode_hex_exact::<1>("0"), None);
        assert_eq!(decode_base64("AQI=").unwrap(), vec![1, 2]);
        assert_eq!(decode_base64("AQI").unwrap(), vec![1, 2]);
        assert!(decode_base64("A!I=").is_none());
        assert_eq!(decode_base64_exact::<2>("AQI"), Some([1, 2]));
        assert_eq!(decode_base64_exact::<2>("AQI="), Some([1, 2]));
        assert_eq!(decode_base64_exact::<3>("AQI="), None);
        assert_eq!(decode_base64_exact::<1>("AQI="), None);
        assert_eq!(decode_base64_exact::<2>("A!I="), None);
        let long = encode_base64(&[7; 64]);
        assert_eq!(decode_base64_exact::<64>(&long), Some([7; 64]));
        assert_eq!(decode_base64_exact::<64>(&format!("{long}AAAA")), None);
    }

    #[test]
    fn keys_decode_or_fail_without_showing_the_secret() {
        let s = |v: &str| Secret::new(v);
        assert!(HmacKeys::decode(&[s("abc")], SecretEncoding::Utf8).is_ok());
        let e =
            HmacKeys::decode(&[s("abc"), s("not base64!")], SecretEncoding::Base64).unwrap_err();
        assert_eq!(
            e,
            WebhookError::InvalidSecret("secret #2 is not valid base64".into())
        );
        let e = HmacKeys::decode(&[s("zz-secret")], SecretEncoding::Hex).unwrap_err();
        assert!(!e.to_string().contains("zz-secret"));
        assert!(HmacKeys::decode(&[], SecretEncoding::Utf8).is_err());
        assert!(HmacKeys::decode(&[s("")], SecretEncoding::Utf8).is_err());
        let many: Vec<Secret> = (0..=MAX_SECRETS).map(|i| s(&format!("k{i}"))).collect();
        assert!(HmacKeys::decode(&many, SecretEncoding::Utf8).is_err());
        let keys = HmacKeys::decode(&[s("abc")], SecretEncoding::Utf8).unwrap();
        assert!(!format!("{keys:?}").contains("abc"));
    }

    #[test]
    fn header_names_are_checked_and_lowercased() {
        assert_eq!(
            check_header_name("X-Hub-Signature-256", "header").unwrap(),
            "x-hub-signature-256"
        );
        assert!(check_header_name("bad header", "header").is_err());
        assert!(check_header_name("", "header").is_err());
    }
}
