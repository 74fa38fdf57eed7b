/**
 * Content types: the standard ones as plain objects (shaped as xmtp-js shows them), and
 * {@link ContentCodec} for types an application defines. Encoding and decoding of the
 * standard types happen in the library; this module only converts bytes between base64 (the
 * library's JSON form) and `Uint8Array` (what JS code holds).
 */

import { errorFor } from "./errors.js";
import type { WireContentInput, WireDecodedMessage } from "./wire.js";

/** A content type: `authority/type:major.minor`. */
export interface ContentTypeId {
  authorityId: string;
  typeId: string;
  versionMajor: number;
  versionMinor: number;
}

function xmtpType(typeId: string, versionMajor = 1): ContentTypeId {
  return { authorityId: "xmtp.org", typeId, versionMajor, versionMinor: 0 };
}

/** `xmtp.org/text:1.0`: a string. */
export const ContentTypeText = xmtpType("text");
/** `xmtp.org/reaction:1.0`: a {@link Reaction}. */
export const ContentTypeReaction = xmtpType("reaction");
/** `xmtp.org/reply:1.0`: a {@link Reply}. */
export const ContentTypeReply = xmtpType("reply");
/** `xmtp.org/readReceipt:1.0`: a {@link ReadReceipt}. */
export const ContentTypeReadReceipt = xmtpType("readReceipt");
/** `xmtp.org/attachment:1.0`: an {@link Attachment}. */
export const ContentTypeAttachment = xmtpType("attachment");
/** `xmtp.org/remoteStaticAttachment:1.0`: a {@link RemoteAttachment}. */
export const ContentTypeRemoteAttachment = xmtpType("remoteStaticAttachment");
/** `xmtp.org/transactionReference:1.0`: a {@link TransactionReference}. */
export const ContentTypeTransactionReference = xmtpType("transactionReference");

const STANDARD = new Set(
  [
    ContentTypeText,
    ContentTypeReaction,
    ContentTypeReply,
    ContentTypeReadReceipt,
    ContentTypeAttachment,
    ContentTypeRemoteAttachment,
    ContentTypeTransactionReference,
  ].map((t) => t.typeId),
);

/** `authority/type:major.minor`. */
export function contentTypeToString(t: ContentTypeId): string {
  return `${t.authorityId}/${t.typeId}:${t.versionMajor}.${t.versionMinor}`;
}

/** Parses `authority/type:major.minor`; `undefined` when malformed. */
export function parseContentType(s: string): ContentTypeId | undefined {
  const m = /^([^/]+)\/([^:]+):(\d+)\.(\d+)$/.exec(s);
  if (!m) return undefined;
  return { authorityId: m[1]!, typeId: m[2]!, versionMajor: Number(m[3]), versionMinor: Number(m[4]) };
}

/** Whether two content types are the same type (versions' major parts equal). */
export function sameType(a: ContentTypeId, b: ContentTypeId): boolean {
  return a.authorityId === b.authorityId && a.typeId === b.typeId && a.versionMajor === b.versionMajor;
}

/** A reaction to a message. */
export interface Reaction {
  /** The id of the message reacted to. */
  reference: string;
  /** `added` or `removed`. */
  action: "added" | "removed";
  /** How `content` is written. */
  schema: "unicode" | "shortcode" | "custom";
  /** The reaction, e.g. an emoji. */
  content: string;
  /** The inbox id of the referenced message's sender (XMTP V3 peers), if known. */
  referenceInboxId?: string;
}

/** A reply to a message, holding content of any standard type. */
export interface Reply {
  /** The id of the message replied to. */
  reference: string;
  /** The content's type. */
  contentType: ContentTypeId;
  /** The content. */
  content: unknown;
  /** The inbox id of the referenced message's sender (XMTP V3 peers), if known. */
  referenceInboxId?: string;
}

/** A read receipt (no fields). */
export type ReadReceipt = Record<string, never>;

/** A file sent inline. */
export interface Attachment {
  filename: string;
  mimeType: string;
  data: Uint8Array;
}

/** An encrypted file stored elsewhere (the library neither uploads nor downloads it). */
export interface RemoteAttachment {
  url: string;
  /** SHA-256 of the encrypted file, hex. */
  contentDigest: string;
  salt: Uint8Array;
  nonce: Uint8Array;
  secret: Uint8Array;
  /** `https://`. */
  scheme: string;
  contentLength?: number;
  filename?: string;
}

/** A reference to an on-chain transaction. */
export interface TransactionReference {
  /** The chain namespace, e.g. `eip155`. */
  namespace?: string;
  /** The network id, e.g. `0x14a34` (or a number). */
  networkId: string | number;
  /** The transaction hash. */
  reference: string;
  metadata?: {
    transactionType: string;
    currency: string;
    amount: number;
    decimals: number;
    fromAddress: string;
    toAddress: string;
  };
}

/** Content in its encoded form, as a {@link ContentCodec} produces and reads it. */
export interface EncodedContent {
  type: ContentTypeId;
  parameters: Record<string, string>;
  content: Uint8Array;
  /** Text for clients that do not know the type. */
  fallback?: string;
}

