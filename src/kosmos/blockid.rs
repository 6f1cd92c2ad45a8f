//! The blockid-tenant profile: document sessions through a BlockID tenant's
//! DocuVerify service, in the encrypted envelope of [`super::envelope`].
//!
//! Every call is a `POST` whose body is `{"data": seal(json)}` and whose
//! headers are `publickey` (our public key), `licensekey` (the license key,
//! sealed) and `requestid` (sealed `{"ts", "appid", "uuid"}`). Answers are
//! either plain JSON or `{"data": sealed json}`; both are read.
//!
//! | call | request payload | answer |
//! |---|---|---|
//! | create | `{dvcID, sessionRequest: {tenantDNS, communityName, documentType, userUID, did}}` | `{sessionId, url}` |
//! | result | `{dvcID, sessionId}` | `{responseStatus, <documentType>: {...}, liveid_object}` |
//!
//! Answers map onto the verify-v1 results ([`IdvSession`], [`IdvResult`]).
//! The document object's fields (`firstName`, `lastName`, `middleName`,
//! `dob`, `doi`, `doe`, `documentId`, `issuingCountry`, `issuingState`,
//! `street`, `city`, `state`, `zipCode`, `country`, `gender`) become
//! `verified_claims` in the OpenID Connect for Identity Assurance shape;
//! images are never copied.

use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::envelope::{Curve, Envelope, PrivateKey, PublicKey};
use super::model::{normalize_name, DocumentType, IalLevel, IdvResult, IdvSession, IdvStatus};
use super::verified_claims::parse_verified_claims;
use super::wire::{
    api_error, check_https_or_loopback, check_text, json_object, required_id, required_url,
    truncate, MAX_ID_BYTES,
};
use super::KosmosError;
use crate::entropy::{hex_lower, Entropy};
use crate::http::{join_url, HttpRequest};
use crate::secret::Secret;

/// Where and how to reach a BlockID tenant's DocuVerify service.
#[derive(Debug, Clone, Deserialize)]
pub struct BlockIdConfig {
    /// The DocuVerify base URL (the tenant's service directory `docuverify` entry).
    pub docuverify_url: String,
    /// The tenant license key; sent sealed.
    pub license_key: Secret,
    /// Our private key, base64 of the raw scalar.
    pub private_key: Secret,
    /// DocuVerify's public key, base64 of the 64-byte point (from `GET {docuverify}/publickeys`).
    pub service_public_key: String,
    /// The key agreement curve (`secp256k1` by default, or `p256`).
    #[serde(default)]
    pub curve: Curve,
    /// The application id put in `requestid`.
    #[serde(default = "default_app_id")]
    pub app_id: String,
    /// The DocuVerify configuration id (`dvcID`).
    pub dvc_id: String,
    /// The tenant's DNS name (`tenantDNS`).
    pub tenant_dns: String,
    /// The community name (`communityName`).
    pub community_name: String,
    /// The trust framework named in mapped `verified_claims`.
    #[serde(default = "default_trust_framework")]
    pub trust_framework: String,
}

fn default_app_id() -> String {
    "kosmos-connect".into()
}

fn default_trust_framework() -> String {
    "nist_800_63A".into()
}

/// What to ask for when creating a document session.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateDocumentSession {
    /// The document to capture: drivers_license, passport or id_card.
    pub document_type: DocumentType,
    /// The user's id at the tenant (`userUID`); a random UUID when absent.
    #[serde(default)]
    pub user_uid: Option<String>,
    /// The user's DID (`did`); the `userUID` when absent.
    #[serde(default)]
    pub did: Option<String>,
}

const CREATE_PATH: &str = "/document_share_session/create";
const RESULT_PATH: &str = "/document_share_session/result";
const PUBLIC_KEYS_PATH: &str = "/publickeys";

/// The DocuVerify document object name of a document type.
fn document_object(t: DocumentType) -> Option<&'static str> {
    match t {
        DocumentType::DriversLicense => Some("dl_object"),
        DocumentType::Passport => Some("ppt_object"),
        DocumentType::IdCard => Some("idcard_object"),
        DocumentType::ResidencePermit => None,
    }
}

