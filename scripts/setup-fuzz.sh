#!/usr/bin/env bash
# Idempotent set-up for the fuzz targets (fuzz/): installs cargo-fuzz from crates.io when it is
# missing. cargo fuzz needs -Z flags: on a stable toolchain scripts/fuzz.sh sets RUSTC_BOOTSTRAP=1.
set -euo pipefail

if cargo fuzz --version >/dev/null 2>&1; then
  exit 0
fi
echo "setup-fuzz: installing cargo-fuzz"
cargo install cargo-fuzz --locked || cargo install cargo-fuzz
cargo fuzz --version
