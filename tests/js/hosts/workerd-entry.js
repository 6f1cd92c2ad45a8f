// The shared suite inside workerd, loading the package the way a deployed
// Worker does: the .wasm arrives as a CompiledWasm module import.
import * as k from '../../../pkg/workerd.js';
import { call } from '../../../pkg/core.js';
import { entries, runAll } from '../suite/index.js';

export default {
  async fetch(request, env) {
    const trap = () => call((g) => g.__kosmosSelfTestTrap());
    const results = await runAll(k, { host: 'workerd', vectors: env.VECTORS, suites: entries.full.suites, trap });
    return Response.json(results);
  },
};
