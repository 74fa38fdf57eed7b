#!/usr/bin/env bash
# The npm package's tests, against the packed tarball (what users install):
#
#   js/test/run.sh js/build/xmtp-rs-<version>.tgz [TEST_FILE...]
#
# 1. Copies the fixture projects (fixtures/esm, fixtures/cjs, fixtures/browser) to a temporary
#    directory and `npm install`s the tarball into each (it has no dependencies: offline); the
#    browser demo is bundled with esbuild.
# 2. Installs the xmtp-js interop harness (tests/interop/js) and Chromium when missing.
# 3. Starts a devnode on a free loopback port and runs `node --test` on js/test/*.test.mjs.
#
# Prints `N passed, N failed` last; exits non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

die() {
  echo "js-test: error: $*" >&2
  exit 1
}
say() { echo "js-test: $*"; }

[[ $# -ge 1 ]] || die "usage: js/test/run.sh TARBALL"
[[ -f $1 ]] || die "no tarball at $1"
tarball=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
tests=("$@")
[[ ${#tests[@]} -gt 0 ]] || tests=("$here"/*.test.mjs)
started=$SECONDS

tmp=$(mktemp -d "${TMPDIR:-/tmp}/xmtp-rs-js-test.XXXXXX")
node_pid=""
cleanup() {
  if [[ -n $node_pid ]]; then
    kill "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# ----- fixture projects -------------------------------------------------------------------
for f in esm cjs browser ts; do
  cp -r "$here/fixtures/$f" "$tmp/$f"
  (cd "$tmp/$f" && npm install --offline --no-audit --no-fund --loglevel=error "$tarball" >/dev/null) ||
    die "npm install of the tarball failed in the $f fixture"
done
# The browser demo, bundled as an application would; the .wasm is copied beside the bundle
# (the package loads it from `new URL("./xmtp_wasm_bg.wasm", import.meta.url)`).
mkdir -p "$tmp/browser/public"
"$root/js/node_modules/.bin/esbuild" "$tmp/browser/main.js" --bundle --format=esm --platform=browser \
  --target=es2022 --log-level=warning --outfile="$tmp/browser/public/main.js"
cp "$tmp/browser/index.html" "$tmp/browser/public/"
cp "$tmp/browser/node_modules/xmtp-rs/dist/xmtp_wasm_bg.wasm" "$tmp/browser/public/"
say "fixtures installed from $(basename "$tarball")"
# A TypeScript application: the package's declarations type-check strictly (skipLibCheck off).
"$root/js/node_modules/.bin/tsc" -p "$tmp/ts/tsconfig.json" || die "the package's types do not check in a TypeScript project"
say "a TypeScript project type-checks against the package"

# ----- the xmtp-js harness and Chromium ---------------------------------------------------
interop=$root/tests/interop/js
if [[ ! -d $interop/node_modules/@xmtp/xmtp-js || $interop/package-lock.json -nt $interop/node_modules/.package-lock.json ]]; then
  say "installing the xmtp-js harness (npm ci)"
  (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
if ! command -v chromium >/dev/null 2>&1; then
  if [[ $(id -u) -eq 0 ]]; then
    say "installing Chromium"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null ||
      die "could not install Chromium"
  else
    say "Chromium is missing (run as root, or: apt-get install chromium); the browser test will fail"
  fi
fi

# ----- the devnode ------------------------------------------------------------------------
# shellcheck source=../../scripts/devnode-lib.sh
source "$root/scripts/devnode-lib.sh"
start_devnode "$tmp" || die "no devnode"
node_pid=$devnode_pid
url=$devnode_url
say "devnode at $url"

# ----- tests ------------------------------------------------------------------------------
mkdir -p "$root/js/build/artifacts"
export XMTP_TEST_NODE=$url XMTP_TEST_FIXTURES=$tmp XMTP_TEST_ROOT=$root
status=0
node --test --test-concurrency=3 --test-timeout=150000 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tmp/results.tap" \
  "${tests[@]}" || status=$?
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tmp/results.tap" | tail -1)
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tmp/results.tap" | tail -1)
cancelled=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tmp/results.tap" | tail -1)
passed=${passed:-0}
failed=$((${failed:-0} + ${cancelled:-0}))
if [[ $status -ne 0 && $failed -eq 0 ]]; then failed=1; fi
say "took $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[[ $status -eq 0 && $failed -eq 0 ]]
