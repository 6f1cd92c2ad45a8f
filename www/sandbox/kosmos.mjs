// A 1Kosmos stand-in speaking verify-v1, on 127.0.0.1, for `npm start` and
// the end-to-end tests. Deterministic test identities, like a payment
// provider's test cards:
//
// LiveID step-up (`user_identifier`):
//   match@test        completed, match, confidence 0.97 (at the first read)
//   nomatch@test      completed, no_match, confidence 0.12
//   slow-match@test   completes as match (0.91) at the third read
//   cancel@test       cancelled by the user
//   timeout@test      never completes (pending forever)
//   expired@test      pending at the first read, expired at the second
//   slow@test         the create answers after `slowMs` (option, default 5 s), then as match@test
//   anything else     404 `user_not_enrolled`
// IDV sessions (by `metadata.user_identifier`):
//   declined@test     declined at the second read
//   failed@test       failed (document checks) at the second read
//   timeout@test      in_progress forever
//   ial3@test         completed at IAL3 at the third read
//   anything else     completed at IAL2 at the third read (pending, in_progress, completed)
// A session or challenge also completes when its hosted page's button is
// pressed (what a person does in the playground).
//
// On completion a Standard Webhooks message is POSTed to the session's
// `callback_url` (or the tenant `webhookUrl`), signed with the webhook
// secret, and retried with backoff until it is acknowledged with a 2xx.
//
// API: bearer `apiKey` required; `Idempotency-Key` on creates is honoured
// (same key and body: the first answer again; other body: 422).
// OpenID Connect (issuer: the stand-in's URL): discovery, JWKS, authorize and
// token, with test users match@test, nomatch@test, pwd@test (see oidc.mjs).
// Control: GET /__deliveries, POST /__redeliver/<msg id>, POST /__fail?count=N&status=503,
// POST /__reset, GET /__state.
import { randomBytes } from 'node:crypto';
import { apiError, escapeHtml, readBody, sendHtml, sendJson, serve } from './http.mjs';
import { oidcProvider } from './oidc.mjs';
import { messageId, standardSigner } from './sign.mjs';

const DOCUMENT_TYPES = new Set(['drivers_license', 'passport', 'id_card', 'residence_permit']);
const LIVENESS = new Set(['passive', 'active']);

/** The scripted outcome of a step-up challenge per test user. */
const STEP_UP_USERS = {
  'match@test': { after: 1, status: 'completed', match_result: 'match', confidence: 0.97 },
  'nomatch@test': { after: 1, status: 'completed', match_result: 'no_match', confidence: 0.12 },
  'slow-match@test': { after: 3, status: 'completed', match_result: 'match', confidence: 0.91 },
  'cancel@test': { after: 1, status: 'cancelled', match_result: 'cancelled', confidence: null },
  'timeout@test': { after: Infinity },
  'expired@test': { after: 2, status: 'expired', match_result: 'expired', confidence: null },
  'slow@test': { after: 1, status: 'completed', match_result: 'match', confidence: 0.97, delayMs: true },
};

/** The scripted outcome of an IDV session per test user. */
const IDV_USERS = {
  'declined@test': { after: 2, status: 'declined' },
  'failed@test': { after: 2, status: 'failed' },
  'timeout@test': { after: Infinity },
  'ial3@test': { after: 3, status: 'completed', ial: 'IAL3' },
};
const IDV_DEFAULT = { after: 3, status: 'completed', ial: 'IAL2' };

