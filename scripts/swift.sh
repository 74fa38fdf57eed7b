#!/usr/bin/env bash
# The Swift package (Package.swift, swift/): builds the uniffi library (xmtp-ffi, with its testing
# feature), generates the Swift bindings into swift/Sources/XmtpFFI and swift/Sources/XmtpFFIFFI
# (gitignored: always produced here, never edited), and runs `swift test` against a devnode on a
# free loopback port. Prints `N passed, N failed`; non-zero on failure.
#
# Swift runs in a Debian trixie chroot (its `swiftlang` package, Swift 6.0), built from Debian's
# registry when missing into ${XMTP_RS_CACHE:-${XDG_CACHE_HOME:-~/.cache}/xmtp-rs}/swift-trixie
# (outside the clone; a marker file says it is complete) — unless `swift` is on the PATH, which is
# then used directly (set XMTP_SWIFT_CHROOT=1 to force the chroot). The chroot needs root (or sudo).
# The devnode and the xmtp-js harness run on the host; the tests reach node scripts through a
# small loopback runner (swift/Tests/host-runner.cjs).
#
#   scripts/swift.sh                 build and run every test
#   scripts/swift.sh FILTER          run the tests matching FILTER (swift test --filter)
#   scripts/swift.sh --build         build only (library, bindings, package, tests)
#   scripts/swift.sh --bench         read benchmark: the Swift API vs the Rust facade in the same
#                                    process (release): BENCH_ROUNDS rounds (default 3, a process
#                                    each) of BENCH_RUNS batches (default 10); a JSON line each
#   scripts/swift.sh --bench-sync NODE OP META [RUNS] [OFFSET]
#                                    list, sync, send, create or invite against a loaded node
#                                    (bench-hosts.sh)
#   XMTP_SWIFT_PROFILE=release scripts/swift.sh   test against the release library
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD

cache=${XMTP_RS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xmtp-rs}
chroot_dir=${XMTP_SWIFT_CHROOT_DIR:-$cache/swift-trixie}
marker=$chroot_dir/.xmtp-rs-ready
target=${CARGO_TARGET_DIR:-target}
profile=${XMTP_SWIFT_PROFILE:-debug}
mode=test
if [[ ${1:-} == --* ]]; then
  mode=$1
  shift
fi
[[ $mode == --bench || $mode == --bench-sync ]] && profile=release

die() {
  echo "swift: error: $*" >&2
  exit 1
}
say() { echo "swift: $*"; }
sudo=""
[[ $(id -u) -eq 0 ]] || sudo=sudo

# ----- the toolchain ----------------------------------------------------------------------
use_chroot=1
if [[ -z ${XMTP_SWIFT_CHROOT:-} ]] && command -v swift >/dev/null 2>&1; then use_chroot=0; fi
if [[ $use_chroot == 1 && ! -f $marker ]]; then
  say "building a Debian trixie chroot with Swift into $chroot_dir (once)"
  command -v debootstrap >/dev/null 2>&1 || {
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  }
  $sudo rm -rf "$chroot_dir"
  mkdir -p "$(dirname "$chroot_dir")"
  $sudo debootstrap --variant=minbase trixie "$chroot_dir" http://deb.debian.org/debian >/dev/null
  # apt in the chroot complains that it has no terminal (/dev/pts): its output is shown on failure only.
  apt_log=$(mktemp)
  if ! { $sudo chroot "$chroot_dir" apt-get update -qq &&
    $sudo chroot "$chroot_dir" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      swiftlang libc6-dev && $sudo chroot "$chroot_dir" apt-get clean; } >"$apt_log" 2>&1; then
    cat "$apt_log"
    die "installing Swift in the chroot failed"
  fi
  rm -f "$apt_log"
  $sudo touch "$marker"
fi
command -v node >/dev/null 2>&1 || die "node not found"

