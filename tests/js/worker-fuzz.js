// An HTTP fuzzer of the real Worker (workerd through miniflare, bundled as
// wrangler deploys it) against the 1Kosmos and Salesforce stand-ins. Used by
// tests/js/worker.fuzz.test.js (a short run in `npm test`) and
// bench/worker-fuzz.mjs (the long run in `npm run bench`).
//
// For a time budget it sends random and mutated requests to every route:
// methods, paths, header sets, bodies of every size and encoding, broken
// JSON, deep nesting, wrong content types, and good requests (signed the way
// the callers sign them: Descope's HMAC, Standard Webhooks) mutated a little
// ("signatures almost right"). It records, per request:
//   - a 5xx that is not one of the documented upstream answers (502/503/504
//     with an upstream code) -> a failure;
//   - no answer within REQUEST_TIMEOUT_MS -> a failure (a hang);
//   - an error answer whose body is not the JSON error shape -> a failure;
//   - any configured secret (in clear or as it travels) in a body or header
//     -> a failure; the Worker's log lines are checked the same way at the end.
// Every CANARY_EVERY requests, and at the end, good requests must be answered
// correctly (health, a signed risk call, a signed IDV start, a signed webhook
// published once, an OIDC start).
// A seeded PRNG (mulberry32) makes a run reproducible: with
// FUZZ_CONCURRENCY=1 the same seed gives the same sequence of requests (only
// what the clock and the stand-ins put in them differs: timestamps, the ids
// 1Kosmos mints, the signatures over them); at 4 in flight their
// interleaving may differ too.
import { createHmac, randomBytes } from 'node:crypto';
import { startKosmos } from '../../www/sandbox/kosmos.mjs';
import { startSalesforce } from '../../www/sandbox/salesforce.mjs';
import { standardSigner } from '../../www/sandbox/sign.mjs';
import { sandboxVars, startWorker } from '../../www/worker/dev.mjs';

export const REQUEST_TIMEOUT_MS = 15_000;
const CANARY_EVERY = 250;

/** The documented upstream failures (README "Endpoints"): the only 5xx a healthy Worker may answer. */
export const UPSTREAM_5XX = new Set([
  'upstream_auth_failed', 'upstream_error', 'upstream_malformed', 'upstream_unreachable', 'upstream_unavailable', 'upstream_timeout',
  'provider_malformed', 'provider_unreachable', 'provider_unavailable', 'token_exchange_failed', 'userinfo_failed',
  'salesforce_unavailable', 'handoff_failed',
]);

/** mulberry32: a small seeded PRNG. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i += 1) out[i] = Math.floor(next() * 256);
      return out;
    },
    ascii: (n, from = 0x20, to = 0x7e) => {
      let s = '';
      for (let i = 0; i < n; i += 1) s += String.fromCharCode(from + Math.floor(next() * (to - from + 1)));
      return s;
    },
  };
  return r;
}

const ROUTES = [
  ['POST', '/v1/descope/idv'],
  ['POST', '/v1/descope/idv-result'],
  ['POST', '/v1/descope/step-up'],
  ['POST', '/v1/descope/step-up-result'],
  ['POST', '/v1/descope/risk'],
  ['POST', '/v1/descope/audit-marks'],
  ['POST', '/v1/webhooks/1kosmos'],
  ['POST', '/v1/webhooks/descope-audit'],
  ['GET', '/v1/oidc/start'],
  ['GET', '/v1/oidc/callback'],
  ['GET', '/v1/oidc/result'],
  ['GET', '/healthz'],
  ['GET', '/__sandbox'],
];
const DESCOPE_ROUTES = ROUTES.filter(([, p]) => p.startsWith('/v1/descope/')).map(([, p]) => p);
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'QUERY', 'post'];
const STEP_UP_USERS = ['match@test', 'nomatch@test', 'slow-match@test', 'cancel@test', 'timeout@test', 'expired@test', 'stranger@test'];
const CONTENT_TYPES = [
  'application/json', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/merge-patch+json',
  'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'application/jsonx', '*/*', '', 'application/xml',
];
const POLICY = {
  version: 1,
  rules: [
    { id: 'bot-on-new-device', when: { all: [{ risk_score_above: 0.94 }, { device: 'new' }] }, then: { decision: 'deny' } },
    { id: 'risky-login', when: { risk_score_above: 0.7 }, then: { decision: 'step_up', max_age_s: 900 } },
    { id: 'new-user', when: { device: 'new' }, then: { decision: 'verify_identity', required_ial: 'IAL2' } },
  ],
  default: { decision: 'allow' },
};

