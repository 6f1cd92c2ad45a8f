// The kosmos-connect Worker's verification endpoints, as the component calls
// them: start a LiveID step-up (or an IDV session), then poll its result
// with backoff until it is final or the deadline passes. Every request has
// its own timeout (AbortController), so a slow or dead network ends in a
// WorkerError the component can show, never in a hang.
//
// Plain functions with `fetch`, `sleep` and `now` passed in, so the same
// code runs in Lightning, in the local test page and under Jest.

/** Why a call to the Worker failed. `kind` is stable, `message` is for people. */
export class WorkerError extends Error {
    constructor(kind, message, { status, code, retryable = false } = {}) {
        super(message);
        this.name = 'WorkerError';
        this.kind = kind;
        this.status = status;
        this.code = code;
        this.retryable = retryable;
    }
}

/** The two verification flows of the Worker contract, by the field names it answers with. */
export const FLOWS = {
    step_up: {
        start: '/v1/descope/step-up',
        result: '/v1/descope/step-up-result',
        idField: 'challenge_id',
        urlField: 'challenge_url'
    },
    idv: {
        start: '/v1/descope/idv',
        result: '/v1/descope/idv-result',
        idField: 'session_id',
        urlField: 'session_url'
    }
};

function seconds(ms) {
    const s = Math.max(1, Math.round(ms / 1000));
    return s === 1 ? '1 second' : `${s} seconds`;
}

/** http(s) URL check: https anywhere, plain http only on loopback (local testing). */
export function isSafeUrl(text) {
    let url;
    try {
        url = new URL(text);
    } catch (e) {
        return false;
    }
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** `base` + `path`, with exactly one slash between them. */
export function endpoint(base, path) {
    if (typeof base !== 'string' || !isSafeUrl(base)) {
        throw new WorkerError('config', 'The Worker URL is missing or not an https URL. An administrator sets it on the component.');
    }
    return base.replace(/\/+$/, '') + path;
}

/**
 * POSTs JSON and returns the parsed JSON answer. Throws WorkerError with kind
 * `timeout` (no answer within `timeoutMs`), `network` (no connection),
 * `aborted` (the caller's signal), `http` (an error status; `retryable` for
 * 408, 425, 429 and 5xx) or `bad_response` (not JSON).
 */
export async function postJson(fetchFn, url, body, { timeoutMs = 10000, signal } = {}) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    if (signal) {
        if (signal.aborted) controller.abort();
        else signal.addEventListener('abort', onAbort, { once: true });
    }
    try {
        let res;
        let text;
        try {
            res = await fetchFn(url, {
                method: 'POST',
                headers: { 'content-type': 'application/json', accept: 'application/json' },
                body: JSON.stringify(body),
                signal: controller.signal,
                credentials: 'omit'
            });
            text = await res.text();
        } catch (e) {
            if (timedOut) {
                throw new WorkerError('timeout', `The verification service did not answer within ${seconds(timeoutMs)}.`, { retryable: true });
            }
            if (signal && signal.aborted) throw new WorkerError('aborted', 'Cancelled.');
            throw new WorkerError('network', 'The verification service could not be reached. Check the connection and try again.', { retryable: true });
        }
        let json;
        try {
            json = text ? JSON.parse(text) : null;
        } catch (e) {
            json = undefined;
        }
        if (!res.ok) {
            const err = json && typeof json === 'object' && json.error && typeof json.error === 'object' ? json.error : {};
            const retryable = res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500;
            const detail = typeof err.message === 'string' && err.message ? `: ${err.message}` : '';
            throw new WorkerError('http', `The verification service answered ${res.status}${detail}.`, {
                status: res.status,
                code: typeof err.code === 'string' ? err.code : undefined,
                retryable
            });
        }
        if (json === undefined || json === null || typeof json !== 'object') {
            throw new WorkerError('bad_response', 'The verification service sent an answer that is not JSON.');
        }
        return json;
    } finally {
        clearTimeout(timer);
        if (signal) signal.removeEventListener('abort', onAbort);
    }
}

/**
 * Starts a verification: `kind` is `step_up` (body `{ user_identifier, action }`)
 * or `idv` (body `{ document_types, liveness_mode, user_identifier, metadata }`).
 * Returns `{ id, url, raw }` where `id`/`url` are the challenge (or session) id and URL.
 */
