// `npm start`: the whole edge stack on 127.0.0.1, offline:
//   - the 1Kosmos stand-in (verify-v1, signed webhooks with retries),
//   - the Salesforce stand-in (token, Platform Event, Task; shows what it got),
//   - the Worker in workerd (miniflare) with its Durable Object, queue and the
//     playground as static assets, configured to use both stand-ins.
// Ports: PORT (Worker, default 8787), KOSMOS_PORT (8788), SALESFORCE_PORT (8789);
// a busy port falls back to a free one.
import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKosmos, startSalesforce } from '../www/sandbox/index.mjs';
import { POLICY_KV_MINIFLARE, POLICY_KV_VARS, startOperator } from '../www/sandbox/operator.mjs';
import { startWorker, sandboxVars, buildAssets } from '../www/worker/dev.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'pkg', 'gen', 'kosmos_connect_bg.wasm'))) {
  console.error('pkg/gen is missing: run `npm run build` first (`npm start` does)');
  process.exit(1);
}

async function onPort(start, port) {
  try {
    return await start(port);
  } catch (e) {
    if (e.code !== 'EADDRINUSE' && !/address already in use/i.test(String(e.message))) throw e;
    console.warn(`port ${port} is busy; using a free one`);
    return start(0);
  }
}

/** The policy for POST /v1/descope/risk: the shipped Descope example when present. */
function defaultPolicy() {
  const example = join(root, 'examples', 'policies', 'descope-adaptive-mfa.json');
  if (existsSync(example)) return { name: 'examples/policies/descope-adaptive-mfa.json', text: readFileSync(example, 'utf8') };
  return {
    name: 'a built-in demo policy',
    text: JSON.stringify({
      version: 1,
      signals: { risk_score: 'number', new_device: 'boolean' },
      rules: [
        { id: 'bot-on-new-device', description: 'very high risk on a new device', when: { all: [{ signal: 'risk_score', op: 'gte', value: 95 }, { signal: 'new_device', value: true }] }, then: { decision: 'deny' } },
        { id: 'risky-login', description: 'risk score above 70', when: { signal: 'risk_score', op: 'gt', value: 70 }, then: { decision: 'step_up', max_age_s: 900 } },
      ],
      default: { decision: 'allow' },
    }),
  };
}

const env = process.env;
const salesforce = await onPort((port) => startSalesforce({ port }), Number(env.SALESFORCE_PORT ?? 8789));
const kosmos = await onPort((port) => startKosmos({ port }), Number(env.KOSMOS_PORT ?? 8788));
const policy = defaultPolicy();
// The Worker reads its policy from POLICY_KV; the playground edits it through the operator console.
const operator = await startOperator();
const assets = buildAssets();
const worker = await onPort((port) => startWorker({
  port,
  assets,
  miniflare: POLICY_KV_MINIFLARE,
  vars: sandboxVars(kosmos, salesforce, {
    ...POLICY_KV_VARS,
    SANDBOX: JSON.stringify({ kosmos: kosmos.url, salesforce: salesforce.url, operator: operator.url }),
    HANDOFF_RETRY_BASE_S: '2',
  }),
}), Number(env.PORT ?? 8787));
kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
await operator.attach(worker, policy);

console.log(`
kosmos-connect, running locally (Ctrl-C stops everything)

  playground           ${worker.url}/
  OIDC step-up         ${worker.url}/#oidc   (the playground's links to /v1/oidc/start; 1Kosmos stand-in as the OpenID provider)
  worker               ${worker.url}   (POST /v1/descope/{idv,idv-result,step-up,step-up-result,risk}, POST /v1/webhooks/1kosmos, GET /healthz)
  1Kosmos stand-in     ${kosmos.url}   (signed webhooks with retries; GET /__deliveries)
  Salesforce stand-in  ${salesforce.url}   (fields from the ${salesforce.fieldsFrom}; GET /__received, POST /__fail?count=3)
  risk policy          ${policy.name}, in the Worker's POLICY_KV (the playground's Risk policy panel edits it; ${operator.url}/policy)

  test users  OIDC:    match@test (acr liveID push), nomatch@test (access_denied), pwd@test (acr pwd)
              step-up: match@test, nomatch@test, slow-match@test, cancel@test, timeout@test
              IDV:     any user (IAL2 at the 3rd read), ial3@test, declined@test, failed@test, timeout@test
`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([worker.close(), kosmos.close(), salesforce.close(), operator.close()]);
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
