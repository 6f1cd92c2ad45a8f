// The envelope against an independent implementation: Node's crypto
// (createECDH + aes-256-gcm with a 16-byte IV), with fresh keys each run,
// both directions, both curves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k from '../../pkg/node.js';
import { nodeEnvelope, nodeKeyPair } from './kosmos-standin.js';

const MESSAGES = ['', 'lic-0123', JSON.stringify({ ts: 1700000000, appid: 'a', uuid: 'u' }), 'é😀'.repeat(100), 'x'.repeat(70000)];

for (const curve of ['secp256k1', 'p256']) {
  test(`${curve}: Node seals, we open; we seal, Node opens`, () => {
    for (let round = 0; round < 5; round += 1) {
      const node = nodeKeyPair(curve);
      const ours = k.generateKeyPair(curve);
      assert.equal(ours.curve, curve);
      assert.equal(Buffer.from(ours.publicKey, 'base64').length, 64);
      const nodeSide = nodeEnvelope(curve, node.privateKey, ours.publicKey);
      const ourKeys = { curve, privateKey: ours.privateKey, peerPublicKey: node.publicKey };
      for (const m of MESSAGES) {
        assert.equal(k.envelopeOpen(ourKeys, nodeSide.seal(m)), m);
        const sealed = k.envelopeSeal(ourKeys, m);
        assert.equal(Buffer.from(sealed, 'base64').length, 16 + Buffer.byteLength(m) + 16);
        assert.equal(nodeSide.open(sealed), m);
      }
      // Node's private key read by us gives Node's public key.
      assert.equal(k.publicKeyOf(node.privateKey.toString('base64'), curve), node.publicKey);
    }
  });

  test(`${curve}: what Node tampers or truncates we reject, and the reverse`, () => {
    const node = nodeKeyPair(curve);
    const ours = k.generateKeyPair(curve);
    const nodeSide = nodeEnvelope(curve, node.privateKey, ours.publicKey);
    const ourKeys = { curve, privateKey: ours.privateKey, peerPublicKey: node.publicKey };
    const raw = Buffer.from(nodeSide.seal('{"license":"x"}'), 'base64');
    for (const i of [0, 15, 16, raw.length - 17, raw.length - 1]) {
      const t = Buffer.from(raw);
      t[i] ^= 0x40;
      assert.throws(() => k.envelopeOpen(ourKeys, t.toString('base64')), { name: 'KosmosError', code: 'decrypt_failed' });
    }
    assert.throws(() => k.envelopeOpen(ourKeys, raw.subarray(0, raw.length - 1).toString('base64')), { code: 'decrypt_failed' });
    assert.throws(() => k.envelopeOpen(ourKeys, raw.subarray(0, 31).toString('base64')), { code: 'bad_ciphertext' });
    const ourRaw = Buffer.from(k.envelopeSeal(ourKeys, 'hello'), 'base64');
    ourRaw[20] ^= 1;
    assert.throws(() => nodeSide.open(ourRaw.toString('base64')), /unable to authenticate|Unsupported state/);
  });
}

// --- the BlockID stand-in (www/sandbox/blockid.mjs) ---------------------------
// The stand-in seals and opens with www/sandbox/envelope.mjs (node:crypto
// only); the package's profile talks to it over loopback, so each request
// crosses the package -> node:crypto direction three times (licensekey,
// requestid, data) and each answer node:crypto -> package once.

import { readFileSync } from 'node:fs';
import { envelope, envelopeKeyPair } from '../../www/sandbox/envelope.mjs';
import { startBlockId } from '../../www/sandbox/blockid.mjs';

