import Foundation
internal import XmtpFFI

/// Compression of content.
public enum Compression: Sendable, Hashable {
    /// zlib DEFLATE.
    case deflate
    /// GZIP.
    case gzip
}

/// Options of a send.
public struct SendOptions: Sendable, Hashable {
    /// Compress the content (content of 10 bytes or more).
    public var compression: Compression?
    /// Send on the conversation's ephemeral topic (relayed, not stored).
    public var ephemeral: Bool

    /// Options: no compression, stored.
    public init(compression: Compression? = nil, ephemeral: Bool = false) {
        self.compression = compression
        self.ephemeral = ephemeral
    }

    var ffi: XmtpFFI.SendOptions {
        .init(compression: compression.map { $0 == .deflate ? .deflate : .gzip }, ephemeral: ephemeral)
    }
}

/// Order of listed messages.
public enum SortDirection: Sendable, Hashable {
    /// Oldest first.
    case ascending
    /// Newest first.
    case descending
}

/// A message encoded and signed but not published: its ``id`` is known. Publish it with
/// ``Conversation/publish(_:)``.
public struct PreparedMessage: Sendable {
    let inner: XmtpFFI.PreparedMessage

    /// The message id.
    public var id: String { inner.id }

    /// The envelopes it will publish.
    public var envelopes: [Envelope] {
        inner.envelopes.map { Envelope(contentTopic: $0.contentTopic, timestampNs: $0.timestampNs, message: $0.message) }
    }
}

/// The conversations of a ``Client``.
public struct Conversations: Sendable {
    let client: Client

    /// Every conversation, after learning new ones from the network; oldest first.
    public func list() async throws -> [Conversation] {
        _ = try await client.loop.operation { try client.ffi.syncConversations(nowNs: nowNs()) }
        return client.ffi.conversations().map { Conversation($0, client: client) }
    }

    /// Starts (or reuses) a conversation with `peerAddress`, optionally in a V2 context (an
    /// application's conversation id and metadata).
    public func newConversation(with peerAddress: String, context: ConversationContext? = nil) async throws -> Conversation {
        let ctx = context.map { XmtpFFI.ConversationContext(conversationId: $0.conversationID, metadata: $0.metadata) }
        let e = try await client.loop.operation {
            try client.ffi.newConversation(peer: peerAddress, context: ctx, nowNs: nowNs())
        }
        guard case .conversationStarted(_, let c) = e else { throw client.unexpected(e) }
        return Conversation(c, client: client)
    }

    /// Adds a conversation exported by ``Conversation/exportData()`` or an official SDK (keystore
    /// `TopicData`), e.g. on another device. One already known is returned unchanged; a new one
    /// joins the streams.
    public func importConversation(_ data: Data) throws -> Conversation {
        Conversation(try mapErrors { try client.ffi.importConversation(data: data) }, client: client)
    }

    /// New conversations as they become known. Ending the iteration (or cancelling its task)
    /// stops the stream and, after the last one, closes the connection.
    public func stream() -> AsyncThrowingStream<Conversation, any Error> {
        events { [client] e in
            if case .newConversation(let c) = e { return Conversation(c, client: client) }
            return nil
        }
    }

    /// Every new message of every conversation. Ending the iteration stops the stream.
    public func streamAllMessages() -> AsyncThrowingStream<Message, any Error> {
        events { [client] e in
            if case .message(let m) = e { return Message(m, codec: client.codec) }
            return nil
        }
    }

    func events<T: Sendable>(_ pick: @escaping @Sendable (XmtpFFI.Event) -> T?) -> AsyncThrowingStream<T, any Error> {
        let loop = client.loop
        return AsyncThrowingStream { continuation in
            let key = loop.listen { e in
                if let v = pick(e) { continuation.yield(v) }
            }
            loop.onClose(key) { continuation.finish() }
            loop.acquireStream()
            continuation.onTermination = { _ in
                loop.unlisten(key)
                loop.releaseStream()
            }
        }
    }
}

/// A V2 conversation's context: an application's conversation id and metadata.
public struct ConversationContext: Sendable, Hashable {
    /// The application's id for the thread (e.g. `example.com/thread/1`).
    public var conversationID: String
    /// Free-form metadata.
    public var metadata: [String: String]

    /// A context.
    public init(conversationID: String, metadata: [String: String] = [:]) {
        self.conversationID = conversationID
        self.metadata = metadata
    }
}

/// A conversation with one peer.
public struct Conversation: Sendable {
    let client: Client
    /// Its topic (its identity on the network).
    public let topic: String
    /// `v1` or `v2`.
    public let version: String
    /// The other member.
    public let peerAddress: String
    /// When it started, Unix nanoseconds.
    public let createdNs: UInt64
    /// The V2 context, if any.
    public let context: ConversationContext?

    init(_ c: XmtpFFI.Conversation, client: Client) {
        self.client = client
        topic = c.topic
        version = c.version
        peerAddress = c.peerAddress
        createdNs = c.createdNs
        context = c.context.map { ConversationContext(conversationID: $0.conversationId, metadata: $0.metadata) }
    }

