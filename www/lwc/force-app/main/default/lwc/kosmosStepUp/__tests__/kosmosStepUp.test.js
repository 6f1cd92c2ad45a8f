// Jest (sfdx-lwc-jest) tests of kosmosStepUp against the Apex gateway's
// contract: the real kosmos-connect core decides the policy (its .wasm read
// from the build, served by a fake `fetch` as the static resource), and the
// @AuraEnabled methods of KosmosGateway are mocked with the Worker answers of
// the contract fixtures (the static resource KosmosWorkerFixtures, which
// tests/js/apex-fixtures.test.js replays against the real Worker), turned
// into what KosmosGateway.cls returns: the Worker's body on success,
// `{ error: { code, message, field } }` on an error, and
// `{ allowed, verdict, reason }` from confirmStepUp / confirmIdv.
import { createElement } from 'lwc';
import KosmosStepUp from 'c/kosmosStepUp';
import { getRecord } from 'lightning/uiRecordApi';
import startStepUp from '@salesforce/apex/KosmosGateway.startStepUp';
import readStepUp from '@salesforce/apex/KosmosGateway.readStepUp';
import confirmStepUp from '@salesforce/apex/KosmosGateway.confirmStepUp';
import startIdv from '@salesforce/apex/KosmosGateway.startIdv';
import readIdv from '@salesforce/apex/KosmosGateway.readIdv';
import confirmIdv from '@salesforce/apex/KosmosGateway.confirmIdv';
import { readFileSync } from 'fs';
import { join } from 'path';

jest.mock('@salesforce/apex/KosmosGateway.startStepUp', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/KosmosGateway.readStepUp', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/KosmosGateway.confirmStepUp', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/KosmosGateway.startIdv', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/KosmosGateway.readIdv', () => ({ default: jest.fn() }), { virtual: true });
jest.mock('@salesforce/apex/KosmosGateway.confirmIdv', () => ({ default: jest.fn() }), { virtual: true });

const STATIC = join(process.cwd(), 'force-app/main/default/staticresources');
const WASM = readFileSync(join(STATIC, 'kosmosConnect.resource'));
const FIXTURES = JSON.parse(readFileSync(join(STATIC, 'KosmosWorkerFixtures.json'), 'utf8')).fixtures;
const BASE = { pollIntervalMs: 5, recordId: '006000000000001AAA', objectApiName: 'Opportunity' };
const clone = (v) => JSON.parse(JSON.stringify(v));

/** What a KosmosGateway read/start method returns for fixture `name` (its message filled in when the fixture leaves it to vary). */
function answer(name, message) {
    const { status, body } = FIXTURES[name].response;
    if (status >= 200 && status < 300) return clone(body);
    return { error: { ...clone(body.error), message: message || body.error.message || `the Worker answered HTTP ${status}` } };
}

/** What confirmStepUp / confirmIdv return when their re-read of the Worker gives fixture `name`. */
function confirmation(name) {
    const a = answer(name);
    if (a.error) return a;
    return { allowed: a.verdict.outcome === 'approved', verdict: a.verdict, reason: a.verdict.reason };
}

/** The answers in turn, the last one repeating. */
function inTurn(...answers) {
    let i = 0;
    return jest.fn(async () => {
        const a = answers[Math.min(i, answers.length - 1)];
        i += 1;
        return typeof a === 'function' ? a() : clone(a);
    });
}

function gateway({ start = answer('step_up_created'), reads = [answer('step_up_result_match')], confirm = confirmation('step_up_result_match') } = {}) {
    startStepUp.mockImplementation(inTurn(start));
    readStepUp.mockImplementation(inTurn(...reads));
    confirmStepUp.mockImplementation(inTurn(confirm));
}

const calls = (fn) => fn.mock.calls.map((c) => c[0]);
const gatewayCalls = () => [startStepUp, readStepUp, confirmStepUp, startIdv, readIdv, confirmIdv].reduce((n, fn) => n + fn.mock.calls.length, 0);

