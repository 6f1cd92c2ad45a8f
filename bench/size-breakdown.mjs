// Where a module's bytes go, by crate: the module as the build makes it
// (wasm-bindgen, then wasm-opt -Oz), but with the function names kept, so
// each function body is attributed to the crate its symbol names. gzip is
// measured per crate (its bodies concatenated, compressed alone) and scaled so
// the rows add up to the shipped module's gzip size; the data section
// (string constants, tables) is its own row.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtBytes } from './lib.mjs';
import { functions, crateOf } from './wasm-sections.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const OPT = ['-Oz', '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-reference-types', '--enable-mutable-globals', '--enable-multivalue', '--strip-producers'];

/** Per-crate bytes of one module: `{ rows: [{ crate, bytes, gzip }], total_gzip }`. */
export function breakdown(rawPath, shippedGzip) {
  const dir = mkdtempSync(join(tmpdir(), 'kosmos-size-'));
  try {
    execFileSync('wasm-bindgen', ['--keep-debug', '--no-demangle', '--target', 'web', '--out-dir', dir, '--out-name', 'm', join(root, rawPath)], { stdio: 'ignore' });
    execFileSync(join(root, 'node_modules', '.bin', 'wasm-opt'), [...OPT, '-g', join(dir, 'm_bg.wasm'), '-o', join(dir, 'opt.wasm')], { stdio: 'ignore' });
    const { fns, dataBody } = functions(readFileSync(join(dir, 'opt.wasm')));
    const groups = new Map();
    for (const f of fns) {
      const c = crateOf(f.name);
      const g = groups.get(c) ?? { crate: c, bytes: 0, bodies: [], functions: 0 };
      g.bytes += f.bytes;
      g.functions += 1;
      g.bodies.push(f.body);
      groups.set(c, g);
    }
    const rows = [...groups.values()].map((g) => ({ crate: g.crate, functions: g.functions, bytes: g.bytes, alone: gz(Buffer.concat(g.bodies)) }));
    rows.push({ crate: '(data section: strings, tables)', functions: 0, bytes: dataBody.length, alone: gz(dataBody) });
    const sumAlone = rows.reduce((a, r) => a + r.alone, 0);
    for (const r of rows) r.gzip = Math.round((r.alone / sumAlone) * shippedGzip);
    rows.sort((a, b) => b.gzip - a.gzip);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  const size = JSON.parse(readFileSync(join(root, 'pkg', 'gen', 'size.json'), 'utf8'));
  const modules = [['kosmos-connect', size], ['kosmos-connect/webhook', size.webhook]];
  const out = [];
  const figures = {};
  for (const [name, r] of modules) {
    const rows = breakdown(r.wasm_raw_path, r.wasm_gzip_bytes);
    figures[name] = Object.fromEntries(rows.map((x) => [x.crate, x.gzip]));
    let cum = 0;
    for (const x of rows.slice(0, 14)) {
      cum += x.gzip;
      out.push({
        module: name,
        crate: x.crate,
        'share of the gzip module': `${((x.gzip / r.wasm_gzip_bytes) * 100).toFixed(0)}%`,
        gzip: fmtBytes(x.gzip),
        'after wasm-opt': fmtBytes(x.bytes),
        functions: x.functions || '',
        'cumulative gzip': fmtBytes(cum),
      });
    }
  }
  return {
    title: 'Size: where the module bytes go, by crate',
    summary: `The shipped modules rebuilt with their function names kept (wasm-bindgen --keep-debug --no-demangle, wasm-opt -Oz -g), each function body attributed to the crate its Rust symbol names (generic code counts for the crate that defines it, e.g. serde's derive output for serde-core, Vec growth for core/alloc/std). gzip per crate is measured alone and scaled to the shipped module's gzip (${fmtBytes(size.wasm_gzip_bytes)} full, ${fmtBytes(size.webhook.wasm_gzip_bytes)} webhook). The 14 largest rows per module.`,
    rows: out,
    figures,
  };
}
