package dev.xmtprs

import java.io.File
import java.util.Base64
import java.util.concurrent.TimeUnit
import kotlin.test.assertEquals
import kotlin.test.fail
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout

/** What the test script passes: the node's URL and the repository's root. */
object TestEnv {
    val node: String = System.getProperty("xmtp.node") ?: error("-Dxmtp.node=URL is required")
    val root = File(System.getProperty("xmtp.root") ?: ".")
    fun options() = ClientOptions(apiUrl = node, appVersion = "xmtp-rs-kotlin-test/1")
    fun scratch(name: String): File =
        File(System.getProperty("java.io.tmpdir"), "xmtp-kotlin-$name-${ProcessHandle.current().pid()}").also { it.mkdirs() }
}

/** Runs a test's [block] with a deadline. */
fun blocking(seconds: Long = 90, block: suspend CoroutineScope.() -> Unit) =
    runBlocking { withTimeout(seconds * 1000) { block() } }

/** Runs an interop harness script of tests/interop/js with node. */
fun runNode(script: String, vararg args: String) {
    val dir = File(TestEnv.root, "tests/interop/js")
    val p = ProcessBuilder(listOf("node", script) + args).directory(dir).redirectErrorStream(true).start()
    val out = p.inputStream.bufferedReader().readText()
    check(p.waitFor(300, TimeUnit.SECONDS)) { "node $script timed out" }
    if (p.exitValue() != 0) fail("node $script failed:\n$out")
}

@Suppress("UNCHECKED_CAST")
fun readJson(f: File): Map<String, Any?> = Json.parse(f.readText()) as Map<String, Any?>

fun b64(s: String): ByteArray = Base64.getDecoder().decode(s)

/** What a client reads of everything it has, in the shape the interop harness writes. */
suspend fun readBack(client: Client): Map<String, Map<String, Any?>> {
    val out = LinkedHashMap<String, Map<String, Any?>>()
    for (c in client.conversations.list()) {
        val messages = c.messages(direction = SortDirection.ASCENDING).map { m ->
            mapOf(
                "id" to m.id, "senderAddress" to m.senderAddress, "sentNs" to m.sentNs.toString(),
                "contentType" to m.contentType?.toString(),
                "content" to (m.content as? MessageContent)?.toJsonValue(), "fallback" to m.fallback,
            )
        }
        out[c.topic] = mapOf(
            "version" to c.version, "peerAddress" to c.peerAddress, "createdNs" to c.createdNs.toString(),
            "context" to c.conversationId?.let { mapOf("conversationId" to it, "metadata" to c.metadata) },
            "messages" to messages,
        )
    }
    return out
}

/** Compares a read-back with what xmtp-js read (`{"conversations": [...]}`); returns the contents compared. */
fun compareWithExpected(who: String, expected: Map<*, *>, got: Map<String, Map<String, Any?>>): Int {
    val convs = expected["conversations"] as List<*>
    assertEquals(convs.size, got.size, "$who: conversation count")
    var compared = 0
    for (cv in convs) {
        val c = cv as Map<*, *>
        val topic = c["topic"] as String
        val mine = got[topic] ?: fail("$who: conversation $topic not read")
        for (k in listOf("version", "peerAddress", "createdNs")) assertEquals(c[k], mine[k], "$who $topic $k")
        val ctx = c["context"] as Map<*, *>?
        assertEquals(ctx?.get("conversationId"), (mine["context"] as Map<*, *>?)?.get("conversationId"), "$who $topic context")
        val theirs = c["messages"] as List<*>
        val ours = mine["messages"] as List<*>
        assertEquals(theirs.size, ours.size, "$who $topic message count")
        for ((t, o) in theirs.zip(ours)) {
            t as Map<*, *>; o as Map<*, *>
            for (k in listOf("id", "senderAddress", "sentNs", "contentType", "fallback")) assertEquals(t[k], o[k], "$who ${t["id"]} $k")
            if (o["content"] == null) {
                assertEquals(null, t["content"], "$who ${t["id"]} (${t["contentType"]}) not decoded")
            } else {
                assertEquals(t["content"], o["content"], "$who ${t["id"]} content")
                compared++
            }
        }
    }
    return compared
}

// What only library builds with the `testing` feature export (the tests' library has it; the
// package itself does not depend on it).

/** A client whose random generator is seeded. */
fun Client.Companion.fromKeysSeeded(keys: ByteArray, options: ClientOptions, seed: Long): Client =
    wrap(ffi { dev.xmtprs.ffi.Client.fromKeysSeeded(keys, options.toFfi(), seed.toULong()) }, options)

/** Panics inside the library. */
fun Client.debugPanic() = ffi { ffi.debugPanic() }
