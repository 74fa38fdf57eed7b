//! Reading envelopes in order with one's own keys: invitations teach V2 conversations,
//! intros and `dm-` envelopes V1 ones, contacts are verified, messages decrypted and checked,
//! consent actions on one's own preferences topic decrypted.
//!
//! This is the offline reader behind `xmtp decode` and the building block of the client engine.

use std::collections::{BTreeMap, HashMap};

use rand_core::CryptoRngCore;
use xmtp_proto::message_api::v1::Envelope;

use crate::consent::{self, ConsentAction};
use crate::contact::{self, Contact};
use crate::content::{DecodedContent, Registry};
use crate::crypto::Address;
use crate::invitation::{self, V2Conversation};
use crate::keys::{KeyError, KeyStorageOpen, PrivateKeyBundle};
use crate::message::{self, DecodedMessage, MessageError, SenderCache, UnverifiedV2};
use crate::topic::{self, TopicKind};
use crate::Error;

/// What an envelope is, by its topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeKind {
    /// A contact bundle.
    Contact,
    /// A wallet-encrypted private key bundle.
    PrivateStore,
    /// A V1 introduction (a copy of a first V1 message).
    Intro,
    /// A sealed V2 invitation.
    Invite,
    /// A V1 message (`dm-`/`dmE-`).
    V1Message,
    /// A V2 message (`m-`/`mE-`).
    V2Message,
    /// An encrypted consent action.
    UserPreferences,
    /// Anything else.
    Unknown,
}

impl EnvelopeKind {
    /// Classify by content topic.
    pub fn of_topic(content_topic: &str) -> Self {
        match topic::kind(content_topic) {
            TopicKind::Contact => Self::Contact,
            TopicKind::PrivateStore => Self::PrivateStore,
            TopicKind::Intro => Self::Intro,
            TopicKind::Invite => Self::Invite,
            TopicKind::DirectMessage | TopicKind::DirectMessageEphemeral => Self::V1Message,
            TopicKind::V2Conversation | TopicKind::V2Ephemeral => Self::V2Message,
            TopicKind::UserPreferences => Self::UserPreferences,
            TopicKind::Other => Self::Unknown,
        }
    }

    /// Its name: `contact`, `privatestore`, `intro`, `invite`, `v1-message`, `v2-message`,
    /// `userpreferences`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::PrivateStore => "privatestore",
            Self::Intro => "intro",
            Self::Invite => "invite",
            Self::V1Message => "v1-message",
            Self::V2Message => "v2-message",
            Self::UserPreferences => "userpreferences",
            Self::Unknown => "unknown",
        }
    }
}

/// What an envelope held.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Decoded {
    /// A verified contact bundle published by its owner.
    Contact(Contact),
    /// A stored private key bundle (it needs the owner's wallet to open).
    PrivateStore {
        /// The owner, from the topic.
        owner: Option<Address>,
    },
    /// An invitation that establishes (or repeats) a V2 conversation.
    Invite {
        /// The conversation.
        conversation: V2Conversation,
        /// False when an earlier invitation already established this topic (the first wins).
        is_new: bool,
    },
    /// A V1 or V2 message with its content.
    Message {
        /// The verified message.
        message: DecodedMessage,
        /// Its content (always present; see [`DecodedContent::error`]).
        content: DecodedContent,
    },
    /// A consent action on our own preferences topic.
    Preferences(ConsentAction),
    /// A topic this reader does not interpret.
    Unknown,
}

/// A V1 conversation learned from intros or `dm-` envelopes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V1Conversation {
    /// The `dm-` topic.
    pub topic: String,
    /// The other member.
    pub peer_address: Address,
    /// The earliest message seen.
    pub created_ns: u64,
}

/// Reads envelopes with one's own keys, learning conversations as it goes.
#[derive(Debug, Clone)]
pub struct EnvelopeReader {
    keys: PrivateKeyBundle,
    registry: Registry,
    preferences_topic: String,
    v2: HashMap<String, V2Conversation>,
    v1: BTreeMap<String, V1Conversation>,
    cache: SenderCache,
}

impl EnvelopeReader {
    /// A reader with the standard codecs.
    pub fn new(keys: PrivateKeyBundle) -> Self {
        Self::with_registry(keys, Registry::new())
    }

    /// A reader with a given codec registry.
    pub fn with_registry(keys: PrivateKeyBundle, registry: Registry) -> Self {
        let preferences_topic = consent::preferences_topic(keys.identity().secret());
        Self {
            keys,
            registry,
            preferences_topic,
            v2: HashMap::new(),
            v1: BTreeMap::new(),
            cache: SenderCache::default(),
        }
    }

    /// The own keys.
    pub fn keys(&self) -> &PrivateKeyBundle {
        &self.keys
    }

    /// Add a known V2 conversation (e.g. from exported state). The first one for a topic wins.
    pub fn add_conversation(&mut self, conversation: V2Conversation) -> bool {
        if self.v2.contains_key(&conversation.topic) {
            return false;
        }
        self.v2.insert(conversation.topic.clone(), conversation);
        true
    }

    /// Add a known V1 conversation. The first one for a topic wins.
    pub fn add_v1_conversation(&mut self, conversation: V1Conversation) -> bool {
        if self.v1.contains_key(&conversation.topic) {
            return false;
        }
        self.v1.insert(conversation.topic.clone(), conversation);
        true
    }

    /// The codec registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The V2 conversation of a topic.
    pub fn conversation(&self, topic: &str) -> Option<&V2Conversation> {
        self.v2.get(topic)
    }

