// A small, faithful stand-in for the kosmos-connect Worker's verification
// endpoints (the HTTP contract in the shared briefing), for the component
// tests until the real Worker and its 1Kosmos stand-in are on main:
//   POST /v1/descope/step-up         { user_identifier, action?, metadata? } -> { challenge_id, challenge_url }
//                                    (`action`: text describing what the user confirms, as the Worker reads it)
//   POST /v1/descope/step-up-result  { challenge_id }             -> { status, match_result, confidence }
//   POST /v1/descope/idv             { document_types, liveness_mode, user_identifier?, metadata? } -> { session_id, session_url }
//   POST /v1/descope/idv-result      { session_id }               -> { status, ial_level, verified_claims }
//   errors: { error: { code, message, field? } } with the HTTP status.
// CORS like a Worker serving a Lightning origin. Deterministic users:
//   match@test    step-up: pending for `pendingPolls` polls, then completed / match / 0.97;
//                 IDV: pending, then completed at IAL2
//   nomatch@test  step-up: pending once, then completed / no_match / 0.12
//   timeout@test  never completes
//   expired@test  pending once, then expired
//   flaky@test    the first start answers 503, later ones behave like match@test
//   slow@test     the start answers after `slowMs`
// Loopback only.
import { createServer } from 'node:http';

const LOOPBACK = '127.0.0.1';

function send(res, status, body, origin) {
    res.writeHead(status, {
        'content-type': 'application/json',
        'access-control-allow-origin': origin || '*',
        vary: 'origin'
    });
    res.end(JSON.stringify(body));
}

