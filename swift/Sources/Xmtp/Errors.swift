internal import XmtpFFI

/// What an application can do about an ``XmtpError``: the kinds the library groups its stable
/// codes into.
public enum ErrorKind: String, Sendable, CaseIterable {
    /// The node refused the call or could not be reached (`api.*`).
    case network
    /// Something received or stored is not valid protocol data (`decode.*`, `crypto.*`, …).
    case protocolError
    /// The request cannot be done as asked (`client.*`, `address.*`, `input.*`).
    case invalidInput
    /// An exported state could not be read (`state.*`).
    case state
    /// A bug in the library (`internal.*`), caught; the client keeps working.
    case internalError
}

/// Every failure of this package. `code` is the library's stable code (`area.reason`, the same
/// in every binding); the case says what an application can do about it.
public enum XmtpError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The node refused the call or could not be reached (`api.*`): check connectivity or retry.
    case network(code: String, message: String)
    /// Something received or stored is not valid protocol data (`decode.*`, `crypto.*`,
    /// `key.*`, `content.*`, `auth.*`, …).
    case protocolError(code: String, message: String)
    /// The request cannot be done as asked (`client.*`, `address.*`, `input.*`).
    case invalidInput(code: String, message: String)
    /// An exported state could not be read (`state.*`).
    case state(code: String, message: String)
    /// A bug in the library (`internal.*`), caught; the client keeps working.
    case internalError(code: String, message: String)

    /// The stable code, e.g. `api.transport` or `client.contact_not_resolved`.
    public var code: String {
        switch self {
        case .network(let code, _), .protocolError(let code, _), .invalidInput(let code, _),
             .state(let code, _), .internalError(let code, _):
            return code
        }
    }

    /// What happened (never user data).
    public var message: String {
        switch self {
        case .network(_, let m), .protocolError(_, let m), .invalidInput(_, let m), .state(_, let m),
             .internalError(_, let m):
            return m
        }
    }

    /// Its kind.
    public var kind: ErrorKind {
        switch self {
        case .network: return .network
        case .protocolError: return .protocolError
        case .invalidInput: return .invalidInput
        case .state: return .state
        case .internalError: return .internalError
        }
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// The error for `code`, of the kind ``kinds`` lists for it (`fallback` for a code it does
    /// not list).
    public static func from(code: String, message: String, fallback: ErrorKind = .internalError) -> XmtpError {
        switch kinds[code] ?? fallback {
        case .network: return .network(code: code, message: message)
        case .protocolError: return .protocolError(code: code, message: message)
        case .invalidInput: return .invalidInput(code: code, message: message)
        case .state: return .state(code: code, message: message)
        case .internalError: return .internalError(code: code, message: message)
        }
    }

    /// Every code the library can raise and the kind it maps to. A test compares it with
    /// ``Client/errorCodes()``: a new code in the library fails it until it is listed here.
    public static let kinds: [String: ErrorKind] = {
        var m: [String: ErrorKind] = [:]
        func all(_ kind: ErrorKind, _ codes: String...) { for c in codes { m[c] = kind } }
        all(.invalidInput, "address.invalid")
        all(.network, "api.invalid_argument", "api.permission_denied", "api.rate_limited", "api.server_error",
            "api.transport", "api.unauthenticated", "api.unavailable")
        all(.protocolError, "auth.bad_signature", "auth.expired", "auth.identity_not_wallet_signed",
            "auth.not_yet_valid", "auth.wallet_mismatch")
        all(.invalidInput, "client.contact_not_resolved", "client.no_identity", "client.self_conversation",
            "client.unknown_conversation")
        all(.protocolError, "content.decompression_failed", "content.decryption_failed", "content.digest_mismatch",
            "content.empty_payload", "content.insecure_url", "content.invalid", "content.invalid_parameters",
            "content.invalid_utf8", "content.malformed", "content.missing_type", "content.nesting_too_deep",
            "content.too_large", "content.unknown_type", "content.unsupported_compression",
            "content.unsupported_version", "content.wrong_codec")
        all(.protocolError, "crypto.bad_signature", "crypto.decryption_failed", "crypto.invalid_private_key",
            "crypto.invalid_public_key", "crypto.malformed_ciphertext", "crypto.malformed_signature")
        all(.protocolError, "decode.invalid_field", "decode.malformed", "decode.missing_field")
        all(.invalidInput, "input.content", "input.content_type", "input.hex", "input.json", "input.url")
        all(.internalError, "internal.panic")
        all(.protocolError, "invitation.invalid_content", "invitation.not_for_us", "invitation.self_invite",
            "invitation.timestamp_mismatch")
        all(.protocolError, "key.identity_not_wallet_signed", "key.mismatch", "key.no_matching_prekey",
            "key.no_prekey", "key.not_legacy_convertible", "key.prekey_not_signed", "key.storage_decrypt_failed",
            "key.wrong_wallet")
        all(.protocolError, "message.bad_signature", "message.not_participant", "message.topic_mismatch",
            "message.unknown_conversation", "message.wrong_version")
        all(.state, "state.invalid", "state.malformed", "state.unsupported_version")
        return m
    }()

    /// This package's error for one of the generated bindings.
    static func from(_ e: XmtpFFI.XmtpError) -> XmtpError {
        switch e {
        case .Network(let code, let message): return from(code: code, message: message, fallback: .network)
        case .Protocol(let code, let message): return from(code: code, message: message, fallback: .protocolError)
        case .InvalidInput(let code, let message): return from(code: code, message: message, fallback: .invalidInput)
        case .State(let code, let message): return from(code: code, message: message, fallback: .state)
        case .Internal(let code, let message): return from(code: code, message: message, fallback: .internalError)
        }
    }
}

/// Runs `body`, rethrowing the generated bindings' errors as ``XmtpError``.
@inline(__always)
func mapErrors<T>(_ body: () throws -> T) throws(XmtpError) -> T {
    do {
        return try body()
    } catch let e as XmtpFFI.XmtpError {
        throw XmtpError.from(e)
    } catch let e as XmtpError {
        throw e
    } catch {
        throw XmtpError.internalError(code: "internal.panic", message: "\(error)")
    }
}
