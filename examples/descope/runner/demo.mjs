// `node examples/descope/runner/demo.mjs`: runs the flow template once per
// branch through the local flow runner against a Worker and the 1Kosmos and
// Salesforce stand-ins it starts on 127.0.0.1 (offline), and prints the path
// each run took. Connector calls are signed with RFC 9421 HTTP Message
// Signatures (the runner's node:crypto signer, a fresh Ed25519 key per run,
// the Terraform's covered components and TTL), which the Worker verifies with
// DESCOPE_HTTPSIG_KEYS.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKosmos, startSalesforce } from '../../../www/sandbox/index.mjs';
import { sandboxVars, startWorker } from '../../../www/worker/dev.mjs';
import { runFlow } from './flow-runner.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const flow = JSON.parse(readFileSync(join(here, '..', 'flows', 'kosmos-sign-up-or-in.json'), 'utf8'));
const policy = readFileSync(join(here, '..', 'policy.json'), 'utf8');
const key = generateKeyPairSync('ed25519');
const keys = JSON.stringify({ 'descope-connector': key.publicKey.export({ type: 'spki', format: 'pem' }) });

const kosmos = await startKosmos();
const salesforce = await startSalesforce();
const worker = await startWorker({ vars: sandboxVars(kosmos, salesforce, { POLICY: policy, DESCOPE_HTTPSIG_KEYS: keys }), assets: false, log: false });
kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
const rfc9421 = { alg: 'ed25519', key: key.privateKey, keyId: 'descope-connector', components: ['@method', '@target-uri', '@authority', 'content-type', 'content-digest'], ttl: 300 };
const connectors = { 'kosmos-connect': { baseUrl: worker.url, rfc9421 } };
const users = new Map();

const ctx = (email, riskInfo = {}, device = true) => ({
  riskInfo: { riskScore: 0.1, trustedDevice: device, ...riskInfo },
  geo: { country: 'US' },
  users: { [email]: { fingerprint: { knownDevice: device }, lastAuth: { country: 'US' } } },
});
const welcome = (email) => ({ screen: 'welcome', inputs: { email }, interaction: 'continue' });
const liveid = { screen: 'liveid-wait', follow: 'challenge', interaction: 'done' };
const idv = { screen: 'idv-redirect', follow: 'session', interaction: 'done' };
const runs = [
  ['allow', 'alice@test', ctx('alice@test'), [welcome('alice@test')]],
  ['step_up, match', 'match@test', ctx('match@test', {}, false), [welcome('match@test'), liveid]],
  ['step_up, no match', 'nomatch@test', ctx('nomatch@test', {}, false), [welcome('nomatch@test'), liveid]],
  ['verify_identity, pass', 'newcomer@test', ctx('newcomer@test', { riskScore: 0.95 }), [welcome('newcomer@test'), idv]],
  ['verify_identity, fail', 'failed@test', ctx('failed@test', { riskScore: 0.95 }), [welcome('failed@test'), idv]],
  ['deny', 'bot@test', ctx('bot@test', { botDetected: true }), [welcome('bot@test')]],
];
try {
  for (const [what, email, context, script] of runs) {
    const r = await runFlow(flow, { connectors, users, context, script });
    console.log(`${what.padEnd(22)} ${email.padEnd(14)} -> ${r.outcome.padEnd(14)} ${r.trace.join(' > ')}`);
  }
  console.log('custom attributes of newcomer@test:', users.get('newcomer@test').customAttributes);
} finally {
  await Promise.allSettled([worker.close(), kosmos.close(), salesforce.close()]);
}
