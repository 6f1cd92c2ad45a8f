// Messages signed by the npm `standardwebhooks` and `svix` libraries, with
// fixed inputs (HMAC is deterministic, so the same inputs give the same
// signatures): the vectors generator stores them, the interop test
// re-creates them to prove the stored ones are still what the libraries make.
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";

export const INTEROP_INPUTS = [
  { lib: "standardwebhooks", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "msg_interop_1", timestamp: 1700000000, body: '{"type":"idv.completed","data":{"session_id":"s_1","ial_level":"IAL2"}}' },
  { lib: "standardwebhooks", secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", id: "msg_interop_2", timestamp: 1700000123, body: "{\"unicode\":\"\u00e9\u2028\ud83d\ude00\",\"n\":1e21}" },
  { lib: "svix", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id: "msg_interop_3", timestamp: 1700000000, body: '{"type":"liveid.completed","data":{"challenge_id":"c_9","match_result":"match"}}' },
  { lib: "svix", secret: "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", id: "msg_interop_4", timestamp: 1700009999, body: "" },
];

/** Signs with the named library. */
export function libSign(lib, secret, id, timestamp, body) {
  const Lib = lib === "svix" ? SvixWebhook : StandardWebhook;
  return new Lib(secret).sign(id, new Date(timestamp * 1000), body);
}

export function interopCases() {
  return INTEROP_INPUTS.map((c) => ({ ...c, signature: libSign(c.lib, c.secret, c.id, c.timestamp, c.body) }));
}
