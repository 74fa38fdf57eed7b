//! Hostile input: tampered, truncated, replayed and forged messages, invitations, key bundles and
//! auth tokens, each refused with its exact typed error; and property tests that no decoder
//! panics on arbitrary bytes or on single-byte mutations of valid input.
//!
//! Alice and Bob are the identities of `tests/vectors/xmtpjs-13.0.4-vectors.json`; Carol is a
//! third identity built here from fixed keys. All randomness is seeded.

mod common;

use std::sync::LazyLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::{hx, vectors};
use proptest::prelude::*;
use prost::Message as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use xmtp_core::auth::{self, AuthError, AuthToken};
use xmtp_core::consent;
use xmtp_core::content::{Content, EncodedPayload, Registry, TextCodec};
use xmtp_core::crypto::{self, CryptoError, PrivateKey};
use xmtp_core::error::DecodeError;
use xmtp_core::invitation::{self, InvitationError};
use xmtp_core::keys::{
    self, IdentityCreation, KeyError, KeyStorageOpen, KeyStorageSeal, PrivateKeyBundle, SignatureArm,
};
use xmtp_core::message::{self, DecodedMessage, MessageError, SenderCache};
use xmtp_core::proto::message_api::v1 as api;
use xmtp_core::proto::message_contents::{self as pb, ciphertext, Ciphertext};
use xmtp_core::topic;

// ---------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------

const IDENTITY_MS: u64 = 1_700_000_000_000;
const INVITE_NS: u64 = 1_700_000_600_000_000_000;
const V2_SENT_NS: u64 = 1_700_000_700_000_000_000;
const V1_SENT_MS: u64 = 1_700_000_800_000;
const TOKEN_NS: u64 = 1_700_000_900_000_000_000;

struct Fixture {
    alice: PrivateKeyBundle,
    bob: PrivateKeyBundle,
    carol: PrivateKeyBundle,
    carol_wallet: PrivateKey,
    /// The Alice–Bob V2 conversation (deterministic topic and key material).
    topic: String,
    key: Vec<u8>,
    /// Alice → Bob V2 message, and a second one with other content.
    v2: Vec<u8>,
    v2_other: Vec<u8>,
    /// Alice → Bob V1 message.
    v1: Vec<u8>,
    /// Alice → Bob sealed invitation, envelope timestamp `INVITE_NS`.
    sealed: Vec<u8>,
}

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn vector_identity(name: &str) -> PrivateKeyBundle {
    let v = vectors("xmtpjs-13.0.4-vectors.json");
    PrivateKeyBundle::from_bytes(&hx(&v[name]["privateKeyBundleV1Encoded_PrivateKeyBundle"])).expect("vector bundle")
}

fn key(byte: u8) -> PrivateKey {
    PrivateKey::from_bytes(&[byte; 32]).expect("valid scalar")
}

fn wallet_sign(wallet: &PrivateKey, text: &str) -> [u8; 65] {
    wallet.sign_prehash(&crypto::eip191_digest(text)).to_wallet_bytes()
}

fn text_payload(text: &str) -> EncodedPayload {
    Registry::new().encode(&TextCodec::id(), &Content::Text(text.into()), None).expect("text encodes")
}

static FX: LazyLock<Fixture> = LazyLock::new(|| {
    let alice = vector_identity("alice");
    let bob = vector_identity("bob");
    let carol_wallet = key(0x33);
    let creation = IdentityCreation::from_parts(key(0x11), IDENTITY_MS, key(0x22), IDENTITY_MS + 1);
    let sig = wallet_sign(&carol_wallet, &creation.signature_request().text);
    let carol = creation.complete(&sig, Some(&carol_wallet.public_key().address())).expect("carol");

    let (topic, key) = invitation::derive_topic_and_key(&alice, &bob.public_bundle(), None);
    let key = key.expose().to_vec();
    let v2 = message::encode_v2(&alice, &topic, &key, &text_payload("hello bob"), V2_SENT_NS, false, &mut rng(1));
    let v2_other =
        message::encode_v2(&alice, &topic, &key, &text_payload("another one"), V2_SENT_NS + 1, false, &mut rng(2));
    let v1 = message::encode_v1(
        &alice,
        &bob.public_bundle(),
        &text_payload("hi bob").bytes,
        V1_SENT_MS,
        true,
        false,
        &mut rng(3),
    )
    .expect("v1");
    let sealed = invitation::create(&alice, &bob.public_bundle(), None, None, INVITE_NS, &mut rng(4)).expect("invite");
    Fixture {
        alice,
        bob,
        carol,
        carol_wallet,
        topic,
        key,
        v2: v2.bytes,
        v2_other: v2_other.bytes,
        v1: v1.bytes,
        sealed: sealed.payload,
    }
});

fn fx() -> &'static Fixture {
    &FX
}

fn dm_alice_bob() -> String {
    topic::direct_message(fx().alice.address(), fx().bob.address())
}

fn decode_v2(topic: &str, key: &[u8], bytes: &[u8]) -> Result<DecodedMessage, MessageError> {
    message::decode_v2(topic, key, bytes, &mut SenderCache::default())
}

fn bob_reads_v2(bytes: &[u8]) -> Result<DecodedMessage, MessageError> {
    decode_v2(&fx().topic, &fx().key, bytes)
}

fn decode_v1(reader: &PrivateKeyBundle, topic: &str, bytes: &[u8]) -> Result<DecodedMessage, MessageError> {
    message::decode_v1(reader, topic, bytes, &mut SenderCache::default())
}

fn decryption_failed() -> MessageError {
    MessageError::Crypto(CryptoError::DecryptionFailed)
}

// Wire surgery -------------------------------------------------------------------------------

fn v2_parts(bytes: &[u8]) -> pb::MessageV2 {
    match pb::Message::decode(bytes).expect("Message").version {
        Some(pb::message::Version::V2(v2)) => v2,
        other => panic!("not a V2 message: {other:?}"),
    }
}

fn v2_bytes(v2: pb::MessageV2) -> Vec<u8> {
    pb::Message { version: Some(pb::message::Version::V2(v2)) }.encode_to_vec()
}

fn v1_parts(bytes: &[u8]) -> pb::MessageV1 {
    match pb::Message::decode(bytes).expect("Message").version {
        Some(pb::message::Version::V1(v1)) => v1,
        other => panic!("not a V1 message: {other:?}"),
    }
}

fn v1_bytes(v1: pb::MessageV1) -> Vec<u8> {
    pb::Message { version: Some(pb::message::Version::V1(v1)) }.encode_to_vec()
}

fn aes_parts(ct: &mut Option<Ciphertext>) -> &mut ciphertext::Aes256gcmHkdfsha256 {
    match ct.as_mut().and_then(|c| c.union.as_mut()) {
        Some(ciphertext::Union::Aes256GcmHkdfSha256(inner)) => inner,
        None => panic!("no ciphertext"),
    }
}

/// Change a V2 message's ciphertext fields in place.
fn with_v2_ciphertext(f: impl FnOnce(&mut ciphertext::Aes256gcmHkdfsha256)) -> Vec<u8> {
    let mut v2 = v2_parts(&fx().v2);
    f(aes_parts(&mut v2.ciphertext));
    v2_bytes(v2)
}

/// Decrypt the Alice → Bob V2 message, let `f` rewrite its `SignedContent`, and encrypt it again
/// under the conversation key with the original header: what a conversation member (who holds
/// the key material) can forge.
fn reseal_v2(f: impl FnOnce(&mut pb::SignedContent)) -> Vec<u8> {
    let mut v2 = v2_parts(&fx().v2);
    let plain = crypto::decrypt(v2.ciphertext.as_ref().unwrap(), &fx().key, &v2.header_bytes).unwrap();
    let mut signed = pb::SignedContent::decode(plain.as_slice()).unwrap();
    f(&mut signed);
    v2.ciphertext = Some(crypto::encrypt(&signed.encode_to_vec(), &fx().key, &v2.header_bytes, &mut rng(10)));
    v2_bytes(v2)
}

fn signed_content(bytes: &[u8]) -> pb::SignedContent {
    let v2 = v2_parts(bytes);
    let plain = crypto::decrypt(v2.ciphertext.as_ref().unwrap(), &fx().key, &v2.header_bytes).unwrap();
    pb::SignedContent::decode(plain.as_slice()).unwrap()
}

