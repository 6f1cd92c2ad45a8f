// Serves the component's local test page with the Worker stand-in, to look
// at it in a browser: node www/lwc/scripts/serve.mjs (after npm run build).
import { buildSalesforcePieces, buildTestPage } from './build.mjs';
import { serveRepo } from '../../../tests/js/hosts.js';
import { startStepUpStandIn } from '../../../tests/js/stepup-standin.js';

await buildSalesforcePieces();
await buildTestPage();
const worker = await startStepUpStandIn({ pendingPolls: 3 });
const { origin } = await serveRepo(Number(process.env.PORT) || 8788);
const page = (user, amount) =>
    `${origin}/www/lwc/.build/index.html?workerUrl=${encodeURIComponent(worker.origin)}&userIdentifier=${user}&amount=${amount}&recordId=006000000000001AAA&objectApiName=Opportunity`;
console.log(`Worker stand-in: ${worker.origin}`);
console.log(`allowed:   ${page('match@test', 2500)}`);
console.log(`step-up:   ${page('match@test', 25000)}`);
console.log(`no match:  ${page('nomatch@test', 25000)}`);
console.log(`IDV:       ${page('match@test', 250000)}&verifyAbove=100000`);
console.log('Ctrl-C to stop.');
