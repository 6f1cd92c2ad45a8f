// The 1Kosmos stand-in's OpenID Connect provider (Mechanisms A and B: 1Kosmos
// behind a redirect), served by the same server as verify-v1, its issuer being
// the stand-in's URL:
//
//   GET  /.well-known/openid-configuration
//   GET  /oauth2/jwks            an ES256 key generated at start (node:crypto)
//   GET  /oauth2/authorize       auto-approves the test users by `login_hint`;
//                                without one, a page with a link per test user
//   POST /oauth2/token           authorization_code: client auth (basic or post,
//                                or private_key_jwt for a client registered with
//                                `clientJwks`: the assertion verified with jose,
//                                ES256 / EdDSA, iss = sub = client_id, aud = the
//                                token endpoint, exp, and its jti used once),
//                                redirect_uri as at /authorize, PKCE S256 verifier;
//                                a code works once; the ID token carries
//                                at_hash and c_hash (SHA-256 left half, ES256)
//   GET  /oauth2/userinfo        Bearer access token from /token: the user's
//                                claims (sub, names, acr, and verified_claims
//                                for the LiveID user, as in the ID token, or only
//                                here with `state.verifiedClaimsAtUserInfoOnly`);
//                                401 `invalid_token` for an unknown or expired
//                                token, and 401 RFC 9470
//                                `insufficient_user_authentication` for a
//                                session without LiveID (pwd@test)
//
// Federation (Mechanism B: 1Kosmos as an external IdP in Descope's OIDC
// federation, examples/descope/federation): scopes `openid profile email`
// release given_name / family_name / email / email_verified in the ID token
// and at UserInfo; `acr_values` asking for `liveID` steps a password session
// up to LiveID (acr `liveID push`, amr with `face`) as the real provider
// does; the discovery document lists claims_supported, grant types and
// response modes, which Descope's custom provider form reads.
//
// Test users (`login_hint`):
//   match@test        signed in with LiveID: acr `liveID push`, verified_claims at IAL2
//   nomatch@test      the face did not match: error=access_denied
//   pwd@test          signed in with a password only: acr `pwd` (a step-up must refuse it)
//
// The client: `client_id` / `client_secret` (and optionally `clientJwks`) from the options (defaults below);
// any loopback `redirect_uri` is accepted at /authorize, and /token wants the
// same one again. The ID token is minted with npm `jose`, an implementation
// independent of the core that validates it.
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, createLocalJWKSet, exportJWK, jwtVerify } from 'jose';
import { apiError, escapeHtml, readBody, sendHtml, sendJson } from './http.mjs';

const USERS = {
  'match@test': { sub: 'usr_match_0001', acr: 'liveID push', amr: ['face', 'mfa'], given_name: 'Test', family_name: 'Match', email: 'match@test' },
  'nomatch@test': { denied: 'the face did not match the enrolled user' },
  'pwd@test': { sub: 'usr_pwd_0001', acr: 'pwd', amr: ['pwd'], given_name: 'Test', family_name: 'Password', email: 'pwd@test' },
};

const CODE_TTL_MS = 60_000;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

const b64url = (buf) => Buffer.from(buf).toString('base64url');
// OIDC Core 3.3.2.11: base64url of the left half of SHA-256 (the hash of ES256).
const halfHash = (value) => createHash('sha256').update(value, 'ascii').digest().subarray(0, 16).toString('base64url');
const verifiedClaimsOf = (user, authTime) => ({
  verification: { trust_framework: 'nist_800_63A', assurance_level: 'IAL2', time: new Date(authTime * 1000).toISOString() },
  claims: { given_name: user.given_name, family_name: user.family_name },
});

