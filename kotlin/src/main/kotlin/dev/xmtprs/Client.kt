package dev.xmtprs

import dev.xmtprs.ffi.Client as FfiClient
import dev.xmtprs.ffi.ClientOptions as FfiOptions
import dev.xmtprs.ffi.ConsentState as FfiConsent
import dev.xmtprs.ffi.ContentInput
import dev.xmtprs.ffi.DecodedMessage
import dev.xmtprs.ffi.DecryptedEnvelope as FfiDecrypted
import dev.xmtprs.ffi.Environment as FfiEnvironment
import dev.xmtprs.ffi.Event
import dev.xmtprs.ffi.IdentityBootstrap
import java.util.concurrent.ConcurrentHashMap
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.withContext

/** The XMTP networks. */
enum class XmtpEnvironment {
    /** A node on this machine, `http://localhost:5555` (e.g. `xmtp-devnode`). */
    LOCAL,
    /** XMTP's development network. */
    DEV,
    /** XMTP's production network. */
    PRODUCTION,
}

/** How a client reaches its node and names its application. */
data class ClientOptions(
    /** The network (ignored when [apiUrl] is set). */
    val env: XmtpEnvironment = XmtpEnvironment.DEV,
    /** A node's base URL (`http://` or `https://`), e.g. a self-hosted node. */
    val apiUrl: String? = null,
    /** The application's `name/version`, sent as `X-App-Version`. */
    val appVersion: String? = null,
    /** How to reach the node; `null` takes [HttpTransport.default]. */
    val transport: HttpTransport? = null,
) {
    internal val http: HttpTransport get() = transport ?: HttpTransport.default()

    internal fun toFfi() = FfiOptions(
        when (env) {
            XmtpEnvironment.LOCAL -> FfiEnvironment.LOCAL
            XmtpEnvironment.DEV -> FfiEnvironment.DEV
            XmtpEnvironment.PRODUCTION -> FfiEnvironment.PRODUCTION
        },
        apiUrl, appVersion,
    )
}

/** A wallet: its address and EIP-191 `personal_sign` (65-byte `r ‖ s ‖ v` signatures). */
interface Signer {
    /** The wallet's address. */
    val address: String

    /** Signs [text] as `personal_sign` does. */
    suspend fun signMessage(text: String): ByteArray
}

/** A wallet whose private key the application holds (servers, tests, demos). */
class PrivateKeySigner private constructor(private val wallet: dev.xmtprs.ffi.PrivateKeyWallet) : Signer {
    override val address: String get() = wallet.address()
    override suspend fun signMessage(text: String): ByteArray = wallet.sign(text)

    /** Constructors. */
    companion object {
        /** A new random key. */
        fun generate() = PrivateKeySigner(dev.xmtprs.ffi.PrivateKeyWallet.generate())

        /** From a 32-byte private key. */
        fun fromPrivateKey(key: ByteArray) = PrivateKeySigner(ffi { dev.xmtprs.ffi.PrivateKeyWallet.fromPrivateKey(key) })
    }
}

/** Consent for an address. */
enum class ConsentState {
    /** No decision seen. */
    UNKNOWN,
    /** Allowed. */
    ALLOWED,
    /** Denied. */
    DENIED,
}

/** A push-notification HMAC key of a conversation for one 30-day period. Secret. */
class HmacKey(/** The topic. */ val topic: String, /** The period. */ val period: Long, /** The 32-byte key. */ val key: ByteArray)

/** An envelope as the network carries it (e.g. from a push notification). */
class Envelope(/** Its topic. */ val contentTopic: String, /** Its time, Unix ns. */ val timestampNs: Long, /** Its payload. */ val message: ByteArray) {
    internal fun toFfi() = dev.xmtprs.ffi.Envelope(contentTopic, timestampNs.toULong(), message)
}

/** What [Client.decryptEnvelope] read. */
sealed class DecryptedEnvelope {
    /** A message. */
    data class MessageEnvelope(/** The message. */ val message: Message) : DecryptedEnvelope()
    /** An invitation to a conversation (topic, peer). */
    data class Invitation(/** Its topic. */ val topic: String, /** The other member. */ val peerAddress: String) : DecryptedEnvelope()
}

/**
 * A client of one XMTP identity. Every call is a `suspend` function that is safe to call from
 * any coroutine; the network work runs on one host-loop coroutine on [Dispatchers.IO]. Close
 * it when done ([close] stops its loop and stream).
 */
