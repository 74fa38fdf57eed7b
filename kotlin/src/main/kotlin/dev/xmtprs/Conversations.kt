package dev.xmtprs

import dev.xmtprs.ffi.Compression as FfiCompression
import dev.xmtprs.ffi.ContentInput
import dev.xmtprs.ffi.ConversationContext
import dev.xmtprs.ffi.Event
import dev.xmtprs.ffi.MessageQuery
import dev.xmtprs.ffi.PreparedMessage as FfiPrepared
import dev.xmtprs.ffi.SendOptions as FfiSendOptions
import dev.xmtprs.ffi.SortDirection as FfiDirection
import kotlinx.coroutines.channels.awaitClose
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.callbackFlow

/** Compression of content. */
enum class Compression {
    /** zlib DEFLATE. */
    DEFLATE,
    /** GZIP. */
    GZIP,
}

/** Options of a send. */
data class SendOptions(
    /** Compress the content (content of 10 bytes or more). */
    val compression: Compression? = null,
    /** Send on the ephemeral topic (relayed, not stored). */
    val ephemeral: Boolean = false,
) {
    internal fun toFfi() = FfiSendOptions(
        compression?.let { if (it == Compression.DEFLATE) FfiCompression.DEFLATE else FfiCompression.GZIP }, ephemeral,
    )
}

/** Order of listed messages. */
enum class SortDirection {
    /** Oldest first. */
    ASCENDING,
    /** Newest first. */
    DESCENDING,
}

/** A message encoded and signed but not published: its [id] is known. Publish it with [Conversation.publish]. */
class PreparedMessage internal constructor(internal val inner: FfiPrepared) {
    /** The message id. */
    val id: String get() = inner.id

    /** The envelopes it will publish (e.g. to hand to a notification test). */
    val envelopes: List<Envelope> get() = inner.envelopes.map { Envelope(it.contentTopic, it.timestampNs.toLong(), it.message) }
}

/** The conversations of a [Client]. */
class Conversations internal constructor(private val client: Client) {
    /** Every conversation, after learning new ones from the network; oldest first. */
    suspend fun list(): List<Conversation> {
        client.check(client.loop.operation { client.ffi.syncConversations(nowNs()) })
        return client.ffi.conversations().map { Conversation.from(client, it) }
    }

    /** Starts (or reuses) a conversation with [peerAddress], optionally in a V2 [conversationId] context. */
    suspend fun newConversation(
        peerAddress: String,
        conversationId: String? = null,
        metadata: Map<String, String> = emptyMap(),
    ): Conversation {
        val context = conversationId?.let { ConversationContext(it, metadata) }
        val e = client.check(client.loop.operation { client.ffi.newConversation(peerAddress, context, nowNs()) })
        return Conversation.from(client, (e as Event.ConversationStarted).conversation)
    }

    /**
     * Adds a conversation exported by [Conversation.toTopicData] (or by another SDK's
     * `toTopicData()`), e.g. in a notification service that has only the keys. One already known
     * is returned unchanged.
     */
    fun importTopicData(data: ByteArray): Conversation =
        Conversation.from(client, ffi { client.ffi.importConversation(data) })

    /** New conversations as they become known. Cancelling the collection stops the stream. */
    fun stream(): Flow<Conversation> = events { e ->
        if (e is Event.NewConversation) Conversation.from(client, e.conversation) else null
    }

    /** Every new message of every conversation. Cancelling the collection stops the stream. */
    fun streamAllMessages(): Flow<Message> = events { e ->
        if (e is Event.Message) Message.from(e.message, client::codec) else null
    }

    internal fun <T : Any> events(pick: (Event) -> T?): Flow<T> = callbackFlow {
        val remove = client.loop.listen { e -> pick(e)?.let { trySend(it) } }
        client.loop.acquireStream()
        awaitClose {
            remove()
            client.loop.releaseStream()
        }
    }
}

