//! Verification and signing of HTTP message signatures.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest as _, Sha256, Sha512};
use subtle::ConstantTimeEq as _;

use super::keys::{read_keys, Algorithm, Key};
use super::message::{serialize_id, signature_base, Message};
use super::sf::{self, Bare, Item, Member};
use super::HttpSigError;
use crate::Entropy;

/// Default clock tolerance, both ways, in seconds.
pub const DEFAULT_HTTPSIG_TOLERANCE_S: u64 = 60;
/// Default longest age of a signature (from `created`), in seconds.
pub const DEFAULT_HTTPSIG_MAX_AGE_S: u64 = 300;
/// Most signatures a message may carry.
pub const MAX_HTTPSIG_SIGNATURES: usize = 8;
/// Most bytes of `Signature-Input` or `Signature`.
pub const MAX_HTTPSIG_HEADER_BYTES: usize = 8 * 1024;

/// A required component: one name, or alternatives (each a name or a set
/// of names that must all be covered).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Requirement {
    /// This component must be covered.
    One(String),
    /// One of these must be covered.
    AnyOf(Vec<Alternative>),
}

/// One alternative of a [`Requirement::AnyOf`].
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Alternative {
    /// A single component.
    One(String),
    /// All of these components.
    All(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigJson {
    keys: Value,
    #[serde(default)]
    required_components: Option<Vec<Requirement>>,
    #[serde(default)]
    tolerance_s: Option<u64>,
    #[serde(default)]
    max_age_s: Option<u64>,
    #[serde(default)]
    require_created: Option<bool>,
    #[serde(default)]
    require_expires: bool,
    #[serde(default)]
    require_nonce: bool,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    algorithms: Option<Vec<String>>,
}

/// A compiled verifier (and signer, for keys with a private part).
#[derive(Debug, Clone)]
pub struct HttpSigVerifier {
    keys: Vec<Key>,
    required: Vec<Requirement>,
    tolerance_s: u64,
    max_age_s: u64,
    require_created: bool,
    require_expires: bool,
    require_nonce: bool,
    label: Option<String>,
    tag: Option<String>,
    algorithms: Vec<Algorithm>,
}

/// What a replay store must remember, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplayKey {
    /// `nonce` (the signature had one) or `signature` (a hash of its bytes).
    pub kind: &'static str,
    /// The id to remember: `httpsig:nonce:<keyid>:<nonce>` or `httpsig:sig:<sha-256 hex>`.
    pub id: String,
    /// Unix seconds after which the signature is refused anyway, so the id may be forgotten.
    pub remember_until: u64,
}

/// A verified signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedSignature {
    /// The label (`sig1`).
    pub label: String,
    /// The key that verified it.
    pub keyid: String,
    /// The algorithm.
    pub alg: &'static str,
    /// `created`, when given.
    pub created: Option<i64>,
    /// `expires`, when given.
    pub expires: Option<i64>,
    /// `nonce`, when given.
    pub nonce: Option<String>,
    /// `tag`, when given.
    pub tag: Option<String>,
    /// The covered components, serialized (`"@method"`, `"@query-param";name="a"`).
    pub components: Vec<String>,
    /// What the host's replay store must remember.
    pub replay: ReplayKey,
}

/// What to sign: the label, covered components and parameters.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignRequest {
    /// The key to sign with.
    pub keyid: String,
    /// The label (default `sig1`).
    #[serde(default)]
    pub label: Option<String>,
    /// Components as names (`content-type`, `@method`) or structured-field
    /// items (`"@query-param";name="a"`).
    pub components: Vec<String>,
    /// `created` (default: `now`).
    #[serde(default)]
    pub created: Option<i64>,
    /// `expires`, absolute unix seconds.
    #[serde(default)]
    pub expires: Option<i64>,
    /// `nonce`.
    #[serde(default)]
    pub nonce: Option<String>,
    /// `tag`.
    #[serde(default)]
    pub tag: Option<String>,
    /// The algorithm (default: the key's).
    #[serde(default)]
    pub alg: Option<String>,
    /// Whether to put `alg` in the parameters (default false, as in RFC 9421 Appendix B).
    #[serde(default)]
    pub include_alg: bool,
    /// Whether to put `keyid` in the parameters (default true).
    #[serde(default)]
    pub omit_keyid: bool,
}

