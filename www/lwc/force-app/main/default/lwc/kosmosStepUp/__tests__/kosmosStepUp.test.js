// Jest (sfdx-lwc-jest) tests of kosmosStepUp's logic: the real kosmos-connect
// core decides (its .wasm read from the build), while `fetch` plays the
// static resource and a scripted Worker, so each state of the component and
// each event can be driven exactly.
import { createElement } from 'lwc';
import KosmosStepUp from 'c/kosmosStepUp';
import { getRecord } from 'lightning/uiRecordApi';
import { readFileSync } from 'fs';
import { join } from 'path';

const WASM = readFileSync(join(process.cwd(), 'force-app/main/default/staticresources/kosmosConnect.resource'));
const WORKER = 'https://kosmos-connect.example.workers.dev';
const BASE = { workerUrl: WORKER, userIdentifier: 'dana@example.com', pollInitialMs: 5, pollMaxMs: 10, recordId: '006000000000001AAA', objectApiName: 'Opportunity' };

function response(status, body) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return { ok: status >= 200 && status < 300, status, text: async () => text, arrayBuffer: async () => new Uint8Array(WASM).buffer };
}

/** A scripted Worker: `results` is the list of step-up-result answers, the last one repeating. */
function fakeWorker({ start = () => response(200, { challenge_id: 'chl_1', challenge_url: 'https://liveid.1kosmos.test/c/chl_1' }), results = [] } = {}) {
    const calls = [];
    let polls = 0;
    global.fetch = jest.fn(async (url, init = {}) => {
        const u = String(url);
        if (!u.startsWith(WORKER)) {
            calls.push({ path: 'resource', url: u });
            return response(200, '');
        }
        const path = u.slice(WORKER.length);
        const body = init.body ? JSON.parse(init.body) : undefined;
        calls.push({ path, body, signal: init.signal });
        if (path === '/v1/descope/step-up' || path === '/v1/descope/idv') return start(body);
        const r = results[Math.min(polls, results.length - 1)];
        polls += 1;
        return typeof r === 'function' ? r(init) : response(200, r);
    });
    return calls;
}

const PENDING = { status: 'pending', match_result: null, confidence: null };
const MATCH = { status: 'completed', match_result: 'match', confidence: 0.97 };

function mount(props) {
    const el = createElement('c-kosmos-step-up', { is: KosmosStepUp });
    Object.assign(el, BASE, props);
    const events = [];
    for (const type of ['gatedecision', 'stepupcomplete', 'stepupfailed', 'lightning__flowattributechange']) {
        el.addEventListener(type, (e) => events.push({ type, detail: e.detail }));
    }
    document.body.appendChild(el);
    return { el, events, $: (s) => el.shadowRoot.querySelector(s) };
}

async function waitFor(check, what, ms = 5000) {
    const end = Date.now() + ms;
    for (;;) {
        const v = check();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        // eslint-disable-next-line no-await-in-loop
        await new Promise((r) => setTimeout(r, 5));
    }
}

const eventOf = (events, type) => waitFor(() => events.find((e) => e.type === type), type);

afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
});

