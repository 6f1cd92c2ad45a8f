//! Timestamped hex schemes: one header `t=<unix>,v1=<hex>[,v1=<hex>...]`
//! over a configurable signed payload such as `{t}.{body}` (the layout
//! Stripe made common). Header name, the `t` and `v1` keys and the payload
//! template are configuration, so a sender's scheme is data, not code.

use super::common::{
    check_body, check_body_len, check_tolerance, decode_hex_exact, parse_timestamp,
    required_header, HeaderLookup, HmacKeys, MAX_SIGNATURES,
};
use super::prepared::{MessageId, Prepared};
use crate::entropy::hex_lower;

use super::WebhookError;

/// One piece of a signed-payload template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Part {
    Literal(String),
    Timestamp,
    Body,
}

/// Compiles a template: `{t}` and `{body}` exactly once each, other text literal.
pub(super) fn compile_template(template: &str) -> Result<Vec<Part>, WebhookError> {
    let bad = |message: &str| WebhookError::InvalidConfig {
        field: "template",
        message: message.into(),
    };
    let mut parts = Vec::new();
    let mut rest = template;
    let (mut t, mut b) = (0, 0);
    while let Some(open) = rest.find('{') {
        let (lit, tail) = rest.split_at(open);
        if !lit.is_empty() {
            parts.push(Part::Literal(lit.to_owned()));
        }
        if let Some(after) = tail.strip_prefix("{t}") {
            parts.push(Part::Timestamp);
            t += 1;
            rest = after;
        } else if let Some(after) = tail.strip_prefix("{body}") {
            parts.push(Part::Body);
            b += 1;
            rest = after;
        } else {
            return Err(bad("only `{t}` and `{body}` may appear in braces"));
        }
    }
    if !rest.is_empty() {
        parts.push(Part::Literal(rest.to_owned()));
    }
    if t != 1 || b != 1 {
        return Err(bad("must contain `{t}` and `{body}` exactly once each"));
    }
    if template.len() > 256 {
        return Err(bad("must be at most 256 bytes"));
    }
    Ok(parts)
}

/// A compiled timestamped-hex verifier.
#[derive(Debug, Clone)]
pub(super) struct TimestampedHex {
    pub(super) keys: HmacKeys,
    pub(super) header: String,
    pub(super) template: Vec<Part>,
    pub(super) timestamp_key: String,
    pub(super) signature_key: String,
    pub(super) tolerance_s: u64,
}

impl TimestampedHex {
    fn content<'a>(&'a self, ts: &'a str, body: &'a [u8]) -> Vec<&'a [u8]> {
        self.template
            .iter()
            .map(|p| match p {
                Part::Literal(s) => s.as_bytes(),
                Part::Timestamp => ts.as_bytes(),
                Part::Body => body,
            })
            .collect()
    }

    pub(super) fn prepare(
        &self,
        headers: &dyn HeaderLookup,
        body_len: usize,
        now: u64,
    ) -> Result<Prepared, WebhookError> {
        check_body_len(body_len)?;
        let value = required_header(headers, &self.header)?;
        let mut ts_text: Option<&str> = None;
        let mut given: Vec<[u8; 32]> = Vec::new();
        let mut signatures = 0usize;
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((key, val)) = item.split_once('=') else {
                return Err(WebhookError::bad_format(
                    &self.header,
                    "entries must be `key=value` separated by `,`",
                ));
            };
            if key == self.timestamp_key {
                if ts_text.replace(val).is_some() {
                    return Err(WebhookError::bad_format(
                        &self.header,
                        format!("`{}` appears more than once", self.timestamp_key),
                    ));
                }
            } else if key == self.signature_key {
                signatures += 1;
                if signatures > MAX_SIGNATURES {
                    return Err(WebhookError::bad_format(
                        &self.header,
                        format!("lists more than {MAX_SIGNATURES} signatures"),
                    ));
                }
                // An entry that is not 32 bytes of hex cannot match: skipped.
                if let Some(bytes) = decode_hex_exact::<32>(val) {
                    given.push(bytes);
                }
            }
        }
        let ts_text = ts_text.ok_or_else(|| {
            WebhookError::bad_format(
                &self.header,
                format!("no `{}=` timestamp", self.timestamp_key),
            )
        })?;
        let timestamp = parse_timestamp(ts_text, &self.header)?;
        check_tolerance(timestamp, now, self.tolerance_s)?;
        let (mut prefix, mut suffix) = (String::new(), String::new());
        let mut after_body = false;
        for part in &self.template {
            let out = if after_body { &mut suffix } else { &mut prefix };
            match part {
                Part::Literal(s) => out.push_str(s),
                Part::Timestamp => out.push_str(ts_text),
                Part::Body => after_body = true,
            }
        }
        Ok(Prepared::new(
            prefix,
            suffix,
            given,
            MessageId::Derived("timestamped_hex"),
            Some(timestamp),
            timestamp.saturating_add(self.tolerance_s),
            self.keys.len(),
        ))
    }

    /// The header to send: `t=<timestamp>` then one `v1=<hex>` per secret.
    pub(super) fn sign(
        &self,
        timestamp: u64,
        body: &[u8],
    ) -> Result<Vec<(String, String)>, WebhookError> {
        check_body(body)?;
        let ts = timestamp.to_string();
        let content = self.content(&ts, body);
        let mut value = format!("{}={ts}", self.timestamp_key);
        for mac in self.keys.macs(&content) {
            value.push(',');
            value.push_str(&self.signature_key);
            value.push('=');
            value.push_str(&hex_lower(&mac));
        }
        Ok(vec![(self.header.clone(), value)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(
            compile_template("{t}.{body}").unwrap(),
            vec![Part::Timestamp, Part::Literal(".".into()), Part::Body]
        );
        assert_eq!(
            compile_template("v0:{t}:{body}").unwrap(),
            vec![
                Part::Literal("v0:".into()),
                Part::Timestamp,
                Part::Literal(":".into()),
                Part::Body
            ]
        );
        for bad in [
            "{body}",
            "{t}",
            "{t}{t}{body}",
            "{t}.{id}.{body}",
            "{t}{body}{",
            "",
        ] {
            let e = compile_template(bad).unwrap_err();
            assert_eq!(ErrorInfo::code(&e), "invalid_argument", "{bad}");
        }
    }

    use crate::ErrorInfo;
}