fn sealed_parts(bytes: &[u8]) -> pb::SealedInvitationV1 {
    match pb::SealedInvitation::decode(bytes).expect("SealedInvitation").version {
        Some(pb::sealed_invitation::Version::V1(v1)) => v1,
        None => panic!("no v1"),
    }
}

fn sealed_bytes(v1: pb::SealedInvitationV1) -> Vec<u8> {
    pb::SealedInvitation { version: Some(pb::sealed_invitation::Version::V1(v1)) }.encode_to_vec()
}

/// The legacy `PublicKey` of `secret` at `ts`, without signature (the bytes that get signed).
fn unsigned_legacy(secret: &PrivateKey, ts: u64) -> pb::PublicKey {
    pb::PublicKey {
        timestamp: ts,
        signature: None,
        union: Some(pb::public_key::Union::Secp256k1Uncompressed(pb::public_key::Secp256k1Uncompressed {
            bytes: secret.public_key().to_uncompressed().to_vec(),
        })),
    }
}

/// A legacy pre-key `PrivateKey` whose public half is signed by `signer`.
fn legacy_pre_key(secret: &PrivateKey, ts: u64, signer: &PrivateKey) -> pb::PrivateKey {
    let unsigned = unsigned_legacy(secret, ts);
    let sig = signer.sign_prehash(&crypto::sha256(&unsigned.encode_to_vec()));
    pb::PrivateKey {
        timestamp: ts,
        union: Some(pb::private_key::Union::Secp256k1(pb::private_key::Secp256k1 {
            bytes: secret.to_bytes().to_vec(),
        })),
        public_key: Some(pb::PublicKey {
            signature: Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa)),
            ..unsigned
        }),
    }
}

fn v1_proto(bundle: &PrivateKeyBundle) -> pb::PrivateKeyBundleV1 {
    match pb::PrivateKeyBundle::decode(bundle.to_v1_bytes().unwrap().as_slice()).unwrap().version {
        Some(pb::private_key_bundle::Version::V1(v1)) => v1,
        other => panic!("not v1: {other:?}"),
    }
}

fn v2_proto(bundle: &PrivateKeyBundle) -> pb::PrivateKeyBundleV2 {
    match pb::PrivateKeyBundle::decode(bundle.to_v2_bytes().as_slice()).unwrap().version {
        Some(pb::private_key_bundle::Version::V2(v2)) => v2,
        other => panic!("not v2: {other:?}"),
    }
}

fn secp_private(bytes: &[u8]) -> Option<pb::private_key::Union> {
    Some(pb::private_key::Union::Secp256k1(pb::private_key::Secp256k1 { bytes: bytes.to_vec() }))
}

/// Bob with a new current pre-key (properly signed by his identity key).
fn bob_rotated() -> PrivateKeyBundle {
    let mut v1 = v1_proto(&fx().bob);
    v1.pre_keys = vec![legacy_pre_key(&key(0x44), IDENTITY_MS, fx().bob.identity().secret())];
    PrivateKeyBundle::from_v1(&v1).expect("rotated bundle verifies")
}

// ---------------------------------------------------------------------------------------------
// Control: the fixture itself is valid
// ---------------------------------------------------------------------------------------------

#[test]
fn fixture_messages_and_invitation_are_valid() {
    let f = fx();
    let m = bob_reads_v2(&f.v2).unwrap();
    assert_eq!(m.sender_address, *f.alice.address());
    assert_eq!(Registry::new().decode(&m.encoded_content).content, Some(Content::Text("hello bob".into())));
    bob_reads_v2(&f.v2_other).unwrap();
    let m = decode_v1(&f.bob, &dm_alice_bob(), &f.v1).unwrap();
    assert_eq!(m.sender_address, *f.alice.address());
    decode_v1(&f.alice, &dm_alice_bob(), &f.v1).unwrap();
    let conv = invitation::open(&f.bob, INVITE_NS, &f.sealed).unwrap();
    assert_eq!((conv.topic.as_str(), conv.key_material.expose()), (f.topic.as_str(), f.key.as_slice()));
    assert_eq!(f.carol.address(), &f.carol_wallet.public_key().address());
    // The resealing helper changes nothing by itself.
    let resealed = reseal_v2(|_| {});
    assert_ne!(resealed, f.v2);
    assert_eq!(bob_reads_v2(&resealed).unwrap().encoded_content, bob_reads_v2(&f.v2).unwrap().encoded_content);
}

// ---------------------------------------------------------------------------------------------
// V2 messages
// ---------------------------------------------------------------------------------------------

#[test]
fn v2_every_truncation_is_an_error() {
    let bytes = &fx().v2;
    assert_eq!(bob_reads_v2(&[]), Err(MessageError::WrongVersion));
    for len in 1..bytes.len() {
        assert_eq!(
            bob_reads_v2(&bytes[..len]),
            Err(MessageError::Decode(DecodeError::Malformed("Message"))),
            "prefix of {len} bytes"
        );
    }
}

#[test]
fn v1_and_sealed_invitation_every_truncation_is_an_error() {
    let f = fx();
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &[]), Err(MessageError::WrongVersion));
    for len in 1..f.v1.len() {
        assert_eq!(
            decode_v1(&f.bob, &dm_alice_bob(), &f.v1[..len]),
            Err(MessageError::Decode(DecodeError::Malformed("Message"))),
            "prefix of {len} bytes"
        );
    }
    assert_eq!(
        invitation::open(&f.bob, INVITE_NS, &[]),
        Err(InvitationError::Decode(DecodeError::Missing("sealed_invitation.v1")))
    );
    for len in 1..f.sealed.len() {
        assert_eq!(
            invitation::open(&f.bob, INVITE_NS, &f.sealed[..len]),
            Err(InvitationError::Decode(DecodeError::Malformed("SealedInvitation"))),
            "prefix of {len} bytes"
        );
    }
}

#[test]
fn v2_tampered_header() {
    let f = fx();
    let original = v2_parts(&f.v2);
    let header = pb::MessageHeaderV2::decode(original.header_bytes.as_slice()).unwrap();
    assert_eq!(header.topic, f.topic);

    // Another send time, same topic: the header is the associated data.
    let mut v2 = original.clone();
    v2.header_bytes = pb::MessageHeaderV2 { created_ns: header.created_ns + 1, ..header.clone() }.encode_to_vec();
    let err = bob_reads_v2(&v2_bytes(v2)).unwrap_err();
    assert_eq!(err, decryption_failed());
    assert_eq!(err.code(), "crypto.decryption_failed");

    // Any byte of the header flipped: the header no longer parses, its topic no longer matches,
    // or decryption fails.
    for i in 0..original.header_bytes.len() {
        let mut v2 = original.clone();
        v2.header_bytes[i] ^= 0x01;
        let err = bob_reads_v2(&v2_bytes(v2)).unwrap_err();
        assert!(
            matches!(
                err,
                MessageError::TopicMismatch
                    | MessageError::Crypto(CryptoError::DecryptionFailed)
                    | MessageError::Decode(DecodeError::Malformed("MessageHeaderV2"))
            ),
            "header byte {i}: {err:?}"
        );
    }
    // A byte inside the topic string: the topic check catches it before decryption.
    let mut v2 = original.clone();
    let last = v2.header_bytes.len() - 1;
    v2.header_bytes[last] ^= 0x01;
    assert_eq!(bob_reads_v2(&v2_bytes(v2)), Err(MessageError::TopicMismatch));
    // A header that names another topic, read as that topic: decryption fails.
    let other_topic = topic::v2_conversation("other");
    let mut v2 = original;
    v2.header_bytes = pb::MessageHeaderV2 { topic: other_topic.clone(), ..header }.encode_to_vec();
    assert_eq!(decode_v2(&other_topic, &f.key, &v2_bytes(v2)), Err(decryption_failed()));
}

