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
    let mut compared = 0;
    for identity in ["alice", "bob", "carol"] {
        let got = corpus::read_as(&corpus, identity);
        compared += corpus::compare(&corpus["expected"][identity], &got).unwrap_or_else(|e| panic!("{identity}: {e}"));
    }
    assert!(compared >= 30, "compared {compared} message contents");
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
    let expected_counts = [("alice", 3, 13), ("bob", 2, 9), ("carol", 1, 4)];
    for (identity, conversations, messages) in expected_counts {
        let ours = corpus::read_as(&corpus, identity);
        assert_eq!(ours.conversations.len(), conversations, "{identity}: conversations we wrote");
        let total: usize = ours.conversations.values().map(|c| c.messages.len()).sum();
        assert_eq!(total, messages, "{identity}: messages we wrote");
        // xmtp-js reads exactly the same conversations, peers, contexts and messages.
        let theirs = &read[identity];
        let compared = corpus::compare(theirs, &ours).unwrap_or_else(|e| panic!("{identity}: {e}"));
        assert_eq!(compared, messages, "{identity}: every message content compared");
    }
    std::fs::remove_dir_all(dir).ok();
}
