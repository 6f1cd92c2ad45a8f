// A Salesforce stand-in on 127.0.0.1: the OAuth 2.0 client-credentials token
// endpoint, and sObject creation for the Platform Event and Task, validating
// what arrives (path, API version, bearer token, field names and types) as
// Salesforce would, and keeping what it accepted for `GET /__received`.
//
// Field definitions come from the object metadata in
// www/lwc/force-app/main/default/objects/ when it is there (the Salesforce
// work ships it), otherwise from the contract in the project brief.
//
// Upsert by external id as Salesforce does it: `PATCH .../sobjects/<Object>/<ExtIdField>/<value>`
// on a field the metadata marks `<externalId>true</externalId>` (Task's custom
// fields live under objects/Activity/): 201 `created: true` for a new record,
// 200 `created: false` when a record with that value exists (updated in place,
// no second record), the field itself refused in the body.
//
// Chaos (options.chaos = { rate, seed, stallMs, retryAfterS }): a seeded share
// of the sObject requests fails, one of five ways in turn chosen at random:
// `5xx` (503), `429` with Retry-After, `reset` (the connection is cut before
// anything is stored), `stall` (the answer waits stallMs, past the caller's
// timeout, and the record is then stored) and `lost` (the record is stored,
// then the connection is cut before the answer). `state.chaos` counts them.
//
// Control: GET /__received, POST /__fail?count=N[&status=503][&mode=reset][&object=Task]
// (`token` names the token endpoint), POST /__down (same options; fail until /__recover), POST /__recover, POST /__revoke
// (invalidate issued tokens), POST /__reset.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { apiError, readBody, sendJson, serve } from './http.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const OBJECTS_DIR = join(root, 'www', 'lwc', 'force-app', 'main', 'default', 'objects');

/** The Platform Event as the brief's contract defines it (used when no metadata is on disk). */
export const CONTRACT_EVENT_FIELDS = {
  Verification_Id__c: { type: 'Text', length: 255 },
  Kind__c: { type: 'Text', length: 32 },
  User_Id__c: { type: 'Text', length: 255 },
  Status__c: { type: 'Text', length: 32 },
  Match_Result__c: { type: 'Text', length: 32 },
  Confidence__c: { type: 'Number', precision: 5, scale: 4 },
  IAL__c: { type: 'Text', length: 8 },
  Related_Record_Id__c: { type: 'Text', length: 18 },
  Decision__c: { type: 'Text', length: 32 },
  Occurred_At__c: { type: 'DateTime' },
};

/** The Task fields the Worker may send (standard fields; the stand-in refuses any other). */
const TASK_FIELDS = {
  WhatId: { type: 'Id' },
  WhoId: { type: 'Id' },
  OwnerId: { type: 'Id' },
  Subject: { type: 'Text', length: 255 },
  Status: { type: 'Picklist', values: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'], required: true },
  Priority: { type: 'Picklist', values: ['High', 'Normal', 'Low'] },
  Description: { type: 'LongTextArea', length: 32_000 },
  ActivityDate: { type: 'Date' },
  Type: { type: 'Text', length: 40 },
};

const tag = (xml, name) => {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m ? m[1].trim() : undefined;
};

/**
 * Reads an object's fields from SFDX source metadata
 * (`objects/<Name>/fields/*.field-meta.xml`), or returns undefined when absent.
 */
export function readObjectFields(name, dir = OBJECTS_DIR) {
  const fieldsDir = join(dir, name, 'fields');
  if (!existsSync(fieldsDir)) return undefined;
  const out = {};
  for (const file of readdirSync(fieldsDir)) {
    if (!file.endsWith('.field-meta.xml')) continue;
    const xml = readFileSync(join(fieldsDir, file), 'utf8');
    const fullName = tag(xml, 'fullName') ?? file.replace('.field-meta.xml', '');
    const def = { type: tag(xml, 'type') };
    for (const n of ['length', 'precision', 'scale']) if (tag(xml, n) !== undefined) def[n] = Number(tag(xml, n));
    if (tag(xml, 'required') === 'true') def.required = true;
    if (tag(xml, 'externalId') === 'true') def.externalId = true;
    if (tag(xml, 'unique') === 'true') def.unique = true;
    out[fullName] = def;
  }
  return out;
}

/** Checks one value against a field definition; returns an error message or null. */
function checkValue(def, value) {
  if (value === null) return def.required ? 'is required' : null;
  switch (def.type) {
    case 'Text':
    case 'TextArea':
    case 'LongTextArea':
    case 'Html':
      if (typeof value !== 'string') return 'must be a string';
      if (def.length && value.length > def.length) return `is longer than ${def.length} characters`;
      return null;
    case 'Picklist':
      if (typeof value !== 'string') return 'must be a string';
      if (def.values && !def.values.includes(value)) return `bad value for restricted picklist field: ${value}`;
      return null;
    case 'Id':
      return typeof value === 'string' && /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/.test(value) ? null : 'is not a valid id';
    case 'Number':
    case 'Currency':
    case 'Percent': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      const scale = def.scale ?? 0;
      const intDigits = (def.precision ?? 18) - scale;
      const [i, f = ''] = Math.abs(value).toString().split('.');
      if (value.toString().includes('e')) return 'must be a plain decimal';
      if (f.length > scale) return `has more than ${scale} decimal places`;
      if (i.replace(/^0+/, '').length > intDigits) return `has more than ${intDigits} digits before the decimal point`;
      return null;
    }
    case 'Checkbox':
      return typeof value === 'boolean' ? null : 'must be a boolean';
    case 'DateTime':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})$/.test(value) && !Number.isNaN(Date.parse(value))
        ? null : 'is not an ISO 8601 date-time';
    case 'Date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? null : 'is not a yyyy-mm-dd date';
    default:
      return null;
  }
}

