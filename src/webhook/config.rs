//! One configuration shape for every scheme, checked once, and the compiled
//! [`Verifier`] that verifies and signs.

use serde::Deserialize;

use super::common::{
    check_header_name, check_window, HeaderLookup, HmacKeys, SecretEncoding, Verified,
    DEFAULT_REPLAY_WINDOW_S, DEFAULT_TOLERANCE_S,
};
use super::descope::{Descope, DESCOPE_HEADER};
use super::hex::{Sha256Hex, GITHUB_HEADER};
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
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "scheme", rename_all = "snake_case")]
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

/// Standard Webhooks options.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardConfig {
    /// `whsec_` (HMAC), `whpk_` (Ed25519 public) or `whsk_` (Ed25519 secret) keys.
    pub secrets: Vec<Secret>,
    /// Allowed distance between the timestamp and `now`, both ways (default 300).
    pub tolerance_s: Option<u64>,
}

/// Descope options.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
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
                stringify_fallback: c.stringify_fallback.unwrap_or(true),
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
        let config: VerifierConfig = serde_json::from_str(json).map_err(|e| {
            Error::usage(
                format!("webhook configuration is not valid: {e}"),
                Some("config"),
            )
        })?;
        Ok(Self::new(config)?)
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
        self.verify_with(headers, body, now)
    }

    pub(crate) fn verify_with(
        &self,
        headers: &(impl HeaderLookup + ?Sized),
        body: &[u8],
        now: u64,
    ) -> Result<Verified, WebhookError> {
        match &self.0 {
            Scheme::Standard(s) => s.verify_with(headers, body, now),
            Scheme::Descope(d) => d.verify(headers, body, now),
            Scheme::TimestampedHex(t) => t.verify(headers, body, now),
            Scheme::Sha256Hex(s) => s.verify(headers, body, now),
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
