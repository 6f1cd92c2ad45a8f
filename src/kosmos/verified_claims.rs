//! `verified_claims` in the OpenID Connect for Identity Assurance 1.0 shape:
//! parsed, validated and normalized, unknown fields kept.
//!
//! The same parser serves an IDV result's `verified_claims` and the
//! `verified_claims` claim inside an ID token.
//!
//! Normalization brings the pre-1.0 drafts' forms to 1.0:
//! - evidence `type` is lowercased; `id_document` becomes `document`, its
//!   `document` object becomes `document_details`, its `method` and `verifier`
//!   become one `check_details` entry;
//! - `qes` becomes `electronic_signature`;
//! - `utility_bill` becomes `document` with `document_details.type`
//!   `utility_statement` (its `provider` becomes `document_details.issuer`,
//!   its `date` `document_details.date_of_issuance`).
//!
//! Everything else is kept as it came, in the order it came.

use core::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::model::IalLevel;

/// Most claim sets in one `verified_claims` array.
pub const MAX_CLAIM_SETS: usize = 16;
/// Most evidence entries in one `verification`.
pub const MAX_EVIDENCE: usize = 32;
/// Most `check_details` entries in one evidence.
pub const MAX_CHECK_DETAILS: usize = 32;

/// Why a `verified_claims` value is not acceptable: the JSON path of the
/// offending member and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedClaimsError {
    path: String,
    message: String,
}

impl VerifiedClaimsError {
    fn new(path: &str, message: impl Into<String>) -> Self {
        Self {
            path: path.to_owned(),
            message: message.into(),
        }
    }

    /// The path of the offending member, like `verified_claims.verification.evidence[0].type`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong with it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for VerifiedClaimsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.path, self.message)
    }
}

impl std::error::Error for VerifiedClaimsError {}

type R<T> = Result<T, VerifiedClaimsError>;

/// `verified_claims`: one claim set, or several.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum VerifiedClaims {
    /// A single object.
    One(Box<ClaimSet>),
    /// An array of objects (at least one).
    Many(Vec<ClaimSet>),
}

impl VerifiedClaims {
    /// The claim sets, whether one or several.
    pub fn sets(&self) -> &[ClaimSet] {
        match self {
            Self::One(set) => core::slice::from_ref(&**set),
            Self::Many(sets) => sets,
        }
    }

    /// The NIST SP 800-63A level the claim sets assert: the highest
    /// `assurance_level` among sets whose trust framework is `nist_800_63A`.
    pub fn ial_level(&self) -> Option<IalLevel> {
        self.sets()
            .iter()
            .filter_map(|s| s.verification.ial_level())
            .max()
    }
}

/// One verified claim set: how the claims were verified, and the claims.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimSet {
    /// How the claims were verified.
    pub verification: Verification,
    /// The verified claims themselves (`given_name`, `birthdate`, ...).
    pub claims: Map<String, Value>,
    /// Members this library does not know, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// How a claim set was verified.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    /// The trust framework, e.g. `nist_800_63A`, `eidas`, `de_aml`.
    pub trust_framework: String,
    /// The level within the framework, e.g. `ial2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assurance_level: Option<String>,
    /// When the verification took place (RFC 3339 date-time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// The verification process reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verification_process: Option<String>,
    /// The evidence the verification relied on.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Members this library does not know (`assurance_process`, ...), kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Verification {
    /// The IAL this verification asserts, when its framework is NIST SP 800-63A.
    pub fn ial_level(&self) -> Option<IalLevel> {
        if !self.trust_framework.eq_ignore_ascii_case("nist_800_63a") {
            return None;
        }
        self.assurance_level.as_deref().and_then(IalLevel::parse)
    }
}

/// The kind of one piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceType {
    /// A physical or electronic identity document.
    Document,
    /// An electronic record (a bank account, a civil register).
    ElectronicRecord,
    /// A person vouching for the user.
    Vouch,
    /// An electronic signature.
    ElectronicSignature,
}

