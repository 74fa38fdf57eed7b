//! The engine tests' shared set-up: seeded identities and engines, a two-party conversation,
//! and readers of the events.
#![allow(dead_code)]

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use xmtp_core::client::{Client, Conversation, Event, SendOptions};
use xmtp_core::content::{Content, TextCodec};
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};

use super::net::Net;

pub const T0: u64 = 1_760_000_000_000_000_000;

pub fn identity(seed: u64) -> PrivateKeyBundle {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    LocalWallet::generate(&mut rng).create_identity(&mut rng, T0 / 1_000_000)
}

pub fn client(keys: PrivateKeyBundle, seed: u64) -> Client {
    Client::new(keys, Box::new(ChaCha20Rng::seed_from_u64(seed)))
}

pub fn text(s: &str) -> Content {
    Content::Text(s.into())
}

pub fn started(events: &[Event]) -> Conversation {
    events
        .iter()
        .find_map(|e| match e {
            Event::ConversationStarted { conversation, .. } => Some(conversation.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no conversation started in {events:?}"))
}

pub fn texts(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message(m) => match &m.content.content {
                Some(Content::Text(t)) => Some(t.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

pub fn listed(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .find_map(|e| match e {
            Event::Messages { messages, .. } => Some(
                messages
                    .iter()
                    .map(|m| match &m.content.content {
                        Some(Content::Text(t)) => t.clone(),
                        other => panic!("unexpected content {other:?}"),
                    })
                    .collect(),
            ),
            _ => None,
        })
        .expect("a Messages event")
}

/// Two published identities (from seeds `seed` and `seed + 1`) and a V2 conversation that the
/// first started with the second.
pub fn pair(net: &mut Net, seed: u64) -> (Client, Client, Conversation) {
    let (ka, kb) = (identity(seed), identity(seed + 1));
    let b_addr = kb.address().clone();
    let (mut a, mut b) = (client(ka, 1), client(kb, 2));
    a.publish_contact();
    b.publish_contact();
    net.run(&mut [&mut a, &mut b]);
    a.start_conversation(&b_addr, None, net.now_ns);
    let conv = started(&net.run(&mut [&mut a])[0]);
    (a, b, conv)
}

pub fn send(c: &mut Client, net: &mut Net, topic: &str, s: &str) -> String {
    net.now_ns += 1_000_000;
    c.send(topic, &TextCodec::id(), &text(s), SendOptions::default(), net.now_ns).expect("send").1
}
