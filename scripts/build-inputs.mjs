// What the package build (scripts/build.mjs) reads, as one hash, and the
// files it writes. The build records the hash in pkg/gen/build-stamp.json
// and skips itself while the hash and the outputs are unchanged (`npm start`
// and `npm test` call it every time); `prepack` refuses a tree whose stamp
// does not match its sources.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the build records the hash of its inputs. */
export const STAMP = join(root, 'pkg', 'gen', 'build-stamp.json');

/** What the build writes (relative to the repository root), all of which the tarball or the tests need. */
export const OUTPUTS = [
  'pkg/gen/kosmos_connect.js',
  'pkg/gen/kosmos_connect.d.ts',
  'pkg/gen/kosmos_connect_bg.wasm',
  'pkg/gen/size.json',
  'pkg/gen/policy/node.js',
  'pkg/gen/policy/workerd.js',
  'pkg/gen/policy/browser.js',
  'pkg/gen/policy/gen/kosmos_connect.js',
  'pkg/gen/policy/gen/kosmos_connect.d.ts',
  'pkg/gen/policy/gen/kosmos_connect_bg.wasm',
  'pkg/gen/webhook/node.js',
  'pkg/gen/webhook/workerd.js',
  'pkg/gen/webhook/browser.js',
  'pkg/gen/webhook/gen/kosmos_connect.js',
  'pkg/gen/webhook/gen/kosmos_connect.d.ts',
  'pkg/gen/webhook/gen/kosmos_connect_bg.wasm',
  'pkg/gen/policy-tools/node.js',
  'pkg/gen/policy-tools/workerd.js',
  'pkg/gen/policy-tools/browser.js',
  'pkg/gen/policy-tools/gen/kosmos_connect.js',
  'pkg/gen/policy-tools/gen/kosmos_connect.d.ts',
  'pkg/gen/policy-tools/gen/kosmos_connect_bg.wasm',
];

/** The crate, its lock and cargo config, the build scripts, and the hand-written shim the policy entries are generated from. */
const INPUTS = ['src', 'Cargo.toml', 'Cargo.lock', '.cargo', 'scripts/build.mjs', 'scripts/build-inputs.mjs', 'pkg', 'node_modules/binaryen/package.json'];

function files(p) {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).sort().flatMap((name) => (join(p, name) === join(root, 'pkg', 'gen') ? [] : files(join(p, name))));
}

/** A hash of every input's path and content, and of the Rust toolchain's version. */
export function inputsHash() {
  const h = createHash('sha256');
  for (const p of INPUTS) {
    if (!existsSync(join(root, p))) continue;
    for (const f of files(join(root, p))) h.update(`${relative(root, f)}\0`).update(readFileSync(f)).update('\0');
  }
  let rustc = 'unknown';
  try {
    rustc = execFileSync('rustc', ['-V'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    // No toolchain: the sources alone decide (prepack on a machine without Rust).
  }
  return h.update(rustc).digest('hex');
}

/**
 * Why the build in pkg/gen is not the build of these sources, or null when it is.
 * @returns {string | null}
 */
export function staleReason() {
  const missing = OUTPUTS.filter((f) => !existsSync(join(root, f)));
  if (missing.length) return `the build is missing (${missing.join(', ')})`;
  if (!existsSync(STAMP)) return 'the build has no stamp (pkg/gen/build-stamp.json)';
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return 'the build stamp is unreadable';
  }
  return stamp.inputs === inputsHash() ? null : 'the sources changed since the build';
}
