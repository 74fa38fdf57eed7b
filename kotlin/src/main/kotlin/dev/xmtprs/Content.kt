package dev.xmtprs

import kotlin.io.encoding.Base64

/** A content type, `authority/type:major.minor` (e.g. `xmtp.org/text:1.0`). */
data class ContentTypeId(
    /** The authority, e.g. `xmtp.org`. */
    val authorityId: String,
    /** The type, e.g. `text`. */
    val typeId: String,
    /** The major version. */
    val versionMajor: Int,
    /** The minor version. */
    val versionMinor: Int,
) {
    /** `authority/type:major.minor`. */
    override fun toString() = "$authorityId/$typeId:$versionMajor.$versionMinor"

    /** Constructors and the standard types. */
    companion object {
        /** Reads `authority/type:major.minor`; `null` when [s] is not one. */
        fun parse(s: String): ContentTypeId? {
            standard[s]?.let { return it }
            val slash = s.indexOf('/')
            val colon = s.lastIndexOf(':')
            if (slash <= 0 || colon <= slash + 1) return null
            val v = s.substring(colon + 1).split('.')
            val major = v.getOrNull(0)?.toIntOrNull() ?: return null
            val minor = if (v.size > 1) v[1].toIntOrNull() ?: return null else 0
            return ContentTypeId(s.substring(0, slash), s.substring(slash + 1, colon), major, minor)
        }

        /** `xmtp.org/text:1.0`. */ val TEXT = ContentTypeId("xmtp.org", "text", 1, 0)
        /** `xmtp.org/reaction:1.0`. */ val REACTION = ContentTypeId("xmtp.org", "reaction", 1, 0)
        /** `xmtp.org/reply:1.0`. */ val REPLY = ContentTypeId("xmtp.org", "reply", 1, 0)
        /** `xmtp.org/readReceipt:1.0`. */ val READ_RECEIPT = ContentTypeId("xmtp.org", "readReceipt", 1, 0)
        /** `xmtp.org/attachment:1.0`. */ val ATTACHMENT = ContentTypeId("xmtp.org", "attachment", 1, 0)
        /** `xmtp.org/remoteStaticAttachment:1.0`. */
        val REMOTE_ATTACHMENT = ContentTypeId("xmtp.org", "remoteStaticAttachment", 1, 0)
        /** `xmtp.org/transactionReference:1.0`. */
        val TRANSACTION_REFERENCE = ContentTypeId("xmtp.org", "transactionReference", 1, 0)

        // Every message names its type: the standard ones are looked up, not parsed (after
        // the constants, which are initialized in this order).
        private val standard = listOf(TEXT, REACTION, REPLY, READ_RECEIPT, ATTACHMENT, REMOTE_ATTACHMENT, TRANSACTION_REFERENCE)
            .associateBy { it.toString() }
    }
}

/**
 * The standard content types the library encodes itself. Send them with
 * [Conversation.send]; read them from [Message.content].
 */
sealed class MessageContent {
    /** Its content type. */
    abstract val contentType: ContentTypeId

    /** Plain text. */
    data class Text(/** The text. */ val text: String) : MessageContent() {
        override val contentType get() = ContentTypeId.TEXT
    }

    /** A reaction to a message. */
    data class Reaction(
        /** The id of the message reacted to. */
        val reference: String,
        /** `added` or `removed`. */
        val action: String,
        /** The reaction, e.g. an emoji. */
        val content: String,
        /** `unicode`, `shortcode` or `custom`. */
        val schema: String = "unicode",
    ) : MessageContent() {
        override val contentType get() = ContentTypeId.REACTION
    }

    /** A reply to a message, carrying content of a standard type. */
    data class Reply(
        /** The id of the message replied to. */
        val reference: String,
        /** The reply's content. */
        val content: MessageContent,
    ) : MessageContent() {
        override val contentType get() = ContentTypeId.REPLY
    }

    /** A read receipt. */
    object ReadReceipt : MessageContent() {
        override val contentType get() = ContentTypeId.READ_RECEIPT
        override fun toString() = "ReadReceipt"
    }

    /** A small file carried in the message. */
    class Attachment(
        /** Its file name. */
        val filename: String,
        /** Its MIME type. */
        val mimeType: String,
        /** Its bytes. */
        val data: ByteArray,
    ) : MessageContent() {
        override val contentType get() = ContentTypeId.ATTACHMENT
        override fun equals(other: Any?) = other is Attachment && other.filename == filename &&
            other.mimeType == mimeType && other.data.contentEquals(data)
        override fun hashCode() = filename.hashCode() * 31 + data.contentHashCode()
        override fun toString() = "Attachment($filename, $mimeType, ${data.size} bytes)"
    }

