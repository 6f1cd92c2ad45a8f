// A stand-in OF THE WORKER's step-up endpoints, kept only for what the real
// Worker (www/worker, in workerd) and the sandbox stand-ins (www/sandbox)
// cannot produce on demand; everything else in tests/js/lwc.test.js runs
// against the real Worker. The contract is the shared briefing's:
//   POST /v1/descope/step-up         { user_identifier, action?, metadata? } -> { challenge_id, challenge_url }
//   POST /v1/descope/step-up-result  { challenge_id }                       -> { status, match_result, confidence }
//   errors: { error: { code, message, field? } } with the HTTP status.
// Users:
//   expired@test  pending once, then expired (the sandbox has no expiring challenge)
//   slow@test     the start answers after `slowMs` (the sandbox cannot make the Worker slow)
//   anything else 404 `user_not_enrolled`
// CORS for any origin (it only ever runs on loopback, for tests).
import { createServer } from 'node:http';

const LOOPBACK = '127.0.0.1';
const USERS = new Set(['expired@test', 'slow@test']);

const isStringMap = (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

/**
 * Starts the stand-in on a random loopback port. Returns `{ origin, requests, close }`:
 * `requests` lists every POST as `{ path, body }`.
 */
export async function startStepUpStandIn({ slowMs = 5000 } = {}) {
    const requests = [];
    const challenges = new Map();
    let seq = 0;
    const server = createServer((req, res) => {
        const origin = req.headers.origin || '*';
        const send = (status, body) => {
            res.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': origin, vary: 'origin' });
            res.end(JSON.stringify(body));
        };
        const error = (status, code, message, field) => send(status, { error: field ? { code, message, field } : { code, message } });
        if (req.method === 'OPTIONS') {
            res.writeHead(204, {
                'access-control-allow-origin': origin,
                'access-control-allow-methods': 'POST',
                'access-control-allow-headers': 'content-type, idempotency-key',
                'access-control-max-age': '600',
                vary: 'origin'
            });
            res.end();
            return;
        }
        if (req.method !== 'POST') {
            error(405, 'method_not_allowed', 'use POST');
            return;
        }
        const path = new URL(req.url, 'http://x').pathname;
        let raw = '';
        req.setEncoding('utf8');
        req.on('data', (c) => (raw += c));
        req.on('end', () => {
            let body;
            try {
                body = JSON.parse(raw);
            } catch {
                error(400, 'invalid_json', 'the body is not json');
                return;
            }
            if (typeof body !== 'object' || body === null || Array.isArray(body)) {
                error(400, 'invalid_input', 'the body must be a json object');
                return;
            }
            requests.push({ path, body });
            if (path === '/v1/descope/step-up') {
                const user = body.user_identifier;
                if (typeof user !== 'string' || !user) return error(400, 'invalid_input', '`user_identifier` is required', 'user_identifier');
                if (body.action !== undefined && body.action !== null && typeof body.action !== 'string') {
                    return error(400, 'invalid_input', '`action` must be a string describing what the user confirms', 'action');
                }
                if (body.metadata !== undefined && !isStringMap(body.metadata)) return error(400, 'invalid_input', '`metadata` must be an object', 'metadata');
                if (!USERS.has(user)) return error(404, 'user_not_enrolled', 'this user has no LiveID enrollment');
                seq += 1;
                const id = `chl_${String(seq).padStart(6, '0')}`;
                challenges.set(id, { user, polls: 0 });
                const answer = { challenge_id: id, challenge_url: `https://liveid.1kosmos.test/c/${id}` };
                if (user === 'slow@test') setTimeout(() => send(200, answer), slowMs);
                else send(200, answer);
                return undefined;
            }
            if (path === '/v1/descope/step-up-result') {
                const c = typeof body.challenge_id === 'string' ? challenges.get(body.challenge_id) : undefined;
                if (!c) return error(404, 'not_found', '1Kosmos does not know this id');
                c.polls += 1;
                return send(200, c.polls <= 1 ? { status: 'pending', match_result: 'pending', confidence: null } : { status: 'expired', match_result: null, confidence: null });
            }
            return error(404, 'not_found', `no route \`${path}\``);
        });
    });
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