/// One piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The kind of evidence.
    #[serde(rename = "type")]
    pub kind: EvidenceType,
    /// The checks performed on it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub check_details: Vec<CheckDetail>,
    /// When the evidence was checked (RFC 3339 date-time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// For a document: what document it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_details: Option<DocumentDetails>,
    /// Members this library does not know or does not type (`record`,
    /// `attestation`, `signature_type`, `attachments`, ...), kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One check performed on a piece of evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckDetail {
    /// The check, e.g. `vdig` (document inspection), `vpip` (photo vs person), `bvr`.
    pub check_method: String,
    /// Who performed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// The transaction reference of the check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub txn: Option<String>,
    /// When it was performed (RFC 3339 date-time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Members this library does not know, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What document a `document` evidence was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentDetails {
    /// The document type, e.g. `passport`, `driving_permit`, `idcard`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The document number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    /// Date of issuance (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_issuance: Option<String>,
    /// Date of expiry (`YYYY-MM-DD`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_expiry: Option<String>,
    /// Members this library does not know or does not type (`issuer`,
    /// `personal_number`, `serial_number`, ...), kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Parses, validates and normalizes a `verified_claims` value (an object or
/// a non-empty array of objects). Errors name the offending member's path.
pub fn parse_verified_claims(value: &Value) -> Result<VerifiedClaims, VerifiedClaimsError> {
    const ROOT: &str = "verified_claims";
    match value {
        Value::Object(obj) => Ok(VerifiedClaims::One(Box::new(claim_set(obj.clone(), ROOT)?))),
        Value::Array(items) => {
            if items.is_empty() {
                return Err(VerifiedClaimsError::new(ROOT, "is an empty array"));
            }
            if items.len() > MAX_CLAIM_SETS {
                return Err(VerifiedClaimsError::new(
                    ROOT,
                    format!("has more than {MAX_CLAIM_SETS} claim sets"),
                ));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let path = format!("{ROOT}[{i}]");
                    claim_set(object(item, &path)?, &path)
                })
                .collect::<R<Vec<_>>>()
                .map(VerifiedClaims::Many)
        }
        _ => Err(VerifiedClaimsError::new(
            ROOT,
            "is not an object or an array",
        )),
    }
}

fn object(value: &Value, path: &str) -> R<Map<String, Value>> {
    match value {
        Value::Object(obj) => Ok(obj.clone()),
        _ => Err(VerifiedClaimsError::new(path, "is not an object")),
    }
}

fn join(path: &str, name: &str) -> String {
    format!("{path}.{name}")
}

/// Removes `name` from `obj`: absent or null gives `None`, else it must be a non-empty string.
fn take_str(obj: &mut Map<String, Value>, name: &str, path: &str) -> R<Option<String>> {
    match obj.remove(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s)),
        Some(Value::String(_)) => Err(VerifiedClaimsError::new(&join(path, name), "is empty")),
        Some(_) => Err(VerifiedClaimsError::new(
            &join(path, name),
            "is not a string",
        )),
    }
}

fn require_str(obj: &mut Map<String, Value>, name: &str, path: &str) -> R<String> {
    take_str(obj, name, path)?
        .ok_or_else(|| VerifiedClaimsError::new(&join(path, name), "is missing"))
}

fn take_datetime(obj: &mut Map<String, Value>, name: &str, path: &str) -> R<Option<String>> {
    let value = take_str(obj, name, path)?;
    if let Some(s) = &value {
        if !is_datetime(s) {
            return Err(VerifiedClaimsError::new(
                &join(path, name),
                format!("`{}` is not an rfc 3339 date-time", short(s)),
            ));
        }
    }
    Ok(value)
}

fn take_date(obj: &mut Map<String, Value>, name: &str, path: &str) -> R<Option<String>> {
    let value = take_str(obj, name, path)?;
    if let Some(s) = &value {
        if !is_date(s) {
            return Err(VerifiedClaimsError::new(
                &join(path, name),
                format!("`{}` is not a yyyy-mm-dd date", short(s)),
            ));
        }
    }
    Ok(value)
}

