#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, formatting, lints, every test of every crate
# (including live interop with xmtp-js 13.0.4), the wasm32 build of the core and a short run of
# every fuzz target.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "set-up"
scripts/setup.sh
step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings
step "cargo test --workspace"
cargo test --workspace
step "engine tests with parallel batch decryption"
cargo test -p xmtp-core --features parallel --test engine
step "wasm32-unknown-unknown build of the core"
scripts/check-wasm.sh xmtp-core
step "fuzz targets, quick mode: build all, run each for 5 s (scripts/fuzz.sh --quick)"
fuzz_start=$SECONDS
scripts/fuzz.sh --quick
echo "fuzz stage: $((SECONDS - fuzz_start)) s"
step "all checks passed"
