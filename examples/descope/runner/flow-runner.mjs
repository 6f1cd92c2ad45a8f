// A local stand-in for Descope's flow engine: it interprets exactly the
// subset of the console's export format that examples/descope/flows uses,
// and refuses everything else (an unknown action, condition operator,
// argument, task key or screen component is an error before the flow runs),
// so the template cannot rely on something this runner silently skips.
//
// It plays Descope: written independently of kosmos-connect (never imports
// the package), it calls the Worker the way the Generic HTTP connector does,
// with the connector's signature (`x-descope-webhook-s256`, base64
// HMAC-SHA256 of the body, or RFC 9421 HTTP Message Signatures, node:crypto),
// and keeps each answer at
// `connectors.<contextKey>.body`.
//
// What it understands:
//   tasks       type `screen` (screenId, next.rules by button interactionId),
//               `condition` (conditions[] of atomicConditions, an `isElse` branch),
//               `automated` with action `connector` | `sign-up-or-in-by-login-id`
//               | `update-user-custom-attributes` | `logged-in`; the `start` task
//   arguments   `{ type: 'inline', value }`; strings render `{{path}}` from the
//               flow context (a string that is exactly `{{path}}` keeps the value's type;
//               an absent value leaves the key out)
//   operators   is-equal, is-not-equal, is-true, is-false (`or` / `and` per branch)
//   errors      errorHandlingV2 `automatic` (the run fails) or `custom` (next rule `error`)
//   screens     Text, Input (its `name` becomes `form.<name>`), Link (`href` rendered),
//               Button (its interactionId); the user is a script of steps
//               `{ screen, inputs?, follow?, interaction }` (`follow` POSTs the link's URL,
//               what pressing Finish on the stand-in's hosted page does)
import { createHash, createHmac, randomBytes, sign as cryptoSign } from 'node:crypto';

const FLOW_KEYS = new Set(['flowId', 'metadata', 'contents', 'references', 'screens']);
const TASK_KEYS = new Set(['id', 'name', 'type', 'action', 'arguments', 'next', 'errorHandlingV2', 'view', 'screenId', 'conditions', 'connectorId']);
const ACTIONS = {
  connector: new Set(['method', 'endpoint', 'payload', 'contextKey', 'timeout']),
  'sign-up-or-in-by-login-id': new Set(['loginId']),
  'update-user-custom-attributes': new Set(['customAttributes']),
  'logged-in': new Set([]),
};
const OPERATORS = new Set(['is-equal', 'is-not-equal', 'is-true', 'is-false']);
const COMPONENTS = new Set(['Text', 'Input', 'Link', 'Button']);
const MAX_STEPS = 200;

/** An error the runner raises for a template it does not understand or a run that fails. */
export class FlowError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'FlowError';
    this.code = code;
  }
}

const refuse = (message) => {
  throw new FlowError('unsupported', message);
};

function onlyKeys(obj, allowed, where) {
  for (const k of Object.keys(obj ?? {})) if (!allowed.has(k)) refuse(`${where}: unknown key \`${k}\``);
}

