// Every shared case, and the one loop that runs them in any host.
import contracts from './contracts.js';
import httpsig from './httpsig.js';
import kosmos from './kosmos.js';
import oidc from './oidc.js';
import recovery from './recovery.js';
import retry from './retry.js';
import secrets from './secrets.js';
import slices from './slices.js';
import policy from './policy.js';
import webhook from './webhook.js';

export const suites = { slices, contracts, httpsig, kosmos, oidc, policy, recovery, retry, secrets, webhook };

/**
 * The package entries the suite runs against, as paths from the repository
 * root: `dir` holds the entry's host modules (node.js, workerd.js,
 * browser.js) and its core.js; `wasm` is its module; `suites` the suites it
 * serves (all when absent).
 */
export const entries = {
  full: { dir: 'pkg', wasm: 'pkg/gen/kosmos_connect_bg.wasm' },
  policy: { dir: 'pkg/gen/policy', wasm: 'pkg/gen/policy/gen/kosmos_connect_bg.wasm', suites: ['contracts', 'policy', 'recovery'] },
  webhook: { dir: 'pkg/gen/webhook', wasm: 'pkg/gen/webhook/gen/kosmos_connect_bg.wasm', suites: ['contracts', 'webhook'] },
  // The author's tools' entry carries the policy engine too: the same policy cases must give the same answers there.
  'policy-tools': { dir: 'pkg/gen/policy-tools', wasm: 'pkg/gen/policy-tools/gen/kosmos_connect_bg.wasm', suites: ['contracts', 'policy', 'recovery'] },
};

/**
 * Runs every case against the package entry `k`; never throws. `env.suites`
 * (names) limits the run to the suites an entry serves (the policy entry:
 * `contracts`, `policy` and `recovery`); `env.trap()` traps that entry's instance.
 * @returns {Promise<{ suite: string, name: string, ok: boolean, result?: unknown, error?: string }[]>}
 */
export async function runAll(k, env) {
  const out = [];
  for (const [suite, cases] of Object.entries(suites)) {
    if (env.suites && !env.suites.includes(suite)) continue;
    for (const c of cases) {
      if (c.hosts && !c.hosts.includes(env.host)) continue;
      try {
        const result = await c.run(k, env);
        out.push({ suite, name: c.name, ok: true, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
      } catch (e) {
        out.push({ suite, name: c.name, ok: false, error: `${e && e.name}: ${e && e.message}` });
      }
    }
  }
  return out;
}
