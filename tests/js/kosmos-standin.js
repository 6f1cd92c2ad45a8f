// A local stand-in for 1Kosmos on 127.0.0.1 (Node only): the verify-v1 REST
// contract and a BlockID tenant's DocuVerify, the latter speaking the
// envelope with Node's own crypto (createECDH + aes-256-gcm, 16-byte IV), an
// implementation independent of the core. Answers carry CORS headers so a
// browser page on another loopback port can call it.
import { createServer } from 'node:http';
import { createCipheriv, createDecipheriv, createECDH, randomBytes } from 'node:crypto';

export const API_KEY = 'key_standin_SECRET';
export const LICENSE_KEY = 'lic-standin-SECRET';

/** Node-side envelope: seal/open with the raw shared x-coordinate as AES-256-GCM key. */
export function nodeEnvelope(curve, privateKey, peerPublicKeyB64) {
  const ecdh = createECDH(curve === 'p256' ? 'prime256v1' : curve);
  ecdh.setPrivateKey(privateKey);
  const key = ecdh.computeSecret(Buffer.concat([Buffer.from([4]), Buffer.from(peerPublicKeyB64, 'base64')]));
  return {
    seal(text) {
      const iv = randomBytes(16);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(text, 'utf8'), c.final()]);
      return Buffer.concat([iv, ct, c.getAuthTag()]).toString('base64');
    },
    open(b64) {
      const raw = Buffer.from(b64, 'base64');
      const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 16));
      d.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([d.update(raw.subarray(16, raw.length - 16)), d.final()]).toString('utf8');
    },
  };
}

/** A key pair made by Node: `{ ecdh, privateKey (Buffer), publicKey (base64, 64-byte form) }`. */
export function nodeKeyPair(curve) {
  const ecdh = createECDH(curve === 'p256' ? 'prime256v1' : curve);
  ecdh.generateKeys();
  return { ecdh, privateKey: ecdh.getPrivateKey(), publicKey: ecdh.getPublicKey().subarray(1).toString('base64') };
}

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': '*',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-expose-headers': 'retry-after',
};

/**
 * Starts the stand-in. `state.failNext` is a list of statuses to answer
 * (once each, in order) before serving normally; `state.requests` records
 * what arrived.
 */
export async function startStandIn({ curve = 'secp256k1' } = {}) {
  const service = nodeKeyPair(curve);
  const state = { failNext: [], requests: [], sessions: new Map(), byIdempotencyKey: new Map(), opened: [] };
  let counter = 0;

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url, 'http://127.0.0.1');
    const send = (status, obj, extra = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...CORS, ...extra });
      res.end(typeof obj === 'string' ? obj : JSON.stringify(obj));
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS).end();
      return;
    }
    state.requests.push({ method: req.method, path: url.pathname, headers: req.headers, body });
    if (state.failNext.length > 0) {
      const status = state.failNext.shift();
      send(status, { error: { message: `scripted ${status}` } }, status === 429 ? { 'retry-after': '0' } : {});
      return;
    }
    const path = url.pathname;

    // verify-v1
    if (path.startsWith('/v1/')) {
      if (req.headers.authorization !== `Bearer ${API_KEY}`) return send(401, { error: { message: 'bad api key' } });
      if (req.method === 'POST' && (path === '/v1/verify/sessions' || path === '/v1/liveid/challenges')) {
        if (req.headers['content-type'] !== 'application/json') return send(415, { error: { message: 'json only' } });
        const key = req.headers['idempotency-key'];
        if (!key) return send(400, { error: { message: 'idempotency-key required', field: 'idempotency-key' } });
        const input = JSON.parse(body);
        if (!state.byIdempotencyKey.has(key)) {
          counter += 1;
          const id = path.includes('verify') ? `ses_${counter}` : `ch_${counter}`;
          state.sessions.set(id, input);
          state.byIdempotencyKey.set(key, id);
        }
        const id = state.byIdempotencyKey.get(key);
        return path.includes('verify')
          ? send(201, { session_id: id, redirect_url: `https://verify.standin.example/s/${id}` })
          : send(201, { challenge_id: id, challenge_url: `https://liveid.standin.example/c/${id}` });
      }
      const m = /^\/v1\/(verify\/sessions|liveid\/challenges)\/([^/]+)$/.exec(path);
      if (req.method === 'GET' && m) {
        const id = decodeURIComponent(m[2]);
        if (id === 'slow') {
          await new Promise((r) => setTimeout(r, 1500));
          return send(200, { status: 'pending' });
        }
        if (!state.sessions.has(id)) return send(404, { error: { message: 'no such id' } });
        return m[1] === 'verify/sessions'
          ? send(200, {
              status: 'completed',
              ial_level: 'IAL2',
              verified_claims: {
                verification: { trust_framework: 'nist_800_63A', assurance_level: 'ial2', evidence: [{ type: 'document', check_details: [{ check_method: 'vdig' }], document_details: { type: 'passport' } }] },
                claims: { given_name: 'Ada' },
              },
            })
          : send(200, { status: 'completed', match_result: 'match', confidence: 0.97 });
      }
      return send(404, { error: { message: 'no route' } });
    }

    // BlockID DocuVerify
    if (path === '/docuverify/publickeys' && req.method === 'GET') return send(200, { publicKey: service.publicKey });
    if (req.method === 'POST' && path.startsWith('/docuverify/document_share_session/')) {
      let env;
      let payload;
      try {
        env = nodeEnvelope(curve, service.privateKey, req.headers.publickey);
        if (env.open(req.headers.licensekey) !== LICENSE_KEY) return send(401, { code: 401, message: 'bad license' });
        const rid = JSON.parse(env.open(req.headers.requestid));
        payload = JSON.parse(env.open(JSON.parse(body).data));
        state.opened.push({ requestid: rid, payload });
      } catch (e) {
        return send(400, { code: 400, message: `could not open the envelope: ${e.message}` });
      }
      if (path.endsWith('/create')) {
        counter += 1;
        const id = `dvs_${counter}`;
        state.sessions.set(id, payload);
        return send(200, { data: env.seal(JSON.stringify({ sessionId: id, url: `https://docs.standin.example/s/${id}` })) });
      }
      if (path.endsWith('/result')) {
        if (!state.sessions.has(payload.sessionId)) return send(404, { data: env.seal(JSON.stringify({ code: 404, message: 'no such session' })) });
        return send(200, {
          data: env.seal(JSON.stringify({
            responseStatus: 'SUCCESS',
            dl_object: { firstName: 'Ada', lastName: 'Lovelace', dob: '19901210', documentId: 'D1', face: 'AAAA' },
            liveid_object: { face: 'BBBB' },
          })),
        });
      }
    }
    return send(404, { error: { message: 'no route' } });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, state, service, close: () => new Promise((r) => server.close(r)) };
}
