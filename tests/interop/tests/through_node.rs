//! The engine (over the CLI's HTTP transport) and real `@xmtp/xmtp-js@13.0.4` clients exchange
//! messages through our own node, with publish authentication and rate limits on: xmtp-js writes
//! V1 and V2 conversations that the engine reads identically; the engine writes V2 and V1
//! messages that xmtp-js reads.

#[path = "../../../core/tests/support/corpus.rs"]
mod corpus;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use xmtp_cli::session::{now_ns, Session};
use xmtp_cli::transport::Transport;
use xmtp_core::client::{Client, Event, MessageQuery, SendOptions};
use xmtp_core::content::{Content, TextCodec};
use xmtp_core::crypto::Address;
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};
use xmtp_devnode::{Config, Node, Storage};
use xmtp_interop::{read_json, run_node, scratch};

fn session(url: &str, keys: PrivateKeyBundle, seed: u64) -> Session {
    Session {
        client: Client::new(keys, Box::new(ChaCha20Rng::seed_from_u64(seed))),
        transport: Transport::new(url),
        verbose: false,
    }
}

fn keys_of(corpus: &Value, identity: &str) -> PrivateKeyBundle {
    let b64 = corpus["identities"][identity]["keys"].as_str().unwrap();
    PrivateKeyBundle::from_bytes(&xmtp_core::api::decode_base64(b64).unwrap()).unwrap()
}

/// Everything the engine reads over the network, in the shape the harness writes.
fn read_all(s: &mut Session) -> corpus::ReadBack {
    let op = s.client.sync_conversations(now_ns());
    s.run(op).unwrap();
    let mut out = corpus::ReadBack::default();
    for c in s.client.conversations() {
        let context = json!(c.context);
        corpus::record_conversation(
            &mut out,
            &c.topic,
            c.version.as_str(),
            c.peer_address.as_str(),
            context,
            c.created_ns,
        );
        let op = s.client.messages(&c.topic, MessageQuery::default());
        let (event, _) = s.run(op).unwrap();
        let Event::Messages { messages, .. } = event else { panic!("messages") };
        for m in &messages {
            corpus::record_message(&mut out, &m.message, &m.content);
        }
    }
    out
}

fn send_text(s: &mut Session, peer: &Address, text: &str) -> String {
    let op = s.client.start_conversation(peer, None, now_ns());
    let (event, _) = s.run(op).unwrap();
    let Event::ConversationStarted { conversation, .. } = event else { panic!("conversation") };
    let (op, id) = s
        .client
        .send(&conversation.topic, &TextCodec::id(), &Content::Text(text.into()), SendOptions::default(), now_ns())
        .unwrap();
    s.run(op).unwrap();
    id
}

#[test]
fn engine_and_xmtpjs_talk_through_our_node() {
    let node = Node::start(Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        storage: Storage::Memory,
        log: false,
        ..Config::default()
    })
    .expect("node");
    let url = node.url();
    let dir = scratch("through-node");

    // xmtp-js writes (three clients, V1 and V2, every content type) through our node…
    let produced = dir.join("corpus.json");
    run_node("produce.cjs", &["--api-url", &url, "--out", produced.to_str().unwrap()]).unwrap();
    let corpus = read_json(&produced);
    // …and the engine, fetching everything over HTTP, reads what xmtp-js read.
    let mut compared = 0;
    for (i, identity) in ["alice", "bob", "carol"].into_iter().enumerate() {
        let mut s = session(&url, keys_of(&corpus, identity), i as u64);
        let got = read_all(&mut s);
        compared += corpus::compare(&corpus["expected"][identity], &got).unwrap_or_else(|e| panic!("{identity}: {e}"));
    }
    assert!(compared >= 40, "compared {compared} message contents");

    // The engine writes to xmtp-js identities: V2 to bob, V1 to carol (legacy contact only).
    let mut rng = ChaCha20Rng::seed_from_u64(77);
    let dave_keys = LocalWallet::generate(&mut rng).create_identity(&mut rng, now_ns() / 1_000_000);
    let dave_addr = dave_keys.address().to_string();
    let mut dave = session(&url, dave_keys, 9);
    let op = dave.client.publish_contact();
    dave.run(op).unwrap();
    let bob = Address::parse(corpus["identities"]["bob"]["address"].as_str().unwrap()).unwrap();
    let carol = Address::parse(corpus["identities"]["carol"]["address"].as_str().unwrap()).unwrap();
    send_text(&mut dave, &bob, "from the Rust engine to bob");
    send_text(&mut dave, &bob, "second, same conversation");
    send_text(&mut dave, &carol, "V1 from the Rust engine to carol");

    // xmtp-js reads them from our node (nothing given to it but the keys).
    let input = dir.join("keys.json");
    let identities = json!({
        "bob": {"keys": corpus["identities"]["bob"]["keys"]},
        "carol": {"keys": corpus["identities"]["carol"]["keys"]},
    });
    std::fs::write(&input, json!({"identities": identities, "envelopes": []}).to_string()).unwrap();
    let output = dir.join("read.json");
    run_node("consume.cjs", &["--api-url", &url, "--in", input.to_str().unwrap(), "--out", output.to_str().unwrap()])
        .unwrap();
    let read = read_json(&output);
    let from_dave = |identity: &str| -> (String, Vec<String>) {
        let conv = read[identity]["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["peerAddress"] == dave_addr.as_str())
            .unwrap_or_else(|| panic!("{identity} has no conversation with the engine's identity"))
            .clone();
        let texts =
            conv["messages"].as_array().unwrap().iter().map(|m| m["content"].as_str().unwrap().to_string()).collect();
        (conv["version"].as_str().unwrap().to_string(), texts)
    };
    assert_eq!(
        from_dave("bob"),
        ("v2".to_string(), vec!["from the Rust engine to bob".to_string(), "second, same conversation".to_string()])
    );
    assert_eq!(from_dave("carol"), ("v1".to_string(), vec!["V1 from the Rust engine to carol".to_string()]));
    node.shutdown();
    std::fs::remove_dir_all(dir).ok();
}
