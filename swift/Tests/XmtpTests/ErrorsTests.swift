import Foundation
import XCTest
@testable import Xmtp

final class ErrorsTests: XCTestCase {
    func testEveryLibraryCodeHasAnExplicitMapping() {
        let codes = Client.errorCodes()
        XCTAssertGreaterThan(codes.count, 50, "the library lists its codes")
        let missing = codes.filter { XmtpError.kinds[$0] == nil }
        XCTAssertEqual(missing, [], "codes without a mapping in XmtpError.kinds")
        let stale = XmtpError.kinds.keys.filter { !codes.contains($0) }.sorted()
        XCTAssertEqual(stale, [], "mapped codes the library no longer has")
        // The case follows the library's grouping of codes by area.
        for code in codes {
            let expected: ErrorKind
            switch code.split(separator: ".").first ?? "" {
            case "api": expected = .network
            case "client", "address", "input": expected = .invalidInput
            case "state": expected = .state
            case "internal": expected = .internalError
            default: expected = .protocolError
            }
            XCTAssertEqual(XmtpError.from(code: code, message: "x", fallback: .internalError).kind, expected, code)
        }
    }

    func testAPanicArrivesAsAnErrorAndTheClientKeepsWorking() async throws {
        try await withDeadline(90) {
            let c = try Client.fromKeysSeeded(try await keysOfNewIdentity(), options: TestEnv.options(), seed: 1)
            XCTAssertThrowsError(try c.debugPanic()) { e in
                XCTAssertEqual(e as? XmtpError, .internalError(code: "internal.panic", message: "an internal error was caught"))
            }
            XCTAssertTrue(c.address.hasPrefix("0x"))
            let list = try await c.conversations.list()
            XCTAssertEqual(list.count, 0)
            XCTAssertThrowsError(try c.debugPanic())
            let none = try await c.canMessage([String]())
            XCTAssertEqual(none, [:])
            c.close()
        }
    }

    func testLibraryErrorsArriveWithTheirCodes() async throws {
        try await withDeadline(90) {
            let c = try Client(keys: try await keysOfNewIdentity(), options: TestEnv.options())
            do {
                _ = try await c.conversations.newConversation(with: "not an address")
                XCTFail("an invalid address was accepted")
            } catch let e as XmtpError {
                XCTAssertEqual(e.kind, .invalidInput)
                XCTAssertEqual(e.code, "address.invalid")
            }
            do {
                _ = try await c.conversations.newConversation(with: PrivateKeySigningKey.generate().address)
                XCTFail("an address without an identity was accepted")
            } catch let e as XmtpError {
                XCTAssertEqual(e.code, "client.no_identity")
                XCTAssertEqual(e.kind, .invalidInput)
            }
            c.close()
            XCTAssertThrowsError(try Client(state: "{", options: TestEnv.options())) { e in
                XCTAssertEqual((e as? XmtpError)?.code, "state.malformed")
                XCTAssertEqual((e as? XmtpError)?.kind, .state)
            }
            XCTAssertThrowsError(try Client(keys: Data([1, 2, 3]), options: TestEnv.options())) { e in
                XCTAssertEqual((e as? XmtpError)?.kind, .protocolError)
            }
            let offline = try Client(keys: try await keysOfNewIdentity(), options: ClientOptions(environment: .custom("http://127.0.0.1:9")))
            do {
                _ = try await offline.conversations.list()
                XCTFail("an unreachable node answered")
            } catch let e as XmtpError {
                XCTAssertEqual(e.kind, .network)
            }
            offline.close()
        }
    }
}
