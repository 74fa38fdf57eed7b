package dev.xmtprs

import java.io.File
import kotlin.test.Test
import kotlin.test.assertTrue

/**
 * The xmtp-js 13.0.4 corpus (tests/vectors/xmtpjs/corpus-1.json): its envelopes are published
 * to the node (by the harness, with publish tokens), and each identity, restored from its
 * exported keys through the Kotlin API, reads what xmtp-js read.
 */
class VectorsTest {
    @Test
    fun theXmtpJsCorpusReadsAsXmtpJsReadIt() = blocking(240) {
        val path = File(TestEnv.root, "tests/vectors/xmtpjs/corpus-1.json")
        val corpus = readJson(path)
        runNode("consume.cjs", "--api-url", TestEnv.node, "--in", path.path, "--out", File(TestEnv.scratch("vectors"), "read.json").path)
        val identities = corpus["identities"] as Map<*, *>
        val expected = corpus["expected"] as Map<*, *>
        var compared = 0
        for (who in listOf("alice", "bob", "carol")) {
            val keys = b64((identities[who] as Map<*, *>)["keys"] as String)
            Client.fromKeys(keys, TestEnv.options()).use { c ->
                compared += compareWithExpected(who, expected[who] as Map<*, *>, readBack(c))
            }
        }
        assertTrue(compared >= 40, "compared $compared contents")
    }
}
