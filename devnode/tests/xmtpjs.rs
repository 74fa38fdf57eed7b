//! The real `@xmtp/xmtp-js` 13.0.4 through this node (auth on, the reference rate limits): the
//! interop harness in `tests/interop/js` (needs Node.js and `npm ci` there) runs against it with
//! `--api-url`.
//!
//! - `produce.cjs`: three xmtp-js clients hold V1 and V2 conversations (with a live stream and
//!   paged reads) and read everything back; what they read must have the shape of the committed
//!   corpus's `expected`, and the node must hold exactly the envelopes they published.
//! - `consume.cjs`: the committed corpus, published to the node, reads back exactly as expected.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::{json, Value};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn js_dir() -> PathBuf {
    repo().join("tests/interop/js")
}

fn run_node(args: &[&str]) {
    let dir = js_dir();
    assert!(
        dir.join("node_modules/@xmtp/xmtp-js").is_dir(),
        "the xmtp-js harness is not installed: run `npm ci` in {}",
        dir.display()
    );
    let out = Command::new("node").args(args).current_dir(&dir).output().expect("run node (Node.js >= 20 needed)");
    println!("{}", String::from_utf8_lossy(&out.stdout));
    assert!(
        out.status.success(),
        "node {args:?} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

/// What must be the same in two runs of the script: per identity, each conversation's version,
/// context and messages (content type, text content, fallback, whether content/remote content
/// decoded), conversations sorted. Addresses, ids, keys and times differ from run to run.
fn shape(expected: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (name, readback) in expected.as_object().expect("expected") {
        let mut conversations: Vec<Value> = readback["conversations"]
            .as_array()
            .expect("conversations")
            .iter()
            .map(|c| {
                let messages: Vec<Value> = c["messages"]
                    .as_array()
                    .expect("messages")
                    .iter()
                    .map(|m| {
                        let text = m["contentType"] == json!("xmtp.org/text:1.0");
                        json!({
                            "contentType": m["contentType"],
                            "text": if text { m["content"].clone() } else { Value::Null },
                            "decoded": !m["content"].is_null(),
                            "fallback": m["fallback"],
                            "error": m.get("error").is_some(),
                            "remote": m.get("remoteContent").cloned(),
                        })
                    })
                    .collect();
                json!({ "version": c["version"], "context": c["context"], "messages": messages })
            })
            .collect();
        conversations.sort_by_key(|c| c.to_string());
        out.insert(name.clone(), Value::Array(conversations));
    }
    Value::Object(out)
}

fn envelope_key(e: &Value) -> (String, String, String) {
    (
        e["contentTopic"].as_str().unwrap().to_string(),
        e["timestampNs"].as_str().unwrap().to_string(),
        e["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn xmtpjs_clients_through_the_node() {
    let node = start(|c| {
        c.auth = true;
        c.rate_limits = Some(xmtp_devnode::RateLimits::default());
    });
    let dir = scratch("xmtpjs");
    let out = dir.join("produced.json");
    run_node(&["produce.cjs", "--api-url", &node.url(), "--out", out.to_str().unwrap()]);
    let produced = read_json(&out);

    // What xmtp-js read back through this node is complete: the same conversations and
    // messages as the committed corpus (3 conversations for alice, 2 for bob, 1 for carol).
    let corpus = read_json(&repo().join("tests/vectors/xmtpjs/corpus-1.json"));
    let counts = |v: &Value| -> Vec<(String, usize, usize)> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(name, r)| {
                let convs = r["conversations"].as_array().unwrap();
                let msgs = convs.iter().map(|c| c["messages"].as_array().unwrap().len()).sum();
                (name.clone(), convs.len(), msgs)
            })
            .collect()
    };
    assert_eq!(counts(&produced["expected"]), counts(&corpus["expected"]));
    assert_eq!(
        counts(&produced["expected"]),
        vec![("alice".into(), 3, 24), ("bob".into(), 2, 19), ("carol".into(), 1, 5)]
    );
    assert_eq!(shape(&produced["expected"]), shape(&corpus["expected"]));

    // The node stored exactly the envelopes the script saw acknowledged.
    let recorded: Vec<Value> = produced["envelopes"].as_array().unwrap().clone();
    assert!(recorded.len() >= 40, "{}", recorded.len());
    let recorded: BTreeSet<(String, String, String)> = recorded.iter().map(envelope_key).collect();
    let topics: BTreeSet<&str> = recorded.iter().map(|(t, _, _)| t.as_str()).collect();
    let a = agent();
    let mut stored = BTreeSet::new();
    for t in &topics {
        let (envelopes, _) = query_all(&a, &node.url(), &[t], "SORT_DIRECTION_ASCENDING", 100);
        stored.extend(envelopes.iter().map(envelope_key));
    }
    assert_eq!(stored, recorded);
    assert_eq!(node.stored_envelopes().unwrap(), recorded.len() as u64, "nothing else stored");
    node.shutdown();

    // The committed corpus, published to a fresh node, reads back exactly as expected.
    let node = start(|c| c.auth = true);
    let corpus_path = repo().join("tests/vectors/xmtpjs/corpus-1.json");
    let corpus_path = corpus_path.to_str().unwrap();
    run_node(&["consume.cjs", "--api-url", &node.url(), "--in", corpus_path, "--expect", corpus_path]);
    assert_eq!(node.stored_envelopes().unwrap(), corpus["envelopes"].as_array().unwrap().len() as u64);
    node.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

/// Batch contact lookups, paging past one page and ephemeral messages, by real xmtp-js clients
/// through the node.
#[test]
fn xmtpjs_batch_query_paging_and_ephemeral_through_the_node() {
    let node = xmtp_devnode::Node::start(xmtp_devnode::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        storage: xmtp_devnode::Storage::Memory,
        log: false,
        ..xmtp_devnode::Config::default()
    })
    .unwrap();
    let out = std::env::temp_dir().join(format!("xmtp-devnode-scenarios-{}.json", std::process::id()));
    run_node(&["scenarios.cjs", "--api-url", &node.url(), "--out", out.to_str().unwrap()]);
    let v = read_json(&out);
    assert_eq!(v["canMessage"], serde_json::json!([true, false, true]), "batch contact lookup");
    let paged: Vec<String> = v["paged"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect();
    let expected: Vec<String> = (0..120).map(|i| format!("p{i:03}")).collect();
    assert_eq!(paged, expected, "120 messages over two pages, in order");
    assert_eq!(v["newest"], serde_json::json!(["p119", "p118", "p117", "p116", "p115"]));
    assert_eq!(v["ephemeralReceived"], serde_json::json!(["ephemeral hello"]), "relayed live");
    assert_eq!(v["ephemeralStored"], false, "never stored");
    std::fs::remove_file(out).ok();
    node.shutdown();
}
