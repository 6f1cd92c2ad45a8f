// Risk branching in every host: the shared vectors (tests/vectors/policy-*.json)
// through the package, the adapters, and the shim's edges. Each case returns
// the decisions it saw, so the runner compares them across hosts.
import { deepEqual, equal, errorShape, ok, throwsCode } from './assert.js';

const NOW = 1767225600;

/** `with` merged into an adapter's context: objects key by key, other values replaced. */
function merge(ctx, extra) {
  const out = { ...ctx };
  for (const [k, v] of Object.entries(extra ?? {})) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' ? { ...out[k], ...v } : v;
  }
  return out;
}

/** Decides one vector case and checks it; returns what a host must agree on. */
function runCase(k, policy, c) {
  let decide;
  if (c.salesforce) decide = () => policy.decide(merge(k.salesforceContextToSignals(c.salesforce, c.now), c.with));
  else if (c.descope) decide = () => policy.decide(merge(k.descopeContextToSignals(c.descope, c.now), c.with));
  else decide = () => policy.decide(c.context);
  if (c.error) {
    const e = throwsCode(decide, c.error.code, c.error.field);
    ok(e.message.length > 0 && !e.message.endsWith('.'), `${c.name}: message`);
    return { name: c.name, error: errorShape(e) };
  }
  const d = decide();
  equal(d.decision, c.decision, `${c.name}: decision`);
  equal(d.rule, c.rule, `${c.name}: rule`);
  for (const key of ['matched_rules', 'required_ial', 'step_up']) {
    if (c[key] !== undefined) deepEqual(d[key], c[key], `${c.name}: ${key}`);
  }
  if (c.required_ial === undefined) equal(d.required_ial, undefined, `${c.name}: no required_ial`);
  ok(Array.isArray(d.reasons) && d.reasons.length > 0, `${c.name}: reasons`);
  return { name: c.name, decision: d };
}

