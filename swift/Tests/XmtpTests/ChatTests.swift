import Foundation
import XCTest
@testable import Xmtp

/// Two Swift clients chat through the node.
final class ChatTests: XCTestCase {
    func testTwoClientsChat() async throws {
        try await withDeadline(180) { try await Self.chat() }
    }

    static func chat() async throws {
        // Bob talks to the node through a counting proxy: it shows his stream's connection.
        let proxy = try await proxyToNode()
        let alice = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
        let bob = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options(proxy.url))
        let nobody = "0x0000000000000000000000000000000000000001"
        let reachable = try await alice.canMessage([bob.address, nobody])
        XCTAssertEqual(reachable, [bob.address: true, nobody: false])

        // Invitation (V2 with a context) and text.
        let conv = try await alice.conversations.newConversation(
            with: bob.address, context: ConversationContext(conversationID: "example.com/thread/1", metadata: ["title": "t"]))
        XCTAssertEqual(conv.version, "v2")
        let hello = try await conv.send(text: "hello bob")
        let bobs = try await bob.conversations.list()
        XCTAssertEqual(bobs.count, 1)
        let bconv = bobs[0]
        XCTAssertEqual(bconv.topic, conv.topic)
        XCTAssertEqual(bconv.peerAddress, alice.address)
        XCTAssertEqual(bconv.context, ConversationContext(conversationID: "example.com/thread/1", metadata: ["title": "t"]))
        let first = try await bconv.messages()
        XCTAssertEqual(first.map(\.text), ["hello bob"])
        XCTAssertEqual(first.first?.id, hello)

        // Reply, reaction, read receipt, attachment, compressed text.
        let reply = MessageContent.reply(Reply(reference: hello, content: .text("hi alice")))
        let reaction = MessageContent.reaction(Reaction(reference: hello, content: "👍"))
        try await bconv.send(content: reply)
        try await bconv.send(content: reaction)
        try await bconv.send(content: .readReceipt)
        let file = MessageContent.attachment(Attachment(
            filename: "a.bin", mimeType: "application/octet-stream", data: Data((0..<300).map { UInt8($0 % 256) })))
        try await conv.send(content: file)
        let long = String(repeating: "x", count: 200)
        try await conv.send(text: long, options: SendOptions(compression: .gzip))
        let all = try await conv.messages(direction: .ascending)
        XCTAssertEqual(all.count, 6)
        guard all.count == 6 else { return }
        XCTAssertEqual(all[1].content, reply)
        XCTAssertEqual(all[2].content, reaction)
        XCTAssertEqual(all[3].content, .readReceipt)
        XCTAssertEqual(all[4].content, file)
        XCTAssertEqual(all[5].text, long)
        XCTAssertEqual(all[1].senderAddress, bob.address)

        // Paging: newest first, two at a time.
        let page1 = try await conv.messages(limit: 2)
        XCTAssertEqual(page1.map(\.id), all.suffix(2).reversed().map(\.id))
        let page2 = try await conv.messages(limit: 2, beforeNs: page1.last!.sentNs - 1)
        XCTAssertEqual(page2.map(\.id), all[2..<4].reversed().map(\.id))
        let after = try await conv.messages(beforeNs: nil, afterNs: all[4].sentNs, direction: .ascending)
        XCTAssertEqual(after.map(\.id), all[4..<6].map(\.id))

        // A stream sees a new conversation and its message.
        let carol = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
        let carolAddress = carol.address
        let newConv = Task {
            for try await c in bob.conversations.stream() where c.peerAddress == carolAddress { return c.topic }
            return ""
        }
        let newMsg = Task {
            for try await m in bob.conversations.streamAllMessages() where m.text == "from carol" { return m.senderAddress }
            return ""
        }
        try await eventually("bob's stream is open") { bob.streamConnected }
        let cconv = try await carol.conversations.newConversation(with: bob.address)
        let seenTopic = try await newConv.value
        XCTAssertEqual(seenTopic, cconv.topic)
        try await cconv.send(text: "from carol")
        let seenSender = try await newMsg.value
        XCTAssertEqual(seenSender, carol.address)
        // Both iterations ended: the client unsubscribed and the connection closed (the proxy
        // between bob and the node sees it).
        try await eventually("bob's stream connection closed") { try await proxy.openStreams() == 0 }