const id = (prefix) => `${prefix}_${randomBytes(12).toString('hex')}`;
const iso = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Claims in the OpenID Connect for Identity Assurance 1.0 shape. */
function verifiedClaims(user, ial, documentType) {
  const name = (user ?? 'test.user@test').split('@')[0].replace(/[^a-z]/gi, ' ').trim() || 'test';
  return {
    verification: {
      trust_framework: 'nist_800_63A',
      assurance_level: ial,
      time: iso(),
      evidence: [{
        type: 'document',
        check_details: [{ check_method: 'vpip' }, { check_method: 'bvr' }],
        time: iso(),
        document_details: {
          type: documentType,
          document_number: 'TEST-0000-0000',
          issuer: { country: 'US' },
          date_of_issuance: '2021-01-15',
          date_of_expiry: '2031-01-14',
        },
      }],
    },
    claims: { given_name: 'Test', family_name: name.charAt(0).toUpperCase() + name.slice(1), birthdate: '1990-01-01' },
  };
}

/**
 * Starts the stand-in.
 * @param {{ apiKey?: string, webhookSecret?: string, webhookUrl?: string, port?: number,
 *           retryDelaysMs?: number[], publicUrl?: string }} [options]
 */
export async function startKosmos(options = {}) {
  const apiKey = options.apiKey ?? 'sandbox-api-key';
  const webhookSecret = options.webhookSecret ?? 'whsec_c2FuZGJveC13ZWJob29rLXNlY3JldC0wMDAwMDA=';
  const retryDelaysMs = options.retryDelaysMs ?? [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000];
  const slowMs = options.slowMs ?? 5_000;
  const sign = standardSigner(webhookSecret);
  const state = {
    webhookUrl: options.webhookUrl,
    sessions: new Map(),
    challenges: new Map(),
    idempotency: new Map(),
    deliveries: [],
    failNext: { count: 0, status: 503 },
    requests: 0,
  };
  const timers = new Set();
  let base;
  const oidc = oidcProvider({ issuer: () => base, clientId: options.oidcClientId, clientSecret: options.oidcClientSecret, clientJwks: options.oidcClientJwks });

  function later(fn, ms) {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  }

  // --- webhooks -----------------------------------------------------------

  async function attempt(d) {
    const now = Math.floor(Date.now() / 1000);
    const headers = sign(d.id, now, d.body);
    const entry = { at: iso(), status: null, error: null };
    d.attempts.push(entry);
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'kosmos-sandbox/1', ...headers },
        body: d.body,
        signal: AbortSignal.timeout(15_000),
      });
      entry.status = res.status;
      entry.answer = (await res.text()).slice(0, 500);
      if (res.ok) {
        d.state = 'delivered';
        return;
      }
    } catch (e) {
      entry.error = e.cause?.code ?? e.name;
    }
    const delay = retryDelaysMs[d.attempts.length - 1];
    if (delay === undefined) {
      d.state = 'failed';
      return;
    }
    d.state = 'retrying';
    later(() => attempt(d), delay);
  }

  function sendWebhook(type, data, url) {
    const target = url ?? state.webhookUrl;
    if (!target) return null;
    const d = {
      id: messageId(),
      type,
      url: target,
      body: JSON.stringify({ type, timestamp: iso(), data }),
      state: 'pending',
      attempts: [],
    };
    state.deliveries.push(d);
    attempt(d);
    return d;
  }

  // --- the scripted objects -----------------------------------------------

  function sessionView(s) {
    const out = { session_id: s.session_id, status: s.status, ial_level: s.ial_level, verified_claims: s.verified_claims };
    if (Object.keys(s.metadata).length) out.metadata = s.metadata;
    return out;
  }

  function completeSession(s) {
    const script = s.script;
    if (script.after === Infinity || s.final) return;
    s.final = true;
    s.status = script.status;
    if (script.status === 'completed') {
      s.ial_level = script.ial;
      s.verified_claims = verifiedClaims(s.metadata.user_identifier, script.ial, s.document_types[0]);
    }
    sendWebhook(`idv.session.${script.status}`, sessionView(s), s.callback_url);
  }

  function readSession(s) {
    s.reads += 1;
    if (!s.final) {
      if (s.reads >= s.script.after) completeSession(s);
      else if (s.reads > 1) s.status = 'in_progress';
    }
    return sessionView(s);
  }

  function challengeView(c) {
    return {
      challenge_id: c.challenge_id,
      user_identifier: c.user_identifier,
      status: c.status,
      match_result: c.match_result,
      confidence: c.confidence,
    };
  }

  function completeChallenge(c) {
    const script = c.script;
    if (script.after === Infinity || c.final) return;
    c.final = true;
    c.status = script.status;
    c.match_result = script.match_result;
    c.confidence = script.confidence;
    sendWebhook(`liveid.challenge.${script.status}`, challengeView(c));
  }

  function readChallenge(c) {
    c.reads += 1;
    if (!c.final && c.reads >= c.script.after) completeChallenge(c);
    else if (!c.final && c.reads > 1) c.status = 'in_progress';
    return challengeView(c);
  }

  // --- request checks -----------------------------------------------------

  function checkAuth(req) {
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ')) throw apiError(401, 'unauthorized', 'a bearer api key is required');
    if (auth.slice(7) !== apiKey) throw apiError(401, 'unauthorized', 'the api key is not valid');
  }

  function jsonBody(text) {
    try {
      const v = JSON.parse(text);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {
      // below
    }
    throw apiError(400, 'invalid_request', 'the body must be a JSON object');
  }

  function checkSession(body) {
    const allowed = new Set(['document_types', 'liveness_mode', 'callback_url', 'metadata']);
    for (const k of Object.keys(body)) if (!allowed.has(k)) throw apiError(400, 'invalid_request', `unknown field \`${k}\``, k);
    const types = body.document_types;
    if (!Array.isArray(types) || types.length === 0 || !types.every((t) => DOCUMENT_TYPES.has(t))) {
      throw apiError(400, 'invalid_request', '`document_types` must be a non-empty list of drivers_license, passport, id_card, residence_permit', 'document_types');
    }
    if (!LIVENESS.has(body.liveness_mode)) throw apiError(400, 'invalid_request', '`liveness_mode` must be passive or active', 'liveness_mode');
    if (body.callback_url !== undefined) {
      let u;
      try {
        u = new URL(body.callback_url);
      } catch {
        throw apiError(400, 'invalid_request', '`callback_url` is not a URL', 'callback_url');
      }
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))) {
        throw apiError(400, 'invalid_request', '`callback_url` must be https', 'callback_url');
      }
    }
    const m = body.metadata ?? {};
    if (typeof m !== 'object' || Array.isArray(m) || !Object.values(m).every((v) => typeof v === 'string')) {
      throw apiError(400, 'invalid_request', '`metadata` must be an object of strings', 'metadata');
    }
  }

  function checkChallenge(body) {
    const allowed = new Set(['user_identifier', 'action_description', 'expires_in']);
    for (const k of Object.keys(body)) if (!allowed.has(k)) throw apiError(400, 'invalid_request', `unknown field \`${k}\``, k);
    if (typeof body.user_identifier !== 'string' || body.user_identifier === '') {
      throw apiError(400, 'invalid_request', '`user_identifier` is required', 'user_identifier');
    }
    if (!(body.user_identifier in STEP_UP_USERS)) throw apiError(404, 'user_not_enrolled', 'this user has no LiveID enrollment');
  }

  /** Runs `create` once per Idempotency-Key and body. */
  function idempotent(req, path, text, create) {
    const key = req.headers['idempotency-key'];
    if (key === undefined) return create();
    const scoped = `${path} ${key}`;
    const hit = state.idempotency.get(scoped);
    if (hit) {
      if (hit.body !== text) throw apiError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with a different body');
      return { ...hit.answer, replayed: true };
    }
    const answer = create();
    state.idempotency.set(scoped, { body: text, answer });
    return answer;
  }

  // --- routes -------------------------------------------------------------

  async function api(req, res, url) {
    const path = url.pathname;
    if (await oidc.handle(req, res, url)) return;
    if (path.startsWith('/v1/')) {
      state.requests += 1;
      if (state.failNext.count > 0) {
        state.failNext.count -= 1;
        throw apiError(state.failNext.status, 'unavailable', 'simulated outage');
      }
      checkAuth(req);
    }
    if (req.method === 'POST' && path === '/v1/verify/sessions') {
      const text = await readBody(req);
      const body = jsonBody(text);
      checkSession(body);
      const answer = idempotent(req, path, text, () => {
        const metadata = body.metadata ?? {};
        const s = {
          session_id: id('ses'),
          status: 'pending',
          ial_level: null,
          verified_claims: null,
          document_types: body.document_types,
          liveness_mode: body.liveness_mode,
          callback_url: body.callback_url,
          metadata,
          script: IDV_USERS[metadata.user_identifier] ?? IDV_DEFAULT,
          reads: 0,
          final: false,
        };
        state.sessions.set(s.session_id, s);
        return { session_id: s.session_id, redirect_url: `${base}/s/${s.session_id}`, status: 'pending' };
      });
      const { replayed, ...out } = answer;
      return sendJson(res, replayed ? 200 : 201, out);
    }
    if (req.method === 'POST' && path === '/v1/liveid/challenges') {
      const text = await readBody(req);
      const body = jsonBody(text);
      checkChallenge(body);
      if (STEP_UP_USERS[body.user_identifier].delayMs) await new Promise((r) => later(r, slowMs));
      const answer = idempotent(req, path, text, () => {
        const c = {
          challenge_id: id('chl'),
          user_identifier: body.user_identifier,
          action_description: body.action_description,
          status: 'pending',
          match_result: 'pending',
          confidence: null,
          script: STEP_UP_USERS[body.user_identifier],
          reads: 0,
          final: false,
        };
        state.challenges.set(c.challenge_id, c);
        return { challenge_id: c.challenge_id, challenge_url: `${base}/c/${c.challenge_id}`, status: 'pending' };
      });
      const { replayed, ...out } = answer;
      return sendJson(res, replayed ? 200 : 201, out);
    }
    let m;
    if (req.method === 'GET' && (m = /^\/v1\/verify\/sessions\/([^/]+)$/.exec(path))) {
      const s = state.sessions.get(decodeURIComponent(m[1]));
      if (!s) throw apiError(404, 'not_found', 'no such session');
      return sendJson(res, 200, readSession(s));
    }
    if (req.method === 'GET' && (m = /^\/v1\/liveid\/challenges\/([^/]+)$/.exec(path))) {
      const c = state.challenges.get(decodeURIComponent(m[1]));
      if (!c) throw apiError(404, 'not_found', 'no such challenge');
      return sendJson(res, 200, readChallenge(c));
    }
    if (path.startsWith('/v1/')) throw apiError(404, 'not_found', 'no such endpoint');

    // Hosted pages: what the user would open.
    if ((m = /^\/([sc])\/([^/]+)$/.exec(path))) {
      const isSession = m[1] === 's';
      const obj = isSession ? state.sessions.get(m[2]) : state.challenges.get(m[2]);
      if (!obj) return sendHtml(res, 404, '<!doctype html><title>not found</title><p>No such session.</p>');
      if (req.method === 'POST') {
        if (isSession) completeSession(obj);
        else completeChallenge(obj);
        return sendJson(res, 200, isSession ? sessionView(obj) : challengeView(obj));
      }
      const what = isSession ? 'Identity verification (sandbox)' : 'LiveID step-up (sandbox)';
      const who = isSession ? obj.metadata.user_identifier ?? 'a new user' : obj.user_identifier;
      if (obj.final) {
        // Already decided (e.g. at the first read): nothing is left for the user to do here.
        const outcome = isSession ? `${obj.status}${obj.ial_level ? ` at ${obj.ial_level}` : ''}` : `${obj.status}, ${obj.match_result}${obj.confidence === null ? '' : ` (confidence ${obj.confidence})`}`;
        return sendHtml(res, 200, `<!doctype html><meta charset="utf-8"><title>${what}</title>
<style>body{font:16px system-ui;max-width:36rem;margin:3rem auto;padding:0 1rem}</style>
<h1>${what}</h1><p>For <strong>${escapeHtml(who)}</strong>: already finished: <strong id="outcome">${escapeHtml(outcome)}</strong>. Nothing to do here; close this page.</p>`);
      }
      return sendHtml(res, 200, `<!doctype html><meta charset="utf-8"><title>${what}</title>
<style>body{font:16px system-ui;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font:inherit;padding:.5rem 1rem}</style>
<h1>${what}</h1><p>For <strong>${escapeHtml(who)}</strong>. ${isSession ? 'Pretend to photograph a document and take a selfie.' : `Pretend to look at the camera${obj.action_description ? ` to confirm: <em>${escapeHtml(obj.action_description)}</em>` : ''}.`}</p>
<button id="go">Finish</button> <output id="out"></output>
<script>document.getElementById('go').onclick=async()=>{const r=await fetch(location.pathname,{method:'POST'});document.getElementById('out').textContent=JSON.stringify(await r.json());};</script>`);
    }

    // Control endpoints.
    if (req.method === 'GET' && path === '/__deliveries') {
      return sendJson(res, 200, state.deliveries.map(({ body, ...d }) => ({ ...d, event: JSON.parse(body) })));
    }
    if (req.method === 'POST' && (m = /^\/__redeliver\/([^/]+)$/.exec(path))) {
      const d = state.deliveries.find((x) => x.id === m[1]);
      if (!d) throw apiError(404, 'not_found', 'no such delivery');
      const again = { ...d, state: 'pending', attempts: [], redelivery_of: d.id };
      state.deliveries.push(again);
      attempt(again);
      return sendJson(res, 202, { id: again.id });
    }
    if (req.method === 'POST' && path === '/__fail') {
      state.failNext = { count: Number(url.searchParams.get('count') ?? 1), status: Number(url.searchParams.get('status') ?? 503) };
      return sendJson(res, 200, state.failNext);
    }
    if (req.method === 'POST' && path === '/__webhook-url') {
      state.webhookUrl = url.searchParams.get('url') ?? undefined;
      return sendJson(res, 200, { webhook_url: state.webhookUrl ?? null });
    }
    if (req.method === 'POST' && path === '/__reset') {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      state.sessions.clear();
      state.challenges.clear();
      state.idempotency.clear();
      state.deliveries.length = 0;
      state.failNext = { count: 0, status: 503 };
      state.requests = 0;
      return sendJson(res, 200, { reset: true });
    }
    if (req.method === 'GET' && path === '/__state') {
      return sendJson(res, 200, {
        sessions: state.sessions.size, challenges: state.challenges.size, requests: state.requests,
        deliveries: state.deliveries.length,
        test_users: { step_up: Object.keys(STEP_UP_USERS), idv: Object.keys(IDV_USERS) },
      });
    }
    throw apiError(404, 'not_found', 'no such endpoint');
  }

  const server = await serve(api, { port: options.port ?? 0 });
  base = options.publicUrl ?? server.url;
  return {
    url: server.url,
    apiKey,
    webhookSecret,
    /** The OpenID Connect provider: issuer `url`, its client, its state (codes, tokens issued). */
    oidc: { issuer: base, clientId: oidc.clientId, clientSecret: oidc.clientSecret, state: oidc.state },
    state,
    /** Sets where webhooks go when a session names no callback_url (and step-up webhooks). */
    setWebhookUrl(u) {
      state.webhookUrl = u;
    },
    /** Resolves once every delivery is delivered or failed (or after `timeoutMs`). */
    async settled(timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        if (state.deliveries.every((d) => d.state === 'delivered' || d.state === 'failed')) return true;
        await new Promise((r) => setTimeout(r, 25));
      }
      return false;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await server.close();
    },
  };
}
