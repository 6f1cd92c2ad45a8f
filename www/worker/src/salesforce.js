// Salesforce: the Platform Event `Kosmos_Verification__e` and the Task on
// the related record, published with an OAuth 2.0 client-credentials token
// (cached per isolate until it expires, refreshed once on a 401).
//
// The records themselves (fields, limits, the Task's verdict) are the core's
// (`salesforceRecords` in core.js); this module only sends them.
//
// A publish is a list of steps (`event`, then `task` when there is a related
// record); the caller records which steps are done, so a retried hand-off
// does only what is left and nothing is published twice.
import { boundedText } from './body.js';
import { isRetryableStatus } from './core.js';

/** A failed Salesforce call. `retryable` is false when Salesforce refused the data itself. */
export class SalesforceError extends Error {
  constructor(message, { status, retryable, cause } = {}) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SalesforceError';
    this.status = status;
    this.retryable = retryable ?? true;
  }
}

// ---------------------------------------------------------------------------
// The client.

const tokens = new Map(); // key -> { token, instanceUrl, expiresAt } | { pending: Promise }

function tokenKey(sf) {
  return `${sf.loginUrl}\n${sf.clientId}`;
}

async function fetchToken(sf, fetchImpl) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: sf.clientId, client_secret: sf.clientSecret });
  let res;
  try {
    res = await fetchImpl(`${sf.loginUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: AbortSignal.timeout(sf.timeoutMs),
    });
  } catch (e) {
    throw new SalesforceError('the salesforce token endpoint could not be reached', { cause: e });
  }
  const body = await boundedText(res, 64 * 1024);
  if (!res.ok) {
    // 400/401 here mean wrong client credentials: retrying will not help until someone fixes them,
    // but the event must not be lost either, so it stays retryable (the queue and then the DLQ keep it).
    throw new SalesforceError(`the salesforce token endpoint answered ${res.status}`, { status: res.status });
  }
  let parsed;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SalesforceError('the salesforce token answer is not JSON', { status: res.status });
  }
  if (typeof parsed.access_token !== 'string' || parsed.access_token === '') {
    throw new SalesforceError('the salesforce token answer has no access_token', { status: res.status });
  }
  // Client-credentials answers usually carry no expires_in: the session timeout applies; use the configured TTL.
  const ttl = Number.isFinite(parsed.expires_in) && parsed.expires_in > 0 ? Math.min(parsed.expires_in, sf.tokenTtlS) : sf.tokenTtlS;
  return {
    token: parsed.access_token,
    instanceUrl: typeof parsed.instance_url === 'string' && /^https?:\/\//.test(parsed.instance_url)
      ? parsed.instance_url.replace(/\/+$/, '')
      : sf.instanceUrl,
    expiresAt: Date.now() + Math.max(ttl - 60, 1) * 1000,
  };
}

/** A cached token, fetched once for concurrent callers. */
async function token(sf, fetchImpl, { fresh = false } = {}) {
  const key = tokenKey(sf);
  const hit = tokens.get(key);
  if (hit && !fresh) {
    if (hit.pending) return hit.pending;
    if (hit.expiresAt > Date.now()) return hit;
  }
  const pending = fetchToken(sf, fetchImpl);
  tokens.set(key, { pending });
  try {
    const t = await pending;
    tokens.set(key, t);
    return t;
  } catch (e) {
    tokens.delete(key);
    throw e;
  }
}

/** Forgets cached tokens (tests). */
export function forgetTokens() {
  tokens.clear();
}

/**
 * The external id field on Task (an Activity custom field, unique, external
 * id) and the dedupe key field on the Platform Event: both hold the delivery
 * key, so a record written twice (its answer lost after Salesforce accepted
 * it) is upserted into the same Task, and a repeated event carries the key a
 * subscriber dedupes by.
 */
export const TASK_EXTERNAL_ID = 'Kosmos_Delivery_Key__c';
export const EVENT_DEDUPE_KEY = 'Delivery_Key__c';

/** `POST sobjects/X/` to create, or with `upsert` `PATCH sobjects/X/Field/value` (create or update by external id). */
async function create(sf, fetchImpl, sobject, fields, upsert) {
  const target = upsert ? `${sobject}/${upsert.field}/${encodeURIComponent(upsert.value)}` : `${sobject}/`;
  for (let attempt = 0; ; attempt += 1) {
    const t = await token(sf, fetchImpl, { fresh: attempt > 0 });
    let res;
    try {
      res = await fetchImpl(`${t.instanceUrl}/services/data/${sf.apiVersion}/sobjects/${target}`, {
        method: upsert ? 'PATCH' : 'POST',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(fields),
        signal: AbortSignal.timeout(sf.timeoutMs),
      });
    } catch (e) {
      throw new SalesforceError(`salesforce could not be reached to create ${sobject}`, { cause: e });
    }
    const text = await boundedText(res, 64 * 1024);
    if (res.status === 401 && attempt === 0) continue; // token revoked or expired early: fetch a new one once
    if (res.ok) {
      let parsed = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        // a 2xx without JSON still means created
      }
      if (parsed.success === false) throw new SalesforceError(`salesforce did not create ${sobject}`, { status: res.status, retryable: false });
      return parsed;
    }
    // Whether this status may succeed later is the core's rule (the 401 refresh-once above is transport).
    const retryable = isRetryableStatus(res.status);
    let detail = '';
    try {
      const errs = JSON.parse(text);
      const first = Array.isArray(errs) ? errs[0] : errs;
      if (first && typeof first.errorCode === 'string') detail = `: ${first.errorCode}`;
    } catch {
      // no detail
    }
    throw new SalesforceError(`salesforce answered ${res.status} to create ${sobject}${detail}`, { status: res.status, retryable });
  }
}

/**
 * Does the steps of `records` not in `done` (in order: `event`, then `task`),
 * adding each to `done` once it succeeded. Throws SalesforceError at the
 * first failure; `done` then says what is left. The event carries the core's
 * `external_id` of the delivery in Delivery_Key__c and the Task is upserted
 * by it, so a step repeated after a lost answer writes no second Task.
 * @param {object} sf config.salesforce()
 * @param {{ external_id?: string, event: object, task: object | null }} records
 * @param {string[]} done mutated
 */
export async function publish(sf, records, done, fetchImpl = fetch) {
  // A hand-off queued before the core built the key has none: a plain create, as before.
  const k = typeof records.external_id === 'string' && records.external_id !== '' ? records.external_id : undefined;
  if (!done.includes('event')) {
    await create(sf, fetchImpl, sf.eventObject, k ? { ...records.event, [EVENT_DEDUPE_KEY]: k } : records.event);
    done.push('event');
  }
  if (records.task && !done.includes('task')) {
    await create(sf, fetchImpl, 'Task', records.task, k ? { field: TASK_EXTERNAL_ID, value: k } : undefined);
    done.push('task');
  }
}
