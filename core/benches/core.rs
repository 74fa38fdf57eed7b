//! Benchmarks of the protocol core.
//!
//! - `read_v2_conversation/1000`: read and verify a V2 conversation of 1,000 text messages written
//!   by two senders (alternating): `message::decode_v2` + `Registry::decode` per message, with one
//!   fresh `SenderCache` per iteration, as a client reading a conversation does.
//! - `read_v2_conversation_batch/1000`: the same read with the content signatures verified
//!   together (`message::decode_v2_batch` + `Registry::decode` per message), fresh cache and
//!   coefficient generator per iteration.
//! - `k256_verify/1000`: 1,000 bare ECDSA verifications over distinct digests, the floor of the
//!   single-path read above (one signature check per message).
//! - `verify_batch/{10,100,1000,10000}`: `crypto::verify_batch` over that many valid
//!   signatures by two keys (alternating, as in the conversation); throughput is per signature,
//!   to compare with one `k256_verify` element.
//! - `invitation/seal_open`: create (seal) an invitation, then open it as the recipient.
//! - `message/encode_sign_v2`, `message/encode_v1`: encode (and for V2 sign) one text message.
//!
//! All inputs are deterministic (seeded ChaCha20, fixed timestamps).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use xmtp_core::content::{Content, Registry, TextCodec};
use xmtp_core::crypto::{self, BatchItem, PrivateKey};
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};
use xmtp_core::{invitation, message, NS_PER_MS};

/// Messages in the conversation (and verifications in the floor benchmark).
const MESSAGES: usize = 1000;
/// Creation time of the identities.
const IDENTITY_MS: u64 = 1_700_000_000_000;
/// Creation time of the invitation; messages follow it, one millisecond apart.
const INVITE_NS: u64 = 1_700_000_100_000_000_000;

/// A new identity whose wallet is a throw-away key: the wallet signs the "Create Identity" text.
fn identity(seed: u64) -> PrivateKeyBundle {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    LocalWallet::generate(&mut rng).create_identity(&mut rng, IDENTITY_MS)
}

fn text(i: usize, sender: &str) -> Content {
    Content::Text(format!("message {i:04} from {sender}: the quick brown fox jumps over the lazy dog"))
}

struct Conversation {
    topic: String,
    key_material: Vec<u8>,
    messages: Vec<Vec<u8>>,
}

/// Alice invites Bob; then they write `MESSAGES` text messages, alternating, Alice first.
fn conversation(alice: &PrivateKeyBundle, bob: &PrivateKeyBundle) -> Conversation {
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let registry = Registry::new();
    let sealed = invitation::create(alice, &bob.public_bundle(), None, None, INVITE_NS, &mut rng).expect("invite");
    let topic = sealed.conversation.topic.clone();
    let key_material = sealed.conversation.key_material.expose().to_vec();
    let messages = (0..MESSAGES)
        .map(|i| {
            let (sender, name) = if i % 2 == 0 { (alice, "alice") } else { (bob, "bob") };
            let payload = registry.encode(&TextCodec::id(), &text(i, name), None).expect("text encodes");
            let created_ns = INVITE_NS + (i as u64 + 1) * NS_PER_MS;
            message::encode_v2(sender, &topic, &key_material, &payload, created_ns, false, &mut rng).bytes
        })
        .collect();
    Conversation { topic, key_material, messages }
}

/// Read the whole conversation once, as a client does: one sender cache for the whole read.
fn read_conversation(conv: &Conversation, registry: &Registry) -> usize {
    let mut cache = message::SenderCache::default();
    let mut texts = 0;
    for bytes in &conv.messages {
        let decoded = message::decode_v2(&conv.topic, &conv.key_material, bytes, &mut cache).expect("message reads");
        let content = registry.decode(&decoded.encoded_content);
        if matches!(content.content, Some(Content::Text(_))) {
            texts += 1;
        }
        black_box(&decoded);
    }
    texts
}

/// The same read with the content signatures verified together.
fn read_conversation_batch(conv: &Conversation, registry: &Registry, seed: u64) -> usize {
    let mut cache = message::SenderCache::default();
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let mut texts = 0;
    for decoded in message::decode_v2_batch(&conv.topic, &conv.key_material, &conv.messages, &mut cache, &mut rng) {
        let decoded = decoded.expect("message reads");
        let content = registry.decode(&decoded.encoded_content);
        if matches!(content.content, Some(Content::Text(_))) {
            texts += 1;
        }
        black_box(&decoded);
    }
    texts
}

