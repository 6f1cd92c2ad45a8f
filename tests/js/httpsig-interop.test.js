// RFC 9421 against an independent implementation, both ways: PyPI
// http-message-signatures (installed by scripts/setup.sh --test) verifies what
// the core signs, and the core verifies what it signs, for Ed25519, ECDSA
// P-256 and HMAC-SHA256 on fresh keys, with content-digest (RFC 9530) over
// the body; RSA-PSS only one way (the wasm module verifies RSA, it signs RSA
// only when built with `httpsig-rsa-sign`). Each side also refuses a changed
// body, so a verifier that accepts anything fails here.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import * as k from '../../pkg/node.js';
import { root } from './hosts.js';

const py = spawn('python3', [join(root, 'tests', 'js', 'interop', 'httpsig_py.py')], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: py.stdout });
const waiting = [];
lines.on('line', (l) => waiting.shift()(JSON.parse(l)));
/** One request to the python side. */
const python = (req) => new Promise((resolve) => {
  waiting.push(resolve);
  py.stdin.write(`${JSON.stringify(req)}\n`);
});
after(() => py.stdin.end());

const nowS = () => Math.floor(Date.now() / 1000);
const pem = (kp) => ({
  public: kp.publicKey.export({ type: 'spki', format: 'pem' }),
  private: kp.privateKey.export({ type: 'pkcs8', format: 'pem' }),
});
const hmacSecret = randomBytes(32).toString('base64');
const KEYS = {
  ed25519: pem(generateKeyPairSync('ed25519')),
  'ecdsa-p256-sha256': pem(generateKeyPairSync('ec', { namedCurve: 'P-256' })),
  'hmac-sha256': { public: hmacSecret, private: hmacSecret },
};
const coreKey = (alg, part) => (alg === 'hmac-sha256' ? { keyid: 'k1', secret: KEYS[alg][part] } : { keyid: 'k1', pem: KEYS[alg][part] });
const REQUIRED = ['@method', '@target-uri', 'content-digest'];
const COMPONENTS = ['@method', '@target-uri', '@authority', 'content-type', 'content-digest'];

function request(body) {
  return {
    method: 'POST',
    url: `https://kosmos.example.com/v1/descope/risk?n=${randomBytes(4).toString('hex')}`,
    headers: { 'content-type': 'application/json', 'content-digest': k.contentDigest(body) },
  };
}

for (const alg of Object.keys(KEYS)) {
  test(`${alg}: the core signs, http-message-signatures verifies (and refuses a changed body)`, async () => {
    const body = JSON.stringify({ riskInfo: { riskScore: Math.random() }, note: 'é' });
    const msg = request(body);
    const now = nowS();
    const signer = k.createHttpSignatureVerifier({ keys: [coreKey(alg, 'private')], required_components: REQUIRED });
    const s = signer.sign(msg, { keyid: 'k1', components: COMPONENTS, created: now, expires: now + 300, nonce: randomBytes(12).toString('base64url') });
    const signed = { ...msg, headers: { ...msg.headers, 'signature-input': s.signature_input, signature: s.signature } };
    const ok = await python({ op: 'verify', alg, keyid: 'k1', key: KEYS[alg].public, message: signed, body });
    assert.equal(ok.ok, true, ok.error);
    assert.deepEqual(ok.components, [...COMPONENTS, '@signature-params'].map((c) => `"${c}"`));
    const changed = await python({ op: 'verify', alg, keyid: 'k1', key: KEYS[alg].public, message: signed, body: `${body} ` });
    assert.equal(changed.ok, false);
    // And the core verifies its own signature.
    const verifier = k.createHttpSignatureVerifier({ keys: [coreKey(alg, 'public')], required_components: REQUIRED });
    assert.equal(verifier.verify(signed, body, now).keyid, 'k1');
  });

  test(`${alg}: http-message-signatures signs, the core verifies (and refuses a changed body)`, async () => {
    const body = JSON.stringify({ challenge_id: randomBytes(8).toString('hex') });
    const msg = { method: 'POST', url: 'https://kosmos.example.com/v1/descope/step-up-result', headers: { 'content-type': 'application/json' } };
    const now = nowS();
    // With `body`, the library adds Content-Digest itself and covers it.
    const out = await python({ op: 'sign', alg, keyid: 'k1', key: KEYS[alg].private, message: msg, body, components: ['@method', '@target-uri', 'content-type'], created: now, expires: now + 300, nonce: 'n-1' });
    assert.equal(out.error, undefined, out.error);
    assert.ok(out.headers['content-digest'], JSON.stringify(out.headers));
    assert.match(out.headers['signature-input'], /content-digest/);
    const verifier = k.createHttpSignatureVerifier({ keys: [coreKey(alg, 'public')], required_components: REQUIRED, require_expires: true });
    const v = verifier.verify({ ...msg, headers: out.headers }, body, now);
    assert.equal(v.keyid, 'k1');
    assert.equal(v.nonce, 'n-1');
    assert.equal(v.replay.kind, 'nonce');
    assert.throws(() => verifier.verify({ ...msg, headers: out.headers }, `${body} `, now), (e) => e.code === 'digest_mismatch');
    const other = { ...out.headers, 'content-type': 'text/plain' };
    assert.throws(() => verifier.verify({ ...msg, headers: other }, body, now), (e) => e.code === 'bad_signature');
  });
}

test('rsa-pss-sha512: http-message-signatures signs, the core verifies; the wasm module refuses RSA private keys', async () => {
  const kp = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
  const body = '{"session_id":"ses_1"}';
  const msg = { method: 'POST', url: 'https://kosmos.example.com/v1/descope/idv-result', headers: { 'content-type': 'application/json' } };
  const now = nowS();
  const out = await python({ op: 'sign', alg: 'rsa-pss-sha512', keyid: 'k1', key: kp.private, message: msg, body, components: ['@method', '@target-uri'], created: now, expires: now + 60 });
  assert.equal(out.error, undefined, out.error);
  const verifier = k.createHttpSignatureVerifier({ keys: [{ keyid: 'k1', alg: 'rsa-pss-sha512', pem: kp.public }], required_components: REQUIRED });
  assert.equal(verifier.verify({ ...msg, headers: out.headers }, body, now).alg, 'rsa-pss-sha512');
  assert.throws(() => verifier.verify({ ...msg, headers: out.headers }, '{}', now), (e) => e.code === 'digest_mismatch');
  assert.throws(() => k.createHttpSignatureVerifier({ keys: [{ keyid: 'k1', pem: kp.private }] }), (e) => e.code === 'unsupported' && /httpsig-rsa-sign/.test(e.message));
});
