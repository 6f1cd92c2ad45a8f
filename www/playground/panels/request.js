// A 1Kosmos request built by the core: plain data, no network.
import { $, action, el, show } from '../lib.js';

/** Mounts the panel. */
export function mount({ k }) {
  action($('build'), $('request'), () => {
    const docs = [...document.querySelectorAll('input[name=doc]:checked')].map((c) => c.value);
    const req = k.buildCreateIdvSession({ base_url: $('idv-base').value, api_key: 'playground-key' },
      { document_types: docs, liveness_mode: $('idv-liveness').value });
    const shown = { ...req, headers: { ...req.headers, authorization: 'Bearer [hidden]' } };
    show($('request'), {
      tone: 'ok',
      title: `${req.method} ${req.url}`,
      facts: [['body', el('code', {}, typeof req.body === 'string' ? req.body : JSON.stringify(req.body))]],
      raw: shown,
    });
  });
}
