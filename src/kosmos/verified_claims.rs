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
//! Everything else is kept as it came, in the order it came. The result is
//! the validated JSON itself ([`VerifiedClaims`] wraps it), with accessors for
//! what callers decide on.

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

/// A validated, normalized `verified_claims` value (one claim set object or
/// an array of them). Serializes as that JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct VerifiedClaims(Value);

/// The kind of one piece of evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

impl EvidenceType {
    /// The 1.0 name: `document`, `electronic_record`, `vouch`, `electronic_signature`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Document => "document",
            Self::ElectronicRecord => "electronic_record",
            Self::Vouch => "vouch",
            Self::ElectronicSignature => "electronic_signature",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [
            Self::Document,
            Self::ElectronicRecord,
            Self::Vouch,
            Self::ElectronicSignature,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

impl VerifiedClaims {
    /// The validated JSON.
    pub fn as_value(&self) -> &Value {
        &self.0
    }

    /// The validated JSON, owned.
    pub fn into_value(self) -> Value {
        self.0
    }

    /// The claim sets (objects with `verification` and `claims`), whether one or several.
    pub fn sets(&self) -> Vec<&Map<String, Value>> {
        match &self.0 {
            Value::Object(o) => vec![o],
            Value::Array(a) => a.iter().filter_map(Value::as_object).collect(),
            _ => Vec::new(),
        }
    }

    /// Each set's `verification.trust_framework`.
    pub fn trust_frameworks(&self) -> Vec<&str> {
        self.sets()
            .into_iter()
            .filter_map(|s| s.get("verification")?.get("trust_framework")?.as_str())
            .collect()
    }

    /// Each set's evidence types, in order.
    pub fn evidence_types(&self) -> Vec<EvidenceType> {
        self.sets()
            .into_iter()
            .filter_map(|s| s.get("verification")?.get("evidence")?.as_array())
            .flatten()
            .filter_map(|e| EvidenceType::parse(e.get("type")?.as_str()?))
            .collect()
    }

    /// The NIST SP 800-63A level the claim sets assert: the highest
    /// `assurance_level` among sets whose trust framework is `nist_800_63A`.
    pub fn ial_level(&self) -> Option<IalLevel> {
        self.sets()
            .into_iter()
            .filter_map(|s| {
                let v = s.get("verification")?;
                let framework = v.get("trust_framework")?.as_str()?;
                if !framework.eq_ignore_ascii_case("nist_800_63a") {
                    return None;
                }
                IalLevel::parse(v.get("assurance_level")?.as_str()?)
            })
            .max()
    }
}

/// Parses, validates and normalizes a `verified_claims` value (an object or
/// a non-empty array of objects). Errors name the offending member's path.
pub fn parse_verified_claims(value: &Value) -> Result<VerifiedClaims, VerifiedClaimsError> {
    const ROOT: &str = "verified_claims";
    let mut value = value.clone();
    match &mut value {
        Value::Object(obj) => claim_set(obj, ROOT)?,
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
            for_each_object(items, ROOT, claim_set)?;
        }
        _ => {
            return Err(VerifiedClaimsError::new(
                ROOT,
                "is not an object or an array",
            ))
        }
    }
    Ok(VerifiedClaims(value))
}

fn join(path: &str, name: &str) -> String {
    format!("{path}.{name}")
}

/// Runs `check` on every item of an array, each of which must be an object.
fn for_each_object(
    items: &mut [Value],
    path: &str,
    check: fn(&mut Map<String, Value>, &str) -> R<()>,
) -> R<()> {
    for (i, item) in items.iter_mut().enumerate() {
        let p = format!("{path}[{i}]");
        match item {
            Value::Object(obj) => check(obj, &p)?,
            _ => return Err(VerifiedClaimsError::new(&p, "is not an object")),
        }
    }
    Ok(())
}

/// An optional array member of at most `max` objects, each checked.
fn object_array(
    obj: &mut Map<String, Value>,
    name: &str,
    path: &str,
    max: usize,
    check: fn(&mut Map<String, Value>, &str) -> R<()>,
) -> R<()> {
    let p = join(path, name);
    match obj.get_mut(name) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(items)) if items.len() > max => Err(VerifiedClaimsError::new(
            &p,
            format!("has more than {max} entries"),
        )),
        Some(Value::Array(items)) => for_each_object(items, &p, check),
        Some(_) => Err(VerifiedClaimsError::new(&p, "is not an array")),
    }
}

