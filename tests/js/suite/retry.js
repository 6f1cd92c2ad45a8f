// The core's retry policy in every host: the package's client, the Worker's
// Salesforce client and its hand-off queue ask these functions.
import { equal, ok, throwsCode } from './assert.js';

const NOW = 1445412480; // Wed, 21 Oct 2015 07:28:00 GMT

export default [
  {
    name: 'statuses worth sending again',
    run(k) {
      const yes = [408, 429, 500, 502, 503, 504].filter((s) => k.isRetryableStatus(s));
      const no = [200, 400, 401, 403, 404, 409, 422, 425, 501].filter((s) => !k.isRetryableStatus(s));
      equal(yes.length, 6, 'retryable');
      equal(no.length, 9, 'not retryable');
      return { yes, no };
    },
  },
  {
    name: 'jittered exponential backoff, Retry-After, idempotency, limits',
    run(k) {
      const p = { base_delay_ms: 100, max_attempts: 4 };
      const at = (failure, attempts, random = 0) => k.nextAttempt(failure, attempts, p, { now: NOW, random });
      const out = {
        first: at({ status: 503 }, 1),
        firstTop: at({ status: 503 }, 1, 50),
        third: at({ status: 503 }, 3),
        usedUp: at({ status: 503 }, 4),
        notRetryable: at({ status: 401 }, 1),
        createWithoutKey: at({ status: 503, idempotent: false }, 1),
        network: at({ retryable: true }, 1),
        retryAfterSeconds: at({ status: 429, retry_after: '3' }, 1),
        retryAfterDate: at({ status: 429, retry_after: 'Wed, 21 Oct 2015 07:28:07 GMT' }, 1),
        retryAfterTooLong: at({ status: 429, retry_after_s: 31 }, 1),
      };
      equal(out.first, 50, 'first');
      equal(out.firstTop, 100, 'first, top of the jitter');
      equal(out.third, 200, 'third');
      equal(out.usedUp, undefined, 'used up');
      equal(out.notRetryable, undefined, '401');
      equal(out.createWithoutKey, undefined, 'create without key');
      equal(out.network, 50, 'network');
      equal(out.retryAfterSeconds, 3000, 'Retry-After seconds');
      equal(out.retryAfterDate, 7000, 'Retry-After date');
      equal(out.retryAfterTooLong, undefined, 'Retry-After too long');
      for (let i = 0; i < 20; i += 1) {
        const d = k.nextAttempt({ status: 503 }, 2, p);
        ok(d >= 100 && d <= 200, `random jitter ${d}`);
      }
      throwsCode(() => k.nextAttempt({ status: 503 }, 1, { max_attempts: 0 }), 'invalid_argument', 'max_attempts');
      return out;
    },
  },
];
