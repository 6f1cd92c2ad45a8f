// Every fuzz target file is registered exactly once in fuzz/Cargo.toml, so
// CI's fuzz run (scripts/fuzz.sh) cannot silently skip or choke on one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

test('fuzz/Cargo.toml registers each fuzz target once', () => {
  const manifest = readFileSync(new URL('../../fuzz/Cargo.toml', import.meta.url), 'utf8');
  const blocks = manifest.split('[[bin]]').slice(1);
  const names = blocks.map((b) => {
    const name = [...b.matchAll(/^name = "([^"]+)"$/gm)].map((m) => m[1]);
    const path = [...b.matchAll(/^path = "fuzz_targets\/([^"]+)\.rs"$/gm)].map((m) => m[1]);
    assert.equal(name.length, 1, `one name per [[bin]]: ${b.trim().slice(0, 80)}`);
    assert.deepEqual(path, name, 'the path matches the name');
    return name[0];
  });
  const files = readdirSync(new URL('../../fuzz/fuzz_targets/', import.meta.url)).filter((f) => f.endsWith('.rs')).map((f) => f.slice(0, -3));
  assert.deepEqual([...names].sort(), [...new Set(names)].sort(), 'no target twice');
  assert.deepEqual([...names].sort(), files.sort());
});
