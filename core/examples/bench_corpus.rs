//! Write a benchmark corpus: one V2 conversation of 1,000 text messages written by two senders.
//!
//! ```text
//! cargo run --release -p xmtp-core --example bench_corpus -- --out corpus.json [--messages N]
//! ```
//!
//! Alice invites Bob, then they write alternately (Alice first). The reader is Bob. The output:
//!
//! ```jsonc
//! {
//!   "reader": { "keys": "<std base64 PrivateKeyBundle{v1}>", "address": "0x…" },
//!   "conversation": {
//!     "topic": "/xmtp/0/m-…/proto", "peerAddress": "0x…", "keyMaterial": "<std base64>",
//!     "createdNs": "<decimal>",
//!     "invite": { "contentTopic": "/xmtp/0/invite-<reader>/proto", "timestampNs": "…", "message": "…" }
//!   },
//!   "senders": ["0x…", "0x…"],
//!   "contacts": [ <ContactBundle{v2} envelope of each identity> ],
//!   "envelopes": [ { "contentTopic": "<topic>", "timestampNs": "<decimal>", "message": "<std base64>" } ]
//! }
//! ```
//!
//! With `--conversations C` (C > 1) it writes a corpus for syncing instead: C peers each invite
//! the reader (Bob) to a conversation of `--messages M` text messages (M may be 0: invitations
//! only, for listing). The output:
//!
//! ```jsonc
//! {
//!   "reader": { "keys": "…", "address": "0x…" },
//!   "conversations": [ { "topic": "…", "peerAddress": "0x…", "messages": M } ],
//!   "invites": [ <envelope on the reader's invite topic, one per conversation> ],
//!   "envelopes": [ <every message envelope, conversation after conversation> ]
//! }
//! ```
//!
//! `--peers K` adds K more identities that only published their contact (`"contacts"`, and their
//! addresses as `"peers"`): people to start conversations with.
//!
//! `--meta-out FILE` also writes the same without `invites` and `envelopes`: what a reader needs
//! to check its sync, small enough not to weigh on a measurement of its memory.
//!
//! Everything is deterministic (seeded ChaCha20, fixed timestamps): the same file every run.

use std::process::ExitCode;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{json, Value};
use xmtp_core::content::{Content, Registry, TextCodec};
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};
use xmtp_core::{contact, invitation, message, topic, NS_PER_MS};

const IDENTITY_MS: u64 = 1_700_000_000_000;
const INVITE_NS: u64 = 1_700_000_100_000_000_000;

/// A new identity whose wallet is a throw-away key: the wallet signs the "Create Identity" text.
fn identity(seed: u64) -> PrivateKeyBundle {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    LocalWallet::generate(&mut rng).create_identity(&mut rng, IDENTITY_MS)
}

fn envelope(content_topic: &str, timestamp_ns: u64, message: &[u8]) -> Value {
    json!({ "contentTopic": content_topic, "timestampNs": timestamp_ns.to_string(), "message": B64.encode(message) })
}

/// `n` text messages of a conversation between `a` (who writes first) and `b`.
fn messages(
    a: &PrivateKeyBundle,
    b: &PrivateKeyBundle,
    conv: &invitation::V2Conversation,
    n: usize,
    rng: &mut ChaCha20Rng,
) -> Vec<Value> {
    let registry = Registry::new();
    (0..n)
        .map(|i| {
            let (sender, name) = if i % 2 == 0 { (a, "alice") } else { (b, "bob") };
            let text = format!("message {i:04} from {name}: the quick brown fox jumps over the lazy dog");
            let payload = registry.encode(&TextCodec::id(), &Content::Text(text), None).expect("text encodes");
            let created_ns = INVITE_NS + (i as u64 + 1) * NS_PER_MS;
            let out =
                message::encode_v2(sender, &conv.topic, conv.key_material.expose(), &payload, created_ns, false, rng);
            envelope(&out.topics[0], out.timestamp_ns, &out.bytes)
        })
        .collect()
}

fn reader(bob: &PrivateKeyBundle) -> Value {
    json!({
        "keys": B64.encode(bob.to_v1_bytes().expect("keys are legacy-convertible")),
        "address": bob.address().as_str(),
    })
}

