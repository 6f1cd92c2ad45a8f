// No test result can be silently dropped: scripts/count-reporter.mjs fails the
// run when a file declared more tests than it reported results for. Each case
// runs node --test the way scripts/test.sh does on a fixture file.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name) => `tests/js/fixtures/runner/${name}`;
// This file itself runs under node --test, which marks its children with
// NODE_TEST_CONTEXT; a nested runner that sees it refuses to run files.
const env = { ...process.env };
delete env.NODE_TEST_CONTEXT;

function run(file, { withCounter = true } = {}) {
  const args = ['--test', '--test-force-exit', '--test-reporter=spec', '--test-reporter-destination=stdout'];
  if (withCounter) args.push('--test-reporter=./scripts/count-reporter.mjs', '--test-reporter-destination=stderr');
  args.push(file);
  const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.error, undefined, `node --test ran: ${r.error}`);
  return r;
}

test('the fixture really drops its last result (what the counter has to catch)', () => {
  const r = run(fixture('dropped-result.mjs'), { withCounter: false });
  assert.match(r.stdout, /first result arrives/);
  assert.doesNotMatch(r.stdout, /last result is dropped/, 'the runner never heard of the last test');
  assert.doesNotMatch(r.stdout, /ℹ fail [1-9]/, 'nothing counts as failed');
});

test('a dropped result fails the run and is named', () => {
  const r = run(fixture('dropped-result.mjs'));
  assert.notEqual(r.status, 0, `exit status ${r.status}\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /result count: FAIL, 2 tests declared, 1 results/);
  assert.match(r.stderr, /dropped-result\.mjs: 2 tests declared, 1 results; no result for: "last result is dropped"/);
  assert.match(r.stdout, /first result arrives/, 'the spec output is kept for people');
});

test('a file that reports no test at all fails the run', () => {
  const r = run(fixture('exits-at-once.mjs'));
  assert.notEqual(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /exits-at-once\.mjs: no test reported at all/);
});

test('a file whose every test reports passes the count', () => {
  const r = run(fixture('all-results.mjs'));
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /result count: ok, 7 tests and suites declared, 7 results, in 1 files/);
});

test('an ordinary failure is a result: the run fails on it, not on the count', () => {
  const r = run(fixture('one-failure.mjs'));
  assert.notEqual(r.status, 0);
  assert.match(r.stdout, /ℹ fail 1/);
  assert.match(r.stderr, /result count: ok, 2 tests and suites declared, 2 results/);
});

test('a dropped result among good files still fails the whole run', () => {
  const r = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-force-exit',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=./scripts/count-reporter.mjs',
      '--test-reporter-destination=stderr',
      fixture('all-results.mjs'),
      fixture('dropped-result.mjs'),
    ],
    { cwd: root, env, encoding: 'utf8', timeout: 120_000 },
  );
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /no result for: "last result is dropped"/);
  assert.doesNotMatch(r.stderr, /all-results\.mjs/, 'the good file is not blamed');
});
