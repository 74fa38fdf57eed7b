#!/usr/bin/env bash
# The npm package (js/): installs what the build needs (the wasm32 toolchain, the wasm-bindgen
# CLI at the crate's exact version, and js/'s pinned npm dev dependencies: TypeScript, esbuild,
# binaryen's wasm-opt, playwright-core), builds the package reproducibly, checks the size budget,
# packs the tarball users install, and runs the tests against it.
#
#   scripts/js.sh               build, size budget, pack, tests
#   scripts/js.sh --build-only  build and pack (js/build/xmtp-rs-<version>.tgz)
#   scripts/js.sh --bench       build, then the side-by-side benchmark with xmtp-js
#
# Two builds of the WebAssembly library: the published one (js/dist, packed) and a test build
# with the `testing` feature (seeded generators, a deliberate panic) in js/build/testing, used
# only by the known-answer and panic tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

# The .wasm after wasm-opt, gzipped, must stay within this many bytes.
BUDGET_GZIP_BYTES=${XMTP_WASM_BUDGET_GZIP:-358400} # 350 KiB
mode=test
if [[ ${1:-} == --* ]]; then
  mode=$1
  shift
fi

die() {
  echo "js: error: $*" >&2
  exit 1
}
say() { echo "js: $*"; }

command -v node >/dev/null 2>&1 || die "node not found (Node 18 or newer)"
command -v npm >/dev/null 2>&1 || die "npm not found"

# ----- tools ------------------------------------------------------------------------------
"$root/scripts/setup-wasm.sh" || die "could not set up a wasm32 toolchain"
"$root/scripts/setup-wasm-bindgen.sh" || die "could not install wasm-bindgen-cli"
export PATH="$HOME/.cargo/bin:$PATH"
if [[ ! -x js/node_modules/.bin/esbuild || js/package-lock.json -nt js/node_modules/.package-lock.json ]]; then
  say "installing the package's build tools (npm ci)"
  (cd js && npm ci --no-audit --no-fund --loglevel=error)
fi
bin=$root/js/node_modules/.bin
# shellcheck source=wasm-toolchain.sh
source "$root/scripts/wasm-toolchain.sh"
wasm_target_dir=${WASM_JS_TARGET_DIR:-$root/target/wasm-js}

# build_variant FEATURES OUT_DIR: the .wasm, its glue (into js/generated), and the bundles.
build_variant() {
  local features=$1 out=$2
  local feature_args=()
  [[ -n $features ]] && feature_args=(--features "$features")
  "${cargo_cmd[@]}" build -q "${build_std[@]}" --target wasm32-unknown-unknown \
    --target-dir "$wasm_target_dir" --profile wasm-release -p xmtp-wasm "${feature_args[@]}"
  local wasm=$wasm_target_dir/wasm32-unknown-unknown/wasm-release/xmtp_wasm.wasm
  rm -rf js/generated
  wasm-bindgen --target web --out-dir js/generated "$wasm"
  rm -rf "$out"
  mkdir -p "$out"
  # wasm-opt: only the features the module uses (not --all-features: Node then rejects
  # stringref). The name section is dropped.
  "$bin/wasm-opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    js/generated/xmtp_wasm_bg.wasm -o "$out/xmtp_wasm_bg.wasm"
  local common=(js/src/index.ts --bundle --platform=neutral --target=es2022 --log-level=warning
    --log-override:empty-import-meta=silent "--external:node:*")
  "$bin/esbuild" "${common[@]}" --format=esm --define:__XMTP_CJS__=false --outfile="$out/index.js"
  "$bin/esbuild" "${common[@]}" --format=cjs --define:__XMTP_CJS__=true --outfile="$out/index.cjs"
}

start=$SECONDS
say "building the test build (features: testing)"
build_variant testing js/build/testing/dist
# The published build last: js/generated then holds its glue, which the type check reads.
say "building the package"
build_variant "" js/dist
(cd js && "$bin/tsc" -p tsconfig.json)
cp js/build/types/src/*.d.ts js/dist/
cp js/build/types/src/*.d.ts js/build/testing/dist/
say "built in $((SECONDS - start)) s"

# ----- size budget ------------------------------------------------------------------------
raw=$(stat -c %s js/dist/xmtp_wasm_bg.wasm)
gz=$(gzip -9 -c js/dist/xmtp_wasm_bg.wasm | wc -c)
say "xmtp_wasm_bg.wasm: $raw bytes raw, $gz bytes gzipped (budget $BUDGET_GZIP_BYTES gzipped)"
node js/scripts/wasm-size.mjs js/generated/xmtp_wasm_bg.wasm 12 || true
[[ $gz -le $BUDGET_GZIP_BYTES ]] || die "the .wasm is over its size budget: $gz > $BUDGET_GZIP_BYTES bytes gzipped"

# ----- pack -------------------------------------------------------------------------------
mkdir -p js/build
rm -f js/build/xmtp-rs-*.tgz
(cd js && npm pack --silent --pack-destination build >/dev/null)
tarball=$(ls "$root"/js/build/xmtp-rs-*.tgz)
say "packed $(basename "$tarball") ($(stat -c %s "$tarball") bytes)"

case $mode in
--build-only) exit 0 ;;
--bench) exec node js/test/bench.mjs "$@" ;;
esac

# ----- tests ------------------------------------------------------------------------------
exec js/test/run.sh "$tarball"
