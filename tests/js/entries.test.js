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

test('no two capability modules export the same name (a star-export clash would drop both)', async () => {
  const seen = new Map();
  const clashes = [];
  for (const f of ['kosmos', 'oidc', 'policy', 'webhook']) {
    const mod = await import(`../../pkg/api/${f}.js`);
    for (const name of Object.keys(mod)) {
      if (seen.has(name)) clashes.push(`${name}: ${seen.get(name)} and ${f}`);
      seen.set(name, f);
    }
  }
  assert.deepEqual(clashes, []);
  const k = await import('kosmos-connect');
  for (const name of seen.keys()) assert.ok(name in k, `${name} is exported by the package`);
});
