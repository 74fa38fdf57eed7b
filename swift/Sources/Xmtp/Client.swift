import Foundation
internal import XmtpFFI

/// Where a client's node is.
public enum XMTPEnvironment: Sendable, Hashable {
    /// A node on this machine, `http://localhost:5555` (e.g. `xmtp-devnode`).
    case local
    /// XMTP's development network.
    case dev
    /// XMTP's production network.
    case production
    /// A node at this base URL (`http://` or `https://`), e.g. a self-hosted one.
    case custom(String)
}

/// How a client reaches its node and names its application.
public struct ClientOptions: Sendable, Hashable {
    /// The network or node.
    public var environment: XMTPEnvironment
    /// The application's `name/version`, sent as `X-App-Version`.
    public var appVersion: String?

    /// Options: XMTP's development network unless told otherwise.
    public init(environment: XMTPEnvironment = .dev, appVersion: String? = nil) {
        self.environment = environment
        self.appVersion = appVersion
    }

    var ffi: XmtpFFI.ClientOptions {
        switch environment {
        case .local: return .init(env: .local, apiUrl: nil, appVersion: appVersion)
        case .dev: return .init(env: .dev, apiUrl: nil, appVersion: appVersion)
        case .production: return .init(env: .production, apiUrl: nil, appVersion: appVersion)
        case .custom(let url): return .init(env: .dev, apiUrl: url, appVersion: appVersion)
        }
    }
}

/// A wallet: its address and EIP-191 `personal_sign` (65-byte `r ‖ s ‖ v` signatures).
public protocol SigningKey: Sendable {
    /// The wallet's address.
    var address: String { get }

    /// Signs `message` as `personal_sign` does: the 65-byte signature.
    func sign(message: String) async throws -> Data
}

/// A wallet whose private key the application holds (servers, tests, demos).
public final class PrivateKeySigningKey: SigningKey {
    private let wallet: XmtpFFI.PrivateKeyWallet

    private init(wallet: XmtpFFI.PrivateKeyWallet) { self.wallet = wallet }

    /// A new random key.
    public static func generate() -> PrivateKeySigningKey {
        PrivateKeySigningKey(wallet: XmtpFFI.PrivateKeyWallet.generate())
    }

    /// From a 32-byte private key.
    public convenience init(privateKey: Data) throws {
        self.init(wallet: try mapErrors { try XmtpFFI.PrivateKeyWallet.fromPrivateKey(key: privateKey) })
    }

    /// The wallet's address (EIP-55).
    public var address: String { wallet.address() }

    /// Signs `message` (EIP-191).
    public func sign(message: String) async throws -> Data { wallet.sign(text: message) }
}

/// Consent for an address.
public enum ConsentState: Sendable, Hashable {
    /// No decision seen.
    case unknown
    /// Allowed.
    case allowed
    /// Denied.
    case denied
}

/// A push-notification HMAC key of a conversation for one 30-day period. Secret: give it to the
/// notification server only.
public struct HmacKey: Sendable, Hashable {
    /// The conversation's topic.
    public let topic: String
    /// The period (Unix time in ms ÷ 30 days).
    public let period: UInt64
    /// The 32-byte key.
    public let key: Data
}

/// An envelope as the network carries it (e.g. from a push notification).
public struct Envelope: Sendable, Hashable {
    /// Its topic.
    public var contentTopic: String
    /// Its time, Unix nanoseconds.
    public var timestampNs: UInt64
    /// Its payload.
    public var message: Data

    /// An envelope.
    public init(contentTopic: String, timestampNs: UInt64, message: Data) {
        self.contentTopic = contentTopic
        self.timestampNs = timestampNs
        self.message = message
    }

    var ffi: XmtpFFI.Envelope { .init(contentTopic: contentTopic, timestampNs: timestampNs, message: message) }
}

/// What ``Client/decryptEnvelope(state:envelope:codecs:)`` read.
public enum DecryptedEnvelope: Sendable {
    /// A message.
    case message(Message)
    /// An invitation to a conversation.
    case invitation(topic: String, peerAddress: String)
}

/// A client of one XMTP identity. Safe to use from many tasks at once: the library object has
/// a lock inside, and the network work runs on one host-loop thread per client. Call
/// ``close()`` when done (it stops the loop and the stream).
public final class Client: Sendable {
    let ffi: XmtpFFI.Client
    let loop: HostLoop
    private let codecs = Locked<[String: AnyCodec]>([:])

    /// The options it was made with.
    public let options: ClientOptions

    /// Its conversations.
    public var conversations: Conversations { Conversations(client: self) }

    init(ffi: XmtpFFI.Client, options: ClientOptions) {
        self.ffi = ffi
        self.options = options
        self.loop = HostLoop(ffi: ffi)
    }

    deinit { loop.close() }

    // ----- creation --------------------------------------------------------------------------