#[test]
fn v2_tampered_ciphertext_payload() {
    for i in [0, 10, 50] {
        let bytes = with_v2_ciphertext(|c| c.payload[i] ^= 0x80);
        assert_eq!(bob_reads_v2(&bytes), Err(decryption_failed()), "payload byte {i}");
    }
    // The tag (last 16 bytes).
    let bytes = with_v2_ciphertext(|c| *c.payload.last_mut().unwrap() ^= 1);
    assert_eq!(bob_reads_v2(&bytes), Err(decryption_failed()));
    // Truncated payload, and one shorter than a tag.
    let bytes = with_v2_ciphertext(|c| {
        c.payload.pop();
    });
    assert_eq!(bob_reads_v2(&bytes), Err(decryption_failed()));
    let bytes = with_v2_ciphertext(|c| c.payload.truncate(15));
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::Crypto(CryptoError::MalformedCiphertext)));
    // No ciphertext at all, or a ciphertext without its arm.
    let mut v2 = v2_parts(&fx().v2);
    v2.ciphertext = None;
    assert_eq!(bob_reads_v2(&v2_bytes(v2)), Err(MessageError::Decode(DecodeError::Missing("message.ciphertext"))));
    let mut v2 = v2_parts(&fx().v2);
    v2.ciphertext = Some(Ciphertext { union: None });
    assert_eq!(bob_reads_v2(&v2_bytes(v2)), Err(MessageError::Crypto(CryptoError::MalformedCiphertext)));
}

#[test]
fn v2_tampered_salt_and_nonce() {
    let bytes = with_v2_ciphertext(|c| c.hkdf_salt[0] ^= 1);
    assert_eq!(bob_reads_v2(&bytes), Err(decryption_failed()));
    let bytes = with_v2_ciphertext(|c| c.gcm_nonce[11] ^= 1);
    assert_eq!(bob_reads_v2(&bytes), Err(decryption_failed()));
    // Wrong lengths are refused before any decryption.
    let malformed = Err(MessageError::Crypto(CryptoError::MalformedCiphertext));
    assert_eq!(bob_reads_v2(&with_v2_ciphertext(|c| c.hkdf_salt.push(0))), malformed);
    assert_eq!(bob_reads_v2(&with_v2_ciphertext(|c| c.hkdf_salt.clear())), malformed);
    assert_eq!(bob_reads_v2(&with_v2_ciphertext(|c| c.gcm_nonce.truncate(8))), malformed);
    assert_eq!(bob_reads_v2(&with_v2_ciphertext(|c| c.gcm_nonce.extend([0; 4]))), malformed);
}

#[test]
fn v2_swapped_signature() {
    let other = signed_content(&fx().v2_other).signature;
    assert_ne!(other, signed_content(&fx().v2).signature);
    let bytes = reseal_v2(|s| s.signature = other);
    let err = bob_reads_v2(&bytes).unwrap_err();
    assert_eq!(err, MessageError::BadSignature);
    assert_eq!(err.code(), "message.bad_signature");
    // The payload of the other message under this message's signature: same refusal.
    let other_payload = signed_content(&fx().v2_other).payload;
    assert_eq!(bob_reads_v2(&reseal_v2(|s| s.payload = other_payload)), Err(MessageError::BadSignature));
}

#[test]
fn v2_signed_content_missing_or_malformed_parts() {
    let missing = |f: fn(&mut pb::SignedContent), field| {
        assert_eq!(bob_reads_v2(&reseal_v2(f)), Err(MessageError::Decode(DecodeError::Missing(field))));
    };
    missing(|s| s.sender = None, "signed_content.sender");
    missing(|s| s.signature = None, "signed_content.signature");
    // An empty `Signature` is read by the key layer, so the decode error arrives wrapped in it
    // (same code).
    let err = bob_reads_v2(&reseal_v2(|s| s.signature = Some(pb::Signature { union: None }))).unwrap_err();
    assert_eq!(err, MessageError::Key(KeyError::Decode(DecodeError::Missing("signature"))));
    assert_eq!(err.code(), "decode.missing_field");
    let bytes = reseal_v2(|s| s.sender.as_mut().unwrap().pre_key = None);
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::Key(KeyError::NoPreKey)));
    // The content signature in the wallet arm is not a pre-key signature.
    let bytes = reseal_v2(|s| {
        let (sig, _) = keys::signature_from_proto(s.signature.as_ref().unwrap()).unwrap();
        s.signature = Some(keys::signature_to_proto(&sig, SignatureArm::Wallet));
    });
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::BadSignature));
    // A 63-byte signature, and a recovery id of 2.
    let bytes = reseal_v2(|s| {
        s.signature = Some(pb::Signature {
            union: Some(pb::signature::Union::EcdsaCompact(pb::signature::EcdsaCompact {
                bytes: vec![1; 63],
                recovery: 0,
            })),
        })
    });
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::Key(KeyError::Crypto(CryptoError::MalformedSignature))));
    let bytes = reseal_v2(|s| {
        let (sig, _) = keys::signature_from_proto(s.signature.as_ref().unwrap()).unwrap();
        s.signature = Some(pb::Signature {
            union: Some(pb::signature::Union::EcdsaCompact(pb::signature::EcdsaCompact {
                bytes: sig.bytes.to_vec(),
                recovery: 2,
            })),
        })
    });
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::Key(KeyError::Crypto(CryptoError::MalformedSignature))));
    // Plaintext that is not a SignedContent.
    let mut v2 = v2_parts(&fx().v2);
    v2.ciphertext = Some(crypto::encrypt(&[0xff, 0xff], &fx().key, &v2.header_bytes, &mut rng(11)));
    assert_eq!(bob_reads_v2(&v2_bytes(v2)), Err(MessageError::Decode(DecodeError::Malformed("SignedContent"))));
}

#[test]
fn v2_forged_sender_bundle() {
    // Bob (who holds the key material) claims a message of his is Alice's: Alice's bundle as the
    // sender, his own pre-key signature. Decryption succeeds; the signature does not verify.
    let alice_bundle = fx().alice.public_bundle().to_signed_proto();
    let bob = &fx().bob;
    let forge = |sender: pb::SignedPublicKeyBundle, signer: &PrivateKey| {
        let mut v2 = v2_parts(&fx().v2);
        let payload = text_payload("send me your keys").bytes;
        let sig = signer.sign_prehash(&crypto::sha256_parts(&[&v2.header_bytes, &payload]));
        let signed = pb::SignedContent {
            payload,
            sender: Some(sender),
            signature: Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa)),
        };
        v2.ciphertext = Some(crypto::encrypt(&signed.encode_to_vec(), &fx().key, &v2.header_bytes, &mut rng(12)));
        v2_bytes(v2)
    };
    assert_eq!(
        bob_reads_v2(&forge(alice_bundle.clone(), bob.current_pre_key().secret())),
        Err(MessageError::BadSignature)
    );
    // A third identity's whole (valid) bundle under Alice's signature: refused as well.
    let carol_bundle = fx().carol.public_bundle().to_signed_proto();
    assert_eq!(
        bob_reads_v2(&forge(carol_bundle, fx().alice.current_pre_key().secret())),
        Err(MessageError::BadSignature)
    );
    // Alice's identity with Bob's pre-key, so the content signature matches the pre-key: the
    // pre-key is not signed by Alice's identity key.
    let spoofed = pb::SignedPublicKeyBundle {
        identity_key: alice_bundle.identity_key.clone(),
        pre_key: bob.public_bundle().to_signed_proto().pre_key,
    };
    let err = bob_reads_v2(&forge(spoofed, bob.current_pre_key().secret())).unwrap_err();
    assert_eq!(err, MessageError::Key(KeyError::PreKeyNotSigned));
    assert_eq!(err.code(), "key.prekey_not_signed");
    // The real thing, built the same way, is accepted (the forging helper is sound).
    let m = bob_reads_v2(&forge(alice_bundle, fx().alice.current_pre_key().secret())).unwrap();
    assert_eq!(m.sender_address, *fx().alice.address());
}

