package dev.xmtprs

import java.io.FilterInputStream
import java.io.InputStream
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertTrue
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.withTimeout

/** A stream body that records when its reader saw it end (end of data, or an error). */
private class WatchedBody(body: InputStream) : FilterInputStream(body) {
    @Volatile var ended = false
    @Volatile var closeAsked = false

    private fun <T> watch(read: () -> T, atEnd: (T) -> Boolean): T =
        try {
            read().also { if (atEnd(it)) ended = true }
        } catch (e: Exception) {
            ended = true
            throw e
        }

    override fun read(): Int = watch({ super.read() }) { it < 0 }
    override fun read(b: ByteArray, off: Int, len: Int): Int = watch({ super.read(b, off, len) }) { it < 0 }
}

/** [base], keeping every stream body it opens. */
private class WatchingTransport(private val base: HttpTransport) : HttpTransport by base {
    val bodies = CopyOnWriteArrayList<WatchedBody>()
    override fun open(url: String, headers: List<Pair<String, String>>, body: ByteArray): HttpTransport.Stream {
        val stream = base.open(url, headers, body)
        val watched = WatchedBody(stream.body)
        bodies.add(watched)
        return HttpTransport.Stream(stream.status, watched) {
            watched.closeAsked = true
            stream.close()
        }
    }
}

/**
 * A client streams over each transport the package provides, and cancelling the last
 * collection of a stream closes every connection it opened (a new conversation opens a new
 * one) and opens none again. Over java.net.http the reader also sees each connection end.
 */
class StreamCloseTest {
    @Test
    fun theLastCancelledStreamClosesItsConnectionOverJavaNetHttp() = closes(JdkHttpTransport(), readerSeesTheEnd = true)

    // The desktop JDK's HttpURLConnection cannot end a read blocked in another thread (its
    // disconnect waits for that read), so here only that every connection is asked to close is
    // checked; Android's, which is OkHttp, cancels the call. On the JVM the default transport is
    // java.net.http.
    @Test
    fun theLastCancelledStreamAsksItsConnectionClosedOverHttpUrlConnection() = closes(UrlConnectionTransport(), readerSeesTheEnd = false)

    private fun closes(base: HttpTransport, readerSeesTheEnd: Boolean) = blocking(90) {
        val transport = WatchingTransport(base)
        val alice = Client.create(PrivateKeySigner.generate(), TestEnv.options())
        val bob = Client.create(PrivateKeySigner.generate(), TestEnv.options().copy(transport = transport))
        try {
            val got = async { bob.conversations.streamAllMessages().first { it.text == "once" } }
            bob.streamConnected.first { it }
            assertEquals(1, transport.bodies.size)
            assertTrue(!transport.bodies[0].ended, "open while collected")
            alice.conversations.newConversation(bob.address).send("once")
            assertEquals(alice.address, got.await().senderAddress)
            withTimeout(10_000) {
                while (!transport.bodies.all { it.closeAsked && (it.ended || !readerSeesTheEnd) }) delay(20)
            }
            val opened = transport.bodies.size
            delay(1_500) // long enough for a reconnect, which must not happen
            assertEquals(opened, transport.bodies.size, "no stream opened again")
            assertTrue(transport.bodies.all { it.closeAsked }, "every stream connection is closed")
            assertEquals(false, bob.streamConnected.value)
        } finally {
            bob.close()
            alice.close()
        }
    }
}
