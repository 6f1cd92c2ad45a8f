// The policy author's tools: the core's answers as plain objects, the same
// in the CLI (`npx kosmos-connect policy <verb>`), the playground and CI.
// Only in the `kosmos-connect/policy-tools` entry, whose module is built with
// `--features policy-tools` (the full module and `kosmos-connect/policy` do
// not carry them: nothing needs them at run time). Every input is JSON text or
// a value JSON can write.
import { call } from '../core.js';
import { KosmosError } from '../errors.js';
import { text } from './json-text.js';

/** JSON Lines from a string, or from an array of contexts / decision-log records. */
function lines(value) {
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw new KosmosError('invalid_input', 'contexts must be JSON Lines text or an array', { field: 'contexts' });
  return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');
}

/** Every problem (path, line, column, message, hint) and the static warnings: `{ valid, problems, warnings }`. Never throws for a bad policy. */
export function validatePolicy(source) {
  return JSON.parse(call((g) => g.validatePolicy(text(source, 'policy'))));
}

/** The policy's canonical text (2-space indentation, documented key order, final newline). */
export function formatPolicy(source) {
  return call((g) => g.formatPolicy(text(source, 'policy')));
}

/** Runs a test file (`{ cases: [{ name, context, expect }] }`): `{ passed, failed, cases: [{ name, ok, failures, actual }] }`. */
export function testPolicy(policy, tests) {
  return JSON.parse(call((g) => g.testPolicy(text(policy, 'policy'), text(tests, 'tests'))));
}

/** Which rules and branches a test file reaches, and the static warnings. */
export function policyCoverage(policy, tests) {
  return JSON.parse(call((g) => g.policyCoverage(text(policy, 'policy'), text(tests, 'tests'))));
}

/** The impact of a change over recorded contexts: `{ total, changed, rule_changed, unreadable, moves, old_counts, new_counts }`. */
export function diffPolicies(oldPolicy, newPolicy, contexts) {
  return JSON.parse(call((g) => g.diffPolicies(text(oldPolicy, 'old'), text(newPolicy, 'new'), lines(contexts))));
}
