// The host-digest path in Node (node:crypto computes the HMAC, the core does
// everything else) against the pure WebAssembly path (`digest: 'wasm'`):
// the whole shared webhook suite, the published vectors and the
// standardwebhooks/svix interop give identical results both ways; the host
// path is really taken; no key material shows anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import * as k from '../../pkg/node.js';
import { call } from '../../pkg/core.js';
import { hostDigest, setHostDigest } from '../../pkg/host-digest.js';
import { nodeDigest } from '../../pkg/node-digest.js';
import { loadVectors } from './hosts.js';
import { suites } from './suite/index.js';

const vectors = loadVectors();
const STD = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

/** The package with every verifier forced onto the wasm path. */
const wasmOnly = { ...k, createWebhookVerifier: (config, options = {}) => k.createWebhookVerifier(config, { ...options, digest: 'wasm' }) };

/** node:crypto behind a provider that counts its calls and keeps what importKey got. */
function counting() {
  const c = { keys: 0, macs: 0, imported: [] };
  c.provider = {
    name: 'counting node:crypto',
    importKey: (bytes) => {
      c.keys += 1;
      c.imported.push(bytes);
      return nodeDigest.importKey(bytes);
    },
    hmacSha256: (...args) => {
      c.macs += 1;
      return nodeDigest.hmacSha256(...args);
    },
    byteLength: (text) => nodeDigest.byteLength(text),
  };
  return c;
}

/** Runs `fn` with `provider` registered, then puts node:crypto back. */
async function withProvider(provider, fn) {
  const before = hostDigest();
  setHostDigest(provider);
  try {
    return await fn();
  } finally {
    setHostDigest(before);
  }
}

async function runSuite(pkg) {
  const out = [];
  for (const c of suites.webhook) {
    try {
      const trap = () => call((g) => g.__kosmosSelfTestTrap());
      const result = await c.run(pkg, { host: 'node', vectors, trap });
      out.push({ name: c.name, ok: true, result: JSON.parse(JSON.stringify(result ?? null)) });
    } catch (e) {
      out.push({ name: c.name, ok: false, error: `${e.name}: ${e.message}` });
    }
  }
  return out;
}

const outcome = (fn) => {
  try {
    return { ok: fn() };
  } catch (e) {
    assert.ok(e instanceof k.KosmosError, `${e}`);
    return { code: e.code, field: e.field ?? null, message: e.message };
  }
};

test('the Node entry registers node:crypto, and HMAC verifiers use it', () => {
  assert.equal(hostDigest(), nodeDigest);
  const v = vectors.webhooks.standard_webhooks_v1a[0];
  const configs = [
    [{ scheme: 'standard', secrets: [STD] }, 'host'],
    [{ scheme: 'descope', secrets: ['k'] }, 'host'],
    [{ scheme: 'timestamped_hex', secrets: ['k'], header: 'x-sig' }, 'host'],
    [{ scheme: 'sha256_hex', secrets: ['k'] }, 'host'],
    [{ scheme: 'standard', secrets: [`whpk_${v.public_key_b64}`] }, 'wasm'],
    [{ scheme: 'standard', secrets: [STD, `whsk_${v.secret_key_seed_b64}`] }, 'wasm'],
  ];
  for (const [config, digest] of configs) {
    assert.equal(k.createWebhookVerifier(config).digest, digest, JSON.stringify(config));
    assert.equal(k.createWebhookVerifier(config, { digest: 'wasm' }).digest, 'wasm');
    assert.equal(k.createWebhookVerifier(config, { digest: 'auto' }).digest, digest);
  }
  for (const options of [{ digest: 'host' }, { digest: 'WASM' }, null, 'wasm']) {
    assert.throws(() => k.createWebhookVerifier(configs[0][0], options), (e) => e.code === 'invalid_argument', JSON.stringify(options));
  }
  assert.throws(() => setHostDigest({ importKey() {} }), TypeError);
});

test('every case of the shared webhook suite gives the same results with the host digest and with wasm', async () => {
  const c = counting();
  const host = await withProvider(c.provider, () => runSuite(k));
  const macsOnHost = c.macs;
  const wasm = await withProvider(c.provider, () => runSuite(wasmOnly));
  assert.equal(host.length, suites.webhook.length);
  for (const [i, r] of host.entries()) {
    assert.ok(r.ok, `host: ${r.name}: ${r.error}`);
    assert.ok(wasm[i].ok, `wasm: ${wasm[i].name}: ${wasm[i].error}`);
    assert.deepEqual(r.result, wasm[i].result, r.name);
  }
  // The host path was taken by the first run (keys imported, MACs computed
  // by the provider), never by the second.
  assert.ok(c.keys > 20 && macsOnHost > 100, `${c.keys} keys, ${macsOnHost} MACs`);
  assert.equal(c.macs, macsOnHost, 'digest: wasm never calls the host');
});