#[test]
fn v2_sender_pre_key_signed_by_someone_else() {
    // Alice's identity and pre-key, but the pre-key signature is by Carol's identity key.
    let alice = &fx().alice;
    let pre = legacy_pre_key(
        alice.current_pre_key().secret(),
        alice.current_pre_key().public().created(),
        fx().carol.identity().secret(),
    );
    let pre_public = pre.public_key.unwrap();
    let resigned = keys::SignedKey::from_legacy(&pre_public).unwrap().to_signed_proto(false);
    let bytes = reseal_v2(|s| s.sender.as_mut().unwrap().pre_key = Some(resigned));
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::Key(KeyError::PreKeyNotSigned)));

    // The identity key re-tagged from the wallet arm to the key arm: not wallet-signed.
    let bytes = reseal_v2(|s| {
        let id = s.sender.as_mut().unwrap().identity_key.as_mut().unwrap();
        let (sig, arm) = keys::signature_from_proto(id.signature.as_ref().unwrap()).unwrap();
        assert_eq!(arm, SignatureArm::Wallet);
        id.signature = Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa));
    });
    let err = bob_reads_v2(&bytes).unwrap_err();
    assert_eq!(err, MessageError::Key(KeyError::IdentityNotWalletSigned));
    assert_eq!(err.code(), "key.identity_not_wallet_signed");
}

#[test]
fn v2_wrong_key_material() {
    let f = fx();
    let mut wrong = f.key.clone();
    wrong[0] ^= 1;
    assert_eq!(decode_v2(&f.topic, &wrong, &f.v2), Err(decryption_failed()));
    // The key material of Alice's conversation with Carol.
    let (_, carol_key) = invitation::derive_topic_and_key(&f.alice, &f.carol.public_bundle(), None);
    assert_eq!(decode_v2(&f.topic, carol_key.expose(), &f.v2), Err(decryption_failed()));
    assert_eq!(decode_v2(&f.topic, &[], &f.v2), Err(decryption_failed()));
}

#[test]
fn v2_replayed_onto_another_conversation() {
    let f = fx();
    let (carol_topic, carol_key) = invitation::derive_topic_and_key(&f.alice, &f.carol.public_bundle(), None);
    let err = decode_v2(&carol_topic, carol_key.expose(), &f.v2).unwrap_err();
    assert_eq!(err, MessageError::TopicMismatch);
    assert_eq!(err.code(), "message.topic_mismatch");
    // Even with the right key material, the topic is checked.
    assert_eq!(decode_v2(&carol_topic, &f.key, &f.v2), Err(MessageError::TopicMismatch));
    // Same conversation, other context id.
    let (ctx_topic, _) = invitation::derive_topic_and_key(&f.alice, &f.bob.public_bundle(), Some("ctx"));
    assert_eq!(decode_v2(&ctx_topic, &f.key, &f.v2), Err(MessageError::TopicMismatch));
}

#[test]
fn wrong_message_version() {
    let f = fx();
    let err = bob_reads_v2(&f.v1).unwrap_err();
    assert_eq!(err, MessageError::WrongVersion);
    assert_eq!(err.code(), "message.wrong_version");
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &f.v2), Err(MessageError::WrongVersion));
    // A Message with no version at all.
    assert_eq!(bob_reads_v2(&pb::Message { version: None }.encode_to_vec()), Err(MessageError::WrongVersion));
}

// ---------------------------------------------------------------------------------------------
// V1 messages
// ---------------------------------------------------------------------------------------------

#[test]
fn v1_tampered_header() {
    let f = fx();
    let original = v1_parts(&f.v1);
    let header = pb::MessageHeaderV1::decode(original.header_bytes.as_slice()).unwrap();
    // Another timestamp: the header is the associated data.
    let mut v1 = original.clone();
    v1.header_bytes = pb::MessageHeaderV1 { timestamp: header.timestamp + 1, ..header.clone() }.encode_to_vec();
    for reader in [&f.bob, &f.alice] {
        assert_eq!(decode_v1(reader, &dm_alice_bob(), &v1_bytes(v1.clone())), Err(decryption_failed()));
    }
    // Sender and recipient swapped: same dm topic, still not the sealed header.
    let mut v1 = original.clone();
    v1.header_bytes =
        pb::MessageHeaderV1 { sender: header.recipient.clone(), recipient: header.sender.clone(), ..header.clone() }
            .encode_to_vec();
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &v1_bytes(v1)), Err(decryption_failed()));
    // Tampered ciphertext.
    let mut v1 = original.clone();
    aes_parts(&mut v1.ciphertext).payload[0] ^= 1;
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &v1_bytes(v1)), Err(decryption_failed()));
    // A header without recipient.
    let mut v1 = original;
    v1.header_bytes = pb::MessageHeaderV1 { recipient: None, ..header }.encode_to_vec();
    assert_eq!(
        decode_v1(&f.bob, &dm_alice_bob(), &v1_bytes(v1)),
        Err(MessageError::Decode(DecodeError::Missing("header.recipient")))
    );
}

#[test]
fn v1_wrong_reader() {
    let f = fx();
    let err = decode_v1(&f.carol, &dm_alice_bob(), &f.v1).unwrap_err();
    assert_eq!(err, MessageError::NotParticipant);
    assert_eq!(err.code(), "message.not_participant");
    // Also when it arrives on an intro topic (no topic check there).
    assert_eq!(decode_v1(&f.carol, &topic::intro(f.carol.address()), &f.v1), Err(MessageError::NotParticipant));
}

#[test]
fn v1_replayed_onto_another_dm_topic() {
    let f = fx();
    for (a, b) in [(&f.alice, &f.carol), (&f.bob, &f.carol)] {
        let other = topic::direct_message(a.address(), b.address());
        let err = decode_v1(&f.bob, &other, &f.v1).unwrap_err();
        assert_eq!(err, MessageError::TopicMismatch);
        assert_eq!(err.code(), "message.topic_mismatch");
        let other = topic::direct_message_ephemeral(a.address(), b.address());
        assert_eq!(decode_v1(&f.bob, &other, &f.v1), Err(MessageError::TopicMismatch));
    }
    // The right pair's ephemeral topic and the intro topics are accepted.
    decode_v1(&f.bob, &topic::direct_message_ephemeral(f.alice.address(), f.bob.address()), &f.v1).unwrap();
    decode_v1(&f.bob, &topic::intro(f.bob.address()), &f.v1).unwrap();
}

#[test]
fn v1_forged_sender_bundle() {
    let f = fx();
    let payload = text_payload("it is me, alice").bytes;
    // Carol writes to Bob with Alice's bundle as the sender, encrypting with the only secret she
    // can compute (her own keys). Bob derives the secret from Alice's keys: decryption fails.
    let header = pb::MessageHeaderV1 {
        sender: Some(f.alice.public_bundle().to_legacy_proto().unwrap()),
        recipient: Some(f.bob.public_bundle().to_legacy_proto().unwrap()),
        timestamp: V1_SENT_MS,
    }
    .encode_to_vec();
    let secret = f.carol.shared_secret(&f.bob.public_bundle(), f.carol.current_pre_key(), false);
    let forged = v1_bytes(pb::MessageV1 {
        ciphertext: Some(crypto::encrypt(&payload, secret.expose(), &header, &mut rng(20))),
        header_bytes: header.clone(),
    });
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &forged), Err(decryption_failed()));
    // The same with Alice's real secret decrypts (the forging path is sound).
    let secret = f.alice.shared_secret(&f.bob.public_bundle(), f.alice.current_pre_key(), false);
    let genuine = v1_bytes(pb::MessageV1 {
        ciphertext: Some(crypto::encrypt(&payload, secret.expose(), &header, &mut rng(21))),
        header_bytes: header,
    });
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &genuine).unwrap().encoded_content, payload);

    // Alice's identity with Carol's pre-key (which Carol can use): the pre-key is not Alice's.
    let mut sender = f.alice.public_bundle().to_legacy_proto().unwrap();
    sender.pre_key = f.carol.public_bundle().to_legacy_proto().unwrap().pre_key;
    let header = pb::MessageHeaderV1 {
        sender: Some(sender),
        recipient: Some(f.bob.public_bundle().to_legacy_proto().unwrap()),
        timestamp: V1_SENT_MS,
    }
    .encode_to_vec();
    let forged = v1_bytes(pb::MessageV1 {
        ciphertext: Some(crypto::encrypt(&payload, &[0; 195], &header, &mut rng(22))),
        header_bytes: header,
    });
    let err = decode_v1(&f.bob, &dm_alice_bob(), &forged).unwrap_err();
    assert_eq!(err, MessageError::Key(KeyError::PreKeyNotSigned));
}

