// The shared suite inside workerd against `kosmos-connect/policy` alone: a
// Worker that imports only the policy entry, whose policy-only .wasm arrives
// as a CompiledWasm module import.
import * as k from '../../../pkg/gen/policy/workerd.js';
import { call } from '../../../pkg/gen/policy/core.js';
import { entries, runAll } from '../suite/index.js';

export default {
  async fetch(request, env) {
    const trap = () => call((g) => g.__kosmosSelfTestTrap());
    const results = await runAll(k, { host: 'workerd', vectors: env.VECTORS, suites: entries.policy.suites, trap });
    return Response.json(results);
  },
};