    /// The conversation encoded as the official SDKs export it (keystore `TopicData`), for
    /// ``Conversations/importConversation(_:)`` in another process or on another device. Secret:
    /// it holds the conversation's key.
    public func exportData() throws -> Data {
        try mapErrors { try client.ffi.exportConversation(topic: topic) }
    }

    /// When it started.
    public var created: Date { Date(timeIntervalSince1970: Double(createdNs) / 1e9) }

    /// Sends content of a standard type; returns the message id.
    @discardableResult
    public func send(content: MessageContent, options: SendOptions = SendOptions()) async throws -> String {
        let prepared = try prepareMessage(content: content, options: options)
        try await publish(prepared)
        return prepared.id
    }

    /// Sends text; returns the message id.
    @discardableResult
    public func send(text: String, options: SendOptions = SendOptions()) async throws -> String {
        try await send(content: .text(text), options: options)
    }

    /// Sends a value of an application-defined type whose codec is registered on the client for
    /// `contentType`; returns the message id.
    @discardableResult
    public func send<T: Sendable>(_ value: T, contentType: ContentTypeID, options: SendOptions = SendOptions()) async throws -> String {
        let prepared = try prepareMessage(value, contentType: contentType, options: options)
        try await publish(prepared)
        return prepared.id
    }

    /// Encodes and signs content of a standard type without publishing it.
    public func prepareMessage(content: MessageContent, options: SendOptions = SendOptions()) throws -> PreparedMessage {
        try prepareMessage(content: content, options: options, atNs: nowNs())
    }

    func prepareMessage(content: MessageContent, options: SendOptions, atNs: UInt64) throws -> PreparedMessage {
        let input: XmtpFFI.ContentInput
        if case .text(let t) = content {
            input = .text(text: t)
        } else {
            input = .json(contentType: content.contentType.description, json: content.json.text)
        }
        return try prepare(input, options, atNs: atNs)
    }

    /// Encodes and signs a value of an application-defined type (see
    /// ``send(_:contentType:options:)``) without publishing it.
    public func prepareMessage<T: Sendable>(_ value: T, contentType: ContentTypeID, options: SendOptions = SendOptions()) throws -> PreparedMessage {
        if let content = value as? MessageContent { return try prepareMessage(content: content, options: options) }
        if let text = value as? String, contentType == .text { return try prepareMessage(content: .text(text), options: options) }
        guard let codec = client.codec(contentType.description) else {
            throw XmtpError.invalidInput(code: "input.content_type", message: "no codec is registered for \(contentType)")
        }
        let encoded: (EncodedContent, String?, Bool)?
        do {
            encoded = try codec.encode(value)
        } catch let e as XmtpError {
            throw e
        } catch {
            throw XmtpError.invalidInput(code: "input.content", message: "the codec of \(contentType) failed: \(error)")
        }
        guard let (content, fallback, push) = encoded else {
            throw XmtpError.invalidInput(code: "input.content", message: "the content does not fit the codec of \(contentType)")
        }
        return try prepare(.encoded(contentType: contentType.description, parameters: content.parameters,
                                    content: content.content, fallback: fallback ?? content.fallback, shouldPush: push), options,
                           atNs: nowNs())
    }

    private func prepare(_ input: XmtpFFI.ContentInput, _ options: SendOptions, atNs: UInt64) throws -> PreparedMessage {
        PreparedMessage(inner: try mapErrors {
            try client.ffi.prepareMessage(topic: topic, content: input, options: options.ffi, nowNs: atNs)
        })
    }

    /// Publishes a prepared message.
    public func publish(_ prepared: PreparedMessage) async throws {
        _ = try await client.loop.operation { try client.ffi.publishPrepared(prepared: prepared.inner, nowNs: nowNs()) }
    }

    /// Messages, newest first by default: at most `limit`, sent at or before `before` and at or
    /// after `after`.
    public func messages(
        limit: Int? = nil, before: Date? = nil, after: Date? = nil, direction: SortDirection = .descending
    ) async throws -> [Message] {
        func ns(_ d: Date) -> UInt64 { UInt64(max(0, (d.timeIntervalSince1970 * 1e9).rounded())) }
        return try await messages(limit: limit, beforeNs: before.map(ns), afterNs: after.map(ns), direction: direction)
    }

    /// Messages, bounded by exact Unix-nanosecond times (see ``Message/sentNs``).
    public func messages(
        limit: Int? = nil, beforeNs: UInt64?, afterNs: UInt64? = nil, direction: SortDirection = .descending
    ) async throws -> [Message] {
        let query = XmtpFFI.MessageQuery(
            afterNs: afterNs, beforeNs: beforeNs, limit: limit.map { UInt32(clamping: max(0, $0)) },
            direction: direction == .ascending ? .ascending : .descending)
        let e = try await client.loop.operation { try client.ffi.messages(topic: topic, query: query) }
        guard case .messages(_, _, let list) = e else { throw client.unexpected(e) }
        return list.map { Message($0, codec: client.codec) }
    }

    /// New messages of this conversation. Ending the iteration stops the stream.
    public func streamMessages() -> AsyncThrowingStream<Message, any Error> {
        let topic = self.topic
        return client.conversations.events { [client] e in
            if case .message(let m) = e, m.conversationTopic == topic { return Message(m, codec: client.codec) }
            return nil
        }
    }
}
