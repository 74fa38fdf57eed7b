// `xmtp-bench-read CORPUS.json [RUNS]`: reads a `bench_corpus` conversation through the Swift API
// (the reader's keys, the invitation, then `decryptBatch` of every message, converted to
// `Message`s) and prints `{"swift_ms_per_message": …, "swift_ffi_ms_per_message": …, …}`: the
// package's API, and the generated bindings alone (the same call on envelopes already
// converted, results not converted), so that the two layers' shares are known.
import Foundation
import Xmtp
import XmtpFFI

func envelope(_ v: JSONValue) -> Xmtp.Envelope {
    Xmtp.Envelope(
        contentTopic: v["contentTopic"]?.string ?? "", timestampNs: UInt64(v["timestampNs"]?.string ?? "") ?? 0,
        message: Data(base64Encoded: v["message"]?.string ?? "") ?? Data())
}

func msPerMessage(runs: Int, messages: Int, _ body: () -> Void) -> Double {
    for _ in 0..<3 { body() }
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<runs { body() }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(runs * messages)
}

let args = CommandLine.arguments
let corpus = try JSONValue.parse(String(contentsOfFile: args[1], encoding: .utf8))
let runs = args.count > 2 ? Int(args[2]) ?? 10 : 10
let keys = Data(base64Encoded: corpus["reader"]?["keys"]?.string ?? "") ?? Data()
let invite = envelope(corpus["conversation"]?["invite"] ?? .null)
guard case .array(let list) = corpus["envelopes"] else { fatalError("no envelopes") }
let envelopes = list.map { envelope($0) }

let client = try Client(keys: keys, options: ClientOptions(environment: .custom("http://127.0.0.1:9")))
_ = client.decryptBatch([invite])
let api = msPerMessage(runs: runs, messages: envelopes.count) {
    let results = client.decryptBatch(envelopes)
    precondition(results.allSatisfy { (try? $0.get())?.text != nil }, "every message reads")
}
client.close()

// The generated bindings alone: a client of the same keys, the same envelopes.
func ffiEnvelope(_ e: Xmtp.Envelope) -> XmtpFFI.Envelope {
    XmtpFFI.Envelope(contentTopic: e.contentTopic, timestampNs: e.timestampNs, message: e.message)
}
let raw = try XmtpFFI.Client.fromKeys(
    keys: keys, options: XmtpFFI.ClientOptions(env: .local, apiUrl: "http://127.0.0.1:9", appVersion: nil))
_ = raw.decryptBatch(envelopes: [ffiEnvelope(invite)])
let converted = envelopes.map(ffiEnvelope)
let ffi = msPerMessage(runs: runs, messages: envelopes.count) {
    let results = raw.decryptBatch(envelopes: converted)
    precondition(results.allSatisfy { $0.message?.text != nil }, "every message reads")
}
let f = { (x: Double) in String(format: "%.5f", x) }
print("{\"swift_ms_per_message\": \(f(api)), \"swift_ffi_ms_per_message\": \(f(ffi)), \"messages\": \(envelopes.count), \"runs\": \(runs)}")
