//! V2 invitations (facts §9.2): deterministic topic and key material, sealing and opening.

use std::collections::BTreeMap;

use prost::Message as _;
use rand_core::CryptoRngCore;
use xmtp_proto::message_contents as pb;

use crate::crypto::{self, Address, CryptoError, SecretBytes};
use crate::error::{decode, DecodeError};
use crate::keys::{KeyError, PeerBundle, PrivateKeyBundle};
use crate::message::SenderCache;
use crate::topic;

/// HKDF salt of the invitation key material.
pub const INVITATION_SALT: &[u8] = b"__XMTP__INVITATION__SALT__XMTP__";

/// Why an invitation could not be created or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvitationError {
    /// A structure could not be read.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A key or bundle check failed (e.g. the peer's pre-key is not signed).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Decryption failed or a primitive rejected its input.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The header's `created_ns` differs from the envelope timestamp.
    #[error("invitation timestamp does not match its envelope")]
    TimestampMismatch,
    /// Neither side of the header is one of our keys.
    #[error("invitation is not addressed to or from us")]
    NotForUs,
    /// The invitation lacks a topic or 32-byte key material, or its topic is not valid.
    #[error("invitation content invalid")]
    InvalidContent,
    /// Inviting oneself.
    #[error("cannot invite self")]
    SelfInvite,
}

impl InvitationError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Decode(e) => e.code(),
            Self::Key(e) => e.code(),
            Self::Crypto(e) => e.code(),
            Self::TimestampMismatch => "invitation.timestamp_mismatch",
            Self::NotForUs => "invitation.not_for_us",
            Self::InvalidContent => "invitation.invalid_content",
            Self::SelfInvite => "invitation.self_invite",
        }
    }
}

/// Optional conversation context: an application-chosen id and metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationContext {
    /// The conversation id (part of the topic derivation).
    pub conversation_id: String,
    /// Free-form metadata.
    pub metadata: BTreeMap<String, String>,
}

impl ConversationContext {
    fn to_proto(&self) -> pb::invitation_v1::Context {
        pb::invitation_v1::Context { conversation_id: self.conversation_id.clone(), metadata: self.metadata.clone() }
    }
    fn from_proto(c: &pb::invitation_v1::Context) -> Self {
        Self { conversation_id: c.conversation_id.clone(), metadata: c.metadata.clone() }
    }
}

/// A V2 conversation as an invitation establishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2Conversation {
    /// The conversation topic (`/xmtp/0/m-…/proto`).
    pub topic: String,
    /// The 32-byte symmetric key material.
    pub key_material: SecretBytes,
    /// The context, if the invitation carried one.
    pub context: Option<ConversationContext>,
    /// The other member's address.
    pub peer_address: Address,
    /// The invitation's creation time.
    pub created_ns: u64,
    /// A consent proof carried by the invitation.
    pub consent_proof: Option<pb::ConsentProofPayload>,
    /// Whether we created the invitation.
    pub we_invited: bool,
}

impl V2Conversation {
    /// The invitation that establishes this conversation (topic, context, key material,
    /// consent proof). It holds the key material: a secret.
    pub fn to_invitation(&self) -> pb::InvitationV1 {
        pb::InvitationV1 {
            topic: self.topic.clone(),
            context: self.context.as_ref().map(ConversationContext::to_proto),
            encryption: Some(pb::invitation_v1::Encryption::Aes256GcmHkdfSha256(
                pb::invitation_v1::Aes256gcmHkdfsha256 { key_material: self.key_material.expose().to_vec() },
            )),
            consent_proof: self.consent_proof.clone(),
        }
    }

    /// The conversation an opened invitation establishes, after the checks every reader
    /// applies: 32 bytes of key material and a valid topic.
    pub fn from_invitation(
        invitation: pb::InvitationV1,
        peer_address: Address,
        created_ns: u64,
        we_invited: bool,
    ) -> Result<Self, InvitationError> {
        let key_material = match &invitation.encryption {
            Some(pb::invitation_v1::Encryption::Aes256GcmHkdfSha256(k)) if k.key_material.len() == 32 => {
                SecretBytes::new(k.key_material.clone())
            }
            _ => return Err(InvitationError::InvalidContent),
        };
        if invitation.topic.is_empty() || !topic::is_valid(&invitation.topic) {
            return Err(InvitationError::InvalidContent);
        }
        Ok(Self {
            topic: invitation.topic,
            key_material,
            context: invitation.context.as_ref().map(ConversationContext::from_proto),
            peer_address,
            created_ns,
            consent_proof: invitation.consent_proof,
            we_invited,
        })
    }
}

/// The deterministic topic and key material of the conversation between `me` and `peer`
/// (xmtp-js ≥ 9.1.0): both sides derive the same values.
pub fn derive_topic_and_key(
    me: &PrivateKeyBundle,
    peer: &PeerBundle,
    conversation_id: Option<&str>,
) -> (String, SecretBytes) {
    let my_addr = me.address().as_str();
    let their_addr = peer.address().as_str();
    let secret = me.shared_secret(peer, me.current_pre_key(), my_addr < their_addr);
    let (a, b) = if my_addr <= their_addr { (my_addr, their_addr) } else { (their_addr, my_addr) };
    let msg = format!("{}{a},{b}", conversation_id.unwrap_or(""));
    let topic_id = crypto::hex_digest(&crypto::hmac_sha256(secret.expose(), msg.as_bytes()));
    let info = format!("0|{a}|{b}");
    let key = crypto::hkdf_sha256(secret.expose(), INVITATION_SALT, info.as_bytes());
    (topic::v2_conversation(&topic_id), SecretBytes::new(key.to_vec()))
}

