// Policy checks: as the Risk policy is edited, the core validates it (each
// problem marked in the editor's gutter at its line), runs the test cases
// (a `*.test.json`) and shows the impact of the edit on the test cases'
// contexts against the policy as loaded: before anything is deployed. The
// core answers (validatePolicy, testPolicy, diffPolicies); this module shows.
// Those answers come from the `kosmos-connect/policy-tools` entry's browser
// build, loaded beside the full module (which does not carry the tools).
import * as tools from '../../../pkg/gen/policy-tools/browser.js';
import { $, el } from '../lib.js';

// Used when the example test file is not reachable.
const FALLBACK_TESTS = {
  cases: [
    { name: 'calm login', context: { device: { known: true, trusted: true }, geo: { country: 'US' }, last_login: { country: 'US' }, risk: { score: 0.1 } }, expect: { decision: 'allow' } },
    { name: 'a bot', context: { risk: { bot: true } }, expect: { decision: 'deny', rule: 'bot' } },
  ],
};

const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The gutter: one line number per line of the editor, problem lines marked. */
function gutter(editor, pre, findings) {
  const lines = editor.value.split('\n').length;
  const at = new Map();
  for (const f of findings) {
    const prev = at.get(f.line);
    if (!prev || f.kind === 'bad') at.set(f.line, { kind: f.kind, text: prev ? `${prev.text}\n${f.message}` : f.message });
  }
  pre.replaceChildren(...Array.from({ length: lines }, (_, i) => {
    const mark = at.get(i + 1);
    return el('span', { class: mark ? `line ${mark.kind}` : 'line', 'data-line': i + 1, title: mark?.text }, String(i + 1));
  }));
  pre.scrollTop = editor.scrollTop;
}

function problemsView(v) {
  const findings = [...v.problems.map((p) => ({ ...p, kind: 'bad' })), ...v.warnings.map((p) => ({ ...p, kind: 'warn' }))];
  const head = v.valid
    ? el('p', { class: 'headline' }, el('span', { class: `badge ${v.warnings.length ? 'warn' : 'ok'}` }, v.warnings.length ? '!' : '✓'), ` valid, ${plural(v.warnings.length, 'warning')}`)
    : el('p', { class: 'headline' }, el('span', { class: 'badge bad' }, '✗'), ` ${plural(v.problems.length, 'problem')}`);
  const list = el('ul', { class: 'reasons' }, findings.map((f) => el('li', { class: f.kind, 'data-line': f.line },
    el('button', { type: 'button', class: 'link', 'data-line': f.line }, `line ${f.line}:${f.column}`), ' ', el('code', {}, f.path), ` ${f.message}`,
    el('br'), el('span', { class: 'hint' }, `hint: ${f.hint}`))));
  return { findings, nodes: [head, ...(findings.length ? [list] : [])] };
}

function testsView(r) {
  const rows = r.cases.map((c) => el('tr', { class: c.ok ? 'ok' : 'bad' },
    el('td', {}, c.ok ? '✓' : '✗'), el('td', {}, c.name),
    el('td', {}, c.ok ? (c.actual.decision ?? c.actual.error) : c.failures.map((f) => el('div', {}, el('code', {}, f.field), ` expected ${JSON.stringify(f.expected)}, got ${JSON.stringify(f.actual)}`)))));
  return [
    el('p', { class: 'headline' }, el('span', { class: `badge ${r.failed ? 'bad' : 'ok'}` }, r.failed ? '✗' : '✓'), ` tests: ${r.passed} passed, ${r.failed} failed`),
    el('table', { id: 'policy-test-table' }, el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'case'), el('th', {}, 'decision / difference'))), el('tbody', {}, rows)),
  ];
}

function impactView(d) {
  const head = el('p', { class: 'headline' }, el('span', { class: `badge ${d.changed ? 'warn' : 'ok'}` }, d.changed ? '!' : '✓'),
    ` impact of the edit: ${d.changed} of ${plural(d.total, 'example context')} change decision`);
  if (!d.moves.length) return [head];
  return [head, el('table', { id: 'policy-impact-table' },
    el('thead', {}, el('tr', {}, el('th', {}, 'from'), el('th', {}, 'to'), el('th', {}, 'contexts'), el('th', {}, 'e.g. (case: old rule → new rule)'))),
    el('tbody', {}, d.moves.map((m) => el('tr', {}, el('td', {}, m.from), el('td', {}, m.to), el('td', {}, String(m.count)),
      el('td', {}, m.examples.map((e) => `${e.name}: ${e.old_rule} → ${e.new_rule}`).join('; '))))))];
}

/** Mounts the panel on the Risk policy's editor; the policy as loaded (or as last saved to the Worker) is the baseline of the impact. */
export async function mount() {
  await tools.init(); // the tools' own module: pkg/gen/policy-tools/gen/kosmos_connect_bg.wasm
  const k = tools;
  const editor = $('policy');
  const pre = $('policy-gutter');
  const tests = $('policy-tests');
  const problems = $('policy-problems');
  const results = $('policy-test-results');
  const impact = $('policy-impact');
  let baseline = editor.value;
  let text;
  try {
    const r = await fetch('../../examples/policies/descope-adaptive-mfa.test.json');
    if (r.ok) text = await r.text();
  } catch {
    // not served with the examples
  }
  tests.value = JSON.stringify(text ? JSON.parse(text) : FALLBACK_TESTS, null, 2);

  function check() {
    const v = k.validatePolicy(editor.value);
    const view = problemsView(v);
    problems.replaceChildren(...view.nodes);
    gutter(editor, pre, view.findings);
    results.replaceChildren();
    impact.replaceChildren();
    if (!v.valid) {
      results.append(el('p', { class: 'note' }, 'tests run once the policy compiles'));
      return;
    }
    let file;
    try {
      file = JSON.parse(tests.value);
      results.append(...testsView(k.testPolicy(editor.value, file)));
    } catch (e) {
      results.append(el('p', { class: 'headline' }, el('span', { class: 'badge bad' }, '✗'), ` the test cases: ${e.code ?? 'invalid_json'}: ${e.message}`));
      return;
    }
    const cases = Array.isArray(file.cases) ? file.cases : [];
    try {
      const d = k.diffPolicies(baseline, editor.value, cases.map((c) => c.context));
      for (const m of d.moves) for (const e of m.examples) e.name = cases[e.line - 1]?.name ?? `#${e.line}`;
      impact.append(...impactView(d));
    } catch (e) {
      impact.append(el('p', { class: 'note' }, `no impact shown: the policy as loaded does not compile (${e.code})`));
    }
  }

  let timer;
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  };
  editor.addEventListener('input', later);
  tests.addEventListener('input', later);
  editor.addEventListener('scroll', () => { pre.scrollTop = editor.scrollTop; });
  problems.addEventListener('click', (ev) => {
    const line = Number(ev.target?.dataset?.line);
    if (!line) return;
    const lines = editor.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    editor.focus();
    editor.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    const lh = parseFloat(getComputedStyle(editor).lineHeight) || 17.5;
    editor.scrollTop = Math.max(0, (line - 3) * lh);
    pre.scrollTop = editor.scrollTop;
  });
  // Saved to the Worker: the impact is measured against what it decides with now.
  document.addEventListener('kosmos:policy-saved', () => {
    baseline = editor.value;
    check();
  });
  check();
  return {
    /** The policy the Worker has now is the new baseline (after a save). */
    rebase() {
      baseline = editor.value;
      check();
    },
    check,
  };
}
