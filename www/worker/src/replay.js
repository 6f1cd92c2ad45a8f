// Replay ids and idempotency keys: a strongly consistent store, as a Durable
// Object sharded by a hash of the id (each shard is one object, single-
// threaded, so claim-then-decide is atomic per id). Workers KV is eventually
// consistent and must never decide "seen before"; this does.
//
// Webhook deliveries go through three states:
//   (absent) --claim--> claimed (a lease) --finish--> done
//                          \--release--> (absent again, keeping steps done)
// A second delivery while claimed gets `busy` (the sender retries later); a
// delivery after `done` gets `done` (acknowledged, nothing published again).
// `steps` records which Salesforce steps succeeded, so a retry after a
// partial hand-off does only what is left.
//
// A queued hand-off is kept here too (`handoff`: the records) until the
// consumer has published it. Each time the consumer handles it, it pushes
// `redrive_at` on; if nobody touched it for its redrive time (a queue that
// lost it: miniflare's local broker keeps messages in memory only, so a
// runtime restart drops them), the alarm sends it to the queue again, at most
// MAX_REDRIVES times, backing off as the core's retry policy says. The
// consumer reads the steps here before publishing, so a copy that arrives after the first one succeeded does
// nothing; two copies at once may both publish, which Salesforce absorbs
// (Task upserted by its external id, event carrying its dedupe key).
import { DurableObject } from 'cloudflare:workers';
import { nextAttempt, openSlot } from './core.js';

const MAX_REDRIVES = 6;
const PURGE_EVERY_MS = 60 * 60 * 1000;

export class ReplayGuard extends DurableObject {
  /**
   * Claims a webhook id for handling.
   * @returns {Promise<{ outcome: 'claimed', steps: string[] } | { outcome: 'done', how: string } | { outcome: 'busy', retry_after_s: number }>}
   */
  async claim(id, leaseMs, keepMs) {
    const key = `wh:${id}`;
    const now = Date.now();
    const entry = await this.ctx.storage.get(key);
    if (entry && entry.state === 'done') return { outcome: 'done', how: entry.how };
    if (entry && entry.state === 'claimed' && entry.lease_until > now) {
      return { outcome: 'busy', retry_after_s: Math.max(1, Math.ceil((entry.lease_until - now) / 1000)) };
    }
    const steps = entry?.steps ?? [];
    await this.ctx.storage.put(key, { state: 'claimed', lease_until: now + leaseMs, keep_until: now + keepMs, steps });
    await this.#schedulePurge();
    return { outcome: 'claimed', steps };
  }

  /**
   * Marks a claimed id done (`how`: `published` or `queued`) with the steps
   * done so far; `handoff` ({ records, redriveMs }) keeps a queued hand-off
   * until the consumer publishes it.
   */
  async finish(id, how, steps, handoff) {
    const key = `wh:${id}`;
    const now = Date.now();
    const entry = (await this.ctx.storage.get(key)) ?? { keep_until: now + PURGE_EVERY_MS };
    const next = { state: 'done', how, keep_until: entry.keep_until, steps };
    if (handoff && handoff.records) {
      const redriveMs = Math.max(1000, Number(handoff.redriveMs) || 3_600_000);
      Object.assign(next, { handoff: handoff.records, redrive_ms: redriveMs, redrive_at: now + redriveMs, redrives: 0 });
    }
    await this.ctx.storage.put(key, next);
    if (next.handoff) await this.#scheduleAt(next.redrive_at);
  }

  /** Gives a claim up (the hand-off failed), keeping the steps that succeeded. */
  async release(id, steps) {
    const key = `wh:${id}`;
    const entry = await this.ctx.storage.get(key);
    if (!entry || entry.state !== 'claimed') return;
    await this.ctx.storage.put(key, { state: 'released', keep_until: entry.keep_until, steps });
  }

  /** The steps done for an id (the queue consumer reads them before publishing). */
  async steps(id) {
    const entry = await this.ctx.storage.get(`wh:${id}`);
    return entry?.steps ?? [];
  }

  /**
   * Records the steps done for an id without changing its state (the queue
   * consumer); `published` drops the kept hand-off, otherwise its redrive
   * time moves on (the queue still has it).
   */
  async recordSteps(id, steps, published = false) {
    const key = `wh:${id}`;
    const entry = await this.ctx.storage.get(key);
    if (!entry) return;
    const next = { ...entry, steps };
    if (published) {
      delete next.handoff;
      delete next.redrive_at;
    } else if (next.handoff) {
      next.redrive_at = Date.now() + (next.redrive_ms ?? 3_600_000);
    }
    await this.ctx.storage.put(key, next);
  }

