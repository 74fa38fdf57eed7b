import Foundation

/// A content type, `authority/type:major.minor` (e.g. `xmtp.org/text:1.0`).
public struct ContentTypeID: Sendable, Hashable, CustomStringConvertible {
    /// The authority, e.g. `xmtp.org`.
    public var authorityID: String
    /// The type, e.g. `text`.
    public var typeID: String
    /// The major version.
    public var versionMajor: Int
    /// The minor version.
    public var versionMinor: Int

    /// A content type from its parts.
    public init(authorityID: String, typeID: String, versionMajor: Int, versionMinor: Int) {
        self.authorityID = authorityID
        self.typeID = typeID
        self.versionMajor = versionMajor
        self.versionMinor = versionMinor
    }

    /// Reads `authority/type:major.minor`; `nil` when `string` is not one.
    public init?(_ string: String) {
        if let known = Self.standard[string] {
            self = known
            return
        }
        guard let slash = string.firstIndex(of: "/"), let colon = string.lastIndex(of: ":"),
              slash > string.startIndex, string.index(after: slash) < colon
        else { return nil }
        let version = string[string.index(after: colon)...].split(separator: ".", omittingEmptySubsequences: false)
        guard let major = version.first.flatMap({ Int($0) }) else { return nil }
        var minor = 0
        if version.count > 1 {
            guard let m = Int(version[1]) else { return nil }
            minor = m
        }
        self.init(
            authorityID: String(string[..<slash]), typeID: String(string[string.index(after: slash)..<colon]),
            versionMajor: major, versionMinor: minor)
    }

    // Every message names its type: the standard ones are looked up, not parsed.
    private static let standard: [String: ContentTypeID] = Dictionary(
        uniqueKeysWithValues: [text, reaction, reply, readReceipt, attachment, remoteAttachment, transactionReference]
            .map { ($0.description, $0) })

    /// `authority/type:major.minor`.
    public var description: String { "\(authorityID)/\(typeID):\(versionMajor).\(versionMinor)" }

    /// `xmtp.org/text:1.0`.
    public static let text = ContentTypeID(authorityID: "xmtp.org", typeID: "text", versionMajor: 1, versionMinor: 0)
    /// `xmtp.org/reaction:1.0`.
    public static let reaction = ContentTypeID(authorityID: "xmtp.org", typeID: "reaction", versionMajor: 1, versionMinor: 0)
    /// `xmtp.org/reply:1.0`.
    public static let reply = ContentTypeID(authorityID: "xmtp.org", typeID: "reply", versionMajor: 1, versionMinor: 0)
    /// `xmtp.org/readReceipt:1.0`.
    public static let readReceipt = ContentTypeID(authorityID: "xmtp.org", typeID: "readReceipt", versionMajor: 1, versionMinor: 0)
    /// `xmtp.org/attachment:1.0`.
    public static let attachment = ContentTypeID(authorityID: "xmtp.org", typeID: "attachment", versionMajor: 1, versionMinor: 0)
    /// `xmtp.org/remoteStaticAttachment:1.0`.
    public static let remoteAttachment = ContentTypeID(
        authorityID: "xmtp.org", typeID: "remoteStaticAttachment", versionMajor: 1, versionMinor: 0)
    /// `xmtp.org/transactionReference:1.0`.
    public static let transactionReference = ContentTypeID(
        authorityID: "xmtp.org", typeID: "transactionReference", versionMajor: 1, versionMinor: 0)
}

