/**
 * xmtp-rs for JavaScript: XMTP V1/V2 messaging in browsers and Node, from the xmtp-rs Rust
 * core compiled to WebAssembly.
 *
 * ```ts
 * import { Client } from "xmtp-rs";
 * const client = await Client.create(wallet, { env: "dev" });
 * const conversation = await client.conversations.newConversation(peerAddress);
 * await conversation.send("gm");
 * for await (const message of client.conversations.streamAllMessages()) console.log(message.content);
 * ```
 *
 * 64-bit values (Unix-nanosecond timestamps) are `bigint`s (`sentAtNs`, `createdAtNs`,
 * `Envelope.timestampNs`); `Date` fields are given beside them.
 */

export {
  Client,
  Contacts,
  Conversation,
  Conversations,
  DecodedMessage,
  MessageStream,
  PreparedMessage,
  type ClientOptions,
  type ConsentEntry,
  type ConsentState,
  type Envelope,
  type HmacKey,
  type InvitationContext,
  type ListMessagesOptions,
  type SendOptions,
  type Signer,
  type XmtpEnv,
} from "./client.js";
export {
  ContentTypeAttachment,
  ContentTypeReaction,
  ContentTypeReadReceipt,
  ContentTypeRemoteAttachment,
  ContentTypeReply,
  ContentTypeText,
  ContentTypeTransactionReference,
  contentTypeToString,
  parseContentType,
  sameType,
  type Attachment,
  type ContentCodec,
  type ContentTypeId,
  type EncodedContent,
  type Reaction,
  type ReadReceipt,
  type RemoteAttachment,
  type Reply,
  type TransactionReference,
} from "./content.js";
export {
  ERROR_CODES,
  InternalError,
  InvalidInputError,
  NetworkError,
  ProtocolError,
  StateError,
  XmtpError,
  type ErrorCode,
  type ErrorKind,
} from "./errors.js";
export { init, type WasmSource } from "./wasm.js";
export { PrivateKeySigner } from "./signer.js";
/** @internal */
export { testing } from "./testing.js";
