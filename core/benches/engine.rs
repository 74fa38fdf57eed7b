//! Benchmarks of the sans-I/O client engine, driven through the deterministic in-memory network
//! of the engine tests (`tests/support/net.rs`). The network contents are built once, by peer
//! engines; only the reading engine is timed, a fresh one per iteration.
//!
//! - `sync/100x100`: from fresh state, sync 100 V2 conversations (invitations on the own invite
//!   topic), then list all messages of each (100 per conversation, written by the peers):
//!   `sync_conversations`, then `messages(topic, MessageQuery::default())` for every topic, both
//!   driven to completion. Throughput is per message.
//! - `list_conversations/2000`: `sync_conversations` over 2,000 invitations (20 pages).
//!   Throughput is per invitation.
//! - `k256_verify/1000`: 1,000 bare ECDSA verifications over distinct digests, the floor of the
//!   reads above (one signature check per message).
//! - `decrypt_batch/sequential/10000` and, with the `parallel` feature,
//!   `decrypt_batch/parallel/10000`: `Client::decrypt_batch` over 10,000 V2 envelopes of 10
//!   conversations, by a fresh engine (cold sender cache) per iteration. The sequential variant
//!   hands the batch over in slices below `PARALLEL_MIN_BATCH`, so it stays on one thread even
//!   when the feature is on.
//!
//! Compare sequential and parallel batch decryption with
//!
//! ```text
//! cargo bench -p xmtp-core --bench engine
//! cargo bench -p xmtp-core --bench engine --features parallel
//! ```
//!
//! The first run reports `decrypt_batch/sequential/10000` only; the second reports it again
//! (criterion shows the change against the first run, which should be none) together with
//! `decrypt_batch/parallel/10000`.
//!
//! All inputs are deterministic (seeded ChaCha20, a simulated clock).

#[path = "../tests/support/net.rs"]
mod net;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, SamplingMode, Throughput};
use net::Net;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use xmtp_core::client::{Client, Event, MessageQuery, SendOptions, PARALLEL_MIN_BATCH};
use xmtp_core::content::{Content, Registry, TextCodec};
use xmtp_core::crypto::{self, Address};
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};
use xmtp_core::proto::message_api::v1::Envelope;

/// Start of the simulated clock (and creation time of every identity).
const T0: u64 = 1_760_000_000_000_000_000;
/// Conversations and messages per conversation of the sync benchmark.
const SYNC_CONVERSATIONS: usize = 100;
const SYNC_MESSAGES: usize = 100;
/// Invitations of the list benchmark.
const INVITATIONS: usize = 2000;
/// Verifications of the floor benchmark.
const VERIFICATIONS: usize = 1000;
/// Conversations and messages per conversation of the batch benchmark.
const BATCH_CONVERSATIONS: usize = 10;
const BATCH_MESSAGES: usize = 1000;

/// A new identity whose wallet is a throw-away key.
fn identity(seed: u64) -> PrivateKeyBundle {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    LocalWallet::generate(&mut rng).create_identity(&mut rng, T0 / 1_000_000)
}

fn client(keys: PrivateKeyBundle, seed: u64) -> Client {
    Client::new(keys, Box::new(ChaCha20Rng::seed_from_u64(seed)))
}

fn text(conversation: usize, i: usize) -> Content {
    Content::Text(format!(
        "message {i:04} in conversation {conversation:04}: the quick brown fox jumps over the lazy dog"
    ))
}

/// A network on which the reader (identity `reader_seed`) has published its contact.
fn network_with_reader(reader_seed: u64) -> (Net, PrivateKeyBundle) {
    let mut net = Net::new(T0);
    let keys = identity(reader_seed);
    let mut reader = client(keys.clone(), reader_seed);
    reader.publish_contact();
    net.run(&mut [&mut reader]);
    (net, keys)
}

/// Peer engines (identities `first_seed..`) each invite the reader, then write `messages` text
/// messages, round-robin across conversations, one millisecond apart. Returns the topics.
fn populate(net: &mut Net, reader: &Address, first_seed: u64, peers: usize, messages: usize) -> Vec<String> {
    let mut clients: Vec<Client> =
        (0..peers as u64).map(|i| client(identity(first_seed + i), first_seed + i)).collect();
    let mut topics = Vec::with_capacity(peers);
    for c in &mut clients {
        net.now_ns += 1_000_000;
        c.start_conversation(reader, None, net.now_ns);
        let events = net.run(&mut [c]);
        let topic = events[0].iter().find_map(|e| match e {
            Event::ConversationStarted { conversation, .. } => Some(conversation.topic.clone()),
            _ => None,
        });
        topics.push(topic.expect("the peer invited the reader"));
    }
    for i in 0..messages {
        for (n, (c, topic)) in clients.iter_mut().zip(&topics).enumerate() {
            net.now_ns += 1_000_000;
            c.send(topic, &TextCodec::id(), &text(n, i), SendOptions::default(), net.now_ns).expect("message encodes");
        }
    }
    let mut refs: Vec<&mut Client> = clients.iter_mut().collect();
    net.run(&mut refs);
    topics
}

