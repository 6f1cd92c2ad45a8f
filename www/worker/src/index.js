// kosmos-connect edge service: the Cloudflare Worker that Descope flows call
// (Generic HTTP connector) and 1Kosmos webhooks reach, publishing results to
// Salesforce. See README.md "The Worker" for the bindings and secrets.
import { auditMarks, descopeAuditWebhook } from './audit.js';
import { coreVersion } from './core.js';
import { preflight, withCors } from './cors.js';
import * as descope from './descope.js';
import { HttpError, errorResponse, json } from './errors.js';
import * as oidc from './oidc.js';
import { router } from './router.js';
import { consumeHandoff, kosmosWebhook } from './webhook.js';

export { ReplayGuard } from './replay.js';

/** Static files (the playground) when the ASSETS binding is there; 404 otherwise. */
function assets(request, env) {
  if ((request.method === 'GET' || request.method === 'HEAD') && env.ASSETS) return env.ASSETS.fetch(request);
  throw new HttpError(404, 'not_found', 'there is nothing at this path');
}

const route = router({
  'POST /v1/descope/idv': descope.idv,
  'POST /v1/descope/idv-result': descope.idvResult,
  'POST /v1/descope/step-up': descope.stepUp,
  'POST /v1/descope/step-up-result': descope.stepUpResult,
  'POST /v1/descope/risk': descope.risk,
  'POST /v1/webhooks/1kosmos': kosmosWebhook,
  'POST /v1/webhooks/descope-audit': descopeAuditWebhook,
  'POST /v1/descope/audit-marks': auditMarks,
  'GET /v1/oidc/start': oidc.start,
  'GET /v1/oidc/callback': oidc.callback,
  'GET /v1/oidc/result': oidc.result,
  'GET /healthz': () => json({ status: 'ok', core: coreVersion() }),
  // Where the local stand-ins are (set by `npm start` only), for the playground.
  'GET /__sandbox': (_request, env) => {
    if (!env.SANDBOX) throw new HttpError(404, 'not_found', 'there is nothing at this path');
    return json(typeof env.SANDBOX === 'string' ? JSON.parse(env.SANDBOX) : env.SANDBOX);
  },
}, assets);

async function handle(request, env, ctx) {
  try {
    return preflight(request, env) ?? (await route(request, env, ctx));
  } catch (e) {
    if (e instanceof HttpError) {
      // Server-side failures are logged for the operator (messages carry no secrets; tests/js/worker.secrets.test.js).
      if (e.status >= 500) console.error(`${request.method} ${new URL(request.url).pathname} -> ${e.status} ${e.code}: ${e.message}`);
      return errorResponse(e);
    }
    // An unexpected failure: log what it was (messages carry no secrets), answer without details.
    console.error('unhandled', e?.name, e?.code, e?.message);
    return errorResponse(new HttpError(500, 'internal', 'the worker failed to handle this request'));
  }
}

export default {
  async fetch(request, env, ctx) {
    return withCors(request, env, await handle(request, env, ctx));
  },

  async queue(batch, env) {
    await consumeHandoff(batch, env);
  },
};
