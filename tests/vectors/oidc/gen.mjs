// Mints the ID token vectors in tests/vectors/oidc/id_tokens.json with an
// independent implementation: npm `jose` (and node:crypto for the two
// tokens jose refuses to make: a 1024-bit RSA signature and a DER-encoded
// ECDSA signature). Keys are fresh on every run; rerun and commit the JSON.
//
//   node tests/vectors/oidc/gen.mjs
//
// Every case carries the full expectations and `now`, so a runner needs no
// defaults of its own: validate `token` against `jwks[case.jwks]` and compare
// with `expect` (`"ok"` or an error code); `claims` lists what an accepted
// token must show.
import { writeFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHash, generateKeyPairSync, sign as nodeSign, KeyObject } from 'node:crypto';
import { CompactSign, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair, base64url } from 'jose';

const out = new URL('./id_tokens.json', import.meta.url);
const joseVersion = JSON.parse(
  readFileSync(createRequire(import.meta.url).resolve('jose').replace(/dist\/.*$/, 'package.json'), 'utf8'),
).version;

const NOW = 1760000000;
const ISSUER = 'https://idp.1kosmos.example/oauth2';
const CLIENT = 'kosmos-connect-demo';
const NONCE = 'n-0S6_WzA2Mj';
const enc = new TextEncoder();

const BASE_EXPECT = {
  issuer: ISSUER,
  client_id: CLIENT,
  nonce: NONCE,
  required_acr: [],
  clock_skew_s: 60,
  trusted_audiences: [],
  algorithms: [],
};
const STEP_UP_EXPECT = { ...BASE_EXPECT, max_age: 300, required_acr: ['liveID push'] };

const baseClaims = () => ({
  iss: ISSUER,
  sub: 'user-7f3c',
  aud: CLIENT,
  exp: NOW + 600,
  iat: NOW,
  nonce: NONCE,
});
const stepUpClaims = () => ({
  ...baseClaims(),
  auth_time: NOW - 20,
  acr: 'liveID push',
  amr: ['face', 'push'],
});

// Keys.
const gen = async (alg, opts = {}) => generateKeyPair(alg, { extractable: true, ...opts });
const rsa = await gen('RS256');
const rsaOther = await gen('RS256');
const ec = await gen('ES256');
const ecOther = await gen('ES256');
const ed = await gen('EdDSA', { crv: 'Ed25519' });
const edOther = await gen('EdDSA', { crv: 'Ed25519' });
const ed2 = await gen('EdDSA', { crv: 'Ed25519' });
const ec384 = await gen('ES384');
const ps = await gen('PS256');
const rsaEnc = await gen('RS256');
const rsa512 = await gen('RS256');
const ecOps = await gen('ES256');
const edPriv = await gen('EdDSA', { crv: 'Ed25519' });
const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });

const pub = async (k, extra) => ({ ...(await exportJWK(k.publicKey)), ...extra });
const jwks = {
  main: {
    keys: [
      await pub(rsa, { kid: 'rsa-1', use: 'sig', alg: 'RS256' }),
      await pub(ec, { kid: 'ec-1', use: 'sig', alg: 'ES256' }),
      await pub(ed, { kid: 'ed-1', use: 'sig', alg: 'EdDSA' }),
      await pub(ec384, { kid: 'ec384-1', use: 'sig', alg: 'ES384' }),
      await pub(rsaEnc, { kid: 'enc-1', use: 'enc' }),
      await pub(rsa512, { kid: 'rs512-1', alg: 'RS512' }),
      await pub(ecOps, { kid: 'ops-1', key_ops: ['sign'] }),
      { ...(await exportJWK(edPriv.privateKey)), kid: 'priv-1' },
      { ...weak.publicKey.export({ format: 'jwk' }), kid: 'rsa-weak', use: 'sig' },
      { kty: 'oct', kid: 'hmac-1', k: base64url.encode(enc.encode('not for id tokens')) },
    ],
  },
  nokid: {
    keys: [await pub(rsa), await pub(ec), await pub(ed), await pub(ed2)],
  },
  nokid_forbidden: { keys: [await pub(rsaEnc, { use: 'enc' })] },
  rsa_only: { keys: [await pub(rsa, { kid: 'rsa-1' })] },
};

