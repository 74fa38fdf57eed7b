import Foundation
import XCTest
@testable import Xmtp

/// A notification service extension's case: one envelope, read in a new process from an
/// exported state alone.
final class FreshProcessTests: XCTestCase {
    func testOneEnvelopeDecryptsInAFreshProcess() async throws {
        try await withDeadline(120) {
            let alice = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
            let bob = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
            let conv = try await alice.conversations.newConversation(with: bob.address)
            _ = try await bob.conversations.list()
            let prepared = try conv.prepareMessage(content: .text("for the notification service"))
            try await conv.publish(prepared)
            let envelope = prepared.envelopes[0]
            XCTAssertEqual(prepared.envelopes.count, 1)

            let dir = try TestEnv.scratch("fresh")
            let state = "\(dir)/state.json"
            try bob.exportState().write(toFile: state, atomically: true, encoding: .utf8)
            // The executable is built next to the test bundle.
            #if os(Linux)
            let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            #else
            let bundle = Bundle(for: FreshProcessTests.self).bundleURL
            #endif
            let tool = bundle.deletingLastPathComponent().appendingPathComponent("xmtp-decrypt-one")
            let p = Process()
            p.executableURL = tool
            p.arguments = [state, envelope.contentTopic, String(envelope.timestampNs), envelope.message.base64EncodedString()]
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            try p.run()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, out)
            let last = out.split(separator: "\n").last.map(String.init)
            XCTAssertEqual(last, "\(prepared.id) \(alice.address): for the notification service")
            try? FileManager.default.removeItem(atPath: dir)
            alice.close()
            bob.close()
        }
    }
}
