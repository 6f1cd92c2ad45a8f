// The local stand-ins: 1Kosmos (verify-v1, signed webhooks with retries) and
// Salesforce (token, Platform Event, Task). `node www/sandbox/index.mjs`
// starts both on 127.0.0.1 and prints where they are.
import { startKosmos } from './kosmos.mjs';
import { startSalesforce } from './salesforce.mjs';

export { startKosmos, startSalesforce };

/** Starts both stand-ins; `webhookUrl` is where 1Kosmos sends webhooks by default. */
export async function startSandbox(options = {}) {
  const kosmos = await startKosmos(options.kosmos);
  const salesforce = await startSalesforce(options.salesforce);
  return { kosmos, salesforce, close: () => Promise.all([kosmos.close(), salesforce.close()]) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sb = await startSandbox({ kosmos: { webhookUrl: process.env.WEBHOOK_URL } });
  console.log(`1Kosmos stand-in    ${sb.kosmos.url}  (api key ${sb.kosmos.apiKey})`);
  console.log(`Salesforce stand-in ${sb.salesforce.url}  (client ${sb.salesforce.clientId}, fields from ${sb.salesforce.fieldsFrom})`);
}
