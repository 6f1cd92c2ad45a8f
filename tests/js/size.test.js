// The size budget: gzip(wasm) + gzip(shim) must stay under the one number in
// scripts/size-budget.json. The build writes pkg/gen/size.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const budget = JSON.parse(readFileSync(new URL('../../scripts/size-budget.json', import.meta.url), 'utf8'));
const size = JSON.parse(readFileSync(new URL('../../pkg/gen/size.json', import.meta.url), 'utf8'));

test(`wasm + shim gzip is within the budget of ${budget.gzip_total_bytes} bytes`, () => {
  assert.ok(size.wasm_opt_bytes < size.wasm_bindgen_bytes, 'wasm-opt ran and shrank the module');
  assert.equal(size.total_gzip_bytes, size.wasm_gzip_bytes + size.shim_gzip_bytes);
  assert.ok(
    size.total_gzip_bytes <= budget.gzip_total_bytes,
    `total gzip ${size.total_gzip_bytes} B exceeds the budget ${budget.gzip_total_bytes} B (wasm ${size.wasm_gzip_bytes}, shim ${size.shim_gzip_bytes})`,
  );
});
