// Cold `import()` in Node, each sample a fresh process: the whole import of
// each entry next to the floor it is measured against (compiling the same
// module alone), and where the time of the full entry's import goes, phase
// by phase, in the order pkg/node.js does the work.
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtNs, ratio } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sample = (code) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' }));

const whole = (spec) => `
const t0 = process.hrtime.bigint();
await import('${spec}');
console.log(JSON.stringify({ total: Number(process.hrtime.bigint() - t0) }));`;

// The same steps as pkg/node.js, timed one by one.
const phases = (dir) => `
const t = [process.hrtime.bigint()];
const lap = () => t.push(process.hrtime.bigint());
const { readFileSync } = await import('node:fs'); lap();
const glue = await import('./${dir}/gen/kosmos_connect.js'); lap();
const core = await import('./${dir}/core.js'); lap();
const bytes = readFileSync('./${dir}/gen/kosmos_connect_bg.wasm'); lap();
const module = new WebAssembly.Module(bytes); lap();
glue.initSync({ module }); lap();
await import('./${dir}/node-digest.js'); lap();
await import('./${dir}/api.js'); lap();
const d = t.slice(1).map((x, i) => Number(x - t[i]));
console.log(JSON.stringify({ fs: d[0], glue: d[1], core: d[2], read: d[3], compile: d[4], instantiate: d[5], crypto: d[6], api: d[7] }));`;

const compileOnly = (wasm) => `
import { readFileSync } from 'node:fs';
const bytes = readFileSync('./${wasm}');
const t0 = process.hrtime.bigint();
new WebAssembly.Module(bytes);
console.log(JSON.stringify({ total: Number(process.hrtime.bigint() - t0) }));`;

export async function run({ samples = 9 } = {}) {
  const entries = [
    ['kosmos-connect', 'kosmos-connect', 'pkg/gen/kosmos_connect_bg.wasm'],
    ['kosmos-connect/webhook', 'kosmos-connect/webhook', 'pkg/gen/webhook/gen/kosmos_connect_bg.wasm'],
    ['kosmos-connect/policy', 'kosmos-connect/policy', 'pkg/gen/policy/gen/kosmos_connect_bg.wasm'],
  ];
  const s = Object.fromEntries(entries.map(([n]) => [n, { imp: [], compile: [] }]));
  const ph = [];
  for (let i = 0; i < samples; i++) {
    for (const [name, spec, wasm] of entries) {
      s[name].imp.push(sample(whole(spec)).total);
      s[name].compile.push(sample(compileOnly(wasm)).total);
    }
    ph.push(sample(phases('pkg')));
  }
  const rows = entries.map(([name]) => {
    const imp = median(s[name].imp);
    const compile = median(s[name].compile);
    return { entry: name, 'import / compile alone': ratio(imp, compile), 'cold import()': fmtNs(imp), 'compile alone': fmtNs(compile) };
  });
  const phaseNames = Object.keys(ph[0]);
  const med = Object.fromEntries(phaseNames.map((k) => [k, median(ph.map((p) => p[k]))]));
  const sum = phaseNames.reduce((a, k) => a + med[k], 0);
  const what = {
    fs: 'node:fs', glue: 'wasm-bindgen glue (parse + evaluate)', core: 'core.js + errors.js', read: 'read the .wasm',
    compile: 'new WebAssembly.Module', instantiate: 'initSync (instantiate + start)', crypto: 'node-digest.js (node:crypto, deferred to the first webhook key)', api: 'api.js and pkg/api/*.js',
  };
  const phaseRows = phaseNames.map((k) => ({ entry: `kosmos-connect, phase: ${what[k]}`, 'import / compile alone': `${((med[k] / sum) * 100).toFixed(0)}% of the phases`, 'cold import()': fmtNs(med[k]), 'compile alone': '' }));
  return {
    title: 'Cold import() in Node (a fresh process per sample)',
    summary: 'Ratios: the whole `await import(entry)` (what an app pays at start) over `new WebAssembly.Module` of the same bytes alone (the floor the issue measures it against). Then the full entry\'s import phase by phase (the steps of pkg/node.js, each timed in a fresh process).',
    rows: [...rows, ...phaseRows],
    figures: { ...Object.fromEntries(rows.map((r, i) => [entries[i][0], { import_ns: median(s[entries[i][0]].imp), compile_ns: median(s[entries[i][0]].compile) }])), phases_ns: med },
  };
}
