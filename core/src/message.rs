//! Conversation messages (facts §9.1, §9.3–§9.5, §13): V1 (triple Diffie-Hellman, `dm-` topics)
//! and V2 (signed content under the invitation's key material, `m-` topics), message ids, and a
//! cache of verified sender bundles so reading a conversation costs about one signature check per
//! message.

use std::collections::HashMap;

use prost::Message as _;
use rand_core::CryptoRngCore;
use xmtp_proto::message_contents as pb;

use crate::content::EncodedPayload;
use crate::crypto::{self, Address, CryptoError};
use crate::error::{decode, DecodeError};
use crate::keys::{signature_from_proto, signature_to_proto, KeyError, PeerBundle, PrivateKeyBundle, SignatureArm};
use crate::{push, topic};

/// Why a message could not be created or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MessageError {
    /// A structure could not be read.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A key or bundle check failed (forged or unsigned sender keys).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Decryption failed (wrong key, tampered bytes or header).
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The message is of the other protocol version.
    #[error("wrong message version")]
    WrongVersion,
    /// The header names another conversation topic (replayed onto another topic).
    #[error("message topic mismatch")]
    TopicMismatch,
    /// The content signature does not verify with the sender's pre-key.
    #[error("message signature invalid")]
    BadSignature,
    /// We are neither the sender nor the recipient of a V1 message.
    #[error("message is not addressed to or from us")]
    NotParticipant,
    /// A V2 message on a topic whose invitation we have not seen.
    #[error("unknown conversation")]
    UnknownConversation,
}

impl MessageError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Decode(e) => e.code(),
            Self::Key(e) => e.code(),
            Self::Crypto(e) => e.code(),
            Self::WrongVersion => "message.wrong_version",
            Self::TopicMismatch => "message.topic_mismatch",
            Self::BadSignature => "message.bad_signature",
            Self::NotParticipant => "message.not_participant",
            Self::UnknownConversation => "message.unknown_conversation",
        }
    }
}

/// The protocol version of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageVersion {
    /// V1 (`dm-` topics).
    V1,
    /// V2 (`m-` topics).
    V2,
}

impl MessageVersion {
    /// `"v1"` or `"v2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V2 => "v2",
        }
    }
}

/// A decrypted and verified message; its content is still encoded (see [`crate::content`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedMessage {
    /// Lowercase hex of `sha256(encoded Message)`.
    pub id: String,
    /// Protocol version.
    pub version: MessageVersion,
    /// The sender's wallet address.
    pub sender_address: Address,
    /// The recipient's wallet address (V1 only).
    pub recipient_address: Option<Address>,
    /// Sent time (V1: header ms × 10^6; V2: header `created_ns`).
    pub sent_ns: u64,
    /// The conversation topic (never the ephemeral twin).
    pub conversation_topic: String,
    /// Encoded `EncodedContent`, as sent (possibly compressed).
    pub encoded_content: Vec<u8>,
    /// V2 `sender_hmac`, if present.
    pub sender_hmac: Option<Vec<u8>>,
    /// V2 `should_push`, if present.
    pub should_push: Option<bool>,
    /// Lowercase hex of a SHA-256 over what the protocol authenticates: the header and the
    /// ciphertext (salt, nonce, AEAD payload). `id` also covers V2's `sender_hmac` and
    /// `should_push`, which nothing authenticates, so a node can give one signed message a new
    /// id by changing them; this digest stays the same. Deliver a message once per digest.
    pub authenticated_id: String,
}

/// The digest behind [`DecodedMessage::authenticated_id`]: the header bytes (the AEAD's
/// associated data) and the ciphertext's fields, each length-prefixed.
fn authenticated_id(header_bytes: &[u8], ct: &xmtp_proto::message_contents::Ciphertext) -> String {
    use xmtp_proto::message_contents::ciphertext::Union;
    let (salt, nonce, payload): (&[u8], &[u8], &[u8]) = match &ct.union {
        Some(Union::Aes256GcmHkdfSha256(c)) => (&c.hkdf_salt, &c.gcm_nonce, &c.payload),
        None => (&[], &[], &[]),
    };
    let mut parts: Vec<&[u8]> = Vec::with_capacity(8);
    let lens: Vec<[u8; 8]> =
        [header_bytes, salt, nonce, payload].iter().map(|p| (p.len() as u64).to_be_bytes()).collect();
    for (len, part) in lens.iter().zip([header_bytes, salt, nonce, payload]) {
        parts.push(len);
        parts.push(part);
    }
    crypto::hex_digest(&crypto::sha256_parts(&parts))
}

