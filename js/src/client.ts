/**
 * The client: an identity, its conversations, messages, streams, consent and push keys.
 */

import * as glue from "../generated/xmtp_wasm.js";
import { CodecRegistry, parseContentType, type ContentCodec, type ContentTypeId } from "./content.js";
import { errorFor, fromWasm } from "./errors.js";
import { HostLoop, delayMs, nowNs, perform, type Fetch } from "./hostloop.js";
import { call, init, release, wasm, wellFormed } from "./wasm.js";
import type { WireConversation, WireDecodedMessage, WireEnvelope, WireEvent, WirePrepared } from "./wire.js";

/** The XMTP networks, by the names the official SDKs use. */
export type XmtpEnv = "local" | "dev" | "production";

/** How a client reaches its node and what it knows. */
export interface ClientOptions {
  /** The network (default `dev`; ignored when `apiUrl` is set). */
  env?: XmtpEnv;
  /** A node's base URL (`http://` or `https://`), e.g. a self-hosted node. */
  apiUrl?: string;
  /** The application's `name/version`, sent as `X-App-Version`. */
  appVersion?: string;
  /** Codecs of application-defined content types, registered on this client only. */
  codecs?: ContentCodec[];
  /** Restore from exported keys ({@link Client.getKeys}) instead of asking the wallet. */
  privateKeyOverride?: Uint8Array;
  /** A `fetch` of your own (default: the global one). */
  fetch?: Fetch;
}

/** A wallet: ethers' and viem's wallets fit. */
export interface Signer {
  /** The wallet's address. */
  getAddress(): Promise<string> | string;
  /** An EIP-191 `personal_sign` signature: hex (`0x…`) or bytes, 65 bytes. */
  signMessage(message: string): Promise<string | Uint8Array> | string | Uint8Array;
}

/** Consent for an address. */
export type ConsentState = "unknown" | "allowed" | "denied";

/** A conversation's context: an application's conversation id and metadata. */
export interface InvitationContext {
  conversationId: string;
  metadata?: Record<string, string>;
}

/** Options of a send. */
export interface SendOptions {
  /** The content's type (default: text). */
  contentType?: ContentTypeId;
  /** Compress the content (only content of 10 bytes or more is compressed). */
  compression?: "deflate" | "gzip";
  /** Send on the conversation's ephemeral topic (relayed, not stored). */
  ephemeral?: boolean;
}

/** Which messages to list. */
export interface ListMessagesOptions {
  /** At most this many. */
  limit?: number;
  /** Only messages sent at or after this time. */
  startTime?: Date;
  /** Only messages sent at or before this time. */
  endTime?: Date;
  /** Order (default: newest first, as xmtp-js lists). */
  direction?: "ascending" | "descending";
}

/** An envelope as the network carries it (e.g. from a push notification). */
export interface Envelope {
  contentTopic: string;
  /** Unix nanoseconds. */
  timestampNs: bigint;
  message: Uint8Array;
}

/** A push-notification HMAC key of a V2 conversation for one 30-day period. Secret. */
export interface HmacKey {
  topic: string;
  /** Unix time in ms ÷ 30 days. */
  thirtyDayPeriodsSinceEpoch: number;
  key: Uint8Array;
}

/** One consent decision. */
export interface ConsentEntry {
  entryType: string;
  value: string;
  state: ConsentState;
}

function fromNs(ns: bigint): Date {
  return new Date(Number(ns / 1_000_000n));
}

function toNs(d: Date): bigint {
  return BigInt(d.getTime()) * 1_000_000n;
}