// Minting.
const header = (alg, kid) => (kid === undefined ? { alg, typ: 'JWT' } : { alg, kid, typ: 'JWT' });
const mint = (key, alg, kid, claims, extraHeader = {}, signOptions) =>
  new CompactSign(enc.encode(JSON.stringify(claims)))
    .setProtectedHeader({ ...header(alg, kid), ...extraHeader })
    .sign(key.privateKey ?? key, signOptions);
const b64 = (v) => base64url.encode(typeof v === 'string' ? enc.encode(v) : v);
const nodeMint = (privateKey, alg, kid, claims, dsaEncoding) => {
  const input = `${b64(JSON.stringify(header(alg, kid)))}.${b64(JSON.stringify(claims))}`;
  const key = privateKey instanceof KeyObject ? privateKey : KeyObject.from(privateKey);
  const sig = nodeSign('sha256', Buffer.from(input), dsaEncoding ? { key, dsaEncoding } : key);
  return `${input}.${b64(new Uint8Array(sig))}`;
};
const without = (claims, ...names) => {
  const c = { ...claims };
  for (const n of names) delete c[n];
  return c;
};

const cases = [];
const add = (name, rule, token, expect, opts = {}) =>
  cases.push({
    name,
    rule,
    jwks: opts.jwks ?? 'main',
    token,
    expectations: opts.expectations ?? BASE_EXPECT,
    now: opts.now ?? NOW,
    expect,
    ...(opts.claims ? { claims: opts.claims } : {}),
  });

// Every algorithm, with and without kid.
const okClaims = (alg, kid) => ({ alg, kid: kid ?? null, sub: 'user-7f3c', aud: [CLIENT] });
add('RS256 by kid', 'accept', await mint(rsa, 'RS256', 'rsa-1', baseClaims()), 'ok', { claims: okClaims('RS256', 'rsa-1') });
add('ES256 by kid', 'accept', await mint(ec, 'ES256', 'ec-1', baseClaims()), 'ok', { claims: okClaims('ES256', 'ec-1') });
add('EdDSA by kid', 'accept', await mint(ed, 'EdDSA', 'ed-1', baseClaims()), 'ok', { claims: okClaims('EdDSA', 'ed-1') });
add('Ed25519 (fully-specified alg) by kid', 'accept', await mint(ed, 'Ed25519', 'ed-1', baseClaims()), 'ok', { claims: okClaims('Ed25519', 'ed-1') });
add('RS256 without kid, selected by kty', 'accept', await mint(rsa, 'RS256', undefined, baseClaims()), 'ok', { jwks: 'nokid', claims: okClaims('RS256') });
add('ES256 without kid, selected by kty and crv', 'accept', await mint(ec, 'ES256', undefined, baseClaims()), 'ok', { jwks: 'nokid', claims: okClaims('ES256') });
add('EdDSA without kid, the second of two Ed25519 keys', 'accept', await mint(ed2, 'EdDSA', undefined, baseClaims()), 'ok', { jwks: 'nokid', claims: okClaims('EdDSA') });
add(
  'step-up: acr, auth_time within max_age, verified_claims',
  'accept',
  await mint(ec, 'ES256', 'ec-1', {
    ...stepUpClaims(),
    verified_claims: {
      verification: { trust_framework: 'nist_800_63A', assurance_level: 'ial2', time: '2025-10-09T08:00:00Z' },
      claims: { given_name: 'Ada', family_name: 'Lovelace', birthdate: '1815-12-10' },
    },
  }),
  'ok',
  {
    expectations: STEP_UP_EXPECT,
    claims: { alg: 'ES256', kid: 'ec-1', sub: 'user-7f3c', aud: [CLIENT], acr: 'liveID push', auth_time: NOW - 20, amr: ['face', 'push'], verified_claims: { verification: { trust_framework: 'nist_800_63A', assurance_level: 'ial2', time: '2025-10-09T08:00:00Z' }, claims: { given_name: 'Ada', family_name: 'Lovelace', birthdate: '1815-12-10' } } },
  },
);
add('several audiences with azp and a trusted extra audience', 'accept', await mint(rsa, 'RS256', 'rsa-1', { ...baseClaims(), aud: [CLIENT, 'https://api.example'], azp: CLIENT }), 'ok', {
  expectations: { ...BASE_EXPECT, trusted_audiences: ['https://api.example'] },
  claims: { alg: 'RS256', kid: 'rsa-1', sub: 'user-7f3c', aud: [CLIENT, 'https://api.example'], azp: CLIENT },
});
add('expired 30 s ago, within the 60 s skew', 'accept', await mint(ed, 'EdDSA', 'ed-1', { ...baseClaims(), exp: NOW - 30, iat: NOW - 630 }), 'ok', { claims: okClaims('EdDSA', 'ed-1') });
add('allow-list containing the alg', 'accept', await mint(rsa, 'RS256', 'rsa-1', baseClaims()), 'ok', { expectations: { ...BASE_EXPECT, algorithms: ['RS256', 'EdDSA'] }, claims: okClaims('RS256', 'rsa-1') });