test('the BlockID stand-in and its envelope import nothing from the package', () => {
  for (const f of ['blockid.mjs', 'envelope.mjs', 'http.mjs']) {
    const src = readFileSync(new URL(`../../www/sandbox/${f}`, import.meta.url), 'utf8');
    const imports = [...src.matchAll(/^\s*import\s[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    for (const i of imports) assert.ok(i.startsWith('node:') || i.startsWith('./'), `${f} imports ${i}`);
  }
});

for (const curve of ['secp256k1', 'p256']) {
  test(`${curve}: the package and the stand-in's node:crypto envelope, both directions, tamper refused`, () => {
    const service = envelopeKeyPair(curve);
    const ours = k.generateKeyPair(curve);
    const sandbox = envelope(curve, service.privateKey, ours.publicKey);
    const ourKeys = { curve, privateKey: ours.privateKey, peerPublicKey: service.publicKey };
    for (const m of MESSAGES) {
      assert.equal(sandbox.open(k.envelopeSeal(ourKeys, m)), m, 'package seals, node:crypto opens');
      assert.equal(k.envelopeOpen(ourKeys, sandbox.seal(m)), m, 'node:crypto seals, package opens');
    }
    assert.equal(k.publicKeyOf(service.privateKey, curve), service.publicKey, 'the same key encoding');
    const fromUs = Buffer.from(k.envelopeSeal(ourKeys, '{"a":1}'), 'base64');
    const fromSandbox = Buffer.from(sandbox.seal('{"a":1}'), 'base64');
    for (const i of [0, 15, 16, fromUs.length - 1]) {
      const t = Buffer.from(fromUs);
      t[i] ^= 0x01;
      assert.throws(() => sandbox.open(t.toString('base64')), 'node:crypto refuses a tampered package seal');
      const u = Buffer.from(fromSandbox);
      u[i] ^= 0x01;
      assert.throws(() => k.envelopeOpen(ourKeys, u.toString('base64')), { code: 'decrypt_failed' });
    }
    const stranger = envelopeKeyPair(curve);
    assert.throws(() => envelope(curve, stranger.privateKey, ours.publicKey).open(k.envelopeSeal(ourKeys, 'x')), 'another key cannot open');
  });
}

test('over loopback: the package profile against the node:crypto BlockID stand-in, both directions', async () => {
  const tenant = await startBlockId();
  const ours = k.generateKeyPair('secp256k1');
  const vars = tenant.workerVars(ours.privateKey);
  const config = {
    profile: 'blockid-tenant',
    ...JSON.parse(vars.KOSMOS_TENANT),
    license_key: vars.KOSMOS_LICENSE_KEY,
    private_key: ours.privateKey,
  };
  try {
    const session = await k.kosmosCall(config, {
      operation: 'create_idv_session', document_types: ['passport'], liveness_mode: 'passive', metadata: { user_uid: 'interop@test', did: 'did:test:1' },
    }, { maxRetries: 0 });
    assert.ok(tenant.state.sessions.has(session.session_id), 'the stand-in opened the sealed create and the package opened its sealed answer');
    assert.equal(tenant.state.sessions.get(session.session_id).user, 'interop@test');
    let result;
    for (let i = 0; i < 3; i += 1) result = await k.kosmosCall(config, { operation: 'read_idv_result', session_id: session.session_id }, { maxRetries: 0 });
    assert.equal(result.status, 'completed');
    assert.equal(result.ial_level, 'IAL2');
    assert.equal(tenant.state.requests, 4);
    assert.equal(tenant.state.opened, 4 * 3, 'licensekey, requestid and data of each request opened by node:crypto');
    assert.equal(tenant.state.refused, 0);

    // Package -> stand-in, tampered: the sealed data has one bit flipped on the way.
    const tamperRequest = async (url, init) => {
      const body = JSON.parse(init.body);
      const raw = Buffer.from(body.data, 'base64');
      raw[raw.length - 1] ^= 0x01;
      return fetch(url, { ...init, body: JSON.stringify({ data: raw.toString('base64') }) });
    };
    await assert.rejects(
      k.kosmosCall(config, { operation: 'read_idv_result', session_id: session.session_id }, { maxRetries: 0, fetch: tamperRequest }),
      (e) => e.name === 'KosmosError' && e.details?.status === 401,
    );
    assert.equal(tenant.state.refused, 1, 'the stand-in refused the tampered data');

    // Stand-in -> package, tampered: the sealed answer has one bit flipped.
    const tamperAnswer = async (url, init) => {
      const r = await fetch(url, init);
      const body = await r.json();
      const raw = Buffer.from(body.data, 'base64');
      raw[20] ^= 0x01;
      return new Response(JSON.stringify({ data: raw.toString('base64') }), { status: r.status, headers: { 'content-type': 'application/json' } });
    };
    await assert.rejects(
      k.kosmosCall(config, { operation: 'read_idv_result', session_id: session.session_id }, { maxRetries: 0, fetch: tamperAnswer }),
      (e) => e.name === 'KosmosError' && e.code === 'malformed_response' && /failed authentication/.test(e.message),
    );
  } finally {
    await tenant.close();
  }
});