test('published vectors (Standard Webhooks Rust/Go, GitHub) and standardwebhooks/svix signatures verify both ways', async () => {
  const w = vectors.webhooks;
  for (const digest of ['auto', 'wasm']) {
    const c = counting();
    await withProvider(c.provider, () => {
      for (const v of w.standard_webhooks_v1) {
        const wh = k.createWebhookVerifier({ scheme: 'standard', secrets: [v.secret] }, { digest });
        const headers = { 'webhook-id': v.id, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature };
        assert.deepEqual(wh.verify(headers, v.body, v.timestamp), { id: v.id, timestamp: v.timestamp, remember_until: v.timestamp + 300 });
        assert.deepEqual(wh.verify(headers, new TextEncoder().encode(v.body), v.timestamp).id, v.id);
        assert.equal(outcome(() => wh.verify(headers, `${v.body} `, v.timestamp)).code, 'no_matching_signature');
      }
      const g = w.github_sha256[0];
      const gh = k.createWebhookVerifier({ scheme: 'sha256_hex', secrets: [g.secret] }, { digest });
      assert.match(gh.verify({ [g.header]: g.signature }, g.body, 0).id, /^sha256_hex_[0-9a-f]{32}$/);
      for (const v of w.interop) {
        const wh = k.createWebhookVerifier({ scheme: 'standard', secrets: [v.secret] }, { digest });
        const p = v.lib === 'svix' ? 'svix' : 'webhook';
        const headers = { [`${p}-id`]: v.id, [`${p}-timestamp`]: String(v.timestamp), [`${p}-signature`]: v.signature };
        assert.equal(wh.verify(headers, v.body, v.timestamp + 5).id, v.id);
      }
    });
    const expected = w.standard_webhooks_v1.length * 3 + 1 + w.interop.length;
    assert.equal(c.macs, digest === 'auto' ? expected : 0, `${digest}: host MACs`);
  }
});

test('bodies of every shape and edge give the same answers both ways', () => {
  const configs = [
    { scheme: 'standard', secrets: [STD, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] },
    { scheme: 'descope', secrets: ['k1', 'k2'] },
    { scheme: 'timestamped_hex', secrets: ['a'], header: 'x-sig', template: 'v0:{body}:{t}' },
    { scheme: 'sha256_hex', secrets: ['k'] },
  ];
  const texts = ['', 'plain', '{"a":1}', '\uFEFF{"a":1}', 'é€😀', 'lone \uD800 surrogate \uDC00', '\u2028\u0000', 'x'.repeat(70_000)];
  const enc = new TextEncoder();
  let compared = 0;
  for (const config of configs) {
    const host = k.createWebhookVerifier(config);
    const wasm = k.createWebhookVerifier(config, { digest: 'wasm' });
    assert.equal(host.digest, 'host');
    for (const text of texts) {
      const headers = wasm.sign(text, { id: 'msg_1', timestamp: 1000 });
      const bytes = enc.encode(text);
      const padded = new Uint8Array(bytes.length + 8);
      padded.set(bytes, 3);
      const bodies = [
        text,
        bytes,
        bytes.buffer,
        padded.subarray(3, 3 + bytes.length),
        new DataView(padded.buffer, 3, bytes.length),
        `${text}!`,
        bytes.subarray(0, Math.max(0, bytes.length - 1)),
      ];
      for (const body of bodies) {
        for (const now of [1000, 1301, 600]) {
          assert.deepEqual(outcome(() => host.verify(headers, body, now)), outcome(() => wasm.verify(headers, body, now)), `${config.scheme} ${JSON.stringify(text).slice(0, 40)}`);
          compared += 1;
        }
      }
      assert.ok(host.verify(headers, text, 1000), 'genuine');
    }
    // The 1 MiB bound counts UTF-8 bytes, not UTF-16 units.
    const limit = 1024 * 1024;
    for (const text of ['é'.repeat(limit / 2), 'é'.repeat(limit / 2 + 1), 'a'.repeat(limit), 'a'.repeat(limit + 1)]) {
      const headers = wasm.sign('x', { id: 'msg_1', timestamp: 1000 });
      const h = outcome(() => host.verify(headers, text, 1000));
      assert.deepEqual(h, outcome(() => wasm.verify(headers, text, 1000)));
      assert.equal(h.code, enc.encode(text).length > limit ? 'payload_too_large' : 'no_matching_signature');
    }
    // Wrong body types and clocks are refused alike.
    const headers = wasm.sign('x', { id: 'msg_1', timestamp: 1000 });
    for (const [body, now] of [[42, 1000], [null, 1000], ['x', 1000.5], ['x', -1], ['x', Number.NaN]]) {
      const h = outcome(() => host.verify(headers, body, now));
      assert.ok(h.code, 'refused');
      assert.deepEqual(h, outcome(() => wasm.verify(headers, body, now)));
    }
  }
  assert.ok(compared > 500, `${compared} comparisons`);
});

