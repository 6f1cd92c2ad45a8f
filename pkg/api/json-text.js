// JSON text from a string as given or from a value JSON can write (the
// author's tools and the decision-log record take either).
import { KosmosError } from '../errors.js';

/** `value` as JSON text; `what` names the argument in the `invalid_input` error. */
export function text(value, what) {
  if (typeof value === 'string') return value;
  const out = value === undefined ? undefined : JSON.stringify(value);
  if (typeof out !== 'string') throw new KosmosError('invalid_input', `${what} must be json text or a json value`, { field: what });
  return out;
}
