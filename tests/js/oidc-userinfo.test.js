// The library's OIDC flow in Node against the 1Kosmos stand-in as provider
// (www/sandbox/oidc.mjs, ID tokens minted with npm jose): the code exchange
// checks the stand-in's at_hash and c_hash, then UserInfo is fetched with
// the access token and checked against the ID token's `sub`.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import * as k from '../../pkg/node.js';

const kosmos = await startKosmos();
after(() => kosmos.close());

const client = {
  client_id: kosmos.oidc.clientId,
  client_secret: kosmos.oidc.clientSecret,
  redirect_uri: 'http://127.0.0.1:9/callback',
};
const provider = await k.discoverOidcProvider(kosmos.url);

/** Authorize as `user` at the stand-in; returns the pending authorization and the callback URL. */
async function authorize(user, request = {}) {
  const { url, pending } = k.buildOidcAuthorization(provider, client, { login_hint: user, ...request });
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 302, await res.text());
  return { pending, callback: res.headers.get('location') };
}

/** A fetch that lets a test rewrite the token endpoint's answer. */
const tokenRewriter = (rewrite) => async (url, init) => {
  const res = await fetch(url, init);
  if (!String(url).endsWith('/oauth2/token') || res.status !== 200) return res;
  const body = rewrite(await res.json());
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
};

describe('OIDC UserInfo and at_hash / c_hash against the stand-in', () => {
  test('discovery names the userinfo endpoint', () => {
    assert.equal(provider.userinfo_endpoint, `${kosmos.url}/oauth2/userinfo`);
  });

  test('match@test: the ID token carries at_hash and c_hash, checked; UserInfo mirrors its verified_claims', async () => {
    const { pending, callback } = await authorize('match@test', {
      essential_acr: ['liveID push'],
      max_age: 600,
      verified_claims: { trust_framework: 'nist_800_63A', claims: ['given_name', 'family_name'] },
    });
    const code = new URL(callback).searchParams.get('code');
    const { idToken, tokens } = await k.finishOidcAuthorization({ provider, client, pending, callback });
    const half = (v) => createHash('sha256').update(v).digest().subarray(0, 16).toString('base64url');
    assert.equal(idToken.claims.at_hash, half(tokens.access_token), 'the stand-in hashes the access token');
    assert.equal(idToken.claims.c_hash, half(code), 'and the code');
    const before = kosmos.oidc.state.userinfoRequests;
    const info = await k.fetchOidcUserInfo(provider, tokens.access_token, { sub: idToken.sub });
    assert.equal(kosmos.oidc.state.userinfoRequests, before + 1);
    assert.equal(info.sub, idToken.sub);
    assert.equal(info.claims.given_name, 'Test');
    assert.deepEqual(info.verified_claims, idToken.verified_claims, 'the same verified_claims as the ID token');
    assert.equal(info.verified_claims.verification.assurance_level, 'IAL2');
  });

  test('a token endpoint answer with another access token or an ID token for another code fails hash_mismatch', async () => {
    const a = await authorize('match@test');
    const swapped = await k
      .finishOidcAuthorization({ provider, client, ...a, fetch: tokenRewriter((t) => ({ ...t, access_token: 'a-token-from-elsewhere' })) })
      .then(() => null, (e) => e);
    assert.equal(swapped?.code, 'hash_mismatch');
    assert.equal(swapped.field, 'claims.at_hash');
    assert.deepEqual(swapped.details, { claim: 'at_hash' });
    assert.ok(!swapped.message.includes('a-token-from-elsewhere'));

    // An ID token issued for one code, answered for another (c_hash).
    const first = await authorize('match@test');
    let stolen;
    await k.finishOidcAuthorization({ provider, client, ...first, fetch: tokenRewriter((t) => ((stolen = t), t)) });
    const second = await authorize('match@test');
    const injected = await k
      .finishOidcAuthorization({
        provider, client, ...second,
        // The nonce of the stolen token is made to match, so only the hashes can tell.
        pending: { ...second.pending, nonce: first.pending.nonce },
        fetch: tokenRewriter((t) => ({ ...t, id_token: stolen.id_token, access_token: stolen.access_token })),
      })
      .then(() => null, (e) => e);
    assert.equal(injected?.code, 'hash_mismatch');
    assert.equal(injected.field, 'claims.c_hash');
  });

  test('UserInfo refusals: another sub, an unknown token, and an RFC 9470 step-up for a password session', async () => {
    const m = await authorize('match@test');
    const { idToken, tokens } = await k.finishOidcAuthorization({ provider, client, ...m });
    const other = await k.fetchOidcUserInfo(provider, tokens.access_token, { sub: 'usr_someone_else' }).then(() => null, (e) => e);
    assert.equal(other?.code, 'sub_mismatch');
    const unknown = await k.fetchOidcUserInfo(provider, 'not-a-token', { sub: idToken.sub }).then(() => null, (e) => e);
    assert.equal(unknown?.code, 'userinfo_error');
    assert.deepEqual([unknown.details.status, unknown.details.error], [401, 'invalid_token']);

    // pwd@test signs in without LiveID; an ID token without the step-up requirement validates,
    // but the stand-in's UserInfo asks for a LiveID step-up.
    const p = await authorize('pwd@test');
    const pwd = await k.finishOidcAuthorization({ provider, client, ...p });
    assert.equal(pwd.idToken.acr, 'pwd');
    const stepUp = await k.fetchOidcUserInfo(provider, pwd.tokens.access_token, { sub: pwd.idToken.sub }).then(() => null, (e) => e);
    assert.equal(stepUp?.code, 'insufficient_user_authentication');
    assert.deepEqual([stepUp.details.acr_values, stepUp.details.max_age], [['liveID', 'push'], 300]);
    assert.ok(!stepUp.message.includes(pwd.tokens.access_token));
    // What the challenge asks for feeds the next authorization as is.
    const again = k.buildOidcAuthorization(provider, client, { acr_values: stepUp.details.acr_values, max_age: stepUp.details.max_age });
    assert.equal(new URL(again.url).searchParams.get('acr_values'), 'liveID push');
  });

  test('without `sub` nothing is sent', async () => {
    const before = kosmos.oidc.state.userinfoRequests;
    await assert.rejects(k.fetchOidcUserInfo(provider, 'at', {}), (e) => e.code === 'invalid_argument' && e.field === 'sub');
    assert.equal(kosmos.oidc.state.userinfoRequests, before);
  });
});
