package dev.xmtprs

import java.io.File
import java.util.Base64

/**
 * `BenchMain CORPUS.json [RUNS]`: reads a `bench_corpus` conversation (the reader's keys, the
 * invitation, then [Client.decryptBatch] of every message, converted to [Message]s) and prints
 * `{"kotlin_ms_per_message": …, "kotlin_ffi_ms_per_message": …}`: the package's API, and the
 * generated bindings alone (the same call on the same envelopes, already converted, without
 * the conversion of the results), so that the two layers' shares are known.
 */
object BenchMain {
    private fun envelope(v: Map<*, *>) =
        Envelope(v["contentTopic"] as String, (v["timestampNs"] as String).toLong(), Base64.getDecoder().decode(v["message"] as String))

    // Ten untimed batches first: the JIT compiles the hot paths of both layers by then.
    private fun msPerMessage(runs: Int, messages: Int, block: () -> Unit): Double {
        repeat(10) { block() }
        val start = System.nanoTime()
        repeat(runs) { block() }
        return (System.nanoTime() - start) / 1e6 / (runs * messages)
    }

    @JvmStatic
    fun main(args: Array<String>) {
        val corpus = Json.parse(File(args[0]).readText()) as Map<*, *>
        val runs = args.getOrNull(1)?.toInt() ?: 10
        val keys = Base64.getDecoder().decode((corpus["reader"] as Map<*, *>)["keys"] as String)
        Client.fromKeys(keys, ClientOptions(apiUrl = "http://127.0.0.1:9")).use { client ->
            client.decryptBatch(listOf(envelope((corpus["conversation"] as Map<*, *>)["invite"] as Map<*, *>)))
            val envelopes = (corpus["envelopes"] as List<*>).map { envelope(it as Map<*, *>) }
            val api = msPerMessage(runs, envelopes.size) {
                val results = client.decryptBatch(envelopes)
                check(results.all { it.isSuccess && it.getOrThrow().text != null }) { "every message reads" }
            }
            val converted = envelopes.map { it.toFfi() }
            val ffi = msPerMessage(runs, envelopes.size) {
                val results = client.ffi.decryptBatch(converted)
                check(results.all { it.message?.text != null }) { "every message reads" }
            }
            println(
                "{\"kotlin_ms_per_message\": ${"%.5f".format(api)}, \"kotlin_ffi_ms_per_message\": ${"%.5f".format(ffi)}, " +
                    "\"messages\": ${envelopes.size}, \"runs\": $runs}",
            )
        }
    }
}