/// `conversations` peers each invite Bob and write `per_conversation` messages with him; `peers`
/// more identities only publish their contact.
fn sync_corpus(conversations: usize, per_conversation: usize, peers: usize) -> Value {
    // A reader of its own per shape, so that several corpora can share one node.
    let bob = identity(1 << 32 | (conversations as u64) << 16 | per_conversation as u64);
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let (mut invites, mut envelopes, mut list) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..conversations {
        let peer = identity(1_000 + i as u64);
        let sealed = invitation::create(&peer, &bob.public_bundle(), None, None, INVITE_NS + i as u64, &mut rng)
            .expect("invite");
        assert_eq!(sealed.topics[0], topic::invite(bob.address()));
        invites.push(envelope(&sealed.topics[0], sealed.timestamp_ns, &sealed.payload));
        let conv = &sealed.conversation;
        envelopes.extend(messages(&peer, &bob, conv, per_conversation, &mut rng));
        list.push(json!({ "topic": conv.topic, "peerAddress": peer.address().as_str(), "messages": per_conversation }));
    }
    let (mut contacts, mut addresses) = (Vec::new(), Vec::new());
    for i in 0..peers {
        let peer = identity(50_000 + i as u64);
        contacts.push(envelope(&topic::contact(peer.address()), IDENTITY_MS * NS_PER_MS, &contact::encode_v2(&peer)));
        addresses.push(peer.address().as_str().to_string());
    }
    json!({
        "reader": reader(&bob),
        "conversations": list,
        "peers": addresses,
        "invites": invites,
        "envelopes": envelopes,
        "contacts": contacts,
    })
}

fn corpus(messages_n: usize) -> Value {
    let alice = identity(1);
    let bob = identity(2);
    let mut rng = ChaCha20Rng::seed_from_u64(3);

    let sealed = invitation::create(&alice, &bob.public_bundle(), None, None, INVITE_NS, &mut rng).expect("invite");
    let conv = &sealed.conversation;
    // The same sealed bytes go to both invite topics; the reader (Bob) finds it on his own.
    assert_eq!(sealed.topics[0], topic::invite(bob.address()));
    let invite = envelope(&sealed.topics[0], sealed.timestamp_ns, &sealed.payload);

    let envelopes = messages(&alice, &bob, conv, messages_n, &mut rng);

    let contacts: Vec<Value> = [&alice, &bob]
        .iter()
        .map(|who| envelope(&topic::contact(who.address()), IDENTITY_MS * NS_PER_MS, &contact::encode_v2(who)))
        .collect();

    json!({
        "reader": reader(&bob),
        "conversation": {
            "topic": conv.topic,
            // From the reader's side: the peer is the inviter.
            "peerAddress": alice.address().as_str(),
            "keyMaterial": B64.encode(conv.key_material.expose()),
            "createdNs": conv.created_ns.to_string(),
            "invite": invite,
        },
        "senders": [alice.address().as_str(), bob.address().as_str()],
        "contacts": contacts,
        "envelopes": envelopes,
    })
}

fn main() -> ExitCode {
    let usage = "usage: bench_corpus --out FILE [--messages N] [--conversations C [--peers K] [--meta-out FILE]]";
    let mut out = None;
    let mut meta_out = None;
    let mut messages = 1000usize;
    let mut conversations = 1usize;
    let mut peers = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--out", Some(v)) => out = Some(v),
            ("--meta-out", Some(v)) => meta_out = Some(v),
            ("--peers", Some(v)) => match v.parse() {
                Ok(n) => peers = n,
                _ => {
                    eprintln!("{usage}");
                    return ExitCode::from(2);
                }
            },
            ("--conversations", Some(v)) => match v.parse() {
                Ok(n) if n > 0 => conversations = n,
                _ => {
                    eprintln!("{usage}");
                    return ExitCode::from(2);
                }
            },
            ("--messages", Some(v)) => match v.parse() {
                Ok(n) => messages = n,
                _ => {
                    eprintln!("{usage}");
                    return ExitCode::from(2);
                }
            },
            _ => {
                eprintln!("{usage}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(out) = out else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    if conversations == 1 && messages == 0 {
        eprintln!("{usage} (one conversation needs at least one message)");
        return ExitCode::from(2);
    }
    let value = if conversations > 1 { sync_corpus(conversations, messages, peers) } else { corpus(messages) };
    if let Some(meta_out) = meta_out {
        let meta =
            json!({ "reader": value["reader"], "conversations": value["conversations"], "peers": value["peers"] });
        if let Err(e) = std::fs::write(&meta_out, meta.to_string() + "\n") {
            eprintln!("writing {meta_out}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let text = serde_json::to_string(&value).expect("JSON serializes") + "\n";
    if let Err(e) = std::fs::write(&out, text) {
        eprintln!("writing {out}: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {conversations} conversation(s) of {messages} messages to {out}");
    ExitCode::SUCCESS
}
