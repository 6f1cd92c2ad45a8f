// The shared suite in Node, workerd and Chromium: every case passes in each
// host, and each host's results equal Node's (one test per case and host).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { runInNode, runInWorkerd, runInChromium } from './hosts.js';

const key = (r) => `${r.suite} › ${r.name}`;
const nodeResults = await runInNode();
const hosts = { node: nodeResults, workerd: await runInWorkerd(), chromium: await runInChromium() };

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
