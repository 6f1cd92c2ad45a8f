//! Any header values and body: Standard Webhooks verification never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(4, '\n');
    let id = parts.next().unwrap_or_default();
    let ts = parts.next().unwrap_or_default();
    let sig = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let headers = vec![
        ("webhook-id".to_owned(), id.to_owned()),
        ("webhook-timestamp".to_owned(), ts.to_owned()),
        ("webhook-signature".to_owned(), sig.to_owned()),
    ];
    if let Ok(v) =
        kosmos_connect::StandardWebhooks::new(&["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"], 300)
    {
        let _ = v.verify(&headers, body.as_bytes(), 1_649_367_553);
    }
});