/** Checks a flow against the subset this runner understands; throws FlowError `unsupported`. */
export function checkFlow(flow) {
  onlyKeys(flow, FLOW_KEYS, 'flow');
  const tasks = flow.contents?.tasks;
  if (!tasks || typeof tasks !== 'object') refuse('flow: `contents.tasks` is missing');
  onlyKeys(flow.contents, new Set(['startTask', 'tasks']), 'contents');
  if (!tasks[flow.contents.startTask]) refuse(`contents: startTask \`${flow.contents.startTask}\` is not a task`);
  const screens = new Map();
  for (const s of flow.screens ?? []) {
    onlyKeys(s, new Set(['screenId', 'name', 'contents']), `screen ${s.screenId}`);
    for (const [cid, c] of Object.entries(s.contents ?? {})) {
      if (!COMPONENTS.has(c.type)) refuse(`screen ${s.screenId}: unknown component type \`${c.type}\` (${cid})`);
    }
    screens.set(s.screenId, s);
  }
  for (const [id, t] of Object.entries(tasks)) {
    onlyKeys(t, TASK_KEYS, `task ${id}`);
    for (const r of t.next?.rules ?? []) {
      onlyKeys(r, new Set(['interactionId', 'taskId']), `task ${id} rule`);
      if (!tasks[r.taskId]) refuse(`task ${id}: next task \`${r.taskId}\` does not exist`);
    }
    for (const [err, h] of Object.entries(t.errorHandlingV2 ?? {})) {
      if (!['automatic', 'custom'].includes(h?.errorHandlingType)) refuse(`task ${id}: unknown error handling \`${h?.errorHandlingType}\` for ${err}`);
    }
    if (id === 'start' && t.type === undefined) continue;
    if (t.type === 'screen') {
      const s = screens.get(t.screenId);
      if (!s) refuse(`task ${id}: screen \`${t.screenId}\` does not exist`);
      const buttons = new Set(Object.values(s.contents).filter((c) => c.type === 'Button').map((c) => c.props.interactionId));
      for (const r of t.next?.rules ?? []) if (!buttons.has(r.interactionId)) refuse(`task ${id}: no button \`${r.interactionId}\` on screen ${t.screenId}`);
    } else if (t.type === 'condition') {
      for (const c of t.conditions ?? []) {
        onlyKeys(c, new Set(['interactionId', 'name', 'operator', 'atomicConditions', 'isElse']), `task ${id} condition`);
        if (!c.isElse && !['and', 'or'].includes(c.operator)) refuse(`task ${id}: unknown branch operator \`${c.operator}\``);
        for (const a of c.atomicConditions ?? []) {
          onlyKeys(a, new Set(['target', 'operator', 'predicate']), `task ${id} atomic condition`);
          if (!OPERATORS.has(a.operator)) refuse(`task ${id}: unknown condition operator \`${a.operator}\``);
          if (a.target?.type !== 'contextKey') refuse(`task ${id}: a condition target must be a contextKey`);
        }
      }
    } else if (t.type === 'automated') {
      const args = ACTIONS[t.action];
      if (!args) refuse(`task ${id}: unknown action \`${t.action}\``);
      for (const [k, v] of Object.entries(t.arguments ?? {})) {
        if (!args.has(k)) refuse(`task ${id}: unknown argument \`${k}\` for action ${t.action}`);
        if (v?.type !== 'inline') refuse(`task ${id}: argument \`${k}\` must be inline`);
      }
      if (t.action === 'connector' && typeof t.connectorId !== 'string') refuse(`task ${id}: a connector task needs connectorId`);
    } else {
      refuse(`task ${id}: unknown task type \`${t.type}\``);
    }
  }
  return { tasks, screens };
}

/** The value at a dotted path, or undefined. */
export function lookup(ctx, path) {
  let v = ctx;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, part)) return undefined;
    v = v[part];
  }
  return v;
}

/** Renders `{{path}}` in a value; absent values drop their key. */
export function render(value, ctx) {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([\w.]+)\s*\}\}$/.exec(value);
    if (whole) return lookup(ctx, whole[1]);
    return value.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, p) => {
      const v = lookup(ctx, p);
      return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => render(v, ctx)).filter((v) => v !== undefined);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      const r = render(v, ctx);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
  return value;
}

function atomic(a, ctx) {
  const v = lookup(ctx, a.target.value);
  const p = a.predicate?.value;
  switch (a.operator) {
    case 'is-equal': return v !== undefined && String(v) === String(p);
    case 'is-not-equal': return v === undefined || String(v) !== String(p);
    case 'is-true': return v === true || v === 'true';
    case 'is-false': return v === false || v === 'false';
    default: return refuse(`unknown condition operator \`${a.operator}\``);
  }
}

/** Signs a connector call as Descope's Generic HTTP connector does with `hmac_secret`. */
export function signHmac(secret, body) {
  return { 'x-descope-webhook-s256': createHmac('sha256', secret).update(body).digest('base64') };
}

/** The value of one covered component (RFC 9421 section 2), or an error naming it. */
function componentValue(name, { method, url, headers }) {
  const u = new URL(url);
  switch (name) {
    case '@method': return method.toUpperCase();
    case '@target-uri': return u.href;
    case '@authority': return u.host.toLowerCase();
    case '@scheme': return u.protocol.replace(':', '').toLowerCase();
    case '@path': return u.pathname;
    case '@query': return u.search === '' ? '?' : u.search;
    case '@request-target': return u.pathname + u.search;
    default: {
      if (name.startsWith('@')) return refuse(`rfc 9421: unknown derived component \`${name}\``);
      const hit = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
      if (!hit) throw new FlowError('rfc9421_missing_component', `rfc 9421: the message has no \`${name}\` field to cover`);
      return String(hit[1]).trim().replace(/\s*\r?\n\s*/g, ' ');
    }
  }
}

