//! Syncing over HTTP, for the side-by-side host benchmark (`scripts/bench-hosts.sh`): the engine
//! and the command-line client's blocking transport against a node on loopback (the devnode,
//! started without auth and rate limits), on the multi-conversation corpora of `bench_corpus`.
//!
//! ```text
//! bench_sync --node URL --load FILE...         publish every invitation and message of the corpora
//! bench_sync --node URL --list META [--runs N] a fresh client lists the reader's conversations
//! bench_sync --node URL --sync META [--runs N] ... and then reads every message of each
//! bench_sync --node URL --sync META --rss      one sync, then the process's peak resident set
//! bench_sync --node URL --send META [--runs N] send one text message at a time to the first
//!                                              conversation (encode, sign, encrypt, publish)
//! bench_sync --node URL --create [--runs N]    create a client of a new wallet: its identity
//!                                              (two wallet signatures), stored keys, its contact
//! bench_sync --node URL --invite META [--runs N] [--offset O]
//!                                              start a conversation with one of the corpus's
//!                                              peers at a time, from peer O on (contact lookup,
//!                                              sealing, publishing the invitation)
//! ```
//!
//! META is the corpus's `--meta-out` file (the reader and the conversations' counts); a whole
//! corpus works too.
//!
//! Each timed run starts from a new engine restored from the reader's keys (nothing cached), and
//! checks that it found every conversation and message of the corpus. Prints one JSON line: the
//! median, minimum and maximum in ms over the runs (after one untimed warm-up; 1,000 for sends), or the peak
//! resident set in KiB.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde_json::{json, Value};
use xmtp_cli::session::Session;
use xmtp_cli::transport::Transport;
use xmtp_core::client::{Client, Event, MessageQuery, SendOptions};
use xmtp_core::content::{Content, TextCodec};
use xmtp_core::crypto::Address;
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};

fn read(path: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
}

/// Publish the corpus's envelopes, 500 at a time.
fn load(node: &str, corpus: &Value) -> Result<usize, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(60))).build().into();
    let mut all: Vec<&Value> = Vec::new();
    for key in ["invites", "envelopes"] {
        all.extend(corpus[key].as_array().ok_or(format!("the corpus has no {key}"))?);
    }
    all.extend(corpus["contacts"].as_array().into_iter().flatten());
    for chunk in all.chunks(500) {
        let body = json!({ "envelopes": chunk }).to_string();
        let response = agent
            .post(format!("{node}/message/v1/publish"))
            .header("Content-Type", "application/json")
            .send(body)
            .map_err(|e| format!("publish: {e}"))?;
        if response.status() != 200 {
            return Err(format!("publish: HTTP {}", response.status()));
        }
    }
    Ok(all.len())
}

/// A fresh engine of the reader, over a new transport.
fn session(node: &str, corpus: &Value) -> Result<Session, String> {
    let keys = B64
        .decode(corpus["reader"]["keys"].as_str().ok_or("the corpus has no reader keys")?)
        .map_err(|e| format!("reader keys: {e}"))?;
    let keys = PrivateKeyBundle::from_bytes(&keys).map_err(|e| format!("reader keys: {e}"))?;
    let transport = Transport::new(node, None)?;
    Ok(Session { client: Client::new(keys, Box::new(rand_core::OsRng)), transport, verbose: false })
}

/// List the conversations; with `messages`, read each one's messages too. Returns the counts.
fn sync(node: &str, corpus: &Value, messages: bool) -> Result<(usize, usize), String> {
    let mut s = session(node, corpus)?;
    let now = xmtp_cli::session::now_ns();
    let op = s.client.sync_conversations(now);
    s.run(op)?;
    let topics: Vec<String> = s.client.conversations().iter().map(|c| c.topic.clone()).collect();
    let mut read = 0;
    if messages {
        for topic in &topics {
            let op = s.client.messages(topic, MessageQuery::default());
            match s.run(op)?.0 {
                Event::Messages { messages, .. } => read += messages.len(),
                other => return Err(format!("unexpected event {other:?}")),
            }
        }
    }
    Ok((topics.len(), read))
}

/// Untimed sends before the timed ones, the same in every host: the JVM's and V8's compilers
/// reach their steady state only after a few thousand calls of the HTTP path (measured: a
/// Kotlin send took 2.7 ms after 10, 1.2 ms after 1,500).
const SEND_WARM_UP: usize = 1000;

