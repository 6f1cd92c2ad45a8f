//! Any text as what the provider or a browser sends back: a callback URL, a
//! WWW-Authenticate value, a discovery document, a JWKS, a token response,
//! a UserInfo answer (body or WWW-Authenticate), an access token to send and
//! a client configuration (with a private JWK) building a token request.
//! None of the readers panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let provider = kosmos_connect::ProviderMetadata::from_value(&serde_json::json!({
        "issuer": "https://idp.example",
        "authorization_endpoint": "https://idp.example/authorize",
        "token_endpoint": "https://idp.example/token",
        "jwks_uri": "https://idp.example/jwks",
        "userinfo_endpoint": "https://idp.example/userinfo",
        "authorization_response_iss_parameter_supported": true
    }))
    .unwrap();
    let pending = kosmos_connect::PendingAuthorization::from_value(&serde_json::json!({
        "issuer": "https://idp.example",
        "redirect_uri": "https://app.example/cb",
        "state": "st",
        "nonce": "n",
        "code_verifier": "v"
    }))
    .unwrap();
    let _ = kosmos_connect::parse_callback(&text, &provider, &pending);
    if let Ok(c) = kosmos_connect::parse_authn_challenge(&text) {
        // What parses must build back, or be refused cleanly.
        let _ = c.to_header_value();
    }
    let _ = kosmos_connect::parse_discovery(200, &text, "https://idp.example");
    let _ = kosmos_connect::parse_jwks(200, &text);
    let _ = kosmos_connect::parse_token_response(200, &text);
    let _ = kosmos_connect::parse_token_response(400, &text);
    let json = [("content-type".to_owned(), "application/json".to_owned())];
    let _ = kosmos_connect::parse_userinfo_response(200, &json, &text, "user-1");
    let _ = kosmos_connect::parse_userinfo_response(200, &[], &text, "user-1");
    let www = [("www-authenticate".to_owned(), text.to_string())];
    let _ = kosmos_connect::parse_userinfo_response(401, &www, "", "user-1");
    let typed = [("content-type".to_owned(), text.to_string())];
    let _ = kosmos_connect::parse_userinfo_response(200, &typed, r#"{"sub":"user-1"}"#, "user-1");
    let _ = kosmos_connect::build_userinfo_request(&provider, &text);
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        let _ = kosmos_connect::AuthorizationRequest::from_value(&v);
        let _ = kosmos_connect::AuthnChallenge::from_value(&v);
        let _ = kosmos_connect::IdTokenExpectations::from_value(&v);
        // A client config, private_jwk included (the buildOidcTokenRequest input).
        if let Ok(client) = kosmos_connect::OidcClient::from_value(&v) {
            let code = kosmos_connect::AuthorizationResponse {
                code: kosmos_connect::Secret::new("c"),
                iss: None,
            };
            let mut entropy = kosmos_connect::SystemEntropy;
            let _ = kosmos_connect::build_token_request(
                &provider,
                &client,
                &pending,
                &code,
                1_700_000_000,
                &mut entropy,
            );
        }
    }
});
