package dev.xmtprs

import java.io.File
import java.util.Base64

/**
 * `BenchMain CORPUS.json [RUNS]`: reads a `bench_corpus` conversation (the reader's keys, the
 * invitation, then [Client.decryptBatch] of every message, converted to [Message]s) and prints
 * `{"kotlin_ms_per_message": …, "kotlin_ffi_ms_per_message": …, "facade_ms_per_message": …}`:
 * the package's API; the generated bindings alone (the same call on the same envelopes, already
 * converted, without the conversion of the results), so that the two layers' shares are known;
 * and the Rust facade's own `decrypt_batch` timed inside the library in this process (a testing
 * export), so that all three see the same allocator, caches and moment. Each is the median
 * batch of RUNS, the three alternating batch by batch, after twenty untimed batches of each (the
 * JIT compiles the hot paths of both layers by then); `ratio` and `ffi_ratio` are the medians of
 * each batch's ratio to the facade batch timed beside it.
 */
object BenchMain {
    private fun envelope(v: Map<*, *>) =
        Envelope(v["contentTopic"] as String, (v["timestampNs"] as String).toLong(), Base64.getDecoder().decode(v["message"] as String))

    private fun median(xs: List<Double>) = xs.sorted().let { if (it.size % 2 == 1) it[it.size / 2] else (it[it.size / 2 - 1] + it[it.size / 2]) / 2 }

    private fun timed(block: () -> Unit): Double {
        val start = System.nanoTime()
        block()
        return (System.nanoTime() - start) / 1e6
    }

    @JvmStatic
    fun main(args: Array<String>) {
        val corpus = Json.parse(File(args[0]).readText()) as Map<*, *>
        val runs = args.getOrNull(1)?.toInt() ?: 10
        val keys = Base64.getDecoder().decode((corpus["reader"] as Map<*, *>)["keys"] as String)
        Client.fromKeys(keys, ClientOptions(apiUrl = "http://127.0.0.1:9")).use { client ->
            client.decryptBatch(listOf(envelope((corpus["conversation"] as Map<*, *>)["invite"] as Map<*, *>)))
            val envelopes = (corpus["envelopes"] as List<*>).map { envelope(it as Map<*, *>) }
            val viaApi = {
                val results = client.decryptBatch(envelopes)
                check(results.all { it.isSuccess && it.getOrThrow().text != null }) { "every message reads" }
            }
            val converted = envelopes.map { it.toFfi() }
            val viaFfi = {
                val results = client.ffi.decryptBatch(converted)
                check(results.all { it.message?.text != null }) { "every message reads" }
            }
            repeat(20) { viaApi(); viaFfi() }
            val apiMs = mutableListOf<Double>()
            val ffiMs = mutableListOf<Double>()
            val facadeMs = mutableListOf<Double>()
            repeat(runs) {
                apiMs += timed(viaApi)
                ffiMs += timed(viaFfi)
                facadeMs += client.ffi.debugTimeDecryptBatch(converted, 1u)
            }
            val api = median(apiMs) / envelopes.size
            val ffi = median(ffiMs) / envelopes.size
            val facade = median(facadeMs) / envelopes.size
            // The overhead: the median of each batch's ratio to the facade batch beside it, which
            // a slow drift of the machine moves less than a ratio of the two medians.
            val ratio = median(apiMs.indices.map { apiMs[it] / facadeMs[it] })
            val ffiRatio = median(ffiMs.indices.map { ffiMs[it] / facadeMs[it] })
            println(
                "{\"kotlin_ms_per_message\": ${"%.5f".format(api)}, \"kotlin_ffi_ms_per_message\": ${"%.5f".format(ffi)}, " +
                    "\"facade_ms_per_message\": ${"%.5f".format(facade)}, \"ratio\": ${"%.4f".format(ratio)}, " +
                    "\"ffi_ratio\": ${"%.4f".format(ffiRatio)}, \"messages\": ${envelopes.size}, \"runs\": $runs}",
            )
        }
    }
}