/// A message ready to publish: the same bytes to each topic, with one envelope timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    /// Encoded `Message`.
    pub bytes: Vec<u8>,
    /// Its id (known before sending).
    pub id: String,
    /// Topics to publish to, in order.
    pub topics: Vec<String>,
    /// Envelope timestamp.
    pub timestamp_ns: u64,
}

/// The message id: lowercase hex of `sha256(message bytes)`.
pub fn message_id(message_bytes: &[u8]) -> String {
    crypto::hex_digest(&crypto::sha256(message_bytes))
}

/// Verified sender bundles, keyed by a digest of their encoding. Bounded: it is cleared when full.
#[derive(Debug, Clone)]
pub struct SenderCache {
    verified: HashMap<[u8; 32], PeerBundle>,
    capacity: usize,
}

impl Default for SenderCache {
    fn default() -> Self {
        Self::with_capacity(4096)
    }
}

impl SenderCache {
    /// A cache holding at most `capacity` bundles.
    pub fn with_capacity(capacity: usize) -> Self {
        Self { verified: HashMap::new(), capacity: capacity.max(1) }
    }

    /// Number of cached bundles.
    pub fn len(&self) -> usize {
        self.verified.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.verified.is_empty()
    }

    fn get_or_verify(
        &mut self,
        tag: u8,
        encoded: &[u8],
        verify: impl FnOnce() -> Result<PeerBundle, KeyError>,
    ) -> Result<PeerBundle, KeyError> {
        let key = crypto::sha256_parts(&[&[tag], encoded]);
        if let Some(b) = self.verified.get(&key) {
            return Ok(b.clone());
        }
        let bundle = verify()?;
        if self.verified.len() >= self.capacity {
            self.verified.clear();
        }
        self.verified.insert(key, bundle.clone());
        Ok(bundle)
    }

    /// Verify a V2 sender bundle (or take it from the cache).
    pub fn signed(&mut self, b: &pb::SignedPublicKeyBundle) -> Result<PeerBundle, KeyError> {
        self.get_or_verify(2, &b.encode_to_vec(), || PeerBundle::from_signed(b))
    }

    /// Verify a legacy bundle (or take it from the cache).
    pub fn legacy(&mut self, b: &pb::PublicKeyBundle) -> Result<PeerBundle, KeyError> {
        self.get_or_verify(1, &b.encode_to_vec(), || PeerBundle::from_legacy(b))
    }
}

fn v2_digest(header_bytes: &[u8], payload: &[u8]) -> [u8; 32] {
    crypto::sha256_parts(&[header_bytes, payload])
}

/// Encode a V2 message (facts §9.3) on `conversation_topic` with the invitation's key material.
/// `created_ns` is the send time; `ephemeral` publishes to the `mE-` twin.
pub fn encode_v2<R: CryptoRngCore + ?Sized>(
    me: &PrivateKeyBundle,
    conversation_topic: &str,
    key_material: &[u8],
    payload: &EncodedPayload,
    created_ns: u64,
    ephemeral: bool,
    rng: &mut R,
) -> OutgoingMessage {
    let header = pb::MessageHeaderV2 { created_ns, topic: conversation_topic.to_string() }.encode_to_vec();
    let signature = me.current_pre_key().secret().sign_prehash(&v2_digest(&header, &payload.bytes));
    let signed = pb::SignedContent {
        payload: payload.bytes.clone(),
        sender: Some(me.public_bundle().to_signed_proto()),
        signature: Some(signature_to_proto(&signature, SignatureArm::Ecdsa)),
    };
    let ciphertext = crypto::encrypt(&signed.encode_to_vec(), key_material, &header, rng);
    let hmac_key = push::hmac_key(key_material, me.address(), push::period_of_ns(created_ns));
    let sender_hmac = crypto::hmac_sha256(hmac_key.as_ref(), &header);
    let message = pb::Message {
        version: Some(pb::message::Version::V2(pb::MessageV2 {
            header_bytes: header,
            ciphertext: Some(ciphertext),
            sender_hmac: Some(sender_hmac.to_vec()),
            should_push: Some(payload.should_push),
        })),
    }
    .encode_to_vec();
    let topic = if ephemeral { topic::ephemeral(conversation_topic) } else { conversation_topic.to_string() };
    OutgoingMessage { id: message_id(&message), bytes: message, topics: vec![topic], timestamp_ns: created_ns }
}

/// Decode and verify a V2 message (facts §9.4) of the conversation `conversation_topic`:
/// header topic, decryption with the header as associated data, sender pre-key signed by the
/// identity, identity signed by a wallet, and the content signature by the pre-key.
pub fn decode_v2(
    conversation_topic: &str,
    key_material: &[u8],
    message_bytes: &[u8],
    cache: &mut SenderCache,
) -> Result<DecodedMessage, MessageError> {
    decode_v2_unverified(conversation_topic, key_material, message_bytes, cache)?.verify()
}

