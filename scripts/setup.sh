#!/usr/bin/env bash
# Installs what the build and the tests need, skipping what is present:
# the wasm32 target, wasm-bindgen-cli at exactly the crate's version, the npm
# packages (wasm-opt comes from npm `binaryen`), and with --test what only
# the tests need: Debian's Chromium, cargo-deny, python-hcl2 and http-message-signatures.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  say "installing wasm-bindgen-cli $want (found ${have:-none}); this takes a few minutes"
  cargo install wasm-bindgen-cli --version "$want"
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ] && ! command -v cargo-deny >/dev/null; then
  say "installing cargo-deny (license, ban and source checks); this takes a few minutes"
  cargo install cargo-deny --locked || cargo install cargo-deny
fi

# The Descope Terraform check (tests/js/descope-terraform.test.js) parses HCL with PyPI python-hcl2.
if [ "${1:-}" = "--test" ] && ! python3 -c 'import hcl2' 2>/dev/null; then
  say "installing python-hcl2 (parses examples/descope/terraform in the tests)"
  python3 -m pip install --quiet --disable-pip-version-check 'python-hcl2>=8,<9' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'python-hcl2>=8,<9'
fi

# The RFC 9421 interop test (tests/js/httpsig-interop.test.js) and `npm run bench` check our signatures
# against an independent implementation, PyPI http-message-signatures.
if [ "${1:-}" = "--test" ] && ! python3 -c 'import http_message_signatures' 2>/dev/null; then
  say "installing http-message-signatures (RFC 9421 interop in the tests)"
  python3 -m pip install --quiet --disable-pip-version-check 'http-message-signatures>=3,<4' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'http-message-signatures>=3,<4'
fi

if [ "${1:-}" = "--test" ] && [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's chromium for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "setup: Chromium is missing; install Debian's chromium (or set CHROMIUM_PATH) and run again" >&2
    exit 1
  fi
fi

# The Salesforce checks (tests/js/apex*.test.js) run apex-ls and PMD from the
# npm package @salesforce/code-analyzer-pmd-engine (installed with the npm
# packages above) on Java 17 or later.
if [ "${1:-}" = "--test" ]; then
  java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1 || true)
  if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing Debian's Java 17 runtime for the Apex checks (apex-ls, PMD)"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
    else
      echo "setup: Java 17 or later is missing; install openjdk-17-jre-headless and run again" >&2
      exit 1
    fi
  fi
  if [ ! -d node_modules/@salesforce/code-analyzer-pmd-engine/dist/java-lib ]; then
    echo "setup: node_modules/@salesforce/code-analyzer-pmd-engine is missing; run npm ci" >&2
    exit 1
  fi
fi
