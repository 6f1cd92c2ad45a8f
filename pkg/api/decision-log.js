// The decision-log record: a decided context reduced for the log (IPs
// truncated, identifiers HMAC-hashed, coordinates rounded, as configured),
// the line `diffPolicies` (kosmos-connect/policy-tools) reads back. In the full
// module (feature `decision-log`): the Worker records decisions at run time.
import { call } from '../core.js';
import { text } from './json-text.js';

/**
 * One decision-log line (JSON text): the context reduced as `config` says
 * (`{ ip: 'truncate'|'drop'|'keep', ids: 'hash'|'drop'|'keep', key, geo: 'round'|'drop'|'keep', custom: 'keep'|'drop', max_bytes }`)
 * with its decision. `diffPolicies` reads these lines back.
 */
export function decisionLogRecord(context, decision, config = {}) {
  return call((g) => g.decisionLogRecord(text(context, 'context'), String(decision?.decision ?? ''), String(decision?.rule ?? ''), text(config, 'config')));
}
