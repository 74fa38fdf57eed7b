//! Live interoperability with the real `@xmtp/xmtp-js@13.0.4`, both directions. Requires Node.js
//! and `npm ci` in `tests/interop/js` (the project's setup script does both).

#[path = "../../../core/tests/support/corpus.rs"]
mod corpus;

use xmtp_interop::{read_json, run_node, rust_corpus, scratch};

#[test]
fn xmtpjs_writes_rust_reads() {
    let dir = scratch("js-writes");
    let out = dir.join("corpus.json");
    run_node("produce.cjs", &["--out", out.to_str().unwrap()]).unwrap();
    let corpus = read_json(&out);
    let (mut compared, mut remote) = (0, 0);
    for identity in ["alice", "bob", "carol"] {
        let got = corpus::read_as(&corpus, identity);
        let expected = &corpus["expected"][identity];
        compared += corpus::compare(expected, &got).unwrap_or_else(|e| panic!("{identity}: {e}"));
        remote +=
            corpus::compare_remote(expected, &corpus["attachments"]).unwrap_or_else(|e| panic!("{identity}: {e}"));
        // Only the custom type (sent to alice↔bob) is unknown to us.
        let undecoded: Vec<_> = got.undecoded.iter().map(|u| (u.content_type.as_str(), u.error.as_str())).collect();
        let custom = vec![("example.org/custom:1.0", "content.unknown_type")];
        assert_eq!(undecoded, if identity == "carol" { vec![] } else { custom }, "{identity}");
    }
    // alice 24 + bob 19 + carol 5 messages, all but the two custom ones compared; the remote
    // attachment downloaded by alice and bob decrypts to the same content here.
    assert_eq!(compared, 46, "compared {compared} message contents");
    assert_eq!(remote, 2);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn rust_writes_xmtpjs_reads() {
    let dir = scratch("rust-writes");
    let input = dir.join("corpus.json");
    let output = dir.join("read.json");
    let corpus = rust_corpus(7, 1_760_000_000_000);
    std::fs::write(&input, serde_json::to_string_pretty(&corpus).unwrap()).unwrap();
    run_node("consume.cjs", &["--in", input.to_str().unwrap(), "--out", output.to_str().unwrap()]).unwrap();
    let read = read_json(&output);
    // 6 texts + 1 answer + 6 other content types + 1 custom type on the first conversation,
    // 2 with context, 4 V1.
    let expected_counts = [("alice", 3, 20), ("bob", 2, 16), ("carol", 1, 4)];
    for (identity, conversations, messages) in expected_counts {
        let ours = corpus::read_as(&corpus, identity);
        assert_eq!(ours.conversations.len(), conversations, "{identity}: conversations we wrote");
        let total: usize = ours.conversations.values().map(|c| c.messages.len()).sum();
        assert_eq!(total, messages, "{identity}: messages we wrote");
        // xmtp-js reads exactly the same conversations, peers, contexts and messages.
        let theirs = &read[identity];
        let compared = corpus::compare(theirs, &ours).unwrap_or_else(|e| panic!("{identity}: {e}"));
        // Every content compared except the custom type, which neither side can decode: both
        // show its fallback (compare checks the fallbacks are equal).
        let custom = usize::from(identity != "carol");
        assert_eq!(compared, messages - custom, "{identity}: every message content compared");
        assert_eq!(ours.undecoded.len(), custom, "{identity}: {:?}", ours.undecoded);
        if custom == 1 {
            let u = &ours.undecoded[0];
            assert_eq!(u.content_type, "example.org/counter:1.0");
            assert_eq!(u.error, "content.unknown_type");
            assert_eq!(u.fallback.as_deref(), Some("Counter: 3"));
        }
        // xmtp-js downloads and decrypts our remote attachment to what we encrypted.
        let remote =
            corpus::compare_remote(theirs, &corpus["attachments"]).unwrap_or_else(|e| panic!("{identity}: {e}"));
        assert_eq!(remote, usize::from(identity != "carol"), "{identity}: remote attachments loaded");
    }
    std::fs::remove_dir_all(dir).ok();
}
