// Redirect-based step-up through OpenID Connect (1Kosmos as the provider),
// the alternative to the challenge API:
//
//   GET /v1/oidc/start?return_to=/done&acr=liveID%20push&max_age=300&login_hint=...
//     builds the authorization in the core (PKCE S256, state, nonce, essential
//     acr in the `claims` parameter), keeps what the callback needs (state,
//     nonce, the PKCE verifier) in a short-lived encrypted cookie, never in the
//     URL, and answers 302 to the provider.
//   GET /v1/oidc/callback?code=...&state=...&iss=...
//     checks and clears the cookie, refuses a second use of the same state,
//     exchanges the code and validates the ID token in the core, and answers
//     JSON `{ status: "verified", sub, acr, amr, auth_time, verified_claims, return_to }`.
//     When `return_to` is a path on this Worker, the answer is instead 303 to
//     that path, and the same JSON (or the error) waits, sealed in the cookie
//     `kosmos_oidc_result` (Max-Age RESULT_TTL_S), for one read at
//   GET /v1/oidc/result
//     which answers what the callback would have answered (status and body)
//     and clears it. The result never travels in a URL, so a page cannot be
//     handed a forged one.
//
// The cookie is `iv.ciphertext`, both base64url: the JSON state sealed with
// AES-256-GCM (WebCrypto) under a key derived from OIDC_COOKIE_SECRET by
// HKDF-SHA256 (info `kosmos-oidc-cookie-v2`), with the cookie's name and path
// as additional data. The browser holds it but can neither read the PKCE
// verifier and nonce nor change anything without the open failing. HttpOnly,
// SameSite=Lax (the provider's redirect back is a top-level GET), Secure except
// on loopback, Path=/v1/oidc, Max-Age OIDC_COOKIE_TTL_S (default 600).
import { KosmosError, buildOidcAuthorization, codeInfo, discoverOidcProvider, fetchOidcUserInfo, finishOidcAuthorization, parseOidcCallback } from '../../../pkg/workerd.js';
import { config } from './config.js';
import { HttpError, json } from './errors.js';
import { browserCaller, rateLimit } from './limits.js';
import { shardFor } from './replay.js';

const COOKIE = 'kosmos_oidc';
const RESULT_COOKIE = 'kosmos_oidc_result';
const COOKIE_PATH = '/v1/oidc';
/** How long a result waits for the page at `return_to` to read it, in seconds. */
const RESULT_TTL_S = 120;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const nowS = () => Math.floor(Date.now() / 1000);

// --- base64url and the sealed cookie ------------------------------------------

function b64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromB64url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const bin = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

const HKDF_INFO = encoder.encode('kosmos-oidc-cookie-v2');
// The cookie's name and path are the additional data: a state cookie never opens as a result, nor the reverse.
const aad = (name) => encoder.encode(`${name};${COOKIE_PATH}`);
const IV_BYTES = 12;

const keys = new Map();
/** The AES-256-GCM key for `secret` (derived once per secret and isolate). */
function sealKey(secret) {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey'])
      .then((ikm) => crypto.subtle.deriveKey(
        { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: HKDF_INFO },
        ikm,
        { name: 'AES-GCM', length: 256 },
        false,
        ['encrypt', 'decrypt'],
      ));
    keys.clear();
    keys.set(secret, key);
  }
  return key;
}

async function seal(secret, value, name = COOKIE) {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(name) }, await sealKey(secret), encoder.encode(JSON.stringify(value)));
  return `${b64url(iv)}.${b64url(new Uint8Array(sealed))}`;
}

/** The cookie's value when it opens under the key, else undefined. */
async function unseal(secret, text, name = COOKIE) {
  const dot = text.indexOf('.');
  if (dot < 0 || text.length > 4096) return undefined;
  const iv = fromB64url(text.slice(0, dot));
  const sealed = fromB64url(text.slice(dot + 1));
  if (!iv || iv.length !== IV_BYTES || !sealed) return undefined;
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: aad(name) }, await sealKey(secret), sealed);
    return JSON.parse(decoder.decode(plain));
  } catch {
    return undefined;
  }
}

