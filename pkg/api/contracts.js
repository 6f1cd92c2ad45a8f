// The host contracts: what a result means (verdicts) and how an identity
// assurance level reads. The rules are the core's; every host (the Worker,
// the Lightning component, Node) asks here instead of deciding again. In
// both entries (`kosmos-connect` and `kosmos-connect/policy`).
import { call } from '../core.js';
import { KosmosError } from '../errors.js';

function resultText(result) {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) {
    throw new KosmosError('invalid_argument', '`result` must be an object', { field: 'result' });
  }
  return JSON.stringify(result);
}

/**
 * The verdict on an IDV result `{ status, ial_level }` at `requiredIal`
 * (default `IAL2`): `{ final, outcome, reason, required_ial }`.
 */
export function idvVerdict(result, requiredIal = 'IAL2') {
  const text = resultText(result);
  return JSON.parse(call((g) => g.idvVerdict(text, String(requiredIal))));
}

/**
 * The verdict on a step-up result `{ status, match_result, confidence }`,
 * with an optional minimum confidence in [0, 1]: `{ final, outcome, reason }`.
 */
export function stepUpVerdict(result, minConfidence) {
  const text = resultText(result);
  if (minConfidence !== undefined && minConfidence !== null && typeof minConfidence !== 'number') {
    throw new KosmosError('invalid_argument', '`minConfidence` must be a number from 0 to 1', { field: 'min_confidence' });
  }
  return JSON.parse(call((g) => g.stepUpVerdict(text, minConfidence ?? undefined)));
}

/** An identity assurance level (`IAL2`, `ial2`, `2`, `nist_800_63A_ial_2`, ...) as `IAL1` | `IAL2` | `IAL3`. */
export function parseIal(text) {
  return call((g) => g.parseIal(String(text)));
}