class Client private constructor(
    internal val ffi: FfiClient,
    /** The options it was made with. */
    val options: ClientOptions,
) : AutoCloseable {
    internal val loop = HostLoop(ffi, options.http)
    private val codecs = ConcurrentHashMap<String, ContentCodec<*>>()

    /** The conversations. */
    val conversations = Conversations(this)

    /** The own address. */
    val address: String get() = ffi.address()

    /** Whether the stream is open (collect a stream first); from then on nothing is missed. */
    val streamConnected: StateFlow<Boolean> get() = loop.streamConnected

    /** Registers [codec] on this client (not globally): its type then decodes and encodes with it. */
    fun register(codec: ContentCodec<*>) {
        codecs[codec.contentType.toString()] = codec
    }

    internal fun codec(type: String): ContentCodec<*>? = codecs[type]

    /** The time the library's calls are given, Unix ns (tests fix it to reproduce bytes). */
    internal var clock: () -> ULong = ::nowNs

    /** The private keys, as xmtp-js `Client.getKeys()` gives them. Secret. */
    fun exportKeys(): ByteArray = ffi.exportKeys()

    /** The whole state (keys, conversations, consent, stream positions) for [fromState]. Secret. */
    fun exportState(): String = ffi.exportState()

    /** Whether each address has an XMTP identity. */
    suspend fun canMessage(addresses: List<String>): Map<String, Boolean> {
        val e = loop.operation { ffi.canMessage(addresses) }
        return (check(e) as Event.ContactsResolved).results.associate { it.address to it.canMessage }
    }

    /** Allows [addresses] (locally at once, then on the network). */
    suspend fun allow(addresses: List<String>) {
        check(loop.operation { ffi.setConsent(addresses, FfiConsent.ALLOWED, nowNs()) })
    }

    /** Denies [addresses] (locally at once, then on the network). */
    suspend fun deny(addresses: List<String>) {
        check(loop.operation { ffi.setConsent(addresses, FfiConsent.DENIED, nowNs()) })
    }

    /** Loads the consent decisions from the network. */
    suspend fun refreshConsentList() {
        check(loop.operation { ffi.syncConsent(nowNs()) })
    }

    /** The consent state of [address]. */
    fun consentState(address: String): ConsentState = when (ffi { ffi.consentState(address) }) {
        FfiConsent.UNKNOWN -> ConsentState.UNKNOWN
        FfiConsent.ALLOWED -> ConsentState.ALLOWED
        FfiConsent.DENIED -> ConsentState.DENIED
    }

    /** Push HMAC keys of the V2 conversations (all, or those of [topics]) around now. */
    fun pushHmacKeys(topics: List<String>? = null): List<HmacKey> =
        ffi { ffi.hmacKeys(topics, clock()) }.map { HmacKey(it.topic, it.period.toLong(), it.key) }

    /** Reads many envelopes of known conversations: one result per envelope, in order. */
    fun decryptBatch(envelopes: List<Envelope>): List<Result<Message>> =
        ffi { ffi.decryptBatch(envelopes.map { it.toFfi() }) }.map { r ->
            val m = r.message
            if (m != null) {
                Result.success(Message.from(m, this::codec))
            } else {
                Result.failure(r.error?.let { ErrorCodes.from(it) } ?: InternalException("internal.panic", "no result"))
            }
        }

    /** Stops the host loop and the stream. */
    override fun close() {
        loop.close()
        ffi.close()
    }

    internal fun check(e: Event): Event {
        if (e is Event.Failed) throw ErrorCodes.from(e.error)
        return e
    }

    /** Constructors and what needs no client. */
    companion object {
        /**
         * Loads the wallet's identity from the network, or creates and stores it (one or two
         * signatures of [signer]), then publishes its contact when needed.
         */
        suspend fun create(signer: Signer, options: ClientOptions = ClientOptions()): Client {
            val keys = withContext(Dispatchers.IO) {
                IdentityBootstrap(signer.address, options.toFfi(), nowNs()).use { b ->
                    val transport = options.http
                    while (!b.isFinished()) {
                        val now = nowNs()
                        val r = b.pollRequest(now)
                        if (r != null) {
                            val (status, body) = transport.perform(r)
                            b.handleHttp(r.id, status.toUShort(), body, nowNs())
                            continue
                        }
                        val s = b.signatureRequest()
                        if (s != null) {
                            ffi { b.provideSignature(signer.signMessage(s.text), nowNs()) }
                            continue
                        }
                        val deadline = b.nextDeadline() ?: break
                        delay(((deadline.toLong() - now.toLong()) / 1_000_000L).coerceAtLeast(1L))
                    }
                    ffi { b.keys() } ?: throw InternalException("internal.panic", "the identity set-up stopped without keys")
                }
            }
            return build(keys, options)
        }

        /** A client for exported keys ([exportKeys], or xmtp-js `getKeys()`); publishes its contact when needed. */
        suspend fun build(keys: ByteArray, options: ClientOptions = ClientOptions()): Client {
            val client = Client(ffi { FfiClient.fromKeys(keys, options.toFfi()) }, options)
            try {
                client.check(client.loop.operation { client.ffi.publishContact() })
            } catch (e: Throwable) {
                client.close()
                throw e
            }
            return client
        }

        /** A client for exported keys, without any network call. */
        fun fromKeys(keys: ByteArray, options: ClientOptions = ClientOptions()): Client =
            Client(ffi { FfiClient.fromKeys(keys, options.toFfi()) }, options)

        /** Wraps a client of the generated bindings (for tests of builds with extra exports). */
        internal fun wrap(client: FfiClient, options: ClientOptions) = Client(client, options)

        /** A client restored from [exportState]. */
        fun fromState(state: String, options: ClientOptions = ClientOptions()): Client =
            Client(ffi { FfiClient.fromState(state, options.toFfi()) }, options)

        /**
         * Reads one envelope with an exported state, offline (e.g. in a notification service).
         * [codecs] decode application-defined types.
         */
        fun decryptEnvelope(state: String, envelope: Envelope, codecs: List<ContentCodec<*>> = emptyList()): DecryptedEnvelope {
            val byType = codecs.associateBy { it.contentType.toString() }
            return when (val d = ffi { dev.xmtprs.ffi.decryptEnvelope(state, envelope.toFfi()) }) {
                is FfiDecrypted.Message -> DecryptedEnvelope.MessageEnvelope(Message.from(d.message) { byType[it] })
                is FfiDecrypted.Invitation -> DecryptedEnvelope.Invitation(d.conversation.topic, d.conversation.peerAddress)
            }
        }

        /** The library's stable error codes. */
        fun errorCodes(): List<String> = dev.xmtprs.ffi.errorCodes()

        /** The library's version string. */
        fun libraryVersion(): String = dev.xmtprs.ffi.clientVersion()
    }
}

