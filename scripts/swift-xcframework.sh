#!/usr/bin/env bash
# Builds XmtpFFIFFI.xcframework for Apple platforms (macOS with Xcode only): the xmtp-ffi static
# library for iOS devices, the iOS simulator (arm64 + x86_64) and macOS (arm64 + x86_64), the
# header and module map uniffi generates, and the generated Swift bindings next to it. Then zips
# it and prints the SwiftPM checksum for a binary target (see swift/README.md, "Apple platforms").
#
# UNTESTED: written on Linux machines without Xcode; it has never been run.
#
#   scripts/swift-xcframework.sh            → build/apple/XmtpFFIFFI.xcframework(.zip), XmtpFFI.swift
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[[ $(uname -s) == Darwin ]] || { echo "swift-xcframework: needs macOS with Xcode" >&2; exit 1; }
command -v xcodebuild >/dev/null || { echo "swift-xcframework: xcodebuild not found" >&2; exit 1; }

out=build/apple
target=${CARGO_TARGET_DIR:-target}
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "${targets[@]}"
export IPHONEOS_DEPLOYMENT_TARGET=15.0 MACOSX_DEPLOYMENT_TARGET=12.0

# The library as shipped (profile ffi-release: LTO, size-first with the crypto built for speed,
# panics unwind), without the testing feature, once per target.
profile=ffi-release
for t in "${targets[@]}"; do
  cargo build --profile "$profile" -p xmtp-ffi --lib --target "$t"
done
# Separate invocation: the generator's `cli` feature must not reach the library.
cargo build --release -p uniffi-bindgen

rm -rf "$out"
mkdir -p "$out/gen" "$out/headers" "$out/ios-sim" "$out/macos"
"$target/release/uniffi-bindgen" generate "$target/aarch64-apple-darwin/$profile/libxmtp_ffi.a" \
  --language swift --out-dir "$out/gen" --config ffi-uniffi/uniffi.toml
cp "$out/gen/XmtpFFIFFI.h" "$out/headers/"
# In an XCFramework the module map must be named module.modulemap; it also links the library.
{
  sed '$d' "$out/gen/XmtpFFIFFI.modulemap"
  echo '    link "xmtp_ffi"'
  echo '}'
} >"$out/headers/module.modulemap"
cp "$out/gen/XmtpFFI.swift" "$out/XmtpFFI.swift"
python3 scripts/swift-bindings-patch.py "$out/XmtpFFI.swift"

# One fat library per platform: the simulator's two architectures, the Mac's two.
lipo -create "$target/aarch64-apple-ios-sim/$profile/libxmtp_ffi.a" "$target/x86_64-apple-ios/$profile/libxmtp_ffi.a" \
  -output "$out/ios-sim/libxmtp_ffi.a"
lipo -create "$target/aarch64-apple-darwin/$profile/libxmtp_ffi.a" "$target/x86_64-apple-darwin/$profile/libxmtp_ffi.a" \
  -output "$out/macos/libxmtp_ffi.a"

xcodebuild -create-xcframework \
  -library "$target/aarch64-apple-ios/$profile/libxmtp_ffi.a" -headers "$out/headers" \
  -library "$out/ios-sim/libxmtp_ffi.a" -headers "$out/headers" \
  -library "$out/macos/libxmtp_ffi.a" -headers "$out/headers" \
  -output "$out/XmtpFFIFFI.xcframework"

(cd "$out" && rm -f XmtpFFIFFI.xcframework.zip && zip -qry XmtpFFIFFI.xcframework.zip XmtpFFIFFI.xcframework)
echo "built $out/XmtpFFIFFI.xcframework, $out/XmtpFFIFFI.xcframework.zip and $out/XmtpFFI.swift"
echo "checksum: $(swift package compute-checksum "$out/XmtpFFIFFI.xcframework.zip")"
