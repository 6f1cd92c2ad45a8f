// The shared suite inside workerd against `kosmos-connect/webhook` alone: a
// Worker that imports only the webhook entry, whose webhook-only .wasm
// arrives as a CompiledWasm module import.
import * as k from '../../../pkg/gen/webhook/workerd.js';
import { call } from '../../../pkg/gen/webhook/core.js';
import { entries, runAll } from '../suite/index.js';

export default {
  async fetch(request, env) {
    const trap = () => call((g) => g.__kosmosSelfTestTrap());
    const results = await runAll(k, { host: 'workerd', vectors: env.VECTORS, suites: entries.webhook.suites, trap });
    return Response.json(results);
  },
};
