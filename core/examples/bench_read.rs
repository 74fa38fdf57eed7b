//! Read a benchmark corpus (see `bench_corpus`) with the core and time it.
//!
//! ```text
//! cargo run --release -p xmtp-core --example bench_read -- --in corpus.json [--runs N]
//! ```
//!
//! The reader's keys open the invitation, which must yield the conversation the file names. Then
//! all messages are decoded and verified with their content signatures checked together
//! (`message::decode_v2_batch` + `Registry::decode`, one fresh `SenderCache` and coefficient
//! generator per run), `N` times; interleaved with each run, the same number of bare ECDSA
//! verifications over distinct digests is timed in the same process. Prints one JSON line:
//!
//! ```json
//! {"rust_ms_per_message": 0.05, "k256_verify_ms": 0.048, "ratio": 1.04, "messages": 1000, "runs": 30}
//! ```
//!
//! Times are medians over the runs, divided by the number of messages.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{json, Value};
use xmtp_core::content::{Content, Registry};
use xmtp_core::crypto::{self, PrivateKey};
use xmtp_core::keys::PrivateKeyBundle;
use xmtp_core::{invitation, message};

struct Corpus {
    topic: String,
    key_material: Vec<u8>,
    messages: Vec<Vec<u8>>,
}

fn field<'a>(v: &'a Value, path: &[&str]) -> Result<&'a Value, String> {
    path.iter().try_fold(v, |v, k| v.get(k).ok_or_else(|| format!("corpus: missing {}", path.join("."))))
}

fn string<'a>(v: &'a Value, path: &[&str]) -> Result<&'a str, String> {
    field(v, path)?.as_str().ok_or_else(|| format!("corpus: {} is not a string", path.join(".")))
}

fn base64(v: &Value, path: &[&str]) -> Result<Vec<u8>, String> {
    B64.decode(string(v, path)?).map_err(|e| format!("corpus: {}: {e}", path.join(".")))
}

fn decimal(v: &Value, path: &[&str]) -> Result<u64, String> {
    string(v, path)?.parse().map_err(|e| format!("corpus: {}: {e}", path.join(".")))
}

/// Load the corpus and check it: the reader opens the invitation, and the conversation it
/// yields is the one the file describes; every envelope is on that conversation's topic.
fn load(path: &str) -> Result<Corpus, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let reader = PrivateKeyBundle::from_bytes(&base64(&v, &["reader", "keys"])?)
        .map_err(|e| format!("reader keys: {}", e.code()))?;
    let invite = field(&v, &["conversation", "invite"])?;
    let conv = invitation::open(&reader, decimal(invite, &["timestampNs"])?, &base64(invite, &["message"])?)
        .map_err(|e| format!("opening the invitation: {}", e.code()))?;
    let topic = string(&v, &["conversation", "topic"])?;
    if conv.topic != topic
        || conv.key_material.expose() != base64(&v, &["conversation", "keyMaterial"])?.as_slice()
        || conv.peer_address.as_str() != string(&v, &["conversation", "peerAddress"])?
        || conv.created_ns != decimal(&v, &["conversation", "createdNs"])?
    {
        return Err("corpus: the invitation does not match the conversation".into());
    }
    let envelopes = field(&v, &["envelopes"])?.as_array().ok_or("corpus: envelopes is not an array")?;
    let messages = envelopes
        .iter()
        .map(|e| {
            if string(e, &["contentTopic"])? != topic {
                return Err("corpus: an envelope is not on the conversation topic".to_string());
            }
            base64(e, &["message"])
        })
        .collect::<Result<Vec<_>, _>>()?;
    if messages.is_empty() {
        return Err("corpus: no envelopes".into());
    }
    Ok(Corpus { topic: conv.topic.clone(), key_material: conv.key_material.expose().to_vec(), messages })
}

/// Decode and verify every message (signatures in one batch) with one fresh sender cache;
/// returns how many are text.
fn read(corpus: &Corpus, registry: &Registry, rng: &mut ChaCha20Rng) -> Result<usize, String> {
    let mut cache = message::SenderCache::default();
    let mut texts = 0;
    for decoded in message::decode_v2_batch(&corpus.topic, &corpus.key_material, &corpus.messages, &mut cache, rng) {
        let decoded = decoded.map_err(|e| format!("message: {}", e.code()))?;
        if matches!(registry.decode(&decoded.encoded_content).content, Some(Content::Text(_))) {
            texts += 1;
        }
        black_box(&decoded);
    }
    Ok(texts)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn run(path: &str, runs: usize) -> Result<Value, String> {
    let corpus = load(path)?;
    let n = corpus.messages.len();
    let registry = Registry::new();
    let mut rng = ChaCha20Rng::seed_from_u64(6);

    // Check once: every message reads as text, from exactly two senders.
    let mut cache = message::SenderCache::default();
    let mut senders = BTreeSet::new();
    for bytes in &corpus.messages {
        let d = message::decode_v2(&corpus.topic, &corpus.key_material, bytes, &mut cache)
            .map_err(|e| format!("message: {}", e.code()))?;
        senders.insert(d.sender_address);
    }
    if read(&corpus, &registry, &mut rng)? != n || senders.len() != 2 {
        return Err("corpus: expected text messages from two senders".into());
    }

    // The floor: as many bare verifications over distinct digests, with a fixed key.
    let key = PrivateKey::generate(&mut ChaCha20Rng::seed_from_u64(5));
    let public = key.public_key();
    let signed: Vec<([u8; 32], [u8; 64])> = (0..n as u64)
        .map(|i| {
            let digest = crypto::sha256(&i.to_be_bytes());
            (digest, key.sign_prehash(&digest).bytes)
        })
        .collect();
    let verify_all = || {
        for (digest, signature) in &signed {
            public.verify_prehash(black_box(digest), black_box(signature)).expect("signature verifies");
        }
    };

    // Warm up, then interleave the two measurements so that both see the same machine state.
    for _ in 0..2 {
        read(&corpus, &registry, &mut rng)?;
        verify_all();
    }
    let (mut read_ms, mut verify_ms) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for _ in 0..runs {
        let t = Instant::now();
        read(&corpus, &registry, &mut rng)?;
        read_ms.push(t.elapsed().as_secs_f64() * 1e3 / n as f64);
        let t = Instant::now();
        verify_all();
        verify_ms.push(t.elapsed().as_secs_f64() * 1e3 / n as f64);
    }
    let (read_ms, verify_ms) = (median(read_ms), median(verify_ms));
    Ok(json!({
        "rust_ms_per_message": read_ms,
        "k256_verify_ms": verify_ms,
        "ratio": read_ms / verify_ms,
        "messages": n,
        "runs": runs,
    }))
}

fn main() -> ExitCode {
    let usage = "usage: bench_read --in FILE [--runs N]";
    let mut input = None;
    let mut runs = 30usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--in", Some(v)) => input = Some(v),
            ("--runs", Some(v)) => match v.parse() {
                Ok(r) if r > 0 => runs = r,
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
    let Some(input) = input else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    match run(&input, runs) {
        Ok(result) => {
            println!("{result}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
