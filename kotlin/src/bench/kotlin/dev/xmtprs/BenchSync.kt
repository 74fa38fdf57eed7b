package dev.xmtprs

import kotlinx.coroutines.runBlocking
import java.io.File
import java.util.Base64

/**
 * `BenchSync NODE_URL (list|sync|send|create|invite) META [RUNS] [OFFSET]`: the Kotlin package against a node on
 * loopback (loaded by the Rust example `bench_sync --load`), as `scripts/bench-hosts.sh` runs the
 * Rust core and Node: `list` (a fresh client lists the reader's conversations), `sync` (and reads
 * every message of each, one conversation after another), `send` (one text message at a time
 * to the first conversation), `create` (a client of a new wallet: identity, stored keys,
 * contact; META unused), `invite` (a conversation with one of the corpus's peers at a time, from
 * peer OFFSET on). META is a corpus's `--meta-out` file from `bench_corpus`. Every
 * list or sync run starts from a new client and checks that it found everything; one untimed run
 * first (1,000 untimed sends, as in every host's benchmark: the JIT reaches its steady state). Prints `{"host": "kotlin", "op": …, "median_ms": …, "min_ms": …, "max_ms": …, "runs": …}`.
 */
object BenchSync {
    @JvmStatic
    fun main(args: Array<String>) = runBlocking {
        val (node, op, file) = args
        val runs = args.getOrNull(3)?.toInt() ?: 3
        val meta = if (op == "create") mapOf("reader" to mapOf("keys" to ""), "conversations" to emptyList<Any>())
        else Json.parse(File(file).readText()) as Map<*, *>
        val keys = Base64.getDecoder().decode((meta["reader"] as Map<*, *>)["keys"] as String)
        val conversations = meta["conversations"] as List<*>
        val want = Pair(
            conversations.size,
            if (op == "sync") conversations.sumOf { ((it as Map<*, *>)["messages"] as Long).toInt() } else 0,
        )
        // XMTP_BENCH_TRANSPORT=urlconnection: HttpURLConnection instead of the default (java.net.http).
        val transport = if (System.getenv("XMTP_BENCH_TRANSPORT") == "urlconnection") UrlConnectionTransport() else null
        val options = ClientOptions(apiUrl = node, transport = transport)
        val ms = mutableListOf<Double>()
        when (op) {
            "list", "sync" -> repeat(runs + 1) { i ->
                Client.fromKeys(keys, options).use { client ->
                    val start = System.nanoTime()
                    val list = client.conversations.list()
                    var messages = 0
                    if (op == "sync") for (c in list) messages += c.messages().size
                    val elapsed = (System.nanoTime() - start) / 1e6
                    check(Pair(list.size, messages) == want) { "found ${Pair(list.size, messages)}, the corpus has $want" }
                    if (i > 0) ms += elapsed
                }
            }
            "send" -> Client.fromKeys(keys, options).use { client ->
                val conversation = client.conversations.list().first()
                val warmUp = 1000
                repeat(runs + warmUp) { i ->
                    val start = System.nanoTime()
                    conversation.send("benchmark message $i")
                    if (i >= warmUp) ms += (System.nanoTime() - start) / 1e6
                }
            }
            "create" -> repeat(runs + 1) { i ->
                val start = System.nanoTime()
                val client = Client.create(PrivateKeySigner.generate(), options)
                val elapsed = (System.nanoTime() - start) / 1e6
                client.close()
                if (i > 0) ms += elapsed
            }
            "invite" -> Client.fromKeys(keys, options).use { client ->
                val peers = meta["peers"] as List<*>
                val offset = args.getOrNull(4)?.toInt() ?: 0
                check(peers.size >= offset + runs + 1) { "the corpus has ${peers.size} peers, ${offset + runs + 1} needed" }
                repeat(runs + 1) { i ->
                    val peer = peers[offset + i] as String
                    val start = System.nanoTime()
                    val conversation = client.conversations.newConversation(peer)
                    if (i > 0) ms += (System.nanoTime() - start) / 1e6
                    check(conversation.peerAddress.equals(peer, ignoreCase = true)) { "wrong peer" }
                }
            }
            else -> error("unknown operation $op")
        }
        ms.sort()
        val median = if (ms.size % 2 == 1) ms[ms.size / 2] else (ms[ms.size / 2 - 1] + ms[ms.size / 2]) / 2
        println(
            "{\"host\": \"kotlin\", \"op\": \"$op\", \"median_ms\": $median, \"min_ms\": ${ms.first()}, " +
                "\"max_ms\": ${ms.last()}, \"runs\": ${ms.size}}",
        )
    }
}
