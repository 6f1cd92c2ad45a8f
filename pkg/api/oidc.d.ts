import type { HttpRequest } from './common.js';

/** Provider metadata: a discovery document, or written by hand. */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  userinfo_endpoint?: string;
  id_token_signing_alg_values_supported?: string[];
  code_challenge_methods_supported?: string[];
  token_endpoint_auth_methods_supported?: string[];
  acr_values_supported?: string[];
  scopes_supported?: string[];
  claims_parameter_supported?: boolean;
  /** RFC 9207: when `true`, a callback without `iss` is refused. */
  authorization_response_iss_parameter_supported?: boolean;
  verified_claims_supported?: boolean;
  trust_frameworks_supported?: string[];
}

/**
 * A private JWK for `private_key_jwt`: EC P-256 (ES256) or OKP Ed25519 (EdDSA),
 * with `d`. Checked when the client is read (a public-only key, a bad `d`, public
 * members that do not match `d`, or an `alg` that does not fit throw
 * `invalid_input` naming e.g. `client.private_jwk.d`); never shown in errors.
 * RSA keys are not supported. `kid`, when given, goes into the assertion's
 * header; other members (`use`, `key_ops`, ...) are ignored.
 */
export type PrivateJwk =
  | { kty: 'EC'; crv: 'P-256'; x: string; y: string; d: string; kid?: string; alg?: 'ES256'; [member: string]: unknown }
  | { kty: 'OKP'; crv: 'Ed25519'; x: string; d: string; kid?: string; alg?: 'EdDSA' | 'Ed25519'; [member: string]: unknown };

/** The relying party's registration. `client_secret` and `private_jwk` never appear in errors or logs. */
export interface OidcClient {
  client_id: string;
  /** Required by `client_secret_basic` and `client_secret_post`. */
  client_secret?: string;
  redirect_uri: string;
  /**
   * Default `client_secret_basic`. `private_key_jwt` (OpenID Connect Core 9,
   * RFC 7523) sends `client_id`, `client_assertion_type`
   * (`urn:ietf:params:oauth:client-assertion-type:jwt-bearer`) and
   * `client_assertion`: a JWT signed with `private_jwk`, header
   * `{ alg, typ: "JWT", kid? }`, claims `iss` = `sub` = `client_id`, `aud`,
   * a random 128-bit `jti`, `iat` = now, `exp` = now + 60.
   */
  token_endpoint_auth_method?: 'client_secret_basic' | 'client_secret_post' | 'none' | 'private_key_jwt';
  /** The signing key; required by, and only allowed with, `private_key_jwt`. */
  private_jwk?: PrivateJwk;
  /** The assertion's `aud`: the token endpoint URL (default) or the provider's issuer. */
  client_assertion_audience?: 'token_endpoint' | 'issuer';
}

/** A `verified_claims` request (OpenID Connect for Identity Assurance 1.0), placed in the ID token. */
export interface VerifiedClaimsRequest {
  trust_framework?: string;
  /** e.g. `ial2`. */
  assurance_level?: string;
  /** Claim names, at least one. */
  claims: string[];
  essential?: boolean;
}

export interface AuthorizationRequest {
  /** Besides `openid`, which is always sent. */
  scope?: string[];
  /** Space-separated: `none`, `login`, `consent`, `select_account`, `create`. */
  prompt?: string;
  /** Seconds; `auth_time` is then required and checked. */
  max_age?: number;
  /** Voluntary acr values (no spaces inside a value). */
  acr_values?: string[];
  /** Essential acr values, sent in the `claims` parameter (e.g. `liveID push`). */
  essential_acr?: string[];
  verified_claims?: VerifiedClaimsRequest;
  /** A raw `claims` parameter, merged with the two fields above. */
  claims?: { id_token?: Record<string, unknown>; userinfo?: Record<string, unknown> };
  login_hint?: string;
  ui_locales?: string;
}

/** What to keep until the callback: tamper-proof (signed cookie or a store keyed by state), never in the URL. */
export interface PendingAuthorization {
  issuer: string;
  redirect_uri: string;
  state: string;
  nonce: string;
  /** The PKCE verifier: a secret until the code is exchanged. */
  code_verifier: string;
  max_age?: number;
  required_acr?: string[];
}

export interface AuthorizationStart { url: string; pending: PendingAuthorization }
export interface AuthorizationResponse { code: string; iss?: string }
export interface TokenResponse {
  access_token: string;
  token_type: string;
  id_token: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
}

export interface IdTokenExpectations {
  issuer: string;
  client_id: string;
  nonce?: string;
  max_age?: number;
  /** When not empty, `acr` must be one of these. */
  required_acr?: string[];
  /** Default 60, at most 600. */
  clock_skew_s?: number;
  /** Extra audiences allowed besides the client id. */
  trusted_audiences?: string[];
  /** When not empty, the only accepted `alg` values. */
  algorithms?: ('RS256' | 'ES256' | 'EdDSA' | 'Ed25519')[];
  /**
   * The access token issued with the ID token: when the token carries
   * `at_hash` it must match (else `hash_mismatch`, `field` `claims.at_hash`).
   * An absent `at_hash` is accepted (code flow). `finishOidcAuthorization` sets it.
   */
  access_token?: string;
  /** The authorization code: checked against `c_hash` when present (absent is accepted). */
  code?: string;
}

export interface Jwks { keys: Record<string, unknown>[] }

