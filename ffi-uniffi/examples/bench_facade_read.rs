//! Read a `bench_corpus` conversation through the facade, as the Kotlin benchmark does through
//! the bindings: the reader's keys, the invitation, then `decrypt_batch` of every message.
//!
//! ```text
//! cargo run --release -p xmtp-ffi --example bench_facade_read -- CORPUS.json [RUNS]
//! ```
//! Prints `{"facade_ms_per_message": …, "messages": …, "runs": …}`.

use std::time::Instant;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::Value;
use xmtp_ffi::{Client, ClientOptions, Envelope, Environment};

fn envelope(v: &Value) -> Envelope {
    Envelope {
        content_topic: v["contentTopic"].as_str().expect("topic").to_string(),
        timestamp_ns: v["timestampNs"].as_str().expect("timestamp").parse().expect("a number"),
        message: B64.decode(v["message"].as_str().expect("message")).expect("base64").into(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus: Value = serde_json::from_str(&std::fs::read_to_string(&args[1]).expect("corpus")).expect("json");
    let runs: usize = args.get(2).map_or(10, |r| r.parse().expect("runs"));
    let keys = B64.decode(corpus["reader"]["keys"].as_str().expect("keys")).expect("base64");
    let options =
        ClientOptions { env: Environment::Local, api_url: Some("http://127.0.0.1:9".into()), app_version: None };
    let client = Client::from_keys(keys.into(), options).expect("client");
    client.decrypt_batch(vec![envelope(&corpus["conversation"]["invite"])]);
    let envelopes: Vec<Envelope> = corpus["envelopes"].as_array().expect("envelopes").iter().map(envelope).collect();
    let n = envelopes.len();
    let read = |envelopes: Vec<Envelope>| {
        let results = client.decrypt_batch(envelopes);
        assert!(results.iter().all(|r| r.message.is_some()), "every message reads");
    };
    read(envelopes.clone());
    let start = Instant::now();
    for _ in 0..runs {
        read(envelopes.clone());
    }
    let ms = start.elapsed().as_secs_f64() * 1000.0 / (runs * n) as f64;
    println!("{{\"facade_ms_per_message\": {ms:.5}, \"messages\": {n}, \"runs\": {runs}}}");
}
