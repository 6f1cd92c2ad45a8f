// Who a verification belongs to. A step-up challenge (and an IDV session
// started with a `user_identifier`) is bound to the user it was started for,
// in the ReplayGuard Durable Object (strongly consistent), for the replay
// window (REPLAY_WINDOW_S, as long as the Worker reads its result): only a
// SHA-256 of the user id is kept. A result read that names a user
// (`user_identifier`, as Apex always does) is answered only for that user:
// another user's id, or no binding at all, is 403 `not_owner`, before
// 1Kosmos is asked (nothing is read, no slot is freed). A read without
// `user_identifier` is checked as before (old Descope connector bodies).
import { codeInfo } from './core.js';
import { config } from './config.js';
import { HttpError } from './errors.js';
import { shardFor } from './replay.js';
import { sha256Hex } from './digest.js';

const NOUN = Object.freeze({ step_up: 'step-up challenge', idv: 'identity verification session' });

function guardOf(env, key) {
  const cfg = config(env);
  return shardFor(cfg.replay(), cfg.replayShards(), `bind:${key}`);
}

/** Binds verification `id` of `kind` (`step_up` or `idv`) to `user`. */
export async function bindOwner(env, kind, id, user) {
  const key = `${kind}:${id}`;
  await guardOf(env, key).putBinding(key, await sha256Hex(user), config(env).replayWindowS() * 1000);
}

/**
 * Throws 403 `not_owner` unless verification `id` of `kind` is bound to
 * `user`; does nothing when `user` is undefined (the caller named no user).
 */
export async function requireOwner(env, kind, id, user) {
  if (user === undefined) return;
  const key = `${kind}:${id}`;
  const [bound, mine] = await Promise.all([guardOf(env, key).binding(key), sha256Hex(user)]);
  if (bound !== mine) {
    // One answer for "another user's" and "unknown or expired": it tells nobody whose an id is.
    throw new HttpError(codeInfo('not_owner').http_status, 'not_owner', `this ${NOUN[kind]} was not started for this \`user_identifier\` (or it was started more than REPLAY_WINDOW_S ago); a result is read only for its own user`, { field: 'user_identifier' });
  }
}