function hexToBytes(hex: string): Uint8Array {
  const s = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw errorFor("input.hex", "the signature is not hex");
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A verified, decrypted message. */
export class DecodedMessage {
  /** Its id (hex), the same in every SDK. */
  readonly id: string;
  /** The sender's address. */
  readonly senderAddress: string;
  /** The recipient's address (V1 only). */
  readonly recipientAddress: string | undefined;
  /** When it was sent. */
  readonly sent: Date;
  /** When it was sent, Unix nanoseconds. */
  readonly sentAtNs: bigint;
  /** Its conversation's topic. */
  readonly contentTopic: string;
  /** Its content type, when declared. */
  readonly contentType: ContentTypeId | undefined;
  /**
   * The content: a string for text, an object for the other standard types, a registered
   * codec's value, or `undefined` when it could not be read (see {@link contentFallback}).
   */
  readonly content: unknown;
  /** The sender's fallback text, for types this client does not know. */
  readonly contentFallback: string | undefined;
  /** Why the content could not be read (a stable code), when it could not. */
  readonly error: string | undefined;

  /** @internal */
  constructor(m: WireDecodedMessage, codecs: CodecRegistry) {
    this.id = m.id;
    this.senderAddress = m.senderAddress;
    this.recipientAddress = m.recipientAddress ?? undefined;
    this.sentAtNs = m.sentNs;
    this.sent = fromNs(m.sentNs);
    this.contentTopic = m.conversationTopic;
    this.contentType = m.contentType ? parseContentType(m.contentType) : undefined;
    const { content, error } = codecs.decode(m);
    this.content = content;
    this.error = error;
    this.contentFallback = m.fallback ?? undefined;
  }
}

/** A message encoded and signed but not yet published: its id is known. */
export class PreparedMessage {
  /** @internal */
  constructor(
    private readonly client: Client,
    private readonly prepared: WirePrepared,
  ) {}

  /** The message id. */
  get messageId(): string {
    return this.prepared.id;
  }

  /** The envelopes to publish. */
  get envelopes(): Envelope[] {
    return this.prepared.envelopes.map((e) => ({ ...e }));
  }

  /** Publishes it. */
  async send(): Promise<void> {
    await this.client.loop.operation(() => this.client.raw.publishPrepared(this.prepared, nowNs()));
  }
}

/** A conversation with one peer (V1 or V2). */
export class Conversation {
  /** Its topic (its identity on the network). */
  readonly topic: string;
  /** The other member's address. */
  readonly peerAddress: string;
  /** When it started. */
  readonly createdAt: Date;
  /** When it started, Unix nanoseconds. */
  readonly createdAtNs: bigint;
  /** `v1` or `v2`. */
  readonly conversationVersion: "v1" | "v2";
  /** The V2 context, if any. */
  readonly context: InvitationContext | undefined;

  /** @internal */
  constructor(
    private readonly client: Client,
    c: WireConversation,
  ) {
    this.topic = c.topic;
    this.peerAddress = c.peerAddress;
    this.createdAtNs = c.createdNs;
    this.createdAt = fromNs(c.createdNs);
    this.conversationVersion = c.version;
    this.context = c.context ?? undefined;
  }

  /** Encodes and signs `content` without publishing it. */
  async prepareMessage(content: unknown, options: SendOptions = {}): Promise<PreparedMessage> {
    await Promise.resolve();
    const input = this.client.codecs.encode(content, options.contentType);
    const prepared = call(() =>
      this.client.raw.prepareMessage(
        this.topic,
        wellFormed(input),
        { compression: options.compression, ephemeral: options.ephemeral ?? false },
        this.client.clock(),
      ),
    ) as WirePrepared;
    return new PreparedMessage(this.client, prepared);
  }

  /** Sends `content` (a string, or a value of `options.contentType`); resolves to the sent message's id. */
  async send(content: unknown, options: SendOptions = {}): Promise<string> {
    const prepared = await this.prepareMessage(content, options);
    await prepared.send();
    return prepared.messageId;
  }

  /** The conversation's messages (newest first unless asked otherwise). */
  async messages(options: ListMessagesOptions = {}): Promise<DecodedMessage[]> {
    const query = {
      limit: options.limit,
      afterNs: options.startTime ? toNs(options.startTime) : undefined,
      beforeNs: options.endTime ? toNs(options.endTime) : undefined,
      direction: options.direction ?? "descending",
    };
    const e = await this.client.loop.operation(() => this.client.raw.messages(this.topic, query));
    if (e.kind !== "messages") throw errorFor("internal.panic", "unexpected event", "internal");
    return e.messages.map((m) => new DecodedMessage(m, this.client.codecs));
  }

  /** New messages of this conversation as they arrive (and those missed while disconnected). */
  streamMessages(): MessageStream<DecodedMessage> {
    return this.client.stream((e) =>
      e.kind === "message" && e.message.conversationTopic === this.topic
        ? new DecodedMessage(e.message, this.client.codecs)
        : undefined,
    );
  }

  /** This conversation as keystore `TopicData` bytes, for {@link Conversations.import}. Secret. */
  export(): Uint8Array {
    return call(() => this.client.raw.exportConversation(this.topic));
  }
}

/**
 * An async iterator of what a stream brings. It ends when `return()` is called (a `break` out
 * of `for await` does that); the connection closes when the last stream of the client ends.
 */
export class MessageStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly waiters: ((r: IteratorResult<T>) => void)[] = [];
  private done = false;
  private readonly stop: () => void;

  /** @internal */
  constructor(loop: HostLoop, pick: (e: WireEvent) => T | undefined) {
    const unlisten = loop.listen((e) => {
      const v = pick(e);
      if (v === undefined || this.done) return;
      const w = this.waiters.shift();
      if (w) w({ value: v, done: false });
      else this.buffer.push(v);
    });
    loop.acquireStream();
    this.stop = () => {
      unlisten();
      loop.releaseStream();
    };
  }

  /** The next value. */
  next(): Promise<IteratorResult<T>> {
    const v = this.buffer.shift();
    if (v !== undefined) return Promise.resolve({ value: v, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends the stream. */
  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.stop();
      for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The conversations of a client. */
export class Conversations {
  /** @internal */
  constructor(private readonly client: Client) {}

  /** Every conversation, oldest first, after learning new ones from the network. */
  async list(): Promise<Conversation[]> {
    await this.client.loop.operation(() => this.client.raw.syncConversations(nowNs()));
    return this.listLocal();
  }

  /** The conversations known already, without a network call. */
  listLocal(): Conversation[] {
    const list = call(() => this.client.raw.conversations()) as WireConversation[];
    return list.map((c) => new Conversation(this.client, c));
  }

  /** Starts (or reuses) a conversation with `peerAddress`, optionally in a V2 context. */
  async newConversation(peerAddress: string, context?: InvitationContext): Promise<Conversation> {
    const ctx = context ? { conversationId: context.conversationId, metadata: context.metadata ?? {} } : undefined;
    const e = await this.client.loop.operation(() =>
      this.client.raw.newConversation(wellFormed(peerAddress), wellFormed(ctx), nowNs()),
    );
    if (e.kind !== "conversationStarted") throw errorFor("internal.panic", "unexpected event", "internal");
    return new Conversation(this.client, e.conversation);
  }

  /** New conversations as they start. */
  stream(): MessageStream<Conversation> {
    return this.client.stream((e) =>
      e.kind === "newConversation" ? new Conversation(this.client, e.conversation) : undefined,
    );
  }

  /** Every new message of every conversation (and those missed while disconnected). */
  streamAllMessages(): MessageStream<DecodedMessage> {
    return this.client.stream((e) =>
      e.kind === "message" ? new DecodedMessage(e.message, this.client.codecs) : undefined,
    );
  }

  /** Adds a conversation exported by {@link Conversation.export} (or an official SDK's `TopicData`). */
  import(data: Uint8Array): Conversation {
    return new Conversation(this.client, call(() => this.client.raw.importConversation(data)) as WireConversation);
  }
}

/** Consent decisions (the `contacts` of xmtp-js). */
export class Contacts {
  /** @internal */
  constructor(private readonly client: Client) {}

  /** Allows `addresses`, locally at once and on the network. */
  async allow(addresses: string[]): Promise<void> {
    await this.client.loop.operation(() => this.client.raw.setConsent(wellFormed(addresses), "allowed", nowNs()));
  }

  /** Denies `addresses`, locally at once and on the network. */
  async deny(addresses: string[]): Promise<void> {
    await this.client.loop.operation(() => this.client.raw.setConsent(wellFormed(addresses), "denied", nowNs()));
  }

  /** Loads the consent decisions from the network; returns them all. */
  async refreshConsentList(): Promise<ConsentEntry[]> {
    await this.client.loop.operation(() => this.client.raw.syncConsent(nowNs()));
    return call(() => this.client.raw.consentList()) as ConsentEntry[];
  }

  /** The consent state of an address. */
  consentState(address: string): ConsentState {
    return call(() => this.client.raw.consentState(wellFormed(address))) as ConsentState;
  }

  /** Whether an address is allowed. */
  isAllowed(address: string): boolean {
    return this.consentState(address) === "allowed";
  }

  /** Whether an address is denied. */
  isDenied(address: string): boolean {
    return this.consentState(address) === "denied";
  }
}

/** The library's form of the options. @internal */
export function wireOptions(options: ClientOptions): { env: XmtpEnv; apiUrl?: string; appVersion?: string } {
  return wellFormed({ env: options.env ?? "dev", apiUrl: options.apiUrl, appVersion: options.appVersion });
}

async function runBootstrap(signer: Signer, options: ClientOptions): Promise<Uint8Array> {
  await init();
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const address = await signer.getAddress();
  const b = call(() => new (wasm().IdentityBootstrap)(wellFormed(address), wireOptions(options), nowNs()));
  try {
    for (;;) {
      if (call(() => b.isFinished())) break;
      const r = call(() => b.pollRequest(nowNs()));
      if (r !== undefined) {
        const [status, body] = await perform(fetchFn, r);
        call(() => b.handleHttp(r.id, status, body, nowNs()));
        continue;
      }
      const s = call(() => b.signatureRequest()) as { text: string } | undefined;
      if (s !== undefined) {
        const sig = await signer.signMessage(s.text);
        const bytes = typeof sig === "string" ? hexToBytes(sig) : sig;
        call(() => b.provideSignature(bytes, nowNs()));
        continue;
      }
      const deadline = call(() => b.nextDeadline());
      if (deadline === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, delayMs(deadline))));
    }
    const keys = call(() => b.keys());
    if (keys === undefined) throw errorFor("internal.panic", "the identity set-up stopped without keys", "internal");
    return keys;
  } finally {
    release(b);
  }
}

/**
 * A client of one XMTP identity. Create it with {@link Client.create}; {@link Client.close}
 * stops its timers and stream.
 */
export class Client {
  /** @internal */
  readonly raw: glue.Client;
  /** @internal */
  readonly loop: HostLoop;
  /** @internal */
  readonly codecs: CodecRegistry;
  /** The conversations. */
  readonly conversations: Conversations;
  /** Consent. */
  readonly contacts: Contacts;
  /** The own address. */
  readonly address: string;
  /** The time given to the library for what it stamps (Unix ns); tests fix it. @internal */
  clock: () => bigint = nowNs;
  private closed = false;

  /** @internal */
  constructor(raw: glue.Client, options: ClientOptions) {
    this.raw = raw;
    this.codecs = new CodecRegistry(options.codecs ?? []);
    this.loop = new HostLoop(raw as unknown as ConstructorParameters<typeof HostLoop>[0], options.fetch ?? globalThis.fetch.bind(globalThis));
    this.conversations = new Conversations(this);
    this.contacts = new Contacts(this);
    this.address = call(() => raw.address());
  }

  /**
   * Loads the wallet's identity from the network, or creates and stores it (one or two
   * signatures of `signer`), then publishes its contact when needed. With
   * `options.privateKeyOverride`, restores exported keys instead and asks the wallet nothing.
   */
  static async create(signer: Signer | null, options: ClientOptions = {}): Promise<Client> {
    let keys = options.privateKeyOverride;
    if (keys === undefined) {
      if (signer === null) throw errorFor("input.content", "a signer or privateKeyOverride is needed");
      keys = await runBootstrap(signer, options);
    }
    const client = await Client.fromKeys(keys, options);
    try {
      await client.loop.operation(() => client.raw.publishContact());
    } catch (e) {
      client.close();
      throw e;
    }
    return client;
  }

  /** The wallet's exported keys (creating the identity if needed), as xmtp-js `Client.getKeys`. Secret. */
  static async getKeys(signer: Signer, options: ClientOptions = {}): Promise<Uint8Array> {
    return runBootstrap(signer, options);
  }

  /** A client for exported keys, without any network call. */
  static async fromKeys(keys: Uint8Array, options: ClientOptions = {}): Promise<Client> {
    await init();
    return new Client(call(() => wasm().Client.fromKeys(keys, wireOptions(options))), options);
  }

  /** A client restored from {@link Client.exportState}, without any network call. */
  static async fromState(state: string, options: ClientOptions = {}): Promise<Client> {
    await init();
    return new Client(call(() => wasm().Client.fromState(wellFormed(state), wireOptions(options))), options);
  }

  /** Whether each address has an XMTP identity (one answer per address, in order). */
  async canMessage(addresses: string[]): Promise<boolean[]>;
  /** Whether the address has an XMTP identity. */
  async canMessage(address: string): Promise<boolean>;
  async canMessage(peer: string | string[]): Promise<boolean | boolean[]> {
    const list = typeof peer === "string" ? [peer] : peer;
    const e = await this.loop.operation(() => this.raw.canMessage(wellFormed(list)));
    if (e.kind !== "contactsResolved") throw errorFor("internal.panic", "unexpected event", "internal");
    const results = e.results.map((r) => r.canMessage);
    return typeof peer === "string" ? results[0]! : results;
  }

  /** Registers a codec on this client. */
  registerCodec(codec: ContentCodec): void {
    this.codecs.register(codec);
  }

  /** The private keys, as xmtp-js `Client.getKeys()` returns them. Secret. */
  exportKeys(): Uint8Array {
    return call(() => this.raw.exportKeys());
  }

  /** The whole state (keys, conversations, consent, stream positions) for {@link Client.fromState}. Secret. */
  exportState(): string {
    return call(() => this.raw.exportState());
  }

  /** Push HMAC keys of the V2 conversations (all, or those of `topics`) for the periods around now. */
  getHmacKeys(topics?: string[]): HmacKey[] {
    const keys = call(() => this.raw.hmacKeys(wellFormed(topics), this.clock())) as { topic: string; period: bigint; key: Uint8Array }[];
    return keys.map((k) => ({ topic: k.topic, thirtyDayPeriodsSinceEpoch: Number(k.period), key: k.key }));
  }

  /** Decrypts envelopes of known conversations: a message or an error each, in order. */
  decryptBatch(envelopes: Envelope[]): (DecodedMessage | Error)[] {
    const results = call(() => this.raw.decryptBatch(wellFormed(envelopes))) as {
      message?: WireDecodedMessage;
      error?: { kind: string; code: string; message: string };
    }[];
    return results.map((r) =>
      r.message ? new DecodedMessage(r.message, this.codecs) : fromWasm(r.error),
    );
  }

  /** @internal */
  stream<T>(pick: (e: WireEvent) => T | undefined): MessageStream<T> {
    return new MessageStream(this.loop, pick);
  }

  /** Stops the timers and the stream, fails pending calls (`api.aborted`) and frees the library's memory. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.loop.close();
    release(this.raw);
  }

  /**
   * Reads one envelope with an exported state, offline (what a notification handler does):
   * a message, or an invitation to a conversation.
   */
  static async decryptEnvelope(
    state: string,
    envelope: Envelope,
    codecs: ContentCodec[] = [],
  ): Promise<{ message: DecodedMessage } | { invitation: { topic: string; peerAddress: string; createdAt: Date } }> {
    await init();
    const d = call(() => wasm().decryptEnvelope(wellFormed(state), wellFormed(envelope) as WireEnvelope)) as
      | { kind: "message"; message: WireDecodedMessage }
      | { kind: "invitation"; conversation: WireConversation };
    if (d.kind === "message") return { message: new DecodedMessage(d.message, new CodecRegistry(codecs)) };
    const c = d.conversation;
    return { invitation: { topic: c.topic, peerAddress: c.peerAddress, createdAt: fromNs(c.createdNs) } };
  }

  /** Every stable error code the library can produce. */
  static async errorCodes(): Promise<string[]> {
    await init();
    return call(() => wasm().errorCodes());
  }

  /** The library's version, as sent in `X-Client-Version`. */
  static async version(): Promise<string> {
    await init();
    return call(() => wasm().clientVersion());
  }
}