export async function startVerification(fetchFn, { workerUrl, kind, body, timeoutMs, signal }) {
    const flow = FLOWS[kind];
    if (!flow) throw new WorkerError('config', `Unknown verification kind ${kind}.`);
    const raw = await postJson(fetchFn, endpoint(workerUrl, flow.start), body, { timeoutMs, signal });
    const id = raw[flow.idField];
    const url = raw[flow.urlField];
    if (typeof id !== 'string' || !id) {
        throw new WorkerError('bad_response', `The verification service answered without a ${flow.idField}.`);
    }
    if (typeof url !== 'string' || !isSafeUrl(url)) {
        throw new WorkerError('bad_response', `The verification service answered without a usable ${flow.urlField}.`);
    }
    return { id, url, raw };
}

/**
 * Whether a result is final, and how it ended, as the kosmos-connect core
 * judges it (`kosmos.idvVerdict` / `kosmos.stepUpVerdict`: the same rule the
 * Worker applies to its answers and to the Salesforce records). Returns
 * `{ final, outcome, verdict }`, outcome being what the component shows:
 * `match` | `verified` (approved), `no_match` | `not_verified` (IDV
 * completed below `requiredIal`) | `expired` | `cancelled` | `failed`.
 */
export function classifyResult(kosmos, kind, result, requiredIal = 'IAL2') {
    const verdict = kind === 'step_up' ? kosmos.stepUpVerdict(result) : kosmos.idvVerdict(result, requiredIal);
    if (!verdict.final) return { final: false, verdict };
    if (verdict.outcome === 'approved') return { final: true, outcome: kind === 'step_up' ? 'match' : 'verified', verdict };
    const shown = { no_match: 'no_match', ial_below_required: 'not_verified', expired: 'expired', cancelled: 'cancelled' };
    return { final: true, outcome: shown[verdict.reason] || 'failed', verdict };
}

/** Delay before poll number `attempt` (0-based): initial * factor^attempt, capped. */
export function backoffDelay(attempt, { initialMs = 1000, factor = 1.5, maxMs = 5000 } = {}) {
    return Math.min(maxMs, Math.round(initialMs * Math.pow(factor, attempt)));
}

const realSleep = (ms, signal) =>
    new Promise((resolve, reject) => {
        if (signal && signal.aborted) {
            reject(new WorkerError('aborted', 'Cancelled.'));
            return;
        }
        const onAbort = () => {
            clearTimeout(t);
            reject(new WorkerError('aborted', 'Cancelled.'));
        };
        // eslint-disable-next-line @lwc/lwc/no-async-operation
        const t = setTimeout(() => {
            if (signal) signal.removeEventListener('abort', onAbort);
            resolve();
        }, ms);
        if (signal) signal.addEventListener('abort', onAbort, { once: true });
    });

/**
 * Polls the result endpoint until the result is final, the caller aborts,
 * or `deadlineMs` passes (WorkerError kind `deadline`). Transient failures
 * (timeouts, network errors, 429/5xx) are retried within the deadline; any
 * other error ends polling at once. `onPoll(result, attempt)` sees every
 * answer. `kosmos` is the kosmos-connect module (its verdicts decide). Returns
 * `{ result, outcome, verdict }`.
 */
export async function pollResult(fetchFn, options) {
    const {
        kosmos,
        workerUrl,
        kind,
        id,
        requiredIal,
        deadlineMs,
        requestTimeoutMs = 10000,
        backoff,
        signal,
        onPoll,
        sleep = realSleep,
        now = () => Date.now()
    } = options;
    const flow = FLOWS[kind];
    const url = endpoint(workerUrl, flow.result);
    const started = now();
    let lastError;
    for (let attempt = 0; ; attempt++) {
        const left = deadlineMs - (now() - started);
        if (left <= 0) break;
        try {
            // eslint-disable-next-line no-await-in-loop
            const result = await postJson(fetchFn, url, { [flow.idField]: id }, { timeoutMs: Math.min(requestTimeoutMs, left), signal });
            if (onPoll) onPoll(result, attempt);
            const c = classifyResult(kosmos, kind, result, requiredIal);
            if (c.final) return { result, outcome: c.outcome, verdict: c.verdict };
            lastError = undefined;
        } catch (e) {
            if (!(e instanceof WorkerError) || !e.retryable) throw e;
            lastError = e;
        }
        const wait = Math.min(backoffDelay(attempt, backoff), deadlineMs - (now() - started));
        if (wait <= 0) break;
        // eslint-disable-next-line no-await-in-loop
        await sleep(wait, signal);
    }
    const why = lastError ? ` (last error: ${lastError.message})` : '';
    throw new WorkerError('deadline', `No result after ${seconds(deadlineMs)}${why}.`, { retryable: true });
}
