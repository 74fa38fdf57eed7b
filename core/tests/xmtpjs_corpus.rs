//! Conversations written by the real `@xmtp/xmtp-js@13.0.4` (three clients, V1 and V2, with and
//! without context, compressed, non-ASCII and empty texts, every standard content type): the
//! core must read exactly the conversations and messages xmtp-js itself read back.

mod common;
mod support;

use support::corpus::{compare, compare_remote, read_as, Undecoded};

#[test]
fn reads_what_xmtpjs_reads_for_every_identity() {
    let corpus = common::vectors("xmtpjs/corpus-1.json");
    let mut total = 0;
    let mut remote = 0;
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
        // The only message we cannot read is the custom type no reader knows (alice and bob
        // each see it); it surfaces as an unknown type with the sender's fallback.
        let custom = Undecoded {
            content_type: "example.org/custom:1.0".into(),
            error: "content.unknown_type".into(),
            fallback: Some("Custom content: interop".into()),
        };
        let expected_undecoded = if identity == "carol" { vec![] } else { vec![custom] };
        assert_eq!(got.undecoded, expected_undecoded, "{identity}");
        remote += compare_remote(&corpus["expected"][identity], &corpus["attachments"]).unwrap();
    }
    // alice 24 + bob 19 + carol 5 = 48 messages: every content but the two custom ones compared
    // (text, reaction, reply, read receipt, attachment, remote attachment, transaction reference).
    assert_eq!(total, 46, "compared {total} message contents");
    // alice and bob both downloaded the remote attachment; we decrypt it to the same content.
    assert_eq!(remote, 2);
}

/// Every message xmtp-js wrote with a standard codec, re-encoded by our codec from what we
/// decoded, gives the same parameters, content bytes and fallback; our push decision matches the
/// one xmtp-js put in the V2 message, except for reactions (the npm reaction codec never asks for
/// a push; the protocol's rule, which we follow, is "iff added").
#[test]
fn reencoding_reproduces_what_xmtpjs_sent() {
    use xmtp_core::content::{Content, ReactionAction, Registry};
    use xmtp_core::decoder::{Decoded, EnvelopeReader};
    use xmtp_core::keys::PrivateKeyBundle;

    let corpus = common::vectors("xmtpjs/corpus-1.json");
    let keys = xmtp_core::api::decode_base64(corpus["identities"]["alice"]["keys"].as_str().unwrap()).unwrap();
    let mut reader = EnvelopeReader::new(PrivateKeyBundle::from_bytes(&keys).unwrap());
    let registry = Registry::new();
    let mut types = std::collections::BTreeSet::new();
    for e in support::corpus::envelopes(&corpus) {
        let Ok(Decoded::Message { message, content: decoded }) = reader.read(&e).1 else { continue };
        let (Some(content_type), Some(content)) = (&decoded.content_type, &decoded.content) else { continue };
        let (ours, push) = registry.encode_to_proto(content_type, content, None).unwrap();
        assert_eq!(ours.content, decoded.raw, "{content_type} content of {}", message.id);
        assert_eq!(ours.parameters, decoded.parameters, "{content_type} parameters");
        assert_eq!(ours.fallback, decoded.fallback, "{content_type} fallback");
        if let Some(sent) = message.should_push {
            match content {
                Content::Reaction(r) => assert!(!sent && push == (r.action == ReactionAction::Added)),
                _ => assert_eq!(push, sent, "{content_type} shouldPush"),
            }
        }
        types.insert(content_type.to_string());
    }
    assert_eq!(types.len(), 7, "{types:?}");
}
