// The policy JSON Schema (schema/policy.schema.json) accepts every policy the
// core compiles in the shared vectors and examples, and refuses the shape
// errors among the bad ones (the compiler also catches what a schema cannot).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { loadVectors, root } from './hosts.js';

const schema = JSON.parse(readFileSync(`${root}/schema/policy.schema.json`, 'utf8'));
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(schema);
const vectors = loadVectors();

test('every example policy validates against the schema', () => {
  const files = readdirSync(`${root}/examples/policies`).filter((f) => f.endsWith('.json') && !f.endsWith('.test.json'));
  assert.ok(files.length >= 4);
  for (const f of files) {
    const policy = JSON.parse(readFileSync(`${root}/examples/policies/${f}`, 'utf8'));
    assert.ok(validate(policy), `${f}: ${JSON.stringify(validate.errors)}`);
  }
});

test('every policy of the predicate vectors validates against the schema', () => {
  for (const g of vectors['policy-predicates'].groups) {
    assert.ok(validate(g.policy), `${g.name}: ${JSON.stringify(validate.errors)}`);
  }
});

test('the schema refuses the shape errors of the compile-error vectors', () => {
  const shape = [
    'not an object', 'missing everything', 'unknown top-level key and version', 'bad custom signal type and name',
    'bad country codes and action types', 'unknown currency and bad thresholds', 'amount without on_other_currency',
    'travel and country change must say what missing history means', 'bad travel settings',
    'two predicates in one condition, unknown keys, missing parts', 'duplicate ids and bad outcomes',
  ];
  for (const name of shape) {
    const c = vectors['policy-compile-errors'].cases.find((x) => x.name === name);
    assert.ok(c, name);
    assert.equal(validate(c.policy), false, `${name} should not validate`);
  }
});

test('the package ships the schema', () => {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
  assert.equal(pkg.exports['./policy.schema.json'], './schema/policy.schema.json');
  assert.ok(pkg.files.includes('schema/policy.schema.json'));
});