  /**
   * Begins an idempotent request under `key`, whose request body hashes to `fingerprint`.
   * @returns {Promise<{ outcome: 'new' } | { outcome: 'replay', response: object } | { outcome: 'busy' } | { outcome: 'mismatch' }>}
   */
  async beginIdempotent(key, fingerprint, leaseMs, keepMs) {
    const k = `idem:${key}`;
    const now = Date.now();
    const entry = await this.ctx.storage.get(k);
    if (entry && entry.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    if (entry && entry.state === 'done') return { outcome: 'replay', response: entry.response };
    if (entry && entry.lease_until > now) return { outcome: 'busy' };
    await this.ctx.storage.put(k, { state: 'pending', fingerprint, lease_until: now + leaseMs, keep_until: now + keepMs });
    await this.#schedulePurge();
    return { outcome: 'new' };
  }

  /** Stores the answer of an idempotent request, or forgets the key when `response` is null (a failure may be retried). */
  async endIdempotent(key, response) {
    const k = `idem:${key}`;
    const entry = await this.ctx.storage.get(k);
    if (!entry) return;
    if (response === null) await this.ctx.storage.delete(k);
    else await this.ctx.storage.put(k, { ...entry, state: 'done', response });
  }

  /** Keeps caller metadata for a verification the 1Kosmos side cannot carry (a step-up challenge). */
  async putMetadata(verificationId, metadata, keepMs) {
    await this.ctx.storage.put(`meta:${verificationId}`, { metadata, keep_until: Date.now() + keepMs });
    await this.#schedulePurge();
  }

  /** The metadata kept for a verification, or null. */
  async metadata(verificationId) {
    const entry = await this.ctx.storage.get(`meta:${verificationId}`);
    return entry ? entry.metadata : null;
  }

  /**
   * Marks `key` used (an OpenID Connect `state`): `true` the first time,
   * `false` when it was used before (a replayed callback).
   */
  async useOnce(key, keepMs) {
    const k = `once:${key}`;
    if ((await this.ctx.storage.get(k)) !== undefined) return false;
    await this.ctx.storage.put(k, { keep_until: Date.now() + keepMs });
    await this.#schedulePurge();
    return true;
  }

  /**
   * Takes one of `max` open step-up slots under `key` (a hashed user) for
   * `token`, lasting `ttlMs`; expired slots are dropped first. The decision
   * (live slots vs `max`, Retry-After) is the core's (`openSlot`); this keeps
   * the slots. The shard is single-threaded, so count-then-take is atomic per user.
   * @returns {Promise<{ ok: true, open: number } | { ok: false, retry_after_s: number, open: number }>}
   */
  async openSlot(key, token, max, ttlMs) {
    const entry = await this.ctx.storage.get(key);
    const decided = openSlot({ slots: entry?.slots ?? [], now: Date.now(), max, ttlMs, token });
    if (!decided.ok) return { ok: false, retry_after_s: decided.retry_after_s, open: decided.open };
    await this.#putSlots(key, decided.slots);
    await this.#schedulePurge();
    return { ok: true, open: decided.open };
  }

  /** The slot taken for `token` now belongs to challenge `id`. */
  async renameSlot(key, token, id) {
    const entry = await this.ctx.storage.get(key);
    if (!entry) return;
    await this.#putSlots(key, entry.slots.map((slot) => (slot.id === token ? { ...slot, id } : slot)));
  }

  /** Frees the slot of `id` (a challenge id or a token). */
  async closeSlot(key, id) {
    const entry = await this.ctx.storage.get(key);
    if (!entry) return;
    const now = Date.now();
    const live = entry.slots.filter((slot) => slot.id !== id && slot.until > now);
    if (live.length) await this.#putSlots(key, live);
    else await this.ctx.storage.delete(key);
  }

  async #putSlots(key, slots) {
    await this.ctx.storage.put(key, { slots, keep_until: Math.max(0, ...slots.map((slot) => slot.until)) });
  }

  /** Which user's slot (its key) challenge `id` holds. */
  async putOwner(id, key, keepMs) {
    await this.ctx.storage.put(`owner:${id}`, { key, keep_until: Date.now() + keepMs });
    await this.#schedulePurge();
  }

  /** The slot key of challenge `id`, once (null when unknown or already taken). */
  async takeOwner(id) {
    const entry = await this.ctx.storage.get(`owner:${id}`);
    if (!entry) return null;
    await this.ctx.storage.delete(`owner:${id}`);
    return entry.key;
  }

