// www/worker/wrangler.jsonc: the bindings the Worker code uses are declared,
// no secret sits among the plain vars, and the code reads no setting the
// configuration and README leave undocumented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { wranglerConfig } from '../../www/worker/dev.mjs';
import { root } from './hosts.js';

const w = wranglerConfig();
const src = join(root, 'www', 'worker', 'src');
const code = readdirSync(src).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(src, f), 'utf8')).join('\n');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const SECRETS = ['KOSMOS_API_KEY', 'KOSMOS_LICENSE_KEY', 'KOSMOS_PRIVATE_KEY', 'KOSMOS_WEBHOOK_SECRET', 'SF_CLIENT_ID', 'SF_CLIENT_SECRET', 'DESCOPE_HMAC_SECRET', 'DESCOPE_HTTPSIG_KEYS', 'OIDC_CLIENT_SECRET', 'OIDC_CLIENT_PRIVATE_JWK', 'OIDC_COOKIE_SECRET'];

test('entry, compatibility date and the wasm rule', () => {
  assert.equal(w.main, 'src/index.js');
  assert.match(w.compatibility_date, /^\d{4}-\d{2}-\d{2}$/);
  assert.ok(w.rules.some((r) => r.type === 'CompiledWasm' && r.globs.includes('**/*.wasm')));
});

test('the Durable Object, the queue with its dead-letter queue, and the assets are bound', () => {
  assert.deepEqual(w.durable_objects.bindings, [{ name: 'REPLAY', class_name: 'ReplayGuard' }]);
  assert.ok(w.migrations.some((m) => (m.new_sqlite_classes ?? []).includes('ReplayGuard')));
  assert.match(code, /export \{ ReplayGuard \}/);
  assert.deepEqual(w.queues.producers, [{ binding: 'HANDOFF', queue: 'kosmos-handoff' }]);
  const [consumer] = w.queues.consumers;
  assert.equal(consumer.queue, 'kosmos-handoff');
  assert.equal(consumer.dead_letter_queue, 'kosmos-handoff-dlq');
  assert.ok(consumer.max_retries >= 3);
  assert.equal(w.assets.binding, 'ASSETS');
  assert.equal(w.assets.run_worker_first, true);
});

test('no secret is a plain var; every secret is documented', () => {
  for (const s of SECRETS) {
    assert.ok(!(s in w.vars), `${s} must be set with wrangler secret put, not in vars`);
    assert.ok(readme.includes(s), `README does not mention ${s}`);
    assert.ok(readFileSync(join(root, 'www', 'worker', 'wrangler.jsonc'), 'utf8').includes(s), `wrangler.jsonc does not list ${s}`);
  }
});

test('every setting the code reads is documented in the README', () => {
  const read = new Set([...code.matchAll(/\(env, '([A-Z][A-Z0-9_]+)'/g), ...code.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]));
  assert.ok(read.size > 15, [...read].join());
  for (const name of read) assert.ok(readme.includes(name), `README does not document ${name}`);
});