    /// Loads the wallet's identity from the network, or creates and stores it (one or two
    /// signatures of `account`), then publishes its contact when needed.
    public static func create(account: SigningKey, options: ClientOptions = ClientOptions()) async throws -> Client {
        let bootstrap = try mapErrors {
            try XmtpFFI.IdentityBootstrap(walletAddress: account.address, options: options.ffi, nowNs: nowNs())
        }
        while !bootstrap.isFinished() {
            let now = nowNs()
            if let r = bootstrap.pollRequest(nowNs: now) {
                let (status, body) = await Transport.shared.call(r)
                bootstrap.handleHttp(id: r.id, status: status, body: body, nowNs: nowNs())
                continue
            }
            if let s = bootstrap.signatureRequest() {
                let signature = try await account.sign(message: s.text)
                try mapErrors { try bootstrap.provideSignature(signature: signature, nowNs: nowNs()) }
                continue
            }
            guard let deadline = bootstrap.nextDeadline() else { break }
            try await Task.sleep(nanoseconds: deadline > now ? deadline - now : 1_000_000)
        }
        guard let keys = try mapErrors({ try bootstrap.keys() }) else {
            throw XmtpError.internalError(code: "internal.panic", message: "the identity set-up stopped without keys")
        }
        return try await build(keys: keys, options: options)
    }

    /// A client for exported keys (``exportKeys()``, or xmtp-js `getKeys()`); publishes its
    /// contact when needed.
    public static func build(keys: Data, options: ClientOptions = ClientOptions()) async throws -> Client {
        let client = try Client(keys: keys, options: options)
        do {
            _ = try await client.loop.operation { try client.ffi.publishContact() }
        } catch {
            client.close()
            throw error
        }
        return client
    }

    /// A client for exported keys, without any network call.
    public convenience init(keys: Data, options: ClientOptions = ClientOptions()) throws {
        self.init(ffi: try mapErrors { try XmtpFFI.Client.fromKeys(keys: keys, options: options.ffi) }, options: options)
    }

    /// A client restored from ``exportState()``, without any network call.
    public convenience init(state: String, options: ClientOptions = ClientOptions()) throws {
        self.init(ffi: try mapErrors { try XmtpFFI.Client.fromState(state: state, options: options.ffi) }, options: options)
    }

    // ----- identity and state ------------------------------------------------------------------

    /// The own address.
    public var address: String { ffi.address() }

    /// The node's base URL.
    public var apiURL: String { ffi.apiUrl() }

    /// The private keys, as xmtp-js `Client.getKeys()` gives them. Secret.
    public func exportKeys() -> Data { ffi.exportKeys() }

    /// The whole state (keys, conversations, consent, stream positions) for
    /// ``init(state:options:)`` and ``decryptEnvelope(state:envelope:codecs:)``. Secret.
    public func exportState() -> String { ffi.exportState() }

    /// Registers `codec` on this client (not globally): its type then decodes and encodes with it.
    public func register<C: ContentCodec>(codec: C) {
        let erased = AnyCodec(codec)
        codecs.with { $0[codec.contentType.description] = erased }
    }

    func codec(_ type: String) -> AnyCodec? { codecs.with { $0[type] } }

    /// Whether the stream is open (iterate a stream first); from then on nothing is missed.
    public var streamConnected: Bool { loop.streamConnected }

    /// How many stream connections this client opened, and how many of them are closed.
    var streamConnections: (opened: Int, closed: Int) { loop.streamCounts }

    /// Stops the host loop and the stream. Operations still waiting fail.
    public func close() { loop.close() }

    // ----- network operations ------------------------------------------------------------------

    /// Whether each address has an XMTP identity.
    public func canMessage(_ addresses: [String]) async throws -> [String: Bool] {
        let e = try await loop.operation { try ffi.canMessage(addresses: addresses) }
        guard case .contactsResolved(_, let results) = e else { throw unexpected(e) }
        return Dictionary(results.map { ($0.address, $0.canMessage) }, uniquingKeysWith: { a, _ in a })
    }

    /// Whether `address` has an XMTP identity.
    public func canMessage(_ address: String) async throws -> Bool {
        try await canMessage([address])[address] ?? false
    }

    /// Allows `addresses` (locally at once, then on the network).
    public func allow(addresses: [String]) async throws {
        _ = try await loop.operation { try ffi.setConsent(addresses: addresses, state: .allowed, nowNs: nowNs()) }
    }

    /// Denies `addresses` (locally at once, then on the network).
    public func deny(addresses: [String]) async throws {
        _ = try await loop.operation { try ffi.setConsent(addresses: addresses, state: .denied, nowNs: nowNs()) }
    }

    /// Loads the consent decisions from the network.
    public func refreshConsentList() async throws {
        _ = try await loop.operation { try ffi.syncConsent(nowNs: nowNs()) }
    }

