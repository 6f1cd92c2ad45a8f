// Module and shim size, ours against peers: @cedar-policy/cedar-wasm (a
// policy engine in wasm) and jose (a pure-JS JOSE library). Ours twice: the
// full package (`kosmos-connect`) and the policy entry
// (`kosmos-connect/policy`, the policy engine in its own module).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtBytes, ratio } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

function filesUnder(dir, pred) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, pred));
    else if (pred(p)) out.push(p);
  }
  return out;
}

function sizeOf(files) {
  const buf = Buffer.concat(files.map((f) => readFileSync(f)));
  return { raw: buf.length, gzip: gz(buf) };
}

export async function run() {
  const ours = JSON.parse(readFileSync(join(root, 'pkg', 'gen', 'size.json'), 'utf8'));
  const rows = [{ package: 'kosmos-connect (wasm + shim)', raw: ours.wasm_opt_bytes + ours.shim_bytes, gzip: ours.total_gzip_bytes }];
  const policy = ours.policy;
  rows.push({ package: 'kosmos-connect/policy (wasm + shim)', raw: policy.wasm_opt_bytes + policy.shim_bytes, gzip: policy.total_gzip_bytes });
  const webhook = ours.webhook;
  rows.push({ package: 'kosmos-connect/webhook (wasm + shim)', raw: webhook.wasm_opt_bytes + webhook.shim_bytes, gzip: webhook.total_gzip_bytes });
  const tools = ours['policy-tools'];
  rows.push({ package: 'kosmos-connect/policy-tools (wasm + shim)', raw: tools.wasm_opt_bytes + tools.shim_bytes, gzip: tools.total_gzip_bytes });
  const cedarDir = join(root, 'node_modules', '@cedar-policy', 'cedar-wasm');
  const cedarWasm = filesUnder(join(cedarDir, 'nodejs'), (p) => p.endsWith('.wasm'));
  const cedarJs = filesUnder(join(cedarDir, 'nodejs'), (p) => p.endsWith('.js'));
  const cedar = sizeOf([...cedarWasm, ...cedarJs]);
  rows.push({ package: '@cedar-policy/cedar-wasm (nodejs build)', ...cedar });
  const joseDir = join(root, 'node_modules', 'jose');
  const jose = sizeOf(filesUnder(join(joseDir, 'dist', 'webapi'), (p) => p.endsWith('.js')));
  rows.push({ package: 'jose (dist/webapi, all modules)', ...jose });
  const [base, policyRow] = rows;
  return {
    title: 'Size: module and shim',
    rows: rows.map((r) => ({
      package: r.package,
      raw: fmtBytes(r.raw),
      gzip: fmtBytes(r.gzip),
      'gzip vs kosmos-connect': ratio(r.gzip, base.gzip),
      'gzip vs kosmos-connect/policy': ratio(r.gzip, policyRow.gzip),
    })),
    notes: '`kosmos-connect/policy` is the policy engine alone (its own module, built with `--no-default-features --features policy`), `kosmos-connect/webhook` webhook verification and signing alone (`--features webhook`), `kosmos-connect/policy-tools` the policy author\'s tools with the policy engine (`--features policy-tools`); `kosmos-connect` carries every capability a host runs (not the author\'s tools). Shim: every JS file of the entry plus the wasm-bindgen glue.',
    figures: { ours_gzip: base.gzip, policy_gzip: policyRow.gzip, webhook_gzip: webhook.total_gzip_bytes, policy_tools_gzip: tools.total_gzip_bytes, cedar_gzip: cedar.gzip, jose_gzip: jose.gzip },
  };
}
