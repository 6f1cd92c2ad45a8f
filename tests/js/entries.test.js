// Node-only checks of the package surface: the exports map resolves for each
// condition, errors are KosmosError, and nothing runs before init in browsers;
// the policy entry exports the policy API only, from the policy-only module;
// the author's tools are in `kosmos-connect/policy-tools` and not in the full module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

test('exports map names workerd, browser, node, default and types', () => {
  const dot = pkg.exports['.'];
  assert.deepEqual(Object.keys(dot), ['types', 'workerd', 'browser', 'node', 'default']);
  for (const file of Object.values(dot)) assert.ok(readFileSync(new URL(`../../${file}`, import.meta.url)).length > 0, file);
});

test('the package resolves to the node entry by its own name', async () => {
  const k = await import('kosmos-connect');
  assert.equal(typeof k.buildCreateIdvSession, 'function');
  assert.equal(k.isReady(), true);
  assert.throws(() => k.compilePolicy('{'), (e) => e instanceof k.KosmosError && e.code === 'invalid_policy' && e.name === 'KosmosError');
});

test('every entry exposes the same functions', async () => {
  const src = (f) => readFileSync(new URL(`../../pkg/${f}`, import.meta.url), 'utf8');
  for (const f of ['node.js', 'workerd.js', 'browser.js']) {
    assert.match(src(f), /export \* from '\.\/api\.js';/, f);
    assert.match(src(f), /export async function init|export function init/, f);
  }
});

test('no two capability modules export the same name (a star-export clash would drop both)', async () => {
  const seen = new Map();
  const clashes = [];
  for (const f of ['decision-log', 'kosmos', 'oidc', 'policy', 'webhook']) {
    const mod = await import(`../../pkg/api/${f}.js`);
    for (const name of Object.keys(mod)) {
      if (seen.has(name)) clashes.push(`${name}: ${seen.get(name)} and ${f}`);
      seen.set(name, f);
    }
  }
  assert.deepEqual(clashes, []);
  const k = await import('kosmos-connect');
  for (const name of seen.keys()) assert.ok(name in k, `${name} is exported by the package`);
});

// ----- kosmos-connect/policy: the policy engine in its own module -----

// The policy API, and the host contracts every host needs (verdicts, IAL reading: pkg/api/contracts.js).
const POLICY_API = ['KosmosError', 'Policy', 'compilePolicy', 'descopeContextToSignals', 'idvVerdict', 'init', 'isReady', 'parseIal', 'salesforceContextToSignals', 'stepUpVerdict', 'version'];

test('kosmos-connect/policy has the same conditions as the main entry, a types file, and ships its files', () => {
  const entry = pkg.exports['./policy'];
  assert.deepEqual(Object.keys(entry), Object.keys(pkg.exports['.']));
  for (const file of Object.values(entry)) assert.ok(readFileSync(new URL(`../../${file}`, import.meta.url)).length > 0, file);
  assert.equal(pkg.exports['./policy/kosmos_connect_bg.wasm'], './pkg/gen/policy/gen/kosmos_connect_bg.wasm');
  // What npm would pack: every file the policy entries reach (and the .d.ts) is in "files".
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }))[0].files.map((f) => f.path);
  const generated = readdirSync(join(root, 'pkg/gen/policy'), { recursive: true })
    .map((p) => `pkg/gen/policy/${p}`)
    .filter((p) => p.endsWith('.js') || p.endsWith('_bg.wasm'));
  for (const file of [...generated, 'pkg/policy.d.ts', 'pkg/api-policy.js']) assert.ok(packed.includes(file), `${file} is packed`);
});