// --- values, bodies, mutations ------------------------------------------------------

const WEIRD_STRINGS = [
  '', ' ', '\u0000', 'a'.repeat(300), 'x'.repeat(70_000), '\ud800', '\u202e\u0645', '../../etc/passwd', '%00', '${jndi:ldap://x}',
  '<script>alert(1)</script>', 'IAL9', 'ial2', 'IAL2', '1e309', '-0', '__proto__', 'null', '[1,2', '{"a":', '\r\nset-cookie: x=1',
  'drivers_license,passport', '["passport"]', '{"related_record_id":"001"}', 'passive', 'active', 'match@test', 'timeout@test',
];

function randomValue(r, depth = 0) {
  switch (r.int(depth > 3 ? 5 : 8)) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: return r.pick([0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 0.7, 0.95, 300]);
    case 3: return r.pick(WEIRD_STRINGS);
    case 4: return r.ascii(r.int(40));
    case 5: return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
    default: {
      const o = {};
      for (let i = r.int(5); i > 0; i -= 1) o[r.pick(['user_identifier', 'session_id', 'challenge_id', 'metadata', 'document_types', 'liveness_mode', 'required_ial', 'min_confidence', 'action', 'riskInfo', 'user', 'geo', 'data', 'type', r.ascii(6)])] = randomValue(r, depth + 1);
      return o;
    }
  }
}

/** Replaces, removes or adds something somewhere in a JSON value. */
function mutateValue(r, value) {
  if (value === null || typeof value !== 'object' || r.chance(0.15)) return randomValue(r);
  const copy = Array.isArray(value) ? [...value] : { ...value };
  const keys = Object.keys(copy);
  const op = r.int(4);
  if (keys.length === 0 || op === 0) {
    if (Array.isArray(copy)) copy.push(randomValue(r));
    else copy[r.pick(['extra', '__proto__', 'constructor', r.ascii(4)])] = randomValue(r);
  } else if (op === 1) {
    if (Array.isArray(copy)) copy.splice(r.int(copy.length), 1);
    else delete copy[r.pick(keys)];
  } else {
    const k = r.pick(keys);
    copy[k] = mutateValue(r, copy[k]);
  }
  return copy;
}

function deepNesting(r) {
  const n = r.pick([64, 128, 129, 1000, 10_000, 100_000]);
  if (r.chance(0.5)) return `${'['.repeat(n)}${']'.repeat(n)}`;
  return `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
}

const enc = new TextEncoder();

/** A random body: bytes of every size, JSON of every shape, broken JSON, other encodings. */
function randomBody(r) {
  switch (r.int(12)) {
    case 0: return new Uint8Array(0);
    case 1: return r.bytes(r.pick([1, 7, 100, 4096, 65_537]));
    case 2: return enc.encode(JSON.stringify(randomValue(r)));
    case 3: {
      const t = JSON.stringify(randomValue(r)) ?? 'null';
      return enc.encode(t.slice(0, r.int(t.length + 1)));
    }
    case 4: return enc.encode(deepNesting(r));
    case 5: return enc.encode(JSON.stringify({ pad: 'x'.repeat(r.pick([65_000, 65_600, 262_000, 263_000, 400_000])) }));
    case 6: return Buffer.from(JSON.stringify(randomValue(r)) ?? '{}', 'utf16le');
    case 7: return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(randomValue(r)) ?? '{}')]);
    case 8: return Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]); // {"\xc3(":1} invalid UTF-8
    case 9: return enc.encode(`{"a":1,"a":2,"__proto__":{"polluted":true},"n":${r.pick(['1e999999', '-', '0x10', 'NaN', '1'.repeat(400)])}}`);
    case 10: return enc.encode('document_types=passport&liveness_mode=passive');
    default: return enc.encode(r.ascii(r.int(200), 0x00, 0x7f));
  }
}

function randomPath(r) {
  const [, base] = r.pick(ROUTES);
  switch (r.int(10)) {
    case 0: return `${base}/`;
    case 1: return `${base}//`;
    case 2: return base.toUpperCase();
    case 3: return `${base}/../${r.pick(ROUTES)[1].slice(1)}`;
    case 4: return `/${r.ascii(r.int(30), 0x21, 0x7e).replace(/[#?]/g, '')}`;
    case 5: return `${base}?${r.ascii(r.int(200), 0x21, 0x7e).replace(/#/g, '')}`;
    case 6: return `/${'a/'.repeat(r.int(500))}`;
    case 7: return `/${base.slice(1).replace(/\//g, '%2F')}`;
    case 8: return `${base}%00`;
    default: return base;
  }
}

