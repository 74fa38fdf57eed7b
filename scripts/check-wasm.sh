#!/usr/bin/env bash
# Compile check for wasm32-unknown-unknown.
#
# Usage: scripts/check-wasm.sh [--lib-only] [--run TEST]... [crate...]   (default crate: xmtp-core)
#
# Builds each crate's library for wasm32-unknown-unknown, then (unless --lib-only) its test
# targets (`cargo test --no-run`). With --run TEST, also runs that test target in Node under
# wasm-bindgen-test-runner (installed by scripts/setup-wasm-bindgen.sh at the version of the
# wasm-bindgen crate the lockfile pins).
#
# Route 1: the rustup toolchain has the wasm32-unknown-unknown target: plain cargo.
# Route 2: otherwise Debian's rustc-web with std built from source (-Zbuild-std); the tools are
#          installed by scripts/setup-wasm.sh when missing (needs root or sudo, and apt).
#
# Builds go to their own target dir (default target/wasm-check; override with WASM_TARGET_DIR),
# so the host build cache is left alone. Prints one result line; cargo's output only on failure.
set -euo pipefail

readonly target=wasm32-unknown-unknown

usage() {
  echo "usage: $0 [--lib-only] [--run TEST]... [crate...]   (default crate: xmtp-core)" >&2
  exit 2
}

lib_only=0
crates=()
runs=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --lib-only) lib_only=1 ;;
    --run) [[ $# -ge 2 ]] || usage; runs+=("$2"); shift ;;
    -h | --help) usage ;;
    -*) echo "check-wasm: unknown option: $1" >&2; usage ;;
    *) crates+=("$1") ;;
  esac
  shift
done
[[ ${#crates[@]} -gt 0 ]] || crates=(xmtp-core)

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
target_dir=${WASM_TARGET_DIR:-$root/target/wasm-check}

fail() {
  echo "wasm32 check: FAILED: $*" >&2
  exit 1
}

"$root/scripts/setup-wasm.sh" || fail "could not set up a wasm32 toolchain (see above)"

# --- choose the route ------------------------------------------------------------------------
# shellcheck source=wasm-toolchain.sh
source "$root/scripts/wasm-toolchain.sh"

pkg_args=()
for c in "${crates[@]}"; do
  pkg_args+=(-p "$c")
done
common=("${build_std[@]}" --target "$target" --target-dir "$target_dir" "${pkg_args[@]}")

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run_step NAME CARGO-ARGS...: runs cargo, prints its output and fails on error.
run_step() {
  local name=$1
  shift
  if ! "${cargo_cmd[@]}" "$@" "${common[@]}" >"$log" 2>&1; then
    cat "$log" >&2
    if grep -q 'getrandom' "$log"; then
      echo "hint: a dependency uses getrandom without its wasm feature (getrandom 0.2: \"js\";" \
        "0.3/0.4: \"wasm_js\"); see: cargo tree --target $target -e features -i getrandom" >&2
    fi
    fail "${crates[*]} ($name) for $target [$route]"
  fi
}

start=$SECONDS
run_step lib build
built=lib
if [[ $lib_only -eq 0 ]]; then
  run_step tests test --no-run
  built="lib, tests"
fi

echo "wasm32 check: ok: ${crates[*]} ($built) built for $target [$route] in $((SECONDS - start)) s"

if [[ ${#runs[@]} -gt 0 ]]; then
  "$root/scripts/setup-wasm-bindgen.sh" || fail "could not install wasm-bindgen-test-runner"
  export PATH="$HOME/.cargo/bin:$PATH"
  for t in "${runs[@]}"; do
    start=$SECONDS
    if ! CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
      "${cargo_cmd[@]}" test "${common[@]}" --test "$t" >"$log" 2>&1; then
      cat "$log" >&2
      fail "${crates[*]} (test $t run under wasm-bindgen-test-runner) [$route]"
    fi
    grep -E "^test result|^test .* \.\.\. " "$log" || true
    echo "wasm32 run: ok: ${crates[*]} test $t passed in Node in $((SECONDS - start)) s"
  done
fi
