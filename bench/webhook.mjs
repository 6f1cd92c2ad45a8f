// Webhook verification in Node, one run: our verifier (through the public
// shim, a verifier compiled once) against the npm `standardwebhooks` and
// `svix` libraries and against Node's own `crypto.createHmac` doing the same
// check (HMAC of `{id}.{timestamp}.{body}`, base64, timingSafeEqual), on
// 1 KiB and 64 KiB bodies, as a string and as bytes. Ours twice: with the
// host digest (the default in Node: the core checks, node:crypto hashes)
// and with `digest: 'wasm'` (SHA-256 in WebAssembly, as in workerd and
// browsers).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import * as k from '../pkg/node.js';
import { fmtNs, measure } from './lib.mjs';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const KEY = Buffer.from(SECRET.slice(6), 'base64');

function nodeVerify(headers, body) {
  const expected = createHmac('sha256', KEY)
    .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.`)
    .update(body)
    .digest();
  for (const entry of headers['webhook-signature'].split(' ')) {
    const [version, b64] = entry.split(',');
    if (version !== 'v1') continue;
    const given = Buffer.from(b64, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  throw new Error('no match');
}

export async function run() {
  const ours = k.createWebhookVerifier({ scheme: 'standard', secrets: [SECRET] });
  const wasm = k.createWebhookVerifier({ scheme: 'standard', secrets: [SECRET] }, { digest: 'wasm' });
  if (ours.digest !== 'host' || wasm.digest !== 'wasm') throw new Error(`digests: ${ours.digest}, ${wasm.digest}`);
  const std = new StandardWebhook(SECRET);
  const svix = new SvixWebhook(SECRET);
  const rows = [];
  const verdicts = [];
  for (const size of [1024, 64 * 1024]) {
    const text = JSON.stringify({ type: 'idv.completed', data: 'x'.repeat(size - 36) });
    const bytes = Buffer.from(text);
    const now = Math.floor(Date.now() / 1000);
    const headers = ours.sign(text, { id: 'msg_bench', timestamp: now });
    const jsLibOpts = { jsonParse: false };
    // Every contender must accept the message before it is timed.
    ours.verify(headers, text, now);
    ours.verify(headers, bytes, now);
    wasm.verify(headers, text, now);
    wasm.verify(headers, bytes, now);
    std.verify(text, headers, jsLibOpts);
    svix.verify(text, headers);
    nodeVerify(headers, text);
    // Rounds interleave the contenders so that a busy neighbour slows all
    // of them alike; each figure is the median of the rounds' medians.
    const contenders = {
      host_string: () => ours.verify(headers, text, now),
      host_bytes: () => ours.verify(headers, bytes, now),
      wasm_string: () => wasm.verify(headers, text, now),
      wasm_bytes: () => wasm.verify(headers, bytes, now),
      standardwebhooks: () => std.verify(text, headers, jsLibOpts),
      svix: () => svix.verify(text, headers),
      node_crypto: () => nodeVerify(headers, text),
    };
    const rounds = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
    for (let r = 0; r < 7; r++) {
      for (const [name, fn] of Object.entries(contenders)) {
        rounds[name].push(measure(fn, { ms: size > 4096 ? 200 : 120, batch: size > 4096 ? 5 : 50 }).median_ns);
      }
    }
    const t = Object.fromEntries(
      Object.entries(rounds).map(([name, xs]) => [name, { median_ns: [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] }]),
    );
    const x = (a, b) => `${(t[a].median_ns / t[b].median_ns).toFixed(2)}x`;
    // The verdict takes the slower of our two host-digest inputs.
    t.host = { median_ns: Math.max(t.host_string.median_ns, t.host_bytes.median_ns) };
    t.js = { median_ns: Math.min(t.standardwebhooks.median_ns, t.svix.median_ns) };
    rows.push({
      body: size === 1024 ? '1 KiB' : '64 KiB',
      'ours host (string)': fmtNs(t.host_string.median_ns),
      'ours host (bytes)': fmtNs(t.host_bytes.median_ns),
      'ours wasm (string)': fmtNs(t.wasm_string.median_ns),
      'ours wasm (bytes)': fmtNs(t.wasm_bytes.median_ns),
      standardwebhooks: fmtNs(t.standardwebhooks.median_ns),
      svix: fmtNs(t.svix.median_ns),
      'node createHmac': fmtNs(t.node_crypto.median_ns),
      'faster JS lib / ours host': x('js', 'host'),
      'ours host / createHmac': x('host', 'node_crypto'),
      'ours wasm (bytes) / createHmac': x('wasm_bytes', 'node_crypto'),
    });
    verdicts.push({
      size,
      vs_js: t.js.median_ns / t.host.median_ns,
      vs_node: t.host.median_ns / t.node_crypto.median_ns,
      wasm_vs_js: t.js.median_ns / Math.max(t.wasm_string.median_ns, t.wasm_bytes.median_ns),
      wasm_vs_node: Math.min(t.wasm_string.median_ns, t.wasm_bytes.median_ns) / t.node_crypto.median_ns,
    });
  }
  const pass = (ok) => (ok ? 'met' : 'NOT met');
  const summary = verdicts
    .map(
      (v) =>
        `${v.size === 1024 ? '1 KiB' : '64 KiB'}: host digest ${v.vs_js.toFixed(1)}x faster than the faster JS library (target >= 2x: ${pass(v.vs_js >= 2)}), ` +
        `${v.vs_node.toFixed(2)}x the time of node:crypto (target <= 2x: ${pass(v.vs_node <= 2)}); ` +
        `pure wasm ${v.wasm_vs_js.toFixed(1)}x faster than the JS library, ${v.wasm_vs_node.toFixed(1)}x node:crypto`,
    )
    .join('; ');
  return {
    title: 'Webhook verification (Standard Webhooks v1, Node, median per verify)',
    summary,
    rows,
    notes:
      'Ours: `createWebhookVerifier` once, then `verifier.verify(headers, body, now)` through the public shim. Host: the default in Node; the core (wasm) reads and checks the headers and timestamp and says what is signed, node:crypto computes the HMAC-SHA256 (a string body is hashed as UTF-8 without a copy), the core compares in constant time. Wasm: `{ digest: \'wasm\' }`, the body copied into wasm memory and hashed there (what workerd and browsers do). The verdict uses the slower of the two host columns. node createHmac: the same check written directly against OpenSSL (hardware SHA extensions when the CPU has them).',
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { table } = await import('./lib.mjs');
  const r = await run();
  console.log(r.summary);
  console.log(table(r.rows));
}
