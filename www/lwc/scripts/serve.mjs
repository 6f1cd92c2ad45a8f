// Serves the component's local test page with the real Worker (in workerd)
// and the 1Kosmos and Salesforce stand-ins of www/sandbox, to look at it in a
// browser: node www/lwc/scripts/serve.mjs (after npm run build). The Worker
// allows the page's origin (ALLOWED_ORIGINS) and has no Descope HMAC secret,
// since the browser calls it directly.
import { buildSalesforcePieces, buildTestPage } from './build.mjs';
import { serveRepo } from '../../../tests/js/hosts.js';
import { startKosmos } from '../../sandbox/kosmos.mjs';
import { startSalesforce } from '../../sandbox/salesforce.mjs';
import { sandboxVars, startWorker } from '../../worker/dev.mjs';

await buildSalesforcePieces();
await buildTestPage();
const { origin } = await serveRepo(Number(process.env.PORT) || 8788);
const kosmos = await startKosmos();
const salesforce = await startSalesforce();
const worker = await startWorker({ vars: sandboxVars(kosmos, salesforce, { ALLOWED_ORIGINS: origin }), assets: false });
kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
const page = (user, amount) =>
    `${origin}/www/lwc/.build/index.html?workerUrl=${encodeURIComponent(worker.url)}&userIdentifier=${user}&amount=${amount}&recordId=006000000000001AAA&objectApiName=Opportunity`;
console.log(`Worker:     ${worker.url}`);
console.log(`1Kosmos:    ${kosmos.url}`);
console.log(`Salesforce: ${salesforce.url}/__received (what the Worker published)`);
console.log(`allowed:    ${page('match@test', 2500)}`);
console.log(`step-up:    ${page('slow-match@test', 25000)}`);
console.log(`no match:   ${page('nomatch@test', 25000)}`);
console.log(`IDV:        ${page('match@test', 250000)}&verifyAbove=100000`);
console.log('Ctrl-C to stop.');
