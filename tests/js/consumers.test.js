// The consumer matrix: the packed tarball installed into a fresh project, used
// as each supported consumer would (Node ESM and CJS, a wrangler-bundled Worker
// in workerd, esbuild / Vite / webpack 5 browser bundles in Chromium), each
// calling real functions and checking the answers; publint and attw on the
// tarball; and the same Worker from a copy of the package with
// `"sideEffects": false` put back, which must fail (bundlers then drop the
// code that instantiates the module at import).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { launchChromium, root } from './hosts.js';
import { bundledWorker, packAndInstall, run, serveDir, writeFiles } from './packed.js';
import { bundleWorker, bundleModuleOptions } from '../../www/worker/dev.mjs';

const bin = (name) => join(root, 'node_modules', '.bin', name);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const POLICY = {
  version: 1,
  rules: [{ id: 'risky', description: 'risk score above 0.7', when: { risk_score_above: 0.7 }, then: { decision: 'step_up', max_age_s: 900 } }],
  default: { decision: 'allow' },
};

// What every consumer runs: decide a policy with both entries, sign and verify
// a webhook, and a tampered body refused with its code. Prints one JSON line.
const calls = (entries) => `
const policy = ${entries.main}.compilePolicy(${JSON.stringify(POLICY)});
const policyOnly = ${entries.policy}.compilePolicy(${JSON.stringify(POLICY)});
const v = ${entries.main}.createWebhookVerifier({ scheme: 'standard', secrets: [${JSON.stringify(SECRET)}] });
const body = JSON.stringify({ type: 'idv.completed' });
const headers = v.sign(body, { id: 'msg_consumer' });
let tampered;
try { v.verify(headers, body + ' '); } catch (e) { tampered = e.code + (e instanceof ${entries.main}.KosmosError ? '' : ' (not a KosmosError)'); }
const result = {
  version: ${entries.main}.version(),
  risky: policy.decide({ risk: { score: 0.8 } }).decision,
  calm: policyOnly.decide({ risk: { score: 0.1 } }).decision,
  verified: v.verify(headers, body).id,
  tampered,
};`;
const EXPECTED = { version: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version, risky: 'step_up', calm: 'allow', verified: 'msg_consumer', tampered: 'no_matching_signature' };

let consumer;
before(async () => {
  consumer = await packAndInstall();
});
after(() => rmSync(consumer.dir, { recursive: true, force: true }));

