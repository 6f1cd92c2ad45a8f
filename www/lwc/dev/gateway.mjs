// A stand-in of the org side of the component, for the local test page and
// the Chromium tests: what KosmosGateway.cls (with KosmosWorker.cls,
// KosmosVerdict.cls and the Named/External Credential Kosmos_Worker) does,
// written again in JavaScript from the Apex, so the component can run
// against the real Worker with DESCOPE_HMAC_SECRET set. Each @AuraEnabled
// method is `POST /apex/KosmosGateway/<method>` with its named parameters as
// JSON (what Lightning sends for an imperative Apex call); the page's
// '@salesforce/apex/KosmosGateway.<method>' modules call it
// (www/lwc/dev/stubs/apex.js). The running user is the session's
// (`x-kosmos-session-user`, set by the test page as a login would), never a
// parameter. The body is signed as the External Credential's header formula
// does: `x-descope-webhook-s256` = base64(HMAC-SHA256(secret, body)).
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GATEWAY_CLS = join(dirname(fileURLToPath(import.meta.url)), '..', 'force-app', 'main', 'default', 'classes', 'KosmosGateway.cls');

/** The @AuraEnabled methods of KosmosGateway.cls and their parameter names: a call to another method, or with another parameter, is refused. */
export function auraEnabledMethods(source = readFileSync(GATEWAY_CLS, 'utf8')) {
    return new Map(
        [...source.matchAll(/@AuraEnabled\s+public\s+static\s+[\w<>, ]+?\s(\w+)\(([^)]*)\)/g)].map((m) => [
            m[1],
            m[2].split(',').map((p) => p.trim().split(/\s+/).pop()).filter(Boolean)
        ])
    );
}

const TIMEOUT_MS = 20000;

/** KosmosWorker.hint: what an admin can do about an error code, appended to the Worker's message. */
const SIGNATURE_HINT = " (set the HmacSecret parameter of the Kosmos_Worker_Principal principal to the Worker's DESCOPE_HMAC_SECRET)";
const HINTS = {
    missing_signature: SIGNATURE_HINT,
    no_matching_signature: SIGNATURE_HINT,
    invalid_signature: SIGNATURE_HINT,
    upstream_unavailable: ' (1Kosmos is unavailable; try again in a few minutes)',
    upstream_auth_failed: " (the Worker's 1Kosmos API key was refused; ask whoever runs the Worker to rotate KOSMOS_API_KEY)"
};
const hint = (code) => (Object.hasOwn(HINTS, code) ? HINTS[code] : '');

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const blank = (v) => v === undefined || v === null || String(v).trim() === '';

/**
 * Starts the stand-in. `workerUrl`: the Worker's origin (the Named
 * Credential's Url); `secret`: the principal's HmacSecret (undefined: no
 * signature header, like a principal without the parameter); `allowOrigin`:
 * the test page's origin (Lightning serves the page and Apex from one
 * origin; here they are two, so CORS). `calls` records each method call,
 * `callouts` each request to the Worker.
 */