function readCookie(request, name) {
  const header = request.headers.get('cookie');
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function cookieHeader(request, value, maxAge, name = COOKIE) {
  const secure = LOOPBACK.has(new URL(request.url).hostname) ? '' : '; Secure';
  return `${name}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
}

// --- provider, client, return_to ------------------------------------------------

const providers = new Map();
const jwksCache = new Map();

/** `fetch` for the core's OIDC helpers, with the upstream timeout. */
function fetcher(env) {
  const timeoutMs = config(env).upstreamTimeoutMs();
  return (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}

/** The provider metadata: OIDC_PROVIDER when set, else discovered once per isolate. */
async function provider(env) {
  const cfg = config(env).oidc();
  if (cfg.provider) return { issuer: cfg.issuer, ...cfg.provider };
  let p = providers.get(cfg.issuer);
  if (!p) {
    p = discoverOidcProvider(cfg.issuer, { fetch: fetcher(env) });
    providers.set(cfg.issuer, p);
    // A failed discovery is not kept.
    p.catch(() => providers.delete(cfg.issuer));
  }
  return p;
}

function client(request, env) {
  const c = config(env);
  const cfg = c.oidc();
  const base = (c.publicUrl() ?? new URL(request.url).origin).replace(/\/+$/, '');
  return {
    client_id: cfg.clientId,
    ...(cfg.privateJwk ? { private_jwk: cfg.privateJwk } : { client_secret: cfg.clientSecret }),
    redirect_uri: cfg.redirectUri ?? `${base}/v1/oidc/callback`,
    token_endpoint_auth_method: cfg.tokenAuthMethod,
  };
}

/**
 * `return_to`: a path on this Worker (kept as the normalized path, query and
 * fragment; the callback redirects there), or a URL on this Worker's origin or
 * an ALLOWED_ORIGINS origin (kept as given; the callback answers JSON naming it).
 * Control characters and backslashes are refused outright: browsers drop or
 * reinterpret them, which is how `/\t/evil.example` becomes `//evil.example`.
 */
function returnTo(request, env, value) {
  if (value === null || value === '') return undefined;
  const bad = () => new HttpError(400, 'invalid_input', '`return_to` must be a path here or a URL on an allowed origin', { field: 'return_to' });
  if (value.length > 2048 || /[\u0000-\u001f\u007f\\]/.test(value)) throw bad();
  const own = new URL(request.url).origin;
  let u;
  try {
    u = value.startsWith('/') ? new URL(value, own) : new URL(value);
  } catch {
    throw bad();
  }
  if (value.startsWith('/')) {
    const path = `${u.pathname}${u.search}${u.hash}`;
    // `/.//evil.example` normalizes to `//evil.example`: another host to a browser.
    if (u.origin !== own || !isLocalPath(path)) throw bad();
    return path;
  }
  if (u.origin !== own && !config(env).allowedOrigins().has(u.origin)) throw bad();
  return u.href;
}

/** A same-origin path a Location header may name: one leading slash, nothing a browser reads as another host. */
function isLocalPath(path) {
  return typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') && !/[\u0000-\u001f\u007f\\]/.test(path);
}

// --- errors -----------------------------------------------------------------------

// ID token (and JWKS key) refusals are the core's `not_authentic` codes (src/codes.rs).

/** Turns an OIDC failure into the Worker's answer. */
function fromOidc(e) {
  if (e instanceof HttpError) return e;
  if (!(e instanceof KosmosError)) return new HttpError(502, 'provider_unreachable', 'the identity provider could not be reached');
  const d = e.details ?? {};
  switch (e.code) {
    case 'authorization_error':
      if (d.error === 'access_denied') return new HttpError(403, 'access_denied', 'the identity provider denied the step-up');
      return new HttpError(400, 'authorization_error', `the identity provider answered \`${String(d.error).slice(0, 64)}\``);
    case 'state_mismatch':
      return new HttpError(400, 'state_mismatch', 'the callback `state` is not the one this browser started with');
    case 'missing_parameter':
      return new HttpError(400, 'invalid_callback', e.message, { field: e.field });
    case 'token_endpoint_error':
      if (d.retryable) return new HttpError(503, 'provider_unavailable', 'the identity provider\'s token endpoint is unavailable; retry the step-up');
      return new HttpError(502, 'token_exchange_failed', `the identity provider refused the code exchange (\`${String(d.error).slice(0, 64)}\`)`);
    case 'upstream_unavailable':
    case 'unexpected_status':
      return new HttpError(503, 'provider_unavailable', 'the identity provider is unavailable; retry the step-up');
    case 'malformed_response':
      return new HttpError(502, 'provider_malformed', `the identity provider sent an answer the worker cannot read: ${e.message}`);
    case 'sub_mismatch':
      return new HttpError(502, 'provider_malformed', 'the identity provider\'s UserInfo answer is about another user');
    case 'userinfo_error':
      if (d.retryable) return new HttpError(503, 'provider_unavailable', 'the identity provider\'s UserInfo endpoint is unavailable; retry the step-up');
      return new HttpError(502, 'userinfo_failed', `the identity provider refused the UserInfo request (http ${Number(d.status) || 0})`);
    case 'insufficient_user_authentication':
      return new HttpError(401, 'insufficient_user_authentication', 'the identity provider wants a stronger sign-in before it releases the claims');
    case 'invalid_input':
    case 'invalid_argument':
      // The client's private key is the Worker's configuration, not the caller's input
      // (the core's message names the member, never the key material).
      if (String(e.field ?? '').startsWith('client.private_jwk')) {
        return new HttpError(500, 'misconfigured', `the worker setting \`OIDC_CLIENT_PRIVATE_JWK\` is not a usable key: ${e.message}`);
      }
      return new HttpError(400, e.code, e.message, { field: e.field });
    default:
      if (codeInfo(e.code)?.class === 'not_authentic') return new HttpError(codeInfo(e.code).http_status, e.code, `the ID token was refused: ${e.message}`);
      return new HttpError(500, 'internal', 'the step-up could not be completed');
  }
}

// --- routes -----------------------------------------------------------------------

function numberParam(q, name) {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new HttpError(400, 'invalid_input', `\`${name}\` must be a whole number of seconds`, { field: name });
  return Number(v);
}

/** GET /v1/oidc/start */
export async function start(request, env) {
  const cfg = config(env).oidc();
  const q = new URL(request.url).searchParams;
  const acr = q.get('acr');
  const req = {
    essential_acr: acr === null || acr === '' ? cfg.acr : acr.split(',').map((a) => a.trim()).filter(Boolean),
  };
  if (cfg.scope.length) req.scope = cfg.scope;
  if (cfg.verifiedClaims.length) req.verified_claims = { claims: cfg.verifiedClaims };
  const maxAge = numberParam(q, 'max_age') ?? cfg.maxAgeS;
  if (maxAge !== undefined) req.max_age = maxAge;
  const hint = q.get('login_hint');
  if (hint !== null && hint !== '') req.login_hint = hint;
  const back = returnTo(request, env, q.get('return_to'));
  // Each start seals state and sends a browser to the provider: counted per client address (limits.js).
  await rateLimit(env, 'oidc_start', browserCaller(request));
  let auth;
  try {
    auth = buildOidcAuthorization(await provider(env), client(request, env), req);
  } catch (e) {
    throw fromOidc(e);
  }
  const value = await seal(cfg.cookieSecret, { pending: auth.pending, return_to: back, exp: nowS() + cfg.cookieTtlS });
  return new Response(null, {
    status: 302,
    headers: { location: auth.url, 'set-cookie': cookieHeader(request, value, cfg.cookieTtlS), 'cache-control': 'no-store' },
  });
}

/** GET /v1/oidc/callback */
export async function callback(request, env) {
  const cfg = config(env).oidc();
  const headers = new Headers({ 'cache-control': 'no-store' });
  headers.append('set-cookie', cookieHeader(request, '', 0));
  let saved;
  let status;
  let body;
  try {
    saved = await openState(request, cfg);
    body = await finish(request, env, saved);
    status = 200;
  } catch (e) {
    const err = fromOidc(e);
    if (!isLocalPath(saved?.return_to)) {
      err.headers = { ...err.headers, 'set-cookie': headers.get('set-cookie') };
      throw err;
    }
    status = err.status;
    body = { error: { code: err.code, message: err.message, ...(err.field === undefined ? {} : { field: err.field }) } };
  }
  if (!isLocalPath(saved.return_to)) return json(body, status, { 'set-cookie': headers.get('set-cookie') });
  // Back to the page that started, with the answer waiting for it in a sealed cookie.
  const result = await seal(cfg.cookieSecret, { status, body, exp: nowS() + RESULT_TTL_S }, RESULT_COOKIE);
  headers.append('set-cookie', cookieHeader(request, result, RESULT_TTL_S, RESULT_COOKIE));
  headers.set('location', saved.return_to);
  return new Response(null, { status: 303, headers });
}

/** GET /v1/oidc/result: the answer of the last callback that redirected, once. */
export async function result(request, env) {
  const cfg = config(env).oidc();
  const clear = { 'set-cookie': cookieHeader(request, '', 0, RESULT_COOKIE) };
  const raw = readCookie(request, RESULT_COOKIE);
  const saved = raw ? await unseal(cfg.cookieSecret, raw, RESULT_COOKIE) : undefined;
  if (!saved || typeof saved.status !== 'number' || typeof saved.body !== 'object' || saved.body === null
    || typeof saved.exp !== 'number' || saved.exp < nowS()) {
    throw new HttpError(404, 'no_result', 'no step-up result is waiting in this browser: start one at /v1/oidc/start', { headers: clear });
  }
  return json(saved.body, saved.status, clear);
}

/** Opens the state cookie; throws when it is missing or does not open (its age is checked by `finish`). */
async function openState(request, cfg) {
  const raw = readCookie(request, COOKIE);
  if (raw === undefined || raw === '') {
    throw new HttpError(400, 'missing_state_cookie', 'no step-up is in progress in this browser (the cookie is missing): start again at /v1/oidc/start');
  }
  const saved = await unseal(cfg.cookieSecret, raw);
  if (!saved || typeof saved.pending !== 'object' || saved.pending === null || typeof saved.exp !== 'number') {
    throw new HttpError(400, 'invalid_state_cookie', 'the step-up cookie is not valid: start again at /v1/oidc/start');
  }
  // Expired: still a cookie this Worker sealed, so the error can go back to `return_to`.
  return saved;
}

async function finish(request, env, saved) {
  const c = config(env);
  const cfg = c.oidc();
  if (saved.exp < nowS()) throw new HttpError(400, 'state_expired', 'the step-up took too long: start again at /v1/oidc/start');
  const p = await provider(env);
  const cl = client(request, env);
  // State, `iss` and `error` first, so that a forged callback does not use up the real one.
  parseOidcCallback(request.url, p, saved.pending);
  const fresh = await shardFor(c.replay(), c.replayShards(), `oidc:${saved.pending.state}`)
    .useOnce(`oidc:${saved.pending.state}`, (cfg.cookieTtlS + 60) * 1000);
  if (!fresh) throw new HttpError(409, 'callback_replayed', 'this callback was already used: start again at /v1/oidc/start');
  const done = await finishOidcAuthorization({
    provider: p,
    client: cl,
    pending: saved.pending,
    callback: request.url,
    jwks: jwksCache.get(p.issuer),
    fetch: fetcher(env),
  });
  jwksCache.set(p.issuer, done.jwks);
  const t = done.idToken;
  let verified = t.verified_claims ?? null;
  // Verified claims were asked for but the ID token has none: a provider may
  // release them at UserInfo only (OpenID Connect for Identity Assurance
  // allows either). Ask there, with the sub the ID token proved.
  if (verified === null && cfg.verifiedClaims.length && p.userinfo_endpoint && done.tokens.access_token) {
    const info = await fetchOidcUserInfo(p, done.tokens.access_token, { sub: t.sub, fetch: fetcher(env) });
    verified = info.verified_claims ?? null;
  }
  const out = {
    status: 'verified',
    sub: t.sub,
    acr: t.acr ?? null,
    amr: t.amr ?? null,
    auth_time: t.auth_time ?? null,
    verified_claims: verified,
  };
  if (saved.return_to !== undefined) out.return_to = saved.return_to;
  return out;
}
