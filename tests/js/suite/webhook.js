// Webhook verification through the JS API, the same in Node, workerd and
// Chromium: published vectors, vectors computed by Node
// (tests/vectors/gen/webhooks-js.mjs), every rejection code, the host-JSON
// fallback of the Descope scheme, verifyOnce and the three replay stores.
import { deepEqual, equal, match, ok, rejectsCode, throwsCode } from './assert.js';

const enc = (s) => new TextEncoder().encode(s);
const hex = (h) => new Uint8Array(h.match(/../g).map((b) => parseInt(b, 16)));
const codeOf = (fn) => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e.code;
  }
};

/** A fake clock in milliseconds. */
function clock(startMs) {
  const c = { t: startMs, now: () => c.t };
  return c;
}

/** A store that records what verifyOnce asks of it. */
function recording(store) {
  const calls = [];
  return {
    calls,
    putIfAbsent: async (key, ttl) => {
      calls.push([key, ttl]);
      return store.putIfAbsent(key, ttl);
    },
  };
}

/** Durable Object storage in memory: the calls ReplayStoreObject makes. */
function fakeStorage(clk) {
  const data = new Map();
  let alarm = null;
  return {
    data,
    get alarmAt() {
      return alarm;
    },
    async get(k) {
      return data.get(k);
    },
    async put(k, v) {
      data.set(k, v);
    },
    async delete(keys) {
      for (const k of [].concat(keys)) data.delete(k);
    },
    async list({ limit = Infinity, startAfter } = {}) {
      const keys = [...data.keys()].sort().filter((k) => startAfter === undefined || k > startAfter).slice(0, limit);
      return new Map(keys.map((k) => [k, data.get(k)]));
    },
    async getAlarm() {
      return alarm;
    },
    async setAlarm(t) {
      alarm = t;
    },
    now: clk.now,
  };
}

const STD_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