// ---------------------------------------------------------------------------------------------
// Invitations
// ---------------------------------------------------------------------------------------------

#[test]
fn invitation_timestamp_mismatch() {
    let f = fx();
    for ts in [INVITE_NS - 1, INVITE_NS + 1, 0, INVITE_NS / 1_000_000] {
        let err = invitation::open(&f.bob, ts, &f.sealed).unwrap_err();
        assert_eq!(err, InvitationError::TimestampMismatch);
        assert_eq!(err.code(), "invitation.timestamp_mismatch");
    }
}

#[test]
fn invitation_tampered_header() {
    let f = fx();
    let original = sealed_parts(&f.sealed);
    let header = pb::SealedInvitationHeaderV1::decode(original.header_bytes.as_slice()).unwrap();
    // A new creation time, matched by the envelope: the header is the associated data.
    let mut v1 = original.clone();
    v1.header_bytes = pb::SealedInvitationHeaderV1 { created_ns: INVITE_NS + 5, ..header.clone() }.encode_to_vec();
    let err = invitation::open(&f.bob, INVITE_NS + 5, &sealed_bytes(v1)).unwrap_err();
    assert_eq!(err, InvitationError::Crypto(CryptoError::DecryptionFailed));
    assert_eq!(err.code(), "crypto.decryption_failed");
    // Tampered ciphertext.
    let mut v1 = original.clone();
    aes_parts(&mut v1.ciphertext).payload[3] ^= 1;
    assert_eq!(
        invitation::open(&f.bob, INVITE_NS, &sealed_bytes(v1)),
        Err(InvitationError::Crypto(CryptoError::DecryptionFailed))
    );
    // The sender's bundle swapped for Carol's: Bob derives another secret.
    let mut v1 = original.clone();
    v1.header_bytes =
        pb::SealedInvitationHeaderV1 { sender: Some(f.carol.public_bundle().to_signed_proto()), ..header.clone() }
            .encode_to_vec();
    assert_eq!(
        invitation::open(&f.bob, INVITE_NS, &sealed_bytes(v1)),
        Err(InvitationError::Crypto(CryptoError::DecryptionFailed))
    );
    // The sender's pre-key signed by someone else.
    let mut sender = header.sender.clone().unwrap();
    sender.pre_key = f.carol.public_bundle().to_signed_proto().pre_key;
    let mut v1 = original.clone();
    v1.header_bytes = pb::SealedInvitationHeaderV1 { sender: Some(sender), ..header.clone() }.encode_to_vec();
    assert_eq!(
        invitation::open(&f.bob, INVITE_NS, &sealed_bytes(v1)),
        Err(InvitationError::Key(KeyError::PreKeyNotSigned))
    );
    // No sender at all.
    let mut v1 = original;
    v1.header_bytes = pb::SealedInvitationHeaderV1 { sender: None, ..header }.encode_to_vec();
    assert_eq!(
        invitation::open(&f.bob, INVITE_NS, &sealed_bytes(v1)),
        Err(InvitationError::Decode(DecodeError::Missing("header.sender")))
    );
}

#[test]
fn invitation_opened_by_third_party() {
    let err = invitation::open(&fx().carol, INVITE_NS, &fx().sealed).unwrap_err();
    assert_eq!(err, InvitationError::NotForUs);
    assert_eq!(err.code(), "invitation.not_for_us");
}

#[test]
fn invitation_recipient_pre_key_unknown() {
    let f = fx();
    // Sealed to Bob's new pre-key; the old bundle does not have it.
    let rotated = bob_rotated();
    assert_eq!(rotated.address(), f.bob.address());
    let sealed = invitation::create(&f.alice, &rotated.public_bundle(), None, None, INVITE_NS, &mut rng(30)).unwrap();
    invitation::open(&rotated, INVITE_NS, &sealed.payload).unwrap();
    let err = invitation::open(&f.bob, INVITE_NS, &sealed.payload).unwrap_err();
    assert_eq!(err, InvitationError::Key(KeyError::NoMatchingPreKey));
    assert_eq!(err.code(), "key.no_matching_prekey");
    // The other way round: sealed to the old pre-key, opened with only the new one.
    assert_eq!(invitation::open(&rotated, INVITE_NS, &f.sealed), Err(InvitationError::Key(KeyError::NoMatchingPreKey)));
}

fn hand_built_invitation(topic: &str, key_material: Option<Vec<u8>>) -> pb::InvitationV1 {
    pb::InvitationV1 {
        topic: topic.to_string(),
        context: None,
        consent_proof: None,
        encryption: key_material.map(|key_material| {
            pb::invitation_v1::Encryption::Aes256GcmHkdfSha256(pb::invitation_v1::Aes256gcmHkdfsha256 { key_material })
        }),
    }
}

fn seal_and_open(invitation: &pb::InvitationV1) -> Result<invitation::V2Conversation, InvitationError> {
    let f = fx();
    let sealed = invitation::seal(&f.alice, &f.bob.public_bundle(), invitation, INVITE_NS, &mut rng(40)).unwrap();
    invitation::open(&f.bob, INVITE_NS, &sealed)
}

#[test]
fn invitation_invalid_topic() {
    // Control: a valid hand-built invitation opens.
    let good = seal_and_open(&hand_built_invitation("/xmtp/0/m-custom/proto", Some(vec![9; 32]))).unwrap();
    assert_eq!(good.topic, "/xmtp/0/m-custom/proto");
    for bad in ["", "/xmtp/0/m-has space/proto", "/xmtp/0//proto", "/xmtp/0/m-\u{e9}/proto", "no-prefix", "/xmtp/0/m-x"]
    {
        let err = seal_and_open(&hand_built_invitation(bad, Some(vec![9; 32]))).unwrap_err();
        assert_eq!(err, InvitationError::InvalidContent, "topic {bad:?}");
        assert_eq!(err.code(), "invitation.invalid_content");
    }
}

#[test]
fn invitation_key_material_of_wrong_length() {
    for len in [0, 1, 16, 31, 33, 64] {
        let err = seal_and_open(&hand_built_invitation("/xmtp/0/m-custom/proto", Some(vec![9; len]))).unwrap_err();
        assert_eq!(err, InvitationError::InvalidContent, "{len} bytes");
    }
    assert_eq!(
        seal_and_open(&hand_built_invitation("/xmtp/0/m-custom/proto", None)),
        Err(InvitationError::InvalidContent)
    );
}

#[test]
fn invitation_to_self_is_refused() {
    let f = fx();
    let err = invitation::create(&f.alice, &f.alice.public_bundle(), None, None, INVITE_NS, &mut rng(41)).unwrap_err();
    assert_eq!(err, InvitationError::SelfInvite);
    assert_eq!(err.code(), "invitation.self_invite");
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

#[test]
fn key_bundle_private_key_mismatch() {
    let base = v1_proto(&fx().alice);
    // The identity's private key replaced by another scalar.
    let mut v1 = base.clone();
    v1.identity_key.as_mut().unwrap().union = secp_private(&[0x55; 32]);
    let err = PrivateKeyBundle::from_v1(&v1).unwrap_err();
    assert_eq!(err, KeyError::KeyMismatch);
    assert_eq!(err.code(), "key.mismatch");
    // The pre-key's private key replaced.
    let mut v1 = base.clone();
    v1.pre_keys[0].union = secp_private(&[0x55; 32]);
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap_err(), KeyError::KeyMismatch);
    // Through the encoded form, and in the V2 form.
    let encoded = pb::PrivateKeyBundle { version: Some(pb::private_key_bundle::Version::V1(v1)) }.encode_to_vec();
    assert_eq!(PrivateKeyBundle::from_bytes(&encoded).unwrap_err(), KeyError::KeyMismatch);
    let mut v2 = v2_proto(&fx().alice);
    v2.pre_keys[0].union =
        Some(pb::signed_private_key::Union::Secp256k1(pb::signed_private_key::Secp256k1 { bytes: vec![0x55; 32] }));
    assert_eq!(PrivateKeyBundle::from_v2(&v2).unwrap_err(), KeyError::KeyMismatch);
    // A private key that is not a scalar.
    let mut v1 = base;
    v1.pre_keys[0].union = secp_private(&[0; 32]);
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap_err(), KeyError::Crypto(CryptoError::InvalidPrivateKey));
}