  /**
   * Binds verification `id` (a step-up challenge or an IDV session) to the
   * user it was started for: `userHash` is the SHA-256 of the user id (never
   * the id). Kept `keepMs` (the replay window), as long as its result can be read.
   */
  async putBinding(id, userHash, keepMs) {
    await this.ctx.storage.put(`bind:${id}`, { user: userHash, keep_until: Date.now() + keepMs });
    await this.#schedulePurge();
  }

  /** The user hash verification `id` is bound to, or null (none, or expired). */
  async binding(id) {
    const entry = await this.ctx.storage.get(`bind:${id}`);
    return entry && entry.keep_until > Date.now() ? entry.user : null;
  }

  async #schedulePurge() {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PURGE_EVERY_MS);
  }

  async #scheduleAt(at) {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Sends the kept hand-offs nobody touched for their redrive time to the queue again. */
  async #redrive(now) {
    let next = null;
    const queue = this.env?.HANDOFF;
    let start;
    for (;;) {
      const page = await this.ctx.storage.list({ prefix: 'wh:', start, limit: 512 });
      if (page.size === 0) break;
      let last;
      for (const [key, entry] of page) {
        last = key;
        if (!entry || !entry.handoff) continue;
        if (entry.redrive_at > now) {
          next = next === null ? entry.redrive_at : Math.min(next, entry.redrive_at);
          continue;
        }
        const redrives = (entry.redrives ?? 0) + 1;
        // The wait before the next redrive, from the core's retry policy; none left: give up.
        const redriveMs = entry.redrive_ms ?? 3_600_000;
        const wait = queue === undefined ? undefined : nextAttempt({ retryable: true }, redrives, {
          max_attempts: MAX_REDRIVES + 1,
          base_delay_ms: Math.min(redriveMs, 3_600_000),
          max_delay_ms: 3_600_000,
        });
        if (queue === undefined || redrives > MAX_REDRIVES) {
          // No queue to send to, or given up (the dead-letter queue has it).
          const { handoff, redrive_at, ...rest } = entry;
          await this.ctx.storage.put(key, rest);
          continue;
        }
        const id = key.slice(3);
        try {
          await queue.send({ id, records: entry.handoff, done: entry.steps ?? [] });
          console.warn('handoff: redriven to the queue', id);
        } catch (e) {
          console.error('replay: redrive failed, will try again', id, e?.message);
        }
        if (wait === undefined) {
          // That was the last one.
          const { handoff, redrive_at, ...rest } = entry;
          await this.ctx.storage.put(key, { ...rest, redrives });
          continue;
        }
        const at = now + Math.max(redriveMs, wait);
        await this.ctx.storage.put(key, { ...entry, redrives, redrive_at: at });
        next = next === null ? at : Math.min(next, at);
      }
      if (page.size < 512) break;
      start = `${last}\u0000`;
    }
    return next;
  }

  /** Sends kept hand-offs again when due; deletes entries past their retention. */
  async alarm() {
    const now = Date.now();
    const redriveAt = await this.#redrive(now);
    let remaining = 0;
    for (const prefix of ['wh:', 'idem:', 'meta:', 'once:', 'open:', 'owner:', 'bind:']) {
      let start;
      for (;;) {
        const page = await this.ctx.storage.list({ prefix, start, limit: 512 });
        if (page.size === 0) break;
        const expired = [];
        let last;
        for (const [key, entry] of page) {
          last = key;
          if (!entry || entry.keep_until <= now) expired.push(key);
          else remaining += 1;
        }
        // delete() takes at most 128 keys at a time.
        for (let i = 0; i < expired.length; i += 128) await this.ctx.storage.delete(expired.slice(i, i + 128));
        if (page.size < 512) break;
        start = `${last}\u0000`;
      }
    }
    const purgeAt = remaining > 0 ? now + PURGE_EVERY_MS : null;
    const at = [purgeAt, redriveAt].filter((t) => t !== null);
    if (at.length) await this.ctx.storage.setAlarm(Math.min(...at));
  }
}

/** FNV-1a, 32 bits: spreads ids that share a prefix (`msg_...`) over the shards. */
function fnv1a(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The shard (a ReplayGuard stub) that owns `id`. */
export function shardFor(namespace, shards, id) {
  const n = fnv1a(id) % shards;
  return namespace.get(namespace.idFromName(`replay-${n.toString(16).padStart(4, '0')}`));
}
