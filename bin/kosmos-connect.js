#!/usr/bin/env node
// `npx kosmos-connect policy <verb>`: the policy author's tools from a shell
// or CI. Every answer is the core's (the same as the playground's); this file
// reads files and prints. Exit codes: 0 ok, 1 the check failed (invalid
// policy, failing test, coverage below --min, a changed decision with
// --fail-on-change, a file not canonical with --check), 2 usage or unreadable input.
import { readFileSync, writeFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
// The tools' own entry (`kosmos-connect/policy-tools`): the full module does not carry them.
import * as k from '../pkg/gen/policy-tools/node.js';

const USAGE = `usage: kosmos-connect policy <verb> [options]

  validate <policy.json>... [--strict]    every problem with line, column and a hint (--strict: warnings fail too)
  test [<file.test.json | dir>...]        run test files (default: *.test.json under .)
  coverage [<file.test.json | dir>...]    rules and branches the tests reach [--min <percent>]
  diff <old.json> <new.json> <contexts.jsonl>   decisions that move [--fail-on-change]
  format <policy.json>... [--check | --write]   canonical form

  --json   print the core's answer as JSON
exit: 0 ok, 1 check failed, 2 usage or unreadable input`;

class Usage extends Error {}

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Usage(`cannot read ${path}: ${e.code ?? e.message}`);
  }
}

function parseArgs(argv) {
  const flags = { json: false, check: false, write: false, failOnChange: false, strict: false, min: undefined };
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') flags.json = true;
    else if (a === '--check') flags.check = true;
    else if (a === '--write') flags.write = true;
    else if (a === '--fail-on-change') flags.failOnChange = true;
    else if (a === '--strict') flags.strict = true;
    else if (a === '--min') {
      flags.min = Number(argv[++i]);
      if (!Number.isFinite(flags.min)) throw new Usage('--min takes a percentage');
    } else if (a.startsWith('--')) throw new Usage(`unknown option ${a}`);
    else files.push(a);
  }
  return { flags, files };
}

/** Test files named or found under the directories given (default: the current one). */
function testFiles(paths) {
  const out = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.json')) out.push(p);
    }
  };
  for (const p of paths.length ? paths : ['.']) {
    if (!existsSync(p)) throw new Usage(`no such file or directory: ${p}`);
    if (statSync(p).isDirectory()) walk(p);
    else out.push(p);
  }
  if (!out.length) throw new Usage(`no *.test.json under ${paths.join(' ') || '.'}`);
  return out;
}

/** A test file and its policy: the file's `policy` key, or `<name>.json` beside `<name>.test.json`. */
function loadTest(file) {
  const tests = read(file);
  let named;
  try {
    named = JSON.parse(tests).policy;
  } catch (e) {
    throw new Usage(`${file}: not valid json: ${e.message}`);
  }
  const policyPath = resolve(dirname(file), typeof named === 'string' ? named : basename(file).replace(/\.test\.json$/, '.json'));
  return { tests, policyPath, policy: read(policyPath) };
}

const show = (v) => JSON.stringify(v);

function validate(files, flags, out) {
  if (!files.length) throw new Usage('validate needs a policy file');
  let failed = false;
  const all = [];
  for (const f of files) {
    const v = k.validatePolicy(read(f));
    all.push({ file: f, ...v });
    failed ||= !v.valid || (flags.strict && v.warnings.length > 0);
    for (const p of v.problems) out(`${f}:${p.line}:${p.column}: error: ${p.path}: ${p.message}\n    hint: ${p.hint}`);
    for (const p of v.warnings) out(`${f}:${p.line}:${p.column}: warning: ${p.path}: ${p.message}\n    hint: ${p.hint}`);
    if (v.valid) out(`${f}: valid (${v.warnings.length} warning${v.warnings.length === 1 ? '' : 's'})`);
  }
  return { code: failed ? 1 : 0, json: all };
}

