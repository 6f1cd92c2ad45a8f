// Shared by the panels: how a result is shown (a headline, a few facts, the
// raw JSON one click away) and how a button shows that it is working. The
// panels show what the core or the Worker answered; they decide nothing.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** A DOM element: `el('dd', { class: 'x' }, 'text', child)`. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

/**
 * Shows a result in `out` (an <output>):
 * `tone` ok | warn | bad | info, `title` the headline, `facts` `[label, value]`
 * pairs (a value may be a Node), `extra` more nodes, `raw` the JSON behind it.
 */
export function show(out, { tone = 'info', title, facts = [], extra = [], raw }) {
  out.replaceChildren();
  out.dataset.tone = tone;
  out.append(el('p', { class: 'headline' }, el('span', { class: `badge ${tone}` }, { ok: '✓', warn: '!', bad: '✗', info: '•' }[tone]), ' ', title));
  const shown = facts.filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (shown.length) out.append(el('dl', {}, shown.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
  out.append(...extra);
  if (raw !== undefined) {
    out.append(el('details', { class: 'raw' }, el('summary', {}, 'raw JSON'), el('pre', {}, JSON.stringify(raw, null, 2))));
  }
}

/** A KosmosError (or any error) as `{ code, message, field }`. */
export function errorFacts(e) {
  return { code: e?.code ?? 'error', message: e?.message ?? String(e), field: e?.field };
}

/** Shows a refusal with its code. */
export function showError(out, { code, message, field }, { title, raw, status } = {}) {
  show(out, {
    tone: 'bad',
    title: title ?? message,
    facts: [['code', el('code', {}, code)], ['HTTP', status], ['field', field && el('code', {}, field)], title ? ['message', message] : [undefined]],
    raw,
  });
}

/**
 * Runs `fn` for a button: the button is disabled and `out` says "working…"
 * until it is done; a thrown error is shown with its code.
 */
export function action(button, out, fn) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    out.dataset.busy = 'true';
    show(out, { tone: 'info', title: 'working…' });
    try {
      await fn();
    } catch (e) {
      showError(out, errorFacts(e));
    } finally {
      button.disabled = false;
      delete out.dataset.busy;
    }
  });
}

/**
 * POSTs `body` (an object, or text sent as it is) to the Worker.
 * Returns `{ ok, status, json }`; a Worker error is `json.error` `{ code, message, field? }`.
 */
export async function callWorker(path, body) {
  const r = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: { code: 'not_json', message: `the worker answered http ${r.status} with something else than JSON` } };
  }
  return { ok: r.ok, status: r.status, json };
}

/** Shows a Worker error answer; true when there was one. */
export function showWorkerError(out, answer, title) {
  if (answer.ok) return false;
  showError(out, answer.json.error ?? { code: 'error', message: `http ${answer.status}` }, { title, raw: answer.json, status: answer.status });
  return true;
}

/** The current unix time in seconds (the panels pass it to the core). */
export const nowS = () => Math.floor(Date.now() / 1000);

const DECISION_TONE = { allow: 'ok', step_up: 'warn', verify_identity: 'warn', deny: 'bad' };
const DECISION_TEXT = { allow: 'allow', step_up: 'step up (LiveID)', verify_identity: 'verify identity (IDV)', deny: 'deny' };

/** Shows a policy decision as the core gave it (`where` says who decided). */
export function showDecision(out, d, where, raw = d) {
  show(out, {
    tone: DECISION_TONE[d.decision] ?? 'info',
    title: `${DECISION_TEXT[d.decision] ?? d.decision} (${where})`,
    facts: [
      ['rule', el('code', {}, d.rule)],
      ['matched', d.matched_rules?.length ? d.matched_rules.join(', ') : undefined],
      ['required IAL', d.required_ial],
      ['step-up max age', d.step_up ? `${d.step_up.max_age_s} s` : undefined],
    ],
    extra: d.reasons?.length ? [el('ul', { class: 'reasons' }, d.reasons.map((r) => el('li', {}, r)))] : [],
    raw,
  });
}
