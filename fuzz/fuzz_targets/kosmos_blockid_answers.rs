//! Any status and body as a DocuVerify answer (plain, or `{"data": ...}` with
//! any text inside): no panic.
#![no_main]
use kosmos_connect::{
    BlockIdConfig, BlockIdTenant, Curve, Entropy, EntropyUnavailable, PrivateKey,
};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

struct Counter(u8);
impl Entropy for Counter {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), EntropyUnavailable> {
        for b in buf {
            self.0 = self.0.wrapping_add(1);
            *b = self.0;
        }
        Ok(())
    }
}

fn tenant() -> &'static BlockIdTenant {
    static T: OnceLock<BlockIdTenant> = OnceLock::new();
    T.get_or_init(|| {
        let ours = PrivateKey::generate(Curve::Secp256k1, &mut Counter(1)).expect("key");
        let theirs = PrivateKey::generate(Curve::Secp256k1, &mut Counter(99)).expect("key");
        let config: BlockIdConfig = serde_json::from_value(serde_json::json!({
            "docuverify_url": "https://t.example.com/docuverify",
            "license_key": "lic",
            "private_key": ours.to_base64().expose(),
            "service_public_key": theirs.public_key().to_base64(),
            "dvc_id": "d", "tenant_dns": "t.example.com", "community_name": "c"
        }))
        .expect("config");
        BlockIdTenant::new(config).expect("tenant")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let status = if selector & 0x80 == 0 {
        200
    } else {
        100 + u16::from(selector & 0x7f) * 4
    };
    let text = String::from_utf8_lossy(rest);
    let t = tenant();
    let body = if selector & 1 == 0 {
        text.to_string()
    } else {
        // A sealed answer whose plaintext is the fuzz input.
        let sealed = t
            .envelope()
            .seal(rest, &mut Counter(selector))
            .expect("seal");
        serde_json::json!({ "data": sealed }).to_string()
    };
    let _ = t.parse_document_session(status, &[], &body);
    let _ = t.parse_document_session_result(status, &[], &body);
});
