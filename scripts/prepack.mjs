// `prepack`: refuses to pack a tree whose build is missing or was made from
// other sources (pkg/gen/build-stamp.json against a hash of the sources), so
// that `npm pack` / `npm publish` never ship without pkg/gen or with a stale
// module. `npm run build` makes it current.
import { staleReason } from './build-inputs.mjs';

const why = staleReason();
if (why) {
  console.error(`prepack: ${why}: run \`npm run build\` first`);
  process.exit(1);
}
