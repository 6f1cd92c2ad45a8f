// The shared suite inside workerd against `kosmos-connect/policy-tools` alone:
// a Worker that imports only the tools' entry, whose .wasm arrives as a
// CompiledWasm module import.
import * as k from '../../../pkg/gen/policy-tools/workerd.js';
import { call } from '../../../pkg/gen/policy-tools/core.js';
import { entries, runAll } from '../suite/index.js';

export default {
  async fetch(request, env) {
    const trap = () => call((g) => g.__kosmosSelfTestTrap());
    const results = await runAll(k, { host: 'workerd', vectors: env.VECTORS, suites: entries['policy-tools'].suites, trap });
    return Response.json(results);
  },
};
