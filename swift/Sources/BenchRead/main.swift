// `xmtp-bench-read CORPUS.json [RUNS]`: reads a `bench_corpus` conversation through the Swift API
// (the reader's keys, the invitation, then `decryptBatch` of every message, converted to
// `Message`s) and prints `{"swift_ms_per_message": …, "swift_ffi_ms_per_message": …,
// "facade_ms_per_message": …, …}`: the package's API; the generated bindings alone (the same
// call on envelopes already converted, results not converted), so that the two layers' shares
// are known; and the Rust facade's own `decrypt_batch` timed inside the library in this process
// (a testing export), so that all three see the same allocator, caches and moment. Each is the
// median batch of RUNS, the three alternating batch by batch, after three untimed of each;
// `ratio` and `ffi_ratio` are the medians of each batch's ratio to the facade batch beside it.
import Foundation
import Xmtp
import XmtpFFI

func envelope(_ v: JSONValue) -> Xmtp.Envelope {
    Xmtp.Envelope(
        contentTopic: v["contentTopic"]?.string ?? "", timestampNs: UInt64(v["timestampNs"]?.string ?? "") ?? 0,
        message: Data(base64Encoded: v["message"]?.string ?? "") ?? Data())
}

func timed(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
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
func viaApi() {
    let results = client.decryptBatch(envelopes)
    precondition(results.allSatisfy { (try? $0.get())?.text != nil }, "every message reads")
}

// The generated bindings alone: a client of the same keys, the same envelopes.
func ffiEnvelope(_ e: Xmtp.Envelope) -> XmtpFFI.Envelope {
    XmtpFFI.Envelope(contentTopic: e.contentTopic, timestampNs: e.timestampNs, message: e.message)
}
let raw = try XmtpFFI.Client.fromKeys(
    keys: keys, options: XmtpFFI.ClientOptions(env: .local, apiUrl: "http://127.0.0.1:9", appVersion: nil))
_ = raw.decryptBatch(envelopes: [ffiEnvelope(invite)])
let converted = envelopes.map(ffiEnvelope)
func viaFfi() {
    let results = raw.decryptBatch(envelopes: converted)
    precondition(results.allSatisfy { $0.message?.text != nil }, "every message reads")
}
for _ in 0..<3 {
    viaApi()
    viaFfi()
}
var (apiMs, ffiMs, facadeMs) = ([Double](), [Double](), [Double]())
for _ in 0..<runs {
    apiMs.append(timed(viaApi))
    ffiMs.append(timed(viaFfi))
    facadeMs += raw.debugTimeDecryptBatch(envelopes: converted, runs: 1)
}
client.close()
let api = median(apiMs) / Double(envelopes.count)
let ffi = median(ffiMs) / Double(envelopes.count)
let facade = median(facadeMs) / Double(envelopes.count)
// The overhead: the median of each batch's ratio to the facade batch beside it, which a slow
// drift of the machine moves less than a ratio of the two medians.
let ratio = median(zip(apiMs, facadeMs).map { $0 / $1 })
let ffiRatio = median(zip(ffiMs, facadeMs).map { $0 / $1 })
let f = { (x: Double) in String(format: "%.5f", x) }
let r = { (x: Double) in String(format: "%.4f", x) }
print("{\"swift_ms_per_message\": \(f(api)), \"swift_ffi_ms_per_message\": \(f(ffi)), \"facade_ms_per_message\": \(f(facade)), \"ratio\": \(r(ratio)), \"ffi_ratio\": \(r(ffiRatio)), \"messages\": \(envelopes.count), \"runs\": \(runs)}")
