#!/usr/bin/env bash
# The Kotlin/JVM package (kotlin/): installs what is missing (kotlinc from npm into a cache
# outside the clone; JNA and JUnit 4 from apt), builds the uniffi library (xmtp-ffi, with its
# testing feature), generates the Kotlin bindings into kotlin/generated/ (gitignored: always
# produced here, never edited), compiles the package and its tests, starts a devnode on a free
# loopback port and runs the tests on the JVM. Prints `N passed, N failed`; non-zero on failure.
#
#   scripts/kotlin.sh                  build and run every test class
#   scripts/kotlin.sh CLASS...         build and run these (e.g. dev.xmtprs.ChatTest)
#   scripts/kotlin.sh --build          build only (library, bindings, jars)
#   scripts/kotlin.sh --bench          build, then the read benchmark (Kotlin vs the Rust facade
#                                      in the same process): BENCH_ROUNDS rounds (default 3, a
#                                      JVM each) of BENCH_RUNS batches (default 10); a JSON line each
#   scripts/kotlin.sh --bench-sync NODE OP META [RUNS] [OFFSET]
#                                      list, sync, send, create or invite against a loaded node
#                                      (bench-hosts.sh)
#   scripts/kotlin.sh --size           the library as shipped (profile ffi-release, no testing
#                                      feature): its size, stripped, for x86_64 Linux
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

KOTLIN_VERSION=2.4.20
cache=${XMTP_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xmtp-rs}
kotlinc_home=$cache/kotlinc-$KOTLIN_VERSION/node_modules/kotlin-compiler
build=kotlin/build
target=${CARGO_TARGET_DIR:-target}
gen=kotlin/generated
mode=test
if [[ ${1:-} == --* ]]; then
  mode=$1
  shift
fi

die() {
  echo "kotlin: error: $*" >&2
  exit 1
}
say() { echo "kotlin: $*"; }

if [[ $mode == --size ]]; then
  cargo build -q --profile ffi-release -p xmtp-ffi --lib
  so=$target/ffi-release/libxmtp_ffi.so
  say "libxmtp_ffi.so (ffi-release, stripped): $(stat -c %s "$so") bytes, $(gzip -9 -c "$so" | wc -c) gzipped"
  exit 0
fi

command -v java >/dev/null 2>&1 || die "java not found (a JDK 17 or newer is needed)"
command -v node >/dev/null 2>&1 || die "node not found"

# ----- tools ------------------------------------------------------------------------------
if [[ ! -x $kotlinc_home/bin/kotlinc ]]; then
  say "installing kotlin-compiler $KOTLIN_VERSION (npm) into $cache"
  mkdir -p "$cache/kotlinc-$KOTLIN_VERSION"
  (cd "$cache/kotlinc-$KOTLIN_VERSION" && [[ -f package.json ]] || echo '{"private":true}' >package.json)
  (cd "$cache/kotlinc-$KOTLIN_VERSION" && npm install --no-audit --no-fund --loglevel=error "kotlin-compiler@$KOTLIN_VERSION")
fi
jna=/usr/share/java/jna.jar
junit=/usr/share/java/junit4.jar
hamcrest=/usr/share/java/hamcrest-core.jar
[[ -f $hamcrest ]] || hamcrest=/usr/share/java/hamcrest.jar
if [[ ! -f $jna || ! -f $junit ]]; then
  command -v apt-get >/dev/null 2>&1 || die "JNA ($jna) and JUnit 4 ($junit) are missing and apt-get is not available"
  say "installing JNA and JUnit 4 (apt)"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq libjna-java junit4 >/dev/null
  [[ -f $hamcrest ]] || hamcrest=/usr/share/java/hamcrest.jar