#[test]
fn key_bundle_pre_key_signed_by_another_key() {
    let alice = &fx().alice;
    let mut v1 = v1_proto(alice);
    v1.pre_keys = vec![legacy_pre_key(&key(0x66), IDENTITY_MS, fx().carol.identity().secret())];
    let err = PrivateKeyBundle::from_v1(&v1).unwrap_err();
    assert_eq!(err, KeyError::PreKeyNotSigned);
    assert_eq!(err.code(), "key.prekey_not_signed");
    // Signed by the pre-key itself.
    v1.pre_keys = vec![legacy_pre_key(&key(0x66), IDENTITY_MS, &key(0x66))];
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap_err(), KeyError::PreKeyNotSigned);
    // Control: signed by the identity key, it is accepted.
    v1.pre_keys = vec![legacy_pre_key(&key(0x66), IDENTITY_MS, alice.identity().secret())];
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap().address(), alice.address());
    // A bundle without pre-keys.
    v1.pre_keys.clear();
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap_err(), KeyError::NoPreKey);
}

#[test]
fn key_bundle_identity_signed_by_no_wallet() {
    let alice = &fx().alice;
    // V2 form: the identity signature in the key arm instead of the wallet arm.
    let mut v2 = v2_proto(alice);
    let public = v2.identity_key.as_mut().unwrap().public_key.as_mut().unwrap();
    let (sig, arm) = keys::signature_from_proto(public.signature.as_ref().unwrap()).unwrap();
    assert_eq!(arm, SignatureArm::Wallet);
    public.signature = Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa));
    let err = PrivateKeyBundle::from_v2(&v2).unwrap_err();
    assert_eq!(err, KeyError::IdentityNotWalletSigned);
    assert_eq!(err.code(), "key.identity_not_wallet_signed");
    // Legacy form: a signature from which no key can be recovered (r = s = 0).
    let mut v1 = v1_proto(alice);
    let public = v1.identity_key.as_mut().unwrap().public_key.as_mut().unwrap();
    public.signature =
        Some(keys::signature_to_proto(&crypto::RecoverableSignature::new(&[0; 64], 0).unwrap(), SignatureArm::Ecdsa));
    assert_eq!(PrivateKeyBundle::from_v1(&v1).unwrap_err(), KeyError::IdentityNotWalletSigned);
    // No signature at all.
    let mut v1 = v1_proto(alice);
    v1.identity_key.as_mut().unwrap().public_key.as_mut().unwrap().signature = None;
    assert_eq!(
        PrivateKeyBundle::from_v1(&v1).unwrap_err(),
        KeyError::Decode(DecodeError::Missing("public_key.signature"))
    );
}

#[test]
fn identity_creation_and_storage_refuse_the_wrong_wallet() {
    let f = fx();
    let creation = IdentityCreation::from_parts(key(0x11), IDENTITY_MS, key(0x22), IDENTITY_MS + 1);
    let sig = wallet_sign(&f.carol_wallet, &creation.signature_request().text);
    let err = creation.complete(&sig, Some(f.alice.address())).unwrap_err();
    assert_eq!(err, KeyError::WrongWallet);
    assert_eq!(err.code(), "key.wrong_wallet");
    // Storing Alice's keys with Carol's wallet signature.
    let seal = KeyStorageSeal::new(&f.alice, &mut rng(50)).unwrap();
    let sig = wallet_sign(&f.carol_wallet, &seal.signature_request().text);
    assert_eq!(seal.complete(&sig, &mut rng(51)).unwrap_err(), KeyError::WrongWallet);
    // Loading stored keys with another signature.
    let seal = KeyStorageSeal::new(&f.carol, &mut rng(52)).unwrap();
    let text = seal.signature_request().text;
    let stored = seal.complete(&wallet_sign(&f.carol_wallet, &text), &mut rng(53)).unwrap();
    let other = wallet_sign(&key(0x77), &text);
    let err = KeyStorageOpen::new(&stored).unwrap().complete(&other).unwrap_err();
    assert_eq!(err, KeyError::StorageDecryptFailed);
    assert_eq!(err.code(), "key.storage_decrypt_failed");
    assert_eq!(KeyStorageOpen::new(&stored).unwrap().complete(&[]).unwrap_err(), KeyError::StorageDecryptFailed);
}

// ---------------------------------------------------------------------------------------------
// Auth tokens
// ---------------------------------------------------------------------------------------------

fn token_parts(token: &AuthToken) -> api::Token {
    api::Token::decode(token.as_bytes()).unwrap()
}

fn token_b64(token: &api::Token) -> String {
    STANDARD.encode(token.encode_to_vec())
}

/// A token by `keys` whose auth data names `wallet_addr` (signed correctly by the identity key).
fn token_naming(keys: &PrivateKeyBundle, wallet_addr: &str) -> String {
    let auth_data = api::AuthData { wallet_addr: wallet_addr.to_string(), created_ns: TOKEN_NS }.encode_to_vec();
    let sig = keys.sign_with_identity(&crypto::keccak256(&auth_data));
    token_b64(&api::Token {
        identity_key: Some(keys.identity().public().to_legacy_proto().unwrap()),
        auth_data_bytes: auth_data,
        auth_data_signature: Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa)),
    })
}

#[test]
fn auth_token_tampered() {
    let alice = &fx().alice;
    let token = AuthToken::create(alice, TOKEN_NS).unwrap();
    assert_eq!(auth::verify_token(&token.header_value(), TOKEN_NS).unwrap(), *alice.address());
    // Auth data changed after signing.
    let mut t = token_parts(&token);
    let last = t.auth_data_bytes.len() - 1;
    t.auth_data_bytes[last] ^= 1;
    let err = auth::verify_token(&token_b64(&t), TOKEN_NS).unwrap_err();
    assert_eq!(err, AuthError::BadSignature);
    assert_eq!(err.code(), "auth.bad_signature");
    // The signature of another token (one millisecond later).
    let later = token_parts(&AuthToken::create(alice, TOKEN_NS + 1_000_000).unwrap());
    let mut t = token_parts(&token);
    t.auth_data_signature = later.auth_data_signature;
    assert_eq!(auth::verify_token(&token_b64(&t), TOKEN_NS), Err(AuthError::BadSignature));
    // Signed by Bob's identity key while presenting Alice's.
    let mut t = token_parts(&token);
    let sig = fx().bob.sign_with_identity(&crypto::keccak256(&t.auth_data_bytes));
    t.auth_data_signature = Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa));
    assert_eq!(auth::verify_token(&token_b64(&t), TOKEN_NS), Err(AuthError::BadSignature));
    // Signature in the wallet arm.
    let mut t = token_parts(&token);
    let (sig, _) = keys::signature_from_proto(t.auth_data_signature.as_ref().unwrap()).unwrap();
    t.auth_data_signature = Some(keys::signature_to_proto(&sig, SignatureArm::Wallet));
    assert_eq!(auth::verify_token(&token_b64(&t), TOKEN_NS), Err(AuthError::BadSignature));
    // Identity key whose wallet signature is unusable.
    let mut t = token_parts(&token);
    t.identity_key.as_mut().unwrap().signature =
        Some(keys::signature_to_proto(&crypto::RecoverableSignature::new(&[0; 64], 0).unwrap(), SignatureArm::Ecdsa));
    let err = auth::verify_token(&token_b64(&t), TOKEN_NS).unwrap_err();
    assert_eq!(err, AuthError::IdentityNotWalletSigned);
    assert_eq!(err.code(), "auth.identity_not_wallet_signed");
    // Not base64, not a token.
    assert_eq!(
        auth::verify_token("Bearer !!!", TOKEN_NS),
        Err(AuthError::Decode(DecodeError::Malformed("token base64")))
    );
    assert_eq!(
        auth::verify_token(&STANDARD.encode([0xff]), TOKEN_NS),
        Err(AuthError::Decode(DecodeError::Malformed("Token")))
    );
    assert_eq!(auth::verify_token("", TOKEN_NS), Err(AuthError::Decode(DecodeError::Missing("token.identity_key"))));
}

