// The core's error-code table (src/codes.rs -> pkg/codes.js) is the only list
// of codes: no hand-written list of them (a Set, an array, a union) in the
// Worker, the component or the shim. A line naming three or more codes of the
// table as quoted strings is such a list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CODES } from '../../pkg/codes.js';
import { root } from './hosts.js';

function sources() {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      if (['node_modules', 'gen', '.build', 'dist', '__tests__', 'sandbox'].includes(name)) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(js|mjs|ts)$/.test(name)) out.push(p);
    }
  };
  walk(join(root, 'www'));
  walk(join(root, 'pkg'));
  return out;
}

test('no hand-written list of error codes in www/ or pkg/ (outside the generated table)', () => {
  const codes = new Set(Object.keys(CODES));
  assert.ok(codes.size > 50);
  const files = sources();
  assert.ok(files.length > 20);
  const lists = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (text.startsWith('// GENERATED')) continue;
    text.split('\n').forEach((line, i) => {
      const named = [...line.matchAll(/['"]([a-z_]+)['"]/g)].filter((m) => codes.has(m[1]));
      if (named.length >= 3) lists.push(`${f.slice(root.length + 1)}:${i + 1}: ${line.trim().slice(0, 100)}`);
    });
  }
  assert.deepEqual(lists, [], 'ask the core\'s table (codeInfo) instead');
});

test('the table answers classes and statuses the Worker relies on', async () => {
  const { codeInfo } = await import('../../pkg/node.js');
  assert.deepEqual(codeInfo('no_matching_signature'), { code: 'no_matching_signature', class: 'not_authentic', http_status: 401 });
  assert.equal(codeInfo('invalid_policy').class, 'configuration');
  assert.equal(codeInfo('invalid_input').http_status, 400);
  assert.equal(codeInfo('signature_mismatch'), undefined, 'a code the core never emits');
  assert.equal(codeInfo('toString'), undefined);
});

test('no backoff formula or retryable-status list in pkg/ or the Worker (the core\'s retry policy decides)', () => {
  const files = sources().filter((f) => f.includes('/pkg/') || f.includes('/www/worker/src/'));
  assert.ok(files.length > 15);
  // Statuses of an upstream answer (`res.status`) compared by hand, exponentials, home-made jitter.
  const patterns = [/2 \*\* /, /Math\.pow\(/, /res\.status === (408|425|429)/, /res\.status >= 500/, /Math\.random\(\)/];
  const found = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (text.startsWith('// GENERATED')) continue;
    for (const re of patterns) if (re.test(text)) found.push(`${f.slice(root.length + 1)}: ${re}`);
  }
  assert.deepEqual(found, [], 'ask nextAttempt / isRetryableStatus');
});

test('the Lightning component has no retry, backoff or verdict of its own, and no way to the Worker but the Apex gateway', () => {
  const dir = join(root, 'www', 'lwc', 'force-app', 'main', 'default', 'lwc', 'kosmosStepUp');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => join(dir, f));
  assert.ok(files.length >= 4);
  // Backoff formulas, retryable-status lists, the verdict computed in the browser, Worker paths and URLs.
  const patterns = [
    /Math\.pow\(/, / \*\* /, /backoff/i, /\b(408|425|429|502|503|504)\b/, /status\s*>=\s*500/, /Math\.random\(\)/,
    /\b(stepUpVerdict|idvVerdict|nextAttempt|isRetryableStatus)\b/, /\/v1\/descope\//, /workerUrl/, /workerClient/,
  ];
  const found = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const re of patterns) if (re.test(text)) found.push(`${f.slice(root.length + 1)}: ${re}`);
  }
  assert.deepEqual(found, [], 'the core decides verdicts (through the Worker and Apex); the Worker retries upstream calls');
  assert.ok(!readdirSync(dir).includes('workerClient.js'), 'the browser-side Worker client is gone');
});

test('no 1Kosmos event parsing or Salesforce record building in the Worker or pkg/ JS (the core builds them)', () => {
  const files = sources().filter((f) => f.includes('/pkg/') || f.includes('/www/worker/src/'));
  assert.ok(files.length > 15);
  // What a copy would need: the event types, the record fields it fills, the Task's
  // WhoId/WhatId rule, the Salesforce id shape, the confidence rounding.
  const patterns = [
    /startsWith\(['"](idv|liveid)\./,
    /['"]?(Verification_Id__c|Kind__c|Decision__c|Occurred_At__c|Confidence__c|Related_Record_Id__c)['"]?\s*:/,
    /\bWhoId\b|\bWhatId\b/,
    /['"]00Q['"]/,
    /\[A-Za-z0-9\]\{15\}/,
    /Math\.round\([^)]*10_?000\)/,
    /Outcome: \$\{/,
  ];
  const found = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    if (text.startsWith('// GENERATED')) continue;
    for (const re of patterns) if (re.test(text)) found.push(`${f.slice(root.length + 1)}: ${re}`);
  }
  assert.deepEqual(found, [], 'ask parseVerificationEvent / salesforceRecords');
  // The Worker reads and builds through the core's functions.
  const webhook = readFileSync(join(root, 'www/worker/src/webhook.js'), 'utf8');
  assert.match(webhook, /parseVerificationEvent\(/);
  assert.match(webhook, /salesforceRecords\(/);
});

test('the Worker answers 1Kosmos errors by the core\'s table, not by the upstream status', () => {
  const errors = readFileSync(join(root, 'www/worker/src/errors.js'), 'utf8');
  assert.doesNotMatch(errors, /upstream === \d{3}|upstream >= \d{3}|details\.status === \d{3}/, 'the core\'s code/class decides the HTTP status');
  const descope = readFileSync(join(root, 'www/worker/src/descope.js'), 'utf8');
  assert.match(descope, /profile\.call\(/, 'the package\'s retrying client');
  assert.doesNotMatch(descope, /await fetch\(/);
});