    /// Known V2 conversations, oldest first.
    pub fn v2_conversations(&self) -> Vec<&V2Conversation> {
        let mut all: Vec<_> = self.v2.values().collect();
        all.sort_by(|a, b| (a.created_ns, &a.topic).cmp(&(b.created_ns, &b.topic)));
        all
    }

    /// Known V1 conversations, oldest first.
    pub fn v1_conversations(&self) -> Vec<&V1Conversation> {
        let mut all: Vec<_> = self.v1.values().collect();
        all.sort_by(|a, b| (a.created_ns, &a.topic).cmp(&(b.created_ns, &b.topic)));
        all
    }

    /// Read one envelope. The kind is always known; the result says what it held or why not.
    pub fn read(&mut self, envelope: &Envelope) -> (EnvelopeKind, Result<Decoded, Error>) {
        let kind = EnvelopeKind::of_topic(&envelope.content_topic);
        (kind, self.read_kind(kind, envelope))
    }

    /// Read many envelopes: one `(kind, result)` per envelope, in order, equal to what calling
    /// [`EnvelopeReader::read`] on each in turn returns, with the same effect on the reader
    /// (learned conversations, sender cache). V2 messages are decrypted as they come and their
    /// content signatures verified together at the end ([`crate::crypto::verify_batch`]);
    /// everything else goes through [`EnvelopeReader::read`]. `rng` draws the coefficients of
    /// the combined check.
    pub fn read_batch<R: CryptoRngCore + ?Sized>(
        &mut self,
        envelopes: &[Envelope],
        rng: &mut R,
    ) -> Vec<(EnvelopeKind, Result<Decoded, Error>)> {
        let mut out: Vec<(EnvelopeKind, Option<Result<Decoded, Error>>)> = Vec::with_capacity(envelopes.len());
        let mut pending = Vec::new();
        let mut slots = Vec::new();
        for e in envelopes {
            let kind = EnvelopeKind::of_topic(&e.content_topic);
            if kind != EnvelopeKind::V2Message {
                let (kind, result) = self.read(e);
                out.push((kind, Some(result)));
                continue;
            }
            // Reading a V2 message changes nothing but the sender cache, which this step fills
            // exactly as `read` does: the signature check can wait.
            match self.decode_v2_unverified(e) {
                Ok(unverified) => {
                    slots.push(out.len());
                    pending.push(Ok(unverified));
                    out.push((kind, None));
                }
                Err(err) => out.push((kind, Some(Err(err)))),
            }
        }
        for (slot, result) in slots.into_iter().zip(message::verify_v2_batch(pending, rng)) {
            out[slot].1 = Some(result.map(|m| self.with_content(m)).map_err(Error::from));
        }
        out.into_iter().map(|(kind, result)| (kind, result.unwrap_or(Err(MessageError::BadSignature.into())))).collect()
    }

    fn decode_v2_unverified(&mut self, e: &Envelope) -> Result<UnverifiedV2, Error> {
        let conv_topic = topic::non_ephemeral(&e.content_topic);
        let conv = self.v2.get(&conv_topic).ok_or(MessageError::UnknownConversation)?;
        Ok(message::decode_v2_unverified(&conv.topic, conv.key_material.expose(), &e.message, &mut self.cache)?)
    }

    fn read_kind(&mut self, kind: EnvelopeKind, e: &Envelope) -> Result<Decoded, Error> {
        match kind {
            EnvelopeKind::Contact => {
                let c = contact::decode_contact(&e.message)?;
                if topic::owner(&e.content_topic).as_ref() != Some(c.address()) {
                    return Err(KeyError::WrongWallet.into());
                }
                Ok(Decoded::Contact(c))
            }
            EnvelopeKind::PrivateStore => {
                KeyStorageOpen::new(&e.message)?;
                Ok(Decoded::PrivateStore { owner: topic::owner(&e.content_topic) })
            }
            EnvelopeKind::Invite => {
                let conversation = invitation::open_cached(&self.keys, e.timestamp_ns, &e.message, &mut self.cache)?;
                let is_new = self.add_conversation(conversation.clone());
                Ok(Decoded::Invite { conversation, is_new })
            }
            EnvelopeKind::Intro | EnvelopeKind::V1Message => {
                let m = message::decode_v1(&self.keys, &e.content_topic, &e.message, &mut self.cache)?;
                self.learn_v1(&m);
                Ok(self.with_content(m))
            }
            EnvelopeKind::V2Message => {
                let m = self.decode_v2_unverified(e)?.verify()?;
                Ok(self.with_content(m))
            }
            EnvelopeKind::UserPreferences => {
                if e.content_topic != self.preferences_topic {
                    return Err(MessageError::NotParticipant.into());
                }
                let plain = consent::decrypt_action(self.keys.identity().secret(), &e.message)?;
                Ok(Decoded::Preferences(ConsentAction::decode(&plain)?))
            }
            EnvelopeKind::Unknown => Ok(Decoded::Unknown),
        }
    }

    fn with_content(&self, message: DecodedMessage) -> Decoded {
        let content = self.registry.decode(&message.encoded_content);
        Decoded::Message { message, content }
    }

    fn learn_v1(&mut self, m: &DecodedMessage) {
        let me = self.keys.address();
        let peer = if m.sender_address == *me { m.recipient_address.clone() } else { Some(m.sender_address.clone()) };
        let Some(peer) = peer else { return };
        let entry = self.v1.entry(m.conversation_topic.clone()).or_insert_with(|| V1Conversation {
            topic: m.conversation_topic.clone(),
            peer_address: peer,
            created_ns: m.sent_ns,
        });
        entry.created_ns = entry.created_ns.min(m.sent_ns);
    }
}
