//! One configuration shape for every scheme, checked once, and the compiled
//! [`Verifier`] that verifies and signs.

use serde::Deserialize;
use serde_json::{Map, Value};

use super::common::{
    check_header_name, check_window, HeaderLookup, HmacKeys, JsonRestringify, Pairs,
    SecretEncoding, Verified, DEFAULT_REPLAY_WINDOW_S, DEFAULT_TOLERANCE_S,
};
use super::descope::{Descope, DESCOPE_HEADER};
use super::hex::{Sha256Hex, GITHUB_HEADER};
use super::prepared::Prepared;
use super::standard::StandardWebhooks;
use super::timestamped::{compile_template, TimestampedHex};
use super::WebhookError;
use crate::{Error, Secret};

/// A verifier configuration, as JSON:
///
/// ```json
/// { "scheme": "standard", "secrets": ["whsec_..."], "tolerance_s": 300 }
/// { "scheme": "descope", "secrets": ["..."] }
/// { "scheme": "timestamped_hex", "secrets": ["..."], "header": "x-signature", "template": "{t}.{body}" }
/// { "scheme": "sha256_hex", "secrets": ["..."], "header": "x-hub-signature-256" }
/// ```
///
/// Unknown fields are refused, so a misspelt option cannot be ignored.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum VerifierConfig {
    /// Standard Webhooks (`webhook-*` or `svix-*` headers).
    Standard(StandardConfig),
    /// Descope's `x-descope-webhook-s256`.
    Descope(DescopeConfig),
    /// A `t=<unix>,v1=<hex>` header over a templated payload.
    TimestampedHex(TimestampedHexConfig),
    /// A `sha256=<hex>` header over the raw body, no timestamp.
    Sha256Hex(Sha256HexConfig),
}

const SCHEMES: &str = "`standard`, `descope`, `timestamped_hex` or `sha256_hex`";

impl VerifierConfig {
    /// Reads a configuration from JSON data. Unknown fields are refused and
    /// no error repeats a value (a misplaced secret stays unseen).
    ///
    /// Errors: `invalid_argument` (with the field) for a missing or unknown
    /// scheme, an unknown field or a value of the wrong type.
    pub fn from_value(value: Value) -> Result<Self, WebhookError> {
        let Value::Object(map) = value else {
            return Err(invalid("scheme", "the configuration must be an object"));
        };
        let mut f = Fields(map);
        let config = match f.take_str("scheme")?.as_deref() {
            Some("standard") => Self::Standard(StandardConfig {
                secrets: f.take_secrets()?,
                tolerance_s: f.take_u64("tolerance_s")?,
            }),
            Some("descope") => Self::Descope(DescopeConfig {
                secrets: f.take_secrets()?,
                secret_encoding: f.take_encoding()?,
                header: f.take_str("header")?,
                replay_window_s: f.take_u64("replay_window_s")?,
                stringify_fallback: f.take_bool("stringify_fallback")?,
            }),
            Some("timestamped_hex") => Self::TimestampedHex(TimestampedHexConfig {
                secrets: f.take_secrets()?,
                secret_encoding: f.take_encoding()?,
                header: f
                    .take_str("header")?
                    .ok_or_else(|| invalid("header", "is required for `timestamped_hex`"))?,
                template: f.take_str("template")?,
                timestamp_key: f.take_str("timestamp_key")?,
                signature_key: f.take_str("signature_key")?,
                tolerance_s: f.take_u64("tolerance_s")?,
            }),
            Some("sha256_hex") => Self::Sha256Hex(Sha256HexConfig {
                secrets: f.take_secrets()?,
                secret_encoding: f.take_encoding()?,
                header: f.take_str("header")?,
                prefix: f.take_str("prefix")?,
                replay_window_s: f.take_u64("replay_window_s")?,
            }),
            _ => return Err(invalid("scheme", &format!("must be {SCHEMES}"))),
        };
        f.finish()?;
        Ok(config)
    }
}

