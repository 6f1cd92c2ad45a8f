// The operator's side of the local stack, for the playground: what an
// operator does in production with `wrangler kv key put policy ...`, here
// over loopback HTTP. The Worker itself never takes a policy from a caller:
// under `npm start` it reads its policy from its POLICY_KV binding (as a
// deployed Worker can), and this console writes that binding.
//
//   GET  /policy   -> { text, source, binding, key }
//   POST /policy   (the policy's JSON text) -> { saved: true, bytes }
//
// A browser may call POST only from the Worker's own origin (the page it
// serves); tools without an Origin header (tests, curl) may too.
import { apiError, readBody, sendJson, serve } from './http.mjs';

/** The Worker variables that make it read its policy from POLICY_KV on every request. */
export const POLICY_KV_VARS = { POLICY: '', POLICY_KV_TTL_S: '0' };
/** The miniflare options that bind POLICY_KV. */
export const POLICY_KV_MINIFLARE = { kvNamespaces: ['POLICY_KV'] };
const KEY = 'policy';

/**
 * Starts the console on 127.0.0.1. Call `attach(worker, source)` once the
 * Worker runs (`worker` from www/worker/dev.mjs startWorker, started with
 * POLICY_KV_VARS and POLICY_KV_MINIFLARE); `source` is `{ name, text }`, the
 * policy it starts with.
 */
export async function startOperator({ port = 0 } = {}) {
  let kv;
  let origin;
  let source = 'not set yet';
  const server = await serve(async (req, res, url) => {
    if (url.pathname !== '/policy') throw apiError(404, 'not_found', 'no such endpoint');
    if (!kv) throw apiError(503, 'not_ready', 'the worker is not running yet');
    if (req.method === 'GET') {
      return sendJson(res, 200, { text: await kv.get(KEY), source, binding: 'POLICY_KV', key: KEY });
    }
    if (req.method === 'POST') {
      const from = req.headers.origin;
      if (from !== undefined && from !== origin) throw apiError(403, 'origin_not_allowed', 'only the worker\'s own page may change its policy');
      const text = await readBody(req, 256 * 1024);
      try {
        JSON.parse(text);
      } catch {
        throw apiError(400, 'invalid_json', 'the policy is not JSON');
      }
      await kv.put(KEY, text);
      source = `edited in the playground at ${new Date().toISOString().slice(11, 19)} UTC`;
      return sendJson(res, 200, { saved: true, bytes: Buffer.byteLength(text) });
    }
    throw apiError(405, 'method_not_allowed', `${req.method} is not allowed here`);
  }, { port });
  return {
    url: server.url,
    /** Binds the console to the running Worker and stores its first policy. */
    async attach(worker, first) {
      kv = await worker.mf.getKVNamespace('POLICY_KV');
      origin = worker.url;
      await kv.put(KEY, first.text);
      source = `from ${first.name}`;
    },
    close: () => server.close(),
  };
}
