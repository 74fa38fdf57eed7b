/**
 * Errors. Every failure is an {@link XmtpError} with a stable `code` (`area.reason`, the same
 * codes in every language of xmtp-rs); its subclass says what an application can do about it.
 */

/** The group a code belongs to, one per subclass of {@link XmtpError}. */
export type ErrorKind = "network" | "protocol" | "invalidInput" | "state" | "internal";

/** Every stable code the library raises. */
export type ErrorCode =
  | "address.invalid"
  | "api.invalid_argument"
  | "api.permission_denied"
  | "api.rate_limited"
  | "api.server_error"
  | "api.transport"
  | "api.unauthenticated"
  | "api.unavailable"
  | "auth.bad_signature"
  | "auth.expired"
  | "auth.identity_not_wallet_signed"
  | "auth.not_yet_valid"
  | "auth.wallet_mismatch"
  | "client.contact_not_resolved"
  | "client.no_identity"
  | "client.self_conversation"
  | "client.unknown_conversation"
  | "content.decompression_failed"
  | "content.decryption_failed"
  | "content.digest_mismatch"
  | "content.empty_payload"
  | "content.insecure_url"
  | "content.invalid"
  | "content.invalid_parameters"
  | "content.invalid_utf8"
  | "content.malformed"
  | "content.missing_type"
  | "content.nesting_too_deep"
  | "content.too_large"
  | "content.unknown_type"
  | "content.unsupported_compression"
  | "content.unsupported_version"
  | "content.wrong_codec"
  | "crypto.bad_signature"
  | "crypto.decryption_failed"
  | "crypto.invalid_private_key"
  | "crypto.invalid_public_key"
  | "crypto.malformed_ciphertext"
  | "crypto.malformed_signature"
  | "decode.invalid_field"
  | "decode.malformed"
  | "decode.missing_field"
  | "input.content"
  | "input.content_type"
  | "input.hex"
  | "input.json"
  | "input.url"
  | "internal.panic"
  | "invitation.invalid_content"
  | "invitation.not_for_us"
  | "invitation.self_invite"
  | "invitation.timestamp_mismatch"
  | "key.identity_not_wallet_signed"
  | "key.mismatch"
  | "key.no_matching_prekey"
  | "key.no_prekey"
  | "key.not_legacy_convertible"
  | "key.prekey_not_signed"
  | "key.storage_decrypt_failed"
  | "key.wrong_wallet"
  | "message.bad_signature"
  | "message.not_participant"
  | "message.topic_mismatch"
  | "message.unknown_conversation"
  | "message.wrong_version"
  | "state.invalid"
  | "state.malformed"
  | "state.unsupported_version"
  | "internal.aborted"
  | "api.aborted"
  | "input.text";

/** An error of the library: `code` is stable, `message` holds no user data. */
export class XmtpError extends Error {
  /** The stable code, e.g. `api.rate_limited` or `client.unknown_conversation`. */
  readonly code: ErrorCode;
  /** The group of the code. */
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
  }
}

/** The node refused the call or could not be reached, and the retries ran out (`api.*`). */
export class NetworkError extends XmtpError {}
/** Something received or stored is not valid protocol data (`decode.*`, `crypto.*`, `key.*`, …). */
export class ProtocolError extends XmtpError {}
/** The call cannot be done as asked: a bad address, an unknown conversation, a bad argument. */
export class InvalidInputError extends XmtpError {}
/** An exported state or conversation could not be read (`state.*`). */
export class StateError extends XmtpError {}
/** A bug in this library (`internal.*`). */
export class InternalError extends XmtpError {}

const CLASSES: Record<ErrorKind, new (kind: ErrorKind, code: ErrorCode, message: string, options?: { cause?: unknown }) => XmtpError> = {
  network: NetworkError,
  protocol: ProtocolError,
  invalidInput: InvalidInputError,
  state: StateError,
  internal: InternalError,
};

/**
 * Every code and the error class it maps to. The package's tests compare it with the
 * library's own list: a new code fails them until it is listed here.
 */