describe('c-kosmos-step-up', () => {
    it('allows at once below the threshold and never calls the Worker', async () => {
        const calls = fakeWorker();
        const { el, events, $ } = mount({ amount: 9999.99, currency: 'USD' });
        const decision = (await eventOf(events, 'gatedecision')).detail;
        expect(decision.decision).toBe('allow');
        await waitFor(() => $('.message-title'), 'the message');
        expect($('.message-title').textContent).toBe('No extra verification needed');
        expect($('.start-button')).toBeNull();
        expect($('.challenge')).toBeNull();
        expect(calls.filter((c) => c.path !== 'resource')).toEqual([]);
        expect(el.validate()).toEqual({ isValid: true });
        expect(el.decision).toBe('allow');
    });

    it('asks for a step-up above the threshold and waits for a click', async () => {
        const calls = fakeWorker({ results: [PENDING, MATCH] });
        const { el, events, $ } = mount({ amount: 10000.01, currency: 'USD' });
        const decision = (await eventOf(events, 'gatedecision')).detail;
        expect(decision).toMatchObject({ decision: 'step_up', rule: 'step-up-above-threshold', step_up: { max_age_s: 300 } });
        await waitFor(() => $('.start-button'), 'the start button');
        expect($('.start-button').textContent).toBe('Verify with LiveID');
        expect($('[role="status"]').textContent).toMatch(/needs a LiveID step-up/);
        expect(el.validate().isValid).toBe(false);
        expect(calls.filter((c) => c.path !== 'resource')).toEqual([]);

        $('.start-button').click();
        await waitFor(() => $('.challenge-heading'), 'the challenge');
        expect($('a.challenge-link').href).toBe('https://liveid.1kosmos.test/c/chl_1');
        expect($('path.qr-modules').getAttribute('d')).toMatch(/^M\d+ \d+h\d+v1h-\d+z/);
        const done = (await eventOf(events, 'stepupcomplete')).detail;
        expect(done).toMatchObject({ kind: 'step_up', challenge_id: 'chl_1', match_result: 'match', confidence: 0.97, status: 'completed' });
        expect(el.verified).toBe(true);
        expect(el.confidence).toBe('0.97');
        expect(el.validate()).toEqual({ isValid: true });
        const start = calls.find((c) => c.path === '/v1/descope/step-up');
        expect(start.body).toEqual({
            user_identifier: 'dana@example.com',
            action: expect.stringMatching(/^Funds transfer of .*10,000\.01.* \(Opportunity 006000000000001AAA\)$/),
            metadata: { related_record_id: '006000000000001AAA', action_type: 'funds_transfer', decision: 'step_up', rule: 'step-up-above-threshold' }
        });
        expect(calls.filter((c) => c.path === '/v1/descope/step-up-result').map((c) => c.body)).toEqual([{ challenge_id: 'chl_1' }, { challenge_id: 'chl_1' }]);
        // Flow screens hear about every output.
        expect(events.filter((e) => e.type === 'lightning__flowattributechange').length).toBeGreaterThanOrEqual(4);
    });

    it('decides again, once, when the action changes', async () => {
        fakeWorker();
        const { el, events, $ } = mount({ amount: 100 });
        expect((await eventOf(events, 'gatedecision')).detail.decision).toBe('allow');
        el.amount = 50000;
        el.currency = 'USD';
        await waitFor(() => events.filter((e) => e.type === 'gatedecision').length === 2, 'a second decision');
        expect(events.filter((e) => e.type === 'gatedecision').map((e) => e.detail.decision)).toEqual(['allow', 'step_up']);
        await waitFor(() => $('.start-button'), 'the start button');
        await new Promise((r) => setTimeout(r, 50));
        expect(events.filter((e) => e.type === 'gatedecision').length).toBe(2);
    });

    it('treats an amount in another currency as needing a step-up (fails closed)', async () => {
        fakeWorker();
        const { events } = mount({ amount: 5, currency: 'EUR' });
        expect((await eventOf(events, 'gatedecision')).detail).toMatchObject({ decision: 'step_up', rule: 'other-currency' });
    });

    it('reads the amount from the record field on a record page', async () => {
        fakeWorker();
        const { events } = mount({ amountField: 'Amount', autoStart: false });
        await waitFor(() => getRecord.getLastConfig(), 'the getRecord wire');
        expect(getRecord.getLastConfig()).toEqual({ recordId: '006000000000001AAA', optionalFields: ['Opportunity.Amount'] });
        expect(events).toEqual([]);
        getRecord.emit({ apiName: 'Opportunity', id: '006000000000001AAA', fields: { Amount: { value: 20000 } } });
        const decision = (await eventOf(events, 'gatedecision')).detail;
        expect(decision.decision).toBe('step_up');
        expect(decision.action.amount).toBe(20000);
    });

    it('reports a no-match with stepupfailed and offers a retry that starts a new challenge', async () => {
        let n = 0;
        const calls = fakeWorker({
            start: () => {
                n += 1;
                return response(200, { challenge_id: `chl_${n}`, challenge_url: `https://liveid.1kosmos.test/c/chl_${n}` });
            },
            // chl_1 ends in no_match; chl_2 stays pending so the new challenge stays on screen.
            results: [{ status: 'completed', match_result: 'no_match', confidence: 0.2 }, PENDING]
        });
        const { el, events, $ } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed).toMatchObject({ reason: 'no_match', match_result: 'no_match', confidence: 0.2, challenge_id: 'chl_1' });
        await waitFor(() => $('.retry-button'), 'the retry button');
        expect($('.message-title').textContent).toBe('Not verified: no match');
        expect(el.verified).toBe(false);
        $('.retry-button').click();
        await waitFor(() => calls.filter((c) => c.path === '/v1/descope/step-up').length === 2, 'a second start');
        await waitFor(() => $('.challenge-heading'), 'the new challenge');
        expect($('a.challenge-link').href).toBe('https://liveid.1kosmos.test/c/chl_2');
    });

    it('reports a challenge cancelled on the phone as cancelled, not as a generic failure', async () => {
        fakeWorker({ results: [PENDING, { status: 'cancelled', match_result: 'cancelled', confidence: null }] });
        const { el, events, $ } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed).toMatchObject({ reason: 'cancelled', status: 'cancelled', match_result: 'cancelled', challenge_id: 'chl_1' });
        await waitFor(() => $('.retry-button'), 'the retry button');
        expect($('.message-title').textContent).toBe('Verification cancelled');
        expect(el.verified).toBe(false);
    });

    it('shows the Worker error message, and the retry resumes polling the same challenge', async () => {
        let fail = true;
        const calls = fakeWorker({
            results: [
                () => {
                    if (fail) {
                        fail = false;
                        return response(404, { error: { code: 'not_found', message: 'unknown challenge_id `chl_1`', field: 'challenge_id' } });
                    }
                    return response(200, MATCH);
                }
            ]
        });
        const { events, $ } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed).toMatchObject({ reason: 'http', status: 404, code: 'not_found', retryable: true });
        await waitFor(() => $('[role="alert"]'), 'the alert');
        expect($('.error-text').textContent).toBe('The verification service answered 404: unknown challenge_id `chl_1`.');
        $('.retry-button').click();
        await eventOf(events, 'stepupcomplete');
        expect(calls.filter((c) => c.path === '/v1/descope/step-up').length).toBe(1);
    });

    it('retries transient poll failures (503, timeouts) without bothering the user', async () => {
        const results = [response(503, { error: { code: 'upstream_unavailable', message: 'down' } }), PENDING, MATCH];
        let i = 0;
        fakeWorker({ results: [() => (typeof results[i] === 'object' && 'ok' in results[i] ? results[i++] : response(200, results[i++]))] });
        const { events } = mount({ amount: 50000, autoStart: true });
        await eventOf(events, 'stepupcomplete');
        expect(events.some((e) => e.type === 'stepupfailed')).toBe(false);
    });

    it('stops polling when removed from the page', async () => {
        const calls = fakeWorker({ results: [PENDING] });
        const { el, events } = mount({ amount: 50000, autoStart: true });
        await waitFor(() => calls.filter((c) => c.path === '/v1/descope/step-up-result').length >= 2, 'polling');
        document.body.removeChild(el);
        const seen = calls.length;
        await new Promise((r) => setTimeout(r, 100));
        expect(calls.length).toBe(seen);
        expect(events.some((e) => e.type === 'stepupfailed' || e.type === 'stepupcomplete')).toBe(false);
    });

    it('refuses a challenge URL that is not https', async () => {
        fakeWorker({ start: () => response(200, { challenge_id: 'chl_1', challenge_url: 'javascript:alert(1)' }) });
        const { events, $ } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed.reason).toBe('bad_response');
        expect($('a.challenge-link')).toBeNull();
    });

    it('asks for a user identifier when there is none', async () => {
        fakeWorker();
        const { events } = mount({ amount: 50000, autoStart: true, userIdentifier: '' });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed.reason).toBe('config');
        expect(failed.message).toMatch(/No user identifier/);
    });

    it('names a bad threshold attribute', async () => {
        fakeWorker();
        const { events, $ } = mount({ amount: 50000, stepUpAbove: 'ten thousand' });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed.reason).toBe('config');
        await waitFor(() => $('.error-text'), 'the error');
        expect($('.error-text').textContent).toBe('Step-up threshold must be a number of at least 0, got "ten thousand".');
    });
});
