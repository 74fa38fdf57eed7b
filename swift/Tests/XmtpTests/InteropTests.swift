import Foundation
import XCTest
@testable import Xmtp

/// The real xmtp-js 13.0.4 and the Swift package, through the same node.
final class InteropTests: XCTestCase {
    func testSwiftReadsWhatXmtpJsSentAndXmtpJsReadsWhatSwiftSent() async throws {
        try await withDeadline(400) {
            let dir = try TestEnv.scratch("interop")
            // Three xmtp-js clients write V1 and V2 conversations of every content type…
            try await runNode("produce.cjs", "--api-url", TestEnv.node, "--out", "\(dir)/corpus.json")
            let corpus = try readJSON("\(dir)/corpus.json")
            // …which the Swift API, given only their keys, reads as xmtp-js read it.
            var compared = 0
            for who in ["alice", "bob", "carol"] {
                let keys = Data(base64Encoded: corpus["identities"]?[who]?["keys"]?.string ?? "")!
                let c = try Client(keys: keys, options: TestEnv.options())
                compared += try compareWithExpected(who, corpus["expected"]?[who] ?? .null, try await readBack(c))
                c.close()
            }
            XCTAssertGreaterThanOrEqual(compared, 40, "compared \(compared) contents")

            // A Swift client writes to xmtp-js's bob; xmtp-js reads it.
            let bobAddress = corpus["identities"]?["bob"]?["address"]?.string ?? ""
            let bobKeys = corpus["identities"]?["bob"]?["keys"]?.string ?? ""
            let s = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
            let conv = try await s.conversations.newConversation(
                with: bobAddress, context: ConversationContext(conversationID: "xmtp-rs.dev/swift"))
            let hello = try await conv.send(text: "from Swift to xmtp-js")
            let reaction = try await conv.send(content: .reaction(Reaction(reference: hello, content: "🎉")))
            let input: JSONValue = .object([
                "identities": .object(["bob": .object(["keys": .string(bobKeys)])]), "envelopes": .array([]),
            ])
            try input.text.write(toFile: "\(dir)/keys.json", atomically: true, encoding: .utf8)
            try await runNode("consume.cjs", "--api-url", TestEnv.node, "--in", "\(dir)/keys.json", "--out", "\(dir)/read.json")
            let read = try readJSON("\(dir)/read.json")
            guard case .array(let convs) = read["bob"]?["conversations"],
                  let mine = convs.first(where: { $0["peerAddress"]?.string == s.address }),
                  case .array(let msgs) = mine["messages"], msgs.count == 2
            else { throw TestFailure("xmtp-js did not read the Swift conversation: \(read.text)") }
            XCTAssertEqual(mine["version"]?.string, "v2")
            XCTAssertEqual(mine["context"]?["conversationId"]?.string, "xmtp-rs.dev/swift")
            XCTAssertEqual(msgs.map { $0["id"]?.string }, [hello, reaction])
            XCTAssertEqual(msgs[0]["content"]?.string, "from Swift to xmtp-js")
            XCTAssertEqual(msgs[1]["contentType"]?.string, "xmtp.org/reaction:1.0")
            XCTAssertEqual(msgs[1]["content"]?["content"]?.string, "🎉")
            XCTAssertEqual(msgs[1]["content"]?["reference"]?.string, hello)
            s.close()
            try? FileManager.default.removeItem(atPath: dir)
        }
    }
}
