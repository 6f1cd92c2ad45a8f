// A Worker as a deployment would write it: verify a Standard Webhooks
// delivery, refuse replays through the Durable Object store (which decides),
// and keep a KV record of what was seen (a cache, eventually consistent).
import { createWebhookVerifier, verifyOnce, DurableObjectReplayStore, KvReplayStore, ReplayStoreObject } from '../../../pkg/workerd.js';

export { ReplayStoreObject };

let verifier;

export default {
  async fetch(request, env) {
    verifier ??= createWebhookVerifier({ scheme: 'standard', secrets: [env.WEBHOOK_SECRET] });
    const url = new URL(request.url);
    const now = Number(url.searchParams.get('now'));
    const store = url.pathname === '/kv' ? new KvReplayStore(env.KV) : new DurableObjectReplayStore(env.REPLAY, { shards: 4 });
    try {
      const body = new Uint8Array(await request.arrayBuffer());
      const result = await verifyOnce(store, verifier, request.headers, body, now);
      return Response.json(result, { status: result.duplicate ? 200 : 202 });
    } catch (e) {
      return Response.json({ code: e.code, message: e.message }, { status: e.code === 'internal' ? 500 : 400 });
    }
  },
};
