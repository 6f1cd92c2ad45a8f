// Serves the component's local test page with the real Worker (in workerd),
// the 1Kosmos and Salesforce stand-ins of www/sandbox, and the stand-in of
// the org's Apex gateway (www/lwc/dev/gateway.mjs), to look at it in a
// browser: node www/lwc/scripts/serve.mjs (after npm run build). As in an
// org, the page calls only the gateway; the gateway signs each call and the
// Worker requires the signature (DESCOPE_HMAC_SECRET), with no browser origin
// allowed.
import { randomBytes } from 'node:crypto';
import { buildSalesforcePieces, buildTestPage } from './build.mjs';
import { serveRepo } from '../../../tests/js/hosts.js';
import { startKosmos } from '../../sandbox/kosmos.mjs';
import { startSalesforce } from '../../sandbox/salesforce.mjs';
import { sandboxVars, startWorker } from '../../worker/dev.mjs';
import { startGateway } from '../dev/gateway.mjs';

await buildSalesforcePieces();
await buildTestPage();
const { origin } = await serveRepo(Number(process.env.PORT) || 8788);
const kosmos = await startKosmos();
const salesforce = await startSalesforce();
const secret = randomBytes(32).toString('base64url');
const worker = await startWorker({ vars: sandboxVars(kosmos, salesforce, { DESCOPE_HMAC_SECRET: secret }), assets: false });
kosmos.setWebhookUrl(`${worker.url}/v1/webhooks/1kosmos`);
const gateway = await startGateway({ workerUrl: worker.url, secret, allowOrigin: origin });
const page = (user, amount) =>
    `${origin}/www/lwc/.build/index.html?apexUrl=${encodeURIComponent(gateway.url)}&user=${user}&amount=${amount}&recordId=006000000000001AAA&objectApiName=Opportunity`;
console.log(`Worker:     ${worker.url} (signed calls only)`);
console.log(`Apex:       ${gateway.url} (the KosmosGateway stand-in)`);
console.log(`1Kosmos:    ${kosmos.url}`);
console.log(`Salesforce: ${salesforce.url}/__received (what the Worker published)`);
console.log(`allowed:    ${page('match@test', 2500)}`);
console.log(`step-up:    ${page('slow-match@test', 25000)}`);
console.log(`no match:   ${page('nomatch@test', 25000)}`);
console.log(`IDV:        ${page('match@test', 250000)}&verifyAbove=100000`);
console.log('Ctrl-C to stop.');
