#!/usr/bin/env bash
# Idempotent set-up for the full test suite on a fresh machine:
#   - the xmtp-js 13.0.4 interop harness (npm ci in tests/interop/js, from the committed lockfile);
#   - a wasm32-unknown-unknown toolchain (scripts/setup-wasm.sh);
#   - cargo-fuzz for the fuzz targets (scripts/setup-fuzz.sh).
# Re-running it does nothing when everything is already in place.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() {
  echo "setup: error: $*" >&2
  exit 1
}

command -v cargo >/dev/null 2>&1 || die "cargo not found (install Rust with rustup)"
command -v node >/dev/null 2>&1 || die "node not found (Node.js >= 20 is needed for the interop tests)"
command -v npm >/dev/null 2>&1 || die "npm not found"

js=tests/interop/js
marker=$js/node_modules/.package-lock.json
if [[ ! -d $js/node_modules/@xmtp/xmtp-js || ! -f $marker || $js/package-lock.json -nt $marker ]]; then
  echo "setup: installing the xmtp-js harness (npm ci)"
  (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
fi

scripts/setup-wasm.sh
scripts/setup-fuzz.sh
