// Every shared case, and the one loop that runs them in any host.
import kosmos from './kosmos.js';
import oidc from './oidc.js';
import recovery from './recovery.js';
import secrets from './secrets.js';
import slices from './slices.js';
import policy from './policy.js';
import webhook from './webhook.js';

export const suites = { slices, kosmos, oidc, policy, recovery, secrets, webhook };

/**
 * Runs every case against the package `k`; never throws.
 * @returns {Promise<{ suite: string, name: string, ok: boolean, result?: unknown, error?: string }[]>}
 */
export async function runAll(k, env) {
  const out = [];
  for (const [suite, cases] of Object.entries(suites)) {
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
