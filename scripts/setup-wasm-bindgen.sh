#!/usr/bin/env bash
# Install wasm-bindgen-cli (its wasm-bindgen-test-runner runs wasm32 tests in Node) at exactly the
# version of the wasm-bindgen crate in Cargo.lock, which the runner must match. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")
[[ -n $version ]] || { echo "setup-wasm-bindgen: no wasm-bindgen in Cargo.lock" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"
if command -v wasm-bindgen-test-runner >/dev/null 2>&1 &&
  [[ $(wasm-bindgen --version 2>/dev/null | awk '{print $2}') == "$version" ]]; then
  exit 0
fi
echo "setup-wasm-bindgen: installing wasm-bindgen-cli $version (a few minutes)" >&2
cargo install --quiet wasm-bindgen-cli --version "=$version"