fn short(s: &str) -> &str {
    match s.char_indices().nth(40) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

fn claim_set(mut obj: Map<String, Value>, path: &str) -> R<ClaimSet> {
    let verification_path = join(path, "verification");
    let verification = match obj.remove("verification") {
        None | Some(Value::Null) => {
            return Err(VerifiedClaimsError::new(&verification_path, "is missing"))
        }
        Some(v) => verification(object(&v, &verification_path)?, &verification_path)?,
    };
    let claims_path = join(path, "claims");
    let claims = match obj.remove("claims") {
        None | Some(Value::Null) => {
            return Err(VerifiedClaimsError::new(&claims_path, "is missing"))
        }
        Some(v) => object(&v, &claims_path)?,
    };
    check_claims(&claims, &claims_path)?;
    Ok(ClaimSet {
        verification,
        claims,
        extra: obj,
    })
}

/// Claims whose format the standard fixes are checked; the rest are kept as they are.
fn check_claims(claims: &Map<String, Value>, path: &str) -> R<()> {
    if let Some(v) = claims.get("birthdate") {
        let ok = v.as_str().is_some_and(|s| is_date(s) || is_year(s));
        if !ok {
            return Err(VerifiedClaimsError::new(
                &join(path, "birthdate"),
                "is not a yyyy-mm-dd date",
            ));
        }
    }
    for name in [
        "given_name",
        "family_name",
        "middle_name",
        "birth_family_name",
    ] {
        if let Some(v) = claims.get(name) {
            if !v.is_string() {
                return Err(VerifiedClaimsError::new(
                    &join(path, name),
                    "is not a string",
                ));
            }
        }
    }
    if let Some(v) = claims.get("address") {
        if !v.is_object() {
            return Err(VerifiedClaimsError::new(
                &join(path, "address"),
                "is not an object",
            ));
        }
    }
    Ok(())
}

fn verification(mut obj: Map<String, Value>, path: &str) -> R<Verification> {
    let trust_framework = require_str(&mut obj, "trust_framework", path)?;
    let assurance_level = take_str(&mut obj, "assurance_level", path)?;
    let time = take_datetime(&mut obj, "time", path)?;
    let verification_process = take_str(&mut obj, "verification_process", path)?;
    let evidence_path = join(path, "evidence");
    let evidence = match obj.remove("evidence") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            if items.len() > MAX_EVIDENCE {
                return Err(VerifiedClaimsError::new(
                    &evidence_path,
                    format!("has more than {MAX_EVIDENCE} entries"),
                ));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let p = format!("{evidence_path}[{i}]");
                    evidence(object(item, &p)?, &p)
                })
                .collect::<R<Vec<_>>>()?
        }
        Some(_) => return Err(VerifiedClaimsError::new(&evidence_path, "is not an array")),
    };
    Ok(Verification {
        trust_framework,
        assurance_level,
        time,
        verification_process,
        evidence,
        extra: obj,
    })
}

fn evidence(mut obj: Map<String, Value>, path: &str) -> R<Evidence> {
    let raw_type = require_str(&mut obj, "type", path)?;
    let kind = match raw_type.trim().to_ascii_lowercase().as_str() {
        "document" => EvidenceType::Document,
        "id_document" => {
            upgrade_id_document(&mut obj);
            EvidenceType::Document
        }
        "utility_bill" => {
            upgrade_utility_bill(&mut obj);
            EvidenceType::Document
        }
        "electronic_record" => EvidenceType::ElectronicRecord,
        "vouch" => EvidenceType::Vouch,
        "electronic_signature" | "qes" => EvidenceType::ElectronicSignature,
        _ => {
            return Err(VerifiedClaimsError::new(
                &join(path, "type"),
                format!(
                    "`{}` is not document, electronic_record, vouch or electronic_signature",
                    short(&raw_type)
                ),
            ))
        }
    };
    let time = take_datetime(&mut obj, "time", path)?;
    let checks_path = join(path, "check_details");
    let check_details = match obj.remove("check_details") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            if items.len() > MAX_CHECK_DETAILS {
                return Err(VerifiedClaimsError::new(
                    &checks_path,
                    format!("has more than {MAX_CHECK_DETAILS} entries"),
                ));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let p = format!("{checks_path}[{i}]");
                    check_detail(object(item, &p)?, &p)
                })
                .collect::<R<Vec<_>>>()?
        }
        Some(_) => return Err(VerifiedClaimsError::new(&checks_path, "is not an array")),
    };
    let details_path = join(path, "document_details");
    let document_details = match obj.remove("document_details") {
        None | Some(Value::Null) => None,
        Some(v) => Some(document_details(object(&v, &details_path)?, &details_path)?),
    };
    if kind != EvidenceType::Document && document_details.is_some() {
        return Err(VerifiedClaimsError::new(
            &details_path,
            "is only allowed on `document` evidence",
        ));
    }
    match kind {
        EvidenceType::ElectronicRecord => require_typed_object(&obj, "record", path)?,
        EvidenceType::Vouch => require_typed_object(&obj, "attestation", path)?,
        EvidenceType::ElectronicSignature => {
            if !obj.get("signature_type").is_some_and(Value::is_string) {
                return Err(VerifiedClaimsError::new(
                    &join(path, "signature_type"),
                    "is missing or not a string",
                ));
            }
        }
        EvidenceType::Document => {}
    }
    Ok(Evidence {
        kind,
        check_details,
        time,
        document_details,
        extra: obj,
    })
}

