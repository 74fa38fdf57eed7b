// swift-tools-version:6.0
// The xmtp-rs Swift package. Its Swift code is the idiomatic layer (`Xmtp`) over bindings that
// uniffi generates from the Rust library `xmtp_ffi` (crate `xmtp-ffi`); `scripts/swift.sh`
// builds the library, generates the bindings into `swift/Sources/XmtpFFI` and
// `swift/Sources/XmtpFFIFFI` (never edited by hand) and runs the tests.
//
// The library is linked from the directory `XMTP_FFI_LIB_DIR` names (default: this
// repository's `target/release`, as `cargo build --release -p xmtp-ffi` leaves it). That
// linker flag is an unsafe flag, which SwiftPM refuses in a dependency added by URL: apps use
// the XCFramework instead (`scripts/swift-xcframework.sh`, see `swift/README.md`).
import PackageDescription
import Foundation

let libDir = Context.environment["XMTP_FFI_LIB_DIR"] ?? "\(Context.packageDirectory)/target/release"

let package = Package(
    name: "Xmtp",
    platforms: [.macOS(.v12), .iOS(.v15)],
    products: [
        .library(name: "Xmtp", targets: ["Xmtp"]),
    ],
    targets: [
        // The C declarations of the library (generated header and module map).
        .systemLibrary(name: "XmtpFFIFFI", path: "swift/Sources/XmtpFFIFFI"),
        // The generated Swift bindings (module name from ffi-uniffi/uniffi.toml).
        .target(
            name: "XmtpFFI",
            dependencies: ["XmtpFFIFFI"],
            path: "swift/Sources/XmtpFFI",
            linkerSettings: [
                .linkedLibrary("xmtp_ffi"),
                .linkedLibrary("m", .when(platforms: [.linux])),
                .linkedLibrary("dl", .when(platforms: [.linux])),
                .linkedLibrary("pthread", .when(platforms: [.linux])),
                .unsafeFlags(["-L", libDir, "-Xlinker", "-rpath", "-Xlinker", libDir]),
            ]
        ),
        // The package: clients, conversations, content types, errors, the host loop.
        .target(name: "Xmtp", dependencies: ["XmtpFFI"], path: "swift/Sources/Xmtp"),
        // A one-shot decrypter: reads one envelope with an exported state, in a fresh process.
        .executableTarget(name: "xmtp-decrypt-one", dependencies: ["Xmtp"], path: "swift/Sources/DecryptOne"),
        // The read benchmark (`scripts/swift.sh --bench`): the package, and its generated bindings alone.
        .executableTarget(name: "xmtp-bench-read", dependencies: ["Xmtp", "XmtpFFI"], path: "swift/Sources/BenchRead"),
        // Listing, syncing and sending against a loaded node (`scripts/swift.sh --bench-sync`).
        .executableTarget(name: "xmtp-bench-sync", dependencies: ["Xmtp"], path: "swift/Sources/BenchSync"),
        .testTarget(
            name: "XmtpTests",
            dependencies: ["Xmtp", "XmtpFFI", "xmtp-decrypt-one"],
            path: "swift/Tests/XmtpTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
