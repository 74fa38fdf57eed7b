//! Batch verification gives, item by item, exactly the single path's answers: for signatures
//! (`crypto::verify_batch` against `PublicKey::verify_prehash`), for V2 messages
//! (`message::decode_v2_batch` against `message::decode_v2`) and for envelopes
//! (`EnvelopeReader::read_batch` against `EnvelopeReader::read`).

use crate::fixture::*;
use xmtp_core::crypto::{BatchItem, PublicKey, RecoverableSignature};
use xmtp_core::decoder::{Decoded, EnvelopeKind, EnvelopeReader};

/// The order n of secp256k1, big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc,
    0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
];

/// `a − b` on 32-byte big-endian numbers (wrapping).
fn sub_be(a: &[u8; 32], b: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(a[i]) - i16::from(b[i]) - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = d as u8;
    }
    out
}

/// The malleated twin `(r, n − s)` of a low-S signature, with the recovery id of its point.
fn high_s(sig: &RecoverableSignature) -> RecoverableSignature {
    let mut bytes = sig.bytes;
    let s = sub_be(&ORDER, &sig.bytes[32..]);
    bytes[32..].copy_from_slice(&s);
    RecoverableSignature { bytes, recovery: sig.recovery ^ 1 }
}

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

/// Three keys and, for each, valid signatures over distinct digests.
struct Pool {
    public: Vec<PublicKey>,
    /// (signer, digest, signature)
    signed: Vec<(usize, [u8; 32], RecoverableSignature)>,
}

const POOL_KEYS: usize = 3;
const POOL_PER_KEY: usize = 24;

static POOL: LazyLock<Pool> = LazyLock::new(|| {
    let keys: Vec<PrivateKey> = (0..POOL_KEYS as u8).map(|i| key(0x41 + i)).collect();
    let signed = (0..POOL_KEYS * POOL_PER_KEY)
        .map(|i| {
            let k = i % POOL_KEYS;
            let digest = crypto::sha256(format!("digest {i}").as_bytes());
            (k, digest, keys[k].sign_prehash(&digest))
        })
        .collect();
    Pool { public: keys.iter().map(PrivateKey::public_key).collect(), signed }
});

/// Every way an item can be valid or invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Valid,
    /// Valid, but the recovery id names the other y parity (the single path accepts it).
    FlippedRecovery,
    /// Valid, but the recovery id claims x = r + n.
    OverflowRecovery,
    /// Valid, with a recovery id no signer produces.
    RecoveryOutOfRange,
    TamperedDigest,
    /// Checked against another key of the pool.
    OtherKey,
    /// A valid signature by another key over the same digest.
    WrongSenderKey,
    HighS,
    HighSFlipped,
    ZeroR,
    ZeroS,
    ROrder,
    SOrder,
    RMax,
    Short,
    Long,
    Empty,
    /// Scalars from noise.
    Noise,
}

const INVALID_KINDS: [Kind; 15] = [
    Kind::TamperedDigest,
    Kind::OtherKey,
    Kind::WrongSenderKey,
    Kind::HighS,
    Kind::HighSFlipped,
    Kind::ZeroR,
    Kind::ZeroS,
    Kind::ROrder,
    Kind::SOrder,
    Kind::RMax,
    Kind::Short,
    Kind::Long,
    Kind::Empty,
    Kind::Noise,
    Kind::RecoveryOutOfRange,
];

/// A batch item as owned parts: key, digest, signature bytes, recovery id.
type Spec = (PublicKey, [u8; 32], Vec<u8>, u8);

