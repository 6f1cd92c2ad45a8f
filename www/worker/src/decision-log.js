// Decision logs (opt-in): the contexts the Worker decided, reduced by the
// core (`decisionLogRecord`: IPs truncated, identifiers HMAC-hashed,
// coordinates rounded, each record bounded in bytes), so that
// `kosmos-connect policy diff` can replay a policy change over real traffic.
//
//   DECISION_LOG          unset: off; `console`: one `kosmos-decision <json>`
//                         log line per decision (Workers Logs / Logpush);
//                         `kv`: one key per decision in DECISION_LOG_KV
//   DECISION_LOG_CONFIG   the core's reduction settings as JSON
//                         (`{"ip":"truncate","ids":"hash","geo":"round","custom":"keep","max_bytes":4096}`)
//   DECISION_LOG_KEY      secret: the HMAC key for hashed identifiers (at least 16 characters)
//   DECISION_LOG_TTL_S    for `kv`: how long a record is kept (default 604800, 7 days; at least 60)
//
// Logging never changes a decision: a failure to record is reported on the
// console (without the record or the key) and the answer goes out.
import { decisionLogRecord } from './core.js';

/** The decision-log settings of `env`, or undefined when off. */
export function decisionLog(env) {
  const mode = env.DECISION_LOG;
  if (mode === undefined || mode === null || mode === '' || mode === 'off') return undefined;
  let config = {};
  try {
    config = env.DECISION_LOG_CONFIG ? JSON.parse(env.DECISION_LOG_CONFIG) : {};
  } catch {
    config = { invalid: true };
  }
  if (typeof env.DECISION_LOG_KEY === 'string' && env.DECISION_LOG_KEY !== '') config = { ...config, key: env.DECISION_LOG_KEY };
  else if (config.ids === undefined) config = { ...config, ids: 'drop' };
  const ttl = Number(env.DECISION_LOG_TTL_S ?? 604800);
  return { mode, config, kv: env.DECISION_LOG_KV, ttl: Number.isInteger(ttl) && ttl >= 60 ? ttl : 604800 };
}

/** Records one decided context; resolves when it is written (never rejects). */
export async function recordDecision(log, context, decision) {
  if (!log) return;
  try {
    const line = decisionLogRecord(context, decision, log.config);
    if (log.mode === 'console') {
      console.log(`kosmos-decision ${line}`);
    } else if (log.mode === 'kv' && log.kv && typeof log.kv.put === 'function') {
      const key = `decision/${new Date().toISOString()}/${crypto.randomUUID()}`;
      await log.kv.put(key, line, { expirationTtl: log.ttl });
    } else {
      console.error('decision log: DECISION_LOG must be `console` or `kv` (with a DECISION_LOG_KV binding)');
    }
  } catch (e) {
    console.error(`decision log: not recorded: ${e && e.code ? e.code : 'error'}${e && e.field ? ` (${e.field})` : ''}`);
  }
}