const isStringMap = (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

function error(res, status, code, message, field, origin) {
    send(res, status, { error: field ? { code, message, field } : { code, message } }, origin);
}

/**
 * Starts the stand-in on a random loopback port. Returns `{ origin, requests, close }`:
 * `requests` lists every request as `{ path, body }`.
 */
export async function startStepUpStandIn({ pendingPolls = 2, slowMs = 5000 } = {}) {
    const requests = [];
    const challenges = new Map();
    const starts = new Map();
    let seq = 0;
    const server = createServer((req, res) => {
        const origin = req.headers.origin;
        if (req.method === 'OPTIONS') {
            res.writeHead(204, {
                'access-control-allow-origin': origin || '*',
                'access-control-allow-methods': 'POST',
                'access-control-allow-headers': 'content-type, accept',
                'access-control-max-age': '600',
                vary: 'origin'
            });
            res.end();
            return;
        }
        const path = new URL(req.url, 'http://x').pathname;
        if (req.method !== 'POST') {
            error(res, 405, 'method_not_allowed', 'use POST', undefined, origin);
            return;
        }
        let raw = '';
        req.setEncoding('utf8');
        req.on('data', (c) => (raw += c));
        req.on('end', () => {
            let body;
            try {
                body = JSON.parse(raw);
            } catch {
                error(res, 400, 'invalid_json', 'the body is not json', undefined, origin);
                return;
            }
            requests.push({ path, body });
            if (typeof body !== 'object' || body === null || Array.isArray(body)) {
                error(res, 400, 'invalid_request', 'the body must be a json object', undefined, origin);
                return;
            }
            route(path, body, res, origin);
        });
    });

    function start(kind, user, res, origin, body) {
        const n = (starts.get(user) ?? 0) + 1;
        starts.set(user, n);
        if (user === 'flaky@test' && n === 1) {
            error(res, 503, 'upstream_unavailable', '1kosmos did not answer', undefined, origin);
            return;
        }
        seq += 1;
        const id = `${kind === 'idv' ? 'ses' : 'chl'}_${String(seq).padStart(6, '0')}`;
        challenges.set(id, { kind, user, polls: 0, body });
        const answer =
            kind === 'idv'
                ? { session_id: id, session_url: `https://idv.1kosmos.test/s/${id}` }
                : { challenge_id: id, challenge_url: `https://liveid.1kosmos.test/c/${id}` };
        if (user === 'slow@test') setTimeout(() => send(res, 200, answer, origin), slowMs);
        else send(res, 200, answer, origin);
    }

    function route(path, body, res, origin) {
        if (path === '/v1/descope/step-up') {
            if (typeof body.user_identifier !== 'string' || !body.user_identifier) {
                error(res, 400, 'invalid_request', '`user_identifier` is required', 'user_identifier', origin);
                return;
            }
            if (body.action !== undefined && body.action !== null && typeof body.action !== 'string') {
                error(res, 400, 'invalid_input', '`action` must be a string describing what the user confirms', 'action', origin);
                return;
            }
            if (body.metadata !== undefined && !isStringMap(body.metadata)) {
                error(res, 400, 'invalid_input', '`metadata` must be an object of strings', 'metadata', origin);
                return;
            }
            start('step_up', body.user_identifier, res, origin, body);
            return;
        }
        if (path === '/v1/descope/idv') {
            if (!Array.isArray(body.document_types) || body.document_types.length === 0) {
                error(res, 400, 'invalid_request', '`document_types` must be a non-empty array', 'document_types', origin);
                return;
            }
            if (body.liveness_mode !== 'active' && body.liveness_mode !== 'passive') {
                error(res, 400, 'invalid_request', '`liveness_mode` must be `active` or `passive`', 'liveness_mode', origin);
                return;
            }
            if (body.metadata !== undefined && !isStringMap(body.metadata)) {
                error(res, 400, 'invalid_input', '`metadata` must be an object of strings', 'metadata', origin);
                return;
            }
            start('idv', body.user_identifier ?? '', res, origin, body);
            return;
        }
        const resultOf = { '/v1/descope/step-up-result': ['step_up', 'challenge_id'], '/v1/descope/idv-result': ['idv', 'session_id'] }[path];
        if (!resultOf) {
            error(res, 404, 'not_found', `no route \`${path}\``, undefined, origin);
            return;
        }
        const [kind, field] = resultOf;
        const id = body[field];
        if (typeof id !== 'string' || !id) {
            error(res, 400, 'invalid_request', `\`${field}\` is required`, field, origin);
            return;
        }
        const c = challenges.get(id);
        if (!c || c.kind !== kind) {
            error(res, 404, 'not_found', `unknown ${field} \`${id}\``, field, origin);
            return;
        }
        c.polls += 1;
        send(res, 200, kind === 'idv' ? idvResult(c) : stepUpResult(c), origin);
    }

    function stepUpResult(c) {
        const pending = { status: 'pending', match_result: null, confidence: null };
        switch (c.user) {
            case 'nomatch@test':
                return c.polls <= 1 ? pending : { status: 'completed', match_result: 'no_match', confidence: 0.12 };
            case 'timeout@test':
                return pending;
            case 'expired@test':
                return c.polls <= 1 ? pending : { status: 'expired', match_result: null, confidence: null };
            default:
                return c.polls <= pendingPolls ? pending : { status: 'completed', match_result: 'match', confidence: 0.97 };
        }
    }

    function idvResult(c) {
        if (c.user === 'timeout@test' || c.polls <= pendingPolls) return { status: 'pending', ial_level: null, verified_claims: null };
        return {
            status: 'completed',
            ial_level: 'IAL2',
            verified_claims: {
                verification: { trust_framework: 'nist_800_63A', assurance_level: 'IAL2', evidence: [{ type: 'document', document_details: { type: 'passport' } }] },
                claims: { given_name: 'Dana', family_name: 'Advisor' }
            }
        };
    }

    await new Promise((resolve) => server.listen(0, LOOPBACK, resolve));
    return {
        origin: `http://${LOOPBACK}:${server.address().port}`,
        requests,
        close: () =>
            new Promise((resolve) => {
                server.closeAllConnections?.();
                server.close(() => resolve());
            })
    };
}