test('kosmos-connect/policy exports exactly the policy API: no 1Kosmos, OIDC or webhook function', async () => {
  const p = await import('kosmos-connect/policy');
  const policyModule = await import('../../pkg/api/policy.js');
  assert.deepEqual(Object.keys(p).sort(), POLICY_API);
  assert.deepEqual(Object.keys(policyModule).filter((n) => !(n in p)), [], 'every function of pkg/api/policy.js');
  const full = await import('kosmos-connect');
  const others = [];
  for (const f of ['kosmos', 'oidc', 'webhook']) others.push(...Object.keys(await import(`../../pkg/api/${f}.js`)));
  assert.ok(others.length > 20);
  for (const name of others) {
    assert.ok(name in full, `${name} is in the full entry`);
    assert.ok(!(name in p), `${name} is not in the policy entry`);
  }
  assert.equal(p.isReady(), true);
  assert.equal(p.version(), full.version());
});

test('the policy module holds the policy exports only; the full one holds them too', () => {
  const names = (path) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(root, path)))).map((e) => e.name);
  const policy = names('pkg/gen/policy/gen/kosmos_connect_bg.wasm');
  const full = new Set(names('pkg/gen/kosmos_connect_bg.wasm'));
  // wasm-bindgen's runtime exports (`__wbindgen_*`, `__externref_*`, `start`, ...) aside.
  const own = policy.filter((n) => !/^__(?!kosmos)/.test(n) && n !== 'memory' && n !== 'start');
  assert.deepEqual(own.sort(), [
    '__kosmosSelfTestTrap', 'compilePolicy', 'compiledpolicy_decideJson', 'compiledpolicy_ruleIds',
    'descopeContextToSignals', 'idvVerdict', 'parseIal', 'salesforceContextToSignals', 'stepUpVerdict', 'version',
  ]);
  for (const n of policy) assert.ok(full.has(n), `${n} is in the full module too`);
  for (const n of ['createWebhookVerifier', 'validateIdToken', 'createProfile']) {
    assert.ok(full.has(n) && !policy.includes(n), n);
  }
  // No entropy source: the policy engine draws no randomness.
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(join(root, 'pkg/gen/policy/gen/kosmos_connect_bg.wasm'))));
  assert.deepEqual(imports.filter((i) => /random|crypto/i.test(i.name)), []);
});

test('the policy entries are generated from pkg/ with the policy API in place of the whole one', () => {
  for (const f of ['node.js', 'workerd.js', 'browser.js', 'core.js', 'errors.js', 'api/policy.js', 'api-policy.js']) {
    const code = readFileSync(join(root, 'pkg/gen/policy', f), 'utf8');
    assert.match(code, /^\/\/ GENERATED by scripts\/build\.mjs/, f);
    assert.doesNotMatch(code, /api\/(kosmos|oidc|webhook)\.js|from '\.\/api\.js'/, f);
  }
  for (const f of ['node.js', 'workerd.js', 'browser.js']) {
    assert.match(readFileSync(join(root, 'pkg/gen/policy', f), 'utf8'), /from '\.\/api-policy\.js'/, f);
  }
});

test('a KosmosError of either entry is instanceof the KosmosError of either', async () => {
  const p = await import('kosmos-connect/policy');
  const full = await import('kosmos-connect');
  assert.notEqual(p.KosmosError, full.KosmosError, 'each entry has its own class');
  for (const make of [() => p.compilePolicy('{'), () => full.compilePolicy('{'), () => full.buildCreateIdvSession({}, {})]) {
    try {
      make();
      assert.fail('did not throw');
    } catch (e) {
      assert.ok(e instanceof p.KosmosError && e instanceof full.KosmosError, e.message);
    }
  }
  for (const C of [p.KosmosError, full.KosmosError]) {
    const e = new C('internal', 'x');
    assert.ok(e instanceof p.KosmosError && e instanceof full.KosmosError && e instanceof Error);
    assert.ok(!(new Error('x') instanceof C) && !({ name: 'KosmosError', code: 'x' } instanceof C) && !(null instanceof C));
  }
  // A subclass keeps ordinary instanceof semantics.
  class Sub extends full.KosmosError {}
  assert.ok(new Sub('internal', 'x') instanceof Sub && new Sub('internal', 'x') instanceof p.KosmosError);
  assert.ok(!(new full.KosmosError('internal', 'x') instanceof Sub));
});

