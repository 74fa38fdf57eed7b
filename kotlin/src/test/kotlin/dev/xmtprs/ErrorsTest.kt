package dev.xmtprs

import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

class ErrorsTest {
    @Test
    fun everyLibraryCodeHasAnExplicitMapping() {
        val codes = Client.errorCodes()
        assertTrue(codes.size > 50, "the library lists its codes")
        val missing = codes.filter { it !in ErrorCodes.KINDS }
        assertEquals(emptyList(), missing, "codes without a mapping in ErrorCodes.KINDS")
        val stale = ErrorCodes.KINDS.keys.filter { it !in codes }
        assertEquals(emptyList(), stale, "mapped codes the library no longer has")
        // The kind follows the library's grouping of codes by area.
        for (code in codes) {
            val expected = when (code.substringBefore('.')) {
                "api" -> NetworkException::class
                "client", "address", "input" -> InvalidInputException::class
                "state" -> StateException::class
                "internal" -> InternalException::class
                else -> ProtocolException::class
            }
            assertEquals(expected, ErrorCodes.exception(code, "x", ErrorKind.INTERNAL)::class, code)
        }
    }

    @Test
    fun aPanicArrivesAsAnExceptionAndTheClientKeepsWorking() = blocking {
        Client.fromKeysSeeded(keysOfNewIdentity(), TestEnv.options(), 1).use { c ->
            val e = assertFailsWith<InternalException> { c.debugPanic() }
            assertEquals("internal.panic", e.code)
            assertTrue(c.address.startsWith("0x"))
            assertEquals(emptyList(), c.conversations.list())
            assertFailsWith<InternalException> { c.debugPanic() }
            assertEquals(emptyMap(), c.canMessage(emptyList()))
        }
    }

    @Test
    fun textCrossesExactlyAndALoneSurrogateIsInvalidInput() = blocking {
        Client.create(PrivateKeySigner.generate(), TestEnv.options()).use { alice ->
            Client.create(PrivateKeySigner.generate(), TestEnv.options()).use { bob ->
                val conv = alice.conversations.newConversation(bob.address)
                val texts = listOf("why?", "?", "plain ascii", "é and \uD83D\uDE00 (a pair)")
                texts.forEach { conv.send(it) }
                val bad = assertFailsWith<InvalidInputException> { conv.send("a lone \uD800 surrogate") }
                assertEquals(ErrorCodes.INVALID_TEXT, bad.code)
                assertEquals(ErrorCodes.INVALID_TEXT, assertFailsWith<InvalidInputException> { alice.consentState("0x\uDC00") }.code)
                assertEquals(texts, conv.messages(direction = SortDirection.ASCENDING).map { it.text })
            }
        }
    }

    @Test
    fun libraryErrorsArriveWithTheirCodes() = blocking {
        Client.fromKeys(keysOfNewIdentity(), TestEnv.options()).use { c ->
            val bad = assertFailsWith<InvalidInputException> { c.conversations.newConversation("not an address") }
            assertEquals("address.invalid", bad.code)
            val nobody = PrivateKeySigner.generate().address
            val unknown = assertFailsWith<InvalidInputException> { c.conversations.newConversation(nobody) }
            assertEquals("client.no_identity", unknown.code)
        }
        assertEquals("state.malformed", assertFailsWith<StateException> { Client.fromState("{", TestEnv.options()) }.code)
        assertFailsWith<ProtocolException> { Client.fromKeys(byteArrayOf(1, 2, 3), TestEnv.options()) }
        val offline = Client.fromKeys(keysOfNewIdentity(), ClientOptions(apiUrl = "http://127.0.0.1:9"))
        offline.use { assertFailsWith<NetworkException> { it.conversations.list() } }
    }
}

/** Keys of a new identity created on the test node. */
suspend fun keysOfNewIdentity(): ByteArray = Client.create(PrivateKeySigner.generate(), TestEnv.options()).use { it.exportKeys() }