// Header and algorithm rules.
add('alg none', 'reject alg none', new UnsecuredJWT(baseClaims()).encode(), 'alg_none');
add('alg None with a signature', 'reject alg none', `${b64(JSON.stringify({ alg: 'None' }))}.${b64(JSON.stringify(baseClaims()))}.${b64('sig')}`, 'alg_none');
add(
  'HS256 keyed with the RSA public key (key confusion)',
  'reject an HMAC alg on an asymmetric key',
  await mint(enc.encode(await exportSPKI(rsa.publicKey)), 'HS256', 'rsa-1', baseClaims()),
  'hmac_alg_rejected',
);
add('HS256 naming an oct key of the jwks', 'reject an HMAC alg on an asymmetric key', await mint(enc.encode('not for id tokens'), 'HS256', 'hmac-1', baseClaims()), 'hmac_alg_rejected');
add('ES384 is not supported', 'supported algorithms only', await mint(ec384, 'ES384', 'ec384-1', baseClaims()), 'unsupported_alg');
add('PS256 is not supported', 'supported algorithms only', await mint(ps, 'PS256', 'rsa-1', baseClaims()), 'unsupported_alg');
add('alg outside the allow-list', 'allowed algorithms', await mint(ec, 'ES256', 'ec-1', baseClaims()), 'alg_not_allowed', { expectations: { ...BASE_EXPECT, algorithms: ['RS256'] } });
add(
  'crit header extension',
  'reject unknown critical headers',
  await mint(rsa, 'RS256', 'rsa-1', baseClaims(), { crit: ['urn:example:policy'], 'urn:example:policy': 1 }, { crit: { 'urn:example:policy': true } }),
  'unsupported_critical_header',
);

// Key selection and key restrictions.
add('unknown kid', 'key selection', await mint(rsa, 'RS256', 'rsa-2', baseClaims()), 'no_matching_key');
add('no kid and no key of the right type', 'key selection', await mint(ec, 'ES256', undefined, baseClaims()), 'no_matching_key', { jwks: 'rsa_only' });
add('RS256 naming an EC key', 'key selection', await mint(rsa, 'RS256', 'ec-1', baseClaims()), 'key_type_mismatch');
add('key with use enc', 'key use forbids', await mint(rsaEnc, 'RS256', 'enc-1', baseClaims()), 'key_use_forbidden');
add('key with use enc, no kid', 'key use forbids', await mint(rsaEnc, 'RS256', undefined, baseClaims()), 'key_use_forbidden', { jwks: 'nokid_forbidden' });
add('key with alg RS512 verifying RS256', 'key alg forbids', await mint(rsa512, 'RS256', 'rs512-1', baseClaims()), 'key_alg_mismatch');
add('key with key_ops [sign]', 'key_ops forbids', await mint(ecOps, 'ES256', 'ops-1', baseClaims()), 'key_ops_forbidden');
add('1024-bit RSA key', 'weak keys', nodeMint(weak.privateKey, 'RS256', 'rsa-weak', baseClaims()), 'invalid_key');
add('published key with private material', 'private keys', await mint(edPriv, 'EdDSA', 'priv-1', baseClaims()), 'invalid_key');

