// The policy author's tools: the core's answers as plain objects, the same
// in the CLI (`npx kosmos-connect policy <verb>`), the playground and CI.
// In the full module only (the `kosmos-connect/policy` entry does not carry
// them). Every input is JSON text or a value JSON can write.
import { call } from '../core.js';
import { KosmosError } from '../errors.js';

function text(value, what) {
  if (typeof value === 'string') return value;
  const out = value === undefined ? undefined : JSON.stringify(value);
  if (typeof out !== 'string') throw new KosmosError('invalid_input', `${what} must be json text or a json value`, { field: what });
  return out;
}

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

/**
 * One decision-log line (JSON text): the context reduced as `config` says
 * (`{ ip: 'truncate'|'drop'|'keep', ids: 'hash'|'drop'|'keep', key, geo: 'round'|'drop'|'keep', custom: 'keep'|'drop', max_bytes }`)
 * with its decision. `diffPolicies` reads these lines back.
 */
export function decisionLogRecord(context, decision, config = {}) {
  return call((g) => g.decisionLogRecord(text(context, 'context'), String(decision?.decision ?? ''), String(decision?.rule ?? ''), text(config, 'config')));
}
