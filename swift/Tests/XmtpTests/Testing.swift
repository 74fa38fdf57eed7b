import Foundation
@testable import Xmtp
import XmtpFFI

// What only library builds with the `testing` feature export (the tests' library has it; the
// package itself does not depend on it).
extension Xmtp.Client {
    /// A client whose random generator is seeded.
    static func fromKeysSeeded(_ keys: Data, options: Xmtp.ClientOptions, seed: UInt64) throws -> Xmtp.Client {
        Xmtp.Client(ffi: try mapErrors { try XmtpFFI.Client.fromKeysSeeded(keys: keys, options: options.ffi, seed: seed) },
               options: options)
    }

    /// Panics inside the library.
    func debugPanic() throws { try mapErrors { try ffi.debugPanic() } }
}