/// Decode and verify many V2 messages of one conversation: one result per message, in order,
/// each equal to what [`decode_v2`] returns for it (with the same `cache` behaviour), but with
/// the content signatures verified together by [`crypto::verify_batch`]. `rng` draws the
/// coefficients of the combined check.
pub fn decode_v2_batch<M: AsRef<[u8]>, R: CryptoRngCore + ?Sized>(
    conversation_topic: &str,
    key_material: &[u8],
    messages: &[M],
    cache: &mut SenderCache,
    rng: &mut R,
) -> Vec<Result<DecodedMessage, MessageError>> {
    let decoded: Vec<Result<UnverifiedV2, MessageError>> =
        messages.iter().map(|m| decode_v2_unverified(conversation_topic, key_material, m.as_ref(), cache)).collect();
    verify_v2_batch(decoded, rng)
}

/// A decrypted V2 message whose content signature is not checked yet: everything
/// [`decode_v2`] checks before it (topic, decryption, sender bundle, signature arm) passed.
/// Finish it with [`UnverifiedV2::verify`] or, for many at once, [`verify_v2_batch`].
#[derive(Debug, Clone)]
pub struct UnverifiedV2 {
    message: DecodedMessage,
    pre_key: crypto::PublicKey,
    digest: [u8; 32],
    signature: crypto::RecoverableSignature,
}

impl UnverifiedV2 {
    /// The signature check this message still needs, for [`crypto::verify_batch`].
    pub fn batch_item(&self) -> crypto::BatchItem<'_> {
        crypto::BatchItem::new(&self.pre_key, &self.digest, &self.signature.bytes, self.signature.recovery)
    }

    /// Finish with the outcome of [`UnverifiedV2::batch_item`]'s check, however it was made.
    pub fn finish(self, check: Result<(), CryptoError>) -> Result<DecodedMessage, MessageError> {
        check.map_err(|_| MessageError::BadSignature)?;
        Ok(self.message)
    }

    /// Verify the content signature on its own (the single path of [`decode_v2`]).
    pub fn verify(self) -> Result<DecodedMessage, MessageError> {
        let check = self.pre_key.verify_prehash(&self.digest, &self.signature.bytes);
        self.finish(check)
    }
}

/// Verify the content signatures of decoded V2 messages together (errors pass through
/// unchanged): one result per input, in order, each equal to what [`UnverifiedV2::verify`]
/// gives.
pub fn verify_v2_batch<R: CryptoRngCore + ?Sized>(
    decoded: Vec<Result<UnverifiedV2, MessageError>>,
    rng: &mut R,
) -> Vec<Result<DecodedMessage, MessageError>> {
    let items: Vec<crypto::BatchItem<'_>> =
        decoded.iter().filter_map(|d| d.as_ref().ok()).map(|u| u.batch_item()).collect();
    let checks = crypto::verify_batch(&items, rng);
    drop(items);
    let mut checks = checks.into_iter();
    decoded
        .into_iter()
        .map(|d| {
            let u = d?;
            let check = checks.next().unwrap_or(Err(CryptoError::BadSignature));
            u.finish(check)
        })
        .collect()
}

/// [`decode_v2`] up to, not including, the content signature check.
pub fn decode_v2_unverified(
    conversation_topic: &str,
    key_material: &[u8],
    message_bytes: &[u8],
    cache: &mut SenderCache,
) -> Result<UnverifiedV2, MessageError> {
    let message: pb::Message = decode(message_bytes, "Message")?;
    let Some(pb::message::Version::V2(v2)) = message.version else {
        return Err(MessageError::WrongVersion);
    };
    let header: pb::MessageHeaderV2 = decode(&v2.header_bytes, "MessageHeaderV2")?;
    if header.topic != conversation_topic {
        return Err(MessageError::TopicMismatch);
    }
    let ct = v2.ciphertext.as_ref().ok_or(DecodeError::Missing("message.ciphertext"))?;
    let plain = crypto::decrypt(ct, key_material, &v2.header_bytes)?;
    let signed: pb::SignedContent = decode(&plain, "SignedContent")?;
    let sender = signed.sender.as_ref().ok_or(DecodeError::Missing("signed_content.sender"))?;
    let sig = signed.signature.as_ref().ok_or(DecodeError::Missing("signed_content.signature"))?;
    let bundle = cache.signed(sender)?;
    let (signature, arm) = signature_from_proto(sig)?;
    if arm != SignatureArm::Ecdsa {
        return Err(MessageError::BadSignature);
    }
    let digest = v2_digest(&v2.header_bytes, &signed.payload);
    Ok(UnverifiedV2 {
        message: DecodedMessage {
            id: message_id(message_bytes),
            version: MessageVersion::V2,
            sender_address: bundle.address().clone(),
            recipient_address: None,
            sent_ns: header.created_ns,
            conversation_topic: header.topic,
            encoded_content: signed.payload,
            sender_hmac: v2.sender_hmac,
            should_push: v2.should_push,
            authenticated_id: authenticated_id(&v2.header_bytes, ct),
        },
        pre_key: *bundle.pre_key().key(),
        digest,
        signature,
    })
}

