// The end-to-end panels: shown when the page is served by the Worker under
// `npm start` (GET /__sandbox says where the stand-ins are). Everything goes
// through the Worker's public endpoints, as a Descope flow would call them.
const $ = (id) => document.getElementById(id);

let sandbox;
try {
  const r = await fetch('/__sandbox');
  if (r.ok) sandbox = await r.json();
} catch {
  // not under `npm start`
}

function show(el, value, isError = false) {
  el.classList.toggle('error', isError);
  el.textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

async function callWorker(path, body, out) {
  try {
    const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = await r.json();
    show(out, { http_status: r.status, ...answer }, !r.ok);
    return r.ok ? answer : undefined;
  } catch (e) {
    show(out, String(e), true);
    return undefined;
  }
}

function linkTo(out, answer, urlField, label) {
  if (!answer) return;
  const a = document.createElement('a');
  a.href = answer[urlField];
  a.target = '_blank';
  a.rel = 'noopener';
  a.textContent = label;
  out.append('\n', a);
}

if (sandbox) {
  $('e2e').hidden = false;
  let sessionId;
  let challengeId;

  $('risk-ctx').value = JSON.stringify({
    riskInfo: { riskScore: '0.55', vpnDetected: 'false', trustedDevice: 'false' },
    user: { fingerprint: { knownDevice: 'false' }, lastAuth: { country: 'US' } },
    geo: { country: 'US' },
    action: 'login',
  }, null, 2);

  $('idv-start').onclick = async () => {
    const metadata = {};
    if ($('idv-record').value.trim()) metadata.related_record_id = $('idv-record').value.trim();
    const answer = await callWorker('/v1/descope/idv', {
      document_types: ['passport', 'drivers_license'],
      liveness_mode: 'passive',
      user_identifier: $('idv-user').value.trim(),
      metadata,
    }, $('idv-session'));
    sessionId = answer?.session_id;
    linkTo($('idv-session'), answer, 'session_url', 'Open the capture page (as the user)');
  };
  $('idv-poll').onclick = () => callWorker('/v1/descope/idv-result', { session_id: sessionId ?? '' }, $('idv-result'));

  let lastDecision;
  $('risk-go').onclick = async () => {
    let ctx;
    try {
      ctx = JSON.parse($('risk-ctx').value);
    } catch (e) {
      show($('risk-out'), `the context is not JSON: ${e.message}`, true);
      return;
    }
    lastDecision = await callWorker('/v1/descope/risk', ctx, $('risk-out'));
  };
  $('su-start').onclick = async () => {
    // Metadata as the Lightning component sends it: the Worker keeps it until the challenge's webhook.
    const metadata = {};
    if ($('idv-record').value.trim()) metadata.related_record_id = $('idv-record').value.trim();
    if (lastDecision) Object.assign(metadata, { decision: lastDecision.decision, rule: lastDecision.rule });
    const answer = await callWorker('/v1/descope/step-up', { user_identifier: $('su-user').value, action: $('su-action').value, metadata }, $('su-challenge'));
    challengeId = answer?.challenge_id;
    linkTo($('su-challenge'), answer, 'challenge_url', 'Open the LiveID page (as the user)');
  };
  $('su-poll').onclick = () => callWorker('/v1/descope/step-up-result', { challenge_id: challengeId ?? '' }, $('su-result'));

  $('sf-fail').onclick = () => fetch(`${sandbox.salesforce}/__fail?count=3`, { method: 'POST' });
  $('wh-again').onclick = async () => {
    const list = await (await fetch(`${sandbox.kosmos}/__deliveries`)).json();
    const last = list.filter((d) => !d.redelivery_of).at(-1);
    if (last) await fetch(`${sandbox.kosmos}/__redeliver/${last.id}`, { method: 'POST' });
  };

  async function refresh() {
    try {
      const deliveries = await (await fetch(`${sandbox.kosmos}/__deliveries`)).json();
      show($('deliveries'), deliveries.slice(-6).reverse().map((d) => ({
        id: d.id,
        type: d.type,
        state: d.state,
        duplicate_of: d.redelivery_of,
        attempts: d.attempts.map((a) => `${a.at.slice(11)} ${a.status ?? a.error}${a.answer ? ` ${a.answer}` : ''}`),
      })));
      const received = await (await fetch(`${sandbox.salesforce}/__received`)).json();
      show($('received'), {
        events: received.events.slice(-4).reverse().map((e) => e.fields),
        tasks: received.tasks.slice(-4).reverse().map((t) => ({ id: t.id, ...t.fields })),
        rejected: received.rejected.length,
        tokens_issued: received.tokens_issued,
      });
    } catch (e) {
      show($('deliveries'), `the stand-ins are not reachable: ${e.message}`, true);
    }
  }
  refresh();
  setInterval(refresh, 1000);
}