fi
js=tests/interop/js
if [[ $mode == test && ! -d $js/node_modules/@xmtp/xmtp-js ]]; then
  say "installing the xmtp-js harness (npm ci)"
  (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
fi
klib=$kotlinc_home/lib
kotlinc=$kotlinc_home/bin/kotlinc

# ----- the library and its bindings -------------------------------------------------------
# Separate invocations: the generator's `cli` feature must not reach the library.
cargo build -q -p xmtp-ffi --features testing
cargo build -q -p uniffi-bindgen
lib=$target/debug/libxmtp_ffi.so
[[ -f $lib ]] || lib=$target/debug/libxmtp_ffi.dylib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$target/debug/uniffi-bindgen" generate "$lib" --language kotlin --out-dir "$tmp/gen" \
  --config ffi-uniffi/uniffi.toml --no-format >/dev/null
python3 scripts/kotlin-bindings-patch.py "$tmp/gen" || die "the bindings patch does not apply"
# Replace the generated sources only when they changed (keeps the jars' up-to-date check).
if ! diff -r "$tmp/gen" "$gen" >/dev/null 2>&1; then
  rm -rf "$gen"
  mkdir -p "$(dirname "$gen")"
  cp -r "$tmp/gen" "$gen"
fi

# ----- compile ----------------------------------------------------------------------------
mkdir -p "$build"
stale() { # stale JAR DIR...: whether JAR is missing or older than a file under DIRs
  local jar=$1
  shift
  [[ ! -f $jar ]] || [[ -n $(find "$@" -newer "$jar" -type f -print -quit) ]]
}
cp_main="$jna:$klib/kotlinx-coroutines-core-jvm.jar"
if stale "$build/xmtp.jar" "$gen" kotlin/src/main; then
  say "compiling the package"
  "$kotlinc" -nowarn -jvm-target 17 -cp "$cp_main" -d "$build/xmtp.jar" "$gen" kotlin/src/main/kotlin
fi
cp_test="$build/xmtp.jar:$cp_main:$klib/kotlin-test.jar:$klib/kotlin-test-junit.jar:$junit:$hamcrest"
if stale "$build/xmtp-tests.jar" "$build/xmtp.jar" kotlin/src/test; then
  say "compiling the tests"
  "$kotlinc" -jvm-target 17 -Werror -Xfriend-paths="$build/xmtp.jar" -cp "$cp_test" \
    -d "$build/xmtp-tests.jar" kotlin/src/test/kotlin
fi
[[ $mode == --build ]] && exit 0
classpath="$build/xmtp-tests.jar:$cp_test:$klib/kotlin-stdlib.jar"

if [[ $mode == --bench || $mode == --bench-sync ]]; then
  # The release library (with the testing feature, which the generated bindings expect).
  cargo build -q --release -p xmtp-ffi --features testing --lib
  if stale "$build/xmtp-bench.jar" "$build/xmtp.jar" kotlin/src/bench; then
    "$kotlinc" -jvm-target 17 -Werror -Xfriend-paths="$build/xmtp.jar" -cp "$cp_main:$build/xmtp.jar" \
      -d "$build/xmtp-bench.jar" kotlin/src/bench/kotlin
  fi
  bench_java=(java -Djna.library.path="$target/release"
    -cp "$build/xmtp-bench.jar:$build/xmtp.jar:$cp_main:$klib/kotlin-stdlib.jar")
fi
if [[ $mode == --bench-sync ]]; then
  # NODE OP META [RUNS] [OFFSET] (see kotlin/src/bench/kotlin/dev/xmtprs/BenchSync.kt).
  "${bench_java[@]}" dev.xmtprs.BenchSync "$@"
  exit 0
fi
if [[ $mode == --bench ]]; then
  # Reading 1,000 V2 messages through the Kotlin API and through the Rust facade, same run.
  runs=${BENCH_RUNS:-10}
  cargo run -q --release -p xmtp-core --example bench_corpus -- --out "$tmp/corpus.json" >/dev/null
  # Each round a new JVM; the facade is timed inside the library in the same process.
  for ((round = 0; round < ${BENCH_ROUNDS:-3}; round++)); do
    "${bench_java[@]}" dev.xmtprs.BenchMain "$tmp/corpus.json" "$runs"
  done
  exit 0
fi

# ----- a node, the tests ------------------------------------------------------------------
# shellcheck source=devnode-lib.sh
source "$root/scripts/devnode-lib.sh"
trap 'kill "${devnode_pid:-}" 2>/dev/null || true; wait "${devnode_pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
start_devnode "$tmp" || die "no devnode"
url=$devnode_url
say "devnode at $url"
RUST_BACKTRACE=0 java -Djna.library.path="$(dirname "$lib")" -Dxmtp.node="$url" -Dxmtp.root="$root" \
  -cp "$classpath" dev.xmtprs.Runner "$@"
