//! Time the protocol operations a client performs besides reading, for the side-by-side host
//! benchmark (`scripts/bench-hosts.sh`): creating an identity (wallet signatures included),
//! sealing and opening an invitation, preparing one message (encode, sign, encrypt), and the
//! peak resident memory while decrypting many messages of one conversation.
//!
//! ```text
//! cargo run --release -p xmtp-core --example bench_ops [--features parallel] -- \
//!     [--runs N] [--read-corpus FILE] [--rss-corpus FILE]
//! ```
//!
//! Prints one JSON line: for each operation the median, minimum and maximum in ms over the runs
//! (after one untimed warm-up); with `--read-corpus` (a corpus from `bench_corpus`) the engine's
//! `decrypt_batch` of all its messages (on several threads when built with `parallel`); with
//! `--rss-corpus` the peak resident set in KiB after decrypting all its messages.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{json, Value};
use xmtp_core::client::Client;
use xmtp_core::content::{Content, Registry, TextCodec};
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};
use xmtp_core::proto::message_api::v1::Envelope;
use xmtp_core::{invitation, message};

const NOW_MS: u64 = 1_700_000_000_000;
const NOW_NS: u64 = NOW_MS * 1_000_000;

/// Median, minimum and maximum of `runs` timings of `f` (ms), after one warm-up.
fn time(runs: usize, mut f: impl FnMut()) -> Value {
    f();
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    let median = if ms.len() % 2 == 1 { ms[ms.len() / 2] } else { (ms[ms.len() / 2 - 1] + ms[ms.len() / 2]) / 2.0 };
    json!({ "median_ms": median, "min_ms": ms[0], "max_ms": ms[ms.len() - 1], "runs": runs })
}

fn identity(rng: &mut ChaCha20Rng) -> PrivateKeyBundle {
    LocalWallet::generate(&mut *rng).create_identity(rng, NOW_MS)
}

/// An engine that knows the corpus's conversation, and the corpus's message envelopes.
fn load(corpus: &str) -> Result<(Client, Vec<Envelope>), String> {
    let text = std::fs::read_to_string(corpus).map_err(|e| format!("{corpus}: {e}"))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{corpus}: {e}"))?;
    let b64 = |v: &Value| B64.decode(v.as_str().unwrap_or_default()).map_err(|e| e.to_string());
    let envelope = |e: &Value| -> Result<Envelope, String> {
        Ok(Envelope {
            content_topic: e["contentTopic"].as_str().unwrap_or_default().to_string(),
            timestamp_ns: e["timestampNs"].as_str().unwrap_or_default().parse().map_err(|_| "timestampNs")?,
            message: b64(&e["message"])?,
        })
    };
    let keys = PrivateKeyBundle::from_bytes(&b64(&v["reader"]["keys"])?).map_err(|e| e.to_string())?;
    let mut client = Client::new(keys, Box::new(ChaCha20Rng::seed_from_u64(9)));
    let invite = envelope(&v["conversation"]["invite"])?;
    client.receive(std::slice::from_ref(&invite));
    let envelopes =
        v["envelopes"].as_array().ok_or("envelopes")?.iter().map(envelope).collect::<Result<Vec<_>, _>>()?;
    Ok((client, envelopes))
}

/// `decrypt_batch` of the corpus's messages, per message.
fn read_batch(corpus: &str, runs: usize) -> Result<Value, String> {
    let (mut client, envelopes) = load(corpus)?;
    let mut failed = 0;
    let mut timing = time(runs, || {
        failed += client.decrypt_batch(&envelopes).iter().filter(|r| r.is_err()).count();
    });
    if failed > 0 {
        return Err(format!("{failed} messages failed"));
    }
    let n = envelopes.len() as f64;
    for key in ["median_ms", "min_ms", "max_ms"] {
        timing[key] = json!(timing[key].as_f64().unwrap_or_default() / n);
    }
    timing["messages"] = json!(envelopes.len());
    timing["parallel"] = json!(cfg!(feature = "parallel"));
    Ok(timing)
}

/// The peak resident set of this process, in KiB (Linux), after decrypting every message of
/// the corpus with the engine.
fn peak_rss_kib(corpus: &str) -> Result<Value, String> {
    let (mut client, envelopes) = load(corpus)?;
    let read = client.decrypt_batch(&envelopes).into_iter().filter(Result::is_ok).count();
    if read != envelopes.len() {
        return Err(format!("read {read} of {} messages", envelopes.len()));
    }
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(json!({ "messages": read, "peak_rss_kib": kib }))
}

fn main() -> ExitCode {
    let mut runs = 50usize;
    let mut rss_corpus = None;
    let mut read_corpus = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--runs", Some(v)) if v.parse::<usize>().is_ok_and(|n| n > 0) => runs = v.parse().unwrap_or(1),
            ("--rss-corpus", Some(v)) => rss_corpus = Some(v),
            ("--read-corpus", Some(v)) => read_corpus = Some(v),
            _ => {
                eprintln!("usage: bench_ops [--runs N] [--read-corpus FILE] [--rss-corpus FILE]");
                return ExitCode::from(2);
            }
        }
    }
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let (alice, bob) = (identity(&mut rng), identity(&mut rng));
    let registry = Registry::new();

    let create_identity = time(runs, || {
        black_box(identity(&mut rng));
    });
    let seal_open = time(runs, || {
        let sealed = invitation::create(&alice, &bob.public_bundle(), None, None, NOW_NS, &mut rng).expect("seals");
        black_box(invitation::open(&bob, sealed.timestamp_ns, &sealed.payload).expect("opens"));
    });
    let sealed = invitation::create(&alice, &bob.public_bundle(), None, None, NOW_NS, &mut rng).expect("seals");
    let conv = sealed.conversation;
    let prepare = time(runs, || {
        let payload = registry.encode(&TextCodec::id(), &Content::Text("hello, bob".into()), None).expect("encodes");
        black_box(message::encode_v2(
            &alice,
            &conv.topic,
            conv.key_material.expose(),
            &payload,
            NOW_NS,
            false,
            &mut rng,
        ));
    });
    let mut out = json!({
        "create_identity": create_identity,
        "invitation_seal_open": seal_open,
        "prepare_message": prepare,
    });
    if let Some(corpus) = read_corpus {
        match read_batch(&corpus, runs) {
            Ok(v) => out["read_batch"] = v,
            Err(e) => {
                eprintln!("bench_ops: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if let Some(corpus) = rss_corpus {
        match peak_rss_kib(&corpus) {
            Ok(v) => out["sync_memory"] = v,
            Err(e) => {
                eprintln!("bench_ops: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{out}");
    ExitCode::SUCCESS
}
