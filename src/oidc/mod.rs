//! OpenID Connect federation with 1Kosmos as the provider, sans-IO.
//!
//! ```text
//!   issuer --build_discovery_request--> GET .well-known --parse_discovery--> ProviderMetadata
//!          (or a hand-written ProviderMetadata, checked with validate())
//!   ProviderMetadata --build_jwks_request--> GET jwks_uri --parse_jwks--> Jwks
//!   (provider, client, request, entropy) --build_authorization_request-->
//!          { url: redirect the browser there, pending: keep it (signed cookie / store) }
//!   callback URL + pending --parse_callback--> AuthorizationResponse { code }
//!   code + pending (+ now, entropy) --build_token_request--> POST token_endpoint --parse_token_response--> TokenResponse
//!   id_token + Jwks + IdTokenExpectations::for_authorization(..) + now
//!          --validate_id_token--> VerifiedIdToken { sub, acr, auth_time, verified_claims, .. }
//!   access_token --build_userinfo_request--> GET userinfo_endpoint
//!          --parse_userinfo_response(.., id_token.sub)--> UserInfo { sub, verified_claims, .. }
//!   AuthnChallenge <--parse / build--> `WWW-Authenticate: Bearer error="insufficient_user_authentication", ...`
//! ```
//!
//! Nothing here fetches, reads a clock or draws randomness of its own.

mod authorize;
mod callback;
mod client;
mod client_assertion;
mod discovery;
mod encoding;
mod error;
mod id_token;
mod json;
mod jwks;
mod jws;
mod step_up_challenge;
mod token;
mod userinfo;

pub use authorize::{
    build_authorization_request, AuthorizationRequest, AuthorizationStart, PendingAuthorization,
    VerifiedClaimsRequest,
};
pub use callback::{parse_callback, AuthorizationResponse, MAX_CALLBACK_BYTES};
pub use client::{OidcClient, TokenEndpointAuthMethod};
pub use client_assertion::{
    ClientAssertionAudience, ClientKey, CLIENT_ASSERTION_LIFETIME_S, CLIENT_ASSERTION_TYPE,
};
pub use discovery::{
    build_discovery_request, parse_discovery, ProviderMetadata, MAX_DISCOVERY_BYTES,
};
pub use error::{KeyRestriction, OidcError};
pub use id_token::{
    validate_id_token, IdTokenExpectations, VerifiedIdToken, DEFAULT_CLOCK_SKEW_S, MAX_CLOCK_SKEW_S,
};
pub use jwks::{build_jwks_request, parse_jwks, Jwks, MAX_JWKS_BYTES, MAX_JWKS_KEYS, MIN_RSA_BITS};
pub use jws::MAX_ID_TOKEN_BYTES;
pub use step_up_challenge::{
    build_authn_challenge, parse_authn_challenge, AuthnChallenge, INSUFFICIENT_USER_AUTHENTICATION,
};
pub use token::{
    build_token_request, parse_token_response, TokenResponse, MAX_TOKEN_RESPONSE_BYTES,
};
pub use userinfo::{build_userinfo_request, parse_userinfo_response, UserInfo, MAX_USERINFO_BYTES};
