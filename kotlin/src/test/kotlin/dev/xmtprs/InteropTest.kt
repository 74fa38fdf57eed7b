package dev.xmtprs

import java.io.File
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue

/** The real xmtp-js 13.0.4 and the Kotlin package, through the same node. */
class InteropTest {
    @Test
    fun kotlinReadsWhatXmtpJsSentAndXmtpJsReadsWhatKotlinSent() = blocking(400) {
        val dir = TestEnv.scratch("interop")
        val produced = File(dir, "corpus.json")
        // Three xmtp-js clients write V1 and V2 conversations of every content type…
        runNode("produce.cjs", "--api-url", TestEnv.node, "--out", produced.path)
        val corpus = readJson(produced)
        val identities = corpus["identities"] as Map<*, *>
        val expected = corpus["expected"] as Map<*, *>
        // …which the Kotlin API, given only their keys, reads as xmtp-js read it.
        var compared = 0
        for (who in listOf("alice", "bob", "carol")) {
            Client.fromKeys(b64((identities[who] as Map<*, *>)["keys"] as String), TestEnv.options()).use { c ->
                compared += compareWithExpected(who, expected[who] as Map<*, *>, readBack(c))
            }
        }
        assertTrue(compared >= 40, "compared $compared contents")

        // A Kotlin client writes to xmtp-js's bob; xmtp-js reads it.
        val bobAddress = (identities["bob"] as Map<*, *>)["address"] as String
        val bobKeys = (identities["bob"] as Map<*, *>)["keys"] as String
        Client.create(PrivateKeySigner.generate(), TestEnv.options()).use { k ->
            val conv = k.conversations.newConversation(bobAddress, "xmtp-rs.dev/kotlin")
            val hello = conv.send("from Kotlin to xmtp-js")
            conv.send(MessageContent.Reaction(hello, "added", "🎉"))
            val input = File(dir, "keys.json")
            input.writeText(Json.write(mapOf("identities" to mapOf("bob" to mapOf("keys" to bobKeys)), "envelopes" to emptyList<Any>())))
            val output = File(dir, "read.json")
            runNode("consume.cjs", "--api-url", TestEnv.node, "--in", input.path, "--out", output.path)
            val read = readJson(output)
            val convs = (read["bob"] as Map<*, *>)["conversations"] as List<*>
            val mine = convs.map { it as Map<*, *> }.single { it["peerAddress"] == k.address }
            assertEquals("v2", mine["version"])
            assertEquals("xmtp-rs.dev/kotlin", (mine["context"] as Map<*, *>)["conversationId"])
            val msgs = (mine["messages"] as List<*>).map { it as Map<*, *> }
            assertEquals(listOf(hello, msgs[1]["id"]), msgs.map { it["id"] })
            assertEquals("from Kotlin to xmtp-js", msgs[0]["content"])
            assertEquals("xmtp.org/reaction:1.0", msgs[1]["contentType"])
            assertEquals("🎉", (msgs[1]["content"] as Map<*, *>)["content"])
        }
        dir.deleteRecursively()
    }
}
