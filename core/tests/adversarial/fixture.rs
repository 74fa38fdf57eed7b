//! The shared fixture: identities, valid messages and invitations, and helpers to take them
//! apart and put them back together.

pub(crate) use std::sync::LazyLock;

pub(crate) use crate::common::{hx, vectors};
pub(crate) use base64::engine::general_purpose::STANDARD;
pub(crate) use base64::Engine as _;
pub(crate) use proptest::prelude::*;
pub(crate) use prost::Message as _;
pub(crate) use rand_chacha::ChaCha20Rng;
pub(crate) use rand_core::SeedableRng;
pub(crate) use xmtp_core::auth::{self, AuthError, AuthToken};
pub(crate) use xmtp_core::consent;
pub(crate) use xmtp_core::content::{Content, EncodedPayload, Registry, TextCodec};
pub(crate) use xmtp_core::crypto::{self, CryptoError, PrivateKey};
pub(crate) use xmtp_core::error::DecodeError;
pub(crate) use xmtp_core::invitation::{self, InvitationError};
pub(crate) use xmtp_core::keys::{
    self, IdentityCreation, KeyError, KeyStorageOpen, KeyStorageSeal, PrivateKeyBundle, SignatureArm,
};
pub(crate) use xmtp_core::message::{self, DecodedMessage, MessageError, SenderCache};
pub(crate) use xmtp_core::proto::message_api::v1 as api;
pub(crate) use xmtp_core::proto::message_contents::{self as pb, ciphertext, Ciphertext};
pub(crate) use xmtp_core::topic;

// ---------------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------------

pub(crate) const IDENTITY_MS: u64 = 1_700_000_000_000;
pub(crate) const INVITE_NS: u64 = 1_700_000_600_000_000_000;
pub(crate) const V2_SENT_NS: u64 = 1_700_000_700_000_000_000;
pub(crate) const V1_SENT_MS: u64 = 1_700_000_800_000;
pub(crate) const TOKEN_NS: u64 = 1_700_000_900_000_000_000;

pub(crate) struct Fixture {
    pub(crate) alice: PrivateKeyBundle,
    pub(crate) bob: PrivateKeyBundle,
    pub(crate) carol: PrivateKeyBundle,
    pub(crate) carol_wallet: PrivateKey,
    /// The Alice–Bob V2 conversation (deterministic topic and key material).
    pub(crate) topic: String,
    pub(crate) key: Vec<u8>,
    /// Alice → Bob V2 message, and a second one with other content.
    pub(crate) v2: Vec<u8>,
    pub(crate) v2_other: Vec<u8>,
    /// Alice → Bob V1 message.
    pub(crate) v1: Vec<u8>,
    /// Alice → Bob sealed invitation, envelope timestamp `INVITE_NS`.
    pub(crate) sealed: Vec<u8>,
}

pub(crate) fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub(crate) fn vector_identity(name: &str) -> PrivateKeyBundle {
    let v = vectors("xmtpjs-13.0.4-vectors.json");
    PrivateKeyBundle::from_bytes(&hx(&v[name]["privateKeyBundleV1Encoded_PrivateKeyBundle"])).expect("vector bundle")
}

pub(crate) fn key(byte: u8) -> PrivateKey {
    PrivateKey::from_bytes(&[byte; 32]).expect("valid scalar")
}

pub(crate) fn wallet_sign(wallet: &PrivateKey, text: &str) -> [u8; 65] {
    wallet.sign_prehash(&crypto::eip191_digest(text)).to_wallet_bytes()
}

pub(crate) fn text_payload(text: &str) -> EncodedPayload {
    Registry::new().encode(&TextCodec::id(), &Content::Text(text.into()), None).expect("text encodes")
}

