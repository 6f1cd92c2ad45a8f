// Cold start: compile + instantiate, each sample in a fresh process (Node)
// or a fresh workerd (miniflare): both of our modules (the full one and
// the policy-only one of `kosmos-connect/policy`) against @cedar-policy/cedar-wasm.
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fmtNs, ratio } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function nodeSample(code) {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  return Number(out.trim());
}

// Each child measures its own compile + instantiate with hrtime, after reading the file.
const oursNode = (dir) => `
import { readFileSync } from 'node:fs';
const bytes = readFileSync('${dir}/kosmos_connect_bg.wasm');
const glue = await import('./${dir}/kosmos_connect.js');
const t0 = process.hrtime.bigint();
glue.initSync({ module: new WebAssembly.Module(bytes) });
glue.version();
console.log(Number(process.hrtime.bigint() - t0));`;
const OURS_NODE = oursNode('pkg/gen');
const POLICY_NODE = oursNode('pkg/gen/policy/gen');
const CEDAR_NODE = `
import { readFileSync } from 'node:fs';
const bytes = readFileSync('node_modules/@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm');
const glue = await import('./node_modules/@cedar-policy/cedar-wasm/web/cedar_wasm.js');
const t0 = process.hrtime.bigint();
glue.initSync({ module: new WebAssembly.Module(bytes) });
glue.getCedarVersion();
console.log(Number(process.hrtime.bigint() - t0));`;

async function workerdSample(dir, script) {
  const { Miniflare } = await import('miniflare');
  const t0 = process.hrtime.bigint();
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, script),
    modulesRoot: root,
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2025-09-01',
  });
  const res = await mf.dispatchFetch('http://localhost/');
  await res.text();
  const elapsed = Number(process.hrtime.bigint() - t0);
  await mf.dispose();
  return elapsed;
}

export async function run({ samples = 7 } = {}) {
  const rows = [];
  const ours = [], policy = [], cedar = [];
  for (let i = 0; i < samples; i++) {
    ours.push(nodeSample(OURS_NODE));
    policy.push(nodeSample(POLICY_NODE));
    cedar.push(nodeSample(CEDAR_NODE));
  }
  const [oursNode, policyNode, cedarNode] = [median(ours), median(policy), median(cedar)];
  rows.push({
    host: 'node (compile + instantiate)',
    'kosmos-connect': fmtNs(oursNode),
    'kosmos-connect/policy': fmtNs(policyNode),
    'cedar-wasm': fmtNs(cedarNode),
    'cedar / ours': ratio(cedarNode, oursNode),
    'cedar / policy': ratio(cedarNode, policyNode),
  });

  // workerd: a fresh runtime per sample; the empty worker is the floor.
  const dir = mkdtempSync(join(root, 'bench', '.tmp-'));
  const rel = (p) => join('..', '..', p).replace(/\\/g, '/');
  writeFileSync(join(dir, 'empty.js'), `export default { fetch() { return new Response('ok'); } };`);
  writeFileSync(join(dir, 'ours.js'), `import * as k from '${rel('pkg/workerd.js')}';\nexport default { fetch() { return new Response(k.version()); } };`);
  writeFileSync(join(dir, 'webhook.js'), `import * as k from '${rel('pkg/gen/webhook/workerd.js')}';\nexport default { fetch() { return new Response(k.version()); } };`);
  writeFileSync(join(dir, 'policy.js'), `import * as k from '${rel('pkg/gen/policy/workerd.js')}';\nexport default { fetch() { return new Response(k.version()); } };`);
  writeFileSync(join(dir, 'cedar.js'), `import m from '${rel('node_modules/@cedar-policy/cedar-wasm/web/cedar_wasm_bg.wasm')}';\nimport { initSync, getCedarVersion } from '${rel('node_modules/@cedar-policy/cedar-wasm/web/cedar_wasm.js')}';\ninitSync({ module: m });\nexport default { fetch() { return new Response(getCedarVersion()); } };`);
  const w = { empty: [], ours: [], webhook: [], policy: [], cedar: [] };
  for (let i = 0; i < samples; i++) {
    for (const name of Object.keys(w)) w[name].push(await workerdSample(dir, `${name}.js`));
  }
  const [e, o, p, c, wh] = [median(w.empty), median(w.ours), median(w.policy), median(w.cedar), median(w.webhook)];
  const over = (x) => Math.max(1, x - e);
  rows.push({
    host: 'workerd (runtime start to first response, minus an empty worker)',
    'kosmos-connect': fmtNs(Math.max(0, o - e)),
    'kosmos-connect/policy': fmtNs(Math.max(0, p - e)),
    'cedar-wasm': fmtNs(Math.max(0, c - e)),
    'cedar / ours': ratio(over(c), over(o)),
    'cedar / policy': ratio(over(c), over(p)),
  });
  // Start to first response as a multiple of the empty Worker's (the issue's
  // reference): what each entry adds on top of workerd itself.
  rows.push({
    host: 'workerd: start to first response / an empty Worker\'s',
    'kosmos-connect': ratio(o, e),
    'kosmos-connect/policy': ratio(p, e),
    'cedar-wasm': ratio(c, e),
    'cedar / ours': `webhook entry: ${ratio(wh, e)} (${fmtNs(Math.max(0, wh - e))} over empty)`,
    'cedar / policy': `empty Worker: ${fmtNs(e)}`,
  });
  execFileSync('rm', ['-rf', dir]);
  return { title: 'Cold start', rows, figures: { node_ours_ns: oursNode, node_policy_ns: policyNode, node_cedar_ns: cedarNode, workerd_ours_ns: o - e, workerd_policy_ns: p - e, workerd_cedar_ns: c - e, workerd_empty_ns: e, workerd_webhook_ns: wh - e } };
}
