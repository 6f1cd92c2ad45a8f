// Runs the Jest suite of the Lightning web components (sfdx-lwc-jest, from
// www/lwc where sfdx-project.json is) as part of `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './hosts.js';
import { buildSalesforcePieces } from '../../www/lwc/scripts/build.mjs';

test('the kosmosStepUp Jest suite passes', async () => {
    await buildSalesforcePieces(); // c/kosmosConnect and the .wasm the suite loads
    const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
    const run = spawnSync(process.execPath, [jest, '-c', 'jest.config.cjs', '--ci', '--colors=false'], {
        cwd: join(root, 'www', 'lwc'),
        encoding: 'utf8',
        timeout: 240_000
    });
    const out = `${run.stdout}\n${run.stderr}`;
    assert.equal(run.status, 0, out);
    const passed = Number((out.match(/Tests:\s+(\d+) passed/) || [])[1]);
    assert.ok(passed >= 11, `expected the whole suite to run, got: ${out.slice(-400)}`);
    assert.doesNotMatch(out, /LWC WARNING/, 'compiler and engine versions match');
});