pub(crate) static FX: LazyLock<Fixture> = LazyLock::new(|| {
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

pub(crate) fn fx() -> &'static Fixture {
    &FX
}

pub(crate) fn dm_alice_bob() -> String {
    topic::direct_message(fx().alice.address(), fx().bob.address())
}

pub(crate) fn decode_v2(topic: &str, key: &[u8], bytes: &[u8]) -> Result<DecodedMessage, MessageError> {
    message::decode_v2(topic, key, bytes, &mut SenderCache::default())
}

pub(crate) fn bob_reads_v2(bytes: &[u8]) -> Result<DecodedMessage, MessageError> {
    decode_v2(&fx().topic, &fx().key, bytes)
}

pub(crate) fn decode_v1(reader: &PrivateKeyBundle, topic: &str, bytes: &[u8]) -> Result<DecodedMessage, MessageError> {
    message::decode_v1(reader, topic, bytes, &mut SenderCache::default())
}

pub(crate) fn decryption_failed() -> MessageError {
    MessageError::Crypto(CryptoError::DecryptionFailed)
}

// Wire surgery -------------------------------------------------------------------------------

pub(crate) fn v2_parts(bytes: &[u8]) -> pb::MessageV2 {
    match pb::Message::decode(bytes).expect("Message").version {
        Some(pb::message::Version::V2(v2)) => v2,
        other => panic!("not a V2 message: {other:?}"),
    }
}

pub(crate) fn v2_bytes(v2: pb::MessageV2) -> Vec<u8> {
    pb::Message { version: Some(pb::message::Version::V2(v2)) }.encode_to_vec()
}

pub(crate) fn v1_parts(bytes: &[u8]) -> pb::MessageV1 {
    match pb::Message::decode(bytes).expect("Message").version {
        Some(pb::message::Version::V1(v1)) => v1,
        other => panic!("not a V1 message: {other:?}"),
    }
}

pub(crate) fn v1_bytes(v1: pb::MessageV1) -> Vec<u8> {
    pb::Message { version: Some(pb::message::Version::V1(v1)) }.encode_to_vec()
}

pub(crate) fn aes_parts(ct: &mut Option<Ciphertext>) -> &mut ciphertext::Aes256gcmHkdfsha256 {
    match ct.as_mut().and_then(|c| c.union.as_mut()) {
        Some(ciphertext::Union::Aes256GcmHkdfSha256(inner)) => inner,
        None => panic!("no ciphertext"),
    }
}

/// Change a V2 message's ciphertext fields in place.
pub(crate) fn with_v2_ciphertext(f: impl FnOnce(&mut ciphertext::Aes256gcmHkdfsha256)) -> Vec<u8> {
    let mut v2 = v2_parts(&fx().v2);
    f(aes_parts(&mut v2.ciphertext));
    v2_bytes(v2)
}

/// Decrypt the Alice → Bob V2 message, let `f` rewrite its `SignedContent`, and encrypt it again
/// under the conversation key with the original header: what a conversation member (who holds
/// the key material) can forge.
pub(crate) fn reseal_v2(f: impl FnOnce(&mut pb::SignedContent)) -> Vec<u8> {
    let mut v2 = v2_parts(&fx().v2);
    let plain = crypto::decrypt(v2.ciphertext.as_ref().unwrap(), &fx().key, &v2.header_bytes).unwrap();
    let mut signed = pb::SignedContent::decode(plain.as_slice()).unwrap();
    f(&mut signed);
    v2.ciphertext = Some(crypto::encrypt(&signed.encode_to_vec(), &fx().key, &v2.header_bytes, &mut rng(10)));
    v2_bytes(v2)
}

pub(crate) fn signed_content(bytes: &[u8]) -> pb::SignedContent {
    let v2 = v2_parts(bytes);
    let plain = crypto::decrypt(v2.ciphertext.as_ref().unwrap(), &fx().key, &v2.header_bytes).unwrap();
    pb::SignedContent::decode(plain.as_slice()).unwrap()
}

pub(crate) fn sealed_parts(bytes: &[u8]) -> pb::SealedInvitationV1 {
    match pb::SealedInvitation::decode(bytes).expect("SealedInvitation").version {
        Some(pb::sealed_invitation::Version::V1(v1)) => v1,
        None => panic!("no v1"),
    }
}

pub(crate) fn sealed_bytes(v1: pb::SealedInvitationV1) -> Vec<u8> {
    pb::SealedInvitation { version: Some(pb::sealed_invitation::Version::V1(v1)) }.encode_to_vec()
}

/// The legacy `PublicKey` of `secret` at `ts`, without signature (the bytes that get signed).
pub(crate) fn unsigned_legacy(secret: &PrivateKey, ts: u64) -> pb::PublicKey {
    pb::PublicKey {
        timestamp: ts,
        signature: None,
        union: Some(pb::public_key::Union::Secp256k1Uncompressed(pb::public_key::Secp256k1Uncompressed {
            bytes: secret.public_key().to_uncompressed().to_vec(),
        })),
    }
}

/// A legacy pre-key `PrivateKey` whose public half is signed by `signer`.
pub(crate) fn legacy_pre_key(secret: &PrivateKey, ts: u64, signer: &PrivateKey) -> pb::PrivateKey {
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

pub(crate) fn v1_proto(bundle: &PrivateKeyBundle) -> pb::PrivateKeyBundleV1 {
    match pb::PrivateKeyBundle::decode(bundle.to_v1_bytes().unwrap().as_slice()).unwrap().version {
        Some(pb::private_key_bundle::Version::V1(v1)) => v1,
        other => panic!("not v1: {other:?}"),
    }
}

pub(crate) fn v2_proto(bundle: &PrivateKeyBundle) -> pb::PrivateKeyBundleV2 {
    match pb::PrivateKeyBundle::decode(bundle.to_v2_bytes().as_slice()).unwrap().version {
        Some(pb::private_key_bundle::Version::V2(v2)) => v2,
        other => panic!("not v2: {other:?}"),
    }
}

pub(crate) fn secp_private(bytes: &[u8]) -> Option<pb::private_key::Union> {
    Some(pb::private_key::Union::Secp256k1(pb::private_key::Secp256k1 { bytes: bytes.to_vec() }))
}

/// Bob with a new current pre-key (properly signed by his identity key).
pub(crate) fn bob_rotated() -> PrivateKeyBundle {
    let mut v1 = v1_proto(&fx().bob);
    v1.pre_keys = vec![legacy_pre_key(&key(0x44), IDENTITY_MS, fx().bob.identity().secret())];
    PrivateKeyBundle::from_v1(&v1).expect("rotated bundle verifies")
}