test('mutated deliveries: the host digest and wasm agree on every verdict', () => {
  let seed = 0x9e3779b9;
  const rand = (n) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const pieces = ['.', ' ', ',', '=', 'v1,', 't=', 'é', 'sha256=', 'AAAA', '0', '-', '\u2028'];
  const mutate = (s) => {
    const i = rand(s.length + 1);
    switch (rand(6)) {
      case 0: return s.slice(0, i) + pieces[rand(pieces.length)] + s.slice(i);
      case 1: return s.slice(0, i);
      case 2: return s.slice(0, i) + s.slice(i + 1);
      case 3: return s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ 1) + s.slice(i + 1);
      case 4: return null; // the header left out
      default: return '';
    }
  };
  const configs = [
    { scheme: 'standard', secrets: [STD] },
    { scheme: 'descope', secrets: ['k'] },
    { scheme: 'timestamped_hex', secrets: ['a', 'b'], header: 'x-sig' },
    { scheme: 'sha256_hex', secrets: ['k'], prefix: '' },
  ];
  const pairs = configs.map((c) => [k.createWebhookVerifier(c), k.createWebhookVerifier(c, { digest: 'wasm' })]);
  const verdicts = {};
  for (let round = 0; round < 2000; round++) {
    const [host, wasm] = pairs[round % pairs.length];
    let body = `{"n":${round},"s":"é"}`;
    const headers = wasm.sign(body, { id: `msg_${round}`, timestamp: 1000 });
    const names = Object.keys(headers);
    const target = rand(names.length + 1);
    if (target === names.length) {
      body = mutate(body) ?? '';
    } else {
      const value = mutate(headers[names[target]]);
      if (value === null) delete headers[names[target]];
      else headers[names[target]] = value;
    }
    const h = outcome(() => host.verify(headers, body, 1000));
    assert.deepEqual(h, outcome(() => wasm.verify(headers, body, 1000)), JSON.stringify({ headers, body }));
    verdicts[h.code ?? 'ok'] = (verdicts[h.code ?? 'ok'] ?? 0) + 1;
  }
  for (const code of ['ok', 'no_matching_signature', 'bad_format', 'missing_header']) assert.ok(verdicts[code] > 0, `${code}: ${JSON.stringify(verdicts)}`);
});

test('ids with spaces, no timestamp, big timestamps: the result crosses intact', () => {
  const std = k.createWebhookVerifier({ scheme: 'standard', secrets: [STD], tolerance_s: 2_592_000 });
  for (const [id, ts] of [['msg 1  2', 1000], ['x y', 0], ['m-é', 999_999_999_999]]) {
    const headers = std.sign('b', { id, timestamp: ts });
    assert.equal(std.digest, 'host');
    const r = std.verify(headers, 'b', ts);
    assert.deepEqual(r, { id, timestamp: ts, remember_until: ts + 2_592_000 });
    assert.deepEqual(r, k.createWebhookVerifier({ scheme: 'standard', secrets: [STD], tolerance_s: 2_592_000 }, { digest: 'wasm' }).verify(headers, 'b', ts));
  }
  const gh = k.createWebhookVerifier({ scheme: 'sha256_hex', secrets: ['k'] });
  const r = gh.verify(gh.sign('b'), 'b', 5);
  assert.equal(r.timestamp, null);
  assert.equal(r.remember_until, 5 + 86_400);
});

test('descope on the host path: raw body by node:crypto, the JSON.stringify fallback by the core', async () => {
  const c = counting();
  await withProvider(c.provider, () => {
    const d = k.createWebhookVerifier({ scheme: 'descope', secrets: ['k'] });
    const headers = d.sign('{"a":1}');
    const raw = d.verify(headers, '{"a":1}', 0);
    assert.equal(c.macs, 1);
    assert.deepEqual(d.verify(headers, '{ "a" : 1 }', 0), raw, 'through the fallback');
    assert.equal(c.macs, 2, 'the host tried the raw body first');
    const strict = k.createWebhookVerifier({ scheme: 'descope', secrets: ['k'], stringify_fallback: false });
    assert.equal(outcome(() => strict.verify(headers, '{ "a" : 1 }', 0)).code, 'no_matching_signature');
  });
});

