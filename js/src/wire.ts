/**
 * The values the WebAssembly library exchanges (the facade's records in their serde form:
 * camelCase, `kind` tags, every 64-bit value a `bigint`, bytes as `Uint8Array`). Internal: the
 * public API converts them.
 */

export interface WireHttpRequest {
  id: bigint;
  url: string;
  method: string;
  headers: { name: string; value: string }[];
  body: Uint8Array;
  isStream: boolean;
}

export interface WireContext {
  conversationId: string;
  metadata: Record<string, string>;
}

export interface WireConversation {
  topic: string;
  version: "v1" | "v2";
  peerAddress: string;
  createdNs: bigint;
  context?: WireContext | null;
}

export interface WireDecodedMessage {
  id: string;
  senderAddress: string;
  recipientAddress?: string | null;
  sentNs: bigint;
  conversationTopic: string;
  contentType?: string | null;
  text?: string | null;
  contentJson?: string | null;
  fallback?: string | null;
  parameters: Record<string, string>;
  rawContent: Uint8Array;
  contentError?: string | null;
}

export type WireContentInput =
  | { kind: "text"; text: string }
  | { kind: "json"; contentType: string; json: string }
  | {
      kind: "encoded";
      contentType: string;
      parameters: Record<string, string>;
      content: Uint8Array;
      fallback?: string | undefined;
      shouldPush: boolean;
    };

export interface WireEnvelope {
  contentTopic: string;
  timestampNs: bigint;
  message: Uint8Array;
}

export interface WirePrepared {
  id: string;
  topic: string;
  envelopes: WireEnvelope[];
}

export interface WireError {
  kind: string;
  code: string;
  message: string;
}

export type WireEvent =
  | { kind: "contactPublished"; op: bigint; published: boolean }
  | { kind: "contactsResolved"; op: bigint; results: { address: string; canMessage: boolean }[] }
  | { kind: "newConversation"; conversation: WireConversation }
  | { kind: "conversationsSynced"; op: bigint }
  | { kind: "conversationStarted"; op: bigint; conversation: WireConversation }
  | { kind: "message"; message: WireDecodedMessage }
  | { kind: "messages"; op: bigint; topic: string; messages: WireDecodedMessage[] }
  | { kind: "sent"; op: bigint; id: string }
  | { kind: "consentChanged"; entry: { entryType: string; value: string; state: string } }
  | { kind: "consentSynced"; op: bigint }
  | { kind: "consentPublished"; op: bigint }
  | { kind: "subscriptionChanged" }
  | { kind: "streamConnected" }
  | { kind: "streamInterrupted"; retryAfterMs: bigint }
  | { kind: "envelopeFailed"; envelopeKind: string; topic: string; code: string }
  | { kind: "failed"; op: bigint; error: WireError };
