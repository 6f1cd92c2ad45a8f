// The first slice of each capability (the Foundation issue): the same calls,
// the same results, in every host.
import { deepEqual, equal, errorShape, match, ok, throwsCode } from './assert.js';

const CONFIG = { base_url: 'https://idv.example.com/api/', api_key: 'key_live_SECRET_123' };
const POLICY = {
  version: 1,
  signals: { risk_score: 'number' },
  rules: [
    {
      id: 'risky-login',
      description: 'risk score above 70',
      when: { signal: 'custom.risk_score', op: 'gt', value: 70 },
      then: { decision: 'step_up', max_age_s: 900 },
    },
  ],
  default: { decision: 'allow' },
};

export default [
  {
    name: 'build the verify-v1 create IDV session request',
    run(k) {
      const req = k.buildCreateIdvSession(CONFIG, {
        document_types: ['passport', 'drivers_license'],
        liveness_mode: 'active',
        callback_url: 'https://app.example.com/v1/webhooks/1kosmos',
        metadata: { user: 'u-1' },
      });
      equal(req.method, 'POST');
      equal(req.url, 'https://idv.example.com/api/v1/verify/sessions');
      equal(req.headers.authorization, 'Bearer key_live_SECRET_123');
      equal(req.headers['content-type'], 'application/json');
      match(req.headers['idempotency-key'], /^[0-9a-f]{32}$/);
      const again = k.buildCreateIdvSession(CONFIG, { document_types: ['passport'], liveness_mode: 'passive' });
      ok(again.headers['idempotency-key'] !== req.headers['idempotency-key'], 'idempotency keys are random');
      const body = JSON.parse(req.body);
      deepEqual(body, {
        document_types: ['passport', 'drivers_license'],
        liveness_mode: 'active',
        callback_url: 'https://app.example.com/v1/webhooks/1kosmos',
        metadata: { user: 'u-1' },
      });
      return { method: req.method, url: req.url, body };
    },
  },
  {
    name: 'create IDV session rejects bad input with a field and no secret',
    run(k) {
      const e1 = throwsCode(
        () => k.buildCreateIdvSession(CONFIG, { document_types: [], liveness_mode: 'active' }),
        'invalid_input',
        'document_types',
      );
      const e2 = throwsCode(
        () => k.buildCreateIdvSession(CONFIG, { document_types: ['passport'], liveness_mode: 'active', callback_url: 'http://evil.example/cb' }),
        'invalid_input',
        'callback_url',
      );
      const e3 = throwsCode(() => k.buildCreateIdvSession(CONFIG, { document_types: ['selfie'], liveness_mode: 'active' }), 'invalid_argument', 'request');
      for (const e of [e1, e2, e3]) ok(!e.message.includes('SECRET'), 'no secret in messages');
      ok(e1 instanceof k.KosmosError && e1 instanceof Error, 'a KosmosError instance');
      return [errorShape(e1), errorShape(e2), errorShape(e3)];
    },
  },
  {
    name: 'parse an IDV result, and an API error',
    run(k) {
      const body = JSON.stringify({
        status: 'completed',
        ial_level: 'IAL2',
        verified_claims: {
          verification: { trust_framework: 'nist_800_63A', assurance_level: 'ial2' },
          claims: { given_name: 'Ada', family_name: 'Lovelace' },
        },
      });
      const r = k.parseIdvResult(200, { 'content-type': 'application/json' }, body);
      equal(r.status, 'completed');
      equal(r.ial_level, 'IAL2');
      equal(r.verified_claims.claims.given_name, 'Ada');
      const e = throwsCode(() => k.parseIdvResult(429, [['Retry-After', '7']], '{"error":{"message":"slow down"}}'), 'rate_limited');
      deepEqual(e.details, { status: 429, retryable: true, retry_after_s: 7 });
      const m = throwsCode(() => k.parseIdvResult(200, {}, '{"status": 5}'), 'malformed_response');
      return { result: r, error: errorShape(e), details: e.details, malformed: errorShape(m) };
    },
  },
  {
    name: 'compile a one-rule policy and decide',
    run(k) {
      const p = k.compilePolicy(POLICY);
      const low = p.decide({ custom: { risk_score: 70 } });
      const high = p.decide({ custom: { risk_score: 70.5 } });
      equal(low.decision, 'allow');
      equal(low.rule, 'default');
      equal(high.decision, 'step_up');
      equal(high.rule, 'risky-login');
      deepEqual(high.step_up, { max_age_s: 900 });
      deepEqual(high.reasons, ['risky-login: risk score above 70']);
      const bad = throwsCode(() => p.decide({ custom: { risk_score: 'high' } }), 'invalid_context', 'custom.risk_score');
      const invalid = throwsCode(() => k.compilePolicy({ version: 1, signals: {}, rules: [{ id: 'x', when: { signal: 'nope' }, then: { decision: 'allow' } }], default: { decision: 'maybe' } }), 'invalid_policy');
      deepEqual(invalid.details.problems.map((p) => p.path), ['rules[0].when.signal', 'default.decision']);
      p.free();
      return { low, high, bad: errorShape(bad), problems: invalid.details.problems };
    },
  },
  {
    name: 'verify the published Standard Webhooks v1 vector',
    run(k, env) {
      const results = [];
      for (const v of env.vectors['published-webhooks'].standard_webhooks_v1) {
        const headers = { 'webhook-id': v.id, 'webhook-timestamp': String(v.timestamp), 'webhook-signature': v.signature };
        const ok1 = k.verifyStandardWebhook({ secrets: [v.secret] }, headers, v.body, v.timestamp);
        deepEqual(ok1, { id: v.id, timestamp: v.timestamp });
        const bytes = new TextEncoder().encode(v.body);
        deepEqual(k.verifyStandardWebhook({ secrets: [v.secret] }, headers, bytes, v.timestamp + 299), ok1);
        const forged = throwsCode(() => k.verifyStandardWebhook({ secrets: [v.secret] }, headers, v.body + ' ', v.timestamp), 'no_matching_signature');
        ok(!forged.message.includes(v.secret.slice(6)), 'no secret in the message');
        throwsCode(() => k.verifyStandardWebhook({ secrets: [v.secret] }, headers, v.body, v.timestamp + 301), 'timestamp_too_old');
        throwsCode(() => k.verifyStandardWebhook({ secrets: [v.secret] }, {}, v.body, v.timestamp), 'missing_header', 'webhook-id');
        results.push(ok1);
      }
      return results;
    },
  },
  {
    name: 'workerd refuses to compile webassembly from bytes, so the shim must import the module',
    hosts: ['workerd'],
    async run(k) {
      // The smallest valid module: magic + version.
      const bytes = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
      let refused = null;
      try {
        await WebAssembly.compile(bytes);
      } catch (e) {
        refused = e.message;
      }
      ok(refused !== null, 'workerd compiled wasm from bytes; this test host is not a faithful Worker');
      match(refused, /disallowed/i);
      equal(k.version(), '0.1.0');
      return refused;
    },
  },
];