/** Encoding and decoding of an application-defined content type (registered per client). */
export interface ContentCodec<T = unknown> {
  /** The type it handles. */
  contentType: ContentTypeId;
  /** The content's encoded form. */
  encode(content: T): EncodedContent;
  /** The content of an encoded form (throw when it is invalid). */
  decode(encoded: EncodedContent): T;
  /** Text shown by clients that lack this codec. */
  fallback(content: T): string | undefined;
  /** Whether a push notification should be sent. */
  shouldPush(content: T): boolean;
}

// ----- base64 (the library's JSON form of bytes) ------------------------------------------------

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

function fromBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const BYTE_FIELDS: Record<string, readonly string[]> = {
  attachment: ["data"],
  remoteStaticAttachment: ["salt", "nonce", "secret"],
};

/** A standard type's value in the library's JSON form (bytes as base64). */
function toJsonValue(type: ContentTypeId, content: unknown): unknown {
  if (type.typeId === "text") return content;
  if (type.typeId === "reply") {
    const r = content as Reply;
    return { ...r, content: toJsonValue(r.contentType, r.content) };
  }
  const fields = BYTE_FIELDS[type.typeId];
  if (!fields || typeof content !== "object" || content === null) return content;
  const out: Record<string, unknown> = { ...(content as Record<string, unknown>) };
  for (const f of fields) {
    if (out[f] instanceof Uint8Array) out[f] = toBase64(out[f] as Uint8Array);
  }
  return out;
}

/** A standard type's value from the library's JSON form (base64 to bytes). */
function fromJsonValue(type: ContentTypeId, value: unknown): unknown {
  if (type.typeId === "reply" && typeof value === "object" && value !== null) {
    const r = value as Reply;
    return { ...r, content: fromJsonValue(r.contentType, r.content) };
  }
  const fields = BYTE_FIELDS[type.typeId];
  if (!fields || typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const f of fields) {
    if (typeof out[f] === "string") out[f] = fromBase64(out[f] as string);
  }
  return out;
}

/** The registered codecs of one client, by `authority/type:major`. */
export class CodecRegistry {
  private readonly codecs = new Map<string, ContentCodec>();

  constructor(codecs: readonly ContentCodec[] = []) {
    for (const c of codecs) this.register(c);
  }

  private static key(t: ContentTypeId): string {
    return `${t.authorityId}/${t.typeId}:${t.versionMajor}`;
  }

  /** Adds `codec` (replacing one of the same type). Standard types cannot be replaced. */
  register(codec: ContentCodec): void {
    if (codec.contentType.authorityId === "xmtp.org" && STANDARD.has(codec.contentType.typeId)) {
      throw errorFor("input.content_type", "the standard content types are built in");
    }
    this.codecs.set(CodecRegistry.key(codec.contentType), codec);
  }

  /** The codec of a type. */
  get(t: ContentTypeId): ContentCodec | undefined {
    return this.codecs.get(CodecRegistry.key(t));
  }

  /** The library's input for `content` of type `type` (text when no type is given). */
  encode(content: unknown, type: ContentTypeId | undefined): WireContentInput {
    if (type === undefined || sameType(type, ContentTypeText)) {
      if (typeof content !== "string") {
        throw errorFor("input.content", "content without a content type must be a string");
      }
      return { kind: "text", text: content };
    }
    if (type.authorityId === "xmtp.org" && STANDARD.has(type.typeId)) {
      return { kind: "json", contentType: contentTypeToString(type), json: JSON.stringify(toJsonValue(type, content)) };
    }
    const codec = this.get(type);
    if (!codec) throw errorFor("input.content_type", `no codec registered for ${contentTypeToString(type)}`);
    const encoded = codec.encode(content);
    return {
      kind: "encoded",
      contentType: contentTypeToString(encoded.type),
      parameters: encoded.parameters,
      content: encoded.content,
      fallback: encoded.fallback ?? codec.fallback(content),
      shouldPush: codec.shouldPush(content),
    };
  }

  /** The content of a decoded message and why it could not be read, if it could not. */
  decode(m: WireDecodedMessage): { content: unknown; error: string | undefined } {
    const type = m.contentType === undefined || m.contentType === null ? undefined : parseContentType(m.contentType);
    if (m.text !== undefined && m.text !== null) return { content: m.text, error: undefined };
    if (type && m.contentJson !== undefined && m.contentJson !== null) {
      return { content: fromJsonValue(type, JSON.parse(m.contentJson)), error: undefined };
    }
    const codec = type && this.get(type);
    if (codec && type) {
      try {
        const content = codec.decode({
          type,
          parameters: m.parameters,
          content: m.rawContent,
          fallback: m.fallback ?? undefined,
        });
        return { content, error: undefined };
      } catch {
        return { content: undefined, error: "content.invalid" };
      }
    }
    return { content: undefined, error: m.contentError ?? (type ? "content.unknown_type" : undefined) };
  }
}