export interface VerifiedIdToken {
  alg: 'RS256' | 'ES256' | 'EdDSA' | 'Ed25519';
  kid?: string;
  iss: string;
  sub: string;
  aud: string[];
  azp?: string;
  exp: number;
  iat: number;
  auth_time?: number;
  acr?: string;
  amr?: string[];
  /** OpenID Connect for Identity Assurance `verified_claims`, as sent. */
  verified_claims?: Record<string, unknown> | Record<string, unknown>[];
  /** Every claim of the token. */
  claims: Record<string, unknown>;
}

/** What the UserInfo endpoint says about the user; `sub` is always the ID token's. */
export interface OidcUserInfo {
  sub: string;
  /** OpenID Connect for Identity Assurance `verified_claims`, normalized like the ID token's. */
  verified_claims?: Record<string, unknown> | Record<string, unknown>[];
  /** Every member of the response. */
  claims: Record<string, unknown>;
}

/** RFC 9470 step-up requirements. */
export interface AuthnChallenge {
  acr_values?: string[];
  max_age?: number;
  error_description?: string;
  realm?: string;
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body?: string; redirect: 'manual' }) => Promise<{ status: number; headers?: Headers; text(): Promise<string> }>;

/** Builds `GET {issuer}/.well-known/openid-configuration`. */
export function buildOidcDiscoveryRequest(issuer: string): HttpRequest;
/** Reads a discovery document; its `issuer` must equal `issuer` exactly. */
export function parseOidcDiscovery(status: number, body: string, issuer: string): ProviderMetadata;
/** Builds `GET {jwks_uri}`. */
export function buildOidcJwksRequest(provider: ProviderMetadata): HttpRequest;
/** Reads a JWKS answer. */
export function parseOidcJwks(status: number, body: string): Jwks;
/** Starts an authorization (PKCE S256, fresh state and nonce). */
export function buildOidcAuthorization(provider: ProviderMetadata, client: OidcClient, request?: AuthorizationRequest | null): AuthorizationStart;
/** Reads the callback: checks state (constant time), `iss`, and turns `error` into `authorization_error`. */
export function parseOidcCallback(callback: string | URL, provider: ProviderMetadata, pending: PendingAuthorization): AuthorizationResponse;
/** Builds the token request (authorization_code + PKCE verifier); `now` (unix seconds, default the current time) dates a `private_key_jwt` assertion. */
export function buildOidcTokenRequest(provider: ProviderMetadata, client: OidcClient, pending: PendingAuthorization, code: string, now?: number): HttpRequest;
/** Reads the token answer; non-2xx throws `token_endpoint_error` with `details.error`. */
export function parseOidcTokenResponse(status: number, body: string): TokenResponse;
/** Issuer, client id, nonce, max_age and required acr of an authorization. */
export function oidcExpectations(provider: ProviderMetadata, client: OidcClient, pending: PendingAuthorization): IdTokenExpectations;
/** Validates an ID token. `now` defaults to the current unix time. */
export function validateIdToken(idToken: string, jwks: Jwks | string, expectations: IdTokenExpectations, now?: number): VerifiedIdToken;
/** Builds `GET {userinfo_endpoint}` with `Authorization: Bearer {accessToken}`; `invalid_input` when the provider has no `userinfo_endpoint`. */
export function buildOidcUserInfoRequest(provider: ProviderMetadata, accessToken: string): HttpRequest;
/**
 * Reads the UserInfo answer. Throws `sub_mismatch` when `sub` is not `expected.sub`;
 * `malformed_response` for non-JSON, no `sub`, over 64 KiB, or a signed/encrypted
 * (`application/jwt`) answer, which is not supported; `insufficient_user_authentication`
 * (401 with an RFC 9470 challenge: `details.acr_values`, `details.max_age`) or
 * `userinfo_error` (`details.status`, `details.error`) for refusals.
 */
export function parseOidcUserInfoResponse(status: number, headers: Headers | Record<string, string> | [string, string][] | null | undefined, body: string, expected: { sub: string }): OidcUserInfo;
/** Builds `Bearer error="insufficient_user_authentication", ...`. */
export function buildAuthnChallenge(challenge: AuthnChallenge): string;
/** Reads an RFC 9470 challenge from a `WWW-Authenticate` value, a Response or headers. */
export function parseAuthnChallenge(source: string | { headers: unknown } | Headers | Record<string, string> | [string, string][]): AuthnChallenge;

/** Fetches and checks the discovery document. */
export function discoverOidcProvider(issuer: string, options?: { fetch?: FetchLike }): Promise<ProviderMetadata>;
/** Fetches and checks the JWKS. */
export function fetchOidcJwks(provider: ProviderMetadata, options?: { fetch?: FetchLike }): Promise<Jwks>;
/** Fetches the UserInfo claims; `options.sub` is the validated ID token's `sub` (required). */
export function fetchOidcUserInfo(provider: ProviderMetadata, accessToken: string, options: { sub: string; fetch?: FetchLike }): Promise<OidcUserInfo>;
/** Callback -> code exchange -> ID token validation (`at_hash` / `c_hash` checked when present) (refetching a cached JWKS once on `no_matching_key`). */
export function finishOidcAuthorization(args: {
  provider: ProviderMetadata;
  client: OidcClient;
  pending: PendingAuthorization;
  callback: string | URL;
  jwks?: Jwks;
  /** Overrides of the derived expectations (e.g. `clock_skew_s`, `algorithms`). */
  expectations?: Partial<IdTokenExpectations>;
  fetch?: FetchLike;
  now?: number;
}): Promise<{ idToken: VerifiedIdToken; tokens: TokenResponse; jwks: Jwks }>;
