package dev.xmtprs

import dev.xmtprs.ffi.XmtpException as FfiError

/**
 * Every failure of this package. [code] is the library's stable code (`area.reason`, the same
 * in every binding); the subclass says what an application can do about it.
 */
sealed class XmtpException(
    /** The stable code, e.g. `api.transport` or `client.contact_not_resolved`. */
    val code: String,
    /** What happened (never user data). */
    val detail: String,
    cause: Throwable? = null,
) : Exception("$code: $detail", cause)

/** The node refused the call or could not be reached (`api.*`): check connectivity or retry. */
class NetworkException(code: String, detail: String, cause: Throwable? = null) : XmtpException(code, detail, cause)

/** Something received or stored is not valid protocol data (`decode.*`, `crypto.*`, `key.*`, …). */
class ProtocolException(code: String, detail: String, cause: Throwable? = null) : XmtpException(code, detail, cause)

/** The request cannot be done as asked (`client.*`, `address.*`, `input.*`). */
class InvalidInputException(code: String, detail: String, cause: Throwable? = null) : XmtpException(code, detail, cause)

/** An exported state could not be read (`state.*`). */
class StateException(code: String, detail: String, cause: Throwable? = null) : XmtpException(code, detail, cause)

/** A bug in the library (`internal.*`), caught; the client keeps working. */
class InternalException(code: String, detail: String, cause: Throwable? = null) : XmtpException(code, detail, cause)

/** The kinds of [XmtpException], one per subclass. */
enum class ErrorKind { NETWORK, PROTOCOL, INVALID_INPUT, STATE, INTERNAL }

/** The explicit mapping of the library's stable codes to exception kinds. */
object ErrorCodes {
    /**
     * Every code the library can raise and the kind it maps to. A test compares it with
     * [dev.xmtprs.ffi.errorCodes]: a new code in the library fails it until it is listed here.
     */
    val KINDS: Map<String, ErrorKind> = buildMap {
        fun all(kind: ErrorKind, vararg codes: String) = codes.forEach { put(it, kind) }
        all(ErrorKind.INVALID_INPUT, "address.invalid")
        all(
            ErrorKind.NETWORK, "api.invalid_argument", "api.permission_denied", "api.rate_limited",
            "api.server_error", "api.transport", "api.unauthenticated", "api.unavailable",
        )
        all(
            ErrorKind.PROTOCOL,
            "auth.bad_signature", "auth.expired", "auth.identity_not_wallet_signed", "auth.not_yet_valid",
            "auth.wallet_mismatch",
        )
        all(
            ErrorKind.INVALID_INPUT, "client.contact_not_resolved", "client.no_identity", "client.self_conversation",
            "client.unknown_conversation",
        )
        all(
            ErrorKind.PROTOCOL, "content.decompression_failed", "content.decryption_failed", "content.digest_mismatch",
            "content.empty_payload", "content.insecure_url", "content.invalid", "content.invalid_parameters",
            "content.invalid_utf8", "content.malformed", "content.missing_type", "content.nesting_too_deep",
            "content.too_large", "content.unknown_type", "content.unsupported_compression",
            "content.unsupported_version", "content.wrong_codec",
        )
        all(
            ErrorKind.PROTOCOL, "crypto.bad_signature", "crypto.decryption_failed", "crypto.invalid_private_key",
            "crypto.invalid_public_key", "crypto.malformed_ciphertext", "crypto.malformed_signature",
        )
        all(ErrorKind.PROTOCOL, "decode.invalid_field", "decode.malformed", "decode.missing_field")
        all(ErrorKind.INVALID_INPUT, "input.content", "input.content_type", "input.hex", "input.json", "input.url")
        all(ErrorKind.INTERNAL, "internal.panic")
        all(
            ErrorKind.PROTOCOL, "invitation.invalid_content", "invitation.not_for_us", "invitation.self_invite",
            "invitation.timestamp_mismatch",
        )
        all(
            ErrorKind.PROTOCOL, "key.identity_not_wallet_signed", "key.mismatch", "key.no_matching_prekey",
            "key.no_prekey", "key.not_legacy_convertible", "key.prekey_not_signed", "key.storage_decrypt_failed",
            "key.wrong_wallet",
        )
        all(
            ErrorKind.PROTOCOL, "message.bad_signature", "message.not_participant", "message.topic_mismatch",
            "message.unknown_conversation", "message.wrong_version",
        )
        all(ErrorKind.STATE, "state.invalid", "state.malformed", "state.unsupported_version")
    }

    /**
     * The code this package raises itself, before a call reaches the library: a string that is
     * not valid Unicode (a lone UTF-16 surrogate), which Kotlin strings can hold and the
     * library's cannot. Not one of the library's codes, so not in [KINDS].
     */
    const val INVALID_TEXT = "input.text"

    /** The exception for [code]; a code missing from [KINDS] takes [fallback]'s kind. */
    fun exception(code: String, detail: String, fallback: ErrorKind, cause: Throwable? = null): XmtpException =
        when (KINDS[code] ?: fallback) {
            ErrorKind.NETWORK -> NetworkException(code, detail, cause)
            ErrorKind.PROTOCOL -> ProtocolException(code, detail, cause)
            ErrorKind.INVALID_INPUT -> InvalidInputException(code, detail, cause)
            ErrorKind.STATE -> StateException(code, detail, cause)
            ErrorKind.INTERNAL -> InternalException(code, detail, cause)
        }

    /** The kind of the generated error's variant. */
    internal fun kindOf(e: FfiError): ErrorKind = when (e) {
        is FfiError.Network -> ErrorKind.NETWORK
        is FfiError.Protocol -> ErrorKind.PROTOCOL
        is FfiError.InvalidInput -> ErrorKind.INVALID_INPUT
        is FfiError.State -> ErrorKind.STATE
        is FfiError.Internal -> ErrorKind.INTERNAL
    }

    internal fun codeOf(e: FfiError): Pair<String, String> = when (e) {
        is FfiError.Network -> e.code to e.detail
        is FfiError.Protocol -> e.code to e.detail
        is FfiError.InvalidInput -> e.code to e.detail
        is FfiError.State -> e.code to e.detail
        is FfiError.Internal -> e.code to e.detail
    }

    /** This package's exception for a generated one. */
    internal fun from(e: FfiError): XmtpException {
        val (code, detail) = codeOf(e)
        return exception(code, detail, kindOf(e), e)
    }
}

/**
 * Runs [block], rethrowing the generated binding's errors as [XmtpException]; a string the
 * bindings cannot encode (a lone surrogate) is an [InvalidInputException] with
 * [ErrorCodes.INVALID_TEXT].
 */
internal inline fun <T> ffi(block: () -> T): T =
    try {
        block()
    } catch (e: FfiError) {
        throw ErrorCodes.from(e)
    } catch (e: java.nio.charset.CharacterCodingException) {
        throw InvalidInputException(ErrorCodes.INVALID_TEXT, "a string is not valid Unicode (a lone UTF-16 surrogate)", e)
    }