function safeEqual(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The provider. `issuer()` must give the stand-in's URL once it listens.
 * `clientJwks`: the client's public keys (`{ keys }` or an array); with them
 * the token endpoint also accepts `private_key_jwt`.
 * @param {{ issuer: () => string, clientId?: string, clientSecret?: string, idTokenTtlS?: number, clientJwks?: object }} options
 */
export function oidcProvider(options) {
  const clientId = options.clientId ?? 'sandbox-oidc-client';
  const clientSecret = options.clientSecret ?? 'sandbox-oidc-client-secret';
  const ttl = options.idTokenTtlS ?? 300;
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = `sandbox-${randomBytes(6).toString('hex')}`;
  const codes = new Map();
  const accessTokens = new Map();
  const clientJwks = options.clientJwks ? { keys: options.clientJwks.keys ?? options.clientJwks } : null;
  const clientKeys = clientJwks ? createLocalJWKSet(clientJwks) : null;
  // jti -> exp (unix seconds) of the client assertions seen: each is accepted once.
  const usedJtis = new Map();
  // `swapNextAccessToken`: tests set it to make the next token answer carry an
  // access token other than the one the ID token's at_hash names.
  // `verifiedClaimsAtUserInfoOnly`: like a provider that releases verified_claims at UserInfo, never in the ID token.
  // `nextUserInfoStatus` / `nextUserInfoSub`: the next UserInfo answer is that error status / about that sub.
  const state = { codes, issued: 0, tokenRequests: [], userinfoRequests: 0, swapNextAccessToken: false, verifiedClaimsAtUserInfoOnly: false };

  const metadata = () => {
    const iss = options.issuer();
    return {
      issuer: iss,
      authorization_endpoint: `${iss}/oauth2/authorize`,
      token_endpoint: `${iss}/oauth2/token`,
      jwks_uri: `${iss}/oauth2/jwks`,
      userinfo_endpoint: `${iss}/oauth2/userinfo`,
      response_types_supported: ['code'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', ...(clientKeys ? ['private_key_jwt'] : [])],
      ...(clientKeys ? { token_endpoint_auth_signing_alg_values_supported: ['ES256', 'EdDSA'] } : {}),
      scopes_supported: ['openid', 'profile', 'email'],
      grant_types_supported: ['authorization_code'],
      response_modes_supported: ['query'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'acr', 'amr', 'given_name', 'family_name', 'email', 'email_verified', 'verified_claims'],
      acr_values_supported: ['liveID push', 'pwd'],
      claims_parameter_supported: true,
      authorization_response_iss_parameter_supported: true,
      verified_claims_supported: true,
      trust_frameworks_supported: ['nist_800_63A'],
    };
  };

  function redirectTo(res, target) {
    res.writeHead(302, { location: target, 'cache-control': 'no-store' });
    res.end();
  }

  function authorize(res, url) {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    let back;
    try {
      back = new URL(redirectUri);
    } catch {
      throw apiError(400, 'invalid_request', '`redirect_uri` is not a URL', 'redirect_uri');
    }
    if (q.get('client_id') !== clientId) throw apiError(400, 'invalid_client', 'unknown `client_id`', 'client_id');
    if (back.protocol !== 'https:' && !(back.protocol === 'http:' && LOOPBACK.has(back.hostname))) {
      throw apiError(400, 'invalid_request', '`redirect_uri` must be https or loopback', 'redirect_uri');
    }
    // From here on, problems go back to the client as `error=`.
    const answer = (params) => {
      const out = new URL(back);
      for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) out.searchParams.set(k, v);
      out.searchParams.set('iss', options.issuer());
      redirectTo(res, out.href);
    };
    const st = q.get('state') ?? undefined;
    if (q.get('response_type') !== 'code') return answer({ error: 'unsupported_response_type', state: st });
    if (!(q.get('scope') ?? '').split(' ').includes('openid')) return answer({ error: 'invalid_scope', error_description: 'openid is required', state: st });
    if (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(q.get('code_challenge') ?? '')) {
      return answer({ error: 'invalid_request', error_description: 'PKCE S256 is required', state: st });
    }
    const hint = q.get('login_hint');
    if (!hint) return choosePage(res, url);
    const user = USERS[hint];
    if (!user) return answer({ error: 'login_required', error_description: 'unknown test user', state: st });
    if (user.denied) return answer({ error: 'access_denied', error_description: user.denied, state: st });
    const code = b64url(randomBytes(24));
    // acr_values asking for LiveID: the provider steps a password session up (the person does LiveID).
    const acrValues = (q.get('acr_values') ?? '').split(' ').filter(Boolean);
    const steppedUp = acrValues.includes('liveID') && user.acr !== 'liveID push'
      ? { ...user, acr: 'liveID push', amr: [...user.amr, 'face', 'mfa'] }
      : user;
    codes.set(code, {
      user: steppedUp,
      scopes: (q.get('scope') ?? '').split(' ').filter(Boolean),
      redirectUri,
      challenge: q.get('code_challenge'),
      nonce: q.get('nonce') ?? undefined,
      authTime: Math.floor(Date.now() / 1000),
      wantsVerifiedClaims: (q.get('claims') ?? '').includes('verified_claims'),
      expires: Date.now() + CODE_TTL_MS,
    });
    return answer({ code, state: st });
  }

  function choosePage(res, url) {
    const links = Object.keys(USERS).map((u) => {
      const next = new URL(url);
      next.searchParams.set('login_hint', u);
      return `<li><a href="${escapeHtml(next.pathname + next.search)}">${escapeHtml(u)}</a></li>`;
    }).join('');
    sendHtml(res, 200, `<!doctype html><meta charset="utf-8"><title>1Kosmos stand-in: sign in</title><h1>1Kosmos stand-in: sign in with LiveID</h1><p>Pick a test user:</p><ul>${links}</ul>`);
  }

  function tokenError(res, status, error, description) {
    sendJson(res, status, { error, error_description: description }, { 'cache-control': 'no-store' });
  }

  /** RFC 7523 client authentication; returns why it failed, or null. */
  async function checkAssertion(form) {
    if (!clientKeys) return 'private_key_jwt is not registered for this client';
    if (form.get('client_assertion_type') !== JWT_BEARER) return 'unsupported client_assertion_type';
    if (form.has('client_id') && form.get('client_id') !== clientId) return 'client_id differs from the assertion';
    let payload;
    try {
      ({ payload } = await jwtVerify(form.get('client_assertion') ?? '', clientKeys, {
        algorithms: ['ES256', 'EdDSA', 'Ed25519'],
        issuer: clientId,
        subject: clientId,
        audience: `${options.issuer()}/oauth2/token`,
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (e) {
      return `the client assertion was refused (${e.code ?? 'invalid'})`;
    }
    const now = Math.floor(Date.now() / 1000);
    for (const [jti, exp] of usedJtis) if (exp < now) usedJtis.delete(jti);
    if (typeof payload.jti !== 'string' || usedJtis.has(payload.jti)) return 'the client assertion jti was already used';
    usedJtis.set(payload.jti, payload.exp);
    return null;
  }

  async function token(req, res) {
    const form = new URLSearchParams(await readBody(req, 64 * 1024));
    const jwtAuth = form.has('client_assertion') || form.has('client_assertion_type');
    state.tokenRequests.push({ grant_type: form.get('grant_type'), auth: jwtAuth ? 'private_key_jwt' : req.headers.authorization ? 'basic' : 'post' });
    let id;
    let secret;
    const auth = req.headers.authorization ?? '';
    if (jwtAuth) {
      const refused = auth ? 'use one client authentication method only' : await checkAssertion(form);
      if (refused) return tokenError(res, 401, 'invalid_client', refused);
      id = clientId;
    } else if (auth.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    } else {
      id = form.get('client_id');
      secret = form.get('client_secret');
    }
    if (!jwtAuth && (id !== clientId || secret === null || !safeEqual(secret, clientSecret))) return tokenError(res, 401, 'invalid_client', 'client authentication failed');
    if (form.get('grant_type') !== 'authorization_code') return tokenError(res, 400, 'unsupported_grant_type', 'authorization_code only');
    const code = form.get('code') ?? '';
    const grant = codes.get(code);
    // A code is used once, even when the exchange fails.
    codes.delete(code);
    if (!grant || grant.expires < Date.now()) return tokenError(res, 400, 'invalid_grant', 'the code is unknown, used or expired');
    if (form.get('redirect_uri') !== grant.redirectUri) return tokenError(res, 400, 'invalid_grant', 'redirect_uri differs from the authorization request');
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || !safeEqual(challenge, grant.challenge)) {
      return tokenError(res, 400, 'invalid_grant', 'the PKCE code_verifier does not match');
    }
    const { user } = grant;
    const accessToken = b64url(randomBytes(24));
    const claims = { acr: user.acr, amr: user.amr, auth_time: grant.authTime, at_hash: halfHash(accessToken), c_hash: halfHash(code) };
    if (grant.nonce !== undefined) claims.nonce = grant.nonce;
    if (grant.scopes.includes('profile')) Object.assign(claims, { given_name: user.given_name, family_name: user.family_name });
    if (grant.scopes.includes('email')) Object.assign(claims, { email: user.email, email_verified: true });
    if (grant.wantsVerifiedClaims && user.acr === 'liveID push' && !state.verifiedClaimsAtUserInfoOnly) claims.verified_claims = verifiedClaimsOf(user, grant.authTime);
    accessTokens.set(accessToken, { user, scopes: grant.scopes, authTime: grant.authTime, expires: Date.now() + ttl * 1000 });
    const swapped = state.swapNextAccessToken;
    state.swapNextAccessToken = false;
    const idToken = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(options.issuer())
      .setAudience(clientId)
      .setSubject(user.sub)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(privateKey);
    state.issued += 1;
    sendJson(res, 200, {
      access_token: swapped ? b64url(randomBytes(24)) : accessToken,
      token_type: 'Bearer',
      expires_in: ttl,
      id_token: idToken,
    }, { 'cache-control': 'no-store' });
  }

  function userinfo(req, res) {
    state.userinfoRequests += 1;
    // Test switches, each used once: an outage, or an answer about someone else.
    const status = state.nextUserInfoStatus;
    const otherSub = state.nextUserInfoSub;
    state.nextUserInfoStatus = undefined;
    state.nextUserInfoSub = undefined;
    if (status) return sendJson(res, status, { error: 'temporarily_unavailable' }, { 'cache-control': 'no-store' });
    const auth = req.headers.authorization ?? '';
    const session = auth.startsWith('Bearer ') ? accessTokens.get(auth.slice(7)) : undefined;
    const refuse = (challenge) => {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="1kosmos-stand-in", ${challenge}`, 'cache-control': 'no-store' });
      res.end();
    };
    if (!session || session.expires < Date.now()) {
      return refuse('error="invalid_token", error_description="the access token is unknown or expired"');
    }
    const { user, authTime, scopes } = session;
    // Claims are released to LiveID sessions only: a password session is asked to step up.
    if (user.acr !== 'liveID push') {
      return refuse('error="insufficient_user_authentication", error_description="a LiveID step-up is required", acr_values="liveID push", max_age=300');
    }
    sendJson(res, 200, {
      sub: otherSub ?? user.sub,
      given_name: user.given_name,
      family_name: user.family_name,
      acr: user.acr,
      ...(scopes.includes('email') ? { email: user.email, email_verified: true } : {}),
      verified_claims: verifiedClaimsOf(user, authTime),
    }, { 'cache-control': 'no-store' });
  }

  return {
    clientId,
    clientSecret,
    state,
    /** Handles the provider's paths; returns false for any other path. */
    async handle(req, res, url) {
      const path = url.pathname;
      if (req.method === 'GET' && path === '/.well-known/openid-configuration') return sendJson(res, 200, metadata()), true;
      if (req.method === 'GET' && path === '/oauth2/jwks') {
        const jwk = await exportJWK(publicKey);
        return sendJson(res, 200, { keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] }), true;
      }
      if (req.method === 'GET' && path === '/oauth2/authorize') return authorize(res, url), true;
      if (req.method === 'POST' && path === '/oauth2/token') return await token(req, res), true;
      if (req.method === 'GET' && path === '/oauth2/userinfo') return userinfo(req, res), true;
      return false;
    },
  };
}
