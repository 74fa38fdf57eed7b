// `xmtp-decrypt-one STATE_FILE TOPIC TIMESTAMP_NS BASE64_MESSAGE`: reads one envelope with an
// exported state, offline, as a notification service extension does in a fresh process, and
// prints `id sender: text` (or `invitation TOPIC`).
import Foundation
import Xmtp

let args = CommandLine.arguments
guard args.count == 5, let ns = UInt64(args[3]), let bytes = Data(base64Encoded: args[4]) else {
    FileHandle.standardError.write(Data("usage: xmtp-decrypt-one STATE_FILE TOPIC TIMESTAMP_NS BASE64_MESSAGE\n".utf8))
    exit(2)
}
do {
    let state = try String(contentsOfFile: args[1], encoding: .utf8)
    let envelope = Envelope(contentTopic: args[2], timestampNs: ns, message: bytes)
    switch try Client.decryptEnvelope(state: state, envelope: envelope) {
    case .message(let m): print("\(m.id) \(m.senderAddress): \(m.text ?? "")")
    case .invitation(let topic, _): print("invitation \(topic)")
    }
} catch {
    print("error: \(error)")
    exit(1)
}
