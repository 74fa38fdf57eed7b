package dev.xmtprs

import java.io.FilterInputStream
import java.io.InputStream
import java.net.http.HttpResponse
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withTimeout

/** A stream body that records being closed. */
private class WatchedBody(body: InputStream) : FilterInputStream(body) {
    @Volatile var closed = false
    override fun close() {
        closed = true
        super.close()
    }
}

/** The real transport, keeping every stream body it opens. */
private class WatchingTransport : Transport() {
    val bodies = CopyOnWriteArrayList<WatchedBody>()
    override fun open(r: dev.xmtprs.ffi.HttpRequest): HttpResponse<InputStream> {
        val resp = super.open(r)
        val body = WatchedBody(resp.body())
        bodies.add(body)
        return object : HttpResponse<InputStream> by resp {
            override fun body(): InputStream = body
        }
    }
}

/** Cancelling the last collection of a stream closes the connection, and nothing reopens it. */
class StreamCloseTest {
    @Test
    fun theLastCancelledStreamClosesItsConnection() = blocking(90) {
        val alice = Client.create(PrivateKeySigner.generate(), TestEnv.options())
        val keys = Client.create(PrivateKeySigner.generate(), TestEnv.options()).use { it.exportKeys() }
        val transport = WatchingTransport()
        val bob = Client.wrap(ffi { dev.xmtprs.ffi.Client.fromKeys(keys, TestEnv.options().toFfi()) }, TestEnv.options(), transport)
        try {
            val got = async { bob.conversations.streamAllMessages().first { it.text == "once" } }
            bob.streamConnected.first { it }
            assertEquals(1, transport.bodies.size)
            assertTrue(!transport.bodies[0].closed, "open while collected")
            alice.conversations.newConversation(bob.address).send("once")
            assertEquals(alice.address, got.await().senderAddress)
            withTimeout(10_000) { while (!transport.bodies.all { it.closed }) delay(20) }
            delay(1_500) // long enough for a reconnect, which must not happen
            assertTrue(transport.bodies.all { it.closed }, "every stream connection is closed")
            assertEquals(false, bob.streamConnected.value)
        } finally {
            bob.close()
            alice.close()
        }
    }
}