/// Builds `GET {docuverify}/publickeys`, whose answer holds DocuVerify's public key.
///
/// Errors: `invalid_input` for `docuverify_url`.
pub fn build_read_service_public_key(docuverify_url: &str) -> Result<HttpRequest, KosmosError> {
    check_https_or_loopback("docuverify_url", docuverify_url)?;
    Ok(HttpRequest {
        method: "GET",
        url: join_url(docuverify_url, PUBLIC_KEYS_PATH),
        headers: vec![("accept".into(), "application/json".into())],
        body: None,
    })
}

/// Parses the answer to `GET {docuverify}/publickeys`: `{"publicKey": "<base64>"}`,
/// checked to be a point of `curve`.
///
/// Errors: the API error for a non-2xx status; `malformed_response` otherwise.
pub fn parse_service_public_key(
    curve: Curve,
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> Result<String, KosmosError> {
    if !(200..300).contains(&status) {
        return Err(api_error(status, headers, body));
    }
    let obj = json_object(body)?;
    let key = obj
        .get("publicKey")
        .ok_or_else(|| KosmosError::malformed("`publicKey` is missing"))?
        .as_str()
        .ok_or_else(|| KosmosError::malformed("`publicKey` is not a string"))?;
    let parsed = PublicKey::from_base64(curve, key)
        .map_err(|e| KosmosError::malformed(format!("`publicKey`: {e}")))?;
    Ok(parsed.to_base64())
}

/// A BlockID tenant, ready to build and read envelope calls: keys checked and
/// the shared key agreed once.
#[derive(Debug)]
pub struct BlockIdTenant {
    config: BlockIdConfig,
    our_public_key: String,
    envelope: Envelope,
}

impl BlockIdTenant {
    /// Checks the configuration and agrees on the envelope key.
    ///
    /// Errors: `invalid_input` naming the field; `invalid_key`.
    pub fn new(config: BlockIdConfig) -> Result<Self, KosmosError> {
        check_https_or_loopback("docuverify_url", &config.docuverify_url)?;
        check_text("license_key", config.license_key.expose(), 4096)
            .map_err(|_| KosmosError::invalid("license_key", "must be a non-empty string"))?;
        check_text("app_id", &config.app_id, MAX_ID_BYTES)?;
        check_text("dvc_id", &config.dvc_id, MAX_ID_BYTES)?;
        check_text("tenant_dns", &config.tenant_dns, MAX_ID_BYTES)?;
        check_text("community_name", &config.community_name, MAX_ID_BYTES)?;
        check_text("trust_framework", &config.trust_framework, MAX_ID_BYTES)?;
        let ours = PrivateKey::from_base64(config.curve, config.private_key.expose())?;
        let theirs = PublicKey::from_base64(config.curve, &config.service_public_key)
            .map_err(|e| KosmosError::invalid("service_public_key", e.to_string()))?;
        let envelope = Envelope::agree(&ours, &theirs)?;
        Ok(Self {
            our_public_key: ours.public_key().to_base64(),
            config,
            envelope,
        })
    }

    /// The envelope (shared key) of this tenant.
    pub fn envelope(&self) -> &Envelope {
        &self.envelope
    }

    /// Our public key as sent in the `publickey` header.
    pub fn public_key(&self) -> &str {
        &self.our_public_key
    }

    /// Builds `POST {docuverify}/document_share_session/create`.
    ///
    /// Errors: `invalid_input` (`document_type` residence_permit has no
    /// DocuVerify object; `user_uid`, `did`), `entropy_unavailable`.
    pub fn build_create_document_session(
        &self,
        request: &CreateDocumentSession,
        entropy: &mut dyn Entropy,
        now: u64,
    ) -> Result<HttpRequest, KosmosError> {
        let document_type = document_object(request.document_type).ok_or_else(|| {
            KosmosError::invalid(
                "document_type",
                "residence_permit is not offered by document sessions; use drivers_license, passport or id_card",
            )
        })?;
        let user_uid = match &request.user_uid {
            Some(u) => {
                check_text("user_uid", u, MAX_ID_BYTES)?;
                u.clone()
            }
            None => random_uuid(entropy)?,
        };
        let did = match &request.did {
            Some(d) => {
                check_text("did", d, MAX_ID_BYTES)?;
                d.clone()
            }
            None => user_uid.clone(),
        };
        let payload = json!({
            "dvcID": self.config.dvc_id,
            "sessionRequest": {
                "tenantDNS": self.config.tenant_dns,
                "communityName": self.config.community_name,
                "documentType": document_type,
                "userUID": user_uid,
                "did": did,
            }
        });
        self.post(CREATE_PATH, &payload, entropy, now)
    }

    /// Builds `POST {docuverify}/document_share_session/result`.
    ///
    /// Errors: `invalid_input` for `session_id`, `entropy_unavailable`.
    pub fn build_read_document_session_result(
        &self,
        session_id: &str,
        entropy: &mut dyn Entropy,
        now: u64,
    ) -> Result<HttpRequest, KosmosError> {
        check_text("session_id", session_id, MAX_ID_BYTES)?;
        let payload = json!({ "dvcID": self.config.dvc_id, "sessionId": session_id });
        self.post(RESULT_PATH, &payload, entropy, now)
    }

    fn post(
        &self,
        path: &str,
        payload: &Value,
        entropy: &mut dyn Entropy,
        now: u64,
    ) -> Result<HttpRequest, KosmosError> {
        let request_id = json!({
            "ts": now,
            "appid": self.config.app_id,
            "uuid": random_uuid(entropy)?,
        });
        let env = &self.envelope;
        let headers = vec![
            ("content-type".into(), "application/json".into()),
            ("accept".into(), "application/json".into()),
            ("publickey".into(), self.our_public_key.clone()),
            (
                "licensekey".into(),
                env.seal(self.config.license_key.expose().as_bytes(), entropy)?,
            ),
            (
                "requestid".into(),
                env.seal(request_id.to_string().as_bytes(), entropy)?,
            ),
        ];
        let data = env.seal(payload.to_string().as_bytes(), entropy)?;
        Ok(HttpRequest {
            method: "POST",
            url: join_url(&self.config.docuverify_url, path),
            headers,
            body: Some(json!({ "data": data }).to_string()),
        })
    }

    /// Reads an answer: plain JSON, or `{"data": sealed json}` opened.
    /// A non-2xx answer becomes the API error (its body opened first when sealed).
    fn open_answer(
        &self,
        status: u16,
        headers: &[(String, String)],
        body: &str,
    ) -> Result<Map<String, Value>, KosmosError> {
        if !(200..300).contains(&status) {
            let opened = serde_json::from_str::<Value>(body)
                .ok()
                .and_then(|v| v.get("data").and_then(Value::as_str).map(str::to_owned))
                .and_then(|d| self.envelope.open_text(&d).ok());
            let text = opened.as_ref().map_or(body, |t| t.as_str());
            return Err(api_error(status, headers, text));
        }
        let outer = json_object(body)?;
        match outer.get("data") {
            Some(Value::String(sealed)) => {
                let plain = self.envelope.open_text(sealed).map_err(|e| {
                    KosmosError::malformed(format!("`data` could not be opened: {e}"))
                })?;
                json_object(&plain).map_err(|e| match e {
                    KosmosError::MalformedResponse { what } => {
                        KosmosError::malformed(format!("opened `data`: {what}"))
                    }
                    other => other,
                })
            }
            Some(_) => Err(KosmosError::malformed("`data` is not a string")),
            None => Ok(outer),
        }
    }

    /// Parses the answer to "create document session": `sessionId` and `url`.
    ///
    /// Errors: the API error for a non-2xx status; `malformed_response` otherwise.
    pub fn parse_document_session(
        &self,
        status: u16,
        headers: &[(String, String)],
        body: &str,
    ) -> Result<IdvSession, KosmosError> {
        let obj = self.open_answer(status, headers, body)?;
        Ok(IdvSession {
            session_id: required_id(&obj, "sessionId")?,
            session_url: required_url(&obj, "url")?,
        })
    }

    /// Parses the answer to "document session result" into an [`IdvResult`]:
    /// `responseStatus` (INPROGRESS, SUCCESS, FAILED, EXPIRED, ...) becomes the
    /// status; the document object becomes `verified_claims`.
    ///
    /// Errors: the API error for a non-2xx status; `malformed_response` otherwise.
    pub fn parse_document_session_result(
        &self,
        status: u16,
        headers: &[(String, String)],
        body: &str,
    ) -> Result<IdvResult, KosmosError> {
        let obj = self.open_answer(status, headers, body)?;
        let raw = obj
            .get("responseStatus")
            .ok_or_else(|| KosmosError::malformed("`responseStatus` is missing"))?
            .as_str()
            .ok_or_else(|| KosmosError::malformed("`responseStatus` is not a string"))?;
        let status = response_status(raw).ok_or_else(|| {
            KosmosError::malformed(format!("`responseStatus` `{}` is not known", truncate(raw)))
        })?;
        let ial_level = match obj.get("ial_level").or_else(|| obj.get("ial")) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(IalLevel::parse(s).ok_or_else(|| {
                KosmosError::malformed(format!(
                    "`ial_level` `{}` is not IAL1, IAL2 or IAL3",
                    truncate(s)
                ))
            })?),
            Some(_) => return Err(KosmosError::malformed("`ial_level` is not a string")),
        };
        let document = ["dl_object", "ppt_object", "idcard_object"]
            .into_iter()
            .find_map(|name| match obj.get(name) {
                Some(Value::Object(doc)) => Some((name, doc)),
                _ => None,
            });
        let verified_claims = match document {
            Some((name, doc)) => {
                let value = self.claims_from_document(name, doc, &obj, ial_level);
                Some(
                    parse_verified_claims(&value)
                        .map_err(|e| KosmosError::malformed(format!("`{name}`: {e}")))?,
                )
            }
            None => None,
        };
        Ok(IdvResult {
            status,
            ial_level,
            verified_claims,
        })
    }

    fn claims_from_document(
        &self,
        object_name: &str,
        doc: &Map<String, Value>,
        answer: &Map<String, Value>,
        ial_level: Option<IalLevel>,
    ) -> Value {
        let text = |names: &[&str]| -> Option<Value> {
            names.iter().find_map(|n| {
                doc.get(*n)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
            })
        };
        let date = |names: &[&str]| -> Option<Value> {
            names.iter().find_map(|n| {
                doc.get(*n)
                    .and_then(Value::as_str)
                    .and_then(normalize_date)
                    .map(Value::String)
            })
        };
        let mut claims = Map::new();
        let put = |m: &mut Map<String, Value>, k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.to_owned(), v);
            }
        };
        put(&mut claims, "given_name", text(&["firstName", "firstname"]));
        put(
            &mut claims,
            "middle_name",
            text(&["middleName", "middlename"]),
        );
        put(&mut claims, "family_name", text(&["lastName", "lastname"]));
        put(&mut claims, "birthdate", date(&["dob", "dateOfBirth"]));
        put(&mut claims, "gender", text(&["gender", "sex"]));
        let mut address = Map::new();
        put(&mut address, "street_address", text(&["street", "address"]));
        put(&mut address, "locality", text(&["city"]));
        put(&mut address, "region", text(&["state"]));
        put(
            &mut address,
            "postal_code",
            text(&["zipCode", "postalCode"]),
        );
        put(&mut address, "country", text(&["country"]));
        if !address.is_empty() {
            claims.insert("address".into(), Value::Object(address));
        }
        let mut details = Map::new();
        let kind = match object_name {
            "dl_object" => "driving_permit",
            "ppt_object" => "passport",
            _ => "idcard",
        };
        details.insert("type".into(), Value::String(kind.into()));
        put(
            &mut details,
            "document_number",
            text(&["documentId", "documentNumber", "id"]),
        );
        put(
            &mut details,
            "date_of_issuance",
            date(&["doi", "issueDate"]),
        );
        put(&mut details, "date_of_expiry", date(&["doe", "expiryDate"]));
        let mut issuer = Map::new();
        put(&mut issuer, "country_code", text(&["issuingCountry"]));
        put(&mut issuer, "jurisdiction", text(&["issuingState"]));
        if !issuer.is_empty() {
            details.insert("issuer".into(), Value::Object(issuer));
        }
        let mut checks = vec![json!({"check_method": "vdig", "organization": "1kosmos"})];
        if answer.get("liveid_object").is_some_and(Value::is_object) {
            checks.push(json!({"check_method": "bvr", "organization": "1kosmos"}));
        }
        let mut verification = Map::new();
        verification.insert(
            "trust_framework".into(),
            Value::String(self.config.trust_framework.clone()),
        );
        if let Some(level) = ial_level {
            verification.insert(
                "assurance_level".into(),
                Value::String(level.as_str().to_ascii_lowercase()),
            );
        }
        verification.insert(
            "evidence".into(),
            json!([{ "type": "document", "check_details": checks, "document_details": details }]),
        );
        json!({ "verification": verification, "claims": claims })
    }
}

