// Trap recovery: a trap in the WebAssembly instance becomes a KosmosError
// `internal`, the shim replaces the instance, and the next call succeeds,
// including calls on objects made before the trap. `env.trap()` traps the
// instance of the entry under test through its own core.js `call` (each
// entry, full or policy, has its own).
import { deepEqual, equal, ok, throwsCode } from './assert.js';

const POLICY = {
  version: 1,
  signals: { risk_score: 'number' },
  rules: [{ id: 'risky', when: { signal: 'custom.risk_score', op: 'gt', value: 50 }, then: { decision: 'deny' } }],
  default: { decision: 'allow' },
};

export default [
  {
    name: 'a trap is reported as internal and the next call succeeds',
    run(k, env) {
      const policy = k.compilePolicy(POLICY);
      const before = policy.decide({ custom: { risk_score: 60 } });
      const e = throwsCode(() => env.trap(), 'internal');
      ok(e instanceof k.KosmosError, 'a KosmosError');
      ok(e.cause instanceof WebAssembly.RuntimeError, 'caused by the trap');
      equal(k.isReady(), true, 'a fresh instance is ready');
      // Objects from the old instance rebuild themselves; new calls work.
      deepEqual(policy.decide({ custom: { risk_score: 60 } }), before);
      equal(k.compilePolicy(POLICY).decide({ custom: { risk_score: 1 } }).decision, 'allow');
      if (k.buildCreateIdvSession) {
        const req = k.buildCreateIdvSession({ base_url: 'https://x.example', api_key: 'k' }, { document_types: ['passport'], liveness_mode: 'passive' });
        equal(req.url, 'https://x.example/v1/verify/sessions');
      }
      // And it recovers again, not just once.
      throwsCode(() => env.trap(), 'internal');
      deepEqual(policy.decide({ custom: { risk_score: 60 } }), before);
      return { code: e.code, message: e.message, decision: before.decision };
    },
  },
];