// Signatures.
add('RS256 signed by another key under the same kid', 'signature', await mint(rsaOther, 'RS256', 'rsa-1', baseClaims()), 'bad_signature');
add('ES256 signed by another key under the same kid', 'signature', await mint(ecOther, 'ES256', 'ec-1', baseClaims()), 'bad_signature');
add('EdDSA signed by another key under the same kid', 'signature', await mint(edOther, 'EdDSA', 'ed-1', baseClaims()), 'bad_signature');
add('ES256 with a DER signature instead of r||s', 'signature', nodeMint(ec.privateKey, 'ES256', 'ec-1', baseClaims(), 'der'), 'bad_signature');
{
  const good = await mint(rsa, 'RS256', 'rsa-1', baseClaims());
  const [h, , s] = good.split('.');
  add('payload swapped after signing', 'signature', `${h}.${b64(JSON.stringify({ ...baseClaims(), sub: 'admin' }))}.${s}`, 'bad_signature');
  add('empty signature', 'signature', `${h}.${good.split('.')[1]}.`, 'bad_signature');
  // Size bound: 32 KiB.
  const big = await mint(rsa, 'RS256', 'rsa-1', { ...baseClaims(), pad: 'x'.repeat(33 * 1024) });
  add('token over 32 KiB, validly signed', 'size bound', big, 'token_too_large');
  // Strict compact serialization.
  const parts = good.split('.');
  add('two parts', 'strict jws', `${parts[0]}.${parts[1]}`, 'malformed_token');
  add('four parts', 'strict jws', `${good}.${parts[2]}`, 'malformed_token');
  add('padding in a part', 'strict base64url', `${parts[0]}.${parts[1]}.${parts[2]}==`, 'malformed_token');
  add('standard base64 alphabet', 'strict base64url', `${parts[0]}.${parts[1]}.${parts[2].replace(/-/g, '+').replace(/_/g, '/')}${/[-_]/.test(parts[2]) ? '' : '+'}`, 'malformed_token');
  add('header is not json', 'strict jws', `${b64('{alg:RS256}')}.${parts[1]}.${parts[2]}`, 'malformed_token');
}
add('payload is not a json object', 'strict jws', await new CompactSign(enc.encode('["not","claims"]')).setProtectedHeader(header('EdDSA', 'ed-1')).sign(ed.privateKey), 'malformed_token');

