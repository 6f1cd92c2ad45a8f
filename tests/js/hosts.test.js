// The shared suite in Node, workerd and Chromium: every case passes in each
// host, and each host's results equal Node's (one test per case and host).
// Then the same for `kosmos-connect/policy` (the policy-only module): its
// suites (policy, trap recovery) pass in each host with results equal to the
// full entry's, case by case; for `kosmos-connect/webhook` (the
// webhook-only module) its suite the same way; and for
// `kosmos-connect/policy-tools` (the author's tools with the policy engine)
// the policy entry's suites.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runInNode, runInWorkerd, runInChromium } from './hosts.js';
import { entries } from './suite/index.js';

const key = (r) => `${r.suite} › ${r.name}`;
// KOSMOS_HOSTS=node (npm run test:quick) runs the Node host alone; `npm test` runs all three.
const only = new Set((process.env.KOSMOS_HOSTS || 'node,workerd,chromium').split(','));
const nodeResults = await runInNode();
// Every host run comes before the first describe: a test file's top-level
// await after one would let the runner finish (and exit) first.
const hosts = { node: nodeResults };
const policyHosts = { node: await runInNode({}, 'policy') };
const webhookHosts = { node: await runInNode({}, 'webhook') };
const toolsHosts = { node: await runInNode({}, 'policy-tools') };
if (only.has('workerd')) {
  hosts.workerd = await runInWorkerd();
  policyHosts.workerd = await runInWorkerd({}, 'policy');
  webhookHosts.workerd = await runInWorkerd({}, 'webhook');
  toolsHosts.workerd = await runInWorkerd({}, 'policy-tools');
}
if (only.has('chromium')) {
  hosts.chromium = await runInChromium();
  policyHosts.chromium = await runInChromium('policy');
  webhookHosts.chromium = await runInChromium('webhook');
  toolsHosts.chromium = await runInChromium('policy-tools');
}

for (const [host, results] of Object.entries(hosts)) {
  describe(host, () => {
    const byKey = new Map(results.map((r) => [key(r), r]));
    for (const r of results) {
      test(key(r), () => {
        assert.ok(r.ok, r.error);
        const n = nodeResults.find((x) => key(x) === key(r));
        if (n && host !== 'node') assert.deepEqual(r.result, n.result, `${host} and node differ`);
      });
    }
    test('ran every case that node ran', () => {
      const missing = nodeResults.filter((n) => !byKey.has(key(n))).map(key);
      assert.deepEqual(missing, []);
    });
  });
}

for (const [entry, entryHosts, min] of [['policy', policyHosts, 7], ['webhook', webhookHosts, 10], ['policy-tools', toolsHosts, 7]]) {
  const entrySuites = entries[entry].suites;
  for (const [host, results] of Object.entries(entryHosts)) {
    describe(`${host}: kosmos-connect/${entry}`, () => {
      const full = hosts[host].filter((r) => entrySuites.includes(r.suite));
      for (const r of results) {
        test(key(r), () => {
          assert.ok(r.ok, r.error);
          const f = full.find((x) => key(x) === key(r));
          assert.ok(f, 'the full entry ran this case too');
          assert.deepEqual(r.result, f.result, `the ${entry} entry and the full entry differ in ${host}`);
        });
      }
      test(`ran every ${entrySuites.join(' and ')} case of the full entry, and no other suite`, () => {
        assert.ok(full.length >= min, `${full.length} cases`);
        assert.deepEqual(results.map(key), full.map(key));
      });
    });
  }
}
