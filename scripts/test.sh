#!/usr/bin/env bash
# Every test of the project, in order of cost. `npm test` runs the build first.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh --test

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "lint: rustfmt and clippy (native, wasm32, wasm32 policy-only and policy-tools), no unwrap/expect/panic/indexing outside tests"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
# The policy-only module of `kosmos-connect/policy` (the Cargo features gate the wasm exports).
cargo clippy --target wasm32-unknown-unknown --all-targets --no-default-features --features policy -- -D warnings
# The author's tools' module of `kosmos-connect/policy-tools` (feature `policy-tools`, off by default).
cargo clippy --target wasm32-unknown-unknown --lib --no-default-features --features policy-tools -- -D warnings

step "dependencies: licenses, bans and sources (cargo-deny, deny.toml)"
cargo deny --log-level error check licenses bans sources

step "rust: native tests"
cargo test

step "rust: wasm-bindgen-test on wasm32 under node"
cargo test --target wasm32-unknown-unknown

step "js: node, workerd and chromium hosts, size budget"
# --test-force-exit: a failing test that leaves a workerd or server running must
# fail the run, not hang it. scripts/count-reporter.mjs fails the run when a
# file declared more tests than results reached the runner (a child that
# exits early drops them silently otherwise); spec stays on stdout for people.
node --test --test-force-exit --test-timeout=300000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./scripts/count-reporter.mjs --test-reporter-destination=stderr \
  tests/js/