export async function startGateway({ workerUrl, secret, allowOrigin }) {
    const signatures = auraEnabledMethods();
    const state = { workerUrl, secret, calls: [], callouts: [] };

    /** KosmosWorker.post -> Answer */
    async function post(path, body) {
        const json = JSON.stringify(body);
        const headers = { 'content-type': 'application/json' };
        if (state.secret !== undefined) headers['x-descope-webhook-s256'] = createHmac('sha256', state.secret).update(json, 'utf8').digest('base64');
        let res;
        let text;
        try {
            res = await fetch(`${state.workerUrl}${path}`, { method: 'POST', headers, body: json, signal: AbortSignal.timeout(TIMEOUT_MS) });
            text = await res.text();
        } catch (e) {
            state.callouts.push({ path, body, status: undefined, signed: 'x-descope-webhook-s256' in headers });
            return {
                errorCode: 'callout_failed',
                errorMessage: `the call to the Worker failed (${e.message}); check the Named Credential Kosmos_Worker and that the user has the Kosmos Connect permission set`
            };
        }
        state.callouts.push({ path, body, status: res.status, signed: 'x-descope-webhook-s256' in headers });
        let parsed;
        try {
            parsed = JSON.parse(text);
        } catch {
            parsed = undefined;
        }
        if (!isObject(parsed)) {
            return {
                status: res.status,
                errorCode: 'invalid_answer',
                errorMessage: `the Worker answered HTTP ${res.status} without a JSON object; check that the Named Credential Kosmos_Worker points at the kosmos-connect Worker`
            };
        }
        const a = { status: res.status, body: parsed };
        if (res.status >= 200 && res.status < 300) return a;
        const e = isObject(parsed.error) ? parsed.error : undefined;
        a.errorCode = e && e.code != null ? String(e.code) : 'http_error';
        a.errorMessage = e && e.message != null ? String(e.message) : `the Worker answered HTTP ${res.status}`;
        a.errorField = e && e.field != null ? String(e.field) : undefined;
        a.errorMessage += hint(a.errorCode);
        return a;
    }

    /** KosmosGateway.answer */
    function answer(a) {
        if (a.errorCode === undefined) return a.body;
        const err = { code: a.errorCode, message: a.errorMessage };
        if (a.errorField !== undefined) err.field = a.errorField;
        return { error: err };
    }

    /** KosmosVerdict.fromBody(...).approved() and its reason. */
    function verdictOf(body) {
        const v = isObject(body) ? body.verdict : undefined;
        if (!isObject(v)) return { approved: false, reason: 'the Worker sent no verdict; update the kosmos-connect Worker' };
        return { approved: v.outcome === 'approved', reason: v.reason == null ? null : String(v.reason) };
    }

    const methods = {
        async decideRisk({ actionType, amount, currencyCode }) {
            const action = { type: actionType };
            if (amount != null) {
                action.amount = String(amount);
                action.currency = currencyCode;
            }
            return answer(await post('/v1/descope/risk', { action }));
        },
        async startStepUp({ action, recordId }, user) {
            const body = { user_identifier: user };
            if (!blank(action)) body.action = action;
            if (!blank(recordId)) body.metadata = { related_record_id: recordId };
            return answer(await post('/v1/descope/step-up', body));
        },
        // Every read names the running user, as at the start: the Worker answers only for that user's challenge or session.
        async readStepUp({ challengeId }, user) {
            return answer(await post('/v1/descope/step-up-result', { challenge_id: challengeId, user_identifier: user }));
        },
        async confirmStepUp({ challengeId }, user) {
            const a = await post('/v1/descope/step-up-result', { challenge_id: challengeId, user_identifier: user });
            if (a.errorCode !== undefined) return answer(a);
            const v = verdictOf(a.body);
            return { allowed: v.approved, verdict: a.body.verdict, reason: v.reason };
        },
        async startIdv({ documentTypes, livenessMode, recordId }, user) {
            const body = { document_types: documentTypes, liveness_mode: blank(livenessMode) ? 'passive' : livenessMode, user_identifier: user };
            if (!blank(recordId)) body.metadata = { related_record_id: recordId };
            return answer(await post('/v1/descope/idv', body));
        },
        async readIdv({ sessionId, requiredIal }, user) {
            const body = { session_id: sessionId, user_identifier: user };
            if (!blank(requiredIal)) body.required_ial = requiredIal;
            return answer(await post('/v1/descope/idv-result', body));
        },
        async confirmIdv(params, user) {
            const read = await methods.readIdv(params, user);
            if ('error' in read) return read;
            const v = verdictOf(read);
            // A level from the browser only tightens: approved at it, the session must also pass at the Worker's REQUIRED_IAL.
            if (v.approved && !blank(params.requiredIal)) {
                const floor = await methods.readIdv({ sessionId: params.sessionId }, user);
                if ('error' in floor) return floor;
                const f = verdictOf(floor);
                if (!f.approved) return { allowed: false, verdict: floor.verdict, reason: f.reason };
            }
            return { allowed: v.approved, verdict: read.verdict, reason: v.reason };
        }
    };

    const cors = (origin) =>
        origin && origin === state.allowOrigin
            ? { 'access-control-allow-origin': origin, 'access-control-allow-headers': 'content-type, x-kosmos-session-user', 'access-control-allow-methods': 'POST', vary: 'Origin' }
            : { vary: 'Origin' };
    state.allowOrigin = allowOrigin;

    const server = createServer(async (req, res) => {
        const headers = cors(req.headers.origin);
        const send = (status, body) => {
            res.writeHead(status, { ...headers, 'content-type': 'application/json' });
            res.end(JSON.stringify(body));
        };
        if (req.method === 'OPTIONS') {
            res.writeHead(204, headers).end();
            return;
        }
        const m = /^\/apex\/KosmosGateway\/([A-Za-z]+)$/.exec(new URL(req.url, 'http://x').pathname);
        if (req.method !== 'POST' || !m || !Object.hasOwn(methods, m[1]) || !signatures.has(m[1])) {
            send(404, { message: 'No such Apex method' });
            return;
        }
        const chunks = [];
        for await (const c of req) chunks.push(c);
        let params;
        try {
            params = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
            send(400, { message: 'the parameters are not JSON' });
            return;
        }
        const unknown = isObject(params) ? Object.keys(params).filter((k) => !signatures.get(m[1]).includes(k)) : [];
        if (unknown.length) {
            send(400, { message: `KosmosGateway.${m[1]} has no parameter ${unknown.join(', ')}` });
            return;
        }
        // UserInfo.getUserEmail(): the session's user.
        const user = req.headers['x-kosmos-session-user'] || null;
        state.calls.push({ method: m[1], params, user });
        try {
            send(200, await methods[m[1]](isObject(params) ? params : {}, user));
        } catch (e) {
            // An unhandled Apex exception reaches Lightning as an error with a message.
            send(500, { message: String(e && e.message) });
        }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${server.address().port}`;
    return { url, state, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