/// A required object member, checked.
fn required_object(
    obj: &mut Map<String, Value>,
    name: &str,
    path: &str,
    check: fn(&mut Map<String, Value>, &str) -> R<()>,
) -> R<()> {
    let p = join(path, name);
    match obj.get_mut(name) {
        None | Some(Value::Null) => Err(VerifiedClaimsError::new(&p, "is missing")),
        Some(Value::Object(inner)) => check(inner, &p),
        Some(_) => Err(VerifiedClaimsError::new(&p, "is not an object")),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Form {
    Text,
    Date,
    DateTime,
}

/// An optional member: absent or null is fine, else a non-empty string of `form`.
fn text(obj: &Map<String, Value>, name: &str, path: &str, form: Form) -> R<Option<String>> {
    let fail = |m: &str| Err(VerifiedClaimsError::new(&join(path, name), m));
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => fail("is empty"),
        Some(Value::String(s)) => {
            let ok = match form {
                Form::Text => true,
                Form::Date => is_date(s),
                Form::DateTime => is_datetime(s),
            };
            if ok {
                Ok(Some(s.clone()))
            } else if form == Form::Date {
                fail(&format!("`{}` is not a yyyy-mm-dd date", short(s)))
            } else {
                fail(&format!("`{}` is not an rfc 3339 date-time", short(s)))
            }
        }
        Some(_) => fail("is not a string"),
    }
}

fn required_text(obj: &Map<String, Value>, name: &str, path: &str) -> R<String> {
    text(obj, name, path, Form::Text)?
        .ok_or_else(|| VerifiedClaimsError::new(&join(path, name), "is missing"))
}

fn short(s: &str) -> &str {
    match s.char_indices().nth(40) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

fn claim_set(obj: &mut Map<String, Value>, path: &str) -> R<()> {
    required_object(obj, "verification", path, verification)?;
    required_object(obj, "claims", path, claims)
}

/// Claims whose format the standard fixes are checked; the rest are kept as they are.
fn claims(claims: &mut Map<String, Value>, path: &str) -> R<()> {
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
        if claims.get(name).is_some_and(|v| !v.is_string()) {
            return Err(VerifiedClaimsError::new(
                &join(path, name),
                "is not a string",
            ));
        }
    }
    if claims.get("address").is_some_and(|v| !v.is_object()) {
        return Err(VerifiedClaimsError::new(
            &join(path, "address"),
            "is not an object",
        ));
    }
    Ok(())
}

fn verification(obj: &mut Map<String, Value>, path: &str) -> R<()> {
    required_text(obj, "trust_framework", path)?;
    text(obj, "assurance_level", path, Form::Text)?;
    text(obj, "time", path, Form::DateTime)?;
    text(obj, "verification_process", path, Form::Text)?;
    object_array(obj, "evidence", path, MAX_EVIDENCE, evidence)
}

fn evidence(obj: &mut Map<String, Value>, path: &str) -> R<()> {
    let raw = required_text(obj, "type", path)?;
    let lower = raw.trim().to_ascii_lowercase();
    let kind = match lower.as_str() {
        "id_document" => {
            upgrade_id_document(obj);
            EvidenceType::Document
        }
        "utility_bill" => {
            upgrade_utility_bill(obj);
            EvidenceType::Document
        }
        "qes" => EvidenceType::ElectronicSignature,
        other => EvidenceType::parse(other).ok_or_else(|| {
            VerifiedClaimsError::new(
                &join(path, "type"),
                format!(
                    "`{}` is not document, electronic_record, vouch or electronic_signature",
                    short(&raw)
                ),
            )
        })?,
    };
    obj.insert("type".into(), Value::String(kind.as_str().into()));
    text(obj, "time", path, Form::DateTime)?;
    object_array(obj, "check_details", path, MAX_CHECK_DETAILS, check_detail)?;
    let details_path = join(path, "document_details");
    match obj.get_mut("document_details") {
        None | Some(Value::Null) => {}
        Some(_) if kind != EvidenceType::Document => {
            return Err(VerifiedClaimsError::new(
                &details_path,
                "is only allowed on `document` evidence",
            ))
        }
        Some(Value::Object(details)) => document_details(details, &details_path)?,
        Some(_) => return Err(VerifiedClaimsError::new(&details_path, "is not an object")),
    }
    match kind {
        EvidenceType::ElectronicRecord => typed_object(obj, "record", path),
        EvidenceType::Vouch => typed_object(obj, "attestation", path),
        EvidenceType::ElectronicSignature => required_text(obj, "signature_type", path).map(drop),
        EvidenceType::Document => Ok(()),
    }
}

/// `record` / `attestation`, when present, must be objects with a string `type`.
fn typed_object(obj: &Map<String, Value>, name: &str, path: &str) -> R<()> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Object(inner)) => required_text(inner, "type", &join(path, name)).map(drop),
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

fn check_detail(obj: &mut Map<String, Value>, path: &str) -> R<()> {
    required_text(obj, "check_method", path)?;
    text(obj, "organization", path, Form::Text)?;
    text(obj, "txn", path, Form::Text)?;
    text(obj, "time", path, Form::DateTime).map(drop)
}

fn document_details(obj: &mut Map<String, Value>, path: &str) -> R<()> {
    required_text(obj, "type", path)?;
    text(obj, "document_number", path, Form::Text)?;
    text(obj, "date_of_issuance", path, Form::Date)?;
    text(obj, "date_of_expiry", path, Form::Date)?;
    if obj
        .get("issuer")
        .is_some_and(|v| !v.is_null() && !v.is_object())
    {
        return Err(VerifiedClaimsError::new(
            &join(path, "issuer"),
            "is not an object",
        ));
    }
    Ok(())
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
        assert_eq!(parsed.trust_frameworks(), vec!["nist_800_63A"]);
        assert_eq!(
            parsed.evidence_types(),
            vec![
                EvidenceType::Document,
                EvidenceType::ElectronicRecord,
                EvidenceType::Vouch,
                EvidenceType::ElectronicSignature
            ]
        );
        assert_eq!(parsed.sets()[0]["x_vendor"], true);
        assert_eq!(parsed.clone().into_value(), v);
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
