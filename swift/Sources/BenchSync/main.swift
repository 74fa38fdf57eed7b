// `xmtp-bench-sync NODE_URL (list|sync|send|create|invite) META [RUNS] [OFFSET]`: the Swift package against a node on
// loopback (loaded by the Rust example `bench_sync --load`), as `scripts/bench-hosts.sh` runs the
// Rust core and Node: `list` (a fresh client lists the reader's conversations), `sync` (and reads
// every message of each, one conversation after another), `send` (one text message at a time to
// the first conversation), `create` (a client of a new wallet: identity, stored keys, contact;
// META unused), `invite` (a conversation with one of the corpus's peers at a time, from peer
// OFFSET on). META is a corpus's `--meta-out` file from `bench_corpus`. Every list
// or sync run starts from a new client and checks that it found everything; one untimed run
// first (1,000 untimed sends, as in every host's benchmark). Prints `{"host": "swift", "op": …, "median_ms": …, "min_ms": …, "max_ms": …, "runs": …}`.
import Foundation
import Xmtp

let args = CommandLine.arguments
guard args.count >= 4 else { fatalError("usage: xmtp-bench-sync NODE_URL (list|sync|send|create|invite) META [RUNS] [OFFSET]") }
let (node, op) = (args[1], args[2])
let runs = args.count > 4 ? Int(args[4]) ?? 3 : 3
let meta = op == "create" ? JSONValue.object(["reader": .object(["keys": .string("")]), "conversations": .array([])])
    : try JSONValue.parse(String(contentsOfFile: args[3], encoding: .utf8))
let keys = Data(base64Encoded: meta["reader"]?["keys"]?.string ?? "") ?? Data()
guard case .array(let conversations) = meta["conversations"] else { fatalError("no conversations") }
let want = (conversations.count, op == "sync" ? conversations.reduce(0) { $0 + Int($1["messages"]?.int ?? 0) } : 0)
let options = ClientOptions(environment: .custom(node))

func elapsedMs(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }

var ms: [Double] = []
switch op {
case "list", "sync":
    for i in 0...runs {
        let client = try Client(keys: keys, options: options)
        let start = DispatchTime.now().uptimeNanoseconds
        let list = try await client.conversations.list()
        var messages = 0
        if op == "sync" {
            for c in list { messages += try await c.messages().count }
        }
        let elapsed = elapsedMs(since: start)
        client.close()
        precondition(list.count == want.0 && messages == want.1, "found \((list.count, messages)), the corpus has \(want)")
        if i > 0 { ms.append(elapsed) }
    }
case "send":
    let client = try Client(keys: keys, options: options)
    guard let conversation = try await client.conversations.list().first else { fatalError("no conversation") }
    let warmUp = 1000  // untimed sends, the same in every host's benchmark
    for i in 0..<(runs + warmUp) {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try await conversation.send(text: "benchmark message \(i)")
        if i >= warmUp { ms.append(elapsedMs(since: start)) }
    }
    client.close()
case "create":
    for i in 0...runs {
        let start = DispatchTime.now().uptimeNanoseconds
        let client = try await Client.create(account: PrivateKeySigningKey.generate(), options: options)
        let elapsed = elapsedMs(since: start)
        client.close()
        if i > 0 { ms.append(elapsed) }
    }
case "invite":
    guard case .array(let peers) = meta["peers"] else { fatalError("no peers") }
    let offset = args.count > 5 ? Int(args[5]) ?? 0 : 0
    precondition(peers.count >= offset + runs + 1, "the corpus has \(peers.count) peers, \(offset + runs + 1) needed")
    let client = try Client(keys: keys, options: options)
    for i in 0...runs {
        let peer = peers[offset + i].string ?? ""
        let start = DispatchTime.now().uptimeNanoseconds
        let conversation = try await client.conversations.newConversation(with: peer)
        if i > 0 { ms.append(elapsedMs(since: start)) }
        precondition(conversation.peerAddress.lowercased() == peer.lowercased(), "wrong peer")
    }
    client.close()
default:
    fatalError("unknown operation \(op)")
}
ms.sort()
let median = ms.count % 2 == 1 ? ms[ms.count / 2] : (ms[ms.count / 2 - 1] + ms[ms.count / 2]) / 2
print("{\"host\": \"swift\", \"op\": \"\(op)\", \"median_ms\": \(median), \"min_ms\": \(ms[0]), \"max_ms\": \(ms[ms.count - 1]), \"runs\": \(ms.count)}")