// Claims.
const T = (claims, alg = 'EdDSA', kid = 'ed-1', key = ed) => mint(key, alg, kid, claims);
add('wrong iss', 'iss', await T({ ...baseClaims(), iss: 'https://evil.example' }), 'issuer_mismatch');
add('no iss', 'iss', await T(without(baseClaims(), 'iss')), 'missing_claim');
add('aud is another client', 'aud', await T({ ...baseClaims(), aud: 'other-client' }), 'audience_mismatch');
add('untrusted extra audience', 'aud', await T({ ...baseClaims(), aud: [CLIENT, 'https://api.example'], azp: CLIENT }), 'untrusted_audience');
add('several audiences without azp', 'azp', await T({ ...baseClaims(), aud: [CLIENT, 'https://api.example'] }), 'azp_mismatch', { expectations: { ...BASE_EXPECT, trusted_audiences: ['https://api.example'] } });
add('azp is another client', 'azp', await T({ ...baseClaims(), azp: 'other-client' }), 'azp_mismatch');
add('expired 61 s ago', 'exp', await T({ ...baseClaims(), exp: NOW - 61, iat: NOW - 700 }), 'token_expired');
add('exp is a string', 'exp', await T({ ...baseClaims(), exp: String(NOW + 600) }), 'invalid_claim');
add('no exp', 'exp', await T(without(baseClaims(), 'exp')), 'missing_claim');
add('nbf 2 minutes ahead', 'nbf', await T({ ...baseClaims(), nbf: NOW + 120 }), 'token_not_yet_valid');
add('iat 2 minutes ahead', 'iat', await T({ ...baseClaims(), iat: NOW + 120 }), 'issued_in_future');
add('no iat', 'iat', await T(without(baseClaims(), 'iat')), 'missing_claim');
add('no sub', 'sub', await T(without(baseClaims(), 'sub')), 'missing_claim');
add('another nonce', 'nonce', await T({ ...baseClaims(), nonce: 'n-replayed' }), 'nonce_mismatch');
add('no nonce', 'nonce', await T(without(baseClaims(), 'nonce')), 'nonce_mismatch');
add('acr below the required one', 'acr', await T({ ...stepUpClaims(), acr: 'pwd' }), 'acr_not_satisfied', { expectations: STEP_UP_EXPECT });
add('no acr although required', 'acr', await T(without(stepUpClaims(), 'acr')), 'acr_not_satisfied', { expectations: STEP_UP_EXPECT });
add('no auth_time although max_age was sent', 'auth_time', await T(without(stepUpClaims(), 'auth_time')), 'missing_claim', { expectations: STEP_UP_EXPECT });
add('auth_time older than max_age plus skew', 'auth_time', await T({ ...stepUpClaims(), auth_time: NOW - 361 }), 'auth_time_too_old', { expectations: STEP_UP_EXPECT });
add('auth_time at max_age plus skew', 'auth_time', await T({ ...stepUpClaims(), auth_time: NOW - 360 }), 'ok', {
  expectations: STEP_UP_EXPECT,
  claims: { alg: 'EdDSA', kid: 'ed-1', sub: 'user-7f3c', aud: [CLIENT], acr: 'liveID push', auth_time: NOW - 360 },
});
add('amr is not an array', 'amr', await T({ ...stepUpClaims(), amr: 'face' }), 'invalid_claim', { expectations: STEP_UP_EXPECT });

// JOSE header `typ` (RFC 8725 section 3.11: explicit typing against token confusion).
const mintHeader = (key, protectedHeader, claims) =>
  new CompactSign(enc.encode(JSON.stringify(claims))).setProtectedHeader(protectedHeader).sign(key.privateKey);
const typOk = (alg, kid) => ({ claims: okClaims(alg, kid) });
add('typ absent', 'typ', await mintHeader(rsa, { alg: 'RS256', kid: 'rsa-1' }, baseClaims()), 'ok', typOk('RS256', 'rsa-1'));
add('typ jwt in lower case', 'typ', await mintHeader(ec, { alg: 'ES256', kid: 'ec-1', typ: 'jwt' }, baseClaims()), 'ok', typOk('ES256', 'ec-1'));
add('typ application/jwt', 'typ', await mintHeader(ed, { alg: 'EdDSA', kid: 'ed-1', typ: 'application/jwt' }, baseClaims()), 'ok', typOk('EdDSA', 'ed-1'));
for (const typ of ['at+jwt', 'application/at+jwt', 'logout+jwt', 'JOSE+JSON', 'dpop+jwt']) {
  add(`typ ${typ} (another kind of token)`, 'typ', await mintHeader(rsa, { alg: 'RS256', kid: 'rsa-1', typ }, baseClaims()), 'unexpected_typ');
}