/// `record` / `attestation`, when present, must be objects with a string `type`.
fn require_typed_object(obj: &Map<String, Value>, name: &str, path: &str) -> R<()> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(inner)) if inner.get("type").is_some_and(Value::is_string) => Ok(()),
        Some(Value::Object(_)) => Err(VerifiedClaimsError::new(
            &format!("{path}.{name}.type"),
            "is missing or not a string",
        )),
        Some(_) => Err(VerifiedClaimsError::new(
            &join(path, name),
            "is not an object",
        )),
    }
}

/// Pre-1.0 `id_document`: `document` -> `document_details`, `method` and
/// `verifier` -> one `check_details` entry.
fn upgrade_id_document(obj: &mut Map<String, Value>) {
    if let Some(doc) = obj.remove("document") {
        obj.entry("document_details").or_insert(doc);
    }
    let method = obj.remove("method");
    let verifier = obj.remove("verifier");
    if obj.contains_key("check_details") {
        return;
    }
    let mut check = Map::new();
    if let Some(m) = method {
        check.insert("check_method".into(), m);
    }
    if let Some(Value::Object(v)) = verifier {
        for (k, val) in v {
            check.entry(k).or_insert(val);
        }
    }
    if check.contains_key("check_method") {
        obj.insert(
            "check_details".into(),
            Value::Array(vec![Value::Object(check)]),
        );
    }
}

/// Pre-1.0 `utility_bill`: a document of type `utility_statement`.
fn upgrade_utility_bill(obj: &mut Map<String, Value>) {
    let mut details = Map::new();
    details.insert("type".into(), Value::String("utility_statement".into()));
    if let Some(date) = obj.remove("date") {
        details.insert("date_of_issuance".into(), date);
    }
    if let Some(provider) = obj.remove("provider") {
        details.insert("issuer".into(), provider);
    }
    obj.entry("document_details")
        .or_insert(Value::Object(details));
}

fn check_detail(mut obj: Map<String, Value>, path: &str) -> R<CheckDetail> {
    Ok(CheckDetail {
        check_method: require_str(&mut obj, "check_method", path)?,
        organization: take_str(&mut obj, "organization", path)?,
        txn: take_str(&mut obj, "txn", path)?,
        time: take_datetime(&mut obj, "time", path)?,
        extra: obj,
    })
}

fn document_details(mut obj: Map<String, Value>, path: &str) -> R<DocumentDetails> {
    let details = DocumentDetails {
        kind: require_str(&mut obj, "type", path)?,
        document_number: take_str(&mut obj, "document_number", path)?,
        date_of_issuance: take_date(&mut obj, "date_of_issuance", path)?,
        date_of_expiry: take_date(&mut obj, "date_of_expiry", path)?,
        extra: obj,
    };
    if let Some(issuer) = details.extra.get("issuer") {
        if !issuer.is_object() {
            return Err(VerifiedClaimsError::new(
                &join(path, "issuer"),
                "is not an object",
            ));
        }
    }
    Ok(details)
}

