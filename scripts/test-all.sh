#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, formatting, lints, every test of every crate
# (including live interop with xmtp-js 13.0.4), the wasm32 build of the core, the npm, Kotlin and
# Swift packages' tests, the benchmark guard, and a short run of every fuzz target.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Each stage prints its name, and its time once the next one starts (and the total at the end).
stage_name=""
stage_start=$SECONDS
run_start=$SECONDS
step() {
  if [[ -n $stage_name ]]; then
    printf '==> %s: %d s\n' "$stage_name" $((SECONDS - stage_start))
  fi
  stage_name="$*"
  stage_start=$SECONDS
  printf '\n==> %s\n' "$*"
}

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
step "facade tests with its testing feature (seeded generators, a deliberate panic)"
cargo clippy -p xmtp-facade --all-targets --features testing -- -D warnings
cargo test -p xmtp-facade --features testing
step "wasm32-unknown-unknown: the core built, its batch-verification tests run in Node"
scripts/check-wasm.sh --lib-only --run wasm_batch xmtp-core
step "npm package (WebAssembly; size budget, tests against the packed tarball in Node and Chromium, benchmark beside xmtp-js)"
scripts/js.sh
step "Kotlin/JVM package (uniffi bindings, against a devnode and xmtp-js)"
scripts/kotlin.sh
step "Swift package (uniffi bindings, Swift 6 in a Debian trixie chroot, against a devnode and xmtp-js)"
scripts/swift.sh
step "side-by-side benchmark guard (quick: Rust core vs xmtp-js 13.0.4; Kotlin and Swift over the Rust facade)"
scripts/bench-hosts.sh --quick
step "fuzz targets, quick mode: build all, run each for 5 s (scripts/fuzz.sh --quick)"
scripts/fuzz.sh --quick
step "all checks passed"
printf '==> total: %d s\n' $((SECONDS - run_start))