test('a host verifier keeps working after the instance is replaced', async () => {
  const c = counting();
  await withProvider(c.provider, () => {
    const wh = k.createWebhookVerifier({ scheme: 'timestamped_hex', secrets: ['a', 'b'], header: 'x-sig' });
    const headers = wh.sign('{"a":1}', { timestamp: 1000 });
    const before = wh.verify(headers, '{"a":1}', 1000);
    assert.throws(() => call((g) => g.__kosmosSelfTestTrap()), (e) => e.code === 'internal');
    assert.deepEqual(wh.verify(headers, '{"a":1}', 1000), before);
    assert.equal(outcome(() => wh.verify(headers, '{"a":2}', 1000)).code, 'no_matching_signature');
    assert.equal(wh.digest, 'host');
    assert.equal(c.keys, 2, 'keys imported once, not again after the trap');
    assert.equal(c.macs, 6, 'two keys, three verifies');
  });
});

test('a failing host digest is a KosmosError, not a crash', async () => {
  const broken = { ...nodeDigest, name: 'broken', hmacSha256: () => { throw new Error('boom'); } };
  await withProvider(broken, () => {
    const wh = k.createWebhookVerifier({ scheme: 'sha256_hex', secrets: ['k'] });
    const r = outcome(() => wh.verify(wh.sign('x'), 'x', 0));
    assert.equal(r.code, 'internal');
    assert.match(r.message, /broken/);
  });
});

test('no key material in inspect, JSON, errors, or the key bytes handed over', async () => {
  const secrets = {
    standard: ['whsec_S2V5TWF0ZXJpYWxOZXZlclNob3dzMTIzNDU2Nzg='],
    descope: ['descope-Hmac-S3cret-value'],
    timestamped_hex: ['00112233445566778899aabbccddeeff'],
    sha256_hex: ['Z2l0aHViLXNlY3JldC1iYXNlNjQ='],
  };
  const encodings = { timestamped_hex: 'hex', sha256_hex: 'base64' };
  const c = counting();
  const texts = [];
  await withProvider(c.provider, () => {
    for (const [scheme, s] of Object.entries(secrets)) {
      const config = { scheme, secrets: s, ...(scheme === 'timestamped_hex' ? { header: 'x-sig' } : {}), ...(encodings[scheme] ? { secret_encoding: encodings[scheme] } : {}) };
      const wh = k.createWebhookVerifier(config);
      assert.equal(wh.digest, 'host');
      texts.push(inspect(wh, { showHidden: true, depth: Infinity, getters: true }), JSON.stringify(wh), String(wh), JSON.stringify(Object.entries(wh)));
      const good = wh.sign('{"a":1}', { id: 'msg_1', timestamp: 1000 });
      for (const [headers, body] of [[good, '{"a":2}'], [{}, 'x'], [good, new Uint8Array(1024 * 1024 + 1)]]) {
        try {
          wh.verify(headers, body, 1000);
          assert.fail('must not verify');
        } catch (e) {
          texts.push(e.message, String(e.stack), JSON.stringify(e), inspect(e, { showHidden: true, depth: Infinity }));
        }
      }
    }
  });
  // Every key's bytes went to importKey in a buffer that is zero-filled once imported.
  assert.equal(c.imported.length, 4);
  for (const bytes of c.imported) assert.ok(bytes.length > 0 && bytes.every((b) => b === 0), 'zero-filled');
  const forms = [];
  for (const s of Object.values(secrets).flat()) {
    forms.push(s, s.replace(/^whsec_/, ''));
  }
  const raw = [
    Buffer.from('S2V5TWF0ZXJpYWxOZXZlclNob3dzMTIzNDU2Nzg=', 'base64'),
    Buffer.from('descope-Hmac-S3cret-value'),
    Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
    Buffer.from('Z2l0aHViLXNlY3JldC1iYXNlNjQ=', 'base64'),
  ];
  for (const b of raw) forms.push(b.toString('hex'), b.toString('base64'), b.toString('latin1'), [...b].join(','), [...b].join(', '));
  for (const text of texts) {
    for (const form of forms) assert.ok(!text.includes(form), `${form} shows in ${text.slice(0, 200)}`);
  }
});