impl<'de> Deserialize<'de> for VerifierConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::from_value(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

fn invalid(field: &'static str, message: &str) -> WebhookError {
    WebhookError::InvalidConfig {
        field,
        message: message.to_owned(),
    }
}

/// The fields of a configuration object, taken one by one; what is left
/// at the end is unknown.
struct Fields(Map<String, Value>);

impl Fields {
    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name).filter(|v| !v.is_null())
    }

    fn take_str(&mut self, name: &'static str) -> Result<Option<String>, WebhookError> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(invalid(name, "must be a string")),
        }
    }

    fn take_u64(&mut self, name: &'static str) -> Result<Option<u64>, WebhookError> {
        match self.take(name) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| invalid(name, "must be a whole number of seconds")),
        }
    }

    fn take_bool(&mut self, name: &'static str) -> Result<Option<bool>, WebhookError> {
        match self.take(name) {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| invalid(name, "must be `true` or `false`")),
        }
    }

    fn take_encoding(&mut self) -> Result<Option<SecretEncoding>, WebhookError> {
        let Some(name) = self.take_str("secret_encoding")? else {
            return Ok(None);
        };
        match name.as_str() {
            "utf8" => Ok(Some(SecretEncoding::Utf8)),
            "base64" => Ok(Some(SecretEncoding::Base64)),
            "hex" => Ok(Some(SecretEncoding::Hex)),
            _ => Err(invalid(
                "secret_encoding",
                "must be `utf8`, `base64` or `hex`",
            )),
        }
    }

    fn take_secrets(&mut self) -> Result<Vec<Secret>, WebhookError> {
        let not_strings = || invalid("secrets", "must be an array of strings");
        match self.take("secrets") {
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(Secret::new(s)),
                    _ => Err(not_strings()),
                })
                .collect(),
            Some(_) => Err(not_strings()),
            None => Err(invalid("secrets", "is required")),
        }
    }

    fn finish(self) -> Result<(), WebhookError> {
        match self.0.keys().next() {
            None => Ok(()),
            Some(name) => Err(WebhookError::InvalidConfig {
                field: "config",
                message: format!("has an unknown field `{name}`"),
            }),
        }
    }
}

/// Standard Webhooks options.
#[derive(Debug, Clone)]
pub struct StandardConfig {
    /// `whsec_` (HMAC), `whpk_` (Ed25519 public) or `whsk_` (Ed25519 secret) keys.
    pub secrets: Vec<Secret>,
    /// Allowed distance between the timestamp and `now`, both ways (default 300).
    pub tolerance_s: Option<u64>,
}

/// Descope options.
#[derive(Debug, Clone)]
pub struct DescopeConfig {
    /// The HMAC secrets as configured in Descope.
    pub secrets: Vec<Secret>,
    /// How the secrets become key bytes (default `utf8`).
    pub secret_encoding: Option<SecretEncoding>,
    /// The signature header (default `x-descope-webhook-s256`).
    pub header: Option<String>,
    /// How long a derived id is remembered (default one day).
    pub replay_window_s: Option<u64>,
    /// Also try the `JSON.stringify` form of the body (default `true`).
    pub stringify_fallback: Option<bool>,
}

/// Timestamped hex options.
#[derive(Debug, Clone)]
pub struct TimestampedHexConfig {
    /// The HMAC secrets.
    pub secrets: Vec<Secret>,
    /// How the secrets become key bytes (default `utf8`).
    pub secret_encoding: Option<SecretEncoding>,
    /// The signature header, required (for example `stripe-signature`).
    pub header: String,
    /// The signed payload, with `{t}` and `{body}` once each (default `{t}.{body}`).
    pub template: Option<String>,
    /// The key of the timestamp entry (default `t`).
    pub timestamp_key: Option<String>,
    /// The key of the signature entries (default `v1`).
    pub signature_key: Option<String>,
    /// Allowed distance between the timestamp and `now`, both ways (default 300).
    pub tolerance_s: Option<u64>,
}

/// `sha256=` hex options.
#[derive(Debug, Clone)]
pub struct Sha256HexConfig {
    /// The HMAC secrets.
    pub secrets: Vec<Secret>,
    /// How the secrets become key bytes (default `utf8`).
    pub secret_encoding: Option<SecretEncoding>,
    /// The signature header (default `x-hub-signature-256`).
    pub header: Option<String>,
    /// What precedes the hex digits (default `sha256=`; may be empty).
    pub prefix: Option<String>,
    /// How long a derived id is remembered (default one day).
    pub replay_window_s: Option<u64>,
}

/// A compiled verifier: configuration checked once, then `verify` and
/// `sign` per message. Cheap to share; holds its secrets zeroized.
#[derive(Debug, Clone)]
pub struct Verifier(Scheme);

#[derive(Debug, Clone)]
enum Scheme {
    Standard(StandardWebhooks),
    Descope(Descope),
    TimestampedHex(TimestampedHex),
    Sha256Hex(Sha256Hex),
}