// at_hash / c_hash (OpenID Connect Core 3.1.3.8, 3.3.2.11): left half of the
// hash of the alg (SHA-256 for RS256/ES256, SHA-512 for EdDSA with Ed25519).
const ACCESS_TOKEN = 'SlAV32hkKG.at-0S6_WzA2Mj';
const CODE = 'Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk';
const half = (hash, value) => {
  const d = createHash(hash).update(value, 'ascii').digest();
  return base64url.encode(d.subarray(0, d.length / 2));
};
const HASH_EXPECT = { ...BASE_EXPECT, access_token: ACCESS_TOKEN, code: CODE };
const withHashes = (hash, extra = {}) => ({ ...baseClaims(), at_hash: half(hash, ACCESS_TOKEN), c_hash: half(hash, CODE), ...extra });
const hashOk = (alg, kid) => ({ expectations: HASH_EXPECT, claims: okClaims(alg, kid) });
add('at_hash and c_hash, RS256 (SHA-256)', 'at_hash/c_hash', await mint(rsa, 'RS256', 'rsa-1', withHashes('sha256')), 'ok', hashOk('RS256', 'rsa-1'));
add('at_hash and c_hash, ES256 (SHA-256)', 'at_hash/c_hash', await mint(ec, 'ES256', 'ec-1', withHashes('sha256')), 'ok', hashOk('ES256', 'ec-1'));
add('at_hash and c_hash, EdDSA (SHA-512)', 'at_hash/c_hash', await mint(ed, 'EdDSA', 'ed-1', withHashes('sha512')), 'ok', hashOk('EdDSA', 'ed-1'));
add('at_hash and c_hash, Ed25519 (SHA-512)', 'at_hash/c_hash', await mint(ed, 'Ed25519', 'ed-1', withHashes('sha512')), 'ok', hashOk('Ed25519', 'ed-1'));
add('no at_hash or c_hash: accepted in the code flow', 'at_hash/c_hash', await mint(ec, 'ES256', 'ec-1', baseClaims()), 'ok', hashOk('ES256', 'ec-1'));
add('at_hash of another access token', 'at_hash/c_hash', await mint(rsa, 'RS256', 'rsa-1', withHashes('sha256', { at_hash: half('sha256', 'another-access-token') })), 'hash_mismatch', { expectations: HASH_EXPECT });
add('c_hash of another code', 'at_hash/c_hash', await mint(ec, 'ES256', 'ec-1', withHashes('sha256', { c_hash: half('sha256', 'another-code') })), 'hash_mismatch', { expectations: HASH_EXPECT });
add('EdDSA token with SHA-256 hashes', 'at_hash/c_hash', await mint(ed, 'EdDSA', 'ed-1', withHashes('sha256')), 'hash_mismatch', { expectations: HASH_EXPECT });
add('at_hash of the full SHA-256 instead of its left half', 'at_hash/c_hash', await mint(rsa, 'RS256', 'rsa-1', withHashes('sha256', { at_hash: base64url.encode(createHash('sha256').update(ACCESS_TOKEN).digest()) })), 'hash_mismatch', { expectations: HASH_EXPECT });
add('wrong hashes, but no access token or code to check them with', 'at_hash/c_hash', await mint(rsa, 'RS256', 'rsa-1', withHashes('sha256', { at_hash: 'AAAAAAAAAAAAAAAAAAAAAA', c_hash: 'AAAAAAAAAAAAAAAAAAAAAA' })), 'ok', { claims: okClaims('RS256', 'rsa-1') });

const doc = {
  description:
    'ID tokens minted by npm jose (and node:crypto where jose refuses) for every algorithm and every rejection rule of validate_id_token. Regenerate with `node tests/vectors/oidc/gen.mjs`.',
  generator: `tests/vectors/oidc/gen.mjs with jose ${joseVersion} on node ${process.versions.node}`,
  now: NOW,
  max_id_token_bytes: 32768,
  jwks,
  cases,
};
writeFileSync(out, JSON.stringify(doc, null, 1) + '\n');
console.log(`wrote ${cases.length} cases to ${out.pathname}`);
