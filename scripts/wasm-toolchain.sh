# Sourced by the scripts that build for wasm32-unknown-unknown: chooses how, and sets
#   cargo_cmd  the cargo command (an array)
#   build_std  extra cargo arguments (an array; -Zbuild-std on route 2)
#   route      a one-line description
# Route 1: the rustup toolchain has the target: plain cargo.
# Route 2: otherwise Debian's rustc-web with std built from source (scripts/setup-wasm.sh
#          installs it).
# shellcheck shell=bash
installed_targets=""
if command -v rustup >/dev/null 2>&1; then
  installed_targets=$(rustup target list --installed 2>/dev/null || true)
fi

if grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  cargo_cmd=(cargo)
  build_std=()
  route="route 1: $(rustc --version | cut -d' ' -f1-2) + rustup std"
else
  # wasm-ld matching the LLVM of Debian's rustc, else the newest one there is.
  llvm_major=$(/usr/bin/rustc -vV | sed -n 's/^LLVM version: *\([0-9][0-9]*\).*/\1/p')
  linker=""
  if [[ -n $llvm_major ]] && command -v "wasm-ld-$llvm_major" >/dev/null 2>&1; then
    linker="wasm-ld-$llvm_major"
  else
    for n in $(compgen -c wasm-ld- | sed -n 's/^wasm-ld-\([0-9][0-9]*\)$/\1/p' | sort -un); do
      linker="wasm-ld-$n"
    done
  fi
  [[ -n $linker ]] || linker=wasm-ld
  # /usr/bin/cargo explicitly: rustup's proxies usually come first on PATH. RUSTC_BOOTSTRAP lets
  # this stable toolchain take -Zbuild-std.
  cargo_cmd=(env -u RUSTUP_TOOLCHAIN RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc RUSTC_BOOTSTRAP=1
    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=$linker" /usr/bin/cargo)
  build_std=("-Zbuild-std=std,panic_abort")
  route="route 2: Debian $(/usr/bin/rustc --version | cut -d' ' -f1-2) + build-std"
fi
