// Node-only checks of the package surface: the exports map resolves for each
// condition, errors are KosmosError, and nothing runs before init in browsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

test('exports map names workerd, browser, node, default and types', () => {
  const dot = pkg.exports['.'];
  assert.deepEqual(Object.keys(dot), ['types', 'workerd', 'browser', 'node', 'default']);
  for (const file of Object.values(dot)) assert.ok(readFileSync(new URL(`../../${file}`, import.meta.url)).length > 0, file);
});

test('the package resolves to the node entry by its own name', async () => {
  const k = await import('kosmos-connect');
  assert.equal(typeof k.buildCreateIdvSession, 'function');
  assert.equal(k.isReady(), true);
  assert.throws(() => k.compilePolicy('{'), (e) => e instanceof k.KosmosError && e.code === 'invalid_policy' && e.name === 'KosmosError');
});

test('every entry exposes the same functions', async () => {
  const src = (f) => readFileSync(new URL(`../../pkg/${f}`, import.meta.url), 'utf8');
  for (const f of ['node.js', 'workerd.js', 'browser.js']) {
    assert.match(src(f), /export \* from '\.\/api\.js';/, f);
    assert.match(src(f), /export async function init|export function init/, f);
  }
});
