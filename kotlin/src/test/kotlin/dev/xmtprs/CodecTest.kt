package dev.xmtprs

import java.nio.charset.StandardCharsets
import kotlin.test.Test
import kotlin.test.assertEquals
import kotlin.test.assertNull

/** An application type: a point on a map. */
data class Pin(val lat: Double, val lon: Double)

/** Its codec, written in Kotlin: `example.com/pin:1.0`, the bytes `lat,lon`. */
class PinCodec : ContentCodec<Pin> {
    override val contentType = ContentTypeId("example.com", "pin", 1, 0)
    override fun encode(content: Pin) =
        EncodedContent(contentType, mapOf("unit" to "deg"), "${content.lat},${content.lon}".toByteArray(StandardCharsets.UTF_8))
    override fun decode(content: EncodedContent): Pin {
        require(content.parameters["unit"] == "deg")
        val (a, b) = String(content.content, StandardCharsets.UTF_8).split(',')
        return Pin(a.toDouble(), b.toDouble())
    }
    override fun fallback(content: Pin) = "A pin at ${content.lat}, ${content.lon}"
    override fun shouldPush(content: Pin) = false
}

class CodecTest {
    @Test
    fun aKotlinCodecRoundTripsAndFallsBackWithoutIt() = blocking(120) {
        val alice = Client.create(PrivateKeySigner.generate(), TestEnv.options())
        val bob = Client.create(PrivateKeySigner.generate(), TestEnv.options())
        alice.register(PinCodec())
        bob.register(PinCodec())
        val conv = alice.conversations.newConversation(bob.address)
        val id = conv.send(Pin(52.5, 13.4), contentType = PinCodec().contentType)

        val got = bob.conversations.list().single().messages().single()
        assertEquals(id, got.id)
        assertEquals(Pin(52.5, 13.4), got.content)
        assertEquals("example.com/pin:1.0", got.contentType.toString())
        assertNull(got.contentError)

        // The same identity in a client without the codec (codecs are per client): the fallback.
        Client.fromState(bob.exportState(), TestEnv.options()).use { plain ->
            val m = plain.conversations.list().single().messages().single()
            assertNull(m.content)
            assertEquals("A pin at 52.5, 13.4", m.fallback)
            assertEquals("content.unknown_type", m.contentError)
        }
        listOf(alice, bob).forEach { it.close() }
    }
}