    /// The consent state of `address`.
    public func consentState(for address: String) -> ConsentState {
        switch ffi.consentState(address: address) {
        case .unknown: return .unknown
        case .allowed: return .allowed
        case .denied: return .denied
        }
    }

    /// Push HMAC keys of the V2 conversations (all, or those of `topics`) for the 30-day periods
    /// before, at and after `date`.
    public func pushHmacKeys(topics: [String]? = nil, at date: Date = Date()) -> [HmacKey] {
        let ns = UInt64(max(0, date.timeIntervalSince1970 * 1e9))
        return ffi.hmacKeys(topics: topics, nowNs: ns).map { HmacKey(topic: $0.topic, period: $0.period, key: $0.key) }
    }

    /// Reads many envelopes of known conversations: one result per envelope, in order.
    public func decryptBatch(_ envelopes: [Envelope]) -> [Result<Message, XmtpError>] {
        ffi.decryptBatch(envelopes: envelopes.map(\.ffi)).map { r in
            if let m = r.message { return .success(Message(m, codec: codec)) }
            let e = r.error.map(XmtpError.from) ?? .internalError(code: "internal.panic", message: "no result")
            return .failure(e)
        }
    }

    func unexpected(_ e: XmtpFFI.Event) -> XmtpError {
        .internalError(code: "internal.panic", message: "unexpected event \(e)")
    }

    // ----- without a client ----------------------------------------------------------------------

    /// Reads one envelope with an exported state, offline: what a notification service extension
    /// does in a fresh process. `codecs` decode application-defined types.
    public static func decryptEnvelope(
        state: String, envelope: Envelope, codecs: [any ContentCodec] = []
    ) throws -> DecryptedEnvelope {
        var byType: [String: AnyCodec] = [:]
        for c in codecs { byType[c.contentType.description] = erase(c) }
        let d = try mapErrors { try XmtpFFI.decryptEnvelope(state: state, envelope: envelope.ffi) }
        switch d {
        case .message(let m): return .message(Message(m, codec: { byType[$0] }))
        case .invitation(let c): return .invitation(topic: c.topic, peerAddress: c.peerAddress)
        }
    }

    private static func erase<C: ContentCodec>(_ c: C) -> AnyCodec { AnyCodec(c) }

    /// The library's stable error codes.
    public static func errorCodes() -> [String] { XmtpFFI.errorCodes() }

    /// The library's version string (`xmtp-rs/<version>`).
    public static var libraryVersion: String { XmtpFFI.clientVersion() }
}

/// A decrypted, verified message.
public struct Message: Sendable {
    /// Its id (hex), the same in every SDK.
    public let id: String
    /// The sender.
    public let senderAddress: String
    /// When it was sent, Unix nanoseconds.
    public let sentNs: UInt64
    /// Its conversation's topic.
    public let topic: String
    /// Its content type, when declared.
    public let contentType: ContentTypeID?
    /// The content of a standard type, or `nil` (see ``decoded``, ``fallback`` and
    /// ``contentError``).
    public let content: MessageContent?
    /// The value a registered codec decoded, for application-defined types.
    public let decoded: (any Sendable)?
    /// The sender's fallback text.
    public let fallback: String?
    /// Why the content could not be read (a stable code such as `content.unknown_type`).
    public let contentError: String?
    /// The raw content and parameters, for a codec registered later.
    public let encoded: EncodedContent?

    /// When it was sent.
    public var sent: Date { Date(timeIntervalSince1970: Double(sentNs) / 1e9) }

    /// The text, for text messages.
    public var text: String? {
        if case .text(let t) = content { return t }
        return nil
    }

    /// The content as `T` (a standard ``MessageContent`` or a codec's value).
    public func content<T>(as type: T.Type) -> T? {
        (content as? T) ?? (decoded as? T)
    }

    init(_ m: XmtpFFI.DecodedMessage, codec: (String) -> AnyCodec?) {
        id = m.id
        senderAddress = m.senderAddress
        sentNs = m.sentNs
        topic = m.conversationTopic
        fallback = m.fallback
        let type = m.contentType.flatMap(ContentTypeID.init)
        contentType = type
        var failure = m.contentError
        var standard: MessageContent?
        var custom: (any Sendable)?
        if let t = m.text {
            standard = .text(t)
        } else if let json = m.contentJson, let type, let v = try? JSONValue.parse(json) {
            standard = MessageContent(type: type, json: v)
        } else if let type, let c = codec(type.description) {
            do {
                custom = try c.decode(EncodedContent(type: type, parameters: m.parameters, content: m.rawContent,
                                                     fallback: m.fallback))
            } catch {
                failure = "content.invalid"
            }
        }
        content = standard
        decoded = custom
        contentError = (standard != nil || custom != nil) ? nil : failure
        encoded = type.map { EncodedContent(type: $0, parameters: m.parameters, content: m.rawContent, fallback: m.fallback) }
    }
}