/// A fresh reader: sync conversations, then list every conversation's messages. Returns the
/// number of conversations and of messages.
fn sync_and_list(net: &mut Net, mut reader: Client) -> (usize, usize) {
    reader.sync_conversations(net.now_ns);
    net.run(&mut [&mut reader]);
    let topics: Vec<String> = reader.conversations().into_iter().map(|c| c.topic).collect();
    for t in &topics {
        reader.messages(t, MessageQuery::default());
    }
    let events = net.run(&mut [&mut reader]);
    let messages = events[0]
        .iter()
        .map(|e| match e {
            Event::Messages { messages, .. } => messages.len(),
            Event::EnvelopeFailed { code, .. } => panic!("envelope failed: {code}"),
            _ => 0,
        })
        .sum();
    (topics.len(), messages)
}

/// A fresh reader syncs its conversations. Returns how many it knows.
fn list(net: &mut Net, mut reader: Client) -> usize {
    reader.sync_conversations(net.now_ns);
    let events = net.run(&mut [&mut reader]);
    assert!(events[0].iter().any(|e| matches!(e, Event::ConversationsSynced { .. })), "the sync finished");
    reader.conversations().len()
}

fn sync(c: &mut Criterion) {
    let (mut net, keys) = network_with_reader(1);
    populate(&mut net, keys.address(), 1_000, SYNC_CONVERSATIONS, SYNC_MESSAGES);
    let total = SYNC_CONVERSATIONS * SYNC_MESSAGES;
    assert_eq!(sync_and_list(&mut net, client(keys.clone(), 2)), (SYNC_CONVERSATIONS, total));

    let mut group = c.benchmark_group("sync");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(total as u64));
    group.bench_function(BenchmarkId::from_parameter(format!("{SYNC_CONVERSATIONS}x{SYNC_MESSAGES}")), |b| {
        b.iter_batched(
            || client(keys.clone(), 2),
            |reader| black_box(sync_and_list(&mut net, reader)),
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn list_conversations(c: &mut Criterion) {
    let (mut net, keys) = network_with_reader(3);
    populate(&mut net, keys.address(), 10_000, INVITATIONS, 0);
    assert_eq!(list(&mut net, client(keys.clone(), 4)), INVITATIONS);

    let mut group = c.benchmark_group("list_conversations");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(15))
        .throughput(Throughput::Elements(INVITATIONS as u64));
    group.bench_function(BenchmarkId::from_parameter(INVITATIONS), |b| {
        b.iter_batched(|| client(keys.clone(), 4), |reader| black_box(list(&mut net, reader)), BatchSize::PerIteration)
    });
    group.finish();
}

fn k256_verify(c: &mut Criterion) {
    // Distinct digests signed by one key (a sender's pre-key, as in the conversations).
    let keys = identity(5);
    let signer = keys.current_pre_key().secret();
    let public = signer.public_key();
    let signed: Vec<([u8; 32], [u8; 64])> = (0..VERIFICATIONS as u64)
        .map(|i| {
            let digest = crypto::sha256(&i.to_be_bytes());
            (digest, signer.sign_prehash(&digest).bytes)
        })
        .collect();
    let mut group = c.benchmark_group("k256_verify");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .throughput(Throughput::Elements(VERIFICATIONS as u64));
    group.bench_function(BenchmarkId::from_parameter(VERIFICATIONS), |b| {
        b.iter(|| {
            for (digest, signature) in &signed {
                public.verify_prehash(black_box(digest), black_box(signature)).expect("signature verifies");
            }
        })
    });
    group.finish();
}

fn decrypt_batch(c: &mut Criterion) {
    let (mut net, keys) = network_with_reader(6);
    let topics = populate(&mut net, keys.address(), 20_000, BATCH_CONVERSATIONS, BATCH_MESSAGES);
    let envelopes: Vec<Envelope> = topics.iter().flat_map(|t| net.store[t].values().cloned()).collect();
    let total = BATCH_CONVERSATIONS * BATCH_MESSAGES;
    assert_eq!(envelopes.len(), total);
    // The reader knows the conversations; each iteration starts from this state.
    let mut reader = client(keys, 7);
    reader.sync_conversations(net.now_ns);
    net.run(&mut [&mut reader]);
    let state = reader.export_state();
    let fresh =
        || Client::import_state(&state, Registry::new(), Box::new(ChaCha20Rng::seed_from_u64(8))).expect("imports");
    let sequential = |mut reader: Client| -> usize {
        envelopes
            .chunks(PARALLEL_MIN_BATCH - 1)
            .flat_map(|part| reader.decrypt_batch(part))
            .filter(Result::is_ok)
            .count()
    };
    assert_eq!(sequential(fresh()), total, "every envelope decrypts");

    let mut group = c.benchmark_group("decrypt_batch");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Elements(total as u64));
    group.bench_function(BenchmarkId::new("sequential", total), |b| {
        b.iter_batched(fresh, |reader| black_box(sequential(reader)), BatchSize::PerIteration)
    });
    #[cfg(feature = "parallel")]
    {
        let parallel = |mut reader: Client| reader.decrypt_batch(&envelopes).iter().filter(|r| r.is_ok()).count();
        assert_eq!(parallel(fresh()), total, "every envelope decrypts");
        group.bench_function(BenchmarkId::new("parallel", total), |b| {
            b.iter_batched(fresh, |reader| black_box(parallel(reader)), BatchSize::PerIteration)
        });
    }
    group.finish();
}

criterion_group!(engine, sync, list_conversations, k256_verify, decrypt_batch);
criterion_main!(engine);