/// A JSON value (free-form metadata of some content types).
public enum JSONValue: Sendable, Hashable, Codable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer.
    case int(Int64)
    /// Another number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Reads a value.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int64.self) { self = .int(v) }
        else if let v = try? c.decode(Double.self) { self = .double(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    /// Writes the value.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }

    /// Parses JSON text.
    public static func parse(_ text: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// The JSON text (keys sorted).
    public var text: String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    /// The member `key` of an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// The string, if it is one.
    public var string: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, if it is one.
    public var int: Int64? {
        switch self {
        case .int(let v): return v
        case .double(let v) where v == v.rounded(): return Int64(exactly: v)
        default: return nil
        }
    }
}

/// A reaction to a message.
public struct Reaction: Sendable, Hashable {
    /// The id of the message reacted to.
    public var reference: String
    /// `added` or `removed`.
    public var action: String
    /// The reaction, e.g. an emoji.
    public var content: String
    /// `unicode`, `shortcode` or `custom`.
    public var schema: String

    /// A reaction.
    public init(reference: String, action: String = "added", content: String, schema: String = "unicode") {
        self.reference = reference
        self.action = action
        self.content = content
        self.schema = schema
    }
}

/// A reply to a message, carrying content of a standard type.
public struct Reply: Sendable, Hashable {
    /// The id of the message replied to.
    public var reference: String
    /// The reply's content.
    public var content: MessageContent

    /// A reply.
    public init(reference: String, content: MessageContent) {
        self.reference = reference
        self.content = content
    }
}

/// A small file carried in the message.
public struct Attachment: Sendable, Hashable {
    /// Its file name.
    public var filename: String
    /// Its MIME type.
    public var mimeType: String
    /// Its bytes.
    public var data: Data

    /// An attachment.
    public init(filename: String, mimeType: String, data: Data) {
        self.filename = filename
        self.mimeType = mimeType
        self.data = data
    }
}

/// An encrypted file stored elsewhere (the library neither uploads nor downloads it).
public struct RemoteAttachment: Sendable, Hashable {
    /// Where the encrypted file is.
    public var url: String
    /// SHA-256 of the encrypted file, hex.
    public var contentDigest: String
    /// The encryption's salt, base64.
    public var salt: String
    /// The encryption's nonce, base64.
    public var nonce: String
    /// The encryption's secret, base64.
    public var secret: String
    /// The URL's scheme, `https://`.
    public var scheme: String
    /// The file's length.
    public var contentLength: Int64?
    /// The file's name.
    public var filename: String?

    /// A remote attachment.
    public init(
        url: String, contentDigest: String, salt: String, nonce: String, secret: String,
        scheme: String = "https://", contentLength: Int64? = nil, filename: String? = nil
    ) {
        self.url = url
        self.contentDigest = contentDigest
        self.salt = salt
        self.nonce = nonce
        self.secret = secret
        self.scheme = scheme
        self.contentLength = contentLength
        self.filename = filename
    }
}

/// A reference to an on-chain transaction.
public struct TransactionReference: Sendable, Hashable {
    /// The chain namespace, e.g. `eip155`.
    public var namespace: String?
    /// The network id, e.g. `0x14a34`.
    public var networkID: String
    /// The transaction hash.
    public var reference: String
    /// Free-form metadata.
    public var metadata: [String: JSONValue]?

    /// A transaction reference.
    public init(namespace: String?, networkID: String, reference: String, metadata: [String: JSONValue]? = nil) {
        self.namespace = namespace
        self.networkID = networkID
        self.reference = reference
        self.metadata = metadata
    }
}

/// The standard content types, which the library encodes itself. Send them with
/// ``Conversation/send(content:options:)``; read them from ``Message/content``.
public indirect enum MessageContent: Sendable, Hashable {
    /// Plain text (`xmtp.org/text:1.0`).
    case text(String)
    /// A reaction (`xmtp.org/reaction:1.0`).
    case reaction(Reaction)
    /// A reply (`xmtp.org/reply:1.0`).
    case reply(Reply)
    /// A read receipt (`xmtp.org/readReceipt:1.0`).
    case readReceipt
    /// An attachment (`xmtp.org/attachment:1.0`).
    case attachment(Attachment)
    /// A remote attachment (`xmtp.org/remoteStaticAttachment:1.0`).
    case remoteAttachment(RemoteAttachment)
    /// A transaction reference (`xmtp.org/transactionReference:1.0`).
    case transactionReference(TransactionReference)

    /// Its content type.
    public var contentType: ContentTypeID {
        switch self {
        case .text: return .text
        case .reaction: return .reaction
        case .reply: return .reply
        case .readReceipt: return .readReceipt
        case .attachment: return .attachment
        case .remoteAttachment: return .remoteAttachment
        case .transactionReference: return .transactionReference
        }
    }

    /// The library's JSON form (what it encodes and what it shows in decoded messages).
    public var json: JSONValue {
        switch self {
        case .text(let t): return .string(t)
        case .reaction(let r):
            return .object([
                "reference": .string(r.reference), "action": .string(r.action), "schema": .string(r.schema),
                "content": .string(r.content),
            ])
        case .reply(let r):
            let t = r.content.contentType
            return .object([
                "reference": .string(r.reference),
                "contentType": .object([
                    "authorityId": .string(t.authorityID), "typeId": .string(t.typeID),
                    "versionMajor": .int(Int64(t.versionMajor)), "versionMinor": .int(Int64(t.versionMinor)),
                ]),
                "content": r.content.json,
            ])
        case .readReceipt: return .object([:])
        case .attachment(let a):
            return .object([
                "filename": .string(a.filename), "mimeType": .string(a.mimeType),
                "data": .string(a.data.base64EncodedString()),
            ])
        case .remoteAttachment(let a):
            var o: [String: JSONValue] = [
                "url": .string(a.url), "contentDigest": .string(a.contentDigest), "salt": .string(a.salt),
                "nonce": .string(a.nonce), "secret": .string(a.secret), "scheme": .string(a.scheme),
            ]
            if let n = a.contentLength { o["contentLength"] = .int(n) }
            if let f = a.filename { o["filename"] = .string(f) }
            return .object(o)
        case .transactionReference(let t):
            var o: [String: JSONValue] = ["networkId": .string(t.networkID), "reference": .string(t.reference)]
            if let n = t.namespace { o["namespace"] = .string(n) }
            if let m = t.metadata { o["metadata"] = .object(m) }
            return .object(o)
        }
    }

    /// Reads the library's JSON form of a standard type; `nil` for other types.
    public init?(type: ContentTypeID, json v: JSONValue) {
        guard type.authorityID == "xmtp.org" else { return nil }
        func s(_ k: String) -> String? { v[k]?.string }
        switch type.typeID {
        case "text":
            guard let t = v.string else { return nil }
            self = .text(t)
        case "reaction":
            guard let r = s("reference") else { return nil }
            self = .reaction(Reaction(reference: r, action: s("action") ?? "added", content: s("content") ?? "",
                                      schema: s("schema") ?? "unicode"))
        case "reply":
            guard let t = v["contentType"], let a = t["authorityId"]?.string, let ty = t["typeId"]?.string,
                  let r = s("reference"), let inner = v["content"] else { return nil }
            let innerType = ContentTypeID(
                authorityID: a, typeID: ty, versionMajor: Int(t["versionMajor"]?.int ?? 1),
                versionMinor: Int(t["versionMinor"]?.int ?? 0))
            guard let content = MessageContent(type: innerType, json: inner) else { return nil }
            self = .reply(Reply(reference: r, content: content))
        case "readReceipt":
            self = .readReceipt
        case "attachment":
            guard let data = Data(base64Encoded: s("data") ?? "") else { return nil }
            self = .attachment(Attachment(filename: s("filename") ?? "", mimeType: s("mimeType") ?? "", data: data))
        case "remoteStaticAttachment":
            guard let url = s("url") else { return nil }
            self = .remoteAttachment(RemoteAttachment(
                url: url, contentDigest: s("contentDigest") ?? "", salt: s("salt") ?? "", nonce: s("nonce") ?? "",
                secret: s("secret") ?? "", scheme: s("scheme") ?? "https://", contentLength: v["contentLength"]?.int,
                filename: s("filename")))
        case "transactionReference":
            var metadata: [String: JSONValue]?
            if case .object(let m) = v["metadata"] { metadata = m }
            self = .transactionReference(TransactionReference(
                namespace: s("namespace"), networkID: s("networkId") ?? "", reference: s("reference") ?? "",
                metadata: metadata))
        default:
            return nil
        }
    }
}

/// Content in its encoded form, as an application's ``ContentCodec`` produces and reads it.
public struct EncodedContent: Sendable, Hashable {
    /// Its content type.
    public var type: ContentTypeID
    /// Its parameters.
    public var parameters: [String: String]
    /// Its bytes.
    public var content: Data
    /// Text for clients that do not know the type.
    public var fallback: String?

    /// Encoded content.
    public init(type: ContentTypeID, parameters: [String: String] = [:], content: Data, fallback: String? = nil) {
        self.type = type
        self.parameters = parameters
        self.content = content
        self.fallback = fallback
    }
}

/// A codec of an application-defined content type. Register it on a client with
/// ``Client/register(codec:)`` (codecs are per client, there is no global registry): messages of
/// its type then decode to `Content`, and ``Conversation/send(_:contentType:options:)`` encodes
/// values with it.
public protocol ContentCodec: Sendable {
    /// The values it encodes.
    associatedtype Content: Sendable

    /// The type it encodes.
    var contentType: ContentTypeID { get }

    /// Encodes `content`.
    func encode(content: Content) throws -> EncodedContent

    /// Decodes `content`; throw to report undecodable content (the message keeps its fallback).
    func decode(content: EncodedContent) throws -> Content

    /// The text clients without this codec show.
    func fallback(content: Content) throws -> String?

    /// Whether a push notification should be sent for `content`.
    func shouldPush(content: Content) throws -> Bool
}

extension ContentCodec {
    /// Push by default.
    public func shouldPush(content: Content) throws -> Bool { true }
}

/// A codec with its value type erased, as a client keeps it.
struct AnyCodec: Sendable {
    let contentType: ContentTypeID
    let decode: @Sendable (EncodedContent) throws -> any Sendable
    /// The encoded content, fallback and push flag of a value (`nil` when it is not the codec's).
    let encode: @Sendable (any Sendable) throws -> (EncodedContent, String?, Bool)?

    init<C: ContentCodec>(_ codec: C) {
        contentType = codec.contentType
        decode = { try codec.decode(content: $0) }
        encode = { value in
            guard let v = value as? C.Content else { return nil }
            return (try codec.encode(content: v), try codec.fallback(content: v), try codec.shouldPush(content: v))
        }
    }
}
