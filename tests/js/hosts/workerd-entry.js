// The shared suite inside workerd, loading the package the way a deployed
// Worker does: the .wasm arrives as a CompiledWasm module import.
import * as k from '../../../pkg/workerd.js';
import { runAll } from '../suite/index.js';

export default {
  async fetch(request, env) {
    const results = await runAll(k, { host: 'workerd', vectors: env.VECTORS });
    return Response.json(results);
  },
};
