// What the stand-ins saw: the webhooks 1Kosmos sent (and what the Worker
// answered each), and the records Salesforce accepted. Plus two buttons that
// make the stand-ins misbehave, each saying what it did.
import { $, action, el, show } from '../lib.js';

const time = (iso) => (iso ? iso.slice(11, 19) : '');

/** One delivery attempt: when, the HTTP status, and the `status` the Worker answered (or the error). */
function attempt(a) {
  let said = '';
  try {
    said = JSON.parse(a.answer ?? 'null')?.status ?? JSON.parse(a.answer)?.error?.code ?? '';
  } catch {
    said = a.answer ?? '';
  }
  return `${time(a.at)} ${a.status ?? a.error}${said ? ` ${said}` : ''}`;
}

function table(headers, rows) {
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c) => el('td', {}, c))))));
}

/** Mounts the panel: polls the stand-ins every second. */
export function mount({ sandbox }) {
  const feedback = $('sf-feedback');

  action($('sf-fail'), feedback, async () => {
    const r = await (await fetch(`${sandbox.salesforce}/__fail?count=3`, { method: 'POST' })).json();
    show(feedback, {
      tone: 'warn',
      title: `Salesforce will answer ${r.status} to its next ${r.count} calls`,
      facts: [['then', 'the Worker queues each event and retries with backoff: watch the deliveries and the records below']],
      raw: r,
    });
  });

  action($('wh-again'), feedback, async () => {
    const list = await (await fetch(`${sandbox.kosmos}/__deliveries`)).json();
    const last = list.filter((d) => !d.redelivery_of).at(-1);
    if (!last) {
      show(feedback, { tone: 'warn', title: 'no webhook was sent yet: finish an IDV or a step-up first' });
      return;
    }
    const copies = list.filter((d) => d.redelivery_of === last.id).length;
    await fetch(`${sandbox.kosmos}/__redeliver/${last.id}`, { method: 'POST' });
    let again;
    for (let i = 0; i < 50; i += 1) {
      // The copy keeps the message id (that is what makes it a duplicate): find it by position.
      again = (await (await fetch(`${sandbox.kosmos}/__deliveries`)).json()).filter((d) => d.redelivery_of === last.id)[copies];
      const tried = again?.attempts.at(-1);
      if (tried && (tried.error || tried.answer !== undefined)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const a = again?.attempts.at(-1);
    show(feedback, {
      tone: a?.status < 300 ? 'ok' : 'bad',
      title: a ? `sent ${last.type} again: the Worker answered ${attempt(a).slice(9)}` : 'sent again; no answer yet',
      facts: [['original', el('code', {}, last.id)], ['Salesforce', 'a duplicate is acknowledged, not published twice']],
      raw: again,
    });
  });

  async function refresh() {
    try {
      const deliveries = await (await fetch(`${sandbox.kosmos}/__deliveries`)).json();
      const recent = deliveries.slice(-5).reverse();
      $('deliveries').replaceChildren(recent.length
        ? table(['type', 'state', 'attempts (time, Worker answer)'], recent.map((d) => [
          `${d.type}${d.redelivery_of ? ' (again)' : ''}`,
          d.state,
          d.attempts.map(attempt).join('; ') || '…',
        ]))
        : el('p', { class: 'muted' }, 'none yet: a finished IDV or step-up sends one'));
      const got = await (await fetch(`${sandbox.salesforce}/__received`)).json();
      const events = got.events.slice(-5).reverse();
      const f = got.failing;
      $('received').replaceChildren(
        el('p', { class: 'muted' }, `${got.events.length} events, ${got.tasks.length} Tasks, ${got.rejected.length} rejected`,
          f && (f.down || f.count > 0) ? el('strong', { class: 'warn-text' }, ` · failing the next ${f.down ? 'calls (down)' : f.count}`) : ''),
        events.length
          ? table(['at', 'event', 'match / IAL', 'decision', 'record'], events.map((e) => [
            time(e.at), `${e.fields.Kind__c} ${e.fields.Status__c}`, e.fields.Match_Result__c ?? e.fields.IAL__c ?? '', e.fields.Decision__c ?? '',
            el('span', { class: 'id' }, e.fields.Related_Record_Id__c ?? ''),
          ]))
          : '',
      );
      // Kept across refreshes, so that an opened raw view stays open.
      $('received-json').textContent = JSON.stringify({ events: got.events.slice(-5), tasks: got.tasks.slice(-5), rejected: got.rejected, failing: got.failing }, null, 2);
    } catch (e) {
      show($('deliveries'), { tone: 'bad', title: `the stand-ins are not reachable: ${e.message}` });
    }
  }
  refresh();
  setInterval(refresh, 1000);
}