/// A signature made by [`HttpSigVerifier::sign`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedMessage {
    /// The `Signature-Input` header value (one member).
    pub signature_input: String,
    /// The `Signature` header value (one member).
    pub signature: String,
    /// The signature base that was signed.
    pub base: String,
}

fn default_required() -> Vec<Requirement> {
    vec![
        Requirement::One("@method".into()),
        Requirement::AnyOf(vec![
            Alternative::One("@target-uri".into()),
            Alternative::All(vec!["@authority".into(), "@path".into()]),
        ]),
        Requirement::One("content-digest".into()),
        Requirement::One("content-type".into()),
    ]
}

/// `Content-Digest` (RFC 9530) of `body` for each of `algs` (`sha-256`, `sha-512`).
pub fn content_digest(body: &[u8], algs: &[&str]) -> Result<String, HttpSigError> {
    let mut dict = Vec::new();
    for alg in algs {
        let d = match *alg {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            other => {
                return Err(HttpSigError::Unsupported(format!(
                    "digest algorithm `{other}`"
                )))
            }
        };
        dict.push((
            (*alg).to_owned(),
            Member::Item(Item {
                bare: Bare::Bytes(d),
                params: vec![],
            }),
        ));
    }
    Ok(sf::write_dictionary(&dict))
}

/// Checks `Content-Digest` against the body: every known algorithm listed
/// must match, and at least one must be known.
pub fn check_content_digest(value: &str, body: &[u8]) -> Result<(), HttpSigError> {
    let dict =
        sf::parse_dictionary(value).map_err(|m| HttpSigError::bad_format("content-digest", m))?;
    let mut known = 0;
    for (alg, member) in &dict {
        let want = match alg.as_str() {
            "sha-256" => Sha256::digest(body).to_vec(),
            "sha-512" => Sha512::digest(body).to_vec(),
            _ => continue,
        };
        let Member::Item(Item {
            bare: Bare::Bytes(got),
            ..
        }) = member
        else {
            return Err(HttpSigError::bad_format(
                "content-digest",
                "a digest must be a byte sequence",
            ));
        };
        if !bool::from(want.ct_eq(got)) {
            return Err(HttpSigError::DigestMismatch);
        }
        known += 1;
    }
    if known == 0 {
        return Err(HttpSigError::Unsupported(
            "`content-digest` has neither sha-256 nor sha-512".into(),
        ));
    }
    Ok(())
}

fn id_item(text: &str) -> Result<Item, HttpSigError> {
    if text.starts_with('"') {
        sf::parse_item(text).map_err(|m| HttpSigError::config("components", m))
    } else {
        Ok(Item {
            bare: Bare::String(text.to_owned()),
            params: vec![],
        })
    }
}

/// `signature` or `signature-input` covered without `;key`: a signer that
/// covers either whole signs a value its own signature then changes.
fn signature_field_covered_whole(item: &Item) -> Option<&str> {
    match &item.bare {
        Bare::String(n)
            if (n.eq_ignore_ascii_case("signature")
                || n.eq_ignore_ascii_case("signature-input"))
                && !item.params.iter().any(|(k, _)| k == "key") =>
        {
            Some(n)
        }
        _ => None,
    }
}

fn header<'a>(msg: &'a Message, name: &'static str) -> Result<String, HttpSigError> {
    let v = msg.field(name)?.ok_or(HttpSigError::MissingHeader(name))?;
    if v.len() > MAX_HTTPSIG_HEADER_BYTES {
        return Err(HttpSigError::PayloadTooLarge {
            what: name,
            limit: MAX_HTTPSIG_HEADER_BYTES,
        });
    }
    let _: &'a Message = msg;
    Ok(v)
}

