// The component's side of the Apex gateway (KosmosGateway): the browser calls
// Apex, Apex calls the Worker through the Named Credential Kosmos_Worker
// (signed by the External Credential). Nothing here decides: the verdict on a
// result is the core's, as the Worker sends it and Apex passes it on, and the
// final "passed" is Apex's re-check (confirmStepUp / confirmIdv), never a
// value the browser computed. Retries of failed calls are the Worker's
// (its 1Kosmos client follows the core's retry policy); a call that fails
// here is shown to the user, who can try again.
//
// `api` is the set of imported @AuraEnabled methods, passed in, so the same
// code runs in Lightning, in the local test page and under Jest.

/** Why a gateway call failed. `kind` is stable (`worker`, `apex`, `timeout`, `bad_response`, `config`, `deadline`); `code` is the Worker's. */
export class GatewayError extends Error {
    constructor(kind, message, { code, field } = {}) {
        super(message);
        this.name = 'GatewayError';
        this.kind = kind;
        this.code = code;
        this.field = field;
    }
}

/** The two verification flows, by the gateway methods and the Worker's field names. */
export const FLOWS = {
    step_up: { start: 'startStepUp', read: 'readStepUp', confirm: 'confirmStepUp', idField: 'challenge_id', urlField: 'challenge_url' },
    idv: { start: 'startIdv', read: 'readIdv', confirm: 'confirmIdv', idField: 'session_id', urlField: 'session_url' }
};

function seconds(ms) {
    const s = Math.max(1, Math.round(ms / 1000));
    return s === 1 ? '1 second' : `${s} seconds`;
}

/** A link the component may show: https, or plain http on loopback (local testing). Display only: it decides nothing. */
export function isShowableUrl(text) {
    let url;
    try {
        url = new URL(text);
    } catch (e) {
        return false;
    }
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** The message of an Apex call that threw (Lightning rejects with `{ body: { message } }` or an array of them). */
function apexMessage(e) {
    const body = e && e.body;
    if (Array.isArray(body)) return body.map((b) => b && b.message).filter(Boolean).join('; ');
    if (body && typeof body.message === 'string') return body.message;
    return e && typeof e.message === 'string' ? e.message : String(e);
}

/**
 * Calls one gateway method with `params` and returns its answer object.
 * Throws GatewayError: `worker` (the Worker's `{ error: { code, message } }`,
 * passed on by Apex), `apex` (the Apex call itself failed), `timeout` (no
 * answer within `timeoutMs`; the page stops waiting, Apex may still finish),
 * `bad_response` (not an object), or `aborted` when `isCurrent()` turned
 * false while waiting (the component moved on).
 */
export async function callGateway(api, method, params, { timeoutMs = 10000, isCurrent = () => true } = {}) {
    const fn = api[method];
    if (typeof fn !== 'function') throw new GatewayError('config', `The gateway method ${method} is not available.`);
    let timer;
    const timeout = new Promise((resolve, reject) => {
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        timer = setTimeout(() => reject(new GatewayError('timeout', `The verification service did not answer within ${seconds(timeoutMs)}.`)), timeoutMs);
    });
    let answer;
    try {
        answer = await Promise.race([
            Promise.resolve()
                .then(() => fn(params))
                .catch((e) => {
                    throw new GatewayError('apex', `The verification service could not be called: ${apexMessage(e)}`);
                }),
            timeout
        ]);
    } finally {
        clearTimeout(timer);
    }
    if (!isCurrent()) throw new GatewayError('aborted', 'Cancelled.');
    if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) {
        throw new GatewayError('bad_response', 'The verification service sent an answer that is not an object.');
    }
    const err = answer.error;
    if (err && typeof err === 'object') {
        const detail = typeof err.message === 'string' && err.message ? `: ${err.message}` : '';
        throw new GatewayError('worker', `The verification service refused the request (${err.code || 'error'})${detail}.`, {
            code: typeof err.code === 'string' ? err.code : undefined,
            field: typeof err.field === 'string' ? err.field : undefined
        });
    }
    return answer;
}

/** Starts a verification; `params` as the gateway method takes them. Returns `{ id, url, raw }`. */
export async function startVerification(api, kind, params, options) {
    const flow = FLOWS[kind];
    if (!flow) throw new GatewayError('config', `Unknown verification kind ${kind}.`);
    const raw = await callGateway(api, flow.start, params, options);
    const id = raw[flow.idField];
    const url = raw[flow.urlField];
    if (typeof id !== 'string' || !id) throw new GatewayError('bad_response', `The verification service answered without a ${flow.idField}.`);
    if (typeof url !== 'string' || !isShowableUrl(url)) {
        throw new GatewayError('bad_response', `The verification service answered without a usable ${flow.urlField}.`);
    }
    return { id, url, raw };
}

/**
 * What the component shows for a result, from the verdict in it (the core's,
 * sent by the Worker, passed on by Apex): `{ final, outcome, verdict }`,
 * outcome `match` | `verified` (approved, still to be confirmed by Apex),
 * `no_match`, `not_verified` (IDV below the required IAL), `expired`,
 * `cancelled` or `failed`. An answer without a verdict is not final.
 */
export function outcomeOf(kind, result) {
    const verdict = result && typeof result.verdict === 'object' && result.verdict !== null ? result.verdict : undefined;
    if (!verdict || verdict.final !== true) return { final: false, verdict };
    if (verdict.outcome === 'approved') return { final: true, outcome: kind === 'step_up' ? 'match' : 'verified', verdict };
    const shown = { no_match: 'no_match', ial_below_required: 'not_verified', expired: 'expired', cancelled: 'cancelled' };
    return { final: true, outcome: shown[verdict.reason] || 'failed', verdict };
}

const pause = (ms) =>
    new Promise((resolve) => {
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        setTimeout(resolve, ms);
    });

/**
 * Reads the result through the gateway every `intervalMs` until its verdict
 * is final, `isCurrent()` turns false (GatewayError `aborted`) or
 * `deadlineMs` passes (GatewayError `deadline`). A failed read ends the wait
 * with its error. `onRead(result)` sees every answer. Returns `{ result, outcome, verdict }`.
 */
export async function waitForResult(api, kind, params, { intervalMs = 2000, deadlineMs, timeoutMs, isCurrent = () => true, onRead, now = () => Date.now(), sleep = pause }) {
    const flow = FLOWS[kind];
    const started = now();
    for (;;) {
        const left = deadlineMs - (now() - started);
        if (left <= 0) break;
        // eslint-disable-next-line no-await-in-loop
        const result = await callGateway(api, flow.read, params, { timeoutMs: Math.min(timeoutMs, left), isCurrent });
        if (onRead) onRead(result);
        const shown = outcomeOf(kind, result);
        if (shown.final) return { result, ...shown };
        const wait = Math.min(intervalMs, deadlineMs - (now() - started));
        if (wait <= 0) break;
        // eslint-disable-next-line no-await-in-loop
        await sleep(wait);
        if (!isCurrent()) throw new GatewayError('aborted', 'Cancelled.');
    }
    throw new GatewayError('deadline', `No result after ${seconds(deadlineMs)}.`);
}

/**
 * The server-side re-check before the component reports "passed": Apex
 * re-reads the result from the Worker and answers `{ allowed, verdict, reason }`.
 * Returns that answer; `allowed` is true only when Apex said exactly `true`.
 */
export async function confirmVerification(api, kind, params, options) {
    const answer = await callGateway(api, FLOWS[kind].confirm, params, options);
    return { ...answer, allowed: answer.allowed === true };
}