function test(files, flags, out) {
  let failed = 0;
  let passed = 0;
  const all = [];
  for (const f of testFiles(files)) {
    const { tests, policy, policyPath } = loadTest(f);
    const r = k.testPolicy(policy, tests);
    all.push({ file: f, policy: policyPath, ...r });
    out(`# ${f} (${basename(policyPath)})`);
    for (const c of r.cases) {
      out(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}`);
      for (const m of c.failures) out(`       ${m.field}: expected ${show(m.expected)}\n       ${' '.repeat(m.field.length)}       got ${show(m.actual)}`);
      if (!c.ok && c.actual && c.actual.reasons) out(`       (reasons: ${show(c.actual.reasons)})`);
    }
    passed += r.passed;
    failed += r.failed;
  }
  out(`${passed} passed, ${failed} failed`);
  return { code: failed ? 1 : 0, json: all };
}

function coverage(files, flags, out) {
  const all = [];
  let low = false;
  for (const f of testFiles(files)) {
    const { tests, policy, policyPath } = loadTest(f);
    const c = k.policyCoverage(policy, tests);
    const pct = c.branches_total ? (100 * c.branches_covered) / c.branches_total : 100;
    all.push({ file: f, policy: policyPath, percent: pct, ...c });
    out(`# ${basename(policyPath)}: ${c.cases} cases, branches ${c.branches_covered}/${c.branches_total} (${pct.toFixed(1)}%)`);
    for (const r of c.rules) {
      const seen = r.branches.reduce((n, b) => n + (b.true > 0) + (b.false > 0), 0);
      out(`  ${r.matched ? '   ' : '!! '}${r.id}: matched ${r.matched}, decided ${r.decided}, branches ${seen}/${r.branches.length * 2}`);
      for (const b of r.branches) {
        if (!b.true || !b.false) out(`       ${b.path}: ${b.true ? '' : 'never true'}${!b.true && !b.false ? ', ' : ''}${b.false ? '' : 'never false'}`);
      }
    }
    if (c.rules_never_matched.length) out(`  rules no case matched: ${c.rules_never_matched.join(', ')}`);
    for (const w of c.warnings) out(`  ${basename(policyPath)}:${w.line}:${w.column}: warning: ${w.message}`);
    if (flags.min !== undefined && pct < flags.min) low = true;
  }
  if (low) out(`branch coverage below --min ${flags.min}%`);
  return { code: low ? 1 : 0, json: all };
}

function diff(files, flags, out) {
  if (files.length !== 3) throw new Usage('diff needs <old.json> <new.json> <contexts.jsonl>');
  const [a, b, log] = files;
  const r = k.diffPolicies(read(a), read(b), read(log));
  out(`${r.total} contexts: ${r.changed} decisions change, ${r.rule_changed} keep their decision under another rule${r.unreadable ? `, ${r.unreadable} lines unreadable` : ''}`);
  if (r.moves.length) {
    out('  from             to               count');
    for (const m of r.moves) {
      out(`  ${m.from.padEnd(16)} ${m.to.padEnd(16)} ${String(m.count).padStart(5)}`);
      for (const e of m.examples) out(`      line ${e.line}: ${e.old_rule} -> ${e.new_rule}`);
    }
  }
  const counts = (list) => list.map(([d, n]) => `${d} ${n}`).join(', ');
  out(`  old: ${counts(r.old_counts)}\n  new: ${counts(r.new_counts)}`);
  return { code: flags.failOnChange && r.changed ? 1 : 0, json: r };
}

function format(files, flags, out) {
  if (!files.length) throw new Usage('format needs a policy file');
  let changed = false;
  const all = [];
  for (const f of files) {
    const src = read(f);
    const text = k.formatPolicy(src);
    const same = text === src;
    all.push({ file: f, canonical: same });
    if (flags.write) {
      if (!same) writeFileSync(f, text);
      out(`${f}: ${same ? 'unchanged' : 'formatted'}`);
    } else if (flags.check) {
      if (!same) {
        changed = true;
        out(`${f}: not in canonical form (run kosmos-connect policy format --write ${f})`);
      }
    } else {
      process.stdout.write(text);
    }
  }
  return { code: flags.check && changed ? 1 : 0, json: all };
}

const VERBS = { validate, test, coverage, diff, format };

export function main(argv, out = (s) => console.log(s)) {
  const [group, verb, ...rest] = argv;
  if (group !== 'policy' || !VERBS[verb]) {
    console.error(USAGE);
    return group === '--help' || group === '-h' ? 0 : 2;
  }
  try {
    const { flags, files } = parseArgs(rest);
    const quiet = flags.json ? () => {} : out;
    const r = VERBS[verb](files, flags, quiet);
    if (flags.json) out(JSON.stringify(r.json, null, 2));
    return r.code;
  } catch (e) {
    if (e instanceof Usage) {
      console.error(`kosmos-connect: ${e.message}`);
      return 2;
    }
    if (e instanceof k.KosmosError) {
      console.error(`kosmos-connect: ${e.code}: ${e.message}`);
      const problems = e.details?.problems ?? [];
      for (const p of problems) console.error(`    ${p.path}: ${p.message}`);
      return e.code === 'invalid_policy' ? 1 : 2;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
