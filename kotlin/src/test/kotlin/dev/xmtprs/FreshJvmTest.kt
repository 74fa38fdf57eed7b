package dev.xmtprs

import java.io.File
import java.util.Base64
import java.util.concurrent.TimeUnit
import kotlin.test.Test
import kotlin.test.assertEquals

/** A notification service's case: one envelope, read in a new JVM from an exported state alone. */
class FreshJvmTest {
    @Test
    fun oneEnvelopeDecryptsInAFreshJvm() = blocking(120) {
        val alice = Client.create(PrivateKeySigner.generate(), TestEnv.options())
        val bob = Client.create(PrivateKeySigner.generate(), TestEnv.options())
        val conv = alice.conversations.newConversation(bob.address)
        bob.conversations.list()
        val prepared = conv.prepareMessage("for the notification service")
        conv.publish(prepared)
        val envelope = prepared.envelopes.single()

        val dir = TestEnv.scratch("fresh")
        val state = File(dir, "state.json").apply { writeText(bob.exportState()) }
        val java = File(System.getProperty("java.home"), "bin/java").path
        val p = ProcessBuilder(
            java, "-cp", System.getProperty("java.class.path"),
            "-Djna.library.path=" + System.getProperty("jna.library.path"),
            "dev.xmtprs.DecryptMain", state.path, envelope.contentTopic, envelope.timestampNs.toString(),
            Base64.getEncoder().encodeToString(envelope.message),
        ).redirectErrorStream(true).start()
        val out = p.inputStream.bufferedReader().readText().trim()
        p.waitFor(60, TimeUnit.SECONDS)
        assertEquals(0, p.exitValue(), out)
        assertEquals("${prepared.id} ${alice.address}: for the notification service", out.lines().last())
        dir.deleteRecursively()
        listOf(alice, bob).forEach { it.close() }
    }
}

/** `DecryptMain STATE_FILE TOPIC TIMESTAMP_NS BASE64_MESSAGE`: prints `id sender: text`. */
object DecryptMain {
    @JvmStatic
    fun main(args: Array<String>) {
        val state = File(args[0]).readText()
        val env = Envelope(args[1], args[2].toLong(), Base64.getDecoder().decode(args[3]))
        when (val d = Client.decryptEnvelope(state, env)) {
            is DecryptedEnvelope.MessageEnvelope -> println("${d.message.id} ${d.message.senderAddress}: ${d.message.text}")
            is DecryptedEnvelope.Invitation -> println("invitation ${d.topic}")
        }
    }
}