export default [
  {
    name: 'standard webhooks v1: published vectors, every headers and body shape, signing',
    run(k, env) {
      const out = [];
      for (const v of env.vectors.webhooks.standard_webhooks_v1) {
        const wh = k.createWebhookVerifier({ scheme: 'standard', secrets: [v.secret] });
        equal(wh.scheme, 'standard');
        const obj = { 'Webhook-Id': v.id, 'Webhook-Timestamp': String(v.timestamp), 'Webhook-Signature': v.signature };
        const expected = { id: v.id, timestamp: v.timestamp, remember_until: v.timestamp + 300 };
        deepEqual(wh.verify(obj, v.body, v.timestamp), expected);
        deepEqual(wh.verify(new Headers(obj), enc(v.body), v.timestamp), expected);
        deepEqual(wh.verify(Object.entries(obj), enc(v.body).buffer, v.timestamp), expected);
        const svix = { 'svix-id': v.id, 'svix-timestamp': String(v.timestamp), 'svix-signature': v.signature };
        deepEqual(wh.verify(svix, v.body, v.timestamp), expected);
        const signed = wh.sign(v.body, { id: v.id, timestamp: v.timestamp });
        deepEqual(signed, { 'webhook-id': v.id, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature });
        throwsCode(() => wh.sign(v.body, v.timestamp, v.id), 'invalid_argument', 'options');
        // A random id when none is given, and what we sign verifies.
        const fresh = wh.sign('{"a":1}', { timestamp: 1000 });
        match(fresh['webhook-id'], /^msg_[0-9a-f]{32}$/);
        equal(wh.verify(fresh, '{"a":1}', 1000).id, fresh['webhook-id']);
        // Edges of the tolerance.
        const at = (now) => codeOf(() => wh.verify(obj, v.body, now));
        deepEqual([at(v.timestamp + 300), at(v.timestamp - 300), at(v.timestamp + 301), at(v.timestamp - 301)], [
          'ok', 'ok', 'timestamp_too_old', 'timestamp_in_future',
        ]);
        out.push(expected);
        wh.free();
      }
      // The older one-shot export keeps working and keeps its shape.
      const v = env.vectors.webhooks.standard_webhooks_v1[0];
      const h = { 'webhook-id': v.id, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature };
      deepEqual(k.verifyStandardWebhook({ secrets: [v.secret] }, h, v.body, v.timestamp), { id: v.id, timestamp: v.timestamp });
      return out;
    },
  },
  {
    name: 'standard webhooks v1a: the Ed25519 vector with whpk_ and whsk_ keys',
    run(k, env) {
      const v = env.vectors.webhooks.standard_webhooks_v1a[0];
      const headers = { 'webhook-id': v.id, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature };
      const pub = k.createWebhookVerifier({ scheme: 'standard', secrets: [`whpk_${v.public_key_b64}`] });
      const sec = k.createWebhookVerifier({ scheme: 'standard', secrets: [`whsk_${v.secret_key_seed_b64}`] });
      const a = pub.verify(headers, v.body, v.timestamp);
      const b = sec.verify(headers, v.body, v.timestamp);
      deepEqual(a, b);
      equal(codeOf(() => pub.verify(headers, v.body + ' ', v.timestamp)), 'no_matching_signature');
      // Ed25519 is deterministic: our signature is the vector's.
      equal(sec.sign(v.body, { id: v.id, timestamp: v.timestamp })['webhook-signature'], v.signature);
      throwsCode(() => pub.sign(v.body, { id: v.id, timestamp: v.timestamp }), 'invalid_secret');
      // Rotation across kinds: one signature per signing key, either verifies.
      const both = k.createWebhookVerifier({ scheme: 'standard', secrets: [STD_SECRET, `whsk_${v.secret_key_seed_b64}`] });
      const signed = both.sign('hello', { id: 'msg_1', timestamp: 10 });
      match(signed['webhook-signature'], /^v1,\S+ v1a,\S+$/);
      equal(pub.verify(signed, 'hello', 10).id, 'msg_1');
      equal(k.createWebhookVerifier({ scheme: 'standard', secrets: [STD_SECRET] }).verify(signed, 'hello', 10).id, 'msg_1');
      return { verified: a, signature: signed['webhook-signature'].split(' ').map((s) => s.split(',')[0]) };
    },
  },
  {
    name: "GitHub's published x-hub-signature-256 example",
    run(k, env) {
      const v = env.vectors.webhooks.github_sha256[0];
      const wh = k.createWebhookVerifier({ scheme: 'sha256_hex', secrets: [v.secret] });
      const r = wh.verify({ 'X-Hub-Signature-256': v.signature }, v.body, 1_700_000_000);
      equal(r.timestamp, null);
      equal(r.remember_until, 1_700_000_000 + 86_400);
      match(r.id, /^sha256_hex_[0-9a-f]{32}$/);
      deepEqual(wh.sign(v.body), { [v.header]: v.signature });
      equal(codeOf(() => wh.verify({ [v.header]: v.signature }, v.body + '!', 0)), 'no_matching_signature');
      equal(codeOf(() => wh.verify({ [v.header]: v.signature.slice(7) }, v.body, 0)), 'bad_format');
      return r;
    },
  },
  {
    name: 'descope: signatures over JSON.stringify verify on the text received (host JSON)',
    run(k, env) {
      const out = [];
      for (const v of env.vectors.webhooks.descope) {
        const wh = k.createWebhookVerifier({ scheme: 'descope', secrets: [v.secret] });
        const r = wh.verify({ 'x-descope-webhook-s256': v.signature }, v.body, 50);
        const rawOnly = k.createWebhookVerifier({ scheme: 'descope', secrets: [v.secret], stringify_fallback: false });
        equal(codeOf(() => rawOnly.verify({ 'x-descope-webhook-s256': v.signature }, v.body, 50)), v.raw_matches ? 'ok' : 'no_matching_signature');
        out.push(r.id);
      }
      // Every JSON.stringify hard case: sign Node's canonical text, deliver the original.
      const wh = k.createWebhookVerifier({ scheme: 'descope', secrets: ['k'] });
      let fallback = 0;
      for (const c of env.vectors.webhooks.js_stringify) {
        const headers = wh.sign(c.expected);
        const body = c.text !== undefined ? c.text : hex(c.body_hex);
        const viaText = wh.verify(headers, body, 0);
        equal(viaText.id, wh.verify(headers, c.expected, 0).id, `same id for ${JSON.stringify(c.text ?? c.body_hex)}`);
        if (c.text !== c.expected) fallback += 1;
      }
      ok(fallback >= 30, `${fallback} cases went through the fallback`);
      for (const text of env.vectors.webhooks.js_parse_errors) {
        equal(codeOf(() => wh.verify(wh.sign('{}'), text, 0)), 'no_matching_signature', JSON.stringify(text));
      }
      return { ids: out, fallback };
    },
  },
  {
    name: 'timestamped hex: t=<unix>,v1=<hex> vectors made by Node',
    run(k, env) {
      const out = [];
      for (const v of env.vectors.webhooks.timestamped_hex) {
        const wh = k.createWebhookVerifier({ scheme: 'timestamped_hex', secrets: [v.secret], header: v.header, template: v.template });
        const r = wh.verify({ [v.header]: v.value }, v.body, v.timestamp);
        equal(r.timestamp, v.timestamp);
        const signed = wh.sign(v.body, { timestamp: v.timestamp });
        if (v.template === '{t}.{body}') equal(signed[v.header], v.value);
        equal(wh.verify(signed, v.body, v.timestamp).id, r.id);
        equal(codeOf(() => wh.verify({ [v.header]: v.value }, v.body, v.timestamp + 301)), 'timestamp_too_old');
        out.push(r);
      }
      return out;
    },
  },
  {
    name: 'every rejection has a stable code and field, and no secret in its message',
    run(k) {
      const wh = k.createWebhookVerifier({ scheme: 'standard', secrets: [STD_SECRET] });
      const body = '{"a":1}';
      const good = wh.sign(body, { id: 'msg_1', timestamp: 1000 });
      const with_ = (patch) => ({ ...good, ...patch });
      const cases = [
        ['no headers', () => wh.verify({}, body, 1000)],
        ['no signature', () => wh.verify({ 'webhook-id': 'msg_1', 'webhook-timestamp': '1000' }, body, 1000)],
        ['id with a dot', () => wh.verify(with_({ 'webhook-id': 'msg.1' }), body, 1000)],
        ['fractional timestamp', () => wh.verify(with_({ 'webhook-timestamp': '1000.0' }), body, 1000)],
        ['negative timestamp', () => wh.verify(with_({ 'webhook-timestamp': '-1000' }), body, 1000)],
        ['leading zero', () => wh.verify(with_({ 'webhook-timestamp': '01000' }), body, 1000)],
        ['old', () => wh.verify(good, body, 1301)],
        ['future', () => wh.verify(good, body, 699)],
        ['tampered body', () => wh.verify(good, body + ' ', 1000)],
        ['unknown version', () => wh.verify(with_({ 'webhook-signature': good['webhook-signature'].replace('v1,', 'v9,') }), body, 1000)],
        ['too many signatures', () => wh.verify(with_({ 'webhook-signature': Array(17).fill('v1,AAAA').join(' ') }), body, 1000)],
        ['huge header', () => wh.verify(with_({ 'webhook-signature': 'v1,' + 'A'.repeat(5000) }), body, 1000)],
        ['huge body', () => wh.verify(good, new Uint8Array(1024 * 1024 + 1), 1000)],
        ['body of a wrong type', () => wh.verify(good, 42, 1000)],
        ['fractional now', () => wh.verify(good, body, 1000.5)],
      ];
      const out = cases.map(([what, fn]) => {
        try {
          fn();
          return [what, 'ok'];
        } catch (e) {
          ok(e instanceof k.KosmosError, `${what}: a KosmosError`);
          ok(!e.message.includes('C2FVsBQIhrscChlQIMV') && !e.message.includes(good['webhook-signature'].slice(3)), `${what}: no secret`);
          return [what, e.code, e.field ?? null];
        }
      });
      deepEqual(out.map((c) => c[1]), [
        'missing_header', 'missing_header', 'bad_format', 'bad_format', 'bad_format', 'bad_format',
        'timestamp_too_old', 'timestamp_in_future', 'no_matching_signature', 'no_matching_signature',
        'bad_format', 'payload_too_large', 'payload_too_large', 'invalid_argument', 'invalid_argument',
      ]);
      return out;
    },
  },
  {
    name: 'configuration is checked when the verifier is made',
    run(k) {
      const cases = [
        { scheme: 'standard', secrets: ['whsec_!!!'] },
        { scheme: 'standard', secrets: [] },
        { scheme: 'standard', secrets: ['whpk_AAAA'] },
        { scheme: 'standard', secrets: ['whsk_AAAA'] },
        { scheme: 'standard', secrets: [STD_SECRET], tolerance: 5 },
        { scheme: 'standard', secrets: STD_SECRET },
        { scheme: 'nope', secrets: ['x'] },
        { scheme: 'descope', secrets: ['x'], secret_encoding: 'base64' },
        { scheme: 'descope', secrets: ['x'], header: 'not a header' },
        { scheme: 'timestamped_hex', secrets: ['x'] },
        { scheme: 'timestamped_hex', secrets: ['x'], header: 'x-sig', template: '{body}' },
        { scheme: 'sha256_hex', secrets: ['x'], replay_window_s: -1 },
        { scheme: 'sha256_hex', secrets: ['x'], prefix: '' },
      ];
      const out = cases.map((c) => {
        try {
          k.createWebhookVerifier(c);
          return ['ok'];
        } catch (e) {
          ok(!e.message.includes('C2FVsBQIhrscChlQIMV'), 'no secret in the message');
          return [e.code, e.field ?? null];
        }
      });
      deepEqual(out.map((c) => c[0]), [
        'invalid_secret', 'invalid_secret', 'invalid_secret', 'invalid_secret', 'invalid_argument', 'invalid_argument',
        'invalid_argument', 'invalid_secret', 'invalid_argument', 'invalid_argument', 'invalid_argument', 'invalid_argument', 'ok',
      ]);
      return out;
    },
  },
  {
    name: 'verifyOnce: a repeat is a duplicate, the id is kept as long as the message could verify',
    async run(k) {
      const clk = clock(1_000_000);
      const mem = new k.MemoryReplayStore({ now: clk.now });
      const store = recording(mem);
      const wh = k.createWebhookVerifier({ scheme: 'standard', secrets: [STD_SECRET], tolerance_s: 60 });
      const signed = wh.sign('{"n":1}', { id: 'msg_a', timestamp: 1000 });
      const first = await k.verifyOnce(store, wh, signed, '{"n":1}', 1010);
      deepEqual(first, { duplicate: false, id: 'msg_a', timestamp: 1000, remember_until: 1060 });
      const again = await k.verifyOnce(store, wh, signed, '{"n":1}', 1020);
      deepEqual(again, { duplicate: true, id: 'msg_a' });
      // Kept until timestamp + tolerance; after that the message is too old anyway.
      deepEqual(store.calls, [['webhook:standard:msg_a', 50], ['webhook:standard:msg_a', 40]]);
      clk.t += 51_000;
      await rejectsCode(() => k.verifyOnce(store, wh, signed, '{"n":1}', 1061), 'timestamp_too_old');
      // A forged message is rejected before the store is asked.
      const n = store.calls.length;
      await rejectsCode(() => k.verifyOnce(store, wh, signed, '{"n":2}', 1010), 'no_matching_signature');
      equal(store.calls.length, n);
      // Without a timestamp the replay window applies; the derived id ignores which secret matched.
      const gh = k.createWebhookVerifier({ scheme: 'sha256_hex', secrets: ['s1', 's2'], replay_window_s: 600 });
      const s2 = k.createWebhookVerifier({ scheme: 'sha256_hex', secrets: ['s2'] });
      const r1 = await k.verifyOnce(store, gh, gh.sign('payload'), 'payload', 5000);
      const r2 = await k.verifyOnce(store, gh, s2.sign('payload'), 'payload', 5001);
      equal(r1.duplicate, false);
      deepEqual(r2, { duplicate: true, id: r1.id });
      deepEqual(store.calls.at(-2), [`webhook:sha256_hex:${r1.id}`, 600]);
      await rejectsCode(() => k.verifyOnce({}, wh, signed, '{"n":1}', 1010), 'invalid_argument', 'store');
      await rejectsCode(() => k.verifyOnce({ putIfAbsent: async () => 'yes' }, wh, signed, '{"n":1}', 1010), 'invalid_argument', 'store');
      return { first, again, derived: r1.id };
    },
  },
  {
    name: 'replay stores: memory expiry and bound, KV minimum TTL, Durable Object guard',
    async run(k) {
      const clk = clock(0);
      const mem = new k.MemoryReplayStore({ now: clk.now, maxEntries: 3 });
      const seq = [];
      seq.push(await mem.putIfAbsent('a', 10), await mem.putIfAbsent('a', 10));
      clk.t = 10_000;
      seq.push(await mem.putIfAbsent('a', 10));
      for (const key of ['b', 'c', 'd']) seq.push(await mem.putIfAbsent(key, 100));
      equal(mem.size, 3, 'bounded');
      await rejectsCode(() => mem.putIfAbsent('', 10), 'invalid_argument', 'key');
      await rejectsCode(() => mem.putIfAbsent('x', 0), 'invalid_argument', 'ttlSeconds');

      const kvData = new Map();
      const kvPuts = [];
      const kv = {
        get: async (key) => (kvData.has(key) ? kvData.get(key) : null),
        put: async (key, value, opts) => {
          kvPuts.push([key, opts.expirationTtl]);
          kvData.set(key, value);
        },
      };
      const kvStore = new k.KvReplayStore(kv);
      seq.push(await kvStore.putIfAbsent('m1', 5), await kvStore.putIfAbsent('m1', 5), await kvStore.putIfAbsent('m2', 300.5));
      deepEqual(kvPuts, [['replay:m1', 60], ['replay:m2', 301]]);
      throwsCode(() => new k.KvReplayStore({}), 'invalid_argument', 'kv');

      // The Durable Object class with in-memory storage, reached through a fake namespace.
      const dclk = clock(1_000_000);
      const storages = new Map();
      const guards = new Map();
      const originalNow = Date.now;
      const ns = {
        idFromName: (name) => name,
        get: (id) => {
          if (!guards.has(id)) {
            const storage = fakeStorage(dclk);
            storages.set(id, storage);
            guards.set(id, new k.ReplayStoreObject({ storage }));
          }
          const guard = guards.get(id);
          return { fetch: (url, init) => guard.fetch(new Request(url, init)) };
        },
      };
      const doStore = new k.DurableObjectReplayStore(ns, { shards: 4 });
      Date.now = dclk.now;
      try {
        seq.push(await doStore.putIfAbsent('webhook:standard:msg_1', 30), await doStore.putIfAbsent('webhook:standard:msg_1', 30));
        for (let i = 0; i < 20; i++) await doStore.putIfAbsent(`k${i}`, 60);
        ok(guards.size > 1 && guards.size <= 4, `keys spread over ${guards.size} shards`);
        const bad = await ns.get('replay-0').fetch('https://replay-store/put-if-absent', { method: 'POST', body: '{"key":""}' });
        equal(bad.status, 400);
        dclk.t += 31_000;
        seq.push(await doStore.putIfAbsent('webhook:standard:msg_1', 30));
        // The alarm deletes what expired and re-arms for what remains.
        dclk.t += 61_000;
        for (const [id, storage] of storages) {
          ok(storage.alarmAt !== null, `${id} armed an alarm`);
          await guards.get(id).alarm();
        }
        const left = [...storages.values()].reduce((n, s) => n + s.data.size, 0);
        equal(left, 0, 'every key expired and was deleted');
      } finally {
        Date.now = originalNow;
      }
      throwsCode(() => new k.DurableObjectReplayStore(ns, { shards: 0 }), 'invalid_argument', 'shards');
      deepEqual(seq, [true, false, true, true, true, true, true, false, true, true, false, true]);
      return seq;
    },
  },
  {
    name: 'signatures made by the npm standardwebhooks and svix libraries verify',
    run(k, env) {
      const out = [];
      for (const v of env.vectors.webhooks.interop) {
        const wh = k.createWebhookVerifier({ scheme: 'standard', secrets: [v.secret] });
        const p = v.lib === 'svix' ? 'svix' : 'webhook';
        const headers = { [`${p}-id`]: v.id, [`${p}-timestamp`]: String(v.timestamp), [`${p}-signature`]: v.signature };
        const r = wh.verify(headers, v.body, v.timestamp + 5);
        equal(r.id, v.id);
        // And ours is the same signature, byte for byte.
        equal(wh.sign(v.body, { id: v.id, timestamp: v.timestamp })['webhook-signature'], v.signature);
        equal(codeOf(() => wh.verify(headers, v.body + 'x', v.timestamp)), 'no_matching_signature');
        out.push([v.lib, r.id]);
      }
      equal(out.length, 4);
      return out;
    },
  },
  {
    name: 'a verifier made before a trap keeps working after the instance is replaced',
    // env.trap() traps the instance of the entry under test (full or webhook).
    run(k, env) {
      const wh = k.createWebhookVerifier({ scheme: 'descope', secrets: ['k'] });
      const headers = wh.sign('{"a":1}');
      const before = wh.verify(headers, '{ "a" : 1 }', 0);
      throwsCode(() => env.trap(), 'internal');
      deepEqual(wh.verify(headers, '{ "a" : 1 }', 0), before);
      deepEqual(wh.sign('{"a":1}'), headers);
      return before;
    },
  },
];