/** A decrypted, verified message. */
class Message internal constructor(
    /** Its id (hex), the same in every SDK. */
    val id: String,
    /** The sender. */
    val senderAddress: String,
    /** When it was sent, Unix nanoseconds. */
    val sentNs: Long,
    /** Its conversation's topic. */
    val topic: String,
    /** Its content type, when declared. */
    val contentType: ContentTypeId?,
    /**
     * The content: a [MessageContent] for standard types, a registered codec's value, or
     * `null` when it could not be read (see [fallback] and [contentError]).
     */
    val content: Any?,
    /** The sender's fallback text. */
    val fallback: String?,
    /** Why the content could not be read (a stable code). */
    val contentError: String?,
) {
    /** The content as [T]. */
    @Suppress("UNCHECKED_CAST")
    fun <T> content(): T = content as T

    /** The text, for text messages. */
    val text: String? get() = (content as? MessageContent.Text)?.text

    override fun toString() = "Message($id from $senderAddress: $content)"

    internal companion object {
        fun from(m: DecodedMessage, codec: (String) -> ContentCodec<*>?): Message {
            val type = m.contentType?.let { ContentTypeId.parse(it) }
            var error = m.contentError
            val content: Any? = when {
                m.text != null -> MessageContent.Text(m.text!!)
                m.contentJson != null && type != null ->
                    runCatching { MessageContent.fromJson(type, Json.parse(m.contentJson!!)) }.getOrNull()
                type != null -> codec(type.toString())?.let { c ->
                    try {
                        c.decode(EncodedContent(type, m.parameters, m.rawContent, m.fallback))
                    } catch (e: Exception) {
                        error = "content.invalid"
                        null
                    }
                }
                else -> null
            }
            return Message(m.id, m.senderAddress, m.sentNs.toLong(), m.conversationTopic, type, content, m.fallback, if (content != null) null else error)
        }
    }
}
