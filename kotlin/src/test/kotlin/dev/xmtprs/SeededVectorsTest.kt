package dev.xmtprs

import java.io.File
import kotlin.test.Test
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals

/**
 * The host API's known answers (tests/vectors/facade-seeded.json, written by the Rust facade's
 * own test) reproduced byte for byte through the Kotlin API: a wallet's signature, a seeded
 * client's message in an imported conversation, the peer reading it, the conversation's export,
 * its push keys.
 */
class SeededVectorsTest {
    private val v = readJson(File(TestEnv.root, "tests/vectors/facade-seeded.json"))

    private fun obj(vararg path: String): Map<*, *> =
        path.fold(v as Map<*, *>) { m, k -> m[k] as Map<*, *> }

    private fun hex(s: String): ByteArray = ByteArray(s.length / 2) { s.substring(2 * it, 2 * it + 2).toInt(16).toByte() }

    @Test
    fun aWalletSignsAsTheVectorsSay() = blocking {
        val w = obj("wallet")
        val signer = PrivateKeySigner.fromPrivateKey(hex(w["privateKeyHex"] as String))
        assertEquals(w["address"], signer.address)
        assertContentEquals(hex(w["signatureHex"] as String), signer.signMessage(w["text"] as String))
    }

    @Test
    fun aSeededClientPreparesTheSameBytesAndThePeerReadsThem() = blocking {
        val conv = obj("conversation")
        val msg = obj("message")
        val env = obj("message", "envelope")
        val now = (msg["nowNs"] as String).toULong()
        Client.fromKeysSeeded(b64(obj("sender")["keys"] as String), TestEnv.options(), (msg["seed"] as Number).toLong()).use { c ->
            c.clock = { now }
            val data = b64(conv["senderTopicData"] as String)
            val conversation = c.conversations.importTopicData(data)
            assertEquals(conv["topic"], conversation.topic)
            assertEquals(obj("recipient")["address"], conversation.peerAddress)
            assertContentEquals(data, conversation.toTopicData())
            val prepared = conversation.prepareMessage(msg["text"] as String)
            assertEquals(msg["id"], prepared.id)
            assertEquals(1, prepared.envelopes.size)
            val e = prepared.envelopes[0]
            assertEquals(env["contentTopic"], e.contentTopic)
            assertEquals((env["timestampNs"] as String).toLong(), e.timestampNs)
            assertContentEquals(b64(env["message"] as String), e.message)
            val hmac = (v["hmacKeys"] as List<*>).map { it as Map<*, *> }
            assertEquals(
                hmac.map { Triple(it["topic"], (it["period"] as Number).toLong(), it["key"]) },
                c.pushHmacKeys().map { k -> Triple(k.topic, k.period, k.key.joinToString("") { "%02x".format(it) }) },
            )
        }
        Client.fromKeys(b64(obj("recipient")["keys"] as String), TestEnv.options()).use { peer ->
            peer.conversations.importTopicData(b64(conv["recipientTopicData"] as String))
            val read = peer.decryptBatch(listOf(Envelope(env["contentTopic"] as String, (env["timestampNs"] as String).toLong(), b64(env["message"] as String))))
            val m = read.single().getOrThrow()
            assertEquals(msg["text"], m.text)
            assertEquals(obj("sender")["address"], m.senderAddress)
            assertEquals(msg["id"], m.id)
        }
    }
}
