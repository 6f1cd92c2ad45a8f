// The local test page: mounts c-kosmos-step-up, compiled by the open-source
// LWC compiler, with the props a test (or the query string) gives, and
// records every event it fires in `window.__events`. `session` is what a
// login would give the page: where its Apex runs (`apexUrl`, the gateway
// stand-in www/lwc/dev/gateway.mjs) and the running user's email (`user`).
import { createElement } from 'lwc';
import KosmosStepUp from 'c/kosmosStepUp';

const EVENTS = ['gatedecision', 'stepupcomplete', 'stepupfailed', 'lightning__flowattributechange'];
window.__events = [];

function mountGate(props, session) {
    if (session) window.__kosmosSession = session;
    const host = document.getElementById('gate');
    host.textContent = '';
    window.__events = [];
    const el = createElement('c-kosmos-step-up', { is: KosmosStepUp });
    Object.assign(el, props);
    for (const type of EVENTS) {
        el.addEventListener(type, (e) => {
            window.__events.push({ type, detail: JSON.parse(JSON.stringify(e.detail === undefined ? null : e.detail)) });
        });
    }
    host.appendChild(el);
    window.__gate = el;
    return true;
}

window.mountGate = mountGate;

const q = new URLSearchParams(location.search);
if (q.has('apexUrl')) {
    const props = {};
    for (const [k, v] of q) if (k !== 'apexUrl' && k !== 'user') props[k] = v;
    mountGate(props, { apexUrl: q.get('apexUrl'), user: q.get('user') });
}
