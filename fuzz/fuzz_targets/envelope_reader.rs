//! Envelopes through Bob's reader (`decoder::EnvelopeReader::read`), which knows the vector V2
//! conversation: the first byte picks the topic kind, the rest is the message.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmtp_core::decoder::EnvelopeReader;
use xmtp_core::topic;
use xmtp_proto::message_api::v1::Envelope;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, message)) = data.split_first() else { return };
    let f = xmtp_fuzz::fixture();
    let bob = f.bob.address();
    let topics = [
        topic::contact(f.alice.address()),
        topic::private_store(bob),
        topic::intro(bob),
        topic::invite(bob),
        f.dm_topic.clone(),
        topic::ephemeral(&f.dm_topic),
        f.v2_topic.clone(),
        topic::ephemeral(&f.v2_topic),
        topic::user_preferences("x"),
        "/xmtp/0/other-x/proto".to_string(),
    ];
    let mut reader = EnvelopeReader::new(f.bob.clone());
    if let Some(c) = xmtp_fuzz::bob_conversation() {
        reader.add_conversation(c.clone());
    }
    let envelope = Envelope {
        content_topic: topics[usize::from(pick) % topics.len()].clone(),
        timestamp_ns: f.invitation_ns,
        message: message.to_vec(),
    };
    let _ = reader.read(&envelope);
});