function mount(props) {
    global.fetch = jest.fn(async () => ({ ok: true, status: 200, arrayBuffer: async () => new Uint8Array(WASM).buffer }));
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
const CHALLENGE = FIXTURES.step_up_created.response.body;

afterEach(() => {
    while (document.body.firstChild) document.body.removeChild(document.body.firstChild);
    jest.clearAllMocks();
});

describe('c-kosmos-step-up', () => {
    it('allows at once below the threshold and never calls the gateway', async () => {
        gateway();
        const { el, events, $ } = mount({ amount: 9999.99, currency: 'USD' });
        const decision = (await eventOf(events, 'gatedecision')).detail;
        expect(decision.decision).toBe('allow');
        await waitFor(() => $('.message-title'), 'the message');
        expect($('.message-title').textContent).toBe('No extra verification needed');
        expect($('.start-button')).toBeNull();
        expect($('.challenge')).toBeNull();
        expect(gatewayCalls()).toBe(0);
        expect(el.validate()).toEqual({ isValid: true });
        expect(el.decision).toBe('allow');
    });

    it('asks for a step-up above the threshold, starts it through Apex, and passes only after confirmStepUp', async () => {
        gateway({ reads: [answer('step_up_result_pending'), answer('step_up_result_match')] });
        const { el, events, $ } = mount({ amount: 10000.01, currency: 'USD' });
        const decision = (await eventOf(events, 'gatedecision')).detail;
        expect(decision).toMatchObject({ decision: 'step_up', rule: 'step-up-above-threshold', step_up: { max_age_s: 300 } });
        await waitFor(() => $('.start-button'), 'the start button');
        expect($('.start-button').textContent).toBe('Verify with LiveID');
        expect($('[role="status"]').textContent).toMatch(/needs a LiveID step-up/);
        expect(el.validate().isValid).toBe(false);
        expect(gatewayCalls()).toBe(0);

        $('.start-button').click();
        await waitFor(() => $('.challenge-heading'), 'the challenge');
        expect($('a.challenge-link').href).toBe(CHALLENGE.challenge_url);
        expect($('path.qr-modules').getAttribute('d')).toMatch(/^M\d+ \d+h\d+v1h-\d+z/);
        const done = (await eventOf(events, 'stepupcomplete')).detail;
        expect(done).toMatchObject({ kind: 'step_up', challenge_id: CHALLENGE.challenge_id, match_result: 'match', confidence: 0.97, status: 'completed', confirmed: true });
        expect(done.verdict).toEqual(FIXTURES.step_up_result_match.response.body.verdict);
        expect(el.verified).toBe(true);
        expect(el.confidence).toBe('0.97');
        expect(el.validate()).toEqual({ isValid: true });
        // The user is Apex's running user: the browser sends no user identifier.
        expect(calls(startStepUp)).toEqual([{ action: expect.stringMatching(/^Funds transfer of .*10,000\.01.* \(Opportunity 006000000000001AAA\)$/), recordId: '006000000000001AAA' }]);
        expect(calls(readStepUp)).toEqual([{ challengeId: CHALLENGE.challenge_id }, { challengeId: CHALLENGE.challenge_id }]);
        expect(calls(confirmStepUp)).toEqual([{ challengeId: CHALLENGE.challenge_id }]);
        expect(events.filter((e) => e.type === 'lightning__flowattributechange').length).toBeGreaterThanOrEqual(4);
    });

    it('does not accept a step-up that passed only in the browser: the server re-check decides', async () => {
        // The read the browser sees says match; Apex's own re-read of the Worker says no_match.
        gateway({ reads: [answer('step_up_result_match')], confirm: confirmation('step_up_result_no_match') });
        const { el, events, $ } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed).toMatchObject({ reason: 'not_confirmed', challenge_id: CHALLENGE.challenge_id });
        expect(failed.message).toMatch(/server did not confirm the verification \(no_match\)/);
        expect(calls(confirmStepUp)).toEqual([{ challengeId: CHALLENGE.challenge_id }]);
        await waitFor(() => $('.retry-button'), 'the retry button');
        expect($('.message-title').textContent).toBe('Not confirmed');
        expect(events.some((e) => e.type === 'stepupcomplete')).toBe(false);
        expect(el.verified).toBe(false);
        // Nor can a script on the page set it.
        el.verified = true;
        expect(el.verified).toBe(false);
        expect(el.validate().isValid).toBe(false);
    });

    it('a confirmation that is not exactly allowed: true does not pass', async () => {
        gateway({ confirm: { allowed: 'true', verdict: answer('step_up_result_match').verdict } });
        const { el, events } = mount({ amount: 50000, autoStart: true });
        expect((await eventOf(events, 'stepupfailed')).detail.reason).toBe('not_confirmed');
        expect(el.verified).toBe(false);
    });

    it('decides again, once, when the action changes', async () => {
        gateway();
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
        gateway();
        const { events } = mount({ amount: 5, currency: 'EUR' });
        expect((await eventOf(events, 'gatedecision')).detail).toMatchObject({ decision: 'step_up', rule: 'other-currency' });
    });

    it('reads the amount from the record field on a record page', async () => {
        gateway();
        const { events } = mount({ amountField: 'Amount', autoStart: false });
        await waitFor(() => getRecord.getLastConfig(), 'the getRecord wire');
        expect(getRecord.getLastConfig()).toEqual({ recordId: '006000000000001AAA', optionalFields: ['Opportunity.Amount'] });
        expect(events).toEqual([]);
        getRecord.emit({ apiName: 'Opportunity', id: '006000000000001AAA', fields: { Amount: { value: 20000 } } });
        const decision = (await eventOf(events, 'gatedecision')).detail;
        expect(decision.decision).toBe('step_up');
        expect(decision.action.amount).toBe(20000);
    });

    it('reports a no-match with stepupfailed, never asks for a confirmation, and the retry starts a new challenge', async () => {
        const second = { challenge_id: 'chl_0000000000000002', challenge_url: CHALLENGE.challenge_url.replace(/1$/, '2') };
        startStepUp.mockImplementation(inTurn(answer('step_up_created'), second));
        // The first challenge ends in no_match; the second stays pending so it stays on screen.
        readStepUp.mockImplementation(inTurn(answer('step_up_result_no_match'), answer('step_up_result_pending')));
        const { el, events, $ } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed).toMatchObject({ reason: 'no_match', match_result: 'no_match', confidence: 0.12, challenge_id: CHALLENGE.challenge_id });
        expect(failed.verdict).toEqual(FIXTURES.step_up_result_no_match.response.body.verdict);
        await waitFor(() => $('.retry-button'), 'the retry button');
        expect($('.message-title').textContent).toBe('Not verified: no match');
        expect(el.verified).toBe(false);
        expect(confirmStepUp).not.toHaveBeenCalled();
        $('.retry-button').click();
        await waitFor(() => startStepUp.mock.calls.length === 2, 'a second start');
        await waitFor(() => $('.challenge-heading'), 'the new challenge');
        expect($('a.challenge-link').href).toBe(second.challenge_url);
    });

    it('shows the Worker error Apex passed on, and the retry resumes reading the same challenge', async () => {
        gateway({ reads: [answer('step_up_result_not_found', 'unknown challenge_id'), answer('step_up_result_match')] });
        const { events, $ } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed).toMatchObject({ reason: 'worker', code: 'not_found', retryable: true });
        await waitFor(() => $('[role="alert"]'), 'the alert');
        expect($('.error-text').textContent).toBe('The verification service refused the request (not_found): unknown challenge_id.');
        $('.retry-button').click();
        await eventOf(events, 'stepupcomplete');
        expect(startStepUp).toHaveBeenCalledTimes(1);
        expect(calls(readStepUp).every((c) => c.challengeId === CHALLENGE.challenge_id)).toBe(true);
    });

    it('a failed start (1Kosmos down: upstream_unavailable) is shown with a retry; the component does not retry by itself', async () => {
        // The Worker's 503 upstream_unavailable (the fixture is an IDV start's; a step-up start answers the same error).
        startStepUp.mockImplementation(inTurn(answer('idv_upstream_unavailable', '1Kosmos is unavailable; retry later'), answer('step_up_created')));
        readStepUp.mockImplementation(inTurn(answer('step_up_result_match')));
        confirmStepUp.mockImplementation(inTurn(confirmation('step_up_result_match')));
        const { events, $ } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed).toMatchObject({ reason: 'worker', code: 'upstream_unavailable' });
        await new Promise((r) => setTimeout(r, 50));
        expect(startStepUp).toHaveBeenCalledTimes(1);
        await waitFor(() => $('.retry-button'), 'the retry button');
        $('.retry-button').click();
        await eventOf(events, 'stepupcomplete');
        expect(startStepUp).toHaveBeenCalledTimes(2);
    });

    it('a Worker that refuses the signature shows the code and the admin hint', async () => {
        gateway({ start: answer('wrong_signature', 'no signature matched (set the HmacSecret parameter of the Kosmos_Worker_Principal principal)') });
        const { events, $ } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed).toMatchObject({ reason: 'worker', code: 'no_matching_signature' });
        await waitFor(() => $('.error-text'), 'the error');
        expect($('.error-text').textContent).toMatch(/HmacSecret/);
    });

    it('an Apex call that throws is an apex error, not a pass', async () => {
        gateway();
        confirmStepUp.mockImplementation(async () => {
            throw { status: 500, body: { message: 'You do not have access to the Apex class named KosmosGateway.' } };
        });
        const { el, events } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed.reason).toBe('apex');
        expect(failed.message).toMatch(/do not have access to the Apex class/);
        expect(el.verified).toBe(false);
    });

    it('a gateway call that never answers ends in a timeout', async () => {
        gateway();
        startStepUp.mockImplementation(() => new Promise(() => {}));
        const { events } = mount({ amount: 50000, autoStart: true, requestTimeoutMs: 50 });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed.reason).toBe('timeout');
        expect(failed.message).toMatch(/did not answer within 1 second/);
    });

    it('stops reading when removed from the page', async () => {
        gateway({ reads: [answer('step_up_result_pending')] });
        const { el, events } = mount({ amount: 50000, autoStart: true });
        await waitFor(() => readStepUp.mock.calls.length >= 2, 'reading');
        document.body.removeChild(el);
        await new Promise((r) => setTimeout(r, 30));
        const seen = readStepUp.mock.calls.length;
        await new Promise((r) => setTimeout(r, 100));
        expect(readStepUp.mock.calls.length).toBe(seen);
        expect(events.some((e) => e.type === 'stepupfailed' || e.type === 'stepupcomplete')).toBe(false);
    });

    it('refuses a challenge URL that is not https', async () => {
        gateway({ start: { ...answer('step_up_created'), challenge_url: 'javascript:alert(1)' } });
        const { events, $ } = mount({ amount: 50000, autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed.reason).toBe('bad_response');
        expect($('a.challenge-link')).toBeNull();
    });

    it('runs identity verification through startIdv / readIdv / confirmIdv at the required IAL', async () => {
        startIdv.mockImplementation(inTurn(answer('idv_created')));
        readIdv.mockImplementation(inTurn(answer('idv_result_pending'), answer('idv_result_completed')));
        confirmIdv.mockImplementation(inTurn(confirmation('idv_result_completed')));
        const { el, events, $ } = mount({ amount: '250000.00', verifyAbove: '100000', autoStart: true });
        expect((await eventOf(events, 'gatedecision')).detail).toMatchObject({ decision: 'verify_identity', required_ial: 'IAL2' });
        const done = (await eventOf(events, 'stepupcomplete')).detail;
        const session = FIXTURES.idv_created.response.body;
        expect(done).toMatchObject({ kind: 'idv', session_id: session.session_id, ial_level: 'IAL2', status: 'completed', confirmed: true });
        expect(calls(startIdv)).toEqual([{ documentTypes: 'passport,drivers_license,id_card', livenessMode: 'active', recordId: '006000000000001AAA' }]);
        expect(calls(readIdv)).toEqual([
            { sessionId: session.session_id, requiredIal: 'IAL2' },
            { sessionId: session.session_id, requiredIal: 'IAL2' }
        ]);
        expect(calls(confirmIdv)).toEqual([{ sessionId: session.session_id, requiredIal: 'IAL2' }]);
        expect($('.message-text').textContent).toMatch(/Identity verified at IAL2/);
        expect(el.verified).toBe(true);
    });

    it('an IDV below the required IAL is not verified (the core\'s verdict, passed on by Apex)', async () => {
        startIdv.mockImplementation(inTurn(answer('idv_created')));
        readIdv.mockImplementation(inTurn(answer('idv_result_below_required')));
        const { el, events } = mount({ amount: '250000.00', verifyAbove: '100000', requiredIal: 'IAL3', autoStart: true });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed).toMatchObject({ kind: 'idv', reason: 'not_verified', ial_level: 'IAL2' });
        expect(failed.verdict).toEqual({ final: true, outcome: 'rejected', reason: 'ial_below_required', required_ial: 'IAL3' });
        expect(calls(readIdv)[0].requiredIal).toBe('IAL3');
        expect(confirmIdv).not.toHaveBeenCalled();
        expect(el.verified).toBe(false);
    });

    it('names a bad threshold attribute', async () => {
        gateway();
        const { events, $ } = mount({ amount: 50000, stepUpAbove: 'ten thousand' });
        const failed = (await eventOf(events, 'stepupfailed')).detail;
        expect(failed.reason).toBe('config');
        await waitFor(() => $('.error-text'), 'the error');
        expect($('.error-text').textContent).toBe('Step-up threshold must be a number of at least 0, got "ten thousand".');
    });
});
