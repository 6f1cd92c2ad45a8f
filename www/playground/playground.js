// The playground: loads the package as a browser does, then mounts one
// module per panel (www/playground/panels/). Under `npm start` the page is
// served by the Worker and GET /__sandbox says where the stand-ins are; the
// end-to-end panels show then.
//
// Adding a panel: a <section class="panel"> in index.html (beside the others;
// the grid places it), and a module in panels/ exporting `mount(ctx)`, where
// `ctx` is `{ k, sandbox }` (the package, initialized, and where the
// stand-ins are, or undefined). Shared helpers (results, busy buttons,
// Worker calls) are in lib.js.
import * as k from '../../pkg/browser.js';
import * as activity from './panels/activity.js';
import * as flow from './panels/flow.js';
import * as oidc from './panels/oidc.js';
import * as policyPanel from './panels/policy.js';
import * as policyChecks from './panels/policy-checks.js';
import * as request from './panels/request.js';
import * as webhook from './panels/webhook.js';

const $ = (id) => document.getElementById(id);

let sandbox;
try {
  const r = await fetch('/__sandbox');
  if (r.ok) sandbox = await r.json();
} catch {
  // not under `npm start`
}

try {
  await k.init();
  $('status').textContent = `core ${k.version()} loaded${sandbox ? ', Worker and stand-ins running' : ''}`;
} catch (e) {
  $('status').textContent = `could not load the core: ${e.message}`;
  throw e;
}

const ctx = { k, sandbox };
const policy = await policyPanel.mount(ctx);
await policyChecks.mount(ctx);
webhook.mount(ctx);
request.mount(ctx);
if (sandbox) {
  for (const s of document.querySelectorAll('[data-needs-worker]')) s.hidden = false;
  flow.mountIdv(ctx);
  flow.mountStepUp({ ...ctx, policy });
  await oidc.mount(ctx);
  activity.mount(ctx);
}
document.body.dataset.ready = 'true';