/// A sealed invitation ready to publish: the same bytes go to the recipient's and our own
/// invite topics (recipient first), with envelope timestamp = `created_ns`.
#[derive(Debug, Clone)]
pub struct SealedInvite {
    /// Encoded `SealedInvitation`.
    pub payload: Vec<u8>,
    /// The envelope timestamp (equal to the header's `created_ns`).
    pub timestamp_ns: u64,
    /// `[invite-<recipient>, invite-<self>]`.
    pub topics: [String; 2],
    /// The conversation it establishes.
    pub conversation: V2Conversation,
}

/// Create and seal a deterministic invitation to `peer`.
pub fn create<R: CryptoRngCore + ?Sized>(
    me: &PrivateKeyBundle,
    peer: &PeerBundle,
    context: Option<&ConversationContext>,
    consent_proof: Option<pb::ConsentProofPayload>,
    created_ns: u64,
    rng: &mut R,
) -> Result<SealedInvite, InvitationError> {
    if peer.address() == me.address() {
        return Err(InvitationError::SelfInvite);
    }
    let (topic, key_material) = derive_topic_and_key(me, peer, context.map(|c| c.conversation_id.as_str()));
    let conversation = V2Conversation {
        topic,
        key_material,
        context: context.cloned(),
        peer_address: peer.address().clone(),
        created_ns,
        consent_proof,
        we_invited: true,
    };
    let payload = seal(me, peer, &conversation.to_invitation(), created_ns, rng)?;
    Ok(SealedInvite {
        payload,
        timestamp_ns: created_ns,
        topics: [topic::invite(peer.address()), topic::invite(me.address())],
        conversation,
    })
}

/// Seal any `InvitationV1` to `peer` (sender role, own current pre-key). Returns an encoded
/// `SealedInvitation`.
pub fn seal<R: CryptoRngCore + ?Sized>(
    me: &PrivateKeyBundle,
    peer: &PeerBundle,
    invitation: &pb::InvitationV1,
    created_ns: u64,
    rng: &mut R,
) -> Result<Vec<u8>, InvitationError> {
    let header = pb::SealedInvitationHeaderV1 {
        sender: Some(me.public_bundle().to_signed_proto()),
        recipient: Some(peer.to_signed_proto()),
        created_ns,
    }
    .encode_to_vec();
    let secret = me.shared_secret(peer, me.current_pre_key(), false);
    let ciphertext = crypto::encrypt(&invitation.encode_to_vec(), secret.expose(), &header, rng);
    let sealed = pb::SealedInvitation {
        version: Some(pb::sealed_invitation::Version::V1(pb::SealedInvitationV1 {
            header_bytes: header,
            ciphertext: Some(ciphertext),
        })),
    };
    Ok(sealed.encode_to_vec())
}

/// Open a sealed invitation found on our invite topic, as sender or recipient. Checks the
/// envelope timestamp, the other side's bundle signatures, decryption with the header as
/// associated data, and that the invitation holds a valid topic and 32-byte key material.
pub fn open(
    me: &PrivateKeyBundle,
    envelope_timestamp_ns: u64,
    payload: &[u8],
) -> Result<V2Conversation, InvitationError> {
    open_cached(me, envelope_timestamp_ns, payload, &mut SenderCache::with_capacity(1))
}

/// [`open`], taking the other side's verified bundle from `cache` when it was verified before
/// (and adding it otherwise), as messages do: a list of invitations from or to the same peer
/// verifies its bundle once. Results are those of [`open`].
pub fn open_cached(
    me: &PrivateKeyBundle,
    envelope_timestamp_ns: u64,
    payload: &[u8],
    cache: &mut SenderCache,
) -> Result<V2Conversation, InvitationError> {
    let sealed: pb::SealedInvitation = decode(payload, "SealedInvitation")?;
    let Some(pb::sealed_invitation::Version::V1(v1)) = sealed.version else {
        return Err(DecodeError::Missing("sealed_invitation.v1").into());
    };
    let header: pb::SealedInvitationHeaderV1 = decode(&v1.header_bytes, "SealedInvitationHeaderV1")?;
    if header.created_ns != envelope_timestamp_ns {
        return Err(InvitationError::TimestampMismatch);
    }
    let sender = header.sender.as_ref().ok_or(DecodeError::Missing("header.sender"))?;
    let recipient = header.recipient.as_ref().ok_or(DecodeError::Missing("header.recipient"))?;
    let sender_id = crate::keys::SignedKey::from_signed(
        sender.identity_key.as_ref().ok_or(DecodeError::Missing("sender.identity_key"))?,
    )?;
    let we_invited = sender_id.key() == me.identity().public().key();
    let (mine, theirs) = if we_invited { (sender, recipient) } else { (recipient, sender) };
    let my_id =
        crate::keys::SignedKey::from_signed(mine.identity_key.as_ref().ok_or(DecodeError::Missing("identity_key"))?)?;
    if my_id.key() != me.identity().public().key() {
        return Err(InvitationError::NotForUs);
    }
    let my_pre = crate::keys::SignedKey::from_signed(mine.pre_key.as_ref().ok_or(KeyError::NoPreKey)?)?;
    let my_pre = me.find_pre_key(my_pre.key()).ok_or(KeyError::NoMatchingPreKey)?;
    let peer = cache.signed(theirs)?;
    let secret = me.shared_secret(&peer, my_pre, !we_invited);
    let ct = v1.ciphertext.as_ref().ok_or(DecodeError::Missing("sealed_invitation.ciphertext"))?;
    let plain = crypto::decrypt(ct, secret.expose(), &v1.header_bytes)?;
    let invitation: pb::InvitationV1 = decode(&plain, "InvitationV1")?;
    V2Conversation::from_invitation(invitation, peer.address().clone(), header.created_ns, we_invited)
}
