#!/usr/bin/env bash
# Every test of the project, in order of cost. `npm test` runs the build first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh --browser

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "lint: rustfmt and clippy (native and wasm32), no unwrap/expect/panic/indexing outside tests"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings

step "rust: native tests"
cargo test

step "rust: wasm-bindgen-test on wasm32 under node"
cargo test --target wasm32-unknown-unknown

step "fuzz: webhook header parsing for 30 s (nightly + cargo-fuzz; tests/webhook_mutations.rs covers stable)"
if cargo +nightly fuzz --version >/dev/null 2>&1; then
  (cd fuzz && cargo +nightly fuzz run webhook_headers -- -max_total_time=30 -print_final_stats=1 2>&1 | tail -n 20)
else
  echo "skipped: no nightly toolchain with cargo-fuzz on this machine"
fi

step "js: node, workerd and chromium hosts, size budget"
node --test tests/js/