test('the tarball ships the license, the build and what README links to; engines say what works', () => {
  const installed = JSON.parse(readFileSync(join(consumer.installed, 'package.json'), 'utf8'));
  for (const f of ['LICENSE', 'README.md', 'pkg/gen/kosmos_connect_bg.wasm', 'pkg/gen/policy/gen/kosmos_connect_bg.wasm', 'docs/policy.md', 'examples/policies/descope-adaptive-mfa.json', 'schema/policy.schema.json']) {
    assert.ok(readFileSync(join(consumer.installed, f)).length > 0, f);
  }
  assert.match(readFileSync(join(consumer.installed, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
  const readme = readFileSync(join(consumer.installed, 'README.md'), 'utf8');
  for (const [, link] of readme.matchAll(/\]\(([^)#]+)[^)]*\)/g)) {
    if (!/^[a-z]+:/.test(link)) assert.ok(existsSync(join(consumer.installed, link)), `README links ${link}, which the tarball must ship`);
  }
  assert.equal(installed.engines.node, '^20.19.0 || >=22.12.0');
  assert.ok(installed.keywords.length > 0);
  assert.equal(installed.repository, undefined, 'no repository field until there is a public one');
});

test('Node ESM: import, decide, sign and verify', async () => {
  writeFileSync(join(consumer.app, 'esm.mjs'), `import * as main from 'kosmos-connect';\nimport * as pol from 'kosmos-connect/policy';\n${calls({ main: 'main', policy: 'pol' })}\nconsole.log(JSON.stringify(result));\n`);
  const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: consumer.app });
  assert.deepEqual(JSON.parse(stdout), EXPECTED);
});

test('Node CJS: require() works where engines says (require(esm), Node 20.19+ / 22.12+)', async () => {
  const [major, minor] = process.versions.node.split('.').map(Number);
  assert.ok((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23, `this Node (${process.versions.node}) is one engines allows`);
  writeFileSync(join(consumer.app, 'cjs.cjs'), `const main = require('kosmos-connect');\nconst pol = require('kosmos-connect/policy');\n${calls({ main: 'main', policy: 'pol' })}\nconsole.log(JSON.stringify(result));\n`);
  const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: consumer.app });
  assert.deepEqual(JSON.parse(stdout), EXPECTED);
});

test('publint and attw (ESM-only profile) are clean on the tarball', async () => {
  const publint = await run(bin('publint'), ['run', consumer.installed, '--strict', '--pack', 'false']);
  assert.match(publint.stdout, /All good/);
  // The .wasm subpaths (one per entry, read from the exports map) are files for bundlers and loaders, not modules with types.
  const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const wasm = Object.keys(exports).filter((k) => k.endsWith('.wasm'));
  assert.ok(wasm.length >= 4, wasm.join(', '));
  await run(bin('attw'), [consumer.tarball, '--profile', 'esm-only', '--no-emoji', '--no-color', '--exclude-entrypoints', ...wasm]);
});

const WORKER = `import * as main from 'kosmos-connect';
import * as pol from 'kosmos-connect/policy';
${calls({ main: 'main', policy: 'pol' })}
export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/webhook') {
      const v = main.createWebhookVerifier({ scheme: 'standard', secrets: [env.WEBHOOK_SECRET] });
      try {
        return Response.json({ verified: v.verify(request.headers, await request.text()).id });
      } catch (e) {
        return Response.json({ code: e.code }, { status: 401 });
      }
    }
    return Response.json(result);
  },
};
`;
const WRANGLER = JSON.stringify({ name: 'consumer-worker', main: 'src/index.js', compatibility_date: '2025-09-01' });

/** A Worker project next to the app, with `pkgDir` as its installed kosmos-connect. */
function workerProject(name, pkgDir) {
  const project = join(consumer.dir, name);
  writeFiles(project, { 'src/index.js': WORKER, 'wrangler.jsonc': WRANGLER, 'package.json': '{"private":true,"type":"module"}' });
  cpSync(pkgDir, join(project, 'node_modules', 'kosmos-connect'), { recursive: true });
  return project;
}

test('a Worker bundled by wrangler starts in workerd and answers (both entries, a webhook signed by standardwebhooks)', async () => {
  const mf = await bundledWorker(workerProject('worker', consumer.installed), { bindings: { WEBHOOK_SECRET: SECRET } });
  try {
    const origin = (await mf.ready).origin;
    assert.deepEqual(await (await fetch(`${origin}/`)).json(), EXPECTED);
    const body = '{"type":"idv.completed"}';
    const headers = new Webhook(SECRET).sign('msg_from_js', new Date(), body);
    const signed = { 'webhook-id': 'msg_from_js', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': headers };
    const ok = await fetch(`${origin}/webhook`, { method: 'POST', headers: signed, body });
    assert.deepEqual([ok.status, await ok.json()], [200, { verified: 'msg_from_js' }]);
    const bad = await fetch(`${origin}/webhook`, { method: 'POST', headers: signed, body: `${body} ` });
    assert.deepEqual([bad.status, await bad.json()], [401, { code: 'no_matching_signature' }]);
  } finally {
    await mf.dispose();
  }
});

test('with "sideEffects": false put back, the wrangler-bundled Worker fails at startup', async () => {
  const copy = join(consumer.dir, 'side-effects-false');
  cpSync(consumer.installed, copy, { recursive: true });
  const pj = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8'));
  pj.sideEffects = false;
  writeFileSync(join(copy, 'package.json'), JSON.stringify(pj, null, 2));
  const mf = await bundledWorker(workerProject('worker-side-effects-false', copy), { bindings: { WEBHOOK_SECRET: SECRET } });
  try {
    await assert.rejects(mf.ready, /failed to start|not initialized/i);
  } finally {
    await mf.dispose().catch(() => {});
  }
});

test("the repository's own Worker, bundled by wrangler with \"sideEffects\": false put back, answers 500 (the tests would see it)", async () => {
  const copy = join(consumer.dir, 'repo-copy');
  for (const p of ['www/worker/src', 'www/worker/wrangler.jsonc', 'pkg', 'package.json']) cpSync(join(root, p), join(copy, p), { recursive: true });
  const pj = JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8'));
  pj.sideEffects = false;
  writeFileSync(join(copy, 'package.json'), JSON.stringify(pj, null, 2));
  const config = join(copy, 'www', 'worker', 'wrangler.jsonc');
  const { Miniflare } = await import('miniflare');
  for (const [tree, want] of [[root, 200], [copy, 500]]) {
    const cfg = join(tree, 'www', 'worker', 'wrangler.jsonc');
    const bundle = tree === root ? await bundleWorker() : await bundleWorker({ config, inputs: [join(copy, 'www/worker/src'), join(copy, 'pkg'), join(copy, 'package.json'), config] });
    const mf = new Miniflare({ ...bundleModuleOptions(bundle), compatibilityDate: '2025-09-01', host: '127.0.0.1', port: 0,
      durableObjects: { REPLAY: { className: 'ReplayGuard', useSQLite: true } } });
    try {
      const res = await fetch(`${(await mf.ready).origin}/healthz`);
      assert.equal(res.status, want, `${cfg}: /healthz ${await res.text()}`);
    } finally {
      await mf.dispose();
    }
  }
});

// Browser bundles: the page runs the same calls after init and shows the result.
const page = (initArg, imports = '') => `import * as main from 'kosmos-connect';
import * as pol from 'kosmos-connect/policy';
${imports}
async function go() {
  await main.init(${initArg});
  await pol.init(${initArg === '' ? '' : 'policyWasmUrl'});
  ${calls({ main: 'main', policy: 'pol' })}
  return result;
}
go().then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e && e.message), code: e && e.code }; });
`;
const HTML = (src) => `<!doctype html><meta charset="utf-8"><title>consumer</title><script type="module" src="${src}"></script>`;

async function inChromium(dir, path = '/') {
  const server = await serveDir(dir);
  const browser = await launchChromium();
  try {
    const p = await browser.newPage();
    await p.goto(`${server.url}${path}`);
    await p.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
    return await p.evaluate(() => window.__result);
  } finally {
    await browser.close();
    await server.close();
  }
}

test('esbuild browser bundle (the .wasm URLs by the file loader, as README says) in Chromium', async () => {
  const src = join(consumer.app, 'esbuild');
  writeFiles(src, {
    'app.js': page('wasmUrl', "import wasmUrl from 'kosmos-connect/kosmos_connect_bg.wasm';\nimport policyWasmUrl from 'kosmos-connect/policy/kosmos_connect_bg.wasm';"),
    'dist/index.html': HTML('./app.js'),
  });
  await run(bin('esbuild'), ['app.js', '--bundle', '--format=esm', '--loader:.wasm=file', '--outdir=dist'], { cwd: src });
  assert.deepEqual(await inChromium(join(src, 'dist')), EXPECTED);
});

test('Vite browser bundle (await init(), no arguments) in Chromium', async () => {
  const src = join(consumer.app, 'vite');
  writeFiles(src, { 'main.js': page(''), 'index.html': HTML('./main.js') });
  const { build } = await import('vite');
  await build({ root: src, logLevel: 'error', configFile: false, build: { outDir: join(src, 'dist') } });
  assert.deepEqual(await inChromium(join(src, 'dist')), EXPECTED);
});

test('webpack 5 browser bundle (await init(), no arguments) in Chromium', async () => {
  const src = join(consumer.app, 'webpack');
  writeFiles(src, { 'main.js': page(''), 'dist/index.html': HTML('./main.js') });
  const { default: webpack } = await import('webpack');
  const stats = await new Promise((resolve, reject) => {
    webpack({ mode: 'production', context: src, entry: './main.js', target: 'web', output: { path: join(src, 'dist'), filename: 'main.js' } })
      .run((err, s) => (err ? reject(err) : resolve(s)));
  });
  assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
  assert.deepEqual(await inChromium(join(src, 'dist')), EXPECTED);
});
