// The redirect step-up (OpenID Connect) through the real Worker in workerd,
// against the 1Kosmos stand-in as the provider (ID tokens minted with npm
// jose). The redirects are followed by hand, carrying the cookie as a
// browser would.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';

// A client key registered at the stand-in, for private_key_jwt (the stand-in
// still takes the client secret too, for the other tests).
const clientKey = await generateKeyPair('ES256', { extractable: true });
const clientJwk = { ...(await exportJWK(clientKey.privateKey)), kid: 'worker-es' };
const kosmos = await startKosmos({ oidcClientJwks: { keys: [{ ...(await exportJWK(clientKey.publicKey)), kid: 'worker-es', alg: 'ES256' }] } });
const salesforce = await startSalesforce();
const ALLOWED = 'https://acme.lightning.force.com';
const vars = sandboxVars(kosmos, salesforce, { ALLOWED_ORIGINS: ALLOWED });
const worker = await startWorker({ vars, assets: false, queue: false });

after(async () => {
  await Promise.allSettled([worker.close(), kosmos.close(), salesforce.close()]);
});

const get = (url, cookie) => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

/** Start -> the provider's authorize -> the callback URL, with the cookie the Worker set. */
async function toCallback(query, w = worker) {
  const start = await get(`${w.url}/v1/oidc/start?${query}`);
  assert.equal(start.status, 302, await start.clone().text());
  const setCookie = start.headers.get('set-cookie');
  assert.ok(setCookie, 'the start sets the state cookie');
  const cookie = setCookie.split(';')[0];
  const authorizeUrl = start.headers.get('location');
  assert.ok(authorizeUrl.startsWith(`${kosmos.url}/oauth2/authorize?`), authorizeUrl);
  const back = await get(authorizeUrl);
  assert.equal(back.status, 302, await back.clone().text());
  const callbackUrl = back.headers.get('location');
  assert.ok(callbackUrl.startsWith(`${w.url}/v1/oidc/callback?`), callbackUrl);
  return { setCookie, cookie, authorizeUrl: new URL(authorizeUrl), callbackUrl };
}

async function answer(res) {
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text), text, setCookie: res.headers.get('set-cookie') };
}

// The cookie's sealing, redone with node:crypto from the documented recipe
// (HKDF-SHA256 -> AES-256-GCM, name and path as additional data), so the
// test opens what the Worker sealed with WebCrypto and can forge with the key.
const cookieKey = (secret) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'kosmos-oidc-cookie-v2', 32));
const AAD = Buffer.from('kosmos_oidc;/v1/oidc');

function cookiePayload(cookie, secret = vars.OIDC_COOKIE_SECRET) {
  const [iv, sealed] = cookie.slice(cookie.indexOf('=') + 1).split('.').map((p) => Buffer.from(p, 'base64url'));
  const d = createDecipheriv('aes-256-gcm', cookieKey(secret), iv).setAAD(AAD);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return JSON.parse(Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]).toString('utf8'));
}

