import Foundation
import XCTest
@testable import Xmtp

/// The host API's known answers (tests/vectors/facade-seeded.json, written by the Rust facade's
/// own test) reproduced byte for byte through the Swift API: a wallet's signature, a seeded
/// client's message in an imported conversation, the peer reading it, the conversation's export,
/// its push keys.
final class SeededVectorsTests: XCTestCase {
    private func vectors() throws -> JSONValue {
        try readJSON("\(TestEnv.root)/tests/vectors/facade-seeded.json")
    }

    private func s(_ v: JSONValue, _ path: String...) -> String {
        var x: JSONValue? = v
        for p in path { x = x?[p] }
        return x?.string ?? ""
    }

    func testAWalletSignsAsTheVectorsSay() async throws {
        let v = try vectors()
        let wallet = try PrivateKeySigningKey(privateKey: hex(s(v, "wallet", "privateKeyHex")))
        XCTAssertEqual(wallet.address, s(v, "wallet", "address"))
        let signature = try await wallet.sign(message: s(v, "wallet", "text"))
        XCTAssertEqual(toHex(signature), s(v, "wallet", "signatureHex"))
    }

    func testASeededClientPreparesTheSameBytesAndThePeerReadsThem() throws {
        let v = try vectors()
        let b64 = { (x: String) in Data(base64Encoded: x)! }
        let now = UInt64(s(v, "message", "nowNs"))!
        let seed = UInt64(v["message"]?["seed"]?.int ?? -1)
        let c = try Client.fromKeysSeeded(b64(s(v, "sender", "keys")), options: TestEnv.options(), seed: seed)
        defer { c.close() }
        let data = b64(s(v, "conversation", "senderTopicData"))
        let conversation = try c.conversations.importConversation(data)
        XCTAssertEqual(conversation.topic, s(v, "conversation", "topic"))
        XCTAssertEqual(conversation.peerAddress, s(v, "recipient", "address"))
        XCTAssertEqual(try conversation.exportData(), data)

        let prepared = try conversation.prepareMessage(content: .text(s(v, "message", "text")), options: SendOptions(), atNs: now)
        XCTAssertEqual(prepared.id, s(v, "message", "id"))
        XCTAssertEqual(prepared.envelopes.count, 1)
        let e = prepared.envelopes[0]
        XCTAssertEqual(e.contentTopic, s(v, "message", "envelope", "contentTopic"))
        XCTAssertEqual(e.timestampNs, UInt64(s(v, "message", "envelope", "timestampNs")))
        XCTAssertEqual(e.message, b64(s(v, "message", "envelope", "message")))

        let at = Date(timeIntervalSince1970: Double(now / 1_000_000) / 1000)
        let keys = c.pushHmacKeys(at: at).map { "\($0.topic) \($0.period) \(toHex($0.key))" }
        var expected: [String] = []
        if case .array(let list)? = v["hmacKeys"] {
            expected = list.map { "\($0["topic"]?.string ?? "") \($0["period"]?.int ?? -1) \($0["key"]?.string ?? "")" }
        }
        XCTAssertEqual(keys, expected)

        let peer = try Client(keys: b64(s(v, "recipient", "keys")), options: TestEnv.options())
        defer { peer.close() }
        _ = try peer.conversations.importConversation(b64(s(v, "conversation", "recipientTopicData")))
        let read = peer.decryptBatch([e])
        let m = try read[0].get()
        XCTAssertEqual(m.text, s(v, "message", "text"))
        XCTAssertEqual(m.senderAddress, s(v, "sender", "address"))
        XCTAssertEqual(m.id, s(v, "message", "id"))
    }
}
