#!/usr/bin/env bash
# Makes a wasm32-unknown-unknown build of the workspace possible (used by scripts/check-wasm.sh).
#
# Route 1: the active rustup toolchain already has the wasm32-unknown-unknown target: nothing to do.
#          (Elsewhere, `rustup target add wasm32-unknown-unknown` is all that is needed.)
# Route 2: Debian's rustc-web + cargo-web + rust-web-src (the matching std source; std is then built
#          from source with -Zbuild-std) and lld (wasm-ld). Installed with apt-get when missing.
#
# Idempotent and silent when everything is already in place; prints errors to stderr and exits
# non-zero when the tools cannot be installed.
#
# Environment:
#   WASM_MIN_RUSTC  oldest Debian rustc-web accepted (default 1.88, the newest rust-version among
#                   the workspace's dependencies, dev-dependencies included).
set -euo pipefail

readonly target=wasm32-unknown-unknown
readonly min_rustc=${WASM_MIN_RUSTC:-1.88}
readonly rust_pkgs=(rustc-web cargo-web rust-web-src)

die() {
  echo "setup-wasm: error: $*" >&2
  exit 1
}

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# --- route 1 ---------------------------------------------------------------------------------
if command -v rustup >/dev/null 2>&1; then
  installed_targets=$(rustup target list --installed 2>/dev/null || true)
  if grep -qx "$target" <<<"$installed_targets"; then
    exit 0
  fi
fi

# --- route 2 ---------------------------------------------------------------------------------

# Installed version of a Debian package, or nothing.
installed_version() {
  local out
  out=$(dpkg-query -W -f='${Status}|${Version}' "$1" 2>/dev/null || true)
  case $out in
    "install ok installed|"*) echo "${out#*|}" ;;
  esac
}

# Candidate version of a Debian package in the current apt lists, or nothing.
candidate_version() {
  local out
  out=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: *//p' | head -n 1)
  [[ -n $out && $out != "(none)" ]] && echo "$out"
  return 0
}

# dpkg version comparison: version_ge A B is true when A >= B.
version_ge() {
  dpkg --compare-versions "$1" ge "$2"
}

# LLVM major version of Debian's rustc (empty if it is not installed).
rustc_llvm_major() {
  [[ -x /usr/bin/rustc ]] || return 0
  /usr/bin/rustc -vV 2>/dev/null | sed -n 's/^LLVM version: *\([0-9][0-9]*\).*/\1/p'
}

# Name of a wasm-ld usable with Debian's rustc (empty if none).
find_wasm_ld() {
  local major n best=""
  major=$(rustc_llvm_major)
  if [[ -n $major ]] && command -v "wasm-ld-$major" >/dev/null 2>&1; then
    echo "wasm-ld-$major"
    return 0
  fi
  for n in $(compgen -c wasm-ld- | sed -n 's/^wasm-ld-\([0-9][0-9]*\)$/\1/p' | sort -un); do
    best="wasm-ld-$n"
  done
  if [[ -z $best ]] && command -v wasm-ld >/dev/null 2>&1; then
    best=wasm-ld
  fi
  echo "$best"
}

route2_ready() {
  local v src
  v=$(installed_version rustc-web)
  src=$(installed_version rust-web-src)
  [[ -n $v && -n $src && $v == "$src" ]] || return 1
  [[ -n $(installed_version cargo-web) ]] || return 1
  version_ge "$v" "$min_rustc" || return 1
  [[ -n $(find_wasm_ld) ]]
}

if route2_ready; then
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  die "no $target target in the rustup toolchain and no apt-get to install Debian's rustc-web;" \
    "run: rustup target add $target"

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || die "installing ${rust_pkgs[*]} and lld needs root (or sudo)"
  sudo_cmd=(sudo)
fi

# Highest lld-N package that apt can install (empty if none).
lld_candidate() {
  local n best=""
  for n in $(apt-cache pkgnames lld- 2>/dev/null | sed -n 's/^lld-\([0-9][0-9]*\)$/\1/p' | sort -un); do
    [[ -n $(candidate_version "lld-$n") ]] && best="lld-$n"
  done
  echo "$best"
}

lists_good_enough() {
  local c
  c=$(candidate_version rustc-web)
  [[ -n $c ]] || return 1
  version_ge "$c" "$min_rustc" || return 1
  [[ -n $(candidate_version rust-web-src) && -n $(candidate_version cargo-web) ]] || return 1
  [[ -n $(lld_candidate) ]]
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

apt_run() {
  if ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >"$log" 2>&1; then
    cat "$log" >&2
    die "apt-get $* failed"
  fi
}

if ! lists_good_enough; then
  apt_run -o DPkg::Lock::Timeout=300 update
  lists_good_enough ||
    die "apt has no rustc-web >= $min_rustc with rust-web-src, cargo-web and an lld-N package" \
      "(rustc-web candidate: $(candidate_version rustc-web || true))"
fi

pkgs=("${rust_pkgs[@]}" "$(lld_candidate)")
apt_run -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${pkgs[@]}"

# The std source must match the compiler exactly; lld must match its LLVM where possible.
major=$(rustc_llvm_major)
if [[ -n $major ]] && ! command -v "wasm-ld-$major" >/dev/null 2>&1 &&
  [[ -n $(candidate_version "lld-$major") ]]; then
  apt_run -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "lld-$major"
fi

route2_ready ||
  die "after installing ${pkgs[*]}: rustc-web $(installed_version rustc-web)," \
    "rust-web-src $(installed_version rust-web-src), wasm-ld '$(find_wasm_ld)' are not usable" \
    "(need rustc-web >= $min_rustc with the same rust-web-src version, and a wasm-ld)"