fn digits(s: &str, n: usize) -> Option<u32> {
    if s.len() == n && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

fn is_year(s: &str) -> bool {
    digits(s, 4).is_some()
}

/// `YYYY-MM-DD` with a month 1-12 and a day valid for it (`0000` years allowed, as for birthdates).
pub(crate) fn is_date(s: &str) -> bool {
    let mut parts = s.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let (Some(y), Some(m), Some(d)) = (digits(y, 4), digits(m, 2), digits(d, 2)) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// RFC 3339 date-time (`T` or space, seconds optional as ISO 8601 allows,
/// fraction optional, `Z` or `±hh:mm`).
fn is_datetime(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't', ' ']) else {
        return false;
    };
    if !is_date(date) {
        return false;
    }
    let (clock, offset_ok) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, true)
    } else if let Some(i) = time.rfind(['+', '-']) {
        let (c, off) = time.split_at(i);
        let off = off.get(1..).unwrap_or_default();
        let ok = match off.split_once(':') {
            Some((h, m)) => {
                digits(h, 2).is_some_and(|h| h < 24) && digits(m, 2).is_some_and(|m| m < 60)
            }
            None => false,
        };
        (c, ok)
    } else {
        return false;
    };
    if !offset_ok {
        return false;
    }
    let (hms, frac) = match clock.split_once('.') {
        Some((hms, frac)) => (hms, Some(frac)),
        None => (clock, None),
    };
    if frac.is_some_and(|f| f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let mut parts = hms.split(':');
    let (Some(h), Some(m), sec, None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    digits(h, 2).is_some_and(|h| h < 24)
        && digits(m, 2).is_some_and(|m| m < 60)
        && sec.is_none_or(|s| digits(s, 2).is_some_and(|s| s <= 60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn full() -> Value {
        json!({
            "verification": {
                "trust_framework": "nist_800_63A",
                "assurance_level": "ial2",
                "time": "2024-05-01T10:20:30Z",
                "verification_process": "f24c6f-6d3f-4ec5",
                "assurance_process": {"policy": "p1"},
                "evidence": [
                    {
                        "type": "document",
                        "time": "2024-05-01T10:19:00.123+02:00",
                        "check_details": [
                            {"check_method": "vdig", "organization": "1kosmos", "txn": "t1"},
                            {"check_method": "vpip", "x_score": 0.98}
                        ],
                        "document_details": {
                            "type": "driving_permit",
                            "document_number": "D123",
                            "date_of_issuance": "2020-02-29",
                            "date_of_expiry": "2028-02-29",
                            "issuer": {"country_code": "USA", "jurisdiction": "CA"}
                        }
                    },
                    {"type": "electronic_record", "record": {"type": "bank_account"}},
                    {"type": "vouch", "attestation": {"type": "written_attestation"}},
                    {"type": "electronic_signature", "signature_type": "qes", "issuer": "x"}
                ]
            },
            "claims": {"given_name": "Ada", "family_name": "Lovelace", "birthdate": "1815-12-10"},
            "x_vendor": true
        })
    }

    #[test]
    fn full_shape_round_trips_with_unknown_fields() {
        let v = full();
        let parsed = parse_verified_claims(&v).unwrap();
        assert_eq!(serde_json::to_value(&parsed).unwrap(), v);
        assert_eq!(parsed.ial_level(), Some(IalLevel::Ial2));
        let set = &parsed.sets()[0];
        assert_eq!(set.verification.evidence.len(), 4);
        assert_eq!(
            set.verification.evidence[3].kind,
            EvidenceType::ElectronicSignature
        );
        assert_eq!(set.extra["x_vendor"], true);
    }

    #[test]
    fn arrays_and_highest_level() {
        let mut other = full();
        other["verification"]["assurance_level"] = json!("IAL3");
        let v = json!([full(), other]);
        let parsed = parse_verified_claims(&v).unwrap();
        assert_eq!(parsed.sets().len(), 2);
        assert_eq!(parsed.ial_level(), Some(IalLevel::Ial3));
        let mut eidas = full();
        eidas["verification"]["trust_framework"] = json!("eidas");
        assert_eq!(parse_verified_claims(&eidas).unwrap().ial_level(), None);
    }

    #[test]
    fn legacy_forms_are_upgraded() {
        let v = json!({
            "verification": {
                "trust_framework": "de_aml",
                "evidence": [
                    {
                        "type": "id_document",
                        "method": "pipp",
                        "verifier": {"organization": "Bank", "txn": "t9"},
                        "document": {"type": "idcard", "number": "X1"}
                    },
                    {"type": "utility_bill", "provider": {"name": "Power"}, "date": "2023-01-02"},
                    {"type": "QES", "signature_type": "qes_eidas"}
                ]
            },
            "claims": {}
        });
        let parsed = serde_json::to_value(parse_verified_claims(&v).unwrap()).unwrap();
        let ev = &parsed["verification"]["evidence"];
        assert_eq!(ev[0]["type"], "document");
        assert_eq!(ev[0]["document_details"]["type"], "idcard");
        assert_eq!(
            ev[0]["check_details"],
            json!([{"check_method": "pipp", "organization": "Bank", "txn": "t9"}])
        );
        assert!(ev[0].get("method").is_none() && ev[0].get("document").is_none());
        assert_eq!(ev[1]["type"], "document");
        assert_eq!(ev[1]["document_details"]["type"], "utility_statement");
        assert_eq!(ev[1]["document_details"]["date_of_issuance"], "2023-01-02");
        assert_eq!(ev[1]["document_details"]["issuer"]["name"], "Power");
        assert_eq!(ev[2]["type"], "electronic_signature");
    }

    #[test]
    fn errors_name_the_path() {
        let cases: Vec<(Value, &str)> = vec![
            (json!("x"), "verified_claims"),
            (json!([]), "verified_claims"),
            (json!({"claims": {}}), "verified_claims.verification"),
            (
                json!({"verification": {"trust_framework": "x"}}),
                "verified_claims.claims",
            ),
            (
                json!({"verification": {}, "claims": {}}),
                "verified_claims.verification.trust_framework",
            ),
            (
                json!({"verification": {"trust_framework": 3}, "claims": {}}),
                "verified_claims.verification.trust_framework",
            ),
            (
                json!({"verification": {"trust_framework": "x", "time": "yesterday"}, "claims": {}}),
                "verified_claims.verification.time",
            ),
            (
                json!({"verification": {"trust_framework": "x", "evidence": {}}, "claims": {}}),
                "verified_claims.verification.evidence",
            ),
            (
                json!({"verification": {"trust_framework": "x", "evidence": [{"type": "selfie"}]}, "claims": {}}),
                "verified_claims.verification.evidence[0].type",
            ),
            (
                json!({"verification": {"trust_framework": "x", "evidence": [{"type": "document", "check_details": [{}]}]}, "claims": {}}),
                "verified_claims.verification.evidence[0].check_details[0].check_method",
            ),
            (
                json!({"verification": {"trust_framework": "x", "evidence": [{"type": "document", "document_details": {"type": "passport", "date_of_expiry": "2023-02-30"}}]}, "claims": {}}),
                "verified_claims.verification.evidence[0].document_details.date_of_expiry",
            ),
            (
                json!({"verification": {"trust_framework": "x", "evidence": [{"type": "vouch", "document_details": {"type": "passport"}}]}, "claims": {}}),
                "verified_claims.verification.evidence[0].document_details",
            ),
            (
                json!({"verification": {"trust_framework": "x", "evidence": [{"type": "electronic_record", "record": {}}]}, "claims": {}}),
                "verified_claims.verification.evidence[0].record.type",
            ),
            (
                json!({"verification": {"trust_framework": "x", "evidence": [{"type": "electronic_signature"}]}, "claims": {}}),
                "verified_claims.verification.evidence[0].signature_type",
            ),
            (
                json!({"verification": {"trust_framework": "x"}, "claims": {"birthdate": "10/12/1815"}}),
                "verified_claims.claims.birthdate",
            ),
            (
                json!([{"verification": {"trust_framework": "x"}, "claims": {}}, 4]),
                "verified_claims[1]",
            ),
        ];
        for (v, path) in cases {
            let e = parse_verified_claims(&v).unwrap_err();
            assert_eq!(e.path(), path, "{v}: {e}");
        }
    }

    #[test]
    fn dates_and_times() {
        for ok in [
            "2024-01-01T00:00:00Z",
            "2024-01-01T23:59:60.5+05:30",
            "2024-01-01 12:00Z",
            "2024-02-29T12:00:00-08:00",
        ] {
            assert!(is_datetime(ok), "{ok}");
        }
        for bad in [
            "2024-01-01",
            "2024-01-01T25:00:00Z",
            "2023-02-29T12:00:00Z",
            "2024-01-01T12:00:00",
            "2024-01-01T12:00:00+5",
            "2024-01-01T12:00:00.Z",
        ] {
            assert!(!is_datetime(bad), "{bad}");
        }
        assert!(is_date("0000-12-10"));
        assert!(!is_date("2024-13-01") && !is_date("2024-1-01") && !is_date("2024-01-01-01"));
    }
}
