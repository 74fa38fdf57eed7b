// `xmtp-bench-read CORPUS.json [RUNS]`: reads a `bench_corpus` conversation through the Swift API
// (the reader's keys, the invitation, then `decryptBatch` of every message, converted to
// `Message`s) and prints `{"swift_ms_per_message": …, "messages": …, "runs": …}`.
import Foundation
import Xmtp

func envelope(_ v: JSONValue) -> Envelope {
    Envelope(
        contentTopic: v["contentTopic"]?.string ?? "", timestampNs: UInt64(v["timestampNs"]?.string ?? "") ?? 0,
        message: Data(base64Encoded: v["message"]?.string ?? "") ?? Data())
}

let args = CommandLine.arguments
let corpus = try JSONValue.parse(String(contentsOfFile: args[1], encoding: .utf8))
let runs = args.count > 2 ? Int(args[2]) ?? 10 : 10
let keys = Data(base64Encoded: corpus["reader"]?["keys"]?.string ?? "") ?? Data()
let client = try Client(keys: keys, options: ClientOptions(environment: .custom("http://127.0.0.1:9")))
_ = client.decryptBatch([envelope(corpus["conversation"]?["invite"] ?? .null)])
guard case .array(let list) = corpus["envelopes"] else { fatalError("no envelopes") }
let envelopes = list.map { envelope($0) }

func read() {
    let results = client.decryptBatch(envelopes)
    precondition(results.allSatisfy { (try? $0.get())?.text != nil }, "every message reads")
}
for _ in 0..<3 { read() }
let start = DispatchTime.now().uptimeNanoseconds
for _ in 0..<runs { read() }
let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(runs * envelopes.count)
print("{\"swift_ms_per_message\": \(String(format: "%.5f", ms)), \"messages\": \(envelopes.count), \"runs\": \(runs)}")
client.close()