    /** An encrypted file stored elsewhere (the library neither uploads nor downloads it). */
    data class RemoteAttachment(
        /** Where the encrypted file is. */
        val url: String,
        /** SHA-256 of the encrypted file, hex. */
        val contentDigest: String,
        /** The encryption's salt, base64. */
        val salt: String,
        /** The encryption's nonce, base64. */
        val nonce: String,
        /** The encryption's secret, base64. */
        val secret: String,
        /** The URL's scheme, `https://`. */
        val scheme: String,
        /** The file's length. */
        val contentLength: Long? = null,
        /** The file's name. */
        val filename: String? = null,
    ) : MessageContent() {
        override val contentType get() = ContentTypeId.REMOTE_ATTACHMENT
    }

    /** A reference to an on-chain transaction. */
    data class TransactionReference(
        /** The chain namespace, e.g. `eip155`. */
        val namespace: String?,
        /** The network id, e.g. `0x14a34`. */
        val networkId: String,
        /** The transaction hash. */
        val reference: String,
        /** Free-form metadata (JSON values). */
        val metadata: Map<String, Any?>? = null,
    ) : MessageContent() {
        override val contentType get() = ContentTypeId.TRANSACTION_REFERENCE
    }

    internal fun toJsonValue(): Any? = when (this) {
        is Text -> text
        is Reaction -> mapOf("reference" to reference, "action" to action, "schema" to schema, "content" to content)
        is Reply -> mapOf(
            "reference" to reference,
            "contentType" to content.contentType.let {
                mapOf(
                    "authorityId" to it.authorityId, "typeId" to it.typeId,
                    "versionMajor" to it.versionMajor.toLong(), "versionMinor" to it.versionMinor.toLong(),
                )
            },
            "content" to content.toJsonValue(),
        )
        is ReadReceipt -> emptyMap<String, Any?>()
        is Attachment -> mapOf("filename" to filename, "mimeType" to mimeType, "data" to Base64.Default.encode(data))
        is RemoteAttachment -> buildMap {
            put("url", url); put("contentDigest", contentDigest); put("salt", salt); put("nonce", nonce)
            put("secret", secret); put("scheme", scheme)
            contentLength?.let { put("contentLength", it) }
            filename?.let { put("filename", it) }
        }
        is TransactionReference -> buildMap {
            namespace?.let { put("namespace", it) }
            put("networkId", networkId); put("reference", reference)
            metadata?.let { put("metadata", it) }
        }
    }

    /** Conversion from the library's JSON form. */
    internal companion object {
        fun fromJson(type: ContentTypeId, v: Any?): MessageContent? {
            if (type.authorityId != "xmtp.org") return null
            val m = v as? Map<*, *>
            fun s(k: String) = m?.get(k) as? String
            return when (type.typeId) {
                "text" -> (v as? String)?.let { Text(it) }
                "reaction" -> Reaction(s("reference") ?: return null, s("action") ?: "added", s("content") ?: "", s("schema") ?: "unicode")
                "reply" -> {
                    val t = m?.get("contentType") as? Map<*, *> ?: return null
                    val inner = ContentTypeId(
                        t["authorityId"] as? String ?: return null, t["typeId"] as? String ?: return null,
                        (t["versionMajor"] as? Long)?.toInt() ?: 1, (t["versionMinor"] as? Long)?.toInt() ?: 0,
                    )
                    Reply(s("reference") ?: return null, fromJson(inner, m["content"]) ?: return null)
                }
                "readReceipt" -> ReadReceipt
                "attachment" -> Attachment(s("filename") ?: "", s("mimeType") ?: "", Base64.Default.decode(s("data") ?: ""))
                "remoteStaticAttachment" -> RemoteAttachment(
                    s("url") ?: return null, s("contentDigest") ?: "", s("salt") ?: "", s("nonce") ?: "",
                    s("secret") ?: "", s("scheme") ?: "https://", (m?.get("contentLength") as? Long), s("filename"),
                )
                "transactionReference" -> {
                    @Suppress("UNCHECKED_CAST")
                    TransactionReference(s("namespace"), s("networkId") ?: "", s("reference") ?: "", m?.get("metadata") as? Map<String, Any?>)
                }
                else -> null
            }
        }
    }
}

/** Content in its encoded form, as an application's [ContentCodec] produces and reads it. */
class EncodedContent(
    /** Its content type. */
    val type: ContentTypeId,
    /** Its parameters. */
    val parameters: Map<String, String>,
    /** Its bytes. */
    val content: ByteArray,
    /** Text for clients that do not know the type. */
    val fallback: String? = null,
)

/**
 * A codec of an application-defined content type. Register it on a client with
 * [Client.register]: messages of its type then decode to [T], and [Conversation.send] encodes
 * [T] with it (pass [contentType] when sending).
 */
interface ContentCodec<T : Any> {
    /** The type it encodes. */
    val contentType: ContentTypeId

    /** Encodes [content]. */
    fun encode(content: T): EncodedContent

    /** Decodes [content]; throw to report undecodable content (the message keeps its fallback). */
    fun decode(content: EncodedContent): T

    /** The text clients without this codec show. */
    fun fallback(content: T): String?

    /** Whether a push notification should be sent for [content]. */
    fun shouldPush(content: T): Boolean = true
}