        // Cancelling the task that iterates a stream ends it and closes the connection.
        let before = bob.streamConnections.opened
        let endless = Task {
            var n = 0
            for try await _ in bob.conversations.streamAllMessages() { n += 1 }
            return n
        }
        try await eventually("a new stream is open") { bob.streamConnected && bob.streamConnections.opened > before }
        try await eventually("the proxy sees the stream") { try await proxy.openStreams() == 1 }
        endless.cancel()
        _ = try await endless.value
        try await eventually("the cancelled stream's connection closed") { try await proxy.openStreams() == 0 }
        XCTAssertFalse(bob.streamConnected)

        // Closing a client ends the streams iterated on it.
        let solo = try Client(keys: carol.exportKeys(), options: TestEnv.options())
        let ending = Task {
            for try await _ in solo.conversations.stream() {}
            return true
        }
        try await eventually("carol's second client streams") { solo.streamConnected }
        solo.close()
        let ended = try await withDeadline(10) { try await ending.value }
        XCTAssertTrue(ended)

        // One conversation's stream.
        let onConv = Task {
            for try await m in conv.streamMessages() where m.text == "live to alice" { return m.senderAddress }
            return ""
        }
        try await eventually("alice's stream is open") { alice.streamConnected }
        try await bconv.send(text: "live to alice")
        let live = try await onConv.value
        XCTAssertEqual(live, bob.address)

        // Consent, push keys, state export and import.
        try await alice.deny(addresses: [carol.address])
        XCTAssertEqual(alice.consentState(for: carol.address), .denied)
        try await alice.allow(addresses: [carol.address])
        XCTAssertEqual(alice.consentState(for: carol.address), .allowed)
        let keys = alice.pushHmacKeys(topics: [conv.topic])
        XCTAssertEqual(keys.count, 3)
        XCTAssertTrue(keys.allSatisfy { $0.key.count == 32 && $0.topic == conv.topic })
        let restored = try Client(state: alice.exportState(), options: TestEnv.options())
        let restoredTopics = try await restored.conversations.list().map(\.topic)
        XCTAssertEqual(restoredTopics, [conv.topic])
        // One conversation exported and imported into a client that knows nothing else.
        let exported = try conv.exportData()
        let fresh = try Client(keys: alice.exportKeys(), options: TestEnv.options())
        let imported = try fresh.conversations.importConversation(exported)
        XCTAssertEqual(imported.topic, conv.topic)
        XCTAssertEqual(imported.peerAddress, bob.address)
        XCTAssertEqual(imported.context?.conversationID, "example.com/thread/1")
        let importedMessages = try await imported.messages(direction: .ascending)
        XCTAssertEqual(importedMessages.first?.id, hello)
        XCTAssertThrowsError(try fresh.conversations.importConversation(Data([1, 2, 3])))
        fresh.close()
        let again = try await Client.build(keys: alice.exportKeys(), options: TestEnv.options())
        try await again.refreshConsentList()
        XCTAssertEqual(again.consentState(for: carol.address), .allowed)
        let againTopics = try await again.conversations.list().map(\.topic)
        XCTAssertTrue(againTopics.contains(conv.topic))
        for c in [alice, bob, carol, restored, again] { c.close() }
    }

    /// One client used from many tasks at once.
    func testOneClientFromManyTasks() async throws {
        try await withDeadline(120) {
            let alice = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
            let bob = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
            let conv = try await alice.conversations.newConversation(with: bob.address)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for i in 0..<20 { group.addTask { try await conv.send(text: "message \(i)") } }
                var ids: [String] = []
                for try await id in group { ids.append(id) }
                return ids
            }
            let read = try await bob.conversations.list().first!.messages()
            XCTAssertEqual(Set(read.map(\.id)), Set(ids))
            XCTAssertEqual(read.count, 20)
            alice.close()
            bob.close()
        }
    }
}
