// The client scenario inside workerd, with the Worker's global fetch.
import * as k from '../../../pkg/workerd.js';
import { clientScenario } from './kosmos-client-scenario.js';

export default {
  async fetch(request, env) {
    try {
      return Response.json(await clientScenario(k, env.STANDIN, { apiKey: env.API_KEY, licenseKey: env.LICENSE_KEY }));
    } catch (e) {
      return Response.json({ error: `${e.name}: ${e.code ?? ''} ${e.message}` });
    }
  },
};
