// README.md's code examples, run exactly as written (each fenced block after
// an `<!-- example: NAME -->` marker) against the packed tarball installed in a
// fresh project: the Node example and its printed output, and the Workers
// example with its wrangler.jsonc, bundled by wrangler and run in workerd,
// verifying a webhook signed by another library and deciding a policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { bundledWorker, packAndInstall, readmeExample, run, writeFiles } from './packed.js';

let consumer;
before(async () => {
  consumer = await packAndInstall();
});
after(() => rmSync(consumer.dir, { recursive: true, force: true }));

test('README Node example prints what README says it prints', async () => {
  writeFileSync(join(consumer.app, 'app.mjs'), readmeExample('node'));
  const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: consumer.app });
  assert.equal(stdout, readmeExample('node output'));
});

test('README Workers example, bundled by wrangler, verifies a webhook and decides a policy in workerd', async () => {
  const config = readmeExample('worker config');
  assert.match(config, /"main": "src\/index.js"/);
  writeFiles(consumer.app, { 'src/index.js': readmeExample('worker'), 'wrangler.jsonc': config });
  const secret = `whsec_${Buffer.from('readme-example-secret-32-bytes!!').toString('base64')}`;
  const mf = await bundledWorker(consumer.app, { bindings: { WEBHOOK_SECRET: `whsec_${Buffer.from('an-older-secret-in-rotation-0000').toString('base64')} ${secret}` } });
  try {
    const origin = (await mf.ready).origin;
    const risky = await fetch(`${origin}/risk`, { method: 'POST', body: JSON.stringify({ risk: { score: 0.8 } }) });
    const decision = await risky.json();
    assert.equal(risky.status, 200);
    assert.equal(decision.decision, 'step_up');
    assert.deepEqual(decision.matched_rules, ['risky']);
    const calm = await (await fetch(`${origin}/risk`, { method: 'POST', body: JSON.stringify({ risk: { score: 0.2 } }) })).json();
    assert.equal(calm.decision, 'allow');

    const body = JSON.stringify({ type: 'idv.completed', session: 's-1' });
    const now = new Date();
    const signed = {
      'webhook-id': 'msg_readme',
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_readme', now, body),
    };
    const ok = await fetch(`${origin}/webhook`, { method: 'POST', headers: signed, body });
    assert.deepEqual([ok.status, await ok.json()], [200, { verified: 'msg_readme' }]);
    const forged = await fetch(`${origin}/webhook`, { method: 'POST', headers: signed, body: body.replace('s-1', 's-2') });
    assert.deepEqual([forged.status, await forged.json()], [401, { code: 'no_matching_signature' }]);
    const unsigned = await fetch(`${origin}/webhook`, { method: 'POST', body });
    assert.equal(unsigned.status, 401);
    assert.equal((await unsigned.json()).code, 'missing_header');
  } finally {
    await mf.dispose();
  }
});