/// `n` signatures over distinct digests by two keys, alternating.
fn signatures(keys: &[PrivateKey; 2], n: usize) -> Vec<(usize, [u8; 32], crypto::RecoverableSignature)> {
    (0..n as u64)
        .map(|i| {
            let k = (i % 2) as usize;
            let digest = crypto::sha256(&i.to_be_bytes());
            (k, digest, keys[k].sign_prehash(&digest))
        })
        .collect()
}

fn batch_verification(c: &mut Criterion) {
    let keys = [identity(1).current_pre_key().secret().clone(), identity(2).current_pre_key().secret().clone()];
    let public = [keys[0].public_key(), keys[1].public_key()];
    let mut group = c.benchmark_group("verify_batch");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    for n in [10usize, 100, 1000, 10_000] {
        let signed = signatures(&keys, n);
        let items: Vec<BatchItem<'_>> =
            signed.iter().map(|(k, d, s)| BatchItem::new(&public[*k], d, &s.bytes, s.recovery)).collect();
        let mut rng = ChaCha20Rng::seed_from_u64(9);
        assert!(crypto::verify_batch(&items, &mut rng).iter().all(Result::is_ok), "every signature verifies");
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| black_box(crypto::verify_batch(black_box(&items), &mut rng)))
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let alice = identity(1);
    let bob = identity(2);
    let registry = Registry::new();
    let conv = conversation(&alice, &bob);
    assert_eq!(read_conversation(&conv, &registry), MESSAGES, "every message reads as text");

    let mut group = c.benchmark_group("read_v2_conversation");
    group.sample_size(20).measurement_time(Duration::from_secs(8)).throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function(BenchmarkId::from_parameter(MESSAGES), |b| {
        b.iter(|| black_box(read_conversation(black_box(&conv), &registry)))
    });
    group.finish();

    assert_eq!(read_conversation_batch(&conv, &registry, 8), MESSAGES, "every message reads as text");
    let mut group = c.benchmark_group("read_v2_conversation_batch");
    group.sample_size(20).measurement_time(Duration::from_secs(8)).throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function(BenchmarkId::from_parameter(MESSAGES), |b| {
        b.iter(|| black_box(read_conversation_batch(black_box(&conv), &registry, 8)))
    });
    group.finish();

    // Distinct digests signed by one key (a sender's pre-key, as in the conversation).
    let signer = alice.current_pre_key().secret();
    let public = signer.public_key();
    let signed: Vec<([u8; 32], [u8; 64])> = (0..MESSAGES as u64)
        .map(|i| {
            let digest = crypto::sha256(&i.to_be_bytes());
            (digest, signer.sign_prehash(&digest).bytes)
        })
        .collect();
    let mut group = c.benchmark_group("k256_verify");
    group.sample_size(20).measurement_time(Duration::from_secs(8)).throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function(BenchmarkId::from_parameter(MESSAGES), |b| {
        b.iter(|| {
            for (digest, signature) in &signed {
                public.verify_prehash(black_box(digest), black_box(signature)).expect("signature verifies");
            }
        })
    });
    group.finish();

    let bob_public = bob.public_bundle();
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let mut group = c.benchmark_group("invitation");
    group.bench_function("seal_open", |b| {
        b.iter(|| {
            let sealed = invitation::create(&alice, black_box(&bob_public), None, None, INVITE_NS, &mut rng)
                .expect("invitation seals");
            invitation::open(&bob, INVITE_NS, black_box(&sealed.payload)).expect("invitation opens")
        })
    });
    group.finish();

    let alice_public = alice.public_bundle();
    let mut group = c.benchmark_group("message");
    group.bench_function("encode_sign_v2", |b| {
        b.iter(|| {
            let payload = registry.encode(&TextCodec::id(), black_box(&text(7, "bob")), None).expect("text encodes");
            message::encode_v2(&bob, &conv.topic, &conv.key_material, &payload, INVITE_NS, false, &mut rng)
        })
    });
    group.bench_function("encode_v1", |b| {
        b.iter(|| {
            let payload = registry.encode(&TextCodec::id(), black_box(&text(7, "bob")), None).expect("text encodes");
            message::encode_v1(&bob, black_box(&alice_public), &payload.bytes, IDENTITY_MS, false, false, &mut rng)
                .expect("v1 message encodes")
        })
    });
    group.finish();
}

criterion_group!(core, benches, batch_verification);
criterion_main!(core);