# Runs a shell command in the package's directory, in the chroot when there is one (the clone is
# mounted at /src there), with the environment variables given as NAME=VALUE before it.
in_swift() {
  local envs=()
  while [[ $# -gt 1 && $1 == *=* ]]; do
    envs+=("$1")
    shift
  done
  if [[ $use_chroot == 0 ]]; then
    env "${envs[@]}" sh -c "cd '$root' && $1"
  else
    $sudo unshare --mount --fork sh -c 'mount -t proc proc "$1/proc" && mkdir -p "$1/src" &&
      mount --bind "$2" "$1/src" && shift 2 && exec chroot "$0" /usr/bin/env "$@"' \
      "$chroot_dir" "$chroot_dir" "$root" HOME=/root PATH=/usr/bin:/bin "${envs[@]}" sh -c "cd /src && $1"
  fi
}
if [[ $use_chroot == 0 ]]; then
  src=$root
  scratch=$root/.build
else
  src=/src
  # SwiftPM's build directory: inside the chroot (cached with it), one per clone.
  scratch=/var/cache/xmtp-swift/$(printf %s "$root" | sha256sum | cut -c1-12)
fi

# ----- the library and its bindings -------------------------------------------------------
js=tests/interop/js
if [[ $mode == test && ! -d $js/node_modules/@xmtp/xmtp-js ]]; then
  say "installing the xmtp-js harness (npm ci)"
  (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
fi
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-1}
release=()
[[ $profile == release ]] && release=(--release)
# Separate invocations: the generator's `cli` feature must not reach the library.
cargo build -q "${release[@]}" -p xmtp-ffi --features testing --lib
cargo build -q -p uniffi-bindgen
lib=$target/$profile/libxmtp_ffi.so
[[ -f $lib ]] || lib=$target/$profile/libxmtp_ffi.dylib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$target/debug/uniffi-bindgen" generate "$lib" --language swift --out-dir "$tmp/gen" \
  --config ffi-uniffi/uniffi.toml --no-format >/dev/null
# The C module: the header and the module map (renamed as SwiftPM wants it); the Swift module.
mkdir -p "$tmp/ffi" "$tmp/swift"
cp "$tmp/gen/XmtpFFIFFI.h" "$tmp/ffi/"
cp "$tmp/gen/XmtpFFIFFI.modulemap" "$tmp/ffi/module.modulemap"
cp "$tmp/gen/XmtpFFI.swift" "$tmp/swift/"
# Two reader helpers of the generated Swift replaced by faster ones (the script says why).
python3 scripts/swift-bindings-patch.py "$tmp/swift/XmtpFFI.swift" || die "the bindings patch does not apply"
# Replace the generated sources only when they changed (keeps SwiftPM's incremental build).
for pair in ffi:swift/Sources/XmtpFFIFFI swift:swift/Sources/XmtpFFI; do
  from=$tmp/${pair%%:*}
  to=${pair#*:}
  if ! diff -r "$from" "$to" >/dev/null 2>&1; then
    rm -rf "$to"
    cp -r "$from" "$to"
  fi
done
# The static library alone in its directory, so that the package links it statically.
libdir=$target/swift-lib
mkdir -p "$libdir"
swift_env=(XMTP_FFI_LIB_DIR="$src/$libdir")
if ! cmp -s "$target/$profile/libxmtp_ffi.a" "$libdir/libxmtp_ffi.a"; then
  cp "$target/$profile/libxmtp_ffi.a" "$libdir/libxmtp_ffi.a"
  # SwiftPM does not track the library: remove what links it, so that it is linked again.
  in_swift "[ ! -d $scratch ] || find $scratch -maxdepth 3 -type f \( -name XmtpPackageTests.xctest \
    -o -name xmtp-decrypt-one -o -name xmtp-bench-read -o -name xmtp-bench-sync \) -delete"
fi

if [[ $mode == --bench-sync ]]; then
  # NODE OP META [RUNS] [OFFSET] (see swift/Sources/BenchSync/main.swift); the chroot sees the clone only.
  [[ $# -ge 3 ]] || die "usage: $0 --bench-sync NODE OP META [RUNS] [OFFSET]"
  mkdir -p swift/.scratch
  if [[ -f $3 ]]; then cp "$3" swift/.scratch/bench-meta.json; else echo '{}' >swift/.scratch/bench-meta.json; fi
  in_swift "${swift_env[@]}" "swift build -q -c release --scratch-path $scratch --product xmtp-bench-sync"
  in_swift "${swift_env[@]}" "$scratch/release/xmtp-bench-sync $1 $2 swift/.scratch/bench-meta.json ${4:-3} ${5:-0}"
  rm -f swift/.scratch/bench-meta.json
  exit 0
fi
if [[ $mode == --bench ]]; then
  # Reading 1,000 V2 messages through the Swift API and through the Rust facade, same run,
  # same release library (with the testing feature, which the generated bindings expect).
  runs=${BENCH_RUNS:-10}
  mkdir -p swift/.scratch
  cargo run -q --release -p xmtp-core --example bench_corpus -- --out swift/.scratch/corpus.json >/dev/null
  in_swift "${swift_env[@]}" "swift build -q -c release --scratch-path $scratch --product xmtp-bench-read"
  # Each round a new process; the facade is timed inside the library in the same process.
  for ((round = 0; round < ${BENCH_ROUNDS:-3}; round++)); do
    in_swift "${swift_env[@]}" "$scratch/release/xmtp-bench-read swift/.scratch/corpus.json $runs"
  done
  rm -f swift/.scratch/corpus.json
  exit 0
fi

say "building the package and its tests"
in_swift "${swift_env[@]}" "swift build --build-tests --scratch-path $scratch" >"$tmp/build.out" 2>&1 ||
  { grep -v '^\[' "$tmp/build.out"; die "the build failed"; }
# Warnings are errors here (the generated bindings included).
if grep -q "warning:" "$tmp/build.out"; then grep -A3 "warning:" "$tmp/build.out"; die "the build has warnings"; fi
[[ $mode == --build ]] && exit 0

# ----- a node, the harness runner, the tests ---------------------------------------------
# shellcheck source=devnode-lib.sh
source "$root/scripts/devnode-lib.sh"
node swift/Tests/host-runner.cjs --root "$root" --map "$src" >"$tmp/runner.out" 2>&1 &
runner_pid=$!
trap 'kill "${devnode_pid:-}" "$runner_pid" 2>/dev/null || true; wait "${devnode_pid:-}" "$runner_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
start_devnode "$tmp" || die "no devnode"
url=$devnode_url
runner=$(wait_for_url "$tmp/runner.out" host-runner) || die "the harness runner did not start: $(cat "$tmp/runner.out")"
say "devnode at $url"
filter=()
[[ $# -gt 0 ]] && filter=(--filter "$1")
set +e
in_swift "${swift_env[@]}" XMTP_NODE="$url" XMTP_HOST_RUNNER="$runner" XMTP_ROOT="$src" RUST_BACKTRACE=0 \
  "swift test --skip-build --scratch-path $scratch ${filter[*]} 2>&1" | tee "$tmp/test.out" "${XMTP_SWIFT_TEST_LOG:-/dev/null}" |
  grep -aE "^Test Case .*(passed|failed)|error:|XCTAssert|Fatal|fatal"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -cE "^Test Case .* passed" "$tmp/test.out" || true)
failed=$(grep -cE "^Test Case .* failed" "$tmp/test.out" || true)
if [[ $status -ne 0 && $failed -eq 0 ]]; then
  tail -30 "$tmp/test.out"
  failed=1
fi
echo "$passed passed, $failed failed"
[[ $status -eq 0 && $failed -eq 0 && $passed -gt 0 ]]