function randomHeaders(r) {
  const h = {};
  if (r.chance(0.6)) h['content-type'] = r.pick(CONTENT_TYPES);
  if (r.chance(0.15)) h['content-encoding'] = r.pick(['gzip', 'br', 'deflate', 'identity', 'x-unknown']);
  if (r.chance(0.15)) h.origin = r.pick(['https://evil.example', 'null', 'https://acme.lightning.force.com', r.ascii(20, 0x21, 0x7e)]);
  if (r.chance(0.15)) h['idempotency-key'] = r.pick(['k', r.ascii(300, 0x21, 0x7e), 'same-key', r.ascii(10)]);
  if (r.chance(0.15)) h['x-descope-webhook-s256'] = r.pick(['', 'AAAA', r.ascii(44, 0x21, 0x7e), Buffer.from(r.bytes(32)).toString('base64')]);
  if (r.chance(0.1)) h['webhook-id'] = r.ascii(r.int(300), 0x21, 0x7e);
  if (r.chance(0.1)) h['webhook-timestamp'] = r.pick(['0', '-1', '99999999999999', String(Math.floor(Date.now() / 1000)), 'abc']);
  if (r.chance(0.1)) h['webhook-signature'] = r.pick(['v1,', 'v1a,AAAA', `v1,${Buffer.from(r.bytes(32)).toString('base64')}`, 'v1,'.repeat(40)]);
  if (r.chance(0.1)) h.cookie = r.pick(['kosmos_oidc=', 'kosmos_oidc=a.b', `kosmos_oidc=${r.ascii(5000, 0x30, 0x7a)}`, 'kosmos_oidc_result=x.y; kosmos_oidc=z', r.ascii(100, 0x21, 0x7e)]);
  if (r.chance(0.1)) h['access-control-request-method'] = r.pick(['POST', 'GET', 'DELETE']);
  if (r.chance(0.1)) h[r.ascii(8, 0x61, 0x7a)] = r.ascii(r.int(8000), 0x20, 0x7e);
  if (r.chance(0.05)) h.accept = 'application/xml';
  return h;
}

// --- good requests, then mutated ----------------------------------------------------

function goodDescopeBody(r, path, known) {
  switch (path) {
    case '/v1/descope/idv': return { document_types: r.pick([['passport'], 'passport, id_card', '["drivers_license"]']), liveness_mode: r.pick(['passive', 'active']), user_identifier: `fuzz-${r.int(50)}@test`, metadata: { related_record_id: '001000000000001AAA' } };
    case '/v1/descope/idv-result': return { session_id: known.sessions.length && r.chance(0.7) ? r.pick(known.sessions) : `ses_${r.ascii(12, 0x61, 0x7a)}`, required_ial: r.pick(['IAL1', 'IAL2', 'ial3', undefined]) };
    case '/v1/descope/step-up': return { user_identifier: r.pick(STEP_UP_USERS), action: 'Wire $5,000', metadata: { decision: 'step_up', rule: 'risky-login' } };
    case '/v1/descope/step-up-result': return { challenge_id: known.challenges.length && r.chance(0.7) ? r.pick(known.challenges) : `chl_${r.ascii(12, 0x61, 0x7a)}`, min_confidence: r.pick([undefined, 0.5, '0.9', 2]) };
    case '/v1/descope/risk': return { riskInfo: { riskScore: r.pick([0.1, 0.8, 0.99]) }, user: { fingerprint: { knownDevice: r.chance(0.5) } }, geo: { country: r.pick(['US', 'FR', 'XX']) } };
    default: return { user_id: `U${r.int(20)}`, clear: r.chance(0.3) };
  }
}