export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorKind>> = {
  "address.invalid": "invalidInput",
  "api.invalid_argument": "network",
  "api.permission_denied": "network",
  "api.rate_limited": "network",
  "api.server_error": "network",
  "api.transport": "network",
  "api.unauthenticated": "network",
  "api.unavailable": "network",
  "auth.bad_signature": "protocol",
  "auth.expired": "protocol",
  "auth.identity_not_wallet_signed": "protocol",
  "auth.not_yet_valid": "protocol",
  "auth.wallet_mismatch": "protocol",
  "client.contact_not_resolved": "invalidInput",
  "client.no_identity": "invalidInput",
  "client.self_conversation": "invalidInput",
  "client.unknown_conversation": "invalidInput",
  "content.decompression_failed": "protocol",
  "content.decryption_failed": "protocol",
  "content.digest_mismatch": "protocol",
  "content.empty_payload": "protocol",
  "content.insecure_url": "protocol",
  "content.invalid": "protocol",
  "content.invalid_parameters": "protocol",
  "content.invalid_utf8": "protocol",
  "content.malformed": "protocol",
  "content.missing_type": "protocol",
  "content.nesting_too_deep": "protocol",
  "content.too_large": "protocol",
  "content.unknown_type": "protocol",
  "content.unsupported_compression": "protocol",
  "content.unsupported_version": "protocol",
  "content.wrong_codec": "protocol",
  "crypto.bad_signature": "protocol",
  "crypto.decryption_failed": "protocol",
  "crypto.invalid_private_key": "protocol",
  "crypto.invalid_public_key": "protocol",
  "crypto.malformed_ciphertext": "protocol",
  "crypto.malformed_signature": "protocol",
  "decode.invalid_field": "protocol",
  "decode.malformed": "protocol",
  "decode.missing_field": "protocol",
  "input.content": "invalidInput",
  "input.content_type": "invalidInput",
  "input.hex": "invalidInput",
  "input.json": "invalidInput",
  "input.url": "invalidInput",
  "internal.panic": "internal",
  "invitation.invalid_content": "protocol",
  "invitation.not_for_us": "protocol",
  "invitation.self_invite": "protocol",
  "invitation.timestamp_mismatch": "protocol",
  "key.identity_not_wallet_signed": "protocol",
  "key.mismatch": "protocol",
  "key.no_matching_prekey": "protocol",
  "key.no_prekey": "protocol",
  "key.not_legacy_convertible": "protocol",
  "key.prekey_not_signed": "protocol",
  "key.storage_decrypt_failed": "protocol",
  "key.wrong_wallet": "protocol",
  "message.bad_signature": "protocol",
  "message.not_participant": "protocol",
  "message.topic_mismatch": "protocol",
  "message.unknown_conversation": "protocol",
  "message.wrong_version": "protocol",
  "state.invalid": "state",
  "state.malformed": "state",
  "state.unsupported_version": "state",
  "internal.aborted": "internal",
  "api.aborted": "network",
  "input.text": "invalidInput",
};

/** An error for a code; a code not in {@link ERROR_CODES} takes `fallback`'s class. */
export function errorFor(code: string, message: string, fallback: ErrorKind = "protocol", cause?: unknown): XmtpError {
  const kind = (ERROR_CODES as Record<string, ErrorKind>)[code] ?? fallback;
  return new CLASSES[kind](kind, code as ErrorCode, message, cause === undefined ? undefined : { cause });
}

const KINDS = new Set<string>(["network", "protocol", "invalidInput", "state", "internal"]);

/** What the WebAssembly library threw (`{ kind, code, message }`), as an {@link XmtpError}. */
export function fromWasm(e: unknown): XmtpError {
  if (e instanceof XmtpError) return e;
  if (typeof e === "object" && e !== null && typeof (e as { code?: unknown }).code === "string") {
    const { kind, code, message } = e as { kind?: string; code: string; message?: string };
    const fallback = kind !== undefined && KINDS.has(kind) ? (kind as ErrorKind) : "protocol";
    return errorFor(code, message ?? code, fallback);
  }
  return errorFor("internal.panic", "an internal error was caught", "internal", e);
}