/// DocuVerify's `responseStatus` as an [`IdvStatus`].
fn response_status(raw: &str) -> Option<IdvStatus> {
    let name: String = normalize_name(raw).chars().filter(|c| *c != '_').collect();
    match name.as_str() {
        "created" | "pending" | "new" | "initiated" => Some(IdvStatus::Pending),
        "inprogress" | "processing" | "started" => Some(IdvStatus::InProgress),
        "success" | "completed" | "complete" | "done" => Some(IdvStatus::Completed),
        "failed" | "failure" | "error" | "rejected" => Some(IdvStatus::Failed),
        "expired" | "timeout" | "timedout" => Some(IdvStatus::Expired),
        "declined" | "cancelled" | "canceled" | "abandoned" => Some(IdvStatus::Declined),
        _ => None,
    }
}

/// `YYYYMMDD`, `YYYY-MM-DD` or `MM/DD/YYYY` as `YYYY-MM-DD`, when it is a real date.
fn normalize_date(s: &str) -> Option<String> {
    let s = s.trim();
    let candidate = if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        format!("{}-{}-{}", s.get(..4)?, s.get(4..6)?, s.get(6..)?)
    } else if let [m, d, y] = s.split('/').collect::<Vec<_>>().as_slice() {
        format!("{y}-{m}-{d}")
    } else {
        s.to_owned()
    };
    super::verified_claims::is_date(&candidate).then_some(candidate)
}

