// Builds the npm package: Rust -> wasm32, wasm-bindgen (--target web), the
// trap-recovery patch of the glue, wasm-opt, then prints and records sizes.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gen = join(root, 'pkg', 'gen');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--lib']);
const raw = join(root, 'target', 'wasm32-unknown-unknown', 'release', 'kosmos_connect.wasm');
rmSync(gen, { recursive: true, force: true });
mkdirSync(gen, { recursive: true });
run('wasm-bindgen', ['--target', 'web', '--out-dir', gen, '--out-name', 'kosmos_connect', raw]);

// Trap recovery needs two things wasm-bindgen's glue does not offer: a way to
// drop the trapped instance, and finalizers that never free a pointer of an
// old instance in the new one. Patch both, and fail the build if the glue's
// shape changed so that a pattern no longer applies.
const gluePath = join(gen, 'kosmos_connect.js');
let glue = readFileSync(gluePath, 'utf8');
const must = (re, what) => {
  if (!re.test(glue)) throw new Error(`build: wasm-bindgen glue changed, cannot patch ${what}`);
};
must(/let wasmModule, wasmInstance, wasm;/, 'the instance variables');
glue = glue.replace(
  /new FinalizationRegistry\(ptr => wasm\.(__wbg_\w+_free)\(ptr, 1\)\)/g,
  (_, free) => `new FinalizationRegistry(held => { if (held.g === __kosmosGeneration) wasm.${free}(held.p >>> 0, 1); })`,
);
glue = glue.replace(
  /(\w+Finalization)\.register\(this, this\.__wbg_ptr, this\)/g,
  (_, reg) => `${reg}.register(this, { p: this.__wbg_ptr, g: __kosmosGeneration }, this)`,
);
glue = glue.replace(
  /(\w+Finalization)\.register\(obj, obj\.__wbg_ptr, obj\)/g,
  (_, reg) => `${reg}.register(obj, { p: obj.__wbg_ptr, g: __kosmosGeneration }, obj)`,
);
if (/Finalization\.register\([^)]*__wbg_ptr, (this|obj)\)/.test(glue)) {
  throw new Error('build: a finalizer registration was left unpatched');
}
glue += `
let __kosmosGeneration = 0;
/** Drops the current instance (after a trap); returns the compiled module for a fresh one. */
export function __kosmosReset() {
    const module = wasmModule;
    __kosmosGeneration += 1;
    wasm = undefined;
    wasmInstance = undefined;
    __wbg_init_promise = undefined;
    return module;
}
/** The raw exports of the live instance (tests use it to force a trap). */
export function __kosmosRawExports() { return wasm; }
`;
writeFileSync(gluePath, glue);

const opt = join(root, 'node_modules', '.bin', 'wasm-opt');
const bgWasm = join(gen, 'kosmos_connect_bg.wasm');
const beforeOpt = statSync(bgWasm).size;
run(opt, [
  '-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-reference-types', '--enable-mutable-globals', '--enable-multivalue',
  '--strip-debug', '--strip-producers', bgWasm, '-o', bgWasm,
]);

// Sizes: the module, and the shim (hand-written pkg/ plus generated glue).
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const shimFiles = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (name !== 'gen') walk(p); } else if (name.endsWith('.js')) shimFiles.push(p);
  }
};
walk(join(root, 'pkg'));
shimFiles.push(gluePath);
const shim = Buffer.concat(shimFiles.map((f) => readFileSync(f)));
const wasm = readFileSync(bgWasm);
const report = {
  wasm_raw_bytes: statSync(raw).size,
  wasm_bindgen_bytes: beforeOpt,
  wasm_opt_bytes: wasm.length,
  wasm_gzip_bytes: gz(wasm),
  shim_bytes: shim.length,
  shim_gzip_bytes: gz(shim),
};
report.total_gzip_bytes = report.wasm_gzip_bytes + report.shim_gzip_bytes;
writeFileSync(join(gen, 'size.json'), JSON.stringify(report, null, 2) + '\n');
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log('\nkosmos-connect size report');
console.log(`  wasm  raw (cargo)     ${kb(report.wasm_raw_bytes)}`);
console.log(`  wasm  after bindgen   ${kb(report.wasm_bindgen_bytes)}`);
console.log(`  wasm  after wasm-opt  ${kb(report.wasm_opt_bytes)}   gzip ${kb(report.wasm_gzip_bytes)}`);
console.log(`  shim  ${shimFiles.length} files         ${kb(report.shim_bytes)}   gzip ${kb(report.shim_gzip_bytes)}`);
console.log(`  total gzip            ${kb(report.total_gzip_bytes)}`);
