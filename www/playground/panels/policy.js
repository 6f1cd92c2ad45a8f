// The risk policy: the one the Worker decides POST /v1/descope/risk with
// under `npm start` (it lives in the Worker's POLICY_KV; this panel edits it
// through the sandbox's operator console, as `wrangler kv key put` would),
// and a try-out in this page: the same core, in WebAssembly here, decides a
// context of signals.
import { $, action, el, errorFacts, show, showDecision, showError } from '../lib.js';

// Used when the page is opened without `npm start` and the example is not reachable.
const FALLBACK = {
  version: 1,
  rules: [
    { id: 'bot', description: 'a bot', when: { bot_detected: true }, then: { decision: 'deny' } },
    { id: 'risky-login', description: 'risk score above 0.7', when: { risk_score_above: 0.7 }, then: { decision: 'step_up', max_age_s: 900 } },
    { id: 'geo-anomaly', description: 'another country than the last login', when: { country_changed: true, on_missing: 'match' }, then: { decision: 'step_up' } },
  ],
  default: { decision: 'allow' },
};

/** Shows a policy that does not compile: the core's code and each problem with its path. */
function showCompileError(out, e) {
  const problems = e.details?.problems ?? [];
  showError(out, errorFacts(e), { title: 'the policy does not compile', raw: { code: e.code, message: e.message, problems } });
  if (problems.length) out.append(el('ul', { class: 'reasons' }, problems.map((p) => el('li', {}, el('code', {}, p.path), ` ${p.message}`))));
}

/**
 * Mounts the panel. Returns `{ inWorker() }`: resolves once the Worker decides
 * with the policy shown (saving it first when it was edited), or throws.
 */
export async function mount({ k, sandbox }) {
  const policy = $('policy');
  const where = $('policy-where');
  const out = $('decision');
  let saved; // the text the Worker has

  const describe = (p) => where.replaceChildren('The Worker decides ', el('code', {}, 'POST /v1/descope/risk'), ' with this policy (',
    el('code', {}, `${p.binding}:${p.key}`), `, ${p.source}). Edit it here: `, el('strong', {}, 'Evaluate risk'), ' saves it to the Worker first.');
  if (sandbox?.operator) {
    const r = await fetch(`${sandbox.operator}/policy`);
    const p = await r.json();
    if (r.ok) {
      policy.value = JSON.stringify(JSON.parse(p.text), null, 2);
      saved = policy.value; // the same policy, laid out for reading
      describe(p);
    }
  }
  if (!policy.value) {
    let text;
    try {
      const r = await fetch('../../examples/policies/descope-adaptive-mfa.json');
      if (r.ok) text = await r.text();
    } catch {
      // not served from the repository
    }
    policy.value = JSON.stringify(text ? JSON.parse(text) : FALLBACK, null, 2);
    where.replaceChildren('Decided in this page by the core (no Worker here: ', el('code', {}, 'npm start'), ' adds the end-to-end panels).');
  }
  $('context').value = JSON.stringify({
    now: Math.floor(Date.now() / 1000),
    device: { known: false, trusted: false },
    risk: { score: 0.55 },
    geo: { country: 'US' },
    last_login: { country: 'US' },
  }, null, 2);

  /** The policy compiled by the core, or undefined after showing why not. */
  function compiled() {
    try {
      return k.compilePolicy(policy.value);
    } catch (e) {
      showCompileError(out, e);
      return undefined;
    }
  }

  action($('decide'), out, () => {
    const p = compiled();
    if (!p) return;
    try {
      showDecision(out, p.decide($('context').value), 'decided in this page');
    } catch (e) {
      showError(out, errorFacts(e), { title: 'the context was refused' });
    } finally {
      p.free();
    }
  });

  async function save() {
    const p = compiled();
    if (!p) throw Object.assign(new Error('the policy does not compile: see the Risk policy panel'), { code: 'invalid_policy' });
    p.free();
    const r = await fetch(`${sandbox.operator}/policy`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: policy.value });
    const answer = await r.json();
    if (!r.ok) throw Object.assign(new Error(answer.error?.message ?? `http ${r.status}`), { code: answer.error?.code });
    saved = policy.value;
    // The Policy checks panel measures the impact of later edits against this one.
    document.dispatchEvent(new CustomEvent('kosmos:policy-saved'));
    describe(await (await fetch(`${sandbox.operator}/policy`)).json());
    show(out, { tone: 'ok', title: 'saved: the Worker decides with this policy now', facts: [['where', el('code', {}, 'POLICY_KV:policy')], ['bytes', answer.bytes]] });
  }
  if (sandbox?.operator) {
    $('policy-save').hidden = false;
    action($('policy-save'), out, save);
  }

  return {
    async inWorker() {
      if (!sandbox?.operator || policy.value === saved) return false;
      await save();
      return true;
    },
  };
}
