// 1Kosmos: both wire profiles, the envelope and the async client, the same in
// every host. Vectors: tests/vectors/kosmos-*.json (the envelope ones were
// made with Node's crypto by tests/vectors/make-kosmos-envelope-vectors.mjs).
import { deepEqual, equal, errorShape, match, ok, rejectsCode, throwsCode } from './assert.js';

const V1 = { base_url: 'https://idv.example.com/api/', api_key: 'key_live_SECRET_123' };
const V1_PROFILE = { profile: 'verify-v1', ...V1 };

const PARSERS = {
  create_idv_session: 'parseIdvSession',
  read_idv_result: 'parseIdvResult',
  create_step_up: 'parseStepUpChallenge',
  read_step_up_result: 'parseStepUpResult',
};

/** The blockid-tenant config of an envelope vector case, and the service's keys. */
function tenant(c) {
  return {
    config: {
      profile: 'blockid-tenant',
      docuverify_url: 'https://t1.example.com/docuverify',
      license_key: 'lic-SECRET-0001',
      private_key: c.caller_private_key,
      service_public_key: c.service_public_key,
      curve: c.curve,
      app_id: 'app-1',
      dvc_id: 'dvc-9',
      tenant_dns: 't1.example.com',
      community_name: 'default',
    },
    service: { curve: c.curve, privateKey: c.service_private_key, peerPublicKey: c.caller_public_key },
  };
}

