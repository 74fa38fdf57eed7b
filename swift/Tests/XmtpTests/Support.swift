import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
@testable import Xmtp

/// What the test script passes: the node's URL, the host runner's URL, the clone's path.
enum TestEnv {
    static let env = ProcessInfo.processInfo.environment
    static var node: String { env["XMTP_NODE"] ?? "http://127.0.0.1:5555" }
    static var runner: String? { env["XMTP_HOST_RUNNER"] }
    static var root: String { env["XMTP_ROOT"] ?? FileManager.default.currentDirectoryPath }
    static func options(_ url: String = node) -> ClientOptions {
        ClientOptions(environment: .custom(url), appVersion: "xmtp-rs-swift-test/1")
    }

    /// A new directory in the clone (the host runner sees it too).
    static func scratch(_ name: String) throws -> String {
        let dir = "\(root)/swift/.scratch/\(name)-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// Runs `body`, failing when it takes longer than `seconds` (without waiting for it: a wait
/// that ignores cancellation cannot hang the test).
func withDeadline<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { (cont: CheckedContinuation<T, any Error>) in
        let done = Locked(false)
        let first = { @Sendable () -> Bool in done.with { d in defer { d = true }; return !d } }
        let work = Task {
            do {
                let value = try await body()
                if first() { cont.resume(returning: value) }
            } catch {
                if first() { cont.resume(throwing: error) }
            }
        }
        Task {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
            if first() {
                work.cancel()
                cont.resume(throwing: TestFailure("timed out after \(seconds) s"))
            }
        }
    }
}

/// Waits until `condition` holds (polling), failing after `seconds`.
func eventually(_ what: String, _ seconds: Double = 15, _ condition: () async throws -> Bool) async throws {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if try await condition() { return }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    throw TestFailure("not within \(seconds) s: \(what)")
}

/// One HTTP exchange with the host runner.
func runner(_ path: String, _ body: [String: JSONValue]? = nil) async throws -> JSONValue {
    guard let base = TestEnv.runner else { throw TestFailure("XMTP_HOST_RUNNER is not set (run scripts/swift.sh)") }
    var req = URLRequest(url: URL(string: base + path)!, timeoutInterval: 400)
    if let body {
        req.httpMethod = "POST"
        req.httpBody = Data(JSONValue.object(body).text.utf8)
    }
    let data: Data = try await withCheckedThrowingContinuation { cont in
        URLSession.shared.dataTask(with: req) { data, _, error in
            if let error { cont.resume(throwing: error) } else { cont.resume(returning: data ?? Data()) }
        }.resume()
    }
    return try JSONValue.parse(String(decoding: data, as: UTF8.self))
}

/// Runs an interop harness script of tests/interop/js with node, on the host.
func runNode(_ script: String, _ args: String...) async throws {
    let r = try await runner("/run", ["script": .string(script), "args": .array(args.map { .string($0) })])
    guard r["status"]?.int == 0 else { throw TestFailure("node \(script) failed:\n\(r["output"]?.string ?? r.text)") }
}

/// A counting TCP proxy to the node (on the host): its URL and a reader of its open streams.
func proxyToNode() async throws -> (url: String, openStreams: @Sendable () async throws -> Int64) {
    let r = try await runner("/proxy", ["target": .string(TestEnv.node)])
    guard let id = r["id"]?.int, let url = r["url"]?.string else { throw TestFailure("no proxy: \(r.text)") }
    return (url, { try await runner("/proxy/\(id)")["streams"]?.int ?? -1 })
}

func readJSON(_ path: String) throws -> JSONValue {
    try JSONValue.parse(String(contentsOfFile: path, encoding: .utf8))
}

func hex(_ s: String) -> Data {
    let s = s.hasPrefix("0x") ? String(s.dropFirst(2)) : s
    var out = Data()
    var i = s.startIndex
    while i < s.endIndex {
        let j = s.index(i, offsetBy: 2)
        out.append(UInt8(s[i..<j], radix: 16)!)
        i = j
    }
    return out
}

func toHex(_ d: Data) -> String { d.map { String(format: "%02x", $0) }.joined() }

/// What a client reads of everything it has, in the shape the interop harness writes.
func readBack(_ client: Client) async throws -> [String: JSONValue] {
    var out: [String: JSONValue] = [:]
    for c in try await client.conversations.list() {
        let messages = try await c.messages(direction: .ascending).map { m -> JSONValue in
            .object([
                "id": .string(m.id), "senderAddress": .string(m.senderAddress), "sentNs": .string(String(m.sentNs)),
                "contentType": m.contentType.map { .string($0.description) } ?? .null,
                "content": m.content?.json ?? .null, "fallback": m.fallback.map { .string($0) } ?? .null,
            ])
        }
        out[c.topic] = .object([
            "version": .string(c.version), "peerAddress": .string(c.peerAddress), "createdNs": .string(String(c.createdNs)),
            "conversationId": c.context.map { .string($0.conversationID) } ?? .null, "messages": .array(messages),
        ])
    }
    return out
}

/// Numbers as JSON compares them (an integral double is the integer).
func same(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
    switch (a, b) {
    case (.double(let x), .int(let y)), (.int(let y), .double(let x)): return x == Double(y)
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
    case (.object(let x), .object(let y)): return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0], y[$0]) }
    case (nil, .null), (.null, nil): return true
    default: return a == b
    }
}

/// Compares a read-back with what xmtp-js read (`{"conversations": [...]}`); returns the contents
/// compared.
func compareWithExpected(_ who: String, _ expected: JSONValue, _ got: [String: JSONValue]) throws -> Int {
    guard case .array(let convs) = expected["conversations"] else { throw TestFailure("\(who): no conversations") }
    XCTAssertEqual(convs.count, got.count, "\(who): conversation count")
    var compared = 0
    for c in convs {
        let topic = c["topic"]?.string ?? ""
        guard let mine = got[topic] else { throw TestFailure("\(who): conversation \(topic) not read") }
        for k in ["version", "peerAddress", "createdNs"] { XCTAssertEqual(c[k], mine[k], "\(who) \(topic) \(k)") }
        XCTAssertTrue(same(c["context"]?["conversationId"], mine["conversationId"]), "\(who) \(topic) context")
        guard case .array(let theirs) = c["messages"], case .array(let ours) = mine["messages"] else { continue }
        XCTAssertEqual(theirs.count, ours.count, "\(who) \(topic) message count")
        for (t, o) in zip(theirs, ours) {
            let id = t["id"]?.string ?? "?"
            for k in ["id", "senderAddress", "sentNs", "contentType", "fallback"] {
                XCTAssertTrue(same(t[k], o[k]), "\(who) \(id) \(k): \(t[k]?.text ?? "nil") vs \(o[k]?.text ?? "nil")")
            }
            if o["content"] == .null {
                XCTAssertTrue(same(t["content"], .null), "\(who) \(id) (\(t["contentType"]?.text ?? "")) not decoded")
            } else {
                XCTAssertTrue(same(t["content"], o["content"]), "\(who) \(id) content: \(t["content"]?.text ?? "") vs \(o["content"]?.text ?? "")")
                compared += 1
            }
        }
    }
    return compared
}

/// Keys of a new identity created on the test node.
func keysOfNewIdentity() async throws -> Data {
    let c = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
    defer { c.close() }
    return c.exportKeys()
}

