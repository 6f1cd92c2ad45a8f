// OIDC federation and RFC 9470 step-up, in every host. ID tokens come from
// npm jose twice over: the pre-minted vectors (tests/vectors/oidc/), and
// tokens jose mints live in the host itself with the host's WebCrypto.
// No node: imports here; jose's Web API build loads in all three hosts.
import * as jose from '../../../node_modules/jose/dist/webapi/index.js';
import { deepEqual, equal, errorShape, match, ok, throwsCode } from './assert.js';

const ISSUER = 'https://idp.1kosmos.example/oauth2';
const PROVIDER = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/jwks`,
};
const CLIENT = {
  client_id: 'kosmos-connect-demo',
  client_secret: 'cs_SECRET_value:&=',
  redirect_uri: 'https://worker.example/v1/oidc/callback',
};
const NOW = 1760000000;
const enc = new TextEncoder();

const b64url = (bytes) => jose.base64url.encode(new Uint8Array(bytes));
const codeOf = (fn) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e.name !== 'KosmosError') throw e;
    return e.code;
  }
};

/** Keys made and tokens signed by jose in this host. */
async function liveKeys() {
  const gen = (alg, opts = {}) => jose.generateKeyPair(alg, { extractable: true, ...opts });
  const [rsa, ec, ed, other] = await Promise.all([gen('RS256'), gen('ES256'), gen('EdDSA', { crv: 'Ed25519' }), gen('ES256')]);
  const pub = async (k, extra) => ({ ...(await jose.exportJWK(k.publicKey)), ...extra });
  const jwks = {
    keys: [
      await pub(rsa, { kid: 'rsa-1', use: 'sig', alg: 'RS256' }),
      await pub(ec, { kid: 'ec-1', use: 'sig', alg: 'ES256' }),
      await pub(ed, { kid: 'ed-1', use: 'sig' }),
      await pub(other, { kid: 'enc-1', use: 'enc' }),
      await pub(other, { kid: 'ops-1', key_ops: ['sign'] }),
      await pub(other, { kid: 'rs-only', alg: 'RS256' }),
    ],
  };
  return { rsa, ec, ed, other, jwks };
}

const claimsFor = (nonce, extra = {}) => ({
  iss: ISSUER,
  sub: 'user-7f3c',
  aud: CLIENT.client_id,
  iat: NOW,
  exp: NOW + 600,
  nonce,
  auth_time: NOW - 20,
  acr: 'liveID push',
  amr: ['face'],
  ...extra,
});

const sign = (key, alg, kid, claims) =>
  new jose.SignJWT(claims).setProtectedHeader(kid ? { alg, kid, typ: 'JWT' } : { alg, typ: 'JWT' }).sign(key.privateKey ?? key);

export default [
  {
    name: 'jose-minted ID token vectors: every algorithm and rejection rule',
    run(k, env) {
      const doc = env.vectors['oidc/id_tokens'];
      ok(doc && doc.cases.length >= 60, 'the vector file is loaded');
      const outcomes = [];
      for (const c of doc.cases) {
        let got;
        try {
          const t = k.validateIdToken(c.token, doc.jwks[c.jwks], c.expectations, c.now);
          got = 'ok';
          for (const [name, value] of Object.entries(c.claims ?? {})) deepEqual(t[name] ?? null, value, `${c.name}: ${name}`);
        } catch (e) {
          if (e.name !== 'KosmosError') throw e;
          got = e.code;
          ok(typeof e.message === 'string' && e.message.length > 0, 'a message');
        }
        equal(got, c.expect, c.name);
        outcomes.push([c.name, got]);
      }
      return outcomes;
    },
  },
  {
    name: 'tokens minted live by jose in this host verify, and every tampering is caught',
    async run(k) {
      const { rsa, ec, ed, other, jwks } = await liveKeys();
      const nonce = 'n-live';
      const expect = { issuer: ISSUER, client_id: CLIENT.client_id, nonce, max_age: 300, required_acr: ['liveID push'] };
      const check = async (token, overrides = {}) =>
        codeOf(() => k.validateIdToken(token, jwks, { ...expect, ...overrides }, NOW));
      const good = claimsFor(nonce);
      const results = {
        RS256: await check(await sign(rsa, 'RS256', 'rsa-1', good)),
        ES256: await check(await sign(ec, 'ES256', 'ec-1', good)),
        EdDSA: await check(await sign(ed, 'EdDSA', 'ed-1', good)),
        Ed25519: await check(await sign(ed, 'Ed25519', 'ed-1', good)),
        EdDSA_without_kid: await check(await sign(ed, 'EdDSA', undefined, good)),
        wrong_key_same_kid: await check(await sign(other, 'ES256', 'ec-1', good)),
        alg_none: await check(new jose.UnsecuredJWT(good).encode()),
        hs256: await check(await sign(enc.encode(JSON.stringify(jwks.keys[0])), 'HS256', 'rsa-1', good)),
        unknown_kid: await check(await sign(ec, 'ES256', 'ec-9', good)),
        kid_of_another_type: await check(await sign(ec, 'ES256', 'rsa-1', good)),
        key_use_enc: await check(await sign(other, 'ES256', 'enc-1', good)),
        key_ops_sign_only: await check(await sign(other, 'ES256', 'ops-1', good)),
        key_alg_rs256: await check(await sign(other, 'ES256', 'rs-only', good)),
        alg_not_allowed: await check(await sign(ed, 'EdDSA', 'ed-1', good), { algorithms: ['RS256', 'ES256'] }),
        wrong_iss: await check(await sign(ec, 'ES256', 'ec-1', { ...good, iss: 'https://evil.example' })),
        wrong_aud: await check(await sign(ec, 'ES256', 'ec-1', { ...good, aud: 'other' })),
        two_aud_no_azp: await check(await sign(ec, 'ES256', 'ec-1', { ...good, aud: [CLIENT.client_id, 'api'] }), { trusted_audiences: ['api'] }),
        expired: await check(await sign(ec, 'ES256', 'ec-1', { ...good, exp: NOW - 61 })),
        not_yet_valid: await check(await sign(ec, 'ES256', 'ec-1', { ...good, nbf: NOW + 61 })),
        issued_in_future: await check(await sign(ec, 'ES256', 'ec-1', { ...good, iat: NOW + 61 })),
        wrong_nonce: await check(await sign(ec, 'ES256', 'ec-1', { ...good, nonce: 'n-other' })),
        weak_acr: await check(await sign(ec, 'ES256', 'ec-1', { ...good, acr: 'pwd' })),
        stale_auth: await check(await sign(ec, 'ES256', 'ec-1', { ...good, auth_time: NOW - 361 })),
        no_auth_time: await check(await sign(ec, 'ES256', 'ec-1', { ...good, auth_time: undefined })),
        oversize: await check(await sign(ec, 'ES256', 'ec-1', { ...good, pad: 'x'.repeat(33 * 1024) })),
      };
      deepEqual(
        Object.entries(results).filter(([, v]) => v === 'ok').map(([n]) => n),
        ['RS256', 'ES256', 'EdDSA', 'Ed25519', 'EdDSA_without_kid'],
      );
      const t = k.validateIdToken(await sign(ed, 'EdDSA', 'ed-1', good), jwks, expect, NOW);
      deepEqual([t.alg, t.kid, t.sub, t.acr, t.auth_time, t.aud], ['EdDSA', 'ed-1', 'user-7f3c', 'liveID push', NOW - 20, [CLIENT.client_id]]);
      return results;
    },
  },
  {
    name: 'authorization request: PKCE S256, state, nonce, acr_values, max_age, claims',
    async run(k) {
      const { url, pending } = k.buildOidcAuthorization(
        { ...PROVIDER, authorization_endpoint: `${ISSUER}/authorize?tenant=t-1` },
        CLIENT,
        {
          scope: ['profile'],
          prompt: 'login',
          max_age: 0,
          acr_values: ['urn:1kosmos:liveid'],
          essential_acr: ['liveID push'],
          verified_claims: { trust_framework: 'nist_800_63A', assurance_level: 'ial2', claims: ['given_name', 'birthdate'] },
        },
      );
      const u = new URL(url);
      const q = u.searchParams;
      equal(`${u.origin}${u.pathname}`, `${ISSUER}/authorize`);
      equal(q.get('tenant'), 't-1');
      equal(q.get('response_type'), 'code');
      equal(q.get('client_id'), CLIENT.client_id);
      equal(q.get('redirect_uri'), CLIENT.redirect_uri);
      equal(q.get('code_challenge_method'), 'S256');
      equal(q.get('state'), pending.state);
      equal(q.get('nonce'), pending.nonce);
      match(pending.code_verifier, /^[A-Za-z0-9_-]{43}$/);
      ok(!url.includes(pending.code_verifier), 'the verifier never goes in the URL');
      const digest = await crypto.subtle.digest('SHA-256', enc.encode(pending.code_verifier));
      equal(q.get('code_challenge'), b64url(digest), 'challenge = base64url(sha256(verifier)), checked with WebCrypto');
      const again = k.buildOidcAuthorization(PROVIDER, CLIENT);
      ok(again.pending.state !== pending.state && again.pending.nonce !== pending.nonce, 'fresh state and nonce');
      deepEqual(pending.required_acr, ['liveID push']);
      const bad = throwsCode(() => k.buildOidcAuthorization(PROVIDER, CLIENT, { acr_values: ['liveID push'] }), 'invalid_input', 'acr_values');
      const typo = throwsCode(() => k.buildOidcAuthorization(PROVIDER, CLIENT, { maxAge: 5 }), 'invalid_input', 'request.maxAge');
      const http = throwsCode(() => k.buildOidcAuthorization({ ...PROVIDER, token_endpoint: 'http://idp.example/token' }, CLIENT), 'invalid_input', 'token_endpoint');
      ok(!bad.message.includes('SECRET'), 'no secret in messages');
      return {
        params: [...q.keys()],
        scope: q.get('scope'),
        prompt: q.get('prompt'),
        max_age: q.get('max_age'),
        acr_values: q.get('acr_values'),
        claims: JSON.parse(q.get('claims')),
        pending_keys: Object.keys(pending).sort(),
        errors: [errorShape(bad), errorShape(typo), errorShape(http)],
      };
    },
  },
  {
    name: 'callback: state in constant time, iss, provider errors as typed errors',
    run(k) {
      const { pending } = k.buildOidcAuthorization(PROVIDER, CLIENT);
      const cb = (params) => `${CLIENT.redirect_uri}?${new URLSearchParams(params)}`;
      const good = k.parseOidcCallback(new URL(cb({ code: 'c+1/=', state: pending.state })), PROVIDER, pending);
      deepEqual(good, { code: 'c+1/=' });
      const strict = { ...PROVIDER, authorization_response_iss_parameter_supported: true };
      deepEqual(k.parseOidcCallback(cb({ code: 'c', state: pending.state, iss: ISSUER }), strict, pending), { code: 'c', iss: ISSUER });
      const denied = throwsCode(
        () => k.parseOidcCallback(cb({ error: 'unmet_authentication_requirements', error_description: 'LiveID declined', state: pending.state }), PROVIDER, pending),
        'authorization_error',
      );
      return {
        denied: errorShape(denied),
        details: denied.details,
        state: errorShape(throwsCode(() => k.parseOidcCallback(cb({ code: 'c', state: 'forged' }), PROVIDER, pending), 'state_mismatch', 'state')),
        no_state: errorShape(throwsCode(() => k.parseOidcCallback(cb({ code: 'c' }), PROVIDER, pending), 'missing_parameter', 'state')),
        mix_up: errorShape(throwsCode(() => k.parseOidcCallback(cb({ code: 'c', state: pending.state, iss: 'https://evil.example' }), PROVIDER, pending), 'issuer_mismatch', 'iss')),
        no_iss: errorShape(throwsCode(() => k.parseOidcCallback(cb({ code: 'c', state: pending.state }), strict, pending), 'missing_parameter', 'iss')),
        no_code: errorShape(throwsCode(() => k.parseOidcCallback(cb({ state: pending.state }), PROVIDER, pending), 'missing_parameter', 'code')),
      };
    },
  },
  {
    name: 'token request: client_secret_basic and client_secret_post, form-urlencoded',
    run(k) {
      const { pending } = k.buildOidcAuthorization(PROVIDER, CLIENT);
      const basic = k.buildOidcTokenRequest(PROVIDER, CLIENT, pending, 'code with spaces&=');
      equal(basic.method, 'POST');
      equal(basic.url, PROVIDER.token_endpoint);
      equal(basic.headers['content-type'], 'application/x-www-form-urlencoded');
      const creds = atob(basic.headers.authorization.replace(/^Basic /, ''));
      const [id, secret] = creds.split(':').map((s) => decodeURIComponent(s.replace(/\+/g, ' ')));
      deepEqual([id, secret], [CLIENT.client_id, CLIENT.client_secret], 'each part form-decoded');
      const form = new URLSearchParams(basic.body);
      deepEqual(Object.fromEntries(form), {
        grant_type: 'authorization_code',
        code: 'code with spaces&=',
        redirect_uri: CLIENT.redirect_uri,
        code_verifier: pending.code_verifier,
      });
      const post = k.buildOidcTokenRequest(PROVIDER, { ...CLIENT, token_endpoint_auth_method: 'client_secret_post' }, pending, 'c');
      equal(post.headers.authorization, undefined);
      const pf = new URLSearchParams(post.body);
      deepEqual([pf.get('client_id'), pf.get('client_secret')], [CLIENT.client_id, CLIENT.client_secret]);
      const pub = new URLSearchParams(k.buildOidcTokenRequest(PROVIDER, { ...CLIENT, client_secret: undefined, token_endpoint_auth_method: 'none' }, pending, 'c').body);
      deepEqual([pub.get('client_id'), pub.has('client_secret')], [CLIENT.client_id, false]);
      const tokens = k.parseOidcTokenResponse(200, JSON.stringify({ access_token: 'at', token_type: 'Bearer', id_token: 'a.b.c', expires_in: 300 }));
      deepEqual(tokens, { access_token: 'at', token_type: 'Bearer', id_token: 'a.b.c', expires_in: 300 });
      const refused = throwsCode(() => k.parseOidcTokenResponse(400, '{"error":"invalid_grant","error_description":"code used"}'), 'token_endpoint_error');
      return { form_keys: [...form.keys()], post_keys: [...pf.keys()], refused: errorShape(refused), details: refused.details };
    },
  },
  {
    name: 'token request: private_key_jwt assertions (ES256, EdDSA) verified by jose with this host\'s WebCrypto',
    async run(k) {
      const { pending } = k.buildOidcAuthorization(PROVIDER, CLIENT);
      const out = {};
      for (const [alg, opts] of [['ES256', {}], ['EdDSA', { crv: 'Ed25519' }]]) {
        const pair = await jose.generateKeyPair(alg, { extractable: true, ...opts });
        const client = {
          client_id: CLIENT.client_id,
          redirect_uri: CLIENT.redirect_uri,
          token_endpoint_auth_method: 'private_key_jwt',
          private_jwk: { ...(await jose.exportJWK(pair.privateKey)), kid: `k-${alg}` },
        };
        const req = k.buildOidcTokenRequest(PROVIDER, client, pending, 'c', NOW);
        const form = new URLSearchParams(req.body);
        const assertion = form.get('client_assertion');
        const { payload, protectedHeader } = await jose.jwtVerify(assertion, pair.publicKey, {
          algorithms: [alg],
          issuer: CLIENT.client_id,
          subject: CLIENT.client_id,
          audience: PROVIDER.token_endpoint,
          currentDate: new Date((NOW + 30) * 1000),
        });
        const second = new URLSearchParams(k.buildOidcTokenRequest(PROVIDER, client, pending, 'c', NOW).body);
        const { payload: p2 } = await jose.jwtVerify(second.get('client_assertion'), pair.publicKey, { currentDate: new Date((NOW + 30) * 1000) });
        ok(payload.jti !== p2.jti, 'a fresh jti each time');
        match(payload.jti, /^[A-Za-z0-9_-]{22}$/);
        out[alg] = {
          keys: [...form.keys()],
          type: form.get('client_assertion_type'),
          header: protectedHeader,
          claims: Object.keys(payload),
          times: [payload.iat - NOW, payload.exp - NOW],
          authorization: req.headers.authorization ?? null,
        };
      }
      const { d, ...publicOnly } = (await jose.exportJWK((await jose.generateKeyPair('ES256', { extractable: true })).privateKey));
      const refused = throwsCode(() => k.buildOidcTokenRequest(PROVIDER, { ...CLIENT, token_endpoint_auth_method: 'private_key_jwt', private_jwk: publicOnly }, pending, 'c'), 'invalid_input', 'client.private_jwk.d');
      ok(!refused.message.includes(d));
      out.public_only = errorShape(refused);
      return out;
    },
  },
  {
    name: 'discovery document and JWKS parsing',
    run(k) {
      const req = k.buildOidcDiscoveryRequest(`${ISSUER}/`);
      equal(req.url, `${ISSUER}/.well-known/openid-configuration`);
      const doc = { ...PROVIDER, response_types_supported: ['code'], acr_values_supported: ['liveID push'], verified_claims_supported: true };
      const m = k.parseOidcDiscovery(200, JSON.stringify(doc), ISSUER);
      deepEqual(m, { ...PROVIDER, acr_values_supported: ['liveID push'], verified_claims_supported: true });
      const swapped = throwsCode(() => k.parseOidcDiscovery(200, JSON.stringify(doc), 'https://other.example'), 'malformed_response');
      const down = throwsCode(() => k.parseOidcDiscovery(503, '', ISSUER), 'unexpected_status');
      equal(k.buildOidcJwksRequest(PROVIDER).url, PROVIDER.jwks_uri);
      const jwks = k.parseOidcJwks(200, '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"private","kid":"a"}]}');
      deepEqual(jwks, { keys: [{ kty: 'OKP', kid: 'a', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' }] });
      return { swapped: errorShape(swapped), down: down.details };
    },
  },
  {
    name: 'RFC 9470 step-up challenges: build, parse, quoted-string escaping',
    run(k) {
      const value = k.buildAuthnChallenge({ acr_values: ['urn:1kosmos:liveid', 'push'], max_age: 300, error_description: 'a "fresh" LiveID\\step-up' });
      equal(value, 'Bearer error="insufficient_user_authentication", error_description="a \\"fresh\\" LiveID\\\\step-up", acr_values="urn:1kosmos:liveid push", max_age=300');
      const res = new Response(null, { status: 401, headers: { 'WWW-Authenticate': `Basic realm="api", ${value}` } });
      const parsed = k.parseAuthnChallenge(res);
      deepEqual(parsed, { acr_values: ['urn:1kosmos:liveid', 'push'], max_age: 300, error_description: 'a "fresh" LiveID\\step-up' });
      deepEqual(k.parseAuthnChallenge('Bearer error="insufficient_user_authentication", max_age="5"'), { max_age: 5 });
      const other = throwsCode(() => k.parseAuthnChallenge('Bearer error="invalid_token"'), 'not_a_step_up_challenge');
      const broken = throwsCode(() => k.parseAuthnChallenge('Bearer error="insufficient_user_authentication'), 'malformed_challenge');
      const injection = throwsCode(() => k.buildAuthnChallenge({ error_description: 'x\r\nSet-Cookie: a=b' }), 'invalid_input', 'error_description');
      return { value, parsed, errors: [errorShape(other), errorShape(broken), errorShape(injection)] };
    },
  },
  {
    name: 'redirect step-up end to end against a jose-backed provider, with key rotation',
    async run(k) {
      const { ec, ed, jwks } = await liveKeys();
      let signer = { key: ec, alg: 'ES256', kid: 'ec-1' };
      let published = jwks;
      const seen = [];
      // The provider: discovery, JWKS and token endpoint, behind an injected fetch.
      const codes = new Map();
      const fetch = async (url, init) => {
        const u = new URL(url);
        seen.push(`${init.method} ${u.pathname}`);
        const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
        if (u.pathname === '/oauth2/.well-known/openid-configuration') {
          return json(200, { ...PROVIDER, authorization_response_iss_parameter_supported: true, acr_values_supported: ['liveID push'] });
        }
        if (u.pathname === '/oauth2/jwks') return json(200, published);
        if (u.pathname === '/oauth2/token') {
          const form = new URLSearchParams(init.body);
          const grant = codes.get(form.get('code'));
          const [id, secret] = atob(init.headers.authorization.slice(6)).split(':').map((s) => decodeURIComponent(s.replace(/\+/g, ' ')));
          if (!grant || id !== CLIENT.client_id || secret !== CLIENT.client_secret) return json(400, { error: 'invalid_grant' });
          const digest = await crypto.subtle.digest('SHA-256', enc.encode(form.get('code_verifier')));
          if (b64url(digest) !== grant.challenge) return json(400, { error: 'invalid_grant', error_description: 'pkce' });
          codes.delete(form.get('code'));
          const id_token = await sign(signer.key, signer.alg, signer.kid, claimsFor(grant.nonce));
          return json(200, { access_token: 'at-1', token_type: 'Bearer', expires_in: 300, id_token });
        }
        return json(404, {});
      };
      // What an authorize endpoint does: remember the request, redirect back with a code.
      const authorize = (url) => {
        const q = new URL(url).searchParams;
        const code = `code-${codes.size + 1}`;
        codes.set(code, { challenge: q.get('code_challenge'), nonce: q.get('nonce') });
        return `${q.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(q.get('state'))}&iss=${encodeURIComponent(ISSUER)}`;
      };

      const provider = await k.discoverOidcProvider(ISSUER, { fetch });
      const step = { max_age: 300, essential_acr: ['liveID push'] };
      const first = k.buildOidcAuthorization(provider, CLIENT, step);
      const r1 = await k.finishOidcAuthorization({ provider, client: CLIENT, pending: first.pending, callback: authorize(first.url), fetch, now: NOW });
      deepEqual([r1.idToken.sub, r1.idToken.acr, r1.idToken.kid, r1.tokens.access_token], ['user-7f3c', 'liveID push', 'ec-1', 'at-1']);

      // The provider rotates to a new key: the cached JWKS misses, and is fetched again once.
      signer = { key: ed, alg: 'EdDSA', kid: 'ed-2' };
      published = { keys: [...jwks.keys, { ...(await jose.exportJWK(ed.publicKey)), kid: 'ed-2' }] };
      const second = k.buildOidcAuthorization(provider, CLIENT, step);
      const r2 = await k.finishOidcAuthorization({ provider, client: CLIENT, pending: second.pending, callback: authorize(second.url), jwks: r1.jwks, fetch, now: NOW });
      equal(r2.idToken.kid, 'ed-2');

      // A replayed callback: the code was consumed.
      const replay = await k
        .finishOidcAuthorization({ provider, client: CLIENT, pending: second.pending, callback: `${CLIENT.redirect_uri}?code=code-2&state=${second.pending.state}&iss=${ISSUER}`, jwks: r2.jwks, fetch, now: NOW })
        .then(() => 'ok', (e) => e.code);
      // A callback for another authorization.
      const crossed = await k
        .finishOidcAuthorization({ provider, client: CLIENT, pending: first.pending, callback: authorize(second.url), fetch, now: NOW })
        .then(() => 'ok', (e) => e.code);
      return { seen, replay, crossed };
    },
  },
  {
    name: 'at_hash / c_hash checked by finishOidcAuthorization; UserInfo with the sub check, verified_claims and step-up refusals',
    async run(k) {
      const { ec, ed, jwks } = await liveKeys();
      // Left half of SHA-256 (ES256) or SHA-512 (EdDSA), computed with the host's WebCrypto.
      const half = async (hash, value) => {
        const d = new Uint8Array(await crypto.subtle.digest(hash, enc.encode(value)));
        return b64url(d.subarray(0, d.length / 2));
      };
      const provider = { ...PROVIDER, userinfo_endpoint: `${ISSUER}/userinfo` };
      let tamper = null;
      const vc = { verification: { trust_framework: 'nist_800_63A', assurance_level: 'IAL2' }, claims: { given_name: 'Ada' } };
      const fetch = async (url, init) => {
        const u = new URL(url);
        const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
        if (u.pathname === '/oauth2/token') {
          const code = new URLSearchParams(init.body).get('code');
          const [key, alg, hash] = code.startsWith('ed') ? [ed, 'EdDSA', 'SHA-512'] : [ec, 'ES256', 'SHA-256'];
          const claims = claimsFor('n-h', { at_hash: await half(hash, 'at-h1'), c_hash: await half(hash, code) });
          if (tamper === 'c_hash') claims.c_hash = await half(hash, 'another-code');
          const id_token = await sign(key, alg, alg === 'EdDSA' ? 'ed-1' : 'ec-1', claims);
          return json(200, { access_token: tamper === 'at_hash' ? 'at-swapped' : 'at-h1', token_type: 'Bearer', id_token });
        }
        if (u.pathname === '/oauth2/userinfo') {
          const token = init.headers.authorization;
          if (token === 'Bearer at-h1') return json(200, { sub: 'user-7f3c', email: 'ada@example.com', verified_claims: vc });
          if (token === 'Bearer at-other') return json(200, { sub: 'someone-else' });
          if (token === 'Bearer at-pwd') {
            return new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication", acr_values="liveID push", max_age=300' } });
          }
          if (token === 'Bearer at-jwt') return new Response('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln', { status: 200, headers: { 'content-type': 'application/jwt' } });
          return new Response('', { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });
        }
        return json(404, {});
      };
      const pending = { ...k.buildOidcAuthorization(provider, CLIENT).pending, nonce: 'n-h' };
      const finish = (code) => k.finishOidcAuthorization({
        provider, client: CLIENT, pending, jwks, fetch, now: NOW,
        callback: `${CLIENT.redirect_uri}?code=${code}&state=${encodeURIComponent(pending.state)}`,
        expectations: { max_age: 300, required_acr: ['liveID push'] },
      }).then((r) => `ok ${r.idToken.alg}`, (e) => e.code + (e.field ? ` ${e.field}` : ''));
      const outcomes = { es256: await finish('ec-code'), eddsa: await finish('ed-code') };
      tamper = 'at_hash';
      outcomes.swapped_access_token = await finish('ec-code');
      tamper = 'c_hash';
      outcomes.other_code = await finish('ed-code');
      tamper = null;

      const req = k.buildOidcUserInfoRequest(provider, 'at-h1');
      deepEqual(req, { method: 'GET', url: `${ISSUER}/userinfo`, headers: { authorization: 'Bearer at-h1', accept: 'application/json' } });
      const info = await k.fetchOidcUserInfo(provider, 'at-h1', { sub: 'user-7f3c', fetch });
      deepEqual([info.sub, info.claims.email, info.verified_claims.claims.given_name], ['user-7f3c', 'ada@example.com', 'Ada']);
      const fails = async (token, sub = 'user-7f3c') =>
        k.fetchOidcUserInfo(provider, token, { sub, fetch }).then(() => { throw new Error('accepted'); }, (e) => e);
      const other = await fails('at-other');
      const stepUp = await fails('at-pwd');
      const expired = await fails('at-expired');
      const jwt = await fails('at-jwt');
      const noSub = await fails('at-h1', null);
      const noEndpoint = throwsCode(() => k.buildOidcUserInfoRequest(PROVIDER, 'at'), 'invalid_input', 'userinfo_endpoint');
      const notJson = throwsCode(() => k.parseOidcUserInfoResponse(200, { 'content-type': 'application/json' }, '<html>', { sub: 'u' }), 'malformed_response');
      equal(other.code, 'sub_mismatch');
      equal(stepUp.code, 'insufficient_user_authentication');
      deepEqual([stepUp.details.acr_values, stepUp.details.max_age, stepUp.details.status], [['liveID', 'push'], 300, 401]);
      equal(expired.code, 'userinfo_error');
      equal(expired.details.error, 'invalid_token');
      equal(jwt.code, 'malformed_response');
      equal(noSub.code, 'invalid_argument');
      for (const e of [other, stepUp, expired, jwt]) ok(!e.message.includes('at-'), 'no access token in messages');
      return {
        outcomes,
        info,
        errors: [other, stepUp, expired, jwt, noSub, noEndpoint, notJson].map(errorShape),
      };
    },
  },
];