/// A random RFC 9562 version 4 UUID.
fn random_uuid(entropy: &mut dyn Entropy) -> Result<String, KosmosError> {
    let mut b = [0u8; 16];
    entropy
        .fill(&mut b)
        .map_err(|_| KosmosError::EntropyUnavailable)?;
    if let Some(v) = b.get_mut(6) {
        *v = (*v & 0x0f) | 0x40;
    }
    if let Some(v) = b.get_mut(8) {
        *v = (*v & 0x3f) | 0x80;
    }
    let hex = hex_lower(&b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        hex.get(..8).unwrap_or_default(),
        hex.get(8..12).unwrap_or_default(),
        hex.get(12..16).unwrap_or_default(),
        hex.get(16..20).unwrap_or_default(),
        hex.get(20..).unwrap_or_default()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorInfo;

    use crate::entropy::testing::Counter;

    /// Our tenant config and the service's private key (to play DocuVerify).
    fn setup(curve: Curve) -> (BlockIdConfig, PrivateKey) {
        let mut rng = Counter(100);
        let ours = PrivateKey::generate(curve, &mut rng).unwrap();
        let service = PrivateKey::generate(curve, &mut rng).unwrap();
        let config = BlockIdConfig {
            docuverify_url: "https://t1.example.com/docuverify/".into(),
            license_key: Secret::new("lic-123"),
            private_key: ours.to_base64(),
            service_public_key: service.public_key().to_base64(),
            curve,
            app_id: "app-1".into(),
            dvc_id: "dvc-9".into(),
            tenant_dns: "t1.example.com".into(),
            community_name: "default".into(),
            trust_framework: default_trust_framework(),
        };
        (config, service)
    }

    /// The service side: the envelope as DocuVerify derives it from our `publickey`.
    fn service_envelope(req: &HttpRequest, service: &PrivateKey) -> Envelope {
        let ours =
            PublicKey::from_base64(service.curve(), req.header("publickey").unwrap()).unwrap();
        Envelope::agree(service, &ours).unwrap()
    }

    #[test]
    fn create_request_is_sealed_for_the_service() {
        for curve in [Curve::Secp256k1, Curve::P256] {
            let (config, service) = setup(curve);
            let tenant = BlockIdTenant::new(config).unwrap();
            let req = tenant
                .build_create_document_session(
                    &CreateDocumentSession {
                        document_type: DocumentType::DriversLicense,
                        user_uid: Some("user-1".into()),
                        did: None,
                    },
                    &mut Counter(1),
                    1_700_000_000,
                )
                .unwrap();
            assert_eq!(req.method, "POST");
            assert_eq!(
                req.url,
                "https://t1.example.com/docuverify/document_share_session/create"
            );
            let env = service_envelope(&req, &service);
            assert_eq!(
                env.open_text(req.header("licensekey").unwrap())
                    .unwrap()
                    .as_str(),
                "lic-123"
            );
            let rid: Value =
                serde_json::from_str(&env.open_text(req.header("requestid").unwrap()).unwrap())
                    .unwrap();
            assert_eq!(rid["ts"], 1_700_000_000);
            assert_eq!(rid["appid"], "app-1");
            let uuid = rid["uuid"].as_str().unwrap();
            assert_eq!(uuid.len(), 36);
            assert_eq!(uuid.as_bytes()[14], b'4');
            let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
            let payload: Value =
                serde_json::from_str(&env.open_text(body["data"].as_str().unwrap()).unwrap())
                    .unwrap();
            assert_eq!(
                payload,
                json!({"dvcID": "dvc-9", "sessionRequest": {"tenantDNS": "t1.example.com", "communityName": "default", "documentType": "dl_object", "userUID": "user-1", "did": "user-1"}})
            );
            assert!(!format!("{tenant:?}").contains("lic-123"));
        }
    }

    #[test]
    fn answers_plain_or_sealed() {
        let (config, service) = setup(Curve::Secp256k1);
        let tenant = BlockIdTenant::new(config).unwrap();
        let req = tenant
            .build_read_document_session_result("ses-1", &mut Counter(1), 1)
            .unwrap();
        let env = service_envelope(&req, &service);
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap()).unwrap();
        let payload: Value =
            serde_json::from_str(&env.open_text(body["data"].as_str().unwrap()).unwrap()).unwrap();
        assert_eq!(payload, json!({"dvcID": "dvc-9", "sessionId": "ses-1"}));

        let plain = r#"{"sessionId":"ses-1","url":"https://t1.example.com/s/ses-1"}"#;
        let s = tenant.parse_document_session(200, &[], plain).unwrap();
        assert_eq!(s.session_id, "ses-1");
        let sealed = json!({"data": env.seal(plain.as_bytes(), &mut Counter(50)).unwrap()});
        let s2 = tenant
            .parse_document_session(200, &[], &sealed.to_string())
            .unwrap();
        assert_eq!(s, s2);

        let answer = json!({
            "responseStatus": "SUCCESS",
            "dl_object": {
                "firstName": "Ada", "lastName": "Lovelace", "dob": "18151210",
                "doe": "2030-01-31", "doi": "01/31/2022", "documentId": "D123",
                "issuingCountry": "USA", "issuingState": "CA", "city": "Los Angeles",
                "face": "AAAA-big-image", "unknownThing": 3
            },
            "liveid_object": {"face": "BBBB"}
        });
        let sealed =
            json!({"data": env.seal(answer.to_string().as_bytes(), &mut Counter(9)).unwrap()});
        let r = tenant
            .parse_document_session_result(200, &[], &sealed.to_string())
            .unwrap();
        assert_eq!(r.status, IdvStatus::Completed);
        assert_eq!(r.ial_level, None);
        let vc = serde_json::to_value(r.verified_claims.unwrap()).unwrap();
        assert_eq!(
            vc,
            json!({
                "verification": {
                    "trust_framework": "nist_800_63A",
                    "evidence": [{
                        "type": "document",
                        "check_details": [
                            {"check_method": "vdig", "organization": "1kosmos"},
                            {"check_method": "bvr", "organization": "1kosmos"}
                        ],
                        "document_details": {
                            "type": "driving_permit", "document_number": "D123",
                            "date_of_issuance": "2022-01-31", "date_of_expiry": "2030-01-31",
                            "issuer": {"country_code": "USA", "jurisdiction": "CA"}
                        }
                    }]
                },
                "claims": {
                    "given_name": "Ada", "family_name": "Lovelace", "birthdate": "1815-12-10",
                    "address": {"locality": "Los Angeles"}
                }
            })
        );
        assert!(!vc.to_string().contains("AAAA"));
        let r = tenant
            .parse_document_session_result(
                200,
                &[],
                r#"{"responseStatus":"COMPLETED","ial":"IAL2","ppt_object":{"lastName":"X"}}"#,
            )
            .unwrap();
        assert_eq!(r.ial_level, Some(IalLevel::Ial2));
        let vc = serde_json::to_value(r.verified_claims.unwrap()).unwrap();
        assert_eq!(vc["verification"]["assurance_level"], "ial2");
        assert_eq!(
            vc["verification"]["evidence"][0]["document_details"]["type"],
            "passport"
        );
    }

    #[test]
    fn every_response_status() {
        let (config, _) = setup(Curve::Secp256k1);
        let tenant = BlockIdTenant::new(config).unwrap();
        for (raw, want) in [
            ("PENDING", IdvStatus::Pending),
            ("INPROGRESS", IdvStatus::InProgress),
            ("IN_PROGRESS", IdvStatus::InProgress),
            ("SUCCESS", IdvStatus::Completed),
            ("FAILED", IdvStatus::Failed),
            ("EXPIRED", IdvStatus::Expired),
            ("DECLINED", IdvStatus::Declined),
            ("CANCELLED", IdvStatus::Declined),
        ] {
            let r = tenant
                .parse_document_session_result(
                    200,
                    &[],
                    &json!({"responseStatus": raw}).to_string(),
                )
                .unwrap();
            assert_eq!(r.status, want, "{raw}");
            assert_eq!(r.verified_claims, None);
        }
        let e = tenant
            .parse_document_session_result(200, &[], r#"{"responseStatus":"MAYBE"}"#)
            .unwrap_err();
        assert_eq!(e.code(), "malformed_response");
    }

    #[test]
    fn broken_answers_and_errors() {
        let (config, service) = setup(Curve::Secp256k1);
        let tenant = BlockIdTenant::new(config).unwrap();
        let req = tenant
            .build_read_document_session_result("s", &mut Counter(1), 1)
            .unwrap();
        let env = service_envelope(&req, &service);
        let good = env
            .seal(br#"{"responseStatus":"SUCCESS"}"#, &mut Counter(3))
            .unwrap();
        let mut raw: Vec<u8> =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &good).unwrap();
        raw[20] ^= 0x80;
        let tampered = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &raw);
        for (body, want) in [
            (
                json!({"data": tampered}).to_string(),
                "failed authentication",
            ),
            (json!({"data": "AAAA"}).to_string(), "shorter than"),
            (json!({"data": 5}).to_string(), "`data` is not a string"),
            (
                json!({"data": env.seal(b"[1]", &mut Counter(4)).unwrap()}).to_string(),
                "opened `data`: body is not a json object",
            ),
            ("{}".to_owned(), "`responseStatus` is missing"),
        ] {
            let e = tenant
                .parse_document_session_result(200, &[], &body)
                .unwrap_err();
            assert_eq!(e.code(), "malformed_response", "{body}");
            assert!(e.to_string().contains(want), "{body}: {e}");
        }
        // Sealed error bodies are opened for their message.
        let err_body = json!({"data": env.seal(br#"{"code":"E_LIC","message":"license expired"}"#, &mut Counter(5)).unwrap()});
        let e = tenant
            .parse_document_session(401, &[], &err_body.to_string())
            .unwrap_err();
        assert_eq!(e.code(), "unauthorized");
        assert_eq!(e.to_string(), "1kosmos answered http 401: license expired");
        assert_eq!(e.details().unwrap()["api_code"], "E_LIC");
        let e = tenant
            .parse_document_session(503, &[], r#"{"code":503,"message":"down"}"#)
            .unwrap_err();
        assert!(e.retryable());
    }

    #[test]
    fn bad_configs_and_inputs() {
        let (config, _) = setup(Curve::Secp256k1);
        let mut c = config.clone();
        c.service_public_key = "AAAA".into();
        assert_eq!(
            BlockIdTenant::new(c).unwrap_err().field(),
            Some("service_public_key")
        );
        let mut c = config.clone();
        c.private_key = Secret::new("AAAA");
        assert_eq!(BlockIdTenant::new(c).unwrap_err().code(), "invalid_key");
        let mut c = config.clone();
        c.curve = Curve::P256; // keys are secp256k1 ones
        assert!(BlockIdTenant::new(c).is_err());
        let mut c = config.clone();
        c.docuverify_url = "http://t1.example.com".into();
        assert_eq!(
            BlockIdTenant::new(c).unwrap_err().field(),
            Some("docuverify_url")
        );
        let mut c = config.clone();
        c.dvc_id = String::new();
        assert_eq!(BlockIdTenant::new(c).unwrap_err().field(), Some("dvc_id"));
        let tenant = BlockIdTenant::new(config).unwrap();
        let e = tenant
            .build_create_document_session(
                &CreateDocumentSession {
                    document_type: DocumentType::ResidencePermit,
                    user_uid: None,
                    did: None,
                },
                &mut Counter(1),
                1,
            )
            .unwrap_err();
        assert_eq!(e.field(), Some("document_type"));
        let e = tenant
            .build_read_document_session_result("", &mut Counter(1), 1)
            .unwrap_err();
        assert_eq!(e.field(), Some("session_id"));
    }

    #[test]
    fn service_public_key_round() {
        let req = build_read_service_public_key("https://t1.example.com/docuverify").unwrap();
        assert_eq!(req.url, "https://t1.example.com/docuverify/publickeys");
        let (_, service) = setup(Curve::P256);
        let pk = service.public_key().to_base64();
        let got =
            parse_service_public_key(Curve::P256, 200, &[], &json!({"publicKey": pk}).to_string())
                .unwrap();
        assert_eq!(got, pk);
        assert!(
            parse_service_public_key(Curve::Secp256k1, 200, &[], r#"{"publicKey":"AAAA"}"#)
                .is_err()
        );
        assert_eq!(
            parse_service_public_key(Curve::P256, 404, &[], "")
                .unwrap_err()
                .code(),
            "not_found"
        );
    }

    #[test]
    fn dates_normalize() {
        assert_eq!(normalize_date("19810229").as_deref(), None);
        assert_eq!(normalize_date("19840229").as_deref(), Some("1984-02-29"));
        assert_eq!(normalize_date("12/31/1999").as_deref(), Some("1999-12-31"));
        assert_eq!(normalize_date("2000-01-01").as_deref(), Some("2000-01-01"));
        assert_eq!(normalize_date("yesterday"), None);
    }
}