export default [
  {
    name: 'every predicate vector decides as in Rust',
    run(k, env) {
      const out = [];
      for (const group of env.vectors['policy-predicates'].groups) {
        const policy = k.compilePolicy(group.policy);
        for (const c of group.cases) out.push(runCase(k, policy, c));
        policy.free();
      }
      ok(out.length > 100, `${out.length} cases`);
      return out;
    },
  },
  {
    name: 'every bad policy is refused with all its problems listed',
    run(k, env) {
      const out = [];
      for (const c of env.vectors['policy-compile-errors'].cases) {
        const e = throwsCode(() => k.compilePolicy(c.policy_text ?? c.policy), 'invalid_policy');
        deepEqual(e.details.problems.map((p) => p.path), c.paths, c.name);
        equal(e.field, c.paths[0], `${c.name}: field is the first problem's path`);
        out.push({ name: c.name, problems: e.details.problems });
      }
      return out;
    },
  },
  {
    name: 'the example policies decide their cases, through the Descope and Salesforce adapters',
    run(k, env) {
      const out = [];
      for (const ex of env.vectors['policy-examples'].examples) {
        const policy = k.compilePolicy(ex.policy);
        ok(policy.ruleIds().length >= 7, `${ex.file}: a realistic policy`);
        for (const c of ex.cases) out.push(runCase(k, policy, c));
        policy.free();
      }
      ok(out.length >= 60, `${out.length} cases`);
      return out;
    },
  },
  {
    name: 'decide takes an object or its JSON text alike',
    run(k, env) {
      const policy = k.compilePolicy(JSON.stringify(env.vectors['policy-examples'].examples[0].policy));
      const ctx = {
        now: NOW,
        device: { known: true, trusted: false },
        ip: '203.0.113.5',
        action: { type: 'funds_transfer', amount_minor: 1250000, currency: 'USD' },
        last_step_up_at: NOW - 100,
      };
      const a = policy.decide(ctx);
      const b = policy.decide(JSON.stringify(ctx));
      deepEqual(a, b);
      equal(a.decision, 'step_up');
      equal(a.rule, 'sensitive-off-network');
      policy.free();
      return a;
    },
  },
  {
    name: 'numbers reach the core exactly as JavaScript holds them (0.1 + 0.2 is above 0.3)',
    run(k) {
      const policy = k.compilePolicy({
        version: 1,
        rules: [{ id: 'above', when: { risk_score_above: 0.3 }, then: { decision: 'deny' } }],
        default: { decision: 'allow' },
      });
      const out = [];
      // Sums with 17 significant digits, the kind that JSON text carries and
      // a sloppy parser rounds by one step; each compared the way JS does.
      for (let i = 0; i < 200; i++) {
        const score = (0.1 * (i % 10)) + (0.2 * ((i * 7) % 3)) / 3 + 0.3 - 0.3;
        if (!(score >= 0 && score <= 1)) continue;
        const want = score > 0.3 ? 'deny' : 'allow';
        const got = policy.decide({ risk: { score } }).decision;
        equal(got, want, `score ${score}`);
        out.push(got);
      }
      equal(policy.decide({ risk: { score: 0.1 + 0.2 } }).decision, 'deny');
      equal(policy.decide({ risk: { score: 0.3 } }).decision, 'allow');
      policy.free();
      return out.join('');
    },
  },
  {
    name: 'contexts that are not JSON objects are invalid_context errors, never traps',
    run(k) {
      const policy = k.compilePolicy({ version: 1, rules: [{ id: 'r', when: { device: 'new' }, then: { decision: 'step_up' } }], default: { decision: 'allow' } });
      const cyclic = {};
      cyclic.self = cyclic;
      const errors = [
        throwsCode(() => policy.decide(cyclic), 'invalid_context', '$'),
        throwsCode(() => policy.decide({ n: 10n }), 'invalid_context', '$'),
        throwsCode(() => policy.decide(undefined), 'invalid_context', '$'),
        throwsCode(() => policy.decide('{"device": '), 'invalid_context', '$'),
        throwsCode(() => policy.decide([]), 'invalid_context', '$'),
        throwsCode(() => policy.decide({ device: { known: 'yes' } }), 'invalid_context', 'device.known'),
        throwsCode(() => policy.decide({ device: { known: true }, ip: 'x'.repeat(100000) }), 'invalid_context', 'ip'),
        throwsCode(() => k.descopeContextToSignals({ riskInfo: { riskScore: 72 } }), 'invalid_context', 'riskInfo.riskScore'),
        throwsCode(() => k.salesforceContextToSignals({ amount: 10.001, currency: 'USD' }), 'invalid_context', 'amount'),
        throwsCode(() => k.salesforceContextToSignals({ amount: 10 }), 'invalid_context', 'currency'),
        throwsCode(() => k.compilePolicy('{'), 'invalid_policy', '$'),
      ];
      ok(errors[6].message.length < 300, 'long input is cut in messages');
      // The instance is still healthy after all of it.
      equal(policy.decide({ device: { known: false } }).decision, 'step_up');
      equal(policy.decide({ device: { known: true } }).decision, 'allow');
      policy.free();
      return errors.map(errorShape);
    },
  },
  {
    name: 'adapters build the documented contexts',
    run(k) {
      const descope = k.descopeContextToSignals(
        {
          riskInfo: { riskScore: 0.82, botDetected: false, impossibleTravel: 'true', vpnDetected: true, trustedDevice: false },
          user: { fingerprint: { knownDevice: false }, lastAuth: { country: 'fr', ip: '2001:db8::1' }, customAttributes: { plan: 'gold' } },
          geo: { country: 'us' },
        },
        NOW,
      );
      deepEqual(descope, {
        now: NOW,
        risk: { score: 0.82, bot: false, impossible_travel: true },
        ip_flags: { vpn: true },
        device: { known: false, trusted: false },
        last_login: { country: 'FR', ip: '2001:db8::1' },
        geo: { country: 'US' },
        custom: { plan: 'gold' },
      });
      const sf = k.salesforceContextToSignals({
        object: 'FinServ__FinancialAccount__c', recordId: 'a0B', actionType: 'funds_transfer',
        amount: 12500.5, currency: 'usd', user: { id: '005', roles: ['advisor'] }, currentIal: 2,
      });
      deepEqual(sf, {
        action: { type: 'funds_transfer', object: 'FinServ__FinancialAccount__c', record_id: 'a0B', amount_minor: 1250050, currency: 'USD' },
        user: { id: '005', roles: ['advisor'] },
        current_ial: 2,
      });
      equal(k.salesforceContextToSignals({ amount: 0.3, currency: 'EUR' }).action.amount_minor, 30);
      throwsCode(() => k.salesforceContextToSignals({ amount: 0.1 + 0.2, currency: 'EUR' }), 'invalid_context', 'amount');
      return { descope, sf };
    },
  },
];