/**
 * Signs a request with RFC 9421 HTTP Message Signatures, as the connector does
 * with `rfc9421_signing_enabled`: the signature base of section 2.5 over
 * `components`, then HMAC-SHA256, Ed25519 or ECDSA P-256 (r||s). A covered
 * `content-digest` is added first (RFC 9530, sha-256 of the body).
 * Returns the headers to add: `signature-input`, `signature` (and `content-digest`).
 * @param {{ method: string, url: string, headers: Record<string, string>, body?: string,
 *   alg: 'hmac-sha256' | 'ed25519' | 'ecdsa-p256-sha256', key: Buffer | import('node:crypto').KeyObject,
 *   keyId?: string, components?: string[], created?: number, ttl?: number, nonce?: string | false,
 *   label?: string, includeAlg?: boolean }} o
 */
export function signRfc9421(o) {
  const components = o.components ?? ['@method', '@target-uri', '@authority'];
  const added = {};
  const headers = { ...o.headers };
  if (components.includes('content-digest') && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-digest')) {
    added['content-digest'] = `sha-256=:${createHash('sha256').update(o.body ?? '').digest('base64')}:`;
    headers['content-digest'] = added['content-digest'];
  }
  const created = o.created ?? Math.floor(Date.now() / 1000);
  let params = `(${components.map((c) => `"${c}"`).join(' ')});created=${created}`;
  if (o.ttl !== undefined) params += `;expires=${created + o.ttl}`;
  if (o.keyId !== undefined) params += `;keyid="${o.keyId}"`;
  const nonce = o.nonce === undefined ? randomBytes(16).toString('base64url') : o.nonce;
  if (nonce !== false) params += `;nonce="${nonce}"`;
  if (o.includeAlg) params += `;alg="${o.alg}"`;
  const lines = components.map((c) => `"${c}": ${componentValue(c, { method: o.method, url: o.url, headers })}`);
  const base = `${[...lines, `"@signature-params": ${params}`].join('\n')}`;
  let sig;
  if (o.alg === 'hmac-sha256') sig = createHmac('sha256', o.key).update(base).digest();
  else if (o.alg === 'ed25519') sig = cryptoSign(null, Buffer.from(base), o.key);
  else if (o.alg === 'ecdsa-p256-sha256') sig = cryptoSign('sha256', Buffer.from(base), { key: o.key, dsaEncoding: 'ieee-p1363' });
  else refuse(`rfc 9421: unknown algorithm \`${o.alg}\``);
  const label = o.label ?? 'sig1';
  return { ...added, 'signature-input': `${label}=${params}`, signature: `${label}=:${sig.toString('base64')}:`, base };
}

/**
 * Runs `flow`. `connectors`: `{ [connectorId]: { baseUrl, hmacSecret?, bearer?, rfc9421? } }`,
 * `rfc9421` being the options of `signRfc9421` other than the message (alg, key, keyId, components, ttl).
 * `context`: what Descope knows before the flow (`riskInfo`, `geo`, and per login id
 * `users[loginId]` with `fingerprint`, `lastAuth`, `customAttributes`). `script`:
 * the user's steps on each screen, in order. Returns
 * `{ outcome: 'logged-in' | 'screen:<id>', user, trace, connectors, calls }`, each call
 * `{ task, endpoint, sent (the rendered payload), status, body }`.
 * `users` (a Map) is the project's user store, kept between runs.
 */
