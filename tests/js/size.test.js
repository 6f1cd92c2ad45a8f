// The size budgets: gzip(wasm) + gzip(shim) of each module must stay under its
// number in scripts/size-budget.json. The build writes pkg/gen/size.json; the
// files on disk must match what it recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';

const budget = JSON.parse(readFileSync(new URL('../../scripts/size-budget.json', import.meta.url), 'utf8'));
const size = JSON.parse(readFileSync(new URL('../../pkg/gen/size.json', import.meta.url), 'utf8'));
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const wasmOf = (path) => readFileSync(new URL(`../../${path}`, import.meta.url));
const fullWasm = wasmOf('pkg/gen/kosmos_connect_bg.wasm');
const policyWasm = wasmOf('pkg/gen/policy/gen/kosmos_connect_bg.wasm');
const webhookWasm = wasmOf('pkg/gen/webhook/gen/kosmos_connect_bg.wasm');
const toolsWasm = wasmOf('pkg/gen/policy-tools/gen/kosmos_connect_bg.wasm');

function checkReport(name, r, limit) {
  assert.ok(r.wasm_opt_bytes < r.wasm_bindgen_bytes, `${name}: wasm-opt ran and shrank the module`);
  assert.equal(r.total_gzip_bytes, r.wasm_gzip_bytes + r.shim_gzip_bytes);
  assert.ok(
    r.total_gzip_bytes <= limit,
    `${name}: total gzip ${r.total_gzip_bytes} B exceeds the budget ${limit} B (wasm ${r.wasm_gzip_bytes}, shim ${r.shim_gzip_bytes})`,
  );
}

test(`full module: wasm + shim gzip is within the budget of ${budget.gzip_total_bytes} bytes`, () => {
  checkReport('full', size, budget.gzip_total_bytes);
  assert.equal(fullWasm.length, size.wasm_opt_bytes, 'pkg/gen/kosmos_connect_bg.wasm is the module size.json measured');
});

test(`policy module: wasm + shim gzip is within the budget of ${budget.policy_gzip_total_bytes} bytes`, () => {
  checkReport('policy', size.policy, budget.policy_gzip_total_bytes);
  assert.equal(policyWasm.length, size.policy.wasm_opt_bytes, 'pkg/gen/policy/gen/kosmos_connect_bg.wasm is the module size.json measured');
  assert.equal(gz(policyWasm), size.policy.wasm_gzip_bytes);
});

test(`webhook module: wasm + shim gzip is within the budget of ${budget.webhook_gzip_total_bytes} bytes`, () => {
  checkReport('webhook', size.webhook, budget.webhook_gzip_total_bytes);
  assert.equal(webhookWasm.length, size.webhook.wasm_opt_bytes, 'pkg/gen/webhook/gen/kosmos_connect_bg.wasm is the module size.json measured');
  assert.equal(gz(webhookWasm), size.webhook.wasm_gzip_bytes);
});

test(`policy-tools module: wasm + shim gzip is within the budget of ${budget.policy_tools_gzip_total_bytes} bytes`, () => {
  checkReport('policy-tools', size['policy-tools'], budget.policy_tools_gzip_total_bytes);
  assert.equal(toolsWasm.length, size['policy-tools'].wasm_opt_bytes, 'pkg/gen/policy-tools/gen/kosmos_connect_bg.wasm is the module size.json measured');
  assert.equal(gz(toolsWasm), size['policy-tools'].wasm_gzip_bytes);
});

test('the policy-tools module is the policy module plus the tools: larger than it, smaller than the full one', () => {
  const tools = size['policy-tools'];
  for (const k of ['wasm_opt_bytes', 'wasm_gzip_bytes', 'total_gzip_bytes']) {
    assert.ok(size.policy[k] < tools[k], `${k}: policy ${size.policy[k]} vs policy-tools ${tools[k]}`);
    assert.ok(tools[k] < size[k], `${k}: policy-tools ${tools[k]} vs full ${size[k]}`);
  }
  assert.ok(tools.wasm_gzip_bytes * 2 < size.wasm_gzip_bytes, `policy-tools ${tools.wasm_gzip_bytes} B gzip vs full ${size.wasm_gzip_bytes} B`);
});

test('the webhook module is smaller than the full one, as recorded', () => {
  for (const k of ['wasm_raw_bytes', 'wasm_bindgen_bytes', 'wasm_opt_bytes', 'wasm_gzip_bytes', 'shim_bytes', 'shim_gzip_bytes', 'total_gzip_bytes']) {
    assert.ok(size.webhook[k] < size[k], `${k}: webhook ${size.webhook[k]} vs full ${size[k]}`);
  }
  // 1Kosmos, OIDC and the policy engine (RSA, k256, AES-GCM, ...) went away: under half the full module.
  assert.ok(size.webhook.wasm_gzip_bytes * 2 < size.wasm_gzip_bytes, `webhook ${size.webhook.wasm_gzip_bytes} B gzip vs full ${size.wasm_gzip_bytes} B`);
});

test('the policy module is smaller than the full one, as recorded', () => {
  for (const k of ['wasm_raw_bytes', 'wasm_bindgen_bytes', 'wasm_opt_bytes', 'wasm_gzip_bytes', 'shim_bytes', 'shim_gzip_bytes', 'total_gzip_bytes']) {
    assert.ok(size.policy[k] < size[k], `${k}: policy ${size.policy[k]} vs full ${size[k]}`);
  }
  // The other capabilities and their crypto went away: well under half the full module.
  assert.ok(size.policy.wasm_gzip_bytes * 2 < size.wasm_gzip_bytes, `policy ${size.policy.wasm_gzip_bytes} B gzip vs full ${size.wasm_gzip_bytes} B`);
  assert.ok(policyWasm.length < fullWasm.length);
});

test(`the policy module is at least ${budget.policy_min_ratio_vs_cedar_gzip}x smaller than @cedar-policy/cedar-wasm (gzip)`, () => {
  const require = createRequire(import.meta.url);
  const cedarWasm = readFileSync(require.resolve('@cedar-policy/cedar-wasm/nodejs').replace(/cedar_wasm\.js$/, 'cedar_wasm_bg.wasm'));
  const ratio = gz(cedarWasm) / size.policy.wasm_gzip_bytes;
  assert.ok(ratio >= budget.policy_min_ratio_vs_cedar_gzip, `only ${ratio.toFixed(1)}x`);
});