function kosmosEvent(r, known) {
  const stepUp = r.chance(0.5);
  const data = stepUp
    ? { challenge_id: known.challenges.length && r.chance(0.5) ? r.pick(known.challenges) : `chl_fuzz_${r.int(1e9)}`, user_identifier: 'match@test', status: 'completed', match_result: 'match', confidence: 0.9 }
    : { session_id: `ses_fuzz_${r.int(1e9)}`, status: 'completed', ial_level: 'IAL2', verified_claims: null, metadata: { user_identifier: 'fuzz@test' } };
  return { type: stepUp ? 'liveid.challenge.completed' : 'idv.session.completed', timestamp: new Date().toISOString(), data };
}

function auditEvent(r) {
  return { id: `evt_${r.int(1e9)}`, action: r.pick(['UserCreated', 'LoginSucceed', 'Other']), userId: `U${r.int(20)}`, loginIds: [`fuzz-${r.int(20)}@test`], occurred: Date.now(), data: { riskInfo: { riskScore: r.pick([0.1, 0.8]) }, user: { fingerprint: { knownDevice: r.chance(0.5) } } } };
}

/** Changes a signed request "almost right": one byte, one character, one header. */
function mutateSigned(r, req, sigHeaders) {
  const h = { ...req.headers };
  switch (r.int(9)) {
    case 0: { // one byte of the body
      if (req.body.length) {
        const b = Buffer.from(req.body);
        b[r.int(b.length)] ^= 1 << r.int(8);
        return { ...req, body: b };
      }
      return req;
    }
    case 1: { // one character of a signature
      const name = r.pick(sigHeaders);
      const v = h[name] ?? '';
      const i = Math.max(0, v.length - 1 - r.int(Math.min(v.length, 10)));
      h[name] = `${v.slice(0, i)}${v[i] === 'A' ? 'B' : 'A'}${v.slice(i + 1)}`;
      return { ...req, headers: h };
    }
    case 2: delete h[r.pick(sigHeaders)]; return { ...req, headers: h };
    case 3: h['content-type'] = r.pick(CONTENT_TYPES); return { ...req, headers: h };
    case 4: return { ...req, body: Buffer.concat([Buffer.from(req.body), Buffer.from(' ')]) };
    case 5: if ('webhook-timestamp' in h) h['webhook-timestamp'] = String(Number(h['webhook-timestamp']) + r.pick([-400, 400, -86_400, 1])); return { ...req, headers: h };
    case 6: if ('webhook-id' in h) h['webhook-id'] = `${h['webhook-id']}x`; return { ...req, headers: h };
    case 7: if ('webhook-signature' in h) h['webhook-signature'] = `${h['webhook-signature']} v1,${Buffer.from(r.bytes(32)).toString('base64')}`; return { ...req, headers: h };
    default: return req; // unchanged: a good request among the bad
  }
}

// --- the run ------------------------------------------------------------------------

/**
 * Runs the fuzzer for `budgetMs`. Returns the figures and the failures.
 * @param {{ budgetMs: number, seed: number, concurrency?: number }} options
 */
