// `npm start`: serves the playground on 127.0.0.1 (PORT, default 8787).
import { serveRepo } from '../tests/js/hosts.js';

const port = Number(process.env.PORT ?? 8787);
const { origin } = await serveRepo(port);
console.log(`kosmos-connect playground: ${origin}/www/playground/`);