/** Salesforce-style errors for a record: `[{ message, errorCode, fields }]`, empty when valid. */
export function validateRecord(objectName, fields, defs) {
  const errors = [];
  for (const [name, value] of Object.entries(fields)) {
    const def = defs[name];
    if (!def) {
      errors.push({ message: `No such column '${name}' on sobject of type ${objectName}`, errorCode: 'INVALID_FIELD', fields: [name] });
      continue;
    }
    const problem = checkValue(def, value);
    if (problem) errors.push({ message: `${name}: ${problem}`, errorCode: def.type === 'Picklist' ? 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' : 'INVALID_TYPE_ON_FIELD_IN_RECORD', fields: [name] });
  }
  for (const [name, def] of Object.entries(defs)) {
    if (def.required && (fields[name] === undefined || fields[name] === null)) {
      errors.push({ message: `Required fields are missing: [${name}]`, errorCode: 'REQUIRED_FIELD_MISSING', fields: [name] });
    }
  }
  return errors;
}

/**
 * Starts the stand-in.
 * @param {{ clientId?: string, clientSecret?: string, port?: number, objectsDir?: string,
 *           eventObject?: string }} [options]
 */
export async function startSalesforce(options = {}) {
  const clientId = options.clientId ?? 'sandbox-client-id';
  const clientSecret = options.clientSecret ?? 'sandbox-client-secret';
  const eventObject = options.eventObject ?? 'Kosmos_Verification__e';
  const fromXml = readObjectFields(eventObject, options.objectsDir);
  // Task's custom fields are Activity's in the metadata.
  const activityFields = readObjectFields('Activity', options.objectsDir) ?? {};
  const objects = {
    [eventObject]: { prefix: 'e00', fields: fromXml ?? CONTRACT_EVENT_FIELDS },
    Task: { prefix: '00T', fields: { ...TASK_FIELDS, ...activityFields } },
  };
  // Upserted records: `${object}\n${field}\n${value}` -> the record in state.received.
  const byExternalId = new Map();
  const chaos = options.chaos ? { rate: 0.1, seed: 1, stallMs: 2000, retryAfterS: 1, ...options.chaos } : null;
  let seed = (chaos?.seed ?? 1) >>> 0;
  // mulberry32: a small seeded generator, so a chaos run can be replayed.
  const random = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const CHAOS_MODES = ['5xx', '429', 'reset', 'stall', 'lost'];
  const state = {
    tokens: new Set(),
    tokensIssued: 0,
    received: [],
    rejected: [],
    // Upserts that found their record (a repeat made idempotent), by object.
    upsertsUpdated: {},
    chaos: { decided: 0, '5xx': 0, '429': 0, reset: 0, stall: 0, lost: 0 },
    fail: { count: 0, status: 503, mode: 'status', down: false },
    requests: 0,
  };
  let origin;

  function newId(prefix) {
    return `${prefix}${randomBytes(8).toString('hex').slice(0, 15).toUpperCase()}`;
  }

  function outage(res, objectName = 'token') {
    const failing = state.fail.down || state.fail.count > 0;
    if (!failing) return false;
    if (state.fail.object && state.fail.object !== objectName) return false;
    if (!state.fail.down) state.fail.count -= 1;
    if (state.fail.mode === 'reset') {
      res.socket.destroy();
      return true;
    }
    sendJson(res, state.fail.status, [{ message: 'simulated outage', errorCode: 'SERVER_UNAVAILABLE' }]);
    return true;
  }

  async function handle(req, res, url) {
    const path = url.pathname;
    if (req.method === 'POST' && path === '/services/oauth2/token') {
      state.requests += 1;
      if (outage(res)) return;
      const form = new URLSearchParams(await readBody(req, 16 * 1024));
      if ((req.headers['content-type'] ?? '').split(';')[0].trim() !== 'application/x-www-form-urlencoded') {
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'body must be application/x-www-form-urlencoded' });
      }
      if (form.get('grant_type') !== 'client_credentials') {
        return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' });
      }
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
        return sendJson(res, 400, { error: 'invalid_client', error_description: 'invalid client credentials' });
      }
      const token = `00D${randomBytes(4).toString('hex')}!${randomBytes(24).toString('base64url')}`;
      state.tokens.add(token);
      state.tokensIssued += 1;
      return sendJson(res, 200, {
        access_token: token,
        instance_url: origin,
        id: `${origin}/id/00D000000000001AAA/005000000000001AAA`,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
        signature: randomBytes(32).toString('base64'),
      });
    }

    let m;
    if ((m = /^\/services\/data\/([^/]+)\/sobjects\/([^/]+)(?:\/([^/]+)\/([^/]+))?\/?$/.exec(path))) {
      state.requests += 1;
      const [, version, objectName, extField, extValueRaw] = m;
      if (outage(res, objectName)) return;
      // Chaos decides before anything is read; `stall` and `lost` store the record first.
      let fault = null;
      const u = chaos ? random() : 1;
      if (chaos && u < chaos.rate) {
        // The same draw picks the way, evenly: u is uniform below the rate.
        fault = CHAOS_MODES[Math.min(CHAOS_MODES.length - 1, Math.floor((u / chaos.rate) * CHAOS_MODES.length))];
        state.chaos.decided += 1;
        state.chaos[fault] += 1;
        if (fault === '5xx') return sendJson(res, 503, [{ message: 'simulated: service unavailable', errorCode: 'SERVER_UNAVAILABLE' }]);
        if (fault === '429') {
          res.setHeader('retry-after', String(chaos.retryAfterS));
          return sendJson(res, 429, [{ message: 'simulated: too many requests', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
        }
        if (fault === 'reset') {
          req.socket.destroy();
          return;
        }
      }
      const answer = (status, body) => {
        if (fault === 'lost' || (fault === 'stall' && res.destroyed)) {
          // Stored, but the answer never reaches the caller.
          req.socket.destroy();
          return;
        }
        if (res.destroyed || res.writableEnded) return;
        sendJson(res, status, body);
      };
      if (!/^v\d{2,3}\.0$/.test(version)) return sendJson(res, 404, [{ message: `The requested resource does not exist: API version ${version}`, errorCode: 'NOT_FOUND' }]);
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !state.tokens.has(auth.slice(7))) {
        return sendJson(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
      }
      const upsert = extField !== undefined;
      if (!upsert && req.method !== 'POST') return sendJson(res, 405, [{ message: `HTTP Method '${req.method}' not allowed. Allowed are POST`, errorCode: 'METHOD_NOT_ALLOWED' }]);
      if (upsert && req.method !== 'PATCH') return sendJson(res, 405, [{ message: `HTTP Method '${req.method}' not allowed. Allowed are PATCH`, errorCode: 'METHOD_NOT_ALLOWED' }]);
      const object = objects[objectName];
      if (!object) return sendJson(res, 404, [{ message: `The requested resource does not exist: sObject type '${objectName}' is not supported.`, errorCode: 'NOT_FOUND' }]);
      if (upsert && !object.fields[extField]?.externalId) {
        return sendJson(res, 404, [{ message: `Provided external ID field does not exist or is not accessible: ${extField}`, errorCode: 'NOT_FOUND' }]);
      }
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return sendJson(res, 415, [{ message: 'Content type must be application/json', errorCode: 'UNSUPPORTED_MEDIA_TYPE' }]);
      }
      let fields;
      try {
        fields = JSON.parse(await readBody(req));
      } catch {
        return sendJson(res, 400, [{ message: 'The body is not valid JSON', errorCode: 'JSON_PARSER_ERROR' }]);
      }
      if (!fields || typeof fields !== 'object' || Array.isArray(fields)) {
        return sendJson(res, 400, [{ message: 'The body must be a JSON object', errorCode: 'JSON_PARSER_ERROR' }]);
      }
      let extValue;
      if (upsert) {
        try {
          extValue = decodeURIComponent(extValueRaw);
        } catch {
          return sendJson(res, 400, [{ message: 'The external id value is not URL-encoded correctly', errorCode: 'MALFORMED_ID' }]);
        }
        if (extField in fields) {
          return sendJson(res, 400, [{ message: `The field ${extField} is the upsert key and cannot be in the request body`, errorCode: 'INVALID_FIELD' }]);
        }
      }
      const errors = validateRecord(objectName, upsert ? { ...fields, [extField]: extValue } : fields, object.fields);
      if (errors.length) {
        state.rejected.push({ object: objectName, fields, errors, at: new Date().toISOString() });
        return sendJson(res, 400, errors);
      }
      // The body is in: a stall holds the answer past the caller's timeout, then stores the record all the same.
      if (fault === 'stall') await new Promise((r) => setTimeout(r, chaos.stallMs));
      if (upsert) {
        const key = `${objectName}\n${extField}\n${extValue}`;
        const existing = byExternalId.get(key);
        if (existing) {
          Object.assign(existing.fields, fields);
          existing.updates += 1;
          state.upsertsUpdated[objectName] = (state.upsertsUpdated[objectName] ?? 0) + 1;
          return answer(200, { id: existing.id, success: true, errors: [], created: false });
        }
        const record = { object: objectName, id: newId(object.prefix), fields: { ...fields, [extField]: extValue }, api_version: version, at: new Date().toISOString(), updates: 0 };
        byExternalId.set(key, record);
        state.received.push(record);
        return answer(201, { id: record.id, success: true, errors: [], created: true });
      }
      const id = newId(object.prefix);
      state.received.push({ object: objectName, id, fields, api_version: version, at: new Date().toISOString() });
      return answer(201, { id, success: true, errors: [] });
    }

    if (req.method === 'GET' && path === '/__received') {
      return sendJson(res, 200, {
        events: state.received.filter((r) => r.object === eventObject),
        tasks: state.received.filter((r) => r.object === 'Task'),
        rejected: state.rejected,
        tokens_issued: state.tokensIssued,
        requests: state.requests,
        // What /__fail or /__down set and how many failures are left (the playground shows it).
        failing: state.fail,
        fields_from: fromXml ? 'object metadata' : 'contract',
      });
    }
    if (req.method === 'POST' && path === '/__fail') {
      state.fail = {
        count: Number(url.searchParams.get('count') ?? 1),
        status: Number(url.searchParams.get('status') ?? 503),
        mode: url.searchParams.get('mode') === 'reset' ? 'reset' : 'status',
        object: url.searchParams.get('object') ?? undefined,
        down: false,
      };
      return sendJson(res, 200, state.fail);
    }
    if (req.method === 'POST' && path === '/__down') {
      state.fail = {
        count: 0,
        status: Number(url.searchParams.get('status') ?? 503),
        mode: url.searchParams.get('mode') === 'reset' ? 'reset' : 'status',
        object: url.searchParams.get('object') ?? undefined,
        down: true,
      };
      return sendJson(res, 200, state.fail);
    }
    if (req.method === 'POST' && path === '/__recover') {
      state.fail = { count: 0, status: 503, mode: 'status', down: false };
      return sendJson(res, 200, state.fail);
    }
    if (req.method === 'POST' && path === '/__revoke') {
      state.tokens.clear();
      return sendJson(res, 200, { revoked: true });
    }
    if (req.method === 'POST' && path === '/__reset') {
      state.tokens.clear();
      state.tokensIssued = 0;
      state.received.length = 0;
      state.rejected.length = 0;
      byExternalId.clear();
      state.upsertsUpdated = {};
      state.requests = 0;
      state.fail = { count: 0, status: 503, mode: 'status', down: false };
      return sendJson(res, 200, { reset: true });
    }
    throw apiError(404, 'not_found', 'no such endpoint');
  }

  const server = await serve(handle, { port: options.port ?? 0 });
  origin = server.url;
  return {
    url: server.url,
    clientId,
    clientSecret,
    state,
    fieldsFrom: fromXml ? 'object metadata' : 'contract',
    close: () => server.close(),
  };
}