/** A fetch stand-in answering from a script of responses, recording requests. */
function scripted(answers) {
  const seen = [];
  const fetch = async (url, init) => {
    seen.push({ url, method: init.method, headers: { ...init.headers }, body: init.body });
    const next = answers[Math.min(seen.length - 1, answers.length - 1)];
    if (next === 'network') throw new TypeError('connection refused');
    if (next === 'hang') {
      return new Promise((_, reject) => {
        init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    }
    return new Response(typeof next.body === 'string' ? next.body : JSON.stringify(next.body), {
      status: next.status,
      headers: next.headers ?? { 'content-type': 'application/json' },
    });
  };
  return { fetch, seen };
}

const FAST = { retryBaseMs: 1, timeoutMs: 2000 };

export default [
  {
    name: 'verify-v1 answer vectors: every status, every error mapping, malformed bodies',
    run(k, env) {
      const cases = env.vectors['kosmos-verify-v1-answers'].cases;
      const profile = k.createProfile(V1_PROFILE);
      const codes = {};
      for (const c of cases) {
        const viaFunction = () => k[PARSERS[c.operation]](c.status, c.headers, c.body);
        const viaProfile = () => profile.parse(c.operation, c.status, c.headers, c.body);
        if (c.expect.ok) {
          deepEqual(viaFunction(), c.expect.ok, c.name);
          deepEqual(viaProfile(), c.expect.ok, c.name);
          codes.ok = (codes.ok ?? 0) + 1;
        } else {
          const want = c.expect.error;
          for (const run of [viaFunction, viaProfile]) {
            const e = throwsCode(run, want.code, want.field);
            if (want.retryable !== undefined) equal(e.details.retryable, want.retryable, c.name);
            if (want.status !== undefined) equal(e.details.status, want.status, c.name);
            if (want.retry_after_s !== undefined) equal(e.details.retry_after_s, want.retry_after_s, c.name);
            if (want.message_contains) ok(e.message.includes(want.message_contains), `${c.name}: ${e.message}`);
          }
          codes[want.code] = (codes[want.code] ?? 0) + 1;
        }
      }
      profile.free();
      return { cases: cases.length, codes };
    },
  },
  {
    name: 'verified_claims vectors: normalized, unknown members kept, errors name the path',
    run(k, env) {
      const v = env.vectors['kosmos-verified-claims'];
      for (const c of v.valid) {
        deepEqual(k.parseVerifiedClaims(c.input), c.normalized, c.name);
        deepEqual(k.parseVerifiedClaims(c.normalized), c.normalized, `${c.name} (idempotent)`);
      }
      const paths = [];
      for (const c of v.invalid) {
        const e = throwsCode(() => k.parseVerifiedClaims(c.input), 'malformed_response');
        ok(e.message.includes(`\`${c.path}\``), `${c.name}: ${e.message}`);
        paths.push(c.path);
      }
      return { valid: v.valid.length, paths };
    },
  },
  {
    name: 'verify-v1 requests: step-up, reads with encoded ids, inputs checked without leaking the key',
    run(k) {
      const up = k.buildCreateStepUp(V1, { user_identifier: 'ada@example.com', action_description: 'Wire $5,000 to ACME', expires_in_s: 300 });
      equal(up.method, 'POST');
      equal(up.url, 'https://idv.example.com/api/v1/liveid/challenges');
      equal(up.headers.authorization, 'Bearer key_live_SECRET_123');
      equal(up.headers['content-type'], 'application/json');
      match(up.headers['idempotency-key'], /^[0-9a-f]{32}$/);
      deepEqual(JSON.parse(up.body), { user_identifier: 'ada@example.com', action_description: 'Wire $5,000 to ACME', expires_in: 300 });
      const read = k.buildReadIdvResult(V1, 'ses/../1 2');
      deepEqual(read, {
        method: 'GET',
        url: 'https://idv.example.com/api/v1/verify/sessions/ses%2F..%2F1%202',
        headers: { authorization: 'Bearer key_live_SECRET_123', accept: 'application/json' },
      });
      const readUp = k.buildReadStepUpResult(V1, 'ch_1');
      equal(readUp.url, 'https://idv.example.com/api/v1/liveid/challenges/ch_1');
      const errors = [
        throwsCode(() => k.buildReadIdvResult(V1, '..'), 'invalid_input', 'session_id'),
        throwsCode(() => k.buildReadStepUpResult(V1, ''), 'invalid_input', 'challenge_id'),
        throwsCode(() => k.buildCreateStepUp(V1, { user_identifier: 'u', expires_in_s: 5 }), 'invalid_input', 'expires_in_s'),
        throwsCode(() => k.buildCreateStepUp(V1, { user_identifier: 'u', nonsense: 1 }), 'invalid_argument', 'request'),
        throwsCode(() => k.buildReadIdvResult({ ...V1, base_url: 'http://idv.example.com' }, 's'), 'invalid_input', 'base_url'),
      ];
      for (const e of errors) ok(!e.message.includes('SECRET'), 'no key in messages');
      return { up: { url: up.url, body: JSON.parse(up.body) }, read, errors: errors.map(errorShape) };
    },
  },
  {
    name: 'envelope: opens what Node sealed, round-trips, rejects tampered and truncated messages',
    run(k, env) {
      const out = [];
      for (const c of env.vectors['kosmos-envelope'].cases) {
        const ours = { curve: c.curve, privateKey: c.caller_private_key, peerPublicKey: c.service_public_key };
        const theirs = { curve: c.curve, privateKey: c.service_private_key, peerPublicKey: c.caller_public_key };
        equal(k.publicKeyOf(c.caller_private_key, c.curve), c.caller_public_key);
        for (const m of c.messages) {
          equal(k.envelopeOpen(ours, m.sealed), m.plaintext);
          equal(k.envelopeOpen(theirs, m.sealed), m.plaintext);
        }
        const sealed = k.envelopeSeal(ours, '{"hello":"tenant"}');
        equal(k.envelopeOpen(theirs, sealed), '{"hello":"tenant"}');
        ok(k.envelopeSeal(ours, 'x') !== k.envelopeSeal(ours, 'x'), 'a fresh iv per message');
        const raw = atob(sealed);
        const flip = (i) => btoa(raw.slice(0, i) + String.fromCharCode(raw.charCodeAt(i) ^ 1) + raw.slice(i + 1));
        const tampered = [0, 16, raw.length - 1].map((i) => throwsCode(() => k.envelopeOpen(theirs, flip(i)), 'decrypt_failed').code);
        const cut = throwsCode(() => k.envelopeOpen(theirs, btoa(raw.slice(0, raw.length - 1))), 'decrypt_failed');
        const short = throwsCode(() => k.envelopeOpen(theirs, btoa(raw.slice(0, 20))), 'bad_ciphertext');
        throwsCode(() => k.envelopeOpen(theirs, 'not base64!'), 'bad_ciphertext');
        const other = k.generateKeyPair(c.curve);
        equal(other.curve, c.curve);
        throwsCode(() => k.envelopeOpen({ curve: c.curve, privateKey: other.privateKey, peerPublicKey: c.caller_public_key }, sealed), 'decrypt_failed');
        const wrongCurve = c.curve === 'p256' ? 'secp256k1' : 'p256';
        const badKey = throwsCode(() => k.envelopeOpen({ ...ours, curve: wrongCurve }, sealed), 'invalid_key');
        ok(!badKey.message.includes(c.caller_private_key), 'no key in messages');
        out.push({ curve: c.curve, opened: c.messages.length, tampered, cut: cut.code, short: short.message });
      }
      return out;
    },
  },
  {
    name: 'blockid-tenant: sealed document session create and result, the same shapes as verify-v1',
    run(k, env) {
      const c = env.vectors['kosmos-envelope'].cases[0];
      const { config, service } = tenant(c);
      const profile = k.createProfile(config);
      equal(profile.name, 'blockid-tenant');
      const req = profile.build({ operation: 'create_idv_session', document_types: ['residence_permit', 'passport'], liveness_mode: 'passive', metadata: { user_uid: 'user-1' } }, 1700000000);
      equal(req.method, 'POST');
      equal(req.url, 'https://t1.example.com/docuverify/document_share_session/create');
      equal(req.headers.publickey, c.caller_public_key);
      equal(req.headers['idempotency-key'], undefined);
      equal(k.envelopeOpen(service, req.headers.licensekey), 'lic-SECRET-0001');
      const rid = JSON.parse(k.envelopeOpen(service, req.headers.requestid));
      equal(rid.ts, 1700000000);
      equal(rid.appid, 'app-1');
      match(rid.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const payload = JSON.parse(k.envelopeOpen(service, JSON.parse(req.body).data));
      deepEqual(payload, { dvcID: 'dvc-9', sessionRequest: { tenantDNS: 't1.example.com', communityName: 'default', documentType: 'ppt_object', userUID: 'user-1', did: 'user-1' } });
      ok(!JSON.stringify(req).includes('SECRET'), 'the license key travels sealed only');

      const seal = (obj) => JSON.stringify({ data: k.envelopeSeal(service, JSON.stringify(obj)) });
      const session = profile.parse('create_idv_session', 200, {}, seal({ sessionId: 'ses-1', url: 'https://t1.example.com/s/ses-1' }));
      deepEqual(session, { session_id: 'ses-1', session_url: 'https://t1.example.com/s/ses-1' });
      const read = profile.build({ operation: 'read_idv_result', session_id: 'ses-1' });
      deepEqual(JSON.parse(k.envelopeOpen(service, JSON.parse(read.body).data)), { dvcID: 'dvc-9', sessionId: 'ses-1' });
      const pending = profile.parse('read_idv_result', 200, {}, seal({ responseStatus: 'INPROGRESS' }));
      deepEqual(pending, { status: 'in_progress', ial_level: null, verified_claims: null });
      const done = profile.parse('read_idv_result', 200, {}, seal({
        responseStatus: 'SUCCESS',
        ial: 'IAL2',
        ppt_object: { firstName: 'Ada', lastName: 'Lovelace', dob: '19901210', doe: '20300131', documentId: 'P123', issuingCountry: 'GBR', face: 'AAAA' },
        liveid_object: { face: 'BBBB' },
      }));
      equal(done.status, 'completed');
      equal(done.ial_level, 'IAL2');
      deepEqual(done.verified_claims.claims, { given_name: 'Ada', family_name: 'Lovelace', birthdate: '1990-12-10' });
      equal(done.verified_claims.verification.evidence[0].document_details.type, 'passport');
      ok(!JSON.stringify(done).includes('AAAA'), 'images are never copied');
      const err = throwsCode(() => profile.parse('read_idv_result', 401, {}, seal({ code: 'E_LIC', message: 'license expired' })), 'unauthorized');
      const unsupported = throwsCode(() => profile.build({ operation: 'create_step_up', user_identifier: 'u' }), 'unsupported');
      const tampered = throwsCode(() => profile.parse('read_idv_result', 200, {}, JSON.stringify({ data: btoa('x'.repeat(40)) })), 'malformed_response');
      profile.free();
      return { session, pending, done, err: errorShape(err), unsupported: errorShape(unsupported), tampered: tampered.message };
    },
  },
  {
    name: 'client: retries retryable answers with the same idempotency key, then parses',
    async run(k) {
      const { fetch, seen } = scripted([
        { status: 503, body: { error: { message: 'busy' } } },
        { status: 429, body: '', headers: { 'retry-after': '0' } },
        { status: 201, body: { session_id: 'ses_1', redirect_url: 'https://verify.example.com/s/ses_1' } },
      ]);
      const profile = k.createProfile(V1_PROFILE);
      const session = await profile.call({ operation: 'create_idv_session', document_types: ['passport'], liveness_mode: 'passive' }, { fetch, ...FAST });
      deepEqual(session, { session_id: 'ses_1', session_url: 'https://verify.example.com/s/ses_1' });
      equal(seen.length, 3);
      const keys = new Set(seen.map((r) => r.headers['idempotency-key']));
      equal(keys.size, 1, 'one idempotency key for every attempt');
      equal(new Set(seen.map((r) => r.body)).size, 1, 'the very same request resent');
      const read = scripted(['network', { status: 200, body: { status: 'completed', ial_level: 'ial2' } }]);
      const result = await k.kosmosCall(V1_PROFILE, { operation: 'read_idv_result', session_id: 'ses_1' }, { fetch: read.fetch, ...FAST });
      deepEqual(result, { status: 'completed', ial_level: 'IAL2', verified_claims: null });
      equal(read.seen[0].method, 'GET');
      return { session, attempts: seen.length, result, readAttempts: read.seen.length };
    },
  },
  {
    name: 'client: no retry of non-retryable answers or of creates without an idempotency key; timeouts; long Retry-After',
    async run(k, env) {
      const profile = k.createProfile(V1_PROFILE);
      const bad = scripted([{ status: 400, body: { error: { message: 'no', field: 'session_id' } } }]);
      const e400 = await rejectsCode(() => profile.call({ operation: 'read_idv_result', session_id: 's' }, { fetch: bad.fetch, ...FAST }), 'invalid_request', 'session_id');
      equal(bad.seen.length, 1);
      equal(e400.details.attempts, 1);
      const down = scripted([{ status: 503, body: '' }]);
      const e503 = await rejectsCode(() => profile.call({ operation: 'read_step_up_result', challenge_id: 'c' }, { fetch: down.fetch, ...FAST, maxRetries: 2 }), 'upstream_unavailable');
      equal(down.seen.length, 3, 'first attempt + 2 retries');
      equal(e503.details.attempts, 3);
      const hang = scripted(['hang']);
      const eTimeout = await rejectsCode(() => profile.call({ operation: 'read_idv_result', session_id: 's' }, { fetch: hang.fetch, timeoutMs: 20, maxRetries: 1, retryBaseMs: 1 }), 'timeout');
      equal(hang.seen.length, 2);
      const slow = scripted([{ status: 429, body: '', headers: { 'retry-after': '120' } }]);
      const eSlow = await rejectsCode(() => profile.call({ operation: 'read_idv_result', session_id: 's' }, { fetch: slow.fetch, ...FAST }), 'rate_limited');
      equal(slow.seen.length, 1, 'a Retry-After beyond maxRetryAfterS ends the call');
      equal(eSlow.details.retry_after_s, 120);
      const malformed = scripted([{ status: 200, body: '<html>' }]);
      await rejectsCode(() => profile.call({ operation: 'read_idv_result', session_id: 's' }, { fetch: malformed.fetch, ...FAST }), 'malformed_response');
      equal(malformed.seen.length, 1);
      await rejectsCode(() => profile.call({ operation: 'read_idv_result', session_id: 's' }, { fetch: 'nope' }), 'invalid_argument', 'options.fetch');
      await rejectsCode(() => profile.call({ operation: 'read_idv_result', session_id: 's' }, { fetch: bad.fetch, maxRetries: 99 }), 'invalid_argument', 'options.maxRetries');
      // blockid-tenant creates carry no idempotency key: sent once, whatever the answer.
      const { config } = tenant(env.vectors['kosmos-envelope'].cases[0]);
      const bid = scripted([{ status: 503, body: '' }]);
      await rejectsCode(() => k.kosmosCall(config, { operation: 'create_idv_session', document_types: ['passport'], liveness_mode: 'passive' }, { fetch: bid.fetch, ...FAST }), 'upstream_unavailable');
      equal(bid.seen.length, 1);
      // ...but its reads are retried, each with a fresh requestid.
      const bidRead = scripted([{ status: 502, body: '' }, { status: 200, body: { responseStatus: 'PENDING' } }]);
      const pending = await k.kosmosCall(config, { operation: 'read_idv_result', session_id: 'ses-1' }, { fetch: bidRead.fetch, ...FAST });
      equal(bidRead.seen.length, 2);
      ok(bidRead.seen[0].headers.requestid !== bidRead.seen[1].headers.requestid, 'a fresh requestid per attempt');
      profile.free();
      return {
        e400: { ...errorShape(e400), details: e400.details },
        e503: e503.details,
        timeout: { code: eTimeout.code, message: eTimeout.message, attempts: eTimeout.details.attempts },
        slow: eSlow.details,
        pending,
      };
    },
  },
  {
    name: 'verification events and their Salesforce records (tests/vectors/salesforce-records.json)',
    run(k, env) {
      const seen = [];
      for (const c of env.vectors['salesforce-records'].cases) {
        const body = JSON.stringify(c.body);
        if (c.error) {
          throwsCode(() => k.salesforceRecords(body, c.options), c.error.code, c.error.field);
          seen.push({ name: c.name, error: c.error.code });
          continue;
        }
        const r = k.salesforceRecords(body, c.options);
        deepEqual(r, c.records, c.name);
        const ev = k.parseVerificationEvent(new TextEncoder().encode(body));
        equal(ev.verification_id, r.event.Verification_Id__c, `${c.name}: event id`);
        seen.push({ name: c.name, outcome: r.verdict.outcome, task: r.task !== null });
      }
      throwsCode(() => k.salesforceRecords('{}', null), 'invalid_input', 'options');
      return seen;
    },
  },
];