function sealCookie(value, secret = vars.OIDC_COOKIE_SECRET) {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', cookieKey(secret), iv).setAAD(AAD);
  const sealed = Buffer.concat([c.update(JSON.stringify(value)), c.final(), c.getAuthTag()]);
  return `kosmos_oidc=${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

describe('OIDC redirect step-up', () => {
  test('discovery and JWKS of the stand-in', async () => {
    const meta = await (await fetch(`${kosmos.url}/.well-known/openid-configuration`)).json();
    assert.equal(meta.issuer, kosmos.url);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    const jwks = await (await fetch(meta.jwks_uri)).json();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kty, 'EC');
    assert.equal(jwks.keys[0].d, undefined, 'no private part');
  });

  test('match@test: start -> authorize -> callback answers the validated token; the state stays in the cookie', async () => {
    const flow = await toCallback('return_to=/done&login_hint=match@test&max_age=600');
    // The cookie: sealed, HttpOnly, Lax, path-scoped, short-lived, not Secure on loopback.
    assert.match(flow.setCookie, /^kosmos_oidc=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; /);
    assert.match(flow.setCookie, /; HttpOnly/);
    assert.match(flow.setCookie, /; SameSite=Lax/);
    assert.match(flow.setCookie, /; Path=\/v1\/oidc/);
    assert.match(flow.setCookie, /; Max-Age=600/);
    assert.doesNotMatch(flow.setCookie, /Secure/);
    const { pending } = cookiePayload(flow.cookie);
    // Sealed, not just signed: nothing of the state reads out of the cookie.
    const raw = flow.cookie.slice('kosmos_oidc='.length);
    const readable = raw.split('.').map((p) => Buffer.from(p, 'base64url').toString('latin1')).join(' ') + raw;
    for (const secret of [pending.code_verifier, pending.nonce, pending.state]) {
      assert.ok(secret.length >= 16 && !readable.includes(secret) && !readable.includes(Buffer.from(secret).toString('base64url').slice(4, 20)), 'state, nonce and verifier do not show in the cookie');
    }
    // The authorization request: PKCE S256, state, nonce, essential acr; the verifier never in a URL.
    const q = flow.authorizeUrl.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.equal(q.get('state'), pending.state);
    assert.equal(q.get('nonce'), pending.nonce);
    assert.equal(q.get('max_age'), '600');
    assert.match(q.get('claims'), /liveID push/);
    for (const url of [flow.authorizeUrl.href, flow.callbackUrl]) assert.ok(!url.includes(pending.code_verifier), 'the PKCE verifier is not in a URL');
    const userinfoBefore = kosmos.oidc.state.userinfoRequests;
    // `return_to` is a path here: the callback sends the browser back there (303) and
    // keeps the answer in a sealed result cookie for one read at /v1/oidc/result.
    const back = await get(flow.callbackUrl, flow.cookie);
    assert.equal(back.status, 303, await back.clone().text());
    assert.equal(back.headers.get('location'), '/done');
    const cookies = back.headers.getSetCookie();
    assert.ok(cookies.some((c) => /^kosmos_oidc=; .*Max-Age=0/.test(c)), 'the state cookie is cleared');
    const resultCookie = cookies.find((c) => c.startsWith('kosmos_oidc_result='));
    assert.match(resultCookie, /; Path=\/v1\/oidc; Max-Age=120; HttpOnly; SameSite=Lax/);
    assert.ok(!resultCookie.includes('usr_match_0001') && !resultCookie.includes('Match'), 'the result is sealed, not readable');
    const r = await answer(await get(`${worker.url}/v1/oidc/result`, resultCookie.split(';')[0]));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.status, 'verified');
    assert.equal(r.json.sub, 'usr_match_0001');
    assert.equal(kosmos.oidc.state.userinfoRequests, userinfoBefore, 'the ID token had the verified claims: no UserInfo call');
    assert.equal(r.json.acr, 'liveID push');
    assert.ok(Number.isInteger(r.json.auth_time) && Math.abs(r.json.auth_time - Date.now() / 1000) < 60);
    assert.equal(r.json.return_to, '/done');
    const claimSet = Array.isArray(r.json.verified_claims) ? r.json.verified_claims[0] : r.json.verified_claims;
    assert.equal(claimSet.claims.family_name, 'Match');
    assert.match(r.setCookie, /^kosmos_oidc_result=; .*Max-Age=0/, 'the result cookie is cleared once read');
    assert.ok(!r.text.includes(kosmos.oidc.clientSecret));
    const again = await answer(await get(`${worker.url}/v1/oidc/result`));
    assert.equal(again.status, 404);
    assert.equal(again.json.error.code, 'no_result');
  });

  test('return_to on an allowed origin: the callback answers JSON naming it (no redirect off the Worker)', async () => {
    const there = `${ALLOWED}/lightning/r/Opportunity/006/view`;
    const flow = await toCallback(`return_to=${encodeURIComponent(there)}&login_hint=match@test`);
    const r = await answer(await get(flow.callbackUrl, flow.cookie));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.sub, 'usr_match_0001');
    assert.equal(r.json.return_to, there);
    assert.match(r.setCookie, /^kosmos_oidc=; .*Max-Age=0/, 'the cookie is cleared');
  });

  test('a refused step-up with a return_to path goes back to the page too; the result says why', async () => {
    const flow = await toCallback(`return_to=${encodeURIComponent('/?oidc=done#oidc')}&login_hint=nomatch@test`);
    const back = await get(flow.callbackUrl, flow.cookie);
    assert.equal(back.status, 303);
    assert.equal(back.headers.get('location'), '/?oidc=done#oidc');
    const resultCookie = back.headers.getSetCookie().find((c) => c.startsWith('kosmos_oidc_result=')).split(';')[0];
    const r = await answer(await get(`${worker.url}/v1/oidc/result`, resultCookie));
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'access_denied');
    // A result cookie is no state cookie, and a state cookie is no result (the cookie name is sealed in).
    const asState = await answer(await get(flow.callbackUrl, resultCookie.replace('kosmos_oidc_result=', 'kosmos_oidc=')));
    assert.equal(asState.json.error.code, 'invalid_state_cookie');
    const other = await toCallback('return_to=/x&login_hint=match@test');
    const asResult = await answer(await get(`${worker.url}/v1/oidc/result`, other.cookie.replace('kosmos_oidc=', 'kosmos_oidc_result=')));
    assert.equal(asResult.status, 404);
    assert.equal(asResult.json.error.code, 'no_result');
  });

  test('a replayed callback (same URL, the saved cookie) is 409 and no second token is asked for', async () => {
    const flow = await toCallback('login_hint=match@test');
    const first = await answer(await get(flow.callbackUrl, flow.cookie));
    assert.equal(first.status, 200, first.text);
    const issued = kosmos.oidc.state.issued;
    const again = await answer(await get(flow.callbackUrl, flow.cookie));
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json.error.code, 'callback_replayed');
    assert.equal(kosmos.oidc.state.issued, issued);
    const noCookie = await answer(await get(flow.callbackUrl));
    assert.equal(noCookie.status, 400);
    assert.equal(noCookie.json.error.code, 'missing_state_cookie');
  });

  test('state tampering: a forged state, a forged cookie and a state from another browser are refused; the real callback still works', async () => {
    const flow = await toCallback('login_hint=match@test');
    const forged = new URL(flow.callbackUrl);
    forged.searchParams.set('state', `${forged.searchParams.get('state').slice(0, -2)}xx`);
    const wrongState = await answer(await get(forged.href, flow.cookie));
    assert.equal(wrongState.status, 400, wrongState.text);
    assert.equal(wrongState.json.error.code, 'state_mismatch');

    // A cookie sealed under another key, and the real one with one bit flipped: both refused.
    const tamperedPayload = cookiePayload(flow.cookie);
    tamperedPayload.return_to = 'https://evil.example/';
    const forgedCookie = sealCookie(tamperedPayload, 'another-secret-of-at-least-32-characters');
    const [iv, sealed] = flow.cookie.slice('kosmos_oidc='.length).split('.');
    const flipped = Buffer.from(sealed, 'base64url');
    flipped[3] ^= 1;
    for (const bad of [forgedCookie, `kosmos_oidc=${iv}.${flipped.toString('base64url')}`, `kosmos_oidc=${sealed}.${iv}`]) {
      const refused = await answer(await get(flow.callbackUrl, bad));
      assert.equal(refused.status, 400, refused.text);
      assert.equal(refused.json.error.code, 'invalid_state_cookie');
    }

    const other = await toCallback('login_hint=match@test');
    const crossed = await answer(await get(flow.callbackUrl, other.cookie));
    assert.equal(crossed.status, 400);
    assert.equal(crossed.json.error.code, 'state_mismatch');

    // The real state, sealed again by node:crypto under the Worker's key: it
    // opens (the recipe in the Worker's header is the one it runs) and works.
    const real = await answer(await get(flow.callbackUrl, sealCookie(cookiePayload(flow.cookie))));
    assert.equal(real.status, 200, real.text);
    assert.equal(real.json.sub, 'usr_match_0001');
  });

  test('nomatch@test: the provider answers access_denied -> 403', async () => {
    const flow = await toCallback('login_hint=nomatch@test');
    assert.equal(new URL(flow.callbackUrl).searchParams.get('error'), 'access_denied');
    const r = await answer(await get(flow.callbackUrl, flow.cookie));
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.error.code, 'access_denied');
    assert.match(r.setCookie, /Max-Age=0/);
  });

  test('pwd@test signs in without LiveID: the token\'s acr does not satisfy the step-up -> 401', async () => {
    const flow = await toCallback('login_hint=pwd@test');
    const r = await answer(await get(flow.callbackUrl, flow.cookie));
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.error.code, 'acr_not_satisfied');
  });

  test('the token answer carries another access token than the ID token\'s at_hash names -> 401 hash_mismatch', async () => {
    const flow = await toCallback('login_hint=match@test');
    kosmos.oidc.state.swapNextAccessToken = true;
    const r = await answer(await get(flow.callbackUrl, flow.cookie));
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.error.code, 'hash_mismatch');
    assert.match(r.json.error.message, /at_hash/);
    assert.match(r.setCookie, /Max-Age=0/);
  });

  test('a provider that releases verified_claims at UserInfo only: the Worker asks there, for the sub the ID token proved', async () => {
    kosmos.oidc.state.verifiedClaimsAtUserInfoOnly = true;
    try {
      const flow = await toCallback('login_hint=match@test');
      const before = kosmos.oidc.state.userinfoRequests;
      const r = await answer(await get(flow.callbackUrl, flow.cookie));
      assert.equal(r.status, 200, r.text);
      assert.equal(kosmos.oidc.state.userinfoRequests, before + 1, 'one UserInfo call');
      assert.equal(r.json.sub, 'usr_match_0001');
      const claimSet = Array.isArray(r.json.verified_claims) ? r.json.verified_claims[0] : r.json.verified_claims;
      assert.equal(claimSet.claims.family_name, 'Match');
      assert.equal(claimSet.verification.trust_framework !== undefined, true);
    } finally {
      kosmos.oidc.state.verifiedClaimsAtUserInfoOnly = false;
    }
  });

  test('UserInfo failing or answering about another user ends the step-up with a clear answer', async () => {
    kosmos.oidc.state.verifiedClaimsAtUserInfoOnly = true;
    try {
      const cases = [
        [{ nextUserInfoStatus: 503 }, 503, 'provider_unavailable'],
        [{ nextUserInfoStatus: 403 }, 502, 'userinfo_failed'],
        [{ nextUserInfoSub: 'usr_someone_else' }, 502, 'provider_malformed'],
      ];
      for (const [sw, status, code] of cases) {
        const flow = await toCallback('login_hint=match@test');
        Object.assign(kosmos.oidc.state, sw);
        const r = await answer(await get(flow.callbackUrl, flow.cookie));
        assert.equal(r.status, status, `${JSON.stringify(sw)}: ${r.text}`);
        assert.equal(r.json.error.code, code);
        assert.match(r.setCookie, /Max-Age=0/);
        assert.equal(r.json.verified_claims, undefined);
      }
    } finally {
      kosmos.oidc.state.verifiedClaimsAtUserInfoOnly = false;
    }
  });

  test('return_to must stay on the Worker or an allowed origin', async () => {
    for (const bad of ['https://evil.example/', 'https://evil.example', '//evil.example', '//evil.example/x', '/\\evil.example',
      '/\t/evil.example', '/.//evil.example', '/..//evil.example/', 'javascript:alert(1)', 'http:evil.example']) {
      const r = await answer(await get(`${worker.url}/v1/oidc/start?return_to=${encodeURIComponent(bad)}`));
      assert.equal(r.status, 400, bad);
      assert.equal(r.json.error.field, 'return_to', bad);
    }
    // A path is kept normalized: what the browser is sent back to is on this Worker.
    const norm = await toCallback(`return_to=${encodeURIComponent('/a/../b?x=1#f')}&login_hint=match@test`);
    assert.equal((await get(norm.callbackUrl, norm.cookie)).headers.get('location'), '/b?x=1#f');
    const ok = await get(`${worker.url}/v1/oidc/start?return_to=${encodeURIComponent(`${ALLOWED}/lightning/r/Opportunity/006/view`)}`);
    assert.equal(ok.status, 302);
  });

  test('OIDC_TOKEN_AUTH_METHOD=private_key_jwt: the code exchange authenticates with the signed assertion, no client secret', async () => {
    const keyVars = sandboxVars(kosmos, salesforce, {
      OIDC_TOKEN_AUTH_METHOD: 'private_key_jwt',
      OIDC_CLIENT_PRIVATE_JWK: JSON.stringify(clientJwk),
      OIDC_CLIENT_SECRET: '',
    });
    const w = await startWorker({ vars: keyVars, assets: false, queue: false });
    try {
      const flow = await toCallback('login_hint=match@test', w);
      const r = await answer(await get(flow.callbackUrl, flow.cookie));
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.sub, 'usr_match_0001');
      assert.equal(kosmos.oidc.state.tokenRequests.at(-1).auth, 'private_key_jwt');
      assert.ok(!r.text.includes(clientJwk.d));
    } finally {
      await w.close();
    }
    // A key whose public half does not match `d`: 500 misconfigured naming the setting, the key never shown.
    const other = await exportJWK((await generateKeyPair('ES256', { extractable: true })).publicKey);
    const broken = await startWorker({
      vars: { ...keyVars, OIDC_CLIENT_PRIVATE_JWK: JSON.stringify({ ...clientJwk, x: other.x }) },
      assets: false,
      queue: false,
    });
    try {
      const r = await answer(await get(`${broken.url}/v1/oidc/start`));
      assert.equal(r.status, 500, r.text);
      assert.equal(r.json.error.code, 'misconfigured');
      assert.match(r.json.error.message, /OIDC_CLIENT_PRIVATE_JWK/);
      assert.ok(!r.text.includes(clientJwk.d));
    } finally {
      await broken.close();
    }
  });

  test('without the OIDC settings the routes are 500 misconfigured, naming the setting', async () => {
    const w = await startWorker({ vars: sandboxVars(kosmos, salesforce, { OIDC_COOKIE_SECRET: '' }), assets: false, queue: false });
    try {
      const r = await answer(await get(`${w.url}/v1/oidc/start`));
      assert.equal(r.status, 500);
      assert.equal(r.json.error.code, 'misconfigured');
      assert.match(r.json.error.message, /OIDC_COOKIE_SECRET/);
    } finally {
      await w.close();
    }
  });
});

describe('CORS on the routes the Lightning component calls', () => {
  const preflight = (path, origin, method = 'POST') => fetch(`${worker.url}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
  });

  test('an allowed origin gets its own origin back (never *), no credentials', async () => {
    for (const path of ['/v1/descope/step-up', '/v1/descope/step-up-result']) {
      const res = await preflight(path, ALLOWED);
      assert.equal(res.status, 204, path);
      assert.equal(res.headers.get('access-control-allow-origin'), ALLOWED);
      assert.match(res.headers.get('access-control-allow-methods'), /POST/);
      assert.match(res.headers.get('access-control-allow-headers'), /content-type/);
      assert.equal(res.headers.get('access-control-allow-credentials'), null);
      assert.match(res.headers.get('vary'), /Origin/);
    }
    const call = await fetch(`${worker.url}/v1/descope/step-up`, {
      method: 'POST', headers: { origin: ALLOWED, 'content-type': 'application/json' }, body: JSON.stringify({ user_identifier: 'match@test' }),
    });
    assert.equal(call.status, 200, await call.clone().text());
    assert.equal(call.headers.get('access-control-allow-origin'), ALLOWED);
    const err = await fetch(`${worker.url}/v1/descope/step-up-result`, {
      method: 'POST', headers: { origin: ALLOWED, 'content-type': 'application/json' }, body: '{}',
    });
    assert.equal(err.status, 400);
    assert.equal(err.headers.get('access-control-allow-origin'), ALLOWED, 'errors are readable by the component too');
  });

  test('another origin is refused; other routes answer no CORS', async () => {
    const res = await preflight('/v1/descope/step-up', 'https://evil.example');
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, 'origin_not_allowed');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    const call = await fetch(`${worker.url}/v1/descope/step-up`, {
      method: 'POST', headers: { origin: 'https://evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ user_identifier: 'match@test' }),
    });
    assert.equal(call.headers.get('access-control-allow-origin'), null);
    await call.text();
    const risk = await fetch(`${worker.url}/v1/descope/risk`, { method: 'OPTIONS', headers: { origin: ALLOWED } });
    assert.equal(risk.headers.get('access-control-allow-origin'), null);
    await risk.text();
  });
});
