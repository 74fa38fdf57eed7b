import Foundation
import XCTest
@testable import Xmtp

/// An application type: a point on a map.
struct Pin: Sendable, Equatable {
    let lat: Double
    let lon: Double
}

struct BadPin: Error {}

/// Its codec, written in Swift: `example.com/pin:1.0`, the bytes `lat,lon`.
struct PinCodec: ContentCodec {
    let contentType = ContentTypeID(authorityID: "example.com", typeID: "pin", versionMajor: 1, versionMinor: 0)

    func encode(content: Pin) throws -> EncodedContent {
        EncodedContent(type: contentType, parameters: ["unit": "deg"], content: Data("\(content.lat),\(content.lon)".utf8))
    }

    func decode(content: EncodedContent) throws -> Pin {
        guard content.parameters["unit"] == "deg" else { throw BadPin() }
        let parts = String(decoding: content.content, as: UTF8.self).split(separator: ",")
        guard parts.count == 2, let lat = Double(parts[0]), let lon = Double(parts[1]) else { throw BadPin() }
        return Pin(lat: lat, lon: lon)
    }

    func fallback(content: Pin) throws -> String? { "A pin at \(content.lat), \(content.lon)" }

    func shouldPush(content: Pin) throws -> Bool { false }
}

final class CodecTests: XCTestCase {
    func testASwiftCodecRoundTripsAndFallsBackWithoutIt() async throws {
        try await withDeadline(240) {
            let alice = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
            let bob = try await Client.create(account: PrivateKeySigningKey.generate(), options: TestEnv.options())
            alice.register(codec: PinCodec())
            bob.register(codec: PinCodec())
            let conv = try await alice.conversations.newConversation(with: bob.address)
            let id = try await conv.send(Pin(lat: 52.5, lon: 13.4), contentType: PinCodec().contentType)

            let got = try await bob.conversations.list()[0].messages()
            XCTAssertEqual(got.count, 1)
            XCTAssertEqual(got.first?.id, id)
            XCTAssertEqual(got.first?.content(as: Pin.self), Pin(lat: 52.5, lon: 13.4))
            XCTAssertEqual(got.first?.contentType?.description, "example.com/pin:1.0")
            XCTAssertNil(got.first?.contentError)

            // The same identity in a client without the codec (codecs are per client): the fallback.
            let plain = try Client(state: bob.exportState(), options: TestEnv.options())
            let m = try await plain.conversations.list()[0].messages()[0]
            XCTAssertNil(m.content)
            XCTAssertNil(m.decoded)
            XCTAssertEqual(m.fallback, "A pin at 52.5, 13.4")
            XCTAssertEqual(m.contentError, "content.unknown_type")
            plain.close()

            // A value the codec does not take is refused before anything is sent.
            XCTAssertThrowsError(try conv.prepareMessage("not a pin", contentType: PinCodec().contentType)) { e in
                XCTAssertEqual((e as? XmtpError)?.code, "input.content")
            }

            // xmtp-js 13.0.4, reading as bob (his exported keys), shows the fallback.
            let dir = try TestEnv.scratch("codec")
            let input: JSONValue = .object([
                "identities": .object(["bob": .object(["keys": .string(bob.exportKeys().base64EncodedString())])]),
                "envelopes": .array([]),
            ])
            try input.text.write(toFile: "\(dir)/keys.json", atomically: true, encoding: .utf8)
            try await runNode("consume.cjs", "--api-url", TestEnv.node, "--in", "\(dir)/keys.json", "--out", "\(dir)/read.json")
            let read = try readJSON("\(dir)/read.json")
            guard case .array(let convs) = read["bob"]?["conversations"], convs.count == 1,
                  case .array(let msgs) = convs[0]["messages"], msgs.count == 1
            else { throw TestFailure("xmtp-js read: \(read.text)") }
            XCTAssertEqual(msgs[0]["id"]?.string, id)
            XCTAssertEqual(msgs[0]["contentType"]?.string, "example.com/pin:1.0")
            XCTAssertEqual(msgs[0]["fallback"]?.string, "A pin at 52.5, 13.4")
            try? FileManager.default.removeItem(atPath: dir)
            alice.close()
            bob.close()
        }
    }
}
