// Replay stores for `verifyOnce`: one interface, three homes.
//
//   putIfAbsent(key, ttlSeconds) -> Promise<boolean>
//     true:  the key was absent and is now kept for at least ttlSeconds
//     false: the key is present (the message was seen before)
//
// - MemoryReplayStore: one process (Node servers, tests). Not shared.
// - DurableObjectReplayStore + ReplayStoreObject: Cloudflare Workers. Strongly
//   consistent: a Durable Object handles one request at a time, so the
//   check and the write cannot interleave. This is the store that decides.
// - KvReplayStore: Workers KV. Eventually consistent (a write can take up
//   to a minute to be seen elsewhere), so two deliveries of one message at
//   two locations may both pass. A cache of "seen", never the decider.
import { KosmosError } from '../errors.js';

function checkArgs(key, ttlSeconds) {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) {
    throw new KosmosError('invalid_argument', 'a replay key must be a string of 1 to 512 characters', { field: 'key' });
  }
  if (typeof ttlSeconds !== 'number' || !(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) {
    throw new KosmosError('invalid_argument', '`ttlSeconds` must be a positive number', { field: 'ttlSeconds' });
  }
}

/**
 * An in-memory replay store for one process. Expired keys are swept as new
 * ones arrive; past `maxEntries` the oldest entry is dropped (it is the
 * nearest to expiry when TTLs are alike).
 */
export class MemoryReplayStore {
  #entries = new Map();
  #now;
  #max;

  /** @param {{ now?: () => number, maxEntries?: number }} [options] `now` in milliseconds (tests) */
  constructor({ now = Date.now, maxEntries = 100_000 } = {}) {
    this.#now = now;
    this.#max = maxEntries;
  }

  /** The number of keys held (expired ones included until swept). */
  get size() {
    return this.#entries.size;
  }

  async putIfAbsent(key, ttlSeconds) {
    checkArgs(key, ttlSeconds);
    const now = this.#now();
    const until = this.#entries.get(key);
    if (until !== undefined && until > now) return false;
    if (until !== undefined) this.#entries.delete(key);
    if (this.#entries.size >= this.#max) this.#sweep(now);
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      this.#entries.delete(oldest);
    }
    this.#entries.set(key, now + ttlSeconds * 1000);
    return true;
  }

  #sweep(now) {
    for (const [k, until] of this.#entries) if (until <= now) this.#entries.delete(k);
  }
}

/**
 * A Workers KV replay store. KV is eventually consistent: use it to cache
 * "seen", not to decide (see DurableObjectReplayStore). KV keeps a key at
 * least 60 seconds, so shorter TTLs are raised to 60.
 */
export class KvReplayStore {
  #kv;
  #prefix;

  /** @param {{ get(key: string): Promise<string | null>, put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void> }} kv */
  constructor(kv, { prefix = 'replay:' } = {}) {
    if (!kv || typeof kv.get !== 'function' || typeof kv.put !== 'function') {
      throw new KosmosError('invalid_argument', '`kv` must be a Workers KV namespace', { field: 'kv' });
    }
    this.#kv = kv;
    this.#prefix = prefix;
  }

  async putIfAbsent(key, ttlSeconds) {
    checkArgs(key, ttlSeconds);
    const k = this.#prefix + key;
    if ((await this.#kv.get(k)) !== null) return false;
    await this.#kv.put(k, '1', { expirationTtl: Math.max(60, Math.ceil(ttlSeconds)) });
    return true;
  }
}

/** FNV-1a over UTF-16 code units: a stable shard for a key in every isolate. */
function shardOf(key, shards) {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

/**
 * The Durable Object replay store: keys are spread over `shards` instances
 * of the `ReplayStoreObject` class (by a hash of the key), each of which decides
 * alone for its keys. Strongly consistent: this store decides "seen before".
 */
export class DurableObjectReplayStore {
  #ns;
  #shards;
  #prefix;

  /** @param {DurableObjectNamespace} namespace the binding of a `ReplayStoreObject` class */
  constructor(namespace, { shards = 16, prefix = 'replay-' } = {}) {
    if (!namespace || typeof namespace.idFromName !== 'function' || typeof namespace.get !== 'function') {
      throw new KosmosError('invalid_argument', '`namespace` must be a Durable Object namespace binding', { field: 'namespace' });
    }
    if (!Number.isInteger(shards) || shards < 1 || shards > 1024) {
      throw new KosmosError('invalid_argument', '`shards` must be an integer from 1 to 1024', { field: 'shards' });
    }
    this.#ns = namespace;
    this.#shards = shards;
    this.#prefix = prefix;
  }

  async putIfAbsent(key, ttlSeconds) {
    checkArgs(key, ttlSeconds);
    const stub = this.#ns.get(this.#ns.idFromName(this.#prefix + shardOf(key, this.#shards)));
    const res = await stub.fetch('https://replay-store/put-if-absent', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key, ttl: ttlSeconds }),
    });
    if (!res.ok) throw new KosmosError('internal', `the replay guard answered ${res.status}`);
    const answer = await res.json();
    if (typeof answer.stored !== 'boolean') throw new KosmosError('internal', 'the replay guard answered without `stored`');
    return answer.stored;
  }
}

/**
 * The Durable Object class behind DurableObjectReplayStore. A Worker
 * exports it (`export { ReplayStoreObject } from 'kosmos-connect'`) and binds it
 * (wrangler: `durable_objects.bindings = [{ name = "REPLAY", class_name = "ReplayStoreObject" }]`
 * plus a migration with `new_sqlite_classes = ["ReplayStoreObject"]`).
 *
 * Each key is stored with its expiry; an alarm deletes expired keys.
 * Storage calls do not let another request in between the read and the
 * write (input gates), so one key is stored once.
 */
export class ReplayStoreObject {
  #storage;

  constructor(state) {
    this.#storage = state.storage;
  }

  async fetch(request) {
    const url = new URL(request.url);
    if (request.method !== 'POST' || url.pathname !== '/put-if-absent') {
      return new Response('not found', { status: 404 });
    }
    let input;
    try {
      input = await request.json();
      checkArgs(input.key, input.ttl);
    } catch {
      return Response.json({ error: 'expected { key, ttl }' }, { status: 400 });
    }
    return Response.json({ stored: await this.putIfAbsent(input.key, input.ttl) });
  }

  /** Also callable over RPC: true when `key` was absent and is now kept `ttlSeconds`. */
  async putIfAbsent(key, ttlSeconds) {
    checkArgs(key, ttlSeconds);
    const now = Date.now();
    const until = await this.#storage.get(key);
    if (typeof until === 'number' && until > now) return false;
    const expires = now + Math.ceil(ttlSeconds * 1000);
    await this.#storage.put(key, expires);
    const alarm = await this.#storage.getAlarm();
    if (alarm === null || alarm > expires) await this.#storage.setAlarm(expires);
    return true;
  }

  async alarm() {
    const now = Date.now();
    let next = null;
    let startAfter;
    for (;;) {
      const page = await this.#storage.list(startAfter === undefined ? { limit: 1000 } : { limit: 1000, startAfter });
      if (page.size === 0) break;
      const expired = [];
      for (const [key, until] of page) {
        startAfter = key;
        if (typeof until !== 'number' || until <= now) expired.push(key);
        else if (next === null || until < next) next = until;
      }
      for (let i = 0; i < expired.length; i += 128) await this.#storage.delete(expired.slice(i, i + 128));
      if (page.size < 1000) break;
    }
    if (next !== null) await this.#storage.setAlarm(next);
  }
}