#[test]
fn auth_token_expired() {
    let token = AuthToken::create(&fx().alice, TOKEN_NS).unwrap();
    let b64 = token.to_base64();
    assert!(auth::verify_token(&b64, TOKEN_NS + auth::TOKEN_VALIDITY_NS).is_ok());
    let err = auth::verify_token(&b64, TOKEN_NS + auth::TOKEN_VALIDITY_NS + 1).unwrap_err();
    assert_eq!(err, AuthError::Expired);
    assert_eq!(err.code(), "auth.expired");
    assert_eq!(auth::verify_token(&b64, u64::MAX), Err(AuthError::Expired));
}

#[test]
fn auth_token_wallet_mismatch() {
    let f = fx();
    // Control: a hand-built token naming its own wallet verifies.
    assert_eq!(
        auth::verify_token(&token_naming(&f.alice, f.alice.address().as_str()), TOKEN_NS).unwrap(),
        *f.alice.address()
    );
    let err = auth::verify_token(&token_naming(&f.alice, f.bob.address().as_str()), TOKEN_NS).unwrap_err();
    assert_eq!(err, AuthError::WalletMismatch);
    assert_eq!(err.code(), "auth.wallet_mismatch");
    // The comparison is exact: the address must be in its checksummed form.
    let lower = f.alice.address().as_str().to_lowercase();
    assert_ne!(lower, f.alice.address().as_str());
    assert_eq!(auth::verify_token(&token_naming(&f.alice, &lower), TOKEN_NS), Err(AuthError::WalletMismatch));
}

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

/// Where `part` occurs in `whole` (exactly once).
fn range_of(whole: &[u8], part: &[u8]) -> std::ops::Range<usize> {
    let starts: Vec<usize> =
        whole.windows(part.len()).enumerate().filter(|(_, w)| *w == part).map(|(i, _)| i).collect();
    assert_eq!(starts.len(), 1, "part must occur exactly once");
    starts[0]..starts[0] + part.len()
}

/// The byte ranges of a V2 message covered by authentication: the header (associated data) and
/// the salt, nonce and payload of the ciphertext.
static V2_AUTHENTICATED: LazyLock<Vec<std::ops::Range<usize>>> = LazyLock::new(|| {
    let bytes = &fx().v2;
    let mut v2 = v2_parts(bytes);
    let header = v2.header_bytes.clone();
    let ct = aes_parts(&mut v2.ciphertext);
    vec![
        range_of(bytes, &header),
        range_of(bytes, &ct.hkdf_salt),
        range_of(bytes, &ct.gcm_nonce),
        range_of(bytes, &ct.payload),
    ]
});

static V2_DECODED: LazyLock<DecodedMessage> = LazyLock::new(|| bob_reads_v2(&fx().v2).unwrap());

static BOB_SEAL_SECRET: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let f = fx();
    f.alice.shared_secret(&f.bob.public_bundle(), f.alice.current_pre_key(), false).expose().to_vec()
});

fn content_type_name() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "text",
            "reaction",
            "reply",
            "readReceipt",
            "attachment",
            "remoteStaticAttachment",
            "transactionReference",
            "composite",
        ])
        .prop_map(String::from),
        "[a-zA-Z]{0,8}",
    ]
}