fn build(kind: Kind, pick: usize, noise: u64) -> Spec {
    let pool = &*POOL;
    let (k, digest, sig) = pool.signed[pick % pool.signed.len()];
    let key = pool.public[k];
    let mut bytes = sig.bytes.to_vec();
    let mut recovery = sig.recovery;
    let mut digest = digest;
    let mut key = key;
    match kind {
        Kind::Valid => {}
        Kind::FlippedRecovery => recovery ^= 1,
        Kind::OverflowRecovery => recovery |= 2,
        Kind::RecoveryOutOfRange => recovery = 4 + (noise % 250) as u8,
        Kind::TamperedDigest => digest[(noise % 32) as usize] ^= 1 << (noise % 8),
        Kind::OtherKey => key = pool.public[(k + 1 + (noise % 2) as usize) % POOL_KEYS],
        Kind::WrongSenderKey => {
            // Another key's valid signature over this digest, checked against this key.
            let other = key_for((k + 1) % POOL_KEYS);
            let s = other.sign_prehash(&digest);
            bytes = s.bytes.to_vec();
            recovery = s.recovery;
        }
        Kind::HighS | Kind::HighSFlipped => {
            let h = high_s(&sig);
            bytes = h.bytes.to_vec();
            recovery = if kind == Kind::HighS { h.recovery } else { h.recovery ^ 1 };
        }
        Kind::ZeroR => bytes[..32].fill(0),
        Kind::ZeroS => bytes[32..].fill(0),
        Kind::ROrder => bytes[..32].copy_from_slice(&ORDER),
        Kind::SOrder => bytes[32..].copy_from_slice(&ORDER),
        Kind::RMax => bytes[..32].fill(0xff),
        Kind::Short => {
            bytes.truncate((noise % 64) as usize);
        }
        Kind::Long => bytes.extend(std::iter::repeat_n(0u8, 1 + (noise % 3) as usize)),
        Kind::Empty => bytes.clear(),
        Kind::Noise => {
            let seed = crypto::sha256(&noise.to_be_bytes());
            bytes[..32].copy_from_slice(&seed);
            bytes[0] &= 0x7f;
            bytes[32..].copy_from_slice(&crypto::sha256(&seed));
            bytes[32] &= 0x3f;
        }
    }
    (key, digest, bytes, recovery)
}

fn key_for(k: usize) -> PrivateKey {
    key(0x41 + k as u8)
}

/// Per-item verification results.
type Results = Vec<Result<(), CryptoError>>;