// ----- kosmos-connect/webhook: webhook verification and signing in its own module -----

const WEBHOOK_API = [
  'DurableObjectReplayStore', 'KosmosError', 'KvReplayStore', 'MemoryReplayStore', 'ReplayStoreObject', 'WebhookVerifier',
  'createWebhookVerifier', 'idvVerdict', 'init', 'isReady', 'parseIal', 'stepUpVerdict', 'verifyOnce', 'verifyStandardWebhook', 'version',
];

test('kosmos-connect/webhook has the same conditions as the main entry, a types file, side effects declared, and ships its files', () => {
  const entry = pkg.exports['./webhook'];
  assert.deepEqual(Object.keys(entry), Object.keys(pkg.exports['.']));
  for (const file of Object.values(entry)) assert.ok(readFileSync(new URL(`../../${file}`, import.meta.url)).length > 0, file);
  assert.equal(pkg.exports['./webhook/kosmos_connect_bg.wasm'], './pkg/gen/webhook/gen/kosmos_connect_bg.wasm');
  // The node and workerd entries instantiate the module at import: a bundler must keep them.
  for (const f of [entry.node, entry.workerd]) assert.ok(pkg.sideEffects.includes(f), `${f} is in sideEffects`);
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }))[0].files.map((f) => f.path);
  const generated = readdirSync(join(root, 'pkg/gen/webhook'), { recursive: true })
    .map((p) => `pkg/gen/webhook/${p}`)
    .filter((p) => p.endsWith('.js') || p.endsWith('_bg.wasm'));
  assert.ok(generated.length >= 8, generated.join(', '));
  for (const file of [...generated, 'pkg/webhook.d.ts', 'pkg/api-webhook.js']) assert.ok(packed.includes(file), `${file} is packed`);
});

test('kosmos-connect/webhook exports exactly the webhook API and replay stores: no 1Kosmos, OIDC or policy function', async () => {
  const w = await import('kosmos-connect/webhook');
  assert.deepEqual(Object.keys(w).sort(), WEBHOOK_API);
  const webhookModule = await import('../../pkg/api/webhook.js');
  assert.deepEqual(Object.keys(webhookModule).filter((n) => !(n in w)), [], 'every export of pkg/api/webhook.js');
  const full = await import('kosmos-connect');
  const others = [];
  for (const f of ['kosmos', 'oidc', 'policy']) others.push(...Object.keys(await import(`../../pkg/api/${f}.js`)));
  assert.ok(others.length > 15);
  for (const name of others) {
    assert.ok(name in full, `${name} is in the full entry`);
    assert.ok(!(name in w), `${name} is not in the webhook entry`);
  }
  assert.equal(w.isReady(), true);
  assert.equal(w.version(), full.version());
  assert.notEqual(w.KosmosError, full.KosmosError, 'its own class');
  try {
    w.createWebhookVerifier({ scheme: 'no-such-scheme' });
    assert.fail('did not throw');
  } catch (e) {
    assert.ok(e instanceof w.KosmosError && e instanceof full.KosmosError, e.message);
  }
});

test('the webhook module holds webhook exports only; the full one holds them too', () => {
  const names = (path) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(root, path)))).map((e) => e.name);
  const webhook = names('pkg/gen/webhook/gen/kosmos_connect_bg.wasm');
  const full = new Set(names('pkg/gen/kosmos_connect_bg.wasm'));
  const own = webhook.filter((n) => !/^__(?!kosmos)/.test(n) && n !== 'memory' && n !== 'start');
  assert.ok(own.includes('createWebhookVerifier'), own.join(', '));
  // Besides the webhook exports: the self-test, version and the host contracts every build has.
  const shared = new Set(['__kosmosSelfTestTrap', 'version', 'idvVerdict', 'parseIal', 'stepUpVerdict']);
  for (const n of own) assert.ok(shared.has(n) || /webhook/i.test(n), `${n} is a webhook export`);
  for (const n of webhook) assert.ok(full.has(n), `${n} is in the full module too`);
  for (const n of ['compilePolicy', 'validateIdToken', 'createProfile']) assert.ok(full.has(n) && !webhook.includes(n), n);
});

