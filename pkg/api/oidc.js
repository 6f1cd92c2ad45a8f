// OpenID Connect federation (1Kosmos as the provider) and RFC 9470 step-up
// challenges. The pure functions call the core; the async helpers send the
// requests the core builds through a `fetch` the caller may inject.
import { call, headerPairs } from '../core.js';
import { KosmosError } from '../errors.js';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Builds `GET {issuer}/.well-known/openid-configuration`. */
export function buildOidcDiscoveryRequest(issuer) {
  return call((g) => g.buildOidcDiscoveryRequest(issuer));
}

/** Reads a discovery document; its `issuer` must equal `issuer` exactly. */
export function parseOidcDiscovery(status, body, issuer) {
  return call((g) => g.parseOidcDiscovery(status, body, issuer));
}

/** Builds `GET {jwks_uri}`. */
export function buildOidcJwksRequest(provider) {
  return call((g) => g.buildOidcJwksRequest(provider));
}

/** Reads a JWKS answer; returns the checked `{ keys }` to cache. */
export function parseOidcJwks(status, body) {
  return call((g) => g.parseOidcJwks(status, body));
}

/**
 * Starts an authorization: `{ url, pending }`. Redirect the browser to `url`;
 * keep `pending` (it holds the PKCE verifier) tamper-proof and out of the URL.
 */
export function buildOidcAuthorization(provider, client, request) {
  return call((g) => g.buildOidcAuthorization(provider, client, request ?? null));
}

/** Reads the callback (URL, query string or form_post body): `{ code, iss? }`. */
export function parseOidcCallback(callback, provider, pending) {
  return call((g) => g.parseOidcCallback(String(callback), provider, pending));
}

/**
 * Builds the token request exchanging `code` with the PKCE verifier. With
 * `private_key_jwt` it carries a fresh client assertion signed at `now`.
 * @param {number} [now] unix seconds; defaults to the current time
 */
export function buildOidcTokenRequest(provider, client, pending, code, now = nowSeconds()) {
  return call((g) => g.buildOidcTokenRequest(provider, client, pending, code, now));
}

/** Reads the token endpoint's answer: `{ access_token, token_type, id_token, ... }`. */
export function parseOidcTokenResponse(status, body) {
  return call((g) => g.parseOidcTokenResponse(status, body));
}

/** The ID token expectations that follow from an authorization this client started. */
export function oidcExpectations(provider, client, pending) {
  return call((g) => g.oidcExpectations(provider, client, pending));
}

/**
 * Validates an ID token (RS256, ES256, EdDSA) against a JWKS and expectations.
 * @param {number} [now] unix seconds; defaults to the current time
 */
export function validateIdToken(idToken, jwks, expectations, now = nowSeconds()) {
  return call((g) => g.validateIdToken(idToken, jwks, expectations, now));
}

function expectedSub(expected) {
  const sub = expected && typeof expected === 'object' ? expected.sub : undefined;
  if (typeof sub !== 'string' || sub === '') {
    throw new KosmosError('invalid_argument', "`sub` (the id token's `sub`) is required", { field: 'sub' });
  }
  return sub;
}

/** Builds `GET {userinfo_endpoint}` with `Authorization: Bearer {accessToken}`. */
export function buildOidcUserInfoRequest(provider, accessToken) {
  return call((g) => g.buildOidcUserInfoRequest(provider, String(accessToken ?? '')));
}

/**
 * Reads the UserInfo answer: `{ sub, verified_claims?, claims }`. `expected.sub`
 * (the validated ID token's `sub`, or pass the ID token itself) is required:
 * an answer about another subject throws `sub_mismatch`. A 401 carrying an
 * RFC 9470 challenge throws `insufficient_user_authentication` with
 * `details.acr_values` / `details.max_age`; other refusals `userinfo_error`.
 */
export function parseOidcUserInfoResponse(status, headers, body, expected) {
  const sub = expectedSub(expected);
  return call((g) => g.parseOidcUserInfoResponse(status, headerPairs(headers), String(body ?? ''), sub));
}