/// The batch's results and the single path's, for the same items.
fn both(specs: &[Spec], seed: u64) -> (Results, Results) {
    let items: Vec<BatchItem<'_>> = specs.iter().map(|(k, d, s, r)| BatchItem::new(k, d, s, *r)).collect();
    let batch = crypto::verify_batch(&items, &mut rng(seed));
    let single = specs.iter().map(|(k, d, s, _)| k.verify_prehash(d, s)).collect();
    (batch, single)
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        12 => Just(Kind::Valid),
        2 => Just(Kind::FlippedRecovery),
        1 => Just(Kind::OverflowRecovery),
        6 => proptest::sample::select(INVALID_KINDS.to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random batches mixing valid signatures with every kind of invalid one.
    #[test]
    fn batch_results_equal_single_results(
        specs in proptest::collection::vec((kind(), any::<usize>(), any::<u64>()), 1..300),
        seed in any::<u64>(),
    ) {
        let specs: Vec<Spec> = specs.into_iter().map(|(k, pick, noise)| build(k, pick, noise)).collect();
        let (batch, single) = both(&specs, seed);
        prop_assert_eq!(batch, single);
    }

    /// Mostly valid batches with a few bad items anywhere: bisection must find exactly them.
    #[test]
    fn bisection_finds_the_bad_items(
        n in 4usize..300,
        bad in proptest::collection::vec((any::<usize>(), 0..INVALID_KINDS.len() + 1, any::<u64>()), 0..4),
        seed in any::<u64>(),
    ) {
        let mut specs: Vec<Spec> = (0..n).map(|i| build(Kind::Valid, i, 0)).collect();
        for (at, k, noise) in bad {
            let kind = INVALID_KINDS.get(k).copied().unwrap_or(Kind::FlippedRecovery);
            specs[at % n] = build(kind, at, noise);
        }
        let (batch, single) = both(&specs, seed);
        prop_assert_eq!(batch, single);
    }
}

#[test]
fn every_kind_gets_the_single_path_answer() {
    // Each kind inside a batch of valid items, and each kind alone.
    let all =
        [[Kind::Valid, Kind::FlippedRecovery, Kind::OverflowRecovery].as_slice(), INVALID_KINDS.as_slice()].concat();
    for (i, kind) in all.iter().enumerate() {
        let mut specs: Vec<Spec> = (0..16).map(|j| build(Kind::Valid, j, 0)).collect();
        specs[5] = build(*kind, i, i as u64 * 7 + 1);
        let (batch, single) = both(&specs, i as u64);
        assert_eq!(batch, single, "{kind:?} in a batch");
        let (batch, single) = both(&specs[5..6], i as u64);
        assert_eq!(batch, single, "{kind:?} alone");
    }
    // The single path's answers for the kinds, so that the comparisons above mean something.
    let alone = |kind| {
        let (k, d, s, _) = build(kind, 1, 3);
        k.verify_prehash(&d, &s)
    };
    assert_eq!(alone(Kind::Valid), Ok(()));
    assert_eq!(alone(Kind::FlippedRecovery), Ok(()));
    assert_eq!(alone(Kind::HighS), Err(CryptoError::BadSignature));
    assert_eq!(alone(Kind::ZeroS), Err(CryptoError::MalformedSignature));
    assert_eq!(alone(Kind::ROrder), Err(CryptoError::MalformedSignature));
    assert_eq!(alone(Kind::Short), Err(CryptoError::MalformedSignature));
    assert_eq!(alone(Kind::WrongSenderKey), Err(CryptoError::BadSignature));
}

#[test]
fn all_valid_and_all_flipped_batches() {
    let valid: Vec<Spec> = (0..120).map(|i| build(Kind::Valid, i, 0)).collect();
    let (batch, single) = both(&valid, 1);
    assert!(batch.iter().all(Result::is_ok));
    assert_eq!(batch, single);
    // Every recovery id wrong: the combined checks all fail, the single path accepts them all.
    let flipped: Vec<Spec> = (0..120).map(|i| build(Kind::FlippedRecovery, i, 0)).collect();
    let (batch, single) = both(&flipped, 2);
    assert!(batch.iter().all(Result::is_ok));
    assert_eq!(batch, single);
    let empty: Vec<Spec> = Vec::new();
    assert_eq!(both(&empty, 3).0, Vec::new());
}

// ---------------------------------------------------------------------------------------------
// Messages and envelopes
// ---------------------------------------------------------------------------------------------

/// Decrypt a V2 message of the Alice–Bob conversation, rewrite its `SignedContent`, encrypt it
/// again under the same header (what a conversation member can forge).
fn reseal(bytes: &[u8], f: impl FnOnce(&mut pb::SignedContent)) -> Vec<u8> {
    let mut v2 = v2_parts(bytes);
    let plain = crypto::decrypt(v2.ciphertext.as_ref().unwrap(), &fx().key, &v2.header_bytes).unwrap();
    let mut signed = pb::SignedContent::decode(plain.as_slice()).unwrap();
    f(&mut signed);
    v2.ciphertext = Some(crypto::encrypt(&signed.encode_to_vec(), &fx().key, &v2.header_bytes, &mut rng(11)));
    v2_bytes(v2)
}

fn ecdsa(signed: &mut pb::SignedContent) -> &mut pb::signature::EcdsaCompact {
    match signed.signature.as_mut().and_then(|s| s.union.as_mut()) {
        Some(pb::signature::Union::EcdsaCompact(e)) => e,
        _ => panic!("not an ecdsa signature"),
    }
}

fn envelope(topic: &str, timestamp_ns: u64, message: Vec<u8>) -> api::Envelope {
    api::Envelope { content_topic: topic.to_string(), timestamp_ns, message }
}

/// A V2 message of the Alice–Bob conversation, by Alice (even `i`) or Bob (odd `i`).
fn v2_message(i: u64) -> Vec<u8> {
    let f = fx();
    let sender = if i % 2 == 0 { &f.alice } else { &f.bob };
    let payload = text_payload(&format!("message {i}"));
    message::encode_v2(sender, &f.topic, &f.key, &payload, V2_SENT_NS + i, false, &mut rng(100 + i)).bytes
}

/// Envelopes of every kind a reader meets, valid and forged: the pool the tests draw from.
static ENVELOPES: LazyLock<Vec<api::Envelope>> = LazyLock::new(|| {
    let f = fx();
    let good: Vec<Vec<u8>> = (0..8).map(v2_message).collect();
    let other_sig = signed_content(&good[2]).signature;
    let carol_sig = {
        let digest = crypto::sha256(b"anything");
        keys::signature_to_proto(&f.carol.current_pre_key().secret().sign_prehash(&digest), SignatureArm::Ecdsa)
    };
    let (other_topic, other_key) = invitation::derive_topic_and_key(&f.alice, &f.carol.public_bundle(), None);
    let mut out: Vec<api::Envelope> = good.iter().map(|m| envelope(&f.topic, V2_SENT_NS, m.clone())).collect();
    let mut push = |m: Vec<u8>| out.push(envelope(&f.topic, V2_SENT_NS, m));
    // A valid signature of another message by the same sender.
    push(reseal(&good[0], |s| s.signature = other_sig.clone()));
    // The recovery id flipped (accepted), and the high-S twin (refused).
    push(reseal(&good[0], |s| ecdsa(s).recovery ^= 1));
    push(reseal(&good[1], |s| {
        let e = ecdsa(s);
        let sig = RecoverableSignature::new(&e.bytes, e.recovery).unwrap();
        let h = high_s(&sig);
        e.bytes = h.bytes.to_vec();
        e.recovery = u32::from(h.recovery);
    }));
    // Signed by a key that is not the sender's pre-key.
    push(reseal(&good[0], |s| s.signature = Some(carol_sig.clone())));
    // Tampered payload under a valid signature.
    push(reseal(&good[1], |s| s.payload.push(0)));
    // Zero r, a recovery id out of range, the wallet arm, no signature.
    push(reseal(&good[0], |s| ecdsa(s).bytes[..32].fill(0)));
    push(reseal(&good[0], |s| ecdsa(s).recovery = 7));
    push(reseal(&good[0], |s| {
        let e = ecdsa(s).clone();
        s.signature = Some(pb::Signature {
            union: Some(pb::signature::Union::WalletEcdsaCompact(pb::signature::WalletEcdsaCompact {
                bytes: e.bytes,
                recovery: e.recovery,
            })),
        });
    }));
    push(reseal(&good[0], |s| s.signature = None));
    // Garbage on the conversation topic.
    push(b"not a message".to_vec());
    // The ephemeral twin of the topic.
    out.push(envelope(&topic::ephemeral(&f.topic), V2_SENT_NS, good[3].clone()));
    // A conversation the reader is not part of.
    let stranger = message::encode_v2(
        &f.alice,
        &other_topic,
        other_key.expose(),
        &text_payload("x"),
        V2_SENT_NS,
        false,
        &mut rng(5),
    );
    out.push(envelope(&other_topic, V2_SENT_NS, stranger.bytes));
    // A V1 message, the invitation, an unknown topic.
    out.push(envelope(&dm_alice_bob(), V1_SENT_MS * 1_000_000, f.v1.clone()));
    out.push(envelope(&topic::invite(f.bob.address()), INVITE_NS, f.sealed.clone()));
    out.push(envelope("/xmtp/0/whatever/proto", 1, vec![1, 2, 3]));
    out
});

/// The index of the invitation in [`ENVELOPES`].
fn invite_index() -> usize {
    ENVELOPES.len() - 2
}

type Read = Vec<(EnvelopeKind, Result<String, &'static str>)>;

/// Comparable form of reader results: the decoded value's Debug form, or the error code.
fn comparable(results: Vec<(EnvelopeKind, Result<Decoded, xmtp_core::Error>)>) -> Read {
    results.into_iter().map(|(k, r)| (k, r.map(|d| format!("{d:?}")).map_err(|e| e.code()))).collect()
}

/// Read `envelopes` with Bob's keys one by one and as one batch; compare results and the
/// conversations each reader learned.
fn read_both(envelopes: &[api::Envelope], seed: u64) -> (Read, Read) {
    let mut one = EnvelopeReader::new(fx().bob.clone());
    let mut many = EnvelopeReader::new(fx().bob.clone());
    let single = comparable(envelopes.iter().map(|e| one.read(e)).collect());
    let batch = comparable(many.read_batch(envelopes, &mut rng(seed)));
    let learned = |r: &EnvelopeReader| {
        (
            r.v2_conversations().iter().map(|c| format!("{c:?}")).collect::<Vec<_>>(),
            r.v1_conversations().iter().map(|c| format!("{c:?}")).collect::<Vec<_>>(),
        )
    };
    assert_eq!(learned(&one), learned(&many));
    (single, batch)
}

#[test]
fn read_batch_equals_read_on_a_conversation() {
    // Messages before the invitation are of an unknown conversation; after it they read.
    let mut envelopes = ENVELOPES.clone();
    let invite = envelopes.remove(invite_index());
    envelopes.insert(3, invite);
    let (single, batch) = read_both(&envelopes, 1);
    assert_eq!(batch, single);
    // The expectations the comparison rests on: valid, flipped-recovery and ephemeral messages
    // read, forged ones are refused with their codes.
    let codes: Vec<&str> = single.iter().map(|(_, r)| r.as_ref().err().copied().unwrap_or("ok")).collect();
    assert_eq!(&codes[..3], ["message.unknown_conversation"; 3]);
    // The invitation, five messages after it, the flipped recovery id, the ephemeral twin, the V1
    // message and the unknown topic.
    assert_eq!(codes.iter().filter(|c| **c == "ok").count(), 1 + 5 + 1 + 1 + 1 + 1, "{codes:?}");
    for code in ["message.bad_signature", "crypto.malformed_signature", "decode.missing_field", "decode.malformed"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
}

#[test]
fn read_batch_equals_read_on_a_long_conversation() {
    let f = fx();
    let mut envelopes = vec![envelope(&topic::invite(f.bob.address()), INVITE_NS, f.sealed.clone())];
    envelopes.extend((0..150).map(|i| envelope(&f.topic, V2_SENT_NS + i, v2_message(i))));
    // A few forged messages in the middle.
    envelopes[40] = ENVELOPES[8].clone();
    envelopes[90] = ENVELOPES[10].clone();
    envelopes[91] = ENVELOPES[9].clone();
    let (single, batch) = read_both(&envelopes, 2);
    assert_eq!(batch, single);
    let refused = single.iter().filter(|(_, r)| r.is_err()).count();
    assert_eq!(refused, 2, "the valid signature of another message and the high-S twin");
}

#[test]
fn decode_v2_batch_equals_decode_v2() {
    let f = fx();
    let messages: Vec<Vec<u8>> =
        ENVELOPES.iter().filter(|e| e.content_topic == f.topic).map(|e| e.message.clone()).collect();
    let mut cache = SenderCache::default();
    let single: Vec<_> = messages.iter().map(|m| message::decode_v2(&f.topic, &f.key, m, &mut cache)).collect();
    let batch = message::decode_v2_batch(&f.topic, &f.key, &messages, &mut SenderCache::default(), &mut rng(3));
    assert_eq!(batch, single);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Random sequences of valid and forged envelopes of every kind.
    #[test]
    fn read_batch_equals_read(picks in proptest::collection::vec(any::<usize>(), 1..60), seed in any::<u64>()) {
        let envelopes: Vec<api::Envelope> = picks.iter().map(|p| ENVELOPES[p % ENVELOPES.len()].clone()).collect();
        let (single, batch) = read_both(&envelopes, seed);
        prop_assert_eq!(batch, single);
    }
}

#[test]
fn invitations_read_through_the_cache_open_as_alone() {
    // The same sealed invitation twice, and one whose sender bundle was tampered: the reader
    // (which caches verified bundles) gives what `invitation::open` gives.
    let f = fx();
    let mut tampered = sealed_parts(&f.sealed);
    let mut header = pb::SealedInvitationHeaderV1::decode(tampered.header_bytes.as_slice()).unwrap();
    if let Some(pre) = header.sender.as_mut().and_then(|s| s.pre_key.as_mut()) {
        pre.key_bytes.push(0);
    }
    tampered.header_bytes = header.encode_to_vec();
    let payloads = [f.sealed.clone(), f.sealed.clone(), sealed_bytes(tampered)];
    let mut reader = EnvelopeReader::new(f.bob.clone());
    for p in &payloads {
        let alone = invitation::open(&f.bob, INVITE_NS, p).map(|c| format!("{c:?}")).map_err(|e| e.code());
        let read = match reader.read(&envelope(&topic::invite(f.bob.address()), INVITE_NS, p.clone())).1 {
            Ok(Decoded::Invite { conversation, .. }) => Ok(format!("{conversation:?}")),
            Ok(other) => panic!("not an invitation: {other:?}"),
            Err(e) => Err(e.code()),
        };
        assert_eq!(read, alone);
    }
}