test('the webhook entries are generated from pkg/ with the webhook API in place of the whole one, node:crypto kept in Node', () => {
  for (const f of ['node.js', 'workerd.js', 'browser.js', 'core.js', 'errors.js', 'api/webhook.js', 'api/replay-stores.js', 'api-webhook.js']) {
    const code = readFileSync(join(root, 'pkg/gen/webhook', f), 'utf8');
    assert.match(code, /^\/\/ GENERATED by scripts\/build\.mjs from pkg\/ for the `kosmos-connect\/webhook` entry/, f);
    assert.doesNotMatch(code, /api\/(kosmos|oidc|policy)\.js|from '\.\/api\.js'/, f);
  }
  for (const f of ['node.js', 'workerd.js', 'browser.js']) {
    assert.match(readFileSync(join(root, 'pkg/gen/webhook', f), 'utf8'), /from '\.\/api-webhook\.js'/, f);
  }
  assert.match(readFileSync(join(root, 'pkg/gen/webhook/node.js'), 'utf8'), /from '\.\/node-digest\.js'/);
  assert.match(readFileSync(join(root, 'pkg/gen/webhook/node-digest.js'), 'utf8'), /'node:crypto'/);
});

// ----- kosmos-connect/policy-tools: the policy author's tools in their own module -----

const TOOLS = ['diffPolicies', 'formatPolicy', 'policyCoverage', 'testPolicy', 'validatePolicy'];
const POLICY_TOOLS_API = [...POLICY_API, 'decisionLogRecord', ...TOOLS].sort();

test('kosmos-connect/policy-tools has the same conditions as the main entry, a types file, side effects declared, and ships its files', () => {
  const entry = pkg.exports['./policy-tools'];
  assert.deepEqual(Object.keys(entry), Object.keys(pkg.exports['.']));
  for (const file of Object.values(entry)) assert.ok(readFileSync(new URL(`../../${file}`, import.meta.url)).length > 0, file);
  assert.equal(entry.types, './pkg/policy-tools.d.ts');
  assert.equal(pkg.exports['./policy-tools/kosmos_connect_bg.wasm'], './pkg/gen/policy-tools/gen/kosmos_connect_bg.wasm');
  for (const f of [entry.node, entry.workerd]) assert.ok(pkg.sideEffects.includes(f), `${f} is in sideEffects`);
  assert.ok(!pkg.sideEffects.includes(entry.browser), 'the browser entry does nothing at import');
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }))[0].files.map((f) => f.path);
  const generated = readdirSync(join(root, 'pkg/gen/policy-tools'), { recursive: true })
    .map((p) => `pkg/gen/policy-tools/${p}`)
    .filter((p) => p.endsWith('.js') || p.endsWith('_bg.wasm'));
  assert.ok(generated.length >= 10, generated.join(', '));
  for (const file of [...generated, 'pkg/policy-tools.d.ts', 'pkg/api-policy-tools.js', 'pkg/api/policy-tools.d.ts', 'pkg/api/decision-log.d.ts']) {
    assert.ok(packed.includes(file), `${file} is packed`);
  }
  // The CLI runs on this entry.
  assert.match(readFileSync(join(root, 'bin/kosmos-connect.js'), 'utf8'), /from '\.\.\/pkg\/gen\/policy-tools\/node\.js'/);
});

