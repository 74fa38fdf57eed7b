//! Conversations written by the real `@xmtp/xmtp-js@13.0.4` (three clients, V1 and V2, with and
//! without context, compressed, non-ASCII and empty texts, every standard content type): the
//! core must read exactly the conversations and messages xmtp-js itself read back.

mod common;
mod support;

use support::corpus::{compare, read_as};

#[test]
fn reads_what_xmtpjs_reads_for_every_identity() {
    let corpus = common::vectors("xmtpjs/corpus-1.json");
    let mut total = 0;
    for identity in ["alice", "bob", "carol"] {
        let got = read_as(&corpus, identity);
        let compared = compare(&corpus["expected"][identity], &got).unwrap_or_else(|e| panic!("{identity}: {e}"));
        // Envelopes that fail are exactly the ones not meant for this identity, each with the
        // error that says so: other people's consent actions, V1 messages and invitations
        // between two others, and messages of conversations it was never invited to.
        let me = corpus["identities"][identity]["address"].as_str().unwrap();
        for (i, code) in &got.errors {
            let topic = corpus["envelopes"][*i]["contentTopic"].as_str().unwrap();
            let others_v1 = (topic.contains("/dm-") || topic.contains("/intro-")) && !topic.contains(me);
            let expected = if topic.contains("userpreferences-") || others_v1 {
                "message.not_participant"
            } else if topic.contains("/invite-") && !topic.contains(me) {
                "invitation.not_for_us"
            } else if topic.contains("/m-") {
                "message.unknown_conversation"
            } else {
                "none"
            };
            assert_eq!(code, expected, "{identity} #{i} {topic}");
        }
        total += compared;
    }
    // alice 24 + bob 19 + carol 5 messages; all text ones (and more as codecs arrive) compared.
    assert!(total >= 30, "compared only {total} message contents");
}
