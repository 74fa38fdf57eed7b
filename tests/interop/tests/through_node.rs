//! Our client and real `@xmtp/xmtp-js@13.0.4` clients exchange messages through our own node,
//! with publish authentication and rate limits on: xmtp-js writes V1 and V2 conversations that
//! the engine, over the CLI's HTTP transport, reads identically; the CLI's commands write V2 and
//! V1 messages that xmtp-js reads.

#[path = "../../../core/tests/support/corpus.rs"]
mod corpus;

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use xmtp_cli::session::{now_ns, Session};
use xmtp_cli::transport::Transport;
use xmtp_core::client::{Client, Event, MessageQuery};
use xmtp_core::keys::PrivateKeyBundle;
use xmtp_devnode::{Config, Node, Storage};
use xmtp_interop::{read_json, run_node, scratch};

fn session(url: &str, keys: PrivateKeyBundle, seed: u64) -> Session {
    Session {
        client: Client::new(keys, Box::new(ChaCha20Rng::seed_from_u64(seed))),
        transport: Transport::new(url, None).expect("a transport"),
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

    // The CLI (its command functions, with a real profile directory) writes to xmtp-js
    // identities: V2 to bob, V1 to carol (legacy contact only).
    let ctx = xmtp_cli::commands::Ctx {
        node: url.clone(),
        ca_pem: None,
        profile: xmtp_cli::profile::Profile::new(dir.join("dave")),
        json: true,
    };
    xmtp_cli::commands::init(&ctx, None, None, false).unwrap();
    let dave_addr = ctx.profile.keys().unwrap().address().to_string();
    let bob = corpus["identities"]["bob"]["address"].as_str().unwrap();
    let carol = corpus["identities"]["carol"]["address"].as_str().unwrap();
    xmtp_cli::commands::send(&ctx, bob, "from the Rust CLI to bob", None, false).unwrap();
    xmtp_cli::commands::send(&ctx, bob, "second, same conversation", None, false).unwrap();
    xmtp_cli::commands::send(&ctx, carol, "V1 from the Rust CLI to carol", None, false).unwrap();

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
        ("v2".to_string(), vec!["from the Rust CLI to bob".to_string(), "second, same conversation".to_string()])
    );
    assert_eq!(from_dave("carol"), ("v1".to_string(), vec!["V1 from the Rust CLI to carol".to_string()]));
    node.shutdown();
    std::fs::remove_dir_all(dir).ok();
}
