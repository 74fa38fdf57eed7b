//! Batch verification on wasm32, where each verification costs most: run in Node by
//! `scripts/check-wasm.sh --run` (wasm-bindgen-test-runner). Random batches mixing valid
//! signatures with invalid ones of several kinds give, item by item, the single path's answer;
//! a conversation read as one batch reads as envelope by envelope. (The full property suites run
//! natively, in `tests/adversarial/batch.rs`.)
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use wasm_bindgen_test::wasm_bindgen_test;
use xmtp_core::content::{Content, Registry, TextCodec};
use xmtp_core::crypto::{self, BatchItem, PrivateKey, PublicKey};
use xmtp_core::decoder::EnvelopeReader;
use xmtp_core::keys::LocalWallet;
use xmtp_core::proto::message_api::v1::Envelope;
use xmtp_core::{invitation, message};

/// n − s for a 32-byte big-endian s (the malleated, high-S twin).
fn negate(s: &[u8]) -> [u8; 32] {
    const ORDER: [u8; 32] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae,
        0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
    ];
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(ORDER[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

#[wasm_bindgen_test]
fn random_batches_give_the_single_paths_answers() {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let keys: Vec<PrivateKey> = (0..3).map(|_| PrivateKey::generate(&mut rng)).collect();
    let public: Vec<PublicKey> = keys.iter().map(PrivateKey::public_key).collect();
    let mut rejected = 0;
    for size in [1usize, 2, 5, 9, 33, 64] {
        let mut items: Vec<(usize, [u8; 32], Vec<u8>, u8)> = Vec::new();
        for i in 0..size {
            let k = i % keys.len();
            let digest = crypto::sha256(&rng.next_u64().to_be_bytes());
            let sig = keys[k].sign_prehash(&digest);
            let (mut bytes, mut recovery, mut key) = (sig.bytes.to_vec(), sig.recovery, k);
            let mut signed = digest;
            match rng.next_u32() % 8 {
                0 => recovery ^= 1,              // wrong parity: still valid
                1 => signed[0] ^= 1,             // another digest
                2 => key = (k + 1) % keys.len(), // another key
                3 => {
                    let s = negate(&bytes[32..]); // high-S
                    bytes[32..].copy_from_slice(&s);
                    recovery ^= 1;
                }
                4 => bytes[..32].fill(0), // r = 0
                _ => {}
            }
            items.push((key, signed, bytes, recovery));
        }
        let batch: Vec<BatchItem<'_>> =
            items.iter().map(|(k, d, s, r)| BatchItem::new(&public[*k], d, s, *r)).collect();
        let together = crypto::verify_batch(&batch, &mut rng);
        let alone: Vec<_> = batch.iter().map(BatchItem::verify_single).collect();
        assert_eq!(together, alone, "batch of {size}");
        rejected += alone.iter().filter(|r| r.is_err()).count();
    }
    assert!(rejected > 5, "invalid items were in the batches ({rejected})");
}

#[wasm_bindgen_test]
fn a_conversation_reads_the_same_as_one_batch() {
    let mut rng = ChaCha20Rng::seed_from_u64(8);
    let alice = LocalWallet::generate(&mut rng).create_identity(&mut rng, 1_700_000_000_000);
    let bob = LocalWallet::generate(&mut rng).create_identity(&mut rng, 1_700_000_000_000);
    let t0 = 1_700_000_100_000_000_000u64;
    let sealed = invitation::create(&alice, &bob.public_bundle(), None, None, t0, &mut rng).unwrap();
    let conv = &sealed.conversation;
    let mut envelopes =
        vec![Envelope { content_topic: sealed.topics[0].clone(), timestamp_ns: t0, message: sealed.payload.clone() }];
    for i in 0..40u64 {
        let payload = Registry::new().encode(&TextCodec::id(), &Content::Text(format!("m{i}")), None).unwrap();
        let out =
            message::encode_v2(&alice, &conv.topic, conv.key_material.expose(), &payload, t0 + i, false, &mut rng);
        let mut bytes = out.bytes;
        if i % 13 == 5 {
            let n = bytes.len();
            bytes[n / 2] ^= 1; // inside the ciphertext: decryption fails
        }
        envelopes.push(Envelope { content_topic: conv.topic.clone(), timestamp_ns: t0 + i, message: bytes });
    }
    let mut one_by_one = EnvelopeReader::new(bob.clone());
    let expected: Vec<_> =
        envelopes.iter().map(|e| one_by_one.read(e)).map(|(k, r)| (k, r.map(|d| format!("{d:?}")))).collect();
    let mut batched = EnvelopeReader::new(bob);
    let got: Vec<_> =
        batched.read_batch(&envelopes, &mut rng).into_iter().map(|(k, r)| (k, r.map(|d| format!("{d:?}")))).collect();
    assert_eq!(got, expected);
    assert_eq!(got.iter().filter(|(_, r)| r.is_err()).count(), 3);
}
