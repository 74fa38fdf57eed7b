#!/usr/bin/env bash
# Builds the Android library of the Kotlin package (kotlin/android/build/outputs/aar/):
# libxmtp_ffi.so for four ABIs (profile ffi-release, 16 KB pages), bindings generated from it
# (without the testing exports) and patched as scripts/kotlin.sh patches them, and the Gradle
# module in kotlin/android/.
#
# UNTESTED: written on Linux machines without an Android SDK, NDK or Gradle; it has never been
# run. kotlin/README.md ("Android") says what it expects.
#
#   ANDROID_HOME=… ANDROID_NDK_HOME=… scripts/android.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() {
  echo "android: error: $*" >&2
  exit 1
}
[[ -d ${ANDROID_NDK_HOME:-} ]] || die "ANDROID_NDK_HOME must name an Android NDK (r27 or newer)"
[[ -d ${ANDROID_HOME:-} ]] || die "ANDROID_HOME must name an Android SDK (platform 35)"
command -v gradle >/dev/null 2>&1 || die "gradle (8.9 or newer) not found"
command -v cargo-ndk >/dev/null 2>&1 || cargo install cargo-ndk
rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android

module=kotlin/android
target=${CARGO_TARGET_DIR:-target}
rm -rf "$module/build/jniLibs" "$module/build/generated"
mkdir -p "$module/build/jniLibs" "$module/build/generated"

# The library as shipped, for each ABI, its segments aligned to 16 KB (Android 15 devices with
# 16 KB pages refuse 4 KB-aligned libraries).
RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-z,max-page-size=16384 -C link-arg=-Wl,-z,common-page-size=16384" \
  cargo ndk --platform 23 -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 -o "$module/build/jniLibs" \
  build --profile ffi-release -p xmtp-ffi --lib
readelf=$(find "$ANDROID_NDK_HOME/toolchains/llvm/prebuilt" -name llvm-readelf -type f | head -1)
for so in "$module"/build/jniLibs/*/libxmtp_ffi.so; do
  if "$readelf" -lW "$so" | awk '$1 == "LOAD" && $NF != "0x4000" { bad = 1 } END { exit bad }'; then
    echo "android: $so: $(stat -c %s "$so") bytes, LOAD segments aligned to 16 KB"
  else
    die "$so: a LOAD segment is not aligned to 16 KB"
  fi
done

# The bindings from the arm64 library (the output does not depend on the ABI), then the same
# patch as for the JVM.
cargo build -q -p uniffi-bindgen
"$target/debug/uniffi-bindgen" generate "$module/build/jniLibs/arm64-v8a/libxmtp_ffi.so" --language kotlin \
  --out-dir "$module/build/generated" --config ffi-uniffi/uniffi.toml --no-format >/dev/null
python3 scripts/kotlin-bindings-patch.py "$module/build/generated" || die "the bindings patch does not apply"

gradle -p "$module" assembleRelease
ls -l "$module"/build/outputs/aar/*.aar
