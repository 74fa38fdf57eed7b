package dev.xmtprs

import java.io.File
import java.util.Base64

/**
 * `BenchMain CORPUS.json [RUNS]`: reads a `bench_corpus` conversation (the reader's keys, the
 * invitation, then [Client.decryptBatch] of every message, converted to [Message]s) and prints
 * `{"kotlin_ms_per_message": …}`.
 */
object BenchMain {
    private fun envelope(v: Map<*, *>) =
        Envelope(v["contentTopic"] as String, (v["timestampNs"] as String).toLong(), Base64.getDecoder().decode(v["message"] as String))

    @JvmStatic
    fun main(args: Array<String>) {
        val corpus = Json.parse(File(args[0]).readText()) as Map<*, *>
        val runs = args.getOrNull(1)?.toInt() ?: 10
        val keys = Base64.getDecoder().decode((corpus["reader"] as Map<*, *>)["keys"] as String)
        Client.fromKeys(keys, ClientOptions(apiUrl = "http://127.0.0.1:9")).use { client ->
            client.decryptBatch(listOf(envelope((corpus["conversation"] as Map<*, *>)["invite"] as Map<*, *>)))
            val envelopes = (corpus["envelopes"] as List<*>).map { envelope(it as Map<*, *>) }
            fun read() {
                val results = client.decryptBatch(envelopes)
                check(results.all { it.isSuccess && it.getOrThrow().text != null }) { "every message reads" }
            }
            repeat(3) { read() }
            val start = System.nanoTime()
            repeat(runs) { read() }
            val ms = (System.nanoTime() - start) / 1e6 / (runs * envelopes.size)
            println("{\"kotlin_ms_per_message\": ${"%.5f".format(ms)}, \"messages\": ${envelopes.size}, \"runs\": $runs}")
        }
    }
}
