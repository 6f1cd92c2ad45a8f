#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time (FUZZ_SECONDS, default 20)
# on the nightly toolchain; a crash fails the run and leaves its input in
# fuzz/artifacts/<target>/ to turn into a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
secs="${FUZZ_SECONDS:-20}"
if ! rustup toolchain list | grep -q '^nightly'; then rustup toolchain install nightly --profile minimal; fi
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
targets=$(cargo +nightly fuzz list)
cargo +nightly fuzz build -O
n=0
for t in $targets; do
  mkdir -p "fuzz/corpus/$t"
  echo "fuzz: $t for ${secs}s"
  log="fuzz/artifacts/$t.log"
  mkdir -p fuzz/artifacts
  if ! cargo +nightly fuzz run -O "$t" -- -max_total_time="$secs" -max_len=8192 -rss_limit_mb=2048 >"$log" 2>&1; then
    # Say what broke, not only that something did: the panic and the input.
    grep -m1 -A2 "panicked at" "$log" || true
    grep -E "SUMMARY|Test unit written to" "$log" || tail -n 20 "$log"
    echo "fuzz: $t failed (full log: $log)"
    exit 1
  fi
  tail -n 1 "$log"
  n=$((n + 1))
done
echo "fuzz: $n passed, 0 failed"