impl Verifier {
    /// Compiles a configuration.
    ///
    /// Errors: `invalid_secret` for a secret that does not decode, has the
    /// wrong length, or when none or too many are given; `invalid_argument`
    /// for a bad header name, template, key name or window.
    pub fn new(config: VerifierConfig) -> Result<Self, WebhookError> {
        let scheme = match config {
            VerifierConfig::Standard(c) => Scheme::Standard(StandardWebhooks::from_secrets(
                &c.secrets,
                c.tolerance_s.unwrap_or(DEFAULT_TOLERANCE_S),
            )?),
            VerifierConfig::Descope(c) => Scheme::Descope(Descope {
                keys: HmacKeys::decode(&c.secrets, c.secret_encoding.unwrap_or_default())?,
                header: check_header_name(c.header.as_deref().unwrap_or(DESCOPE_HEADER), "header")?,
                replay_window_s: check_window(
                    c.replay_window_s.unwrap_or(DEFAULT_REPLAY_WINDOW_S),
                    "replay_window_s",
                )?,
                fallback: c.stringify_fallback.unwrap_or(true),
                restringify: builtin_restringify(),
            }),
            VerifierConfig::TimestampedHex(c) => Scheme::TimestampedHex(TimestampedHex {
                keys: HmacKeys::decode(&c.secrets, c.secret_encoding.unwrap_or_default())?,
                header: check_header_name(&c.header, "header")?,
                template: compile_template(c.template.as_deref().unwrap_or("{t}.{body}"))?,
                timestamp_key: entry_key(
                    c.timestamp_key.as_deref().unwrap_or("t"),
                    "timestamp_key",
                )?,
                signature_key: entry_key(
                    c.signature_key.as_deref().unwrap_or("v1"),
                    "signature_key",
                )?,
                tolerance_s: check_window(
                    c.tolerance_s.unwrap_or(DEFAULT_TOLERANCE_S),
                    "tolerance_s",
                )?,
            }),
            VerifierConfig::Sha256Hex(c) => Scheme::Sha256Hex(Sha256Hex {
                keys: HmacKeys::decode(&c.secrets, c.secret_encoding.unwrap_or_default())?,
                header: check_header_name(c.header.as_deref().unwrap_or(GITHUB_HEADER), "header")?,
                prefix: prefix(c.prefix.as_deref().unwrap_or("sha256="))?,
                replay_window_s: check_window(
                    c.replay_window_s.unwrap_or(DEFAULT_REPLAY_WINDOW_S),
                    "replay_window_s",
                )?,
            }),
        };
        if let Scheme::TimestampedHex(t) = &scheme {
            if t.timestamp_key == t.signature_key {
                return Err(WebhookError::InvalidConfig {
                    field: "signature_key",
                    message: "must differ from `timestamp_key`".into(),
                });
            }
        }
        Ok(Self(scheme))
    }