export async function fuzzWorker({ budgetMs, seed, concurrency = 4 }) {
  const r = prng(seed);
  const kosmos = await startKosmos({ retryDelaysMs: [] });
  const salesforce = await startSalesforce();
  const DESCOPE_SECRET = `descope-hmac-${randomBytes(12).toString('hex')}`;
  const AUDIT_SECRET = `descope-audit-${randomBytes(12).toString('hex')}`;
  const COOKIE_SECRET = `oidc-cookie-${randomBytes(16).toString('hex')}`;
  const logs = [];
  const miniflare = {
    handleStructuredLogs: ({ level, message }) => {
      logs.push(`${level} ${message}`);
    },
  };
  const common = { POLICY: JSON.stringify(POLICY), DESCOPE_AUDIT_HMAC_SECRET: AUDIT_SECRET, OIDC_COOKIE_SECRET: COOKIE_SECRET, UPSTREAM_TIMEOUT_MS: '5000', SF_TIMEOUT_MS: '5000' };
  const workers = {
    signed: await startWorker({ vars: sandboxVars(kosmos, salesforce, { ...common, DESCOPE_HMAC_SECRET: DESCOPE_SECRET }), assets: false, queue: false, miniflare }),
    open: await startWorker({ vars: sandboxVars(kosmos, salesforce, { ...common, ALLOWED_ORIGINS: 'https://acme.lightning.force.com' }), assets: false, queue: false, miniflare }),
  };
  const basic = (id, secret) => Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
  const secrets = {
    KOSMOS_API_KEY: kosmos.apiKey,
    KOSMOS_WEBHOOK_SECRET: kosmos.webhookSecret,
    'KOSMOS_WEBHOOK_SECRET (key)': kosmos.webhookSecret.slice('whsec_'.length),
    SF_CLIENT_SECRET: salesforce.clientSecret,
    DESCOPE_HMAC_SECRET: DESCOPE_SECRET,
    DESCOPE_AUDIT_HMAC_SECRET: AUDIT_SECRET,
    OIDC_CLIENT_SECRET: kosmos.oidc.clientSecret,
    'OIDC_CLIENT_SECRET (basic)': basic(kosmos.oidc.clientId, kosmos.oidc.clientSecret),
    OIDC_COOKIE_SECRET: COOKIE_SECRET,
  };
  const signWebhook = standardSigner(kosmos.webhookSecret);
  const hmac = (secret, body) => createHmac('sha256', secret).update(body).digest('base64');
  const known = { sessions: [], challenges: [], cookies: [] };
  const stats = { seed, budget_s: budgetMs / 1000, requests: 0, by_status: {}, by_kind: {}, by_route: {}, client_refused: 0, resets: 0, canaries: 0, upstream_5xx: 0, log_lines: 0 };
  const failures = [];
  const fail = (what, req, detail) => {
    if (failures.length < 50) failures.push({ what, method: req.method, path: req.path, worker: req.worker, kind: req.kind, detail: String(detail).slice(0, 300) });
  };

  /** The next request: `{ worker, kind, method, path, headers, body }`. */
  function nextRequest() {
    const worker = r.chance(0.5) ? 'signed' : 'open';
    const ip = r.chance(0.3)
      ? r.pick([`10.${r.int(256)}.${r.int(256)}.${r.int(256)}`, `2001:db8:${r.int(65536).toString(16)}::${r.int(65536).toString(16)}`, '::', ':::::::::', '::ffff:10.0.0.1', '1.2.3.4, 5.6.7.8', 'unknown', r.ascii(r.int(60), 0x21, 0x7e)])
      : '10.0.0.1';
    const kind = r.pick(['random', 'random', 'descope', 'descope', 'webhook', 'audit', 'oidc']);
    if (kind === 'random') {
      const method = r.pick(METHODS);
      const hasBody = !['GET', 'HEAD'].includes(method.toUpperCase()) && r.chance(0.8);
      return { worker, kind, method, path: randomPath(r), headers: { ...randomHeaders(r), 'cf-connecting-ip': ip }, body: hasBody ? randomBody(r) : undefined };
    }
    if (kind === 'descope') {
      const path = r.pick(DESCOPE_ROUTES);
      let value = goodDescopeBody(r, path, known);
      if (r.chance(0.4)) value = mutateValue(r, value);
      let body = enc.encode(r.chance(0.1) ? deepNesting(r) : JSON.stringify(value));
      if (r.chance(0.05)) body = randomBody(r);
      const headers = { 'content-type': 'application/json', 'cf-connecting-ip': ip };
      if (worker === 'signed' || r.chance(0.2)) headers['x-descope-webhook-s256'] = hmac(DESCOPE_SECRET, body);
      const req = { worker, kind, method: 'POST', path, headers, body };
      return r.chance(0.5) ? mutateSigned(r, req, ['x-descope-webhook-s256']) : req;
    }
    if (kind === 'webhook') {
      const value = r.chance(0.3) ? mutateValue(r, kosmosEvent(r, known)) : kosmosEvent(r, known);
      const body = JSON.stringify(value);
      const id = r.chance(0.2) ? 'msg_fuzz_repeat' : `msg_fuzz_${r.int(1e9)}`;
      const req = { worker, kind, method: 'POST', path: '/v1/webhooks/1kosmos', headers: { 'content-type': 'application/json', ...signWebhook(id, Math.floor(Date.now() / 1000), body) }, body: enc.encode(body) };
      return r.chance(0.6) ? mutateSigned(r, req, ['webhook-signature', 'webhook-id', 'webhook-timestamp']) : req;
    }
    if (kind === 'audit') {
      const value = r.chance(0.3) ? mutateValue(r, auditEvent(r)) : auditEvent(r);
      const body = enc.encode(JSON.stringify(value));
      const req = { worker, kind, method: 'POST', path: '/v1/webhooks/descope-audit', headers: { 'content-type': 'application/json', 'x-descope-webhook-s256': hmac(AUDIT_SECRET, body) }, body };
      return r.chance(0.6) ? mutateSigned(r, req, ['x-descope-webhook-s256']) : req;
    }
    // oidc
    const which = r.pick(['start', 'callback', 'callback', 'result']);
    const q = new URLSearchParams();
    if (which === 'start') {
      if (r.chance(0.5)) q.set('return_to', r.pick(['/done', '//evil.example', '/\t/evil.example', 'https://evil.example/', 'https://acme.lightning.force.com/x', 'javascript:alert(1)', '/a'.repeat(1100), '/%2F%2Fevil', r.ascii(30)]));
      if (r.chance(0.3)) q.set('max_age', r.pick(['0', '300', '-1', '1e3', '9999999999', 'x']));
      if (r.chance(0.3)) q.set('acr', r.pick(['liveID push', '', ',,,', r.ascii(100)]));
      if (r.chance(0.3)) q.set('login_hint', r.pick(['match@test', r.ascii(3000)]));
    } else if (which === 'callback') {
      q.set('code', r.pick(['code', r.ascii(50, 0x21, 0x7e), '']));
      if (r.chance(0.8)) q.set('state', r.pick(['s', r.ascii(43, 0x41, 0x5a), '']));
      if (r.chance(0.3)) q.set('iss', r.pick([kosmos.oidc.issuer, 'https://evil.example']));
      if (r.chance(0.2)) q.set('error', r.pick(['access_denied', 'server_error', r.ascii(80)]));
    }
    const headers = { 'cf-connecting-ip': ip };
    if (known.cookies.length && r.chance(0.5)) {
      let c = r.pick(known.cookies);
      if (r.chance(0.5)) {
        const i = c.length - 1 - r.int(Math.min(10, c.length - 1));
        c = `${c.slice(0, i)}${c[i] === 'A' ? 'B' : 'A'}${c.slice(i + 1)}`;
      }
      headers.cookie = c;
    } else if (r.chance(0.3)) {
      headers.cookie = randomHeaders(r).cookie ?? `kosmos_oidc=${r.ascii(60, 0x30, 0x7a)}`;
    }
    const qs = q.toString();
    return { worker, kind, method: 'GET', path: `/v1/oidc/${which}${qs ? `?${qs}` : ''}`, headers, body: undefined };
  }

  const leaks = (text) => Object.entries(secrets).filter(([, v]) => text.includes(v)).map(([k]) => k);

  async function send(req) {
    const base = workers[req.worker].url;
    const t0 = Date.now();
    let res;
    try {
      res = await fetch(`${base}${req.path}`, { method: req.method, headers: req.headers, body: req.body, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (e) {
      if (e.name === 'TimeoutError' || Date.now() - t0 >= REQUEST_TIMEOUT_MS) {
        fail('hang', req, `no answer in ${REQUEST_TIMEOUT_MS} ms`);
        return { status: 'timeout' };
      }
      const code = e.cause?.code ?? '';
      // The Worker answering 413 before reading a large body may reset the connection under the writer.
      if (/ECONNRESET|EPIPE|UND_ERR_SOCKET/.test(code)) {
        stats.resets += 1;
        return { status: 'reset' };
      }
      // fetch itself refused to send it (a method or header it does not allow).
      stats.client_refused += 1;
      return { status: 'refused' };
    }
    let text;
    try {
      text = await res.text();
    } catch (e) {
      fail('body read', req, e.message);
      return { status: res.status };
    }
    const headerText = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
    for (const name of leaks(`${text}\n${headerText}`)) fail('secret', req, `${name} in the answer (${res.status})`);
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.status >= 400 && req.method.toUpperCase() !== 'HEAD' && text !== '' && typeof json?.error?.code !== 'string') fail('error shape', req, `${res.status} ${text.slice(0, 120)}`);
    if (res.status >= 500) {
      const code = json?.error?.code;
      if ([502, 503, 504].includes(res.status) && UPSTREAM_5XX.has(code)) stats.upstream_5xx += 1;
      else fail('5xx', req, `${res.status} ${text.slice(0, 200)}`);
    }
    // Keep what later requests can use: ids that exist, a real state cookie.
    if (res.status === 200 && json?.session_id && known.sessions.length < 200) known.sessions.push(json.session_id);
    if (res.status === 200 && json?.challenge_id && known.challenges.length < 200) known.challenges.push(json.challenge_id);
    const cookie = res.headers.get('set-cookie');
    if (res.status === 302 && cookie && known.cookies.length < 50) known.cookies.push(cookie.split(';')[0]);
    return { status: res.status, json, text, headers: res.headers };
  }

  let canarySeq = 0;
  /** Good requests, each answered correctly. */
  async function canary() {
    stats.canaries += 1;
    canarySeq += 1;
    const check = async (what, req, ok) => {
      const res = await send({ ...req, kind: 'canary' });
      if (!ok(res)) fail('canary', req, `${what}: ${res.status} ${(res.text ?? '').slice(0, 200)}`);
    };
    const ip = `192.0.2.${canarySeq % 250}`;
    await check('health', { worker: 'open', method: 'GET', path: '/healthz', headers: {} }, (x) => x.status === 200 && x.json?.status === 'ok');
    const riskBody = enc.encode(JSON.stringify({ riskInfo: { riskScore: 0.8 }, user: { fingerprint: { knownDevice: true } } }));
    await check('signed risk', { worker: 'signed', method: 'POST', path: '/v1/descope/risk', headers: { 'content-type': 'application/json', 'x-descope-webhook-s256': hmac(DESCOPE_SECRET, riskBody) }, body: riskBody },
      (x) => x.status === 200 && x.json?.decision === 'step_up' && x.json?.rule === 'risky-login');
    const idvBody = enc.encode(JSON.stringify({ document_types: ['passport'], liveness_mode: 'passive', user_identifier: `canary-${seed}-${canarySeq}@test` }));
    await check('signed idv', { worker: 'signed', method: 'POST', path: '/v1/descope/idv', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, 'x-descope-webhook-s256': hmac(DESCOPE_SECRET, idvBody) }, body: idvBody },
      (x) => x.status === 200 && typeof x.json?.session_id === 'string' && typeof x.json?.session_url === 'string');
    const sessionId = `ses_canary_${seed}_${canarySeq}`;
    const hook = JSON.stringify({ type: 'idv.session.completed', timestamp: new Date().toISOString(), data: { session_id: sessionId, status: 'completed', ial_level: 'IAL2', verified_claims: null, metadata: { user_identifier: 'canary@test' } } });
    const before = salesforce.state.received.filter((x) => x.fields?.Verification_Id__c === sessionId).length;
    await check('signed webhook', { worker: 'open', method: 'POST', path: '/v1/webhooks/1kosmos', headers: { 'content-type': 'application/json', ...signWebhook(`msg_canary_${seed}_${canarySeq}`, Math.floor(Date.now() / 1000), hook) }, body: enc.encode(hook) },
      (x) => x.status === 200 && x.json?.status === 'published' && salesforce.state.received.filter((y) => y.fields?.Verification_Id__c === sessionId).length === before + 1);
    // 1Kosmos down (the Worker's first try and its KOSMOS_MAX_RETRIES=2 retries): the documented 503, logged for the operator (the log check below has lines to read).
    kosmos.state.failNext = { count: 3, status: 503 };
    const downBody = enc.encode(JSON.stringify({ document_types: ['passport'], liveness_mode: 'passive', user_identifier: `canary-down-${seed}-${canarySeq}@test` }));
    await check('idv, 1Kosmos down', { worker: 'signed', method: 'POST', path: '/v1/descope/idv', headers: { 'content-type': 'application/json', 'cf-connecting-ip': ip, 'x-descope-webhook-s256': hmac(DESCOPE_SECRET, downBody) }, body: downBody },
      (x) => x.status === 503 && x.json?.error?.code === 'upstream_unavailable');
    kosmos.state.failNext = { count: 0, status: 503 };
    await check('oidc start', { worker: 'open', method: 'GET', path: '/v1/oidc/start?return_to=/done', headers: { 'cf-connecting-ip': ip } },
      (x) => x.status === 302 && (x.headers?.get('location') ?? '').startsWith(kosmos.oidc.issuer));
  }

  const end = Date.now() + budgetMs;
  // The canaries run alone: the lanes wait at the gate, and what is in flight finishes first.
  let gate = null;
  let inFlight = 0;
  async function alone(fn) {
    let open;
    gate = new Promise((res) => {
      open = res;
    });
    while (inFlight > 0) await new Promise((res) => setTimeout(res, 5));
    kosmos.state.failNext = { count: 0, status: 503 };
    try {
      await fn();
    } finally {
      gate = null;
      open();
    }
  }
  try {
    await canary();
    let sinceCanary = 0;
    const lane = async () => {
      while (Date.now() < end) {
        while (gate) await gate;
        // Now and then 1Kosmos fails the next call (the documented upstream answers must follow).
        if (r.chance(0.02)) kosmos.state.failNext = { count: 1, status: r.pick([500, 502, 503, 429, 401, 404, 409, 422]) };
        const req = nextRequest();
        inFlight += 1;
        let res;
        try {
          res = await send(req);
        } finally {
          inFlight -= 1;
        }
        stats.requests += 1;
        const s = String(res.status);
        stats.by_status[s] = (stats.by_status[s] ?? 0) + 1;
        stats.by_kind[req.kind] = (stats.by_kind[req.kind] ?? 0) + 1;
        const route = ROUTES.find(([, p]) => req.path === p || req.path.startsWith(`${p}?`))?.[1] ?? '(other path)';
        stats.by_route[route] = (stats.by_route[route] ?? 0) + 1;
        sinceCanary += 1;
        if (sinceCanary >= CANARY_EVERY && !gate) {
          sinceCanary = 0;
          await alone(canary);
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    // Right after the run: good requests answered correctly.
    await alone(canary);
    // Give the last log lines a moment to arrive, then check them all.
    await new Promise((res) => setTimeout(res, 200));
    stats.log_lines = logs.length;
    for (const line of logs) for (const name of leaks(line)) fail('secret', { method: '-', path: '(log)', worker: '-', kind: 'log' }, `${name} in a log line`);
  } finally {
    await Promise.allSettled([workers.signed.close(), workers.open.close(), kosmos.close(), salesforce.close()]);
  }
  stats.failures = failures.length;
  return { stats, failures };
}

/** One line per figure, for a person. */
export function describeRun(stats) {
  const byStatus = Object.entries(stats.by_status).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v}`).join(', ');
  return [
    `worker fuzz: seed ${stats.seed}, ${stats.budget_s} s, ${stats.requests} requests (+${stats.canaries} canary rounds), ${stats.failures} failures`,
    `  by status: ${byStatus}`,
    `  by kind: ${Object.entries(stats.by_kind).map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    `  documented upstream 5xx: ${stats.upstream_5xx}; connection resets (413 before the body was read): ${stats.resets}; refused by fetch itself: ${stats.client_refused}; log lines checked: ${stats.log_lines}`,
  ].join('\n');
}