/** Builds an RFC 9470 `WWW-Authenticate` value for a 401 asking for a fresh step-up. */
export function buildAuthnChallenge(challenge) {
  return call((g) => g.buildAuthnChallenge(challenge));
}

/**
 * Reads the step-up challenge of a 401: pass the `WWW-Authenticate` value, or
 * a Response, Headers, header object or pairs (several `WWW-Authenticate`
 * lines are joined). Throws `not_a_step_up_challenge` when there is none.
 */
export function parseAuthnChallenge(source) {
  let value = source;
  if (source && typeof source === 'object') {
    const headers = source.headers && typeof source.headers === 'object' ? source.headers : source;
    value = headerPairs(headers)
      .filter(([name]) => name.toLowerCase() === 'www-authenticate')
      .map(([, v]) => v)
      .join(', ');
  }
  return call((g) => g.parseAuthnChallenge(String(value ?? '')));
}

/** Sends a core-built request with `fetch`; returns `{ status, headers, body }`. */
async function send(request, fetchImpl) {
  const doFetch = fetchImpl ?? globalThis.fetch;
  if (typeof doFetch !== 'function') {
    throw new KosmosError('invalid_argument', 'no `fetch` is available: pass `options.fetch`', { field: 'fetch' });
  }
  let res;
  try {
    res = await doFetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
    });
  } catch (e) {
    throw new KosmosError('upstream_unavailable', `the request to \`${request.url}\` failed: ${e && e.message}`, { cause: e });
  }
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** Fetches and checks the provider's discovery document. */
export async function discoverOidcProvider(issuer, options = {}) {
  const { status, body } = await send(buildOidcDiscoveryRequest(issuer), options.fetch);
  return parseOidcDiscovery(status, body, issuer);
}

/** Fetches and checks the provider's JWKS. */
export async function fetchOidcJwks(provider, options = {}) {
  const { status, body } = await send(buildOidcJwksRequest(provider), options.fetch);
  return parseOidcJwks(status, body);
}

/**
 * Fetches the UserInfo claims with the access token; `options.sub` is the
 * validated ID token's `sub` (required, see `parseOidcUserInfoResponse`).
 */
export async function fetchOidcUserInfo(provider, accessToken, options = {}) {
  // `sub` is checked before the access token is sent anywhere.
  const expected = { sub: expectedSub(options) };
  const { status, headers, body } = await send(buildOidcUserInfoRequest(provider, accessToken), options.fetch);
  return parseOidcUserInfoResponse(status, headers, body, expected);
}

/**
 * Finishes an authorization: reads the callback, exchanges the code, and
 * validates the ID token (with `at_hash` / `c_hash` checked against the
 * access token and code when the token carries them). When the cached `jwks` has no key for the token
 * (`no_matching_key`, e.g. after a key rotation) it is fetched again once.
 * Returns `{ idToken, tokens, jwks }`; cache `jwks` for the next calls.
 *
 * @param {{ provider: object, client: object, pending: object, callback: string | URL,
 *   jwks?: object, expectations?: object, fetch?: typeof fetch, now?: number }} args
 */
export async function finishOidcAuthorization(args) {
  const { provider, client, pending, fetch: fetchImpl } = args;
  const { code } = parseOidcCallback(args.callback, provider, pending);
  const now = args.now ?? nowSeconds();
  const exchange = await send(buildOidcTokenRequest(provider, client, pending, code, now), fetchImpl);
  const tokens = parseOidcTokenResponse(exchange.status, exchange.body);
  const expectations = {
    ...oidcExpectations(provider, client, pending),
    access_token: tokens.access_token,
    code,
    ...(args.expectations ?? {}),
  };
  let jwks = args.jwks ?? (await fetchOidcJwks(provider, { fetch: fetchImpl }));
  let idToken;
  try {
    idToken = validateIdToken(tokens.id_token, jwks, expectations, now);
  } catch (e) {
    if (!(e instanceof KosmosError && e.code === 'no_matching_key' && args.jwks)) throw e;
    jwks = await fetchOidcJwks(provider, { fetch: fetchImpl });
    idToken = validateIdToken(tokens.id_token, jwks, expectations, now);
  }
  return { idToken, tokens, jwks };
}
