// A BlockID tenant DocuVerify stand-in (the `blockid-tenant` profile) on
// 127.0.0.1: the encrypted envelope that 1Kosmos's helper SDKs use. It holds
// its own key pair, opens each request with the
// caller's `publickey`, checks the sealed `licensekey` and `requestid`
// (fresh `ts`, `uuid` never seen before), and answers sealed
// `{"data": ...}`, as the service does:
//
//   GET  /publickeys                      -> { publicKey }
//   POST /document_share_session/create   data { dvcID, sessionRequest: { tenantDNS, communityName, documentType, userUID, did } }
//                                          -> data { sessionId, url }
//   POST /document_share_session/result   data { dvcID, sessionId } -> data { responseStatus, <documentType>: {...}, ial_level }
//
// Test identities by `userUID` (the Worker passes `user_identifier`):
// `declined@test` declined at the second read, `timeout@test` in progress
// forever, anyone else completed at IAL2 at the third read.
//
// The envelope (ECDH, AES-256-GCM with a 16-byte IV) is node:crypto's, in
// ./envelope.mjs, written from the wire format and independent of the
// package: what the Worker seals with the core this stand-in opens without it,
// and the reverse. `state.opened` counts what it opened, `state.refused` what
// did not authenticate.
import { randomBytes } from 'node:crypto';
import { envelope, envelopeKeyPair } from './envelope.mjs';
import { apiError, readBody, sendJson, serve } from './http.mjs';

const OBJECTS = new Set(['dl_object', 'ppt_object', 'idcard_object']);

/**
 * Starts the stand-in.
 * @param {{ licenseKey?: string, dvcId?: string, curve?: 'secp256k1' | 'p256', port?: number }} [options]
 */
export async function startBlockId(options = {}) {
  const curve = options.curve ?? 'secp256k1';
  const licenseKey = options.licenseKey ?? 'sandbox-license-key';
  const dvcId = options.dvcId ?? 'sandbox-dvc';
  const pair = envelopeKeyPair(curve);
  const state = { sessions: new Map(), seenRequestIds: new Set(), requests: 0, opened: 0, refused: 0 };
  const open = (peer, sealed, what) => {
    let text;
    try {
      text = envelope(curve, pair.privateKey, peer).open(sealed);
    } catch {
      state.refused += 1;
      throw apiError(401, 'unauthorized', `${what} could not be opened`);
    }
    state.opened += 1;
    return text;
  };
  const seal = (peer, value) => envelope(curve, pair.privateKey, peer).seal(JSON.stringify(value));
  let base;

  function authenticate(req) {
    const peer = req.headers.publickey;
    if (!peer || !req.headers.licensekey || !req.headers.requestid) throw apiError(401, 'unauthorized', 'publickey, licensekey and requestid are required');
    if (open(peer, req.headers.licensekey, 'licensekey') !== licenseKey) throw apiError(401, 'unauthorized', 'the license key is not valid');
    let rid;
    try {
      rid = JSON.parse(open(peer, req.headers.requestid, 'requestid'));
    } catch (e) {
      if (e.status) throw e;
      throw apiError(400, 'invalid_request', 'requestid is not JSON');
    }
    if (typeof rid.ts !== 'number' || Math.abs(Date.now() / 1000 - rid.ts) > 300) throw apiError(401, 'unauthorized', 'requestid is stale');
    if (typeof rid.uuid !== 'string' || typeof rid.appid !== 'string') throw apiError(400, 'invalid_request', 'requestid needs ts, appid and uuid');
    if (state.seenRequestIds.has(rid.uuid)) throw apiError(409, 'conflict', 'requestid was used before');
    state.seenRequestIds.add(rid.uuid);
    return peer;
  }

  async function payload(req, peer) {
    let outer;
    try {
      outer = JSON.parse(await readBody(req));
    } catch {
      throw apiError(400, 'invalid_request', 'the body is not JSON');
    }
    if (typeof outer?.data !== 'string') throw apiError(400, 'invalid_request', '`data` is required');
    const text = open(peer, outer.data, 'data');
    try {
      return JSON.parse(text);
    } catch {
      throw apiError(400, 'invalid_request', 'data is not JSON');
    }
  }

  function resultOf(s) {
    s.reads += 1;
    const out = { sessionId: s.id };
    if (s.user === 'timeout@test') return { ...out, responseStatus: s.reads > 1 ? 'inprogress' : 'created' };
    if (s.user === 'declined@test') return { ...out, responseStatus: s.reads >= 2 ? 'declined' : 'created' };
    if (s.reads < 3) return { ...out, responseStatus: s.reads > 1 ? 'inprogress' : 'created' };
    return {
      ...out,
      responseStatus: 'success',
      ial_level: 'IAL2',
      [s.documentType]: {
        firstName: 'Test', lastName: 'User', dob: '19900101', doi: '20210115', doe: '20310114',
        documentId: 'TEST-0000-0000', issuingCountry: 'US', city: 'Springfield', state: 'IL', zipCode: '62701', country: 'US',
      },
    };
  }

  async function handle(req, res, url) {
    const path = url.pathname;
    if (req.method === 'GET' && path === '/publickeys') return sendJson(res, 200, { publicKey: pair.publicKey });
    if (req.method === 'POST' && (path === '/document_share_session/create' || path === '/document_share_session/result')) {
      state.requests += 1;
      const peer = authenticate(req);
      const p = await payload(req, peer);
      if (p.dvcID !== dvcId) throw apiError(400, 'invalid_request', '`dvcID` is not this tenant\'s');
      if (path.endsWith('/create')) {
        const r = p.sessionRequest ?? {};
        if (!OBJECTS.has(r.documentType)) throw apiError(400, 'invalid_request', '`documentType` must be dl_object, ppt_object or idcard_object', 'documentType');
        for (const f of ['tenantDNS', 'communityName', 'userUID', 'did']) {
          if (typeof r[f] !== 'string' || r[f] === '') throw apiError(400, 'invalid_request', `\`${f}\` is required`, f);
        }
        const s = { id: randomBytes(12).toString('hex'), user: r.userUID, documentType: r.documentType, reads: 0 };
        state.sessions.set(s.id, s);
        return sendJson(res, 200, { data: seal(peer, { sessionId: s.id, url: `${base}/d/${s.id}` }) });
      }
      const s = state.sessions.get(p.sessionId);
      if (!s) return sendJson(res, 404, { data: seal(peer, { code: 'not_found', message: 'no such session' }) });
      return sendJson(res, 200, { data: seal(peer, resultOf(s)) });
    }
    throw apiError(404, 'not_found', 'no such endpoint');
  }

  const server = await serve(handle, { port: options.port ?? 0 });
  base = server.url;
  return {
    url: server.url,
    licenseKey,
    dvcId,
    curve,
    publicKey: pair.publicKey,
    state,
    /** The Worker's settings for this tenant, given the Worker's own key pair. */
    workerVars(workerPrivateKey) {
      return {
        KOSMOS_PROFILE: 'blockid-tenant',
        KOSMOS_TENANT: JSON.stringify({
          docuverify_url: server.url, service_public_key: pair.publicKey, curve, dvc_id: dvcId,
          tenant_dns: 'sandbox.1kosmos.net', community_name: 'sandbox',
        }),
        KOSMOS_LICENSE_KEY: licenseKey,
        KOSMOS_PRIVATE_KEY: workerPrivateKey,
      };
    },
    close: () => server.close(),
  };
}