fn parameter_name() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "encoding",
            "action",
            "reference",
            "referenceInboxId",
            "schema",
            "filename",
            "mimeType",
            "contentDigest",
            "contentLength",
            "secret",
            "salt",
            "nonce",
            "scheme",
        ])
        .prop_map(String::from),
        "[a-zA-Z]{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic_key_and_contact_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = PrivateKeyBundle::from_bytes(&bytes);
        let _ = xmtp_core::contact::decode_contact(&bytes);
        if let Ok(open) = KeyStorageOpen::new(&bytes) {
            let _ = open.signature_request();
            let _ = open.complete(&bytes);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_message_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let f = fx();
        prop_assert!(invitation::open(&f.bob, INVITE_NS, &bytes).is_err());
        prop_assert!(decode_v1(&f.bob, &dm_alice_bob(), &bytes).is_err());
        prop_assert!(bob_reads_v2(&bytes).is_err());
        let _ = Registry::new().decode(&bytes);
        prop_assert!(consent::decrypt_action(f.alice.identity().secret(), &bytes).is_err());
        let _ = consent::ConsentAction::decode(&bytes);
    }

    #[test]
    fn arbitrary_tokens_never_panic(text in ".{0,200}", bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        prop_assert!(auth::verify_token(&text, TOKEN_NS).is_err());
        prop_assert!(auth::verify_token(&STANDARD.encode(&bytes), TOKEN_NS).is_err());
        let header = ["Bearer ", &STANDARD.encode(&bytes)].concat();
        prop_assert!(auth::verify_token(&header, TOKEN_NS).is_err());
    }

    /// Arbitrary plaintext under valid encryption reaches the inner decoders: `SignedContent`,
    /// `InvitationV1`, the consent action and the stored key bundle.
    #[test]
    fn arbitrary_plaintext_behind_valid_encryption_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let f = fx();
        let mut v2 = v2_parts(&f.v2);
        v2.ciphertext = Some(crypto::encrypt(&bytes, &f.key, &v2.header_bytes, &mut rng(60)));
        prop_assert!(bob_reads_v2(&v2_bytes(v2)).is_err());

        let mut sealed = sealed_parts(&f.sealed);
        sealed.ciphertext = Some(crypto::encrypt(&bytes, &BOB_SEAL_SECRET, &sealed.header_bytes, &mut rng(61)));
        let _ = invitation::open(&f.bob, INVITE_NS, &sealed_bytes(sealed));

        let identity = f.alice.identity().secret();
        let aad = identity.public_key().to_uncompressed();
        let secret = crypto::hkdf_sha256(&identity.to_bytes()[..], b"XMTP_PRIVATE_PREFERENCES_ENCRYPTION", &[]);
        let ct = crypto::encrypt(&bytes, &secret[..], &aad, &mut rng(62));
        let payload = pb::PrivatePreferencesPayload { version: Some(pb::private_preferences_payload::Version::V1(ct)) };
        let plain = consent::decrypt_action(identity, &payload.encode_to_vec()).unwrap();
        prop_assert_eq!(plain.as_slice(), bytes.as_slice());
        let _ = consent::ConsentAction::decode(&plain);

        let stored = pb::EncryptedPrivateKeyBundle {
            version: Some(pb::encrypted_private_key_bundle::Version::V1(pb::EncryptedPrivateKeyBundleV1 {
                wallet_pre_key: vec![1; 32],
                ciphertext: Some(crypto::encrypt(&bytes, &[7; 65], &[], &mut rng(63))),
            })),
        };
        prop_assert!(KeyStorageOpen::new(&stored.encode_to_vec()).unwrap().complete(&[7; 65]).is_err());
    }

    /// Content of a standard (or arbitrary) type with arbitrary parameters, compression value and
    /// body decodes to a result (never a panic); the body may itself be an `EncodedContent` (as
    /// replies and composites nest them). Text content round-trips whatever the string.
    #[test]
    fn arbitrary_encoded_content_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..256),
        nest in any::<bool>(),
        compression in proptest::option::of(-2i32..4),
        type_id in content_type_name(),
        major in 0u32..3,
        parameters in proptest::collection::btree_map(parameter_name(), ".{0,12}", 0..6),
        text in ".{0,64}",
    ) {
        let content_type = |type_id: String| {
            Some(pb::ContentTypeId { authority_id: "xmtp.org".into(), type_id, version_major: major, version_minor: 0 })
        };
        let body = if nest {
            pb::EncodedContent { r#type: content_type(type_id.clone()), parameters: parameters.clone(), fallback: None, compression, content: body }
                .encode_to_vec()
        } else {
            body
        };
        let encoded = pb::EncodedContent { r#type: content_type(type_id), parameters, fallback: None, compression, content: body };
        let _ = Registry::new().decode(&encoded.encode_to_vec());
        let payload = text_payload(&text);
        prop_assert_eq!(Registry::new().decode(&payload.bytes).content, Some(Content::Text(text)));
    }

    /// Strings and small byte strings into the remaining parsers: topics, addresses, content type
    /// ids, wallet signatures, public keys and consent proofs.
    #[test]
    fn arbitrary_strings_and_signatures_never_panic(
        text in ".{0,80}",
        sig in proptest::collection::vec(any::<u8>(), 0..70),
        point in proptest::collection::vec(any::<u8>(), 64..=64),
        timestamp in any::<u64>(),
    ) {
        let _ = (topic::is_valid(&text), topic::kind(&text), topic::owner(&text), topic::name(&text));
        prop_assert_eq!(topic::non_ephemeral(&topic::ephemeral(&text)), topic::non_ephemeral(&text));
        let _ = xmtp_core::crypto::Address::parse(&text);
        let _ = xmtp_core::content::ContentTypeId::parse(&text);
        if let Ok(s) = crypto::RecoverableSignature::from_wallet_bytes(&sig) {
            let _ = s.recover(&crypto::sha256(&sig));
        }
        let _ = keys::recover_wallet(&text, &sig);
        let mut uncompressed = vec![0x04];
        uncompressed.extend_from_slice(&point);
        if let Ok(key) = crypto::PublicKey::from_uncompressed(&uncompressed) {
            prop_assert!(key.verify_prehash(&crypto::sha256(&point), &point).is_err());
        }
        let proof = pb::ConsentProofPayload { signature: text.clone(), timestamp, payload_version: 1 };
        prop_assert!(consent::validate_consent_proof(&proof, fx().alice.address(), &text, TOKEN_NS / 1_000_000).is_err());
        let _ = consent::imf_fixdate(timestamp);
    }

    /// One byte of an encoded private key bundle or contact bundle changed: an error, or the same
    /// keys. The owner stays the same too, unless the byte is in the identity public key (its
    /// signed bytes or its wallet signature): the owner is by definition whichever wallet that
    /// signature recovers to over those bytes.
    #[test]
    fn key_and_contact_bundle_single_byte_mutation(index in any::<proptest::sample::Index>(), flip in 1u8..=255) {
        let alice = &fx().alice;
        let identity = alice.identity().public();
        let mut bytes = alice.to_v1_bytes().unwrap();
        let wallet_signed = range_of(&bytes, &identity.to_legacy_proto().unwrap().encode_to_vec());
        let i = index.index(bytes.len());
        bytes[i] ^= flip;
        if let Ok(b) = PrivateKeyBundle::from_bytes(&bytes) {
            prop_assert!(b.address() == alice.address() || wallet_signed.contains(&i), "owner changed by byte {}", i);
            prop_assert!(b.public_bundle().same_keys(&alice.public_bundle()));
            prop_assert_eq!(b.identity().secret(), alice.identity().secret());
            prop_assert_eq!(b.current_pre_key().secret(), alice.current_pre_key().secret());
        }
        let mut bytes = xmtp_core::contact::encode_v2(alice);
        let wallet_signed = range_of(&bytes, &identity.to_signed_proto(true).encode_to_vec());
        let i = index.index(bytes.len());
        bytes[i] ^= flip;
        if let Ok(c) = xmtp_core::contact::decode_contact(&bytes) {
            prop_assert!(c.address() == alice.address() || wallet_signed.contains(&i), "owner changed by byte {}", i);
            prop_assert!(c.bundle.same_keys(&alice.public_bundle()));
        }
    }

    /// One byte of a valid V2 message changed: an error, or (only outside the authenticated
    /// bytes, e.g. in `sender_hmac` or `should_push`, which the protocol leaves unauthenticated)
    /// the same sender, time, topic and content.
    #[test]
    fn v2_single_byte_mutation(index in any::<proptest::sample::Index>(), flip in 1u8..=255) {
        let mut bytes = fx().v2.clone();
        let i = index.index(bytes.len());
        bytes[i] ^= flip;
        let authenticated = V2_AUTHENTICATED.iter().any(|r| r.contains(&i));
        match bob_reads_v2(&bytes) {
            Err(_) => {}
            Ok(m) => {
                prop_assert!(!authenticated, "mutation at authenticated byte {} accepted", i);
                let d = &*V2_DECODED;
                prop_assert_eq!(&m.sender_address, &d.sender_address);
                prop_assert_eq!(m.sent_ns, d.sent_ns);
                prop_assert_eq!(&m.conversation_topic, &d.conversation_topic);
                prop_assert_eq!(&m.encoded_content, &d.encoded_content);
                prop_assert_eq!(m.version, d.version);
                prop_assert_eq!(m.id, message::message_id(&bytes));
            }
        }
    }

    /// One byte of a sealed invitation changed: an error, or the very same conversation.
    #[test]
    fn sealed_invitation_single_byte_mutation(index in any::<proptest::sample::Index>(), flip in 1u8..=255) {
        let f = fx();
        let mut bytes = f.sealed.clone();
        let i = index.index(bytes.len());
        bytes[i] ^= flip;
        if let Ok(conv) = invitation::open(&f.bob, INVITE_NS, &bytes) {
            prop_assert_eq!(conv, invitation::open(&f.bob, INVITE_NS, &f.sealed).unwrap());
        }
    }
}

/// Every byte of the V2 message, each flipped in all bits: the deterministic counterpart of the
/// property above, over the whole message.
#[test]
fn v2_every_byte_flipped() {
    let f = fx();
    let mut accepted = Vec::new();
    for i in 0..f.v2.len() {
        let mut bytes = f.v2.clone();
        bytes[i] ^= 0xff;
        if let Ok(m) = bob_reads_v2(&bytes) {
            assert!(!V2_AUTHENTICATED.iter().any(|r| r.contains(&i)), "authenticated byte {i} accepted");
            assert_eq!(m.encoded_content, V2_DECODED.encoded_content);
            assert_eq!(m.sender_address, V2_DECODED.sender_address);
            accepted.push(i);
        }
    }
    // Only bytes of the unauthenticated `sender_hmac` (32 bytes) may change without an error.
    let v2 = v2_parts(&f.v2);
    let hmac = range_of(&f.v2, v2.sender_hmac.as_deref().unwrap());
    assert!(accepted.iter().all(|i| hmac.contains(i)), "accepted mutations outside sender_hmac: {accepted:?}");
}

/// Content nested far deeper than allowed (replies in replies, composites in composites) is
/// refused with `NestingTooDeep`, without exhausting the stack; up to the limit it decodes.
#[test]
fn deeply_nested_content_is_refused() {
    use xmtp_core::content::{ContentError, ReplyCodec, MAX_NESTING};
    let registry = Registry::new();
    let reply = |inner: Vec<u8>| {
        pb::EncodedContent {
            r#type: Some(ReplyCodec::id().to_proto()),
            parameters: [("reference".to_string(), "00".to_string())].into_iter().collect(),
            fallback: None,
            compression: None,
            content: inner,
        }
        .encode_to_vec()
    };
    let replies = |depth: usize| (0..depth).fold(text_payload("deep").bytes, |inner, _| reply(inner));
    let ok = registry.decode(&replies(usize::from(MAX_NESTING)));
    assert_eq!(ok.error, None);
    assert!(matches!(ok.content, Some(Content::Reply(_))));
    for depth in [usize::from(MAX_NESTING) + 1, 2000] {
        let deep = registry.decode(&replies(depth));
        assert_eq!(deep.content, None, "depth {depth}");
        assert_eq!(deep.error, Some(ContentError::NestingTooDeep), "depth {depth}");
    }
    // Composites of composites: each level one part holding the next composite.
    let composite = |inner: Vec<u8>| {
        let part = pb::composite::Part {
            element: Some(pb::composite::part::Element::Part(pb::EncodedContent::decode(inner.as_slice()).unwrap())),
        };
        pb::EncodedContent {
            r#type: Some(xmtp_core::content::CompositeCodec::id().to_proto()),
            parameters: Default::default(),
            fallback: None,
            compression: None,
            content: pb::Composite { parts: vec![part] }.encode_to_vec(),
        }
        .encode_to_vec()
    };
    let deep = (0..1000).fold(text_payload("deep").bytes, |inner, _| composite(inner));
    assert_eq!(registry.decode(&deep).error, Some(ContentError::NestingTooDeep));
}
