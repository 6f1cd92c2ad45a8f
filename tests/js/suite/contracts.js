// The host contracts in every host: the core's verdicts and IAL reading
// (tests/vectors/verdicts.json, which the Rust tests run too). The Worker's
// answers, its Salesforce records and the Lightning component all take their
// verdicts from these functions, so these cases are what each of them gives.
import { deepEqual, equal, ok, throwsCode } from './assert.js';

export default [
  {
    name: 'idv verdicts (required IAL in any spelling; completed below it is rejected)',
    run(k, env) {
      const seen = [];
      for (const c of env.vectors.verdicts.idv) {
        if (c.error) {
          throwsCode(() => k.idvVerdict(c.result, c.required_ial), c.error.code, c.error.field);
          seen.push({ name: c.name, error: c.error.code });
          continue;
        }
        const v = k.idvVerdict(c.result, c.required_ial);
        deepEqual(v, c.verdict, c.name);
        seen.push({ name: c.name, verdict: v });
      }
      // The default requirement is IAL2.
      equal(k.idvVerdict({ status: 'completed', ial_level: 'IAL1' }).reason, 'ial_below_required', 'default IAL2');
      return seen;
    },
  },
  {
    name: 'step-up verdicts (minimum confidence optional)',
    run(k, env) {
      const seen = [];
      for (const c of env.vectors.verdicts.step_up) {
        if (c.error) {
          throwsCode(() => k.stepUpVerdict(c.result, c.min_confidence), c.error.code, c.error.field);
          seen.push({ name: c.name, error: c.error.code });
          continue;
        }
        const v = k.stepUpVerdict(c.result, c.min_confidence);
        deepEqual(v, c.verdict, c.name);
        seen.push({ name: c.name, verdict: v });
      }
      throwsCode(() => k.stepUpVerdict(null), 'invalid_argument', 'result');
      throwsCode(() => k.stepUpVerdict({ status: 'completed' }, '0.5'), 'invalid_argument', 'min_confidence');
      return seen;
    },
  },
  {
    name: 'an IAL reads one way',
    run(k, env) {
      const seen = [];
      for (const c of env.vectors.verdicts.ial) {
        if (c.error) {
          const e = throwsCode(() => k.parseIal(c.text), c.error);
          ok(e.message.includes('identity assurance level'), `${c.text}: message`);
        } else {
          equal(k.parseIal(c.text), c.ial, c.text);
        }
        seen.push([c.text, c.ial ?? c.error]);
      }
      return seen;
    },
  },
];
