// Builds the npm package: Rust -> wasm32, wasm-bindgen (--target web), the
// trap-recovery patch of the glue, wasm-opt, then prints and records sizes.
//
// Modules come out of the one crate, one per entry (MODULES below):
//   full     every capability                  pkg/gen/kosmos_connect{.js,_bg.wasm}          entry `kosmos-connect`
//   policy   `--no-default-features --features policy`: the policy engine alone (no RSA, EC curves,
//            AES-GCM, OIDC, webhooks)           pkg/gen/policy/gen/kosmos_connect{.js,_bg.wasm}   entry `kosmos-connect/policy`
//   webhook  `--no-default-features --features webhook`: webhook verification and signing alone
//                                               pkg/gen/webhook/gen/kosmos_connect{.js,_bg.wasm}  entry `kosmos-connect/webhook`
//   policy-tools  `--no-default-features --features policy-tools`: the policy author's tools
//            (validate, format, test, coverage, diff) with the policy engine and the decision-log
//            record; for the CLI and the playground, not in the full module
//                                               pkg/gen/policy-tools/gen/kosmos_connect{.js,_bg.wasm}  entry `kosmos-connect/policy-tools`
// Each module but the full one has its own cargo target directory
// (target/wasm-<name>): in one directory the builds' feature sets would
// overwrite each other's crate artifact, and cargo would recompile the crate
// once per module on every build even with nothing changed.
//
// A build whose inputs (scripts/build-inputs.mjs: the crate, the shim, the
// toolchain) are unchanged since the last one is skipped: the stamp
// pkg/gen/build-stamp.json holds their hash. `--force` rebuilds anyway.
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname, resolve, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import { STAMP, inputsHash, staleReason } from './build-inputs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = join(root, 'pkg');
const gen = join(pkg, 'gen');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

// Each capability entry: `api` is the file that stands in for pkg/api.js in
// its host modules, `nodeDigest` whether its Node entry keeps node:crypto as
// the webhook digest (only modules with webhooks have a use for it).
const MODULES = [
  { name: 'full', features: [], out: gen },
  { name: 'policy', features: ['--no-default-features', '--features', 'policy'], api: 'api-policy.js', nodeDigest: false },
  { name: 'webhook', features: ['--no-default-features', '--features', 'webhook'], api: 'api-webhook.js', nodeDigest: true },
  { name: 'policy-tools', features: ['--no-default-features', '--features', 'policy-tools'], api: 'api-policy-tools.js', nodeDigest: false },
];
const ENTRIES = MODULES.filter((m) => m.api);
for (const m of ENTRIES) {
  m.root = join(gen, m.name);
  m.out = join(m.root, 'gen');
}

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
/** Prints the size report (what pkg/gen/size.json holds). */
function printSizes(report) {
  for (const [name, r] of [['kosmos-connect (full)', report], ...ENTRIES.map((m) => [`kosmos-connect/${m.name}`, report[m.name]])]) {
    console.log(`\n${name} size report`);
    console.log(`  wasm  raw (cargo)     ${kb(r.wasm_raw_bytes)}`);
    console.log(`  wasm  after bindgen   ${kb(r.wasm_bindgen_bytes)}`);
    console.log(`  wasm  after wasm-opt  ${kb(r.wasm_opt_bytes)}   gzip ${kb(r.wasm_gzip_bytes)}`);
    console.log(`  shim  ${String(r.shim_files).padEnd(2)} files         ${kb(r.shim_bytes)}   gzip ${kb(r.shim_gzip_bytes)}`);
    console.log(`  total gzip            ${kb(r.total_gzip_bytes)}`);
  }
}

const why = process.argv.includes('--force') ? 'forced' : staleReason();
if (!why) {
  console.log('build: pkg/gen is up to date with its sources (pkg/gen/build-stamp.json); `node scripts/build.mjs --force` rebuilds');
  printSizes(JSON.parse(readFileSync(join(gen, 'size.json'), 'utf8')));
  process.exit(0);
}
console.log(`build: ${why}: building`);
// Hashed before building: an edit made while the build runs makes the next one rebuild.
const inputs = inputsHash();

rmSync(gen, { recursive: true, force: true });
for (const m of MODULES) {
  const targetDir = m.name === 'full' ? join(root, 'target') : join(root, 'target', `wasm-${m.name}`);
  run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--lib', '--target-dir', targetDir, ...m.features]);
  const cargoOut = join(targetDir, 'wasm32-unknown-unknown', 'release');
  m.raw = join(cargoOut, `kosmos_connect.${m.name}.wasm`);
  copyFileSync(join(cargoOut, 'kosmos_connect.wasm'), m.raw);
}

for (const m of MODULES) {
  mkdirSync(m.out, { recursive: true });
  run('wasm-bindgen', ['--target', 'web', '--out-dir', m.out, '--out-name', 'kosmos_connect', m.raw]);
  m.glue = join(m.out, 'kosmos_connect.js');
  writeFileSync(m.glue, patchGlue(readFileSync(m.glue, 'utf8')));
  m.wasm = join(m.out, 'kosmos_connect_bg.wasm');
  m.beforeOpt = statSync(m.wasm).size;
  run(join(root, 'node_modules', '.bin', 'wasm-opt'), [
    '-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
    '--enable-reference-types', '--enable-mutable-globals', '--enable-multivalue',
    '--strip-debug', '--strip-producers', m.wasm, '-o', m.wasm,
  ]);
}