    /// Compiles a configuration given as JSON text. A shape error (unknown
    /// scheme or field, wrong type) is an `invalid_argument` usage error.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            Error::usage(
                format!("webhook configuration is not JSON: {e}"),
                Some("config"),
            )
        })?;
        let config = VerifierConfig::from_value(value)?;
        Ok(Self::new(config)?)
    }

    /// Plugs in the `JSON.stringify(JSON.parse(text))` the `descope` scheme
    /// tries after the raw body (unless `stringify_fallback` is `false`).
    /// Native builds have one built in; in WebAssembly the host's own `JSON`
    /// is plugged in by the JS bindings. Other schemes ignore it.
    #[must_use]
    pub fn with_json_restringify(mut self, f: JsonRestringify) -> Self {
        if let Scheme::Descope(d) = &mut self.0 {
            d.restringify = Some(f);
        }
        self
    }

    /// The scheme name: `standard`, `descope`, `timestamped_hex` or `sha256_hex`.
    pub fn scheme(&self) -> &'static str {
        match &self.0 {
            Scheme::Standard(_) => "standard",
            Scheme::Descope(_) => "descope",
            Scheme::TimestampedHex(_) => "timestamped_hex",
            Scheme::Sha256Hex(_) => "sha256_hex",
        }
    }

    /// The (lowercase) names of the headers `verify` reads, so a host can
    /// pass only those.
    pub fn header_names(&self) -> Vec<&str> {
        match &self.0 {
            Scheme::Standard(_) => StandardWebhooks::header_names().to_vec(),
            Scheme::Descope(d) => vec![d.header.as_str()],
            Scheme::TimestampedHex(t) => vec![t.header.as_str()],
            Scheme::Sha256Hex(s) => vec![s.header.as_str()],
        }
    }

    /// Verifies a message: `headers` as received (names in any case), the
    /// raw `body`, `now` in unix seconds. Returns the id and timestamp that
    /// replay protection needs.
    ///
    /// Errors (codes): `missing_header`, `bad_format`, `payload_too_large`,
    /// `timestamp_too_old`, `timestamp_in_future`, `no_matching_signature`.
    pub fn verify(
        &self,
        headers: &[(String, String)],
        body: &[u8],
        now: u64,
    ) -> Result<Verified, WebhookError> {
        self.verify_with(&Pairs(headers), body, now)
    }

    pub(crate) fn verify_with(
        &self,
        headers: &dyn HeaderLookup,
        body: &[u8],
        now: u64,
    ) -> Result<Verified, WebhookError> {
        match &self.0 {
            Scheme::Standard(s) => s.verify_with(headers, body, now),
            Scheme::Descope(d) => d.verify(headers, body, now),
            Scheme::TimestampedHex(t) => t
                .prepare(headers, body.len(), now)?
                .finish_with(&t.keys, body),
            Scheme::Sha256Hex(s) => s
                .prepare(headers, body.len(), now)?
                .finish_with(&s.keys, body),
        }
    }

    /// The first half of `verify` for a host that computes the MACs itself
    /// (see [`Prepared`]): every check before the MAC, with the same errors
    /// in the same order as `verify` (`payload_too_large` for a `body_len`
    /// over [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES), `missing_header`,
    /// `bad_format`, `timestamp_too_old`, `timestamp_in_future`). Then
    /// [`Prepared::finish`] with one MAC per key of [`hmac_keys`](Self::hmac_keys).
    ///
    /// For `descope`, `finish` checks the raw body only: when it says
    /// `no_matching_signature`, call `verify`, which also tries the body's
    /// `JSON.stringify` form. A `standard` verifier holding Ed25519 keys
    /// (`whpk_`, `whsk_`) cannot be split: `invalid_argument` (field
    /// `secrets`), use `verify`.
    pub fn prepare(
        &self,
        headers: &[(String, String)],
        body_len: usize,
        now: u64,
    ) -> Result<Prepared, WebhookError> {
        self.prepare_with(&Pairs(headers), body_len, now)
    }

    pub(crate) fn prepare_with(
        &self,
        headers: &dyn HeaderLookup,
        body_len: usize,
        now: u64,
    ) -> Result<Prepared, WebhookError> {
        match &self.0 {
            Scheme::Standard(s) if !s.is_hmac_only() => Err(WebhookError::InvalidConfig {
                field: "secrets",
                message: "Ed25519 keys are checked by `verify` only".into(),
            }),
            Scheme::Standard(s) => Ok(s.prepare_with(headers, body_len, now)?.0),
            Scheme::Descope(d) => d.prepare(headers, body_len, now),
            Scheme::TimestampedHex(t) => t.prepare(headers, body_len, now),
            Scheme::Sha256Hex(s) => s.prepare(headers, body_len, now),
        }
    }

    /// The raw HMAC-SHA256 keys, in configured order, for a host that
    /// computes the MACs of [`prepare`](Self::prepare) itself; `None` when
    /// the verifier cannot be split (a `standard` one with Ed25519 keys).
    /// Secret: hand them to the host's key store and keep no copy.
    pub fn hmac_keys(&self) -> Option<Vec<&[u8]>> {
        match &self.0 {
            Scheme::Standard(s) => s.hmac_keys(),
            Scheme::Descope(d) => Some(d.keys.raw()),
            Scheme::TimestampedHex(t) => Some(t.keys.raw()),
            Scheme::Sha256Hex(s) => Some(s.keys.raw()),
        }
    }

    /// Signs an outgoing message: the headers to send with exactly `body`.
    ///
    /// `id` is required by `standard` (and ignored by the others);
    /// `timestamp` is used by `standard` and `timestamped_hex`. Errors:
    /// `bad_format` for a missing or malformed id, `payload_too_large`,
    /// `invalid_secret` when no configured key can sign.
    pub fn sign(
        &self,
        id: Option<&str>,
        timestamp: u64,
        body: &[u8],
    ) -> Result<Vec<(String, String)>, WebhookError> {
        match &self.0 {
            Scheme::Standard(s) => {
                let id = id.ok_or_else(|| {
                    WebhookError::bad_format("webhook-id", "an id is required to sign")
                })?;
                s.sign_headers(id, timestamp, body)
            }
            Scheme::Descope(d) => d.sign(body),
            Scheme::TimestampedHex(t) => t.sign(timestamp, body),
            Scheme::Sha256Hex(s) => s.sign(body),
        }
    }
}

fn entry_key(key: &str, field: &'static str) -> Result<String, WebhookError> {
    let ok = !key.is_empty()
        && key.len() <= 32
        && key
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b',' && b != b'=');
    if !ok {
        return Err(WebhookError::InvalidConfig {
            field,
            message: "must be 1 to 32 visible characters without `,` or `=`".into(),
        });
    }
    Ok(key.to_owned())
}

fn prefix(p: &str) -> Result<String, WebhookError> {
    if p.len() > 64 || !p.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(WebhookError::InvalidConfig {
            field: "prefix",
            message: "must be at most 64 visible characters".into(),
        });
    }
    Ok(p.to_owned())
}

/// The built-in re-serializer: native targets only (see `js_json`).
fn builtin_restringify() -> Option<JsonRestringify> {
    #[cfg(not(target_arch = "wasm32"))]
    return Some(super::js_json::js_restringify);
    #[cfg(target_arch = "wasm32")]
    return None;
}
