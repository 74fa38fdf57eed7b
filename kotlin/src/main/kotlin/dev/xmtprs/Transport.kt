package dev.xmtprs

import java.io.ByteArrayInputStream
import java.io.Closeable
import java.io.IOException
import java.io.InputStream
import java.net.HttpURLConnection
import java.net.URL

/**
 * How a client reaches its node. The library builds every request (URL, headers, body) and reads
 * every response, retries and reconnects included; a transport only carries the bytes of an HTTP
 * POST. Calls come from [kotlinx.coroutines.Dispatchers.IO] threads, several at once; there is
 * one stream at a time.
 *
 * [default] takes `java.net.http` where the platform has it (the JVM) and `HttpURLConnection`
 * elsewhere (Android, which has no `java.net.http`). An app can give its own (e.g. over OkHttp)
 * in [ClientOptions.transport].
 */
interface HttpTransport {
    /** A response: its status and its whole body. */
    class Response(
        /** The HTTP status. */
        val status: Int,
        /** The body. */
        val body: ByteArray,
    )

    /**
     * A streaming response: its status and its body, which the client reads line by line until
     * it ends. [close] must end the connection promptly, even while another thread is blocked
     * reading [body].
     */
    class Stream(
        /** The HTTP status. */
        val status: Int,
        /** The body. */
        val body: InputStream,
        private val onClose: () -> Unit,
    ) : Closeable {
        override fun close() = onClose()
    }

    /** One POST with [headers] and [body] to [url]. Throws [IOException] when the node cannot be reached. */
    fun call(url: String, headers: List<Pair<String, String>>, body: ByteArray): Response

    /** One streaming POST; the same contract as [call]. */
    fun open(url: String, headers: List<Pair<String, String>>, body: ByteArray): Stream

    /** The transports this package provides. */
    companion object {
        private val jdkHttp: Boolean by lazy {
            runCatching { Class.forName("java.net.http.HttpClient") }.isSuccess
        }

        /** `java.net.http` ([JdkHttpTransport]) where it exists, else [UrlConnectionTransport]. */
        fun default(): HttpTransport = if (jdkHttp) JdkHttpTransport.shared else UrlConnectionTransport.shared

        /** Headers the HTTP stacks set themselves and refuse from callers. */
        internal fun settable(name: String) = !name.equals("Content-Length", true) && !name.equals("Connection", true)
    }
}

/**
 * A transport over `java.net.HttpURLConnection`, which every JVM and Android has. Connections are
 * kept alive and reused by the platform. On Android (where `HttpURLConnection` is OkHttp inside)
 * closing a stream cancels its call at once. The desktop JDK's `HttpURLConnection` cannot end a
 * read blocked in another thread: a closed stream's connection stays open until the node next
 * writes to it, which is why [JdkHttpTransport] is the default on the JVM.
 */
class UrlConnectionTransport(
    /** How long connecting may take. */
    private val connectTimeoutMs: Int = 10_000,
    /** How long a call may wait for its response. */
    private val readTimeoutMs: Int = 30_000,
) : HttpTransport {
    override fun call(url: String, headers: List<Pair<String, String>>, body: ByteArray): HttpTransport.Response {
        val c = post(url, headers, body, readTimeoutMs)
        val status = c.responseCode
        val bytes = (if (status >= 400) c.errorStream else c.inputStream)?.use { it.readBytes() } ?: ByteArray(0)
        return HttpTransport.Response(status, bytes)
    }

    override fun open(url: String, headers: List<Pair<String, String>>, body: ByteArray): HttpTransport.Stream {
        val c = post(url, headers, body, 0) // a stream waits as long as the node is silent
        val status = c.responseCode
        val input = (if (status >= 400) c.errorStream else c.inputStream) ?: ByteArrayInputStream(ByteArray(0))
        return HttpTransport.Stream(status, input) {
            // Off the caller's thread: disconnecting may wait for a blocked read on some JVMs.
            Thread({ runCatching { c.disconnect() } }, "xmtp-stream-close").apply { isDaemon = true }.start()
        }
    }

    private fun post(url: String, headers: List<Pair<String, String>>, body: ByteArray, readTimeout: Int): HttpURLConnection {
        val c = URL(url).openConnection() as HttpURLConnection
        c.requestMethod = "POST"
        c.doOutput = true
        c.useCaches = false
        c.connectTimeout = connectTimeoutMs
        c.readTimeout = readTimeout
        for ((name, value) in headers) if (HttpTransport.settable(name)) c.setRequestProperty(name, value)
        c.setFixedLengthStreamingMode(body.size)
        c.outputStream.use { it.write(body) }
        return c
    }

    internal companion object {
        val shared by lazy { UrlConnectionTransport() }
    }
}

/** A transport over the JDK's `java.net.http.HttpClient` (HTTP/1.1), one client shared by all. */
class JdkHttpTransport(private val http: java.net.http.HttpClient = client()) : HttpTransport {
    override fun call(url: String, headers: List<Pair<String, String>>, body: ByteArray): HttpTransport.Response {
        val resp = send(request(url, headers, body, timeoutSeconds = 30), java.net.http.HttpResponse.BodyHandlers.ofByteArray())
        return HttpTransport.Response(resp.statusCode(), resp.body())
    }

    override fun open(url: String, headers: List<Pair<String, String>>, body: ByteArray): HttpTransport.Stream {
        val resp = send(request(url, headers, body, timeoutSeconds = null), java.net.http.HttpResponse.BodyHandlers.ofInputStream())
        val input = resp.body()
        return HttpTransport.Stream(resp.statusCode(), input) { runCatching { input.close() } }
    }

    private fun <T> send(r: java.net.http.HttpRequest, handler: java.net.http.HttpResponse.BodyHandler<T>): java.net.http.HttpResponse<T> =
        try {
            http.send(r, handler)
        } catch (e: InterruptedException) {
            Thread.currentThread().interrupt()
            throw IOException("interrupted", e)
        }

    private fun request(url: String, headers: List<Pair<String, String>>, body: ByteArray, timeoutSeconds: Long?): java.net.http.HttpRequest {
        val b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
            .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
        timeoutSeconds?.let { b.timeout(java.time.Duration.ofSeconds(it)) }
        for ((name, value) in headers) if (HttpTransport.settable(name)) b.header(name, value)
        return b.build()
    }

    internal companion object {
        val shared by lazy { JdkHttpTransport() }

        fun client(): java.net.http.HttpClient = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1)
            .connectTimeout(java.time.Duration.ofSeconds(10))
            .build()
    }
}
