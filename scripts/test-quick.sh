#!/usr/bin/env bash
# The fast tier for the inner loop (`npm run test:quick`, under 2 minutes on a
# warm target/): the native Rust tests, then the Node tests that need no
# workerd, Chromium or Worker, and the shared suite in Node alone, against the
# build already in pkg/gen/ (run `node scripts/build.mjs` after a Rust change).
# `npm test` stays the whole truth.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
if [ ! -f pkg/gen/kosmos_connect_bg.wasm ] || [ ! -f pkg/gen/policy/gen/kosmos_connect_bg.wasm ]; then
  echo "test:quick needs a build: run node scripts/build.mjs first" >&2
  exit 1
fi
cargo test --quiet
KOSMOS_HOSTS=node node --test --test-force-exit \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./scripts/count-reporter.mjs --test-reporter-destination=stderr \
  tests/js/hosts.test.js tests/js/entries.test.js tests/js/size.test.js tests/js/policy-schema.test.js \
  tests/js/no-copies.test.js tests/js/fuzz-manifest.test.js tests/js/runner-hygiene.test.js
