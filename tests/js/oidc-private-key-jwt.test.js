// OIDC `private_key_jwt` client authentication (OpenID Connect Core 9,
// RFC 7523): npm `jose`, an implementation independent of the core, verifies
// the client assertions the library signs with ES256 and EdDSA keys; then a
// full code exchange against the stand-in (www/sandbox/oidc.mjs), which
// accepts the registered keys only and each assertion's jti once.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import * as k from '../../pkg/node.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

async function keyPair(alg, kid) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, crv: alg === 'EdDSA' ? 'Ed25519' : undefined });
  const pub = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const priv = { ...(await exportJWK(privateKey)), kid };
  return { pub, priv };
}

const es = await keyPair('ES256', 'client-es');
const ed = await keyPair('EdDSA', 'client-ed');
const stranger = await keyPair('ES256', 'client-es');

const kosmos = await startKosmos({ oidcClientJwks: { keys: [es.pub, ed.pub] } });
after(() => kosmos.close());
const provider = await k.discoverOidcProvider(kosmos.url);

const clientWith = (priv, extra = {}) => ({
  client_id: kosmos.oidc.clientId,
  redirect_uri: 'http://127.0.0.1:9/callback',
  token_endpoint_auth_method: 'private_key_jwt',
  private_jwk: priv,
  ...extra,
});

async function authorize(client) {
  const { url, pending } = k.buildOidcAuthorization(provider, client, { login_hint: 'match@test' });
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302, await res.text());
  return { pending, callback: res.headers.get('location') };
}

describe('private_key_jwt', () => {
  test('the stand-in advertises it', () => {
    assert.ok(provider.token_endpoint_auth_methods_supported.includes('private_key_jwt'));
  });

  for (const [name, pair] of [['ES256', es], ['EdDSA', ed]]) {
    test(`${name}: jose verifies the client assertion, header and claims exact`, async () => {
      const pending = { issuer: provider.issuer, redirect_uri: 'http://127.0.0.1:9/callback', state: 's', nonce: 'n', code_verifier: 'v'.repeat(43) };
      const req = k.buildOidcTokenRequest(provider, clientWith(pair.priv), pending, 'code-1', 1_700_000_000);
      assert.equal(req.headers.authorization, undefined);
      const form = new URLSearchParams(req.body);
      assert.equal(form.get('client_id'), kosmos.oidc.clientId);
      assert.equal(form.get('client_assertion_type'), JWT_BEARER);
      assert.equal(form.get('client_secret'), null);
      const assertion = form.get('client_assertion');
      assert.deepEqual(decodeProtectedHeader(assertion), { alg: name, typ: 'JWT', kid: pair.pub.kid });
      const { payload } = await jwtVerify(assertion, await importJWK(pair.pub, name), {
        algorithms: [name],
        issuer: kosmos.oidc.clientId,
        subject: kosmos.oidc.clientId,
        audience: provider.token_endpoint,
        currentDate: new Date(1_700_000_010 * 1000),
      });
      assert.deepEqual(Object.keys(payload), ['iss', 'sub', 'aud', 'jti', 'iat', 'exp']);
      assert.equal(payload.iat, 1_700_000_000);
      assert.equal(payload.exp, 1_700_000_060);
      assert.match(payload.jti, /^[A-Za-z0-9_-]{22,}$/);
      // Fresh randomness each time: another jti, another signature.
      const again = new URLSearchParams(k.buildOidcTokenRequest(provider, clientWith(pair.priv), pending, 'code-1', 1_700_000_000).body);
      const other = await jwtVerify(again.get('client_assertion'), await importJWK(pair.pub, name), { currentDate: new Date(1_700_000_010 * 1000) });
      assert.notEqual(other.payload.jti, payload.jti);
      // Another key does not verify it.
      await assert.rejects(jwtVerify(assertion, await importJWK(stranger.pub, 'ES256'), { currentDate: new Date(1_700_000_010 * 1000) }));
    });

    test(`${name}: finishOidcAuthorization exchanges a code with the stand-in`, async () => {
      const client = clientWith(pair.priv);
      const { pending, callback } = await authorize(client);
      const { idToken, tokens } = await k.finishOidcAuthorization({ provider, client, pending, callback });
      assert.equal(idToken.sub, 'usr_match_0001');
      assert.ok(tokens.access_token);
      assert.equal(kosmos.oidc.state.tokenRequests.at(-1).auth, 'private_key_jwt');
    });
  }

  test('the audience can be the issuer; the stand-in wants its token endpoint and refuses it', async () => {
    const client = clientWith(es.priv, { client_assertion_audience: 'issuer' });
    const { pending, callback } = await authorize(client);
    const req = k.buildOidcTokenRequest(provider, client, pending, 'x');
    const { payload } = await jwtVerify(new URLSearchParams(req.body).get('client_assertion'), await importJWK(es.pub, 'ES256'));
    assert.equal(payload.aud, provider.issuer);
    await assert.rejects(k.finishOidcAuthorization({ provider, client, pending, callback }),
      (e) => e.code === 'token_endpoint_error' && e.details.error === 'invalid_client');
  });

  test('an unregistered key is refused with invalid_client', async () => {
    const client = clientWith(stranger.priv);
    const { pending, callback } = await authorize(client);
    await assert.rejects(k.finishOidcAuthorization({ provider, client, pending, callback }),
      (e) => e.code === 'token_endpoint_error' && e.details.error === 'invalid_client' && e.details.status === 401);
  });

  test('a replayed assertion (same jti) is refused with invalid_client', async () => {
    const client = clientWith(ed.priv);
    const { pending, callback } = await authorize(client);
    let sent;
    const recording = async (url, init) => {
      if (String(url).endsWith('/oauth2/token')) sent = init;
      return fetch(url, init);
    };
    await k.finishOidcAuthorization({ provider, client, pending, callback, fetch: recording });
    // The same body again, code included: the client is refused before the code is looked at.
    const res = await fetch(provider.token_endpoint, { method: 'POST', headers: sent.headers, body: sent.body });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, 'invalid_client');
  });

  test('bad keys are refused when the client is read, never echoed', () => {
    const pending = { issuer: provider.issuer, redirect_uri: 'http://127.0.0.1:9/callback', state: 's', nonce: 'n', code_verifier: 'v'.repeat(43) };
    const { d, ...publicOnly } = es.priv;
    const cases = [
      [publicOnly, 'client.private_jwk.d'],
      [{ ...es.priv, alg: 'EdDSA' }, 'client.private_jwk.alg'],
      [{ ...ed.priv, x: es.priv.x }, 'client.private_jwk.x'],
      [{ ...es.priv, kty: 'RSA' }, 'client.private_jwk.kty'],
      [{ ...es.priv, d: 'not base64!' }, 'client.private_jwk.d'],
    ];
    for (const [jwk, field] of cases) {
      for (const build of [
        () => k.buildOidcTokenRequest(provider, clientWith(jwk), pending, 'c'),
        () => k.buildOidcAuthorization(provider, clientWith(jwk)),
      ]) {
        assert.throws(build, (e) => {
          assert.equal(e.code, 'invalid_input');
          assert.equal(e.field, field);
          assert.ok(!JSON.stringify({ m: e.message, d: e.details }).includes(d), 'no key material in the error');
          return true;
        });
      }
    }
    assert.throws(() => k.buildOidcTokenRequest(provider, { ...clientWith(es.priv), private_jwk: undefined }, pending, 'c'),
      (e) => e.field === 'client.private_jwk');
  });
});