/** A conversation with one peer. */
class Conversation internal constructor(
    private val client: Client,
    /** Its topic (its identity on the network). */
    val topic: String,
    /** `v1` or `v2`. */
    val version: String,
    /** The other member. */
    val peerAddress: String,
    /** When it started, Unix nanoseconds. */
    val createdNs: Long,
    /** The V2 context's conversation id, if any. */
    val conversationId: String?,
    /** The V2 context's metadata. */
    val metadata: Map<String, String>,
) {
    /**
     * Sends [content]: a [String] (text), a [MessageContent], or a value of an application type
     * whose codec is registered for [contentType]. Returns the message id.
     */
    suspend fun send(content: Any, options: SendOptions = SendOptions(), contentType: ContentTypeId? = null): String {
        val prepared = prepareMessage(content, options, contentType)
        publish(prepared)
        return prepared.id
    }

    /** Encodes and signs [content] (see [send]) without publishing it. */
    fun prepareMessage(content: Any, options: SendOptions = SendOptions(), contentType: ContentTypeId? = null): PreparedMessage {
        val input = input(content, contentType)
        return PreparedMessage(ffi { client.ffi.prepareMessage(topic, input, options.toFfi(), client.clock()) })
    }

    /** Publishes a prepared message. */
    suspend fun publish(prepared: PreparedMessage) {
        client.check(client.loop.operation { client.ffi.publishPrepared(prepared.inner, nowNs()) })
    }

    /**
     * Messages, newest first by default: at most [limit], sent at or before [beforeNs] and at
     * or after [afterNs] (Unix nanoseconds).
     */
    suspend fun messages(
        limit: Int? = null,
        beforeNs: Long? = null,
        afterNs: Long? = null,
        direction: SortDirection = SortDirection.DESCENDING,
    ): List<Message> {
        val q = MessageQuery(
            afterNs?.toULong(), beforeNs?.toULong(), limit?.toUInt(),
            if (direction == SortDirection.ASCENDING) FfiDirection.ASCENDING else FfiDirection.DESCENDING,
        )
        val e = client.check(client.loop.operation { client.ffi.messages(topic, q) })
        return (e as Event.Messages).messages.map { Message.from(it, client::codec) }
    }

    /** New messages of this conversation. Cancelling the collection stops the stream. */
    fun streamMessages(): Flow<Message> = client.conversations.events { e ->
        if (e is Event.Message && e.message.conversationTopic == topic) Message.from(e.message, client::codec) else null
    }

    private fun input(content: Any, contentType: ContentTypeId?): ContentInput {
        if (content is MessageContent.Text) return ContentInput.Text(content.text)
        if (content is MessageContent) return ContentInput.Json(content.contentType.toString(), Json.write(content.toJsonValue()))
        if (content is String && (contentType == null || contentType == ContentTypeId.TEXT)) return ContentInput.Text(content)
        val type = contentType ?: throw InvalidInputException("input.content_type", "a content type is needed for application content")
        val codec = client.codec(type.toString())
            ?: throw InvalidInputException("input.content_type", "no codec is registered for $type")
        @Suppress("UNCHECKED_CAST")
        val c = codec as ContentCodec<Any>
        val encoded = try {
            c.encode(content)
        } catch (e: ClassCastException) {
            throw InvalidInputException("input.content", "the content does not fit the codec of $type", e)
        }
        return ContentInput.Encoded(type.toString(), encoded.parameters, encoded.content, c.fallback(content), c.shouldPush(content))
    }

    /**
     * This conversation as the keystore's `TopicData` bytes (what xmtp-android's
     * `toTopicData()` gives), for [Conversations.importTopicData] elsewhere. Secret: it holds the
     * conversation's key.
     */
    fun toTopicData(): ByteArray = ffi { client.ffi.exportConversation(topic) }

    override fun toString() = "Conversation($topic with $peerAddress)"

    internal companion object {
        fun from(client: Client, c: dev.xmtprs.ffi.Conversation) = Conversation(
            client, c.topic, c.version, c.peerAddress, c.createdNs.toLong(),
            c.context?.conversationId, c.context?.metadata ?: emptyMap(),
        )
    }
}
