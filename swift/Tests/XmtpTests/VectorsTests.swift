import Foundation
import XCTest
@testable import Xmtp

/// Known answers from tests/vectors through the Swift API.
final class VectorsTests: XCTestCase {
    /// The xmtp-js 13.0.4 corpus (tests/vectors/xmtpjs/corpus-1.json): its envelopes are published
    /// to the node (by the harness, with publish tokens), and each identity, restored from its
    /// exported keys through the Swift API, reads what xmtp-js read.
    func testTheXmtpJsCorpusReadsAsXmtpJsReadIt() async throws {
        try await withDeadline(240) {
            let path = "\(TestEnv.root)/tests/vectors/xmtpjs/corpus-1.json"
            let corpus = try readJSON(path)
            let dir = try TestEnv.scratch("vectors")
            try await runNode("consume.cjs", "--api-url", TestEnv.node, "--in", path, "--out", "\(dir)/read.json")
            var compared = 0
            for who in ["alice", "bob", "carol"] {
                let keys = Data(base64Encoded: corpus["identities"]?[who]?["keys"]?.string ?? "")!
                let c = try Client(keys: keys, options: TestEnv.options())
                compared += try compareWithExpected(who, corpus["expected"]?[who] ?? .null, try await readBack(c))
                c.close()
            }
            XCTAssertGreaterThanOrEqual(compared, 40, "compared \(compared) contents")
            try? FileManager.default.removeItem(atPath: dir)
        }
    }

    /// tests/vectors/xmtpjs-13.0.4-vectors.json, byte for byte: wallet signatures, deterministic
    /// V2 topics, a V2 message's id and text, a push HMAC key.
    func testXmtpJsKnownAnswersByteForByte() async throws {
        try await withDeadline(120) {
            let v = try readJSON("\(TestEnv.root)/tests/vectors/xmtpjs-13.0.4-vectors.json")
            func s(_ path: String...) -> String {
                var x: JSONValue? = v
                for p in path { x = x?[p] }
                return x?.string ?? ""
            }
            // The wallets sign as xmtp-js's did.
            for who in ["alice", "bob"] {
                let wallet = try PrivateKeySigningKey(privateKey: hex(s(who, "walletPrivateKey")))
                XCTAssertEqual(wallet.address, s(who, "walletAddress"))
                let signature = try await wallet.sign(message: s(who, "identitySignatureText"))
                XCTAssertEqual(toHex(signature), toHex(hex(s(who, "walletSignature"))), "\(who)'s identity signature")
            }
            // Their exported bundles, published to the node.
            let alice = try await Client.build(keys: hex(s("alice", "privateKeyBundleV1Encoded_PrivateKeyBundle")), options: TestEnv.options())
            let bob = try await Client.build(keys: hex(s("bob", "privateKeyBundleV1Encoded_PrivateKeyBundle")), options: TestEnv.options())
            XCTAssertEqual(alice.address, s("alice", "walletAddress"))
            XCTAssertEqual(bob.address, s("bob", "walletAddress"))
            // Deterministic topics, without and with a context.
            let plain = try await alice.conversations.newConversation(with: bob.address)
            XCTAssertEqual(plain.topic, s("v2Invite", "topicNoContext"))
            let test = try await alice.conversations.newConversation(with: bob.address, context: ConversationContext(conversationID: "test"))
            XCTAssertEqual(test.topic, s("v2Invite", "topicContextTest"))
            // The V2 message xmtp-js sent on the first topic: its id and text.
            let bobs = try await bob.conversations.list().map(\.topic)
            XCTAssertTrue(bobs.contains(plain.topic))
            let header = hex(s("v2Message", "headerBytes"))
            var ns: UInt64 = 0
            var shift: UInt64 = 0
            for b in header.dropFirst() {
                ns |= UInt64(b & 0x7f) << shift
                shift += 7
                if b & 0x80 == 0 { break }
            }
            let results = bob.decryptBatch([Envelope(contentTopic: plain.topic, timestampNs: ns, message: hex(s("v2Message", "messageBytes")))])
            let message = try results[0].get()
            XCTAssertEqual(message.id, s("v2Message", "messageId"))
            XCTAssertEqual(message.text, v["v2Message"]?["libDecoded"]?["content"]?.string)
            XCTAssertEqual(message.senderAddress, s("alice", "walletAddress"))
            // The push HMAC key of the message's 30-day period.
            let period = UInt64(v["v2Message"]?["thirtyDayPeriod"]?.int ?? 0)
            let at = Date(timeIntervalSince1970: Double(period) * 30 * 86_400 + 86_400)
            let key = alice.pushHmacKeys(topics: [plain.topic], at: at).first { $0.period == period }
            XCTAssertEqual(key.map { toHex($0.key) }, s("v2Message", "hmacKey"))
            alice.close()
            bob.close()
        }
    }

    /// Seeded generators (the library's testing feature): the same seed, keys and time give the
    /// same bytes; another seed gives others.
    func testSeededClientsReproduceTheSameBytes() async throws {
        try await withDeadline(120) {
            let keys = try await keysOfNewIdentity()
            let peer = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
            func prepared(_ seed: UInt64) async throws -> [Envelope] {
                let c = try Client.fromKeysSeeded(keys, options: TestEnv.options(), seed: seed)
                defer { c.close() }
                let conv = try await c.conversations.newConversation(with: peer.address)
                return try conv.prepareMessage(content: .text("same"), options: SendOptions(), atNs: 1_700_000_000_000_000_000).envelopes
            }
            let (a, b, other) = (try await prepared(1), try await prepared(1), try await prepared(2))
            XCTAssertEqual(a, b, "same seed, same keys, same time: same bytes")
            XCTAssertNotEqual(a, other)
            peer.close()
        }
    }
}
