//! The small encodings OIDC needs: strict base64url, form-urlencoding (both
//! ways) and endpoint URL checks.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use super::OidcError;
use crate::http::{host_of, is_loopback};

/// Base64url without padding.
pub(crate) fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url decoding: the URL-safe alphabet only, no padding, no
/// whitespace, and no stray bits in the last character (one encoding per value).
pub(crate) fn b64url_decode(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s).ok()
}

/// Appends `s` in `application/x-www-form-urlencoded` form: alphanumerics
/// and `*-._` as they are, space as `+`, every other byte as `%XX`.
pub(crate) fn form_encode_into(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                for nibble in [b >> 4, b & 0x0f] {
                    out.push(char::from(*HEX.get(usize::from(nibble)).unwrap_or(&b'0')));
                }
            }
        }
    }
}

/// `s` form-urlencoded.
pub(crate) fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    form_encode_into(&mut out, s);
    out
}

/// `name=value&...` from pairs, each side form-urlencoded.
pub(crate) fn form_serialize(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        form_encode_into(&mut out, k);
        out.push('=');
        form_encode_into(&mut out, v);
    }
    out
}

/// Parses `application/x-www-form-urlencoded` text into pairs. Rejects a
/// broken `%` escape and bytes that are not UTF-8 once decoded, instead of
/// guessing. Empty segments (`a=1&&b=2`) are skipped.
pub(crate) fn form_parse(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    for segment in s.split('&').filter(|seg| !seg.is_empty()) {
        let (k, v) = segment.split_once('=').unwrap_or((segment, ""));
        pairs.push((form_decode(k)?, form_decode(v)?));
    }
    Ok(pairs)
}

fn form_decode(s: &str) -> Result<String, String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut iter = s.bytes();
    while let Some(b) = iter.next() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hi = iter.next().and_then(hex_value);
                let lo = iter.next().and_then(hex_value);
                match (hi, lo) {
                    (Some(hi), Some(lo)) => bytes.push(hi << 4 | lo),
                    _ => return Err("a `%` escape is not followed by two hex digits".into()),
                }
            }
            _ => bytes.push(b),
        }
    }
    String::from_utf8(bytes).map_err(|_| "a value is not utf-8 once decoded".into())
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Checks an endpoint URL: absolute, `https` (or `http` on a loopback host,
/// for local stand-ins), with a host, no fragment and no whitespace.
pub(crate) fn check_endpoint(url: &str, field: &str) -> Result<(), OidcError> {
    let shown = super::error::short(url);
    let sanitize = super::error::sanitize;
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(OidcError::invalid(
            field,
            format!(
                "`{}` contains whitespace or control characters",
                sanitize(shown)
            ),
        ));
    }
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| OidcError::invalid(field, format!("`{shown}` is not an absolute url")))?;
    if url.contains('#') {
        return Err(OidcError::invalid(
            field,
            format!("`{shown}` must not have a fragment"),
        ));
    }
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host = host_of(authority);
    if host.is_empty() {
        return Err(OidcError::invalid(field, format!("`{shown}` has no host")));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(OidcError::invalid(
            field,
            format!("`{shown}` must use https (http is allowed only on loopback)"),
        )),
        _ => Err(OidcError::invalid(
            field,
            format!("`{shown}` must use https"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_is_strict() {
        assert_eq!(b64url(b"\xfb\xff"), "-_8");
        assert_eq!(b64url_decode("-_8").unwrap(), b"\xfb\xff");
        assert!(b64url_decode("-_8=").is_none(), "padding");
        assert!(b64url_decode("+/8").is_none(), "standard alphabet");
        assert!(b64url_decode("-_9").is_none(), "stray trailing bits");
        assert!(b64url_decode("-_ 8").is_none(), "whitespace");
        assert!(b64url_decode("A").is_none(), "impossible length");
    }

    #[test]
    fn form_encoding_round_trips() {
        let text = "a b&c=d/é~*-._+%";
        let enc = form_encode(text);
        assert_eq!(enc, "a+b%26c%3Dd%2F%C3%A9%7E*-._%2B%25");
        let parsed = form_parse(&format!("k={enc}&&x")).unwrap();
        assert_eq!(
            parsed,
            vec![("k".into(), text.into()), ("x".into(), String::new())]
        );
    }

    #[test]
    fn form_parse_rejects_broken_escapes() {
        assert!(form_parse("a=%4").is_err());
        assert!(form_parse("a=%zz").is_err());
        assert!(form_parse("a=%ff").is_err(), "not utf-8");
    }

    #[test]
    fn endpoints_must_be_https_or_loopback() {
        assert!(check_endpoint("https://idp.example/authorize?x=1", "f").is_ok());
        assert!(check_endpoint("http://127.0.0.1:8787/token", "f").is_ok());
        assert!(check_endpoint("http://[::1]/token", "f").is_ok());
        for bad in [
            "http://idp.example/a",
            "ftp://idp.example/a",
            "idp.example/a",
            "https:///a",
            "https://idp.example/a#frag",
            "https://idp.example/a b",
            "https://idp.example/a\r\nx: y",
        ] {
            assert_eq!(
                check_endpoint(bad, "f")
                    .unwrap_err()
                    .to_string()
                    .split(':')
                    .next(),
                Some("invalid `f`"),
                "{bad}"
            );
        }
    }
}
