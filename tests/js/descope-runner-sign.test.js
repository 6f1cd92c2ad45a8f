// The local Descope flow runner signs connector calls with RFC 9421 itself
// (node:crypto, not our package): its signer reproduces the RFC's Appendix
// B.2.5 signature exactly, covers content-digest (RFC 9530) when asked, and
// its Ed25519 / ECDSA P-256 signatures verify with node:crypto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signRfc9421 } from '../../examples/descope/runner/flow-runner.mjs';
import { root } from './hosts.js';

const V = JSON.parse(readFileSync(join(root, 'tests', 'vectors', 'descope-rfc9421-runner.json'), 'utf8'));

test('RFC 9421 B.2.5 (hmac-sha256): the signature base and the signature are the RFC\'s', () => {
  const b = V.b25;
  const out = signRfc9421({
    ...b.message, alg: 'hmac-sha256', key: Buffer.from(b.key_base64, 'base64'), keyId: b.key_id,
    components: b.components, created: b.created, nonce: false, label: b.label,
  });
  assert.equal(out.base, b.signature_base);
  assert.equal(out['signature-input'], b.signature_input);
  assert.equal(out.signature, b.signature);
  // One covered byte changed -> another signature.
  const other = signRfc9421({
    ...b.message, headers: { ...b.message.headers, 'Content-Type': 'application/jsonx' }, alg: 'hmac-sha256',
    key: Buffer.from(b.key_base64, 'base64'), keyId: b.key_id, components: b.components, created: b.created, nonce: false, label: b.label,
  });
  assert.notEqual(other.signature, b.signature);
});

test('connector defaults: @method @target-uri @authority content-digest, expires from the ttl, a fresh nonce', () => {
  const body = '{"user_id":"U1"}';
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const a = signRfc9421({ method: 'post', url: 'https://kosmos.example.com/v1/descope/risk', headers: { 'content-type': 'application/json' }, body,
    alg: 'ed25519', key: privateKey, keyId: 'descope-connector', components: ['@method', '@target-uri', '@authority', 'content-digest'], created: 1700000000, ttl: 300 });
  assert.equal(a['content-digest'], `sha-256=:${createHash('sha256').update(body).digest('base64')}:`);
  assert.match(a['signature-input'], /^sig1=\("@method" "@target-uri" "@authority" "content-digest"\);created=1700000000;expires=1700000300;keyid="descope-connector";nonce="[A-Za-z0-9_-]{22}"$/);
  assert.ok(a.base.startsWith('"@method": POST\n"@target-uri": https://kosmos.example.com/v1/descope/risk\n"@authority": kosmos.example.com\n"content-digest": sha-256=:'));
  const sig = Buffer.from(/^sig1=:(.*):$/.exec(a.signature)[1], 'base64');
  assert.ok(verify(null, Buffer.from(a.base), publicKey, sig));
  const b = signRfc9421({ method: 'POST', url: 'https://kosmos.example.com/v1/descope/risk', headers: {}, body, alg: 'ed25519', key: privateKey, created: 1700000000 });
  assert.notEqual(/nonce="([^"]+)"/.exec(a['signature-input'])[1], /nonce="([^"]+)"/.exec(b['signature-input'])[1]);
});

test('ECDSA P-256 signatures are r||s (64 bytes) and verify', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const s = signRfc9421({ method: 'POST', url: 'https://w.example/v1/descope/idv', headers: {}, body: '{}', alg: 'ecdsa-p256-sha256', key: privateKey, created: 1 });
  const raw = Buffer.from(/^sig1=:(.*):$/.exec(s.signature)[1], 'base64');
  assert.equal(raw.length, 64);
  assert.ok(verify('sha256', Buffer.from(s.base), { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw));
});

test('an unknown algorithm or a missing covered field is refused', () => {
  assert.throws(() => signRfc9421({ method: 'POST', url: 'https://w.example/', headers: {}, alg: 'rsa-v1_5-sha1', key: Buffer.from('k'), created: 1 }), /unknown algorithm/);
  assert.throws(() => signRfc9421({ method: 'POST', url: 'https://w.example/', headers: {}, alg: 'hmac-sha256', key: Buffer.from('k'), components: ['date'], created: 1 }), /no `date` field/);
});