test('kosmos-connect/policy-tools exports the tools with the policy API; the full entry keeps only decisionLogRecord of them', async () => {
  const t = await import('kosmos-connect/policy-tools');
  assert.deepEqual(Object.keys(t).sort(), POLICY_TOOLS_API);
  for (const f of ['policy', 'policy-tools', 'decision-log']) {
    const mod = await import(`../../pkg/api/${f}.js`);
    assert.deepEqual(Object.keys(mod).filter((n) => !(n in t)), [], `every export of pkg/api/${f}.js`);
  }
  const full = await import('kosmos-connect');
  for (const name of TOOLS) assert.ok(!(name in full), `${name} is not in the full entry`);
  assert.equal(typeof full.decisionLogRecord, 'function', 'the Worker records decisions with the full entry');
  const p = await import('kosmos-connect/policy');
  for (const name of [...TOOLS, 'decisionLogRecord']) assert.ok(!(name in p), `${name} is not in the policy entry`);
  const others = [];
  for (const f of ['kosmos', 'oidc', 'webhook', 'httpsig']) others.push(...Object.keys(await import(`../../pkg/api/${f}.js`)));
  for (const name of others) assert.ok(!(name in t), `${name} is not in the policy-tools entry`);
  assert.equal(t.isReady(), true);
  assert.equal(t.version(), full.version());
  assert.notEqual(t.KosmosError, full.KosmosError, 'its own class');
  try {
    t.testPolicy('{', { cases: [] });
    assert.fail('did not throw');
  } catch (e) {
    assert.ok(e instanceof t.KosmosError && e instanceof full.KosmosError && e.code === 'invalid_policy', e.message);
  }
  // The same engine: a compiled policy decides alike in both entries.
  const policy = readFileSync(join(root, 'examples/policies/health.json'), 'utf8');
  const context = { risk: { bot: true } };
  assert.deepEqual(t.compilePolicy(policy).decide(context), full.compilePolicy(policy).decide(context));
  assert.equal(t.validatePolicy(policy).valid, true);
});

test('the policy-tools module holds the tools, the policy exports and the decision log; the full one no tool', () => {
  const names = (path) => WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(join(root, path)))).map((e) => e.name);
  const own = (list) => list.filter((n) => !/^__(?!kosmos)/.test(n) && n !== 'memory' && n !== 'start');
  const tools = own(names('pkg/gen/policy-tools/gen/kosmos_connect_bg.wasm'));
  const policy = own(names('pkg/gen/policy/gen/kosmos_connect_bg.wasm'));
  const full = new Set(names('pkg/gen/kosmos_connect_bg.wasm'));
  assert.deepEqual(tools.sort(), [...policy, 'decisionLogRecord', ...TOOLS].sort());
  for (const n of TOOLS) assert.ok(!full.has(n), `${n} is not in the full module`);
  assert.ok(full.has('decisionLogRecord'), 'decisionLogRecord is in the full module (feature decision-log)');
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(join(root, 'pkg/gen/policy-tools/gen/kosmos_connect_bg.wasm'))));
  assert.deepEqual(imports.filter((i) => /random|crypto/i.test(i.name)), []);
});

test('the policy-tools entries are generated from pkg/ with the tools API in place of the whole one', () => {
  for (const f of ['node.js', 'workerd.js', 'browser.js', 'core.js', 'errors.js', 'api/policy.js', 'api/policy-tools.js', 'api/decision-log.js', 'api/json-text.js', 'api-policy-tools.js']) {
    const code = readFileSync(join(root, 'pkg/gen/policy-tools', f), 'utf8');
    assert.match(code, /^\/\/ GENERATED by scripts\/build\.mjs from pkg\/ for the `kosmos-connect\/policy-tools` entry/, f);
    assert.doesNotMatch(code, /api\/(kosmos|oidc|webhook|httpsig)\.js|from '\.\/api\.js'/, f);
  }
  for (const f of ['node.js', 'workerd.js', 'browser.js']) {
    assert.match(readFileSync(join(root, 'pkg/gen/policy-tools', f), 'utf8'), /from '\.\/api-policy-tools\.js'/, f);
  }
  assert.doesNotMatch(readFileSync(join(root, 'pkg/gen/policy-tools/node.js'), 'utf8'), /node:crypto/);
});