/// Sync, then time `runs` sends (after [`SEND_WARM_UP`] untimed) to the first conversation, one
/// at a time.
fn send(node: &str, corpus: &Value, runs: usize) -> Result<Vec<f64>, String> {
    let mut s = session(node, corpus)?;
    let op = s.client.sync_conversations(xmtp_cli::session::now_ns());
    s.run(op)?;
    let topic = s.client.conversations().first().ok_or("no conversation to send to")?.topic.clone();
    let mut ms = Vec::with_capacity(runs);
    for i in 0..runs + SEND_WARM_UP {
        let t = Instant::now();
        let text = Content::Text(format!("benchmark message {i}"));
        let (op, _) = s
            .client
            .send(&topic, &TextCodec::id(), &text, SendOptions::default(), xmtp_cli::session::now_ns())
            .map_err(|e| format!("send: {e}"))?;
        s.run(op)?;
        if i >= SEND_WARM_UP {
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(ms)
}

/// Create `runs` clients of new wallets (after one untimed): identity, stored keys, contact.
fn create(node: &str, runs: usize) -> Result<Vec<f64>, String> {
    let mut ms = Vec::with_capacity(runs);
    for i in 0..=runs {
        let t = Instant::now();
        let transport = Transport::new(node, None)?;
        let wallet = LocalWallet::generate(&mut rand_core::OsRng);
        let keys = xmtp_cli::session::bootstrap(&transport, &wallet)?;
        let mut s = Session { client: Client::new(keys, Box::new(rand_core::OsRng)), transport, verbose: false };
        let op = s.client.publish_contact();
        s.run(op)?;
        if i > 0 {
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(ms)
}

/// Start a conversation with peers `offset`, `offset + 1`, … (the first untimed), one at a time.
fn invite(node: &str, corpus: &Value, runs: usize, offset: usize) -> Result<Vec<f64>, String> {
    let peers = corpus["peers"].as_array().ok_or("the corpus has no peers")?;
    if peers.len() < offset + runs + 1 {
        return Err(format!("the corpus has {} peers, {} needed", peers.len(), offset + runs + 1));
    }
    let mut s = session(node, corpus)?;
    let mut ms = Vec::with_capacity(runs);
    for (i, peer) in peers[offset..=offset + runs].iter().enumerate() {
        let peer = Address::parse(peer.as_str().unwrap_or_default()).map_err(|e| format!("peer: {e}"))?;
        let t = Instant::now();
        let op = s.client.start_conversation(&peer, None, xmtp_cli::session::now_ns());
        match s.run(op)?.0 {
            Event::ConversationStarted { .. } => {}
            other => return Err(format!("unexpected event {other:?}")),
        }
        if i > 0 {
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    Ok(ms)
}

fn expected(corpus: &Value) -> Result<(usize, usize), String> {
    let list = corpus["conversations"].as_array().ok_or("the corpus has no conversations")?;
    let messages = list.iter().map(|c| c["messages"].as_u64().unwrap_or(0) as usize).sum();
    Ok((list.len(), messages))
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run() -> Result<Value, String> {
    let usage = "usage: bench_sync --node URL (--load FILE... | --list META | --sync META | --send META | --create \
                 | --invite META [--offset O]) [--runs N] [--rss]";
    let mut args = std::env::args().skip(1);
    let (mut node, mut mode, mut files, mut runs, mut rss, mut offset) = (None, None, Vec::new(), 5usize, false, 0);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--node" => node = args.next(),
            "--load" | "--list" | "--sync" | "--send" | "--create" | "--invite" => mode = Some(arg.clone()),
            "--offset" => offset = args.next().and_then(|v| v.parse().ok()).ok_or(usage)?,
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).filter(|&n| n > 0).ok_or(usage)?,
            "--rss" => rss = true,
            f if !f.starts_with("--") => files.push(f.to_string()),
            _ => return Err(usage.into()),
        }
    }
    let (Some(node), Some(mode)) = (node, mode) else { return Err(usage.into()) };
    let node = node.trim_end_matches('/').to_string();
    if mode == "--load" {
        let mut n = 0;
        for f in &files {
            n += load(&node, &read(f)?)?;
        }
        return Ok(json!({ "published": n }));
    }
    if mode == "--create" {
        return Ok(timing("create", create(&node, runs)?));
    }
    let [file] = files.as_slice() else { return Err(usage.into()) };
    let corpus = read(file)?;
    if mode == "--send" {
        return Ok(timing("send", send(&node, &corpus, runs)?));
    }
    if mode == "--invite" {
        return Ok(timing("invite", invite(&node, &corpus, runs, offset)?));
    }
    let want = expected(&corpus)?;
    let messages = mode == "--sync";
    let check = |got: (usize, usize)| {
        let want = if messages { want } else { (want.0, 0) };
        if got == want {
            Ok(())
        } else {
            Err(format!("found {got:?} (conversations, messages), the corpus has {want:?}"))
        }
    };
    if rss {
        check(sync(&node, &corpus, messages)?)?;
        return Ok(json!({ "op": "sync", "messages": want.1, "peak_rss_kib": peak_rss_kib() }));
    }
    check(sync(&node, &corpus, messages)?)?;
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        check(sync(&node, &corpus, messages)?)?;
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let mut out = timing(if messages { "sync" } else { "list" }, ms);
    out["conversations"] = json!(want.0);
    out["messages"] = json!(if messages { want.1 } else { 0 });
    Ok(out)
}

/// Median, minimum and maximum of timings (ms).
fn timing(op: &str, mut ms: Vec<f64>) -> Value {
    ms.sort_by(f64::total_cmp);
    let n = ms.len();
    let median = if n % 2 == 1 { ms[n / 2] } else { (ms[n / 2 - 1] + ms[n / 2]) / 2.0 };
    json!({ "op": op, "runs": n, "median_ms": median, "min_ms": ms[0], "max_ms": ms[n - 1] })
}

fn main() -> ExitCode {
    match run() {
        Ok(v) => {
            println!("{v}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bench_sync: {e}");
            ExitCode::FAILURE
        }
    }
}
