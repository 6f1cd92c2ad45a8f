// `kosmos-connect policy <verb>`: every verb over the example policies and
// their test files (examples/policies/*.test.json), its output and exit code,
// the JS API behind it, and `npx kosmos-connect policy test` from the packed
// tarball installed in a fresh project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { root } from './hosts.js';
import { packAndInstall, run } from './packed.js';
import * as k from 'kosmos-connect/policy-tools';
import * as full from 'kosmos-connect';

const exec = promisify(execFile);
const cli = join(root, 'bin', 'kosmos-connect.js');
const examples = join(root, 'examples', 'policies');
const NAMES = ['commerce', 'descope-adaptive-mfa', 'financial-services', 'health'];

/** Runs the CLI; resolves with { code, stdout, stderr } whatever the exit code. */
async function kc(args, cwd = root) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cli, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function scratch(files) {
  const dir = mkdtempSync(join(tmpdir(), 'kosmos-policy-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), typeof text === 'string' ? text : JSON.stringify(text, null, 2));
  return dir;
}

test('policy test: every example passes its test file, exit 0', async () => {
  const r = await kc(['policy', 'test', 'examples/policies']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const summary = r.stdout.trim().split('\n').at(-1);
  const [, passed, failed] = summary.match(/^(\d+) passed, (\d+) failed$/);
  assert.equal(failed, '0');
  const cases = NAMES.reduce((n, name) => n + JSON.parse(readFileSync(join(examples, `${name}.test.json`), 'utf8')).cases.length, 0);
  assert.equal(Number(passed), cases);
  for (const name of NAMES) assert.match(r.stdout, new RegExp(`# .*${name}\\.test\\.json \\(${name}\\.json\\)`));
});

test('policy test: a failing case shows expected and got, exit 1', async () => {
  const dir = scratch({
    'p.json': readFileSync(join(examples, 'health.json'), 'utf8'),
    'p.test.json': { policy: 'p.json', cases: [
      { name: 'extreme risk', context: { risk: { score: 0.99 } }, expect: { decision: 'deny', rule: 'extreme-risk' } },
      { name: 'wrongly expects allow', context: { risk: { score: 0.99 } }, expect: { decision: 'allow' } },
    ] },
  });
  const r = await kc(['policy', 'test', join(dir, 'p.test.json')]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^ok {3}extreme risk$/m);
  assert.match(r.stdout, /^FAIL wrongly expects allow$/m);
  assert.match(r.stdout, /decision: expected "allow"\n\s+got "deny"/);
  assert.match(r.stdout, /1 passed, 1 failed/);
  const json = JSON.parse((await kc(['policy', 'test', '--json', join(dir, 'p.test.json')])).stdout);
  assert.deepEqual(json[0].cases[1].failures, [{ field: 'decision', expected: 'allow', actual: 'deny' }]);
  rmSync(dir, { recursive: true });
});

test('policy validate: line, column and hint for each problem, exit 1; the examples are valid', async () => {
  const ok = await kc(['policy', 'validate', ...NAMES.map((n) => `examples/policies/${n}.json`)]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.equal(ok.stdout.match(/: valid \(0 warnings\)/g).length, 4);
  const text = '{\n  "version": 1,\n  "rules": [\n    { "id": "a", "when": { "risk_score_above": 0.8, "on_mising": "match" }, "then": { "decision": "deny" } }\n  ],\n  "default": { "decision": "allow" }\n}\n';
  const dir = scratch({ 'bad.json': text });
  const r = await kc(['policy', 'validate', join(dir, 'bad.json')]);
  assert.equal(r.code, 1);
  // The unknown key is on line 4, column 53 (where `"on_mising"` starts).
  assert.equal(text.split('\n')[3].indexOf('"on_mising"') + 1, 53);
  assert.match(r.stdout, /bad\.json:4:53: error: rules\[0\]\.when\.on_mising: unknown key `on_mising`\n\s+hint: did you mean `on_missing`\?/);
  const broken = await kc(['policy', 'validate', join(scratch({ 'x.json': '{\n  "version": 1\n  "rules": []\n}' }), 'x.json')]);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /x\.json:3:3: error: \$: not valid json/);
});

test('policy validate: a rule a stricter rule always beats is a warning (exit 0)', async () => {
  const dir = scratch({ 'w.json': { version: 1, rules: [
    { id: 'new-device', when: { device: 'new' }, then: { decision: 'deny' } },
    { id: 'new-device-abroad', when: { all: [{ device: 'new' }, { country_in: ['FR'] }] }, then: { decision: 'step_up' } },
  ], default: { decision: 'allow' } } });
  const r = await kc(['policy', 'validate', join(dir, 'w.json')]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /w\.json:\d+:\d+: warning: rules\[1\]: can never decide: whenever it matches, rule `new-device` \(rules\[0\]\) matches too/);
  assert.equal((await kc(['policy', 'validate', '--strict', join(dir, 'w.json')])).code, 1, '--strict fails on warnings');
});

test('policy coverage: rules and branches reached, --min fails below', async () => {
  const r = await kc(['policy', 'coverage', 'examples/policies/health.test.json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /# health\.json: 12 cases, branches \d+\/\d+/);
  assert.match(r.stdout, /!! impossible-travel: matched 0/);
  assert.match(r.stdout, /rules no case matched: impossible-travel/);
  const json = JSON.parse((await kc(['policy', 'coverage', '--json', 'examples/policies/health.test.json'])).stdout)[0];
  assert.ok(json.branches_covered < json.branches_total);
  const low = await kc(['policy', 'coverage', '--min', '100', 'examples/policies/health.test.json']);
  assert.equal(low.code, 1);
  assert.match(low.stdout, /below --min 100%/);
});

test('policy diff: how many decisions move, from what to what, with examples', async () => {
  const old = readFileSync(join(examples, 'descope-adaptive-mfa.json'), 'utf8');
  const next = old.replace('"risk_score_above": 0.6', '"risk_score_above": 0.7');
  assert.notEqual(next, old);
  const base = { device: { known: true, trusted: true }, geo: { country: 'US' }, last_login: { country: 'US' } };
  const log = [0.1, 0.62, 0.65, 0.8, 0.95].map((score) => JSON.stringify({ ...base, risk: { score } })).join('\n') + '\n';
  const dir = scratch({ 'old.json': old, 'new.json': next, 'contexts.jsonl': log });
  const args = ['policy', 'diff', join(dir, 'old.json'), join(dir, 'new.json'), join(dir, 'contexts.jsonl')];
  const r = await kc(args);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^5 contexts: 2 decisions change/);
  assert.match(r.stdout, /step_up\s+allow\s+2\n\s+line 2: elevated-risk -> default\n\s+line 3: elevated-risk -> default/);
  assert.equal((await kc([...args, '--fail-on-change'])).code, 1);
  const same = await kc(['policy', 'diff', join(dir, 'old.json'), join(dir, 'old.json'), join(dir, 'contexts.jsonl'), '--fail-on-change']);
  assert.equal(same.code, 0);
  assert.match(same.stdout, /^5 contexts: 0 decisions change/);
});

test('policy format: canonical text, --check and --write', async () => {
  for (const n of NAMES) {
    const r = await kc(['policy', 'format', `examples/policies/${n}.json`]);
    assert.equal(r.stdout, readFileSync(join(examples, `${n}.json`), 'utf8'), `${n} is canonical`);
  }
  const dir = scratch({ 'p.json': '{"default":{"decision":"allow"},"rules":[],"version":1}' });
  const p = join(dir, 'p.json');
  assert.equal((await kc(['policy', 'format', '--check', p])).code, 1);
  assert.equal((await kc(['policy', 'format', '--write', p])).code, 0);
  assert.equal(readFileSync(p, 'utf8'), '{\n  "version": 1,\n  "rules": [],\n  "default": {\n    "decision": "allow"\n  }\n}\n');
  assert.equal((await kc(['policy', 'format', '--check', p])).code, 0);
});

test('usage errors exit 2', async () => {
  assert.equal((await kc([])).code, 2);
  assert.equal((await kc(['policy', 'frobnicate'])).code, 2);
  assert.equal((await kc(['policy', 'diff', 'a.json'])).code, 2);
  const r = await kc(['policy', 'validate', 'no-such-file.json']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot read no-such-file\.json/);
});

test('the JS API gives the same answers and stable error codes', () => {
  const health = readFileSync(join(examples, 'health.json'), 'utf8');
  const report = k.testPolicy(health, readFileSync(join(examples, 'health.test.json'), 'utf8'));
  assert.equal(report.failed, 0);
  assert.throws(() => k.testPolicy(health, { cases: [{ name: 'x', context: {}, expect: { decison: 'allow' } }] }), (e) => e.code === 'invalid_input' && e.field === 'cases[0].expect');
  assert.throws(() => k.testPolicy('{', { cases: [] }), (e) => e.code === 'invalid_policy');
  assert.equal(k.validatePolicy('{}').valid, false);
  const line = k.decisionLogRecord({ ip: '198.51.100.23', user: { id: 'u-1' } }, { decision: 'allow', rule: 'default' }, { key: 'a-key-of-16-chars!' });
  const rec = JSON.parse(line);
  assert.equal(rec.context.ip, '198.51.100.0');
  assert.match(rec.context.user.id, /^h:[0-9a-f]{32}$/);
  const impact = k.diffPolicies(health, health, [line]);
  assert.equal(impact.total, 1);
  assert.equal(impact.changed, 0);
  // The full module's decisionLogRecord (the Worker's) writes the same line.
  assert.equal(full.decisionLogRecord({ ip: '198.51.100.23', user: { id: 'u-1' } }, { decision: 'allow', rule: 'default' }, { key: 'a-key-of-16-chars!' }), line);
});

test('npx kosmos-connect policy test passes from the installed tarball', { timeout: 300_000 }, async () => {
  const { dir, app } = await packAndInstall();
  try {
    for (const n of NAMES) {
      copyFileSync(join(examples, `${n}.json`), join(app, `${n}.json`));
      copyFileSync(join(examples, `${n}.test.json`), join(app, `${n}.test.json`));
    }
    const { stdout } = await run('npx', ['--no-install', 'kosmos-connect', 'policy', 'test', '.'], { cwd: app });
    assert.match(stdout, /\d+ passed, 0 failed/);
    // A failing case fails the command.
    const t = JSON.parse(readFileSync(join(app, 'health.test.json'), 'utf8'));
    t.cases[0].expect.decision = 'deny';
    writeFileSync(join(app, 'health.test.json'), JSON.stringify(t));
    await assert.rejects(run('npx', ['--no-install', 'kosmos-connect', 'policy', 'test', 'health.test.json'], { cwd: app }), (e) => e.code === 1 && /FAIL/.test(e.stdout));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