impl HttpSigVerifier {
    /// Compiles a configuration:
    /// `{ keys, required_components?, tolerance_s?, max_age_s?, require_created?,
    /// require_expires?, require_nonce?, label?, tag?, algorithms? }`.
    pub fn from_json(text: &str) -> Result<Self, HttpSigError> {
        let c: ConfigJson = serde_json::from_str(text).map_err(|e| {
            let m = e.to_string();
            let m = m
                .rfind(" at line ")
                .and_then(|at| m.get(..at))
                .unwrap_or(&m)
                .to_owned();
            HttpSigError::config("config", m)
        })?;
        let algorithms = match c.algorithms {
            None => vec![
                Algorithm::EcdsaP256Sha256,
                Algorithm::Ed25519,
                Algorithm::RsaPssSha512,
                Algorithm::RsaV15Sha256,
                Algorithm::HmacSha256,
            ],
            Some(names) => names
                .iter()
                .map(|n| {
                    Algorithm::from_name(n).ok_or_else(|| {
                        HttpSigError::config("algorithms", format!("unknown algorithm `{n}`"))
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let tolerance_s = c.tolerance_s.unwrap_or(DEFAULT_HTTPSIG_TOLERANCE_S);
        let max_age_s = c.max_age_s.unwrap_or(DEFAULT_HTTPSIG_MAX_AGE_S);
        if tolerance_s > 3600 || max_age_s == 0 || max_age_s > 86_400 {
            return Err(HttpSigError::config(
                "max_age_s",
                "tolerance at most 3600 s, max age 1 to 86400 s",
            ));
        }
        Ok(Self {
            keys: read_keys(&c.keys)?,
            required: c.required_components.unwrap_or_else(default_required),
            tolerance_s,
            max_age_s,
            require_created: c.require_created.unwrap_or(true),
            require_expires: c.require_expires,
            require_nonce: c.require_nonce,
            label: c.label,
            tag: c.tag,
            algorithms,
        })
    }

    fn key(&self, keyid: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.keyid() == keyid)
    }

    /// Verifies the message's signatures; the first that passes every
    /// check wins. `now` is unix seconds.
    pub fn verify(
        &self,
        msg: &Message,
        body: &[u8],
        now: u64,
    ) -> Result<VerifiedSignature, HttpSigError> {
        let inputs = sf::parse_dictionary(&header(msg, "signature-input")?)
            .map_err(|m| HttpSigError::bad_format("signature-input", m))?;
        let sigs = sf::parse_dictionary(&header(msg, "signature")?)
            .map_err(|m| HttpSigError::bad_format("signature", m))?;
        if inputs.len() > MAX_HTTPSIG_SIGNATURES {
            return Err(HttpSigError::PayloadTooLarge {
                what: "the number of signatures",
                limit: MAX_HTTPSIG_SIGNATURES,
            });
        }
        let mut first_err = None;
        for (label, covered) in &inputs {
            if self.label.as_ref().is_some_and(|l| l != label) {
                continue;
            }
            match self.verify_one(msg, body, now, label, covered, &sigs) {
                Ok(v) => return Ok(v),
                Err(e) => {
                    // A signature by a key we do not know says least; keep a better reason.
                    if first_err.is_none() || matches!(first_err, Some(HttpSigError::UnknownKey(_)))
                    {
                        first_err = Some(e);
                    }
                }
            }
        }
        Err(first_err.unwrap_or_else(|| {
            HttpSigError::NoSignature(match &self.label {
                Some(l) => format!("no signature is labelled `{l}`"),
                None => "`signature-input` is empty".into(),
            })
        }))
    }

    fn verify_one(
        &self,
        msg: &Message,
        body: &[u8],
        now: u64,
        label: &str,
        covered: &Member,
        sigs: &sf::Dictionary,
    ) -> Result<VerifiedSignature, HttpSigError> {
        let Member::Inner(items, params) = covered else {
            return Err(HttpSigError::bad_format(
                "signature-input",
                format!("`{label}` is not an inner list"),
            ));
        };
        let signature = match sigs.iter().find(|(k, _)| k == label) {
            Some((
                _,
                Member::Item(Item {
                    bare: Bare::Bytes(b),
                    ..
                }),
            )) => b,
            Some(_) => {
                return Err(HttpSigError::bad_format(
                    "signature",
                    format!("`{label}` is not a byte sequence"),
                ))
            }
            None => {
                return Err(HttpSigError::NoSignature(format!(
                    "`signature` has no `{label}`"
                )))
            }
        };
        let int = |k: &'static str| match sf::param(params, k) {
            None => Ok(None),
            Some(Bare::Integer(i)) => Ok(Some(*i)),
            Some(_) => Err(HttpSigError::bad_format(
                "signature-input",
                format!("`{k}` must be an integer"),
            )),
        };
        let string = |k: &'static str| match sf::param(params, k) {
            None => Ok(None),
            Some(Bare::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(HttpSigError::bad_format(
                "signature-input",
                format!("`{k}` must be a string"),
            )),
        };
        let (created, expires) = (int("created")?, int("expires")?);
        let (nonce, keyid, tag, alg) = (
            string("nonce")?,
            string("keyid")?,
            string("tag")?,
            string("alg")?,
        );
        if self.tag.is_some() && self.tag != tag {
            return Err(HttpSigError::NoSignature(format!(
                "`{label}` lacks the expected tag"
            )));
        }
        if self.require_created && created.is_none() {
            return Err(HttpSigError::MissingParameter("created"));
        }
        if self.require_expires && expires.is_none() {
            return Err(HttpSigError::MissingParameter("expires"));
        }
        if self.require_nonce && nonce.is_none() {
            return Err(HttpSigError::MissingParameter("nonce"));
        }
        let now_i = i64::try_from(now).unwrap_or(i64::MAX);
        let tol = i64::try_from(self.tolerance_s).unwrap_or(0);
        let age = i64::try_from(self.max_age_s).unwrap_or(0);
        let mut until = now_i.saturating_add(age).saturating_add(tol);
        if let Some(c) = created {
            if c > now_i.saturating_add(tol) {
                return Err(HttpSigError::CreatedInFuture);
            }
            if c.saturating_add(age).saturating_add(tol) < now_i {
                return Err(HttpSigError::CreatedTooOld);
            }
            until = c.saturating_add(age).saturating_add(tol);
        }
        if let Some(e) = expires {
            if created.is_some_and(|c| e < c) {
                return Err(HttpSigError::bad_format(
                    "signature-input",
                    "`expires` is before `created`",
                ));
            }
            if e.saturating_add(tol) < now_i {
                return Err(HttpSigError::Expired);
            }
            until = until.min(e.saturating_add(tol));
        }
        let keyid = keyid.ok_or(HttpSigError::MissingParameter("keyid"))?;
        let key = self
            .key(&keyid)
            .ok_or_else(|| HttpSigError::UnknownKey(keyid.clone()))?;
        let alg = match (alg, key.alg()) {
            (Some(name), _) => Algorithm::from_name(&name)
                .ok_or_else(|| HttpSigError::Unsupported(format!("algorithm `{name}`")))?,
            (None, Some(a)) => a,
            (None, None) => {
                return Err(HttpSigError::Unsupported(format!(
                    "key `{keyid}` needs an `alg` (rsa-pss-sha512 or rsa-v1_5-sha256)"
                )))
            }
        };
        if !self.algorithms.contains(&alg) || !key.fits(alg) {
            return Err(HttpSigError::Unsupported(format!(
                "algorithm `{}` with key `{keyid}`",
                alg.name()
            )));
        }
        let names: Vec<String> = items.iter().map(serialize_id).collect();
        let has = |c: &str| names.iter().any(|n| *n == format!("\"{c}\""));
        for r in &self.required {
            match r {
                Requirement::One(c) if !has(c) => {
                    return Err(HttpSigError::MissingComponent(c.clone()))
                }
                Requirement::AnyOf(alts)
                    if !alts.iter().any(|a| match a {
                        Alternative::One(c) => has(c),
                        Alternative::All(cs) => cs.iter().all(|c| has(c)),
                    }) =>
                {
                    let first = match alts.first() {
                        Some(Alternative::One(c)) => c.clone(),
                        Some(Alternative::All(cs)) => cs.join(" "),
                        None => String::new(),
                    };
                    return Err(HttpSigError::MissingComponent(first));
                }
                _ => {}
            }
        }
        let base = signature_base(msg, covered)?;
        if has("content-digest") {
            let value = msg
                .field("content-digest")?
                .ok_or_else(|| HttpSigError::ComponentUnavailable("content-digest".into()))?;
            check_content_digest(&value, body)?;
        }
        key.verify(alg, base.as_bytes(), signature)?;
        let replay = match &nonce {
            Some(n) => ReplayKey {
                kind: "nonce",
                id: format!("httpsig:nonce:{keyid}:{n}"),
                remember_until: 0,
            },
            None => ReplayKey {
                kind: "signature",
                id: format!(
                    "httpsig:sig:{}",
                    crate::entropy::hex_lower(&Sha256::digest(signature))
                ),
                remember_until: 0,
            },
        };
        Ok(VerifiedSignature {
            label: label.to_owned(),
            keyid,
            alg: alg.name(),
            created,
            expires,
            nonce,
            tag,
            components: names,
            replay: ReplayKey {
                remember_until: u64::try_from(until).unwrap_or(0),
                ..replay
            },
        })
    }

    /// Signs a message with a configured private key (or HMAC secret).
    /// Returns the two header values to add. RSA-PSS draws from `entropy`.
    pub fn sign(
        &self,
        msg: &Message,
        req: &SignRequest,
        now: u64,
        entropy: &mut dyn Entropy,
    ) -> Result<SignedMessage, HttpSigError> {
        let key = self
            .key(&req.keyid)
            .ok_or_else(|| HttpSigError::UnknownKey(req.keyid.clone()))?;
        let alg = match (&req.alg, key.alg()) {
            (Some(n), _) => Algorithm::from_name(n)
                .ok_or_else(|| HttpSigError::config("alg", format!("unknown algorithm `{n}`")))?,
            (None, Some(a)) => a,
            (None, None) => return Err(HttpSigError::config("alg", "an rsa key needs `alg`")),
        };
        if !key.fits(alg) {
            return Err(HttpSigError::config(
                "alg",
                format!("key `{}` cannot sign with `{}`", req.keyid, alg.name()),
            ));
        }
        if req.components.len() > sf::MAX_MEMBERS {
            return Err(HttpSigError::PayloadTooLarge {
                what: "the number of components",
                limit: sf::MAX_MEMBERS,
            });
        }
        let items = req
            .components
            .iter()
            .map(|c| id_item(c))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(name) = items.iter().find_map(signature_field_covered_whole) {
            return Err(HttpSigError::config(
                "components",
                format!("`{name}` cannot be covered whole: adding this signature changes it; cover one member with `;key=\"<label>\"`"),
            ));
        }
        let mut params: sf::Params = vec![(
            "created".into(),
            Bare::Integer(
                req.created
                    .unwrap_or_else(|| i64::try_from(now).unwrap_or(0)),
            ),
        )];
        if let Some(e) = req.expires {
            params.push(("expires".into(), Bare::Integer(e)));
        }
        let printable = |field: &'static str, s: &str| {
            if s.bytes().all(|c| (0x20..0x7f).contains(&c)) {
                Ok(())
            } else {
                Err(HttpSigError::config(field, "must be printable ascii"))
            }
        };
        if let Some(n) = &req.nonce {
            printable("nonce", n)?;
            params.push(("nonce".into(), Bare::String(n.clone())));
        }
        if req.include_alg {
            params.push(("alg".into(), Bare::String(alg.name().into())));
        }
        if !req.omit_keyid {
            printable("keyid", &req.keyid)?;
            params.push(("keyid".into(), Bare::String(req.keyid.clone())));
        }
        if let Some(t) = &req.tag {
            printable("tag", t)?;
            params.push(("tag".into(), Bare::String(t.clone())));
        }
        let label = req.label.clone().unwrap_or_else(|| "sig1".into());
        if sf::parse_dictionary(&format!("{label}=1")).map(|d| d.len()) != Ok(1) {
            return Err(HttpSigError::config(
                "label",
                "must be a structured-field key (lowercase)",
            ));
        }
        let covered = Member::Inner(items, params);
        let base = signature_base(msg, &covered)?;
        let sig = key.sign(alg, base.as_bytes(), entropy)?;
        let mut input = label.clone();
        input.push('=');
        sf::write_member(&mut input, &covered);
        Ok(SignedMessage {
            signature_input: input,
            signature: format!(
                "{label}=:{}:",
                base64::engine::general_purpose::STANDARD.encode(sig)
            ),
            base,
        })
    }
}
