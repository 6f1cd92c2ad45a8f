// Mechanism B: the federation settings of examples/descope/federation
// against the 1Kosmos stand-in's OpenID provider, with this test playing
// Descope's custom OIDC provider (authorization code + PKCE, the ID token
// checked with jose against the JWKS, claims mapped as configured).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { root } from './hosts.js';

const TEMPLATE = readFileSync(join(root, 'examples', 'descope', 'federation', '1kosmos-oidc.json'), 'utf8');
const kosmos = await startKosmos({ oidcClientId: 'descope-federation', oidcClientSecret: 'federation-secret-for-tests' });
after(() => kosmos.close());
const fed = JSON.parse(TEMPLATE.replaceAll('{{issuer}}', kosmos.oidc.issuer));
const REDIRECT = 'http://127.0.0.1:9/v1/oauth/callback';

/** What Descope does: authorize (PKCE), exchange the code, validate the ID token, map claims. */
async function signIn(loginHint) {
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(fed.authorization_endpoint);
  const params = {
    response_type: 'code', client_id: fed.client_id, redirect_uri: REDIRECT, scope: fed.scopes.join(' '),
    state: randomBytes(8).toString('hex'), nonce: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', login_hint: loginHint,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const auth = await fetch(url, { redirect: 'manual' });
  assert.equal(auth.status, 302);
  const back = new URL(auth.headers.get('location'));
  assert.equal(back.searchParams.get('state'), params.state);
  assert.equal(back.searchParams.get('iss'), fed.issuer);
  const code = back.searchParams.get('code');
  assert.ok(code, `no code: ${back.searchParams.get('error')}`);
  const token = await fetch(fed.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${fed.client_id}:federation-secret-for-tests`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }),
  }).then((r) => r.json());
  const { payload } = await jwtVerify(token.id_token, createRemoteJWKSet(new URL(fed.jwks_endpoint)), { issuer: fed.issuer, audience: fed.client_id });
  assert.equal(payload.nonce, params.nonce);
  const ui = await fetch(fed.user_info_endpoint, { headers: { authorization: `Bearer ${token.access_token}` } });
  const info = ui.ok ? await ui.json() : { status: ui.status, challenge: ui.headers.get('www-authenticate') };
  const mapped = Object.fromEntries(Object.entries(fed.claim_mapping).map(([claim, attr]) => [attr, payload[claim]]));
  return { payload, info, mapped };
}

test('every endpoint, scope, grant type and mapped claim is one the provider announces', async () => {
  const meta = await fetch(`${fed.issuer}/.well-known/openid-configuration`).then((r) => r.json());
  assert.equal(meta.issuer, fed.issuer);
  assert.equal(new URL(fed.authorization_endpoint).origin + new URL(fed.authorization_endpoint).pathname, meta.authorization_endpoint);
  assert.equal(fed.token_endpoint, meta.token_endpoint);
  assert.equal(fed.user_info_endpoint, meta.userinfo_endpoint);
  assert.equal(fed.jwks_endpoint, meta.jwks_uri);
  for (const s of fed.scopes) assert.ok(meta.scopes_supported.includes(s), `scope ${s}`);
  for (const g of fed.allowed_grant_types) assert.ok(meta.grant_types_supported.includes(g), `grant ${g}`);
  for (const c of Object.keys(fed.claim_mapping)) assert.ok(meta.claims_supported.includes(c), `claim ${c}`);
  assert.ok(meta.acr_values_supported.includes(fed.expected_acr));
  assert.equal(new URL(fed.authorization_endpoint).searchParams.get('acr_values'), fed.acr_values.join(' '));
});

test('a LiveID user signs in; the claims arrive mapped to the Descope attributes', async () => {
  const { payload, mapped, info } = await signIn('match@test');
  assert.equal(payload.acr, fed.expected_acr);
  assert.deepEqual(mapped, { email: 'match@test', givenName: 'Test', familyName: 'Match', kosmosAcr: 'liveID push' });
  assert.equal(info.email, 'match@test');
  assert.equal(info.verified_claims.verification.trust_framework, 'nist_800_63A');
});

test('acr_values from the federation settings step a password session up to LiveID', async () => {
  const { payload } = await signIn('pwd@test');
  assert.equal(payload.acr, 'liveID push');
  assert.ok(payload.amr.includes('face'));
});

test('without acr_values the password session stays a password session (the setting matters)', async () => {
  const saved = fed.authorization_endpoint;
  fed.authorization_endpoint = saved.split('?')[0];
  try {
    const { payload, info } = await signIn('pwd@test');
    assert.equal(payload.acr, 'pwd');
    assert.equal(info.status, 401);
    assert.match(info.challenge, /insufficient_user_authentication/);
  } finally {
    fed.authorization_endpoint = saved;
  }
});