/**
 * Trap recovery needs two things wasm-bindgen's glue does not offer: a way to
 * drop the trapped instance, and finalizers that never free a pointer of an
 * old instance in the new one. Patches both into the glue of either module,
 * and fails the build if the glue's shape changed so that a pattern no
 * longer applies.
 */
function patchGlue(glue) {
  const must = (re, what) => {
    if (!re.test(glue)) throw new Error(`build: wasm-bindgen glue changed, cannot patch ${what}`);
  };
  must(/let wasmModule, wasmInstance, wasm;/, 'the instance variables');
  must(/export function __kosmosSelfTestTrap\(/, 'the trap self-test (the module lacks the export)');
  // The glue's JSDoc repeats the Rust doc comments that the generated .d.ts
  // (shipped beside it) carries too: about 2.4 KB of gzip per module for
  // nothing at run time. Only whole-line `/** ... */` blocks go.
  glue = glue.replace(/^[ \t]*\/\*\*(?:(?!\*\/)[\s\S])*\*\/[ \t]*\n/gm, '');
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
  return glue + `
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
}

// The capability entries (`kosmos-connect/policy`, `kosmos-connect/webhook`,
// `kosmos-connect/policy-tools`)
// are generated from the same sources as the main ones, never copied by hand:
// rollup follows the imports of pkg/node.js, workerd.js and browser.js with
// one substitution, `./api.js` (every capability) -> the entry's `api` file
// (e.g. `./api-policy.js`), and writes each module it reached (core.js,
// errors.js, api/policy.js, ...) unbundled to pkg/gen/<name>/ under its own
// path. The glue and the .wasm stay external imports: pkg/gen/<name>/gen/
// holds the entry's module under the same names pkg/gen/ holds the full one,
// so every relative path in the sources (the glue import,
// `new URL('./gen/kosmos_connect_bg.wasm', import.meta.url)`, the workerd
// .wasm import) is already right. Each entry thus has its own core.js state
// (instance, generation), so an app may load several.
const NO_DIGEST = '\0kosmos-no-digest';
async function buildEntries(m) {
  const swapped = new Set();
  const b = await rollup({
    input: { node: join(pkg, 'node.js'), workerd: join(pkg, 'workerd.js'), browser: join(pkg, 'browser.js') },
    plugins: [
      {
        name: `kosmos-${m.name}-entry`,
        resolveId(source, importer) {
          if (source.startsWith('node:')) return { id: source, external: true };
          if (!importer) return null;
          const abs = resolve(dirname(importer), source);
          if (abs === join(pkg, 'api.js')) {
            swapped.add(importer);
            return join(pkg, m.api);
          }
          // node:crypto for webhook MACs: of no use to a module without webhooks.
          if (abs === join(pkg, 'node-digest.js') && !m.nodeDigest) return NO_DIGEST;
          if (abs.startsWith(gen + sep)) {
            if (dirname(importer) !== pkg) this.error(`${importer} imports ${source}: only modules directly in pkg/ may import pkg/gen/`);
            return { id: source, external: true };
          }
          return null;
        },
        load: (id) => (id === NO_DIGEST ? 'export function useNodeDigest() {}\n' : null),
      },
    ],
    onwarn: (w) => {
      if (w.code === 'CIRCULAR_DEPENDENCY') return;
      throw new Error(`build: ${m.name} entries: ${w.message}`);
    },
  });
  await b.write({
    dir: m.root,
    format: 'es',
    preserveModules: true,
    preserveModulesRoot: pkg,
    entryFileNames: '[name].js',
    banner: `// GENERATED by scripts/build.mjs from pkg/ for the \`kosmos-connect/${m.name}\` entry. Do not edit.`,
  });
  await b.close();
  if (swapped.size !== 3) throw new Error(`build: ${m.name}: expected the three host entries to import ./api.js, saw ${swapped.size}`);
}
for (const m of ENTRIES) await buildEntries(m);

// Sizes: each module, and its shim (hand-written JS plus generated glue).
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const jsUnder = (dir, skip) => {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) { if (p !== skip) out.push(...jsUnder(p, skip)); } else if (name.endsWith('.js')) out.push(p);
  }
  return out;
};
function sizes(m, shimFiles) {
  const shim = Buffer.concat(shimFiles.map((f) => readFileSync(f)));
  const wasm = readFileSync(m.wasm);
  const r = {
    // The linked module before wasm-bindgen (it keeps the function names): bench/size-breakdown.mjs reads it.
    wasm_raw_path: relative(root, m.raw),
    wasm_raw_bytes: statSync(m.raw).size,
    wasm_bindgen_bytes: m.beforeOpt,
    wasm_opt_bytes: wasm.length,
    wasm_gzip_bytes: gz(wasm),
    shim_files: shimFiles.length,
    shim_bytes: shim.length,
    shim_gzip_bytes: gz(shim),
  };
  r.total_gzip_bytes = r.wasm_gzip_bytes + r.shim_gzip_bytes;
  return r;
}
const [full] = MODULES;
// The full module's figures stay at the top level (what bench/ and the budget
// read); each capability module's under its name (`policy`, `webhook`, `policy-tools`).
const report = { ...sizes(full, [...jsUnder(pkg, gen), full.glue]) };
for (const m of ENTRIES) report[m.name] = sizes(m, jsUnder(m.root));
writeFileSync(join(gen, 'size.json'), JSON.stringify(report, null, 2) + '\n');
printSizes(report);
writeFileSync(STAMP, JSON.stringify({ inputs }, null, 2) + '\n');
