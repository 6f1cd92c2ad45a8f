//! What both wire profiles share: input checks, path segments, JSON answer
//! reading and the mapping of non-2xx answers to [`KosmosError::Api`].

use serde_json::{Map, Value};

use super::KosmosError;
use crate::http::{find_header, host_of, is_loopback};

/// Largest answer body read, in bytes; anything longer is a malformed answer.
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Longest identifier (session, challenge, user) accepted, in bytes.
pub const MAX_ID_BYTES: usize = 256;

/// Cuts `s` to at most 80 characters, for quoting input in messages.
pub(crate) fn truncate(s: &str) -> &str {
    truncate_chars(s, 80)
}

fn truncate_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// Text from the API for a message: control characters dropped, at most 200 characters.
fn clean_text(s: &str) -> String {
    truncate_chars(s.trim(), 200)
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// Accepts `https://host...`, and `http://` only for loopback hosts.
pub(crate) fn check_https_or_loopback(field: &str, url: &str) -> Result<(), KosmosError> {
    let fail = |m: String| Err(KosmosError::invalid(field, m));
    if url.chars().any(|c| c.is_control() || c == ' ') {
        return fail(format!(
            "`{}` contains spaces or control characters",
            truncate(url)
        ));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return fail(format!("`{}` is not an absolute url", truncate(url)));
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host_of(authority);
    if host.is_empty() {
        return fail(format!("`{}` has no host", truncate(url)));
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => fail(format!(
            "`{}` must use https (http is allowed only on loopback)",
            truncate(url)
        )),
        _ => fail(format!("`{}` must use https", truncate(url))),
    }
}

/// Checks a text input: not blank, at most `max` bytes, no control characters.
pub(crate) fn check_text(field: &str, value: &str, max: usize) -> Result<(), KosmosError> {
    if value.trim().is_empty() {
        return Err(KosmosError::invalid(field, "must not be empty"));
    }
    if value.len() > max {
        return Err(KosmosError::invalid(
            field,
            format!("must be at most {max} bytes, got {}", value.len()),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(KosmosError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// Validates an identifier for use as one URL path segment and percent-encodes
/// every byte outside the RFC 3986 unreserved set.
pub(crate) fn path_segment(field: &str, id: &str) -> Result<String, KosmosError> {
    check_text(field, id, MAX_ID_BYTES)?;
    if id.chars().all(|c| c == '.') {
        // `.` and `..` would be resolved away by URL normalization.
        return Err(KosmosError::invalid(
            field,
            format!("`{}` is not an identifier", truncate(id)),
        ));
    }
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 0x0f] {
                out.push(
                    char::from_digit(u32::from(nibble), 16)
                        .unwrap_or('0')
                        .to_ascii_uppercase(),
                );
            }
        }
    }
    Ok(out)
}

/// Reads a 2xx body as a JSON object, or says why it is not one.
pub(crate) fn json_object(body: &str) -> Result<Map<String, Value>, KosmosError> {
    if body.len() > MAX_RESPONSE_BYTES {
        return Err(KosmosError::malformed(format!(
            "body is {} bytes, more than the {MAX_RESPONSE_BYTES} accepted",
            body.len()
        )));
    }
    if body.trim().is_empty() {
        return Err(KosmosError::malformed("body is empty"));
    }
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(KosmosError::malformed("body is not a json object")),
        Err(e) => Err(KosmosError::malformed(format!("body is not json ({e})"))),
    }
}

/// A required string field of an answer.
fn required_str<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str, KosmosError> {
    obj.get(name)
        .ok_or_else(|| KosmosError::malformed(format!("`{name}` is missing")))?
        .as_str()
        .ok_or_else(|| KosmosError::malformed(format!("`{name}` is not a string")))
}

/// A required identifier field of an answer: a non-empty string without
/// control characters, at most [`MAX_ID_BYTES`].
pub(crate) fn required_id(obj: &Map<String, Value>, name: &str) -> Result<String, KosmosError> {
    let s = required_str(obj, name)?;
    if s.trim().is_empty() || s.len() > MAX_ID_BYTES || s.chars().any(char::is_control) {
        return Err(KosmosError::malformed(format!(
            "`{name}` is empty, too long or contains control characters"
        )));
    }
    Ok(s.to_owned())
}

/// A required URL field of an answer: https, or http on loopback.
pub(crate) fn required_url(obj: &Map<String, Value>, name: &str) -> Result<String, KosmosError> {
    let s = required_str(obj, name)?;
    check_https_or_loopback(name, s).map_err(|e| match e {
        KosmosError::InvalidInput { message, .. } => {
            KosmosError::malformed(format!("`{name}` {message}"))
        }
        other => other,
    })?;
    Ok(s.to_owned())
}

/// Rejects a non-2xx status with the matching [`KosmosError::Api`].
pub(crate) fn ensure_success(
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> Result<(), KosmosError> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(api_error(status, headers, body))
    }
}

/// Longest `Retry-After` honoured, in seconds (one day).
const MAX_RETRY_AFTER_S: u64 = 86_400;

/// Maps a non-2xx answer to [`KosmosError::Api`].
///
/// The body may be any of the error shapes seen in the wild:
/// `{"error": {"code", "message", "field"}}`, `{"code", "message", "field"}`,
/// `{"error": "code", "error_description": "..."}`, `{"errors": [{"field", "message"}]}`,
/// or not JSON at all.
pub(crate) fn api_error(status: u16, headers: &[(String, String)], body: &str) -> KosmosError {
    let parsed: Value = if body.len() <= MAX_RESPONSE_BYTES {
        serde_json::from_str(body).unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    let nested = parsed.get("error").filter(|v| v.is_object());
    let first_error = parsed
        .get("errors")
        .and_then(Value::as_array)
        .and_then(|a| a.first());
    let lookup = |names: &[&str]| -> Option<String> {
        [nested, Some(&parsed), first_error]
            .into_iter()
            .flatten()
            .find_map(|obj| {
                names
                    .iter()
                    .find_map(|n| obj.get(*n).and_then(Value::as_str))
            })
            .map(clean_text)
            .filter(|s| !s.is_empty())
    };
    let message = lookup(&["message", "error_description", "detail", "title"]).unwrap_or_default();
    let field = lookup(&["field", "param", "parameter", "pointer"]);
    let api_code = lookup(&["code", "type"]).or_else(|| {
        // OAuth style: `"error": "invalid_request"`.
        parsed.get("error").and_then(Value::as_str).map(clean_text)
    });
    let retry_after_s = find_header(headers, "retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|s| s.min(MAX_RETRY_AFTER_S));
    let code = match status {
        400 | 422 => "invalid_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        408 => "timeout",
        409 => "conflict",
        410 => "gone",
        413 => "payload_too_large",
        429 => "rate_limited",
        500 | 502 | 503 | 504 => "upstream_unavailable",
        100..=199 | 300..=399 => "unexpected_status",
        _ => "api_error",
    };
    // Whether to send again is the retry policy's rule, not this table's.
    let retryable = crate::retry::is_retryable_status(status);
    KosmosError::Api {
        status,
        code,
        message,
        api_code,
        field: if code == "invalid_request" {
            field
        } else {
            None
        },
        retryable,
        retry_after_s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo;

    #[test]
    fn path_segments_are_encoded_and_checked() {
        assert_eq!(path_segment("id", "abc-1_2.3~").unwrap(), "abc-1_2.3~");
        assert_eq!(path_segment("id", "a/b?c#d").unwrap(), "a%2Fb%3Fc%23d");
        assert_eq!(path_segment("id", "é").unwrap(), "%C3%A9");
        for bad in ["", " ", ".", "..", "a\nb"] {
            assert!(path_segment("id", bad).is_err(), "{bad:?}");
        }
        assert!(path_segment("id", &"x".repeat(MAX_ID_BYTES + 1)).is_err());
    }

    #[test]
    fn json_object_names_the_problem() {
        for (body, want) in [
            ("", "body is empty"),
            ("[1]", "body is not a json object"),
            ("{", "body is not json"),
        ] {
            let e = json_object(body).unwrap_err();
            assert!(e.to_string().contains(want), "{body}: {e}");
        }
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_RESPONSE_BYTES));
        assert!(json_object(&big).unwrap_err().to_string().contains("bytes"));
    }

    #[test]
    fn error_shapes_are_all_read() {
        let e = api_error(
            422,
            &[],
            r#"{"errors":[{"field":"document_types","message":"unknown type"}]}"#,
        );
        assert_eq!(e.field(), Some("document_types"));
        assert_eq!(e.code(), "invalid_request");
        assert_eq!(e.to_string(), "1kosmos answered http 422: unknown type");
        let e = api_error(
            400,
            &[],
            r#"{"error":"invalid_grant","error_description":"bad\u0000 thing"}"#,
        );
        assert!(
            matches!(&e, KosmosError::Api { api_code: Some(c), message, .. } if c == "invalid_grant" && message == "bad thing")
        );
        let e = api_error(400, &[], r#"{"code":"E42","message":"no","field":"x"}"#);
        assert!(
            matches!(&e, KosmosError::Api { api_code: Some(c), field: Some(f), .. } if c == "E42" && f == "x")
        );
        // A field is only reported for invalid_request.
        let e = api_error(403, &[], r#"{"field":"x"}"#);
        assert_eq!(e.field(), None);
        let e = api_error(503, &[("retry-after".into(), "999999".into())], "<html>");
        assert_eq!(e.retry_after_s(), Some(MAX_RETRY_AFTER_S));
        assert_eq!(e.to_string(), "1kosmos answered http 503");
    }
}