/// Encode a V1 message (facts §9.1) to `peer` sent at `sent_ms`. With `intros`, the same bytes
/// also go to both intro topics (first message to a peer). `ephemeral` uses the `dmE-` topic.
pub fn encode_v1<R: CryptoRngCore + ?Sized>(
    me: &PrivateKeyBundle,
    peer: &PeerBundle,
    payload: &[u8],
    sent_ms: u64,
    intros: bool,
    ephemeral: bool,
    rng: &mut R,
) -> Result<OutgoingMessage, MessageError> {
    let header = pb::MessageHeaderV1 {
        sender: Some(me.public_bundle().to_legacy_proto()?),
        recipient: Some(peer.to_legacy_proto()?),
        timestamp: sent_ms,
    }
    .encode_to_vec();
    let secret = me.shared_secret(peer, me.current_pre_key(), false);
    let ciphertext = crypto::encrypt(payload, secret.expose(), &header, rng);
    let message = pb::Message {
        version: Some(pb::message::Version::V1(pb::MessageV1 { header_bytes: header, ciphertext: Some(ciphertext) })),
    }
    .encode_to_vec();
    let dm = if ephemeral {
        topic::direct_message_ephemeral(me.address(), peer.address())
    } else {
        topic::direct_message(me.address(), peer.address())
    };
    let mut topics = Vec::with_capacity(3);
    if intros {
        topics.push(topic::intro(peer.address()));
        topics.push(topic::intro(me.address()));
    }
    topics.push(dm);
    Ok(OutgoingMessage {
        id: message_id(&message),
        bytes: message,
        topics,
        timestamp_ns: sent_ms.saturating_mul(1_000_000),
    })
}

/// Decode and verify a V1 message. `envelope_topic` is the topic it arrived on: a `dm-`/`dmE-`
/// topic must be the one built from the header's two addresses (an `intro-` topic is not
/// checked). Both header bundles are verified; decryption uses the pre-key the header names for
/// us (falling back to the current pre-key).
pub fn decode_v1(
    me: &PrivateKeyBundle,
    envelope_topic: &str,
    message_bytes: &[u8],
    cache: &mut SenderCache,
) -> Result<DecodedMessage, MessageError> {
    let message: pb::Message = decode(message_bytes, "Message")?;
    let Some(pb::message::Version::V1(v1)) = message.version else {
        return Err(MessageError::WrongVersion);
    };
    let header: pb::MessageHeaderV1 = decode(&v1.header_bytes, "MessageHeaderV1")?;
    let sender = cache.legacy(header.sender.as_ref().ok_or(DecodeError::Missing("header.sender"))?)?;
    let recipient = cache.legacy(header.recipient.as_ref().ok_or(DecodeError::Missing("header.recipient"))?)?;
    let dm = topic::direct_message(sender.address(), recipient.address());
    let on_dm_topic = matches!(
        topic::kind(envelope_topic),
        topic::TopicKind::DirectMessage | topic::TopicKind::DirectMessageEphemeral
    );
    if on_dm_topic && topic::non_ephemeral(envelope_topic) != dm {
        return Err(MessageError::TopicMismatch);
    }
    let my_identity = me.identity().public().key();
    let is_sender = sender.identity().key() == my_identity;
    if !is_sender && recipient.identity().key() != my_identity {
        return Err(MessageError::NotParticipant);
    }
    let (mine, peer) = if is_sender { (&sender, &recipient) } else { (&recipient, &sender) };
    let my_pre = me.find_pre_key(mine.pre_key().key()).unwrap_or_else(|| me.current_pre_key());
    let secret = me.shared_secret(peer, my_pre, !is_sender);
    let ct = v1.ciphertext.as_ref().ok_or(DecodeError::Missing("message.ciphertext"))?;
    let plain = crypto::decrypt(ct, secret.expose(), &v1.header_bytes)?;
    Ok(DecodedMessage {
        id: message_id(message_bytes),
        version: MessageVersion::V1,
        sender_address: sender.address().clone(),
        recipient_address: Some(recipient.address().clone()),
        sent_ns: header.timestamp.saturating_mul(1_000_000),
        conversation_topic: dm,
        encoded_content: plain.to_vec(),
        sender_hmac: None,
        should_push: None,
        authenticated_id: authenticated_id(&v1.header_bytes, ct),
    })
}