export async function runFlow(flow, { connectors, context = {}, script = [], users = new Map() }) {
  const { tasks, screens } = checkFlow(flow);
  const ctx = { ...structuredClone(context), form: {}, connectors: {} };
  delete ctx.users;
  const trace = [];
  const calls = [];
  const steps = [...script];
  let current = flow.contents.startTask;
  const nextFor = (task, interactionId) => {
    const rule = (task.next?.rules ?? []).find((r) => (r.interactionId ?? '') === interactionId);
    if (!rule) throw new FlowError('no_route', `task ${task.id}: no next rule for \`${interactionId}\``);
    return rule.taskId;
  };
  for (let n = 0; n < MAX_STEPS; n += 1) {
    const task = tasks[current];
    trace.push(current);
    if (task.type === undefined) {
      current = nextFor(task, '');
      continue;
    }
    if (task.type === 'screen') {
      const screen = screens.get(task.screenId);
      if (!(task.next?.rules ?? []).length) return { outcome: `screen:${task.screenId}`, user: ctx.user, trace, connectors: ctx.connectors, calls };
      const step = steps.shift();
      if (!step) throw new FlowError('script_ended', `the script has no step for screen ${task.screenId}`);
      if (step.screen !== task.screenId) throw new FlowError('script_mismatch', `the script expected screen ${step.screen}, the flow shows ${task.screenId}`);
      const inputs = new Set(Object.values(screen.contents).filter((c) => c.type === 'Input').map((c) => c.props.name));
      for (const [k, v] of Object.entries(step.inputs ?? {})) {
        if (!inputs.has(k)) throw new FlowError('script_mismatch', `screen ${task.screenId} has no input \`${k}\``);
        ctx.form[k] = v;
      }
      if (step.follow) {
        const link = screen.contents[step.follow];
        if (link?.type !== 'Link') throw new FlowError('script_mismatch', `screen ${task.screenId} has no link \`${step.follow}\``);
        const href = render(link.props.href, ctx);
        if (typeof href !== 'string' || !/^https?:\/\//.test(href)) throw new FlowError('bad_link', `the link \`${step.follow}\` rendered no URL`);
        const res = await fetch(href, { method: 'POST' });
        await res.arrayBuffer();
        if (!res.ok) throw new FlowError('bad_link', `the page behind \`${step.follow}\` answered ${res.status}`);
      }
      current = nextFor(task, step.interaction);
      continue;
    }
    if (task.type === 'condition') {
      let chosen;
      for (const c of task.conditions) {
        if (c.isElse) continue;
        const results = (c.atomicConditions ?? []).map((a) => atomic(a, ctx));
        if (c.operator === 'and' ? results.every(Boolean) : results.some(Boolean)) {
          chosen = c.interactionId;
          break;
        }
      }
      current = nextFor(task, chosen ?? (task.conditions.find((c) => c.isElse)?.interactionId ?? 'else'));
      continue;
    }
    const args = Object.fromEntries(Object.entries(task.arguments ?? {}).map(([k, v]) => [k, v.value]));
    if (task.action === 'logged-in') return { outcome: 'logged-in', user: ctx.user, trace, connectors: ctx.connectors, calls };
    if (task.action === 'sign-up-or-in-by-login-id') {
      const loginId = render(args.loginId, ctx);
      if (typeof loginId !== 'string' || loginId === '') throw new FlowError('bad_login_id', 'the login id rendered empty');
      let user = users.get(loginId);
      if (!user) {
        user = { userId: `U${users.size + 1}${loginId.replace(/[^a-z0-9]/gi, '').slice(0, 12)}`, loginIds: [loginId], email: loginId, customAttributes: {} };
        users.set(loginId, user);
      }
      const known = context.users?.[loginId] ?? {};
      ctx.user = { ...user, ...known, customAttributes: { ...user.customAttributes, ...(known.customAttributes ?? {}) } };
      current = nextFor(task, 'success');
      continue;
    }
    if (task.action === 'update-user-custom-attributes') {
      const attrs = render(args.customAttributes, ctx);
      const stored = users.get(ctx.user.loginIds[0]);
      Object.assign(stored.customAttributes, attrs);
      ctx.user = { ...ctx.user, customAttributes: { ...ctx.user.customAttributes, ...attrs } };
      current = nextFor(task, 'success');
      continue;
    }
    // action `connector`: the Generic HTTP connector.
    const conn = connectors[task.connectorId];
    if (!conn) throw new FlowError('no_connector', `connector \`${task.connectorId}\` is not configured`);
    const body = JSON.stringify(render(args.payload ?? {}, ctx));
    const headers = { 'content-type': 'application/json' };
    if (conn.hmacSecret) Object.assign(headers, signHmac(conn.hmacSecret, body));
    if (conn.bearer) headers.authorization = `Bearer ${conn.bearer}`;
    const url = `${conn.baseUrl.replace(/\/+$/, '')}${args.endpoint}`;
    if (conn.rfc9421) {
      const { base: _base, ...signed } = signRfc9421({ ...conn.rfc9421, method: args.method ?? 'POST', url, headers, body });
      Object.assign(headers, signed);
    }
    let failed = null;
    try {
      const res = await fetch(url, { method: args.method ?? 'POST', headers, body, signal: AbortSignal.timeout((args.timeout ?? 10) * 1000) });
      const textBody = await res.text();
      let parsed;
      try {
        parsed = JSON.parse(textBody);
      } catch {
        parsed = textBody;
      }
      calls.push({ task: task.id, endpoint: args.endpoint, sent: JSON.parse(body), status: res.status, body: parsed });
      if (res.ok) ctx.connectors[args.contextKey] = { body: parsed, statusCode: res.status };
      else failed = `${args.endpoint} answered ${res.status}`;
    } catch (e) {
      failed = `${args.endpoint} failed: ${e.message}`;
    }
    if (failed === null) {
      current = nextFor(task, 'success');
      continue;
    }
    const handling = task.errorHandlingV2?.ConnectorFailed?.errorHandlingType ?? 'automatic';
    if (handling === 'custom') {
      current = nextFor(task, 'error');
      continue;
    }
    throw new FlowError('connector_failed', `task ${task.id}: ${failed}`);
  }
  throw new FlowError('too_many_steps', `the flow ran more than ${MAX_STEPS} steps`);
}
