package dev.xmtprs

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertTrue
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.first

/** Two Kotlin clients chat through the node. */
class ChatTest {
    @Test
    fun twoClientsChat() = blocking(180) {
        val alice = Client.create(PrivateKeySigner.generate(), TestEnv.options())
        val bob = Client.create(PrivateKeySigner.generate(), TestEnv.options())
        assertEquals(mapOf(bob.address to true, "0x0000000000000000000000000000000000000001" to false),
            alice.canMessage(listOf(bob.address, "0x0000000000000000000000000000000000000001")))

        // Invitation (V2 with a context) and text.
        val conv = alice.conversations.newConversation(bob.address, "example.com/thread/1", mapOf("title" to "t"))
        assertEquals("v2", conv.version)
        val hello = conv.send("hello bob")
        val bobs = bob.conversations.list()
        assertEquals(1, bobs.size)
        val bconv = bobs[0]
        assertEquals(conv.topic, bconv.topic)
        assertEquals(alice.address, bconv.peerAddress)
        assertEquals("example.com/thread/1", bconv.conversationId)
        assertEquals(mapOf("title" to "t"), bconv.metadata)
        val first = bconv.messages()
        assertEquals(listOf("hello bob"), first.map { it.text })
        assertEquals(hello, first[0].id)

        // Reply, reaction, read receipt, attachment, compressed text.
        bconv.send(MessageContent.Reply(hello, MessageContent.Text("hi alice")))
        bconv.send(MessageContent.Reaction(hello, "added", "👍"))
        bconv.send(MessageContent.ReadReceipt)
        val file = MessageContent.Attachment("a.bin", "application/octet-stream", ByteArray(300) { it.toByte() })
        conv.send(file)
        conv.send("x".repeat(200), SendOptions(compression = Compression.GZIP))
        val all = conv.messages(direction = SortDirection.ASCENDING)
        assertEquals(6, all.size)
        assertEquals(MessageContent.Reply(hello, MessageContent.Text("hi alice")), all[1].content)
        assertEquals(MessageContent.Reaction(hello, "added", "👍"), all[2].content)
        assertEquals(MessageContent.ReadReceipt, all[3].content)
        assertEquals(file, all[4].content)
        assertEquals("x".repeat(200), all[5].text)
        assertEquals(bob.address, all[1].senderAddress)

        // Paging: newest first, two at a time.
        val page1 = conv.messages(limit = 2)
        assertEquals(all.takeLast(2).reversed().map { it.id }, page1.map { it.id })
        val page2 = conv.messages(limit = 2, beforeNs = page1.last().sentNs - 1)
        assertEquals(all.subList(2, 4).reversed().map { it.id }, page2.map { it.id })
        val after = conv.messages(afterNs = all[4].sentNs, direction = SortDirection.ASCENDING)
        assertEquals(all.subList(4, 6).map { it.id }, after.map { it.id })

        // A stream sees a new conversation and its message.
        val carol = Client.create(PrivateKeySigner.generate(), TestEnv.options())
        val newConv = async { bob.conversations.stream().first { it.peerAddress == carol.address } }
        val newMsg = async { bob.conversations.streamAllMessages().first { it.text == "from carol" } }
        bob.streamConnected.first { it }
        val cconv = carol.conversations.newConversation(bob.address)
        assertEquals(cconv.topic, newConv.await().topic)
        cconv.send("from carol")
        assertEquals(carol.address, newMsg.await().senderAddress)
        // Both collections ended: the client unsubscribed and closed its stream.
        bob.streamConnected.first { !it }

        // One conversation's stream.
        val onConv = async { conv.streamMessages().first { it.text == "live to alice" } }
        alice.streamConnected.first { it }
        bconv.send("live to alice")
        assertEquals(bob.address, onConv.await().senderAddress)

        // Consent, push keys, state export and import.
        alice.deny(listOf(carol.address))
        assertEquals(ConsentState.DENIED, alice.consentState(carol.address))
        alice.allow(listOf(carol.address))
        assertEquals(ConsentState.ALLOWED, alice.consentState(carol.address))
        val keys = alice.pushHmacKeys(listOf(conv.topic))
        assertEquals(3, keys.size)
        assertTrue(keys.all { it.key.size == 32 && it.topic == conv.topic })
        val restored = Client.fromState(alice.exportState(), TestEnv.options())
        assertEquals(listOf(conv.topic), restored.conversations.list().map { it.topic })
        val again = Client.build(alice.exportKeys(), TestEnv.options())
        again.refreshConsentList()
        assertEquals(ConsentState.ALLOWED, again.consentState(carol.address))
        assertNotNull(again.conversations.list().firstOrNull { it.topic == conv.topic })
        listOf(alice, bob, carol, restored, again).forEach { it.close() }
    }
}
