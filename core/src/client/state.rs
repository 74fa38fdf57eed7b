//! Exportable engine state: a versioned JSON blob with keys, conversations (with their
//! invitation key material), high-water marks, consent actions and cached contacts. It holds
//! secrets: store it like a private key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use prost::Message as _;
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use xmtp_proto::keystore_api::v1::topic_map::TopicData;
use xmtp_proto::message_api::v1::Envelope;
use xmtp_proto::message_contents as pb;

use super::{Client, Conversation, Message};
use crate::consent::ConsentAction;
use crate::contact;
use crate::content::Registry;
use crate::crypto::{Address, SecretBytes};
use crate::decoder::{Decoded, EnvelopeReader, V1Conversation};
use crate::invitation::{ConversationContext, V2Conversation};
use crate::keys::PrivateKeyBundle;

/// The version written by [`Client::export_state`]; older versions are read, newer refused.
pub const STATE_VERSION: u32 = 1;

/// Why a state blob could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// Not a state blob.
    #[error("malformed state")]
    Malformed,
    /// Written by a newer version of this library.
    #[error("unsupported state version")]
    UnsupportedVersion,
    /// A part of it is invalid (keys, conversation, contact).
    #[error("invalid state: {0}")]
    Invalid(&'static str),
    /// The envelope could not be decrypted with the state.
    #[error(transparent)]
    Envelope(#[from] crate::Error),
}

impl StateError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "state.malformed",
            Self::UnsupportedVersion => "state.unsupported_version",
            Self::Invalid(_) => "state.invalid",
            Self::Envelope(e) => e.code(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StateV1 {
    version: u32,
    keys: String,
    #[serde(default)]
    conversations: Vec<V2State>,
    #[serde(default)]
    v1_conversations: Vec<V1State>,
    #[serde(default)]
    high_water: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    delivered_at_mark: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(default)]
    last_sync_ns: String,
    #[serde(default)]
    last_consent_sync_ns: String,
    #[serde(default)]
    consent: Vec<ConsentState>,
    #[serde(default)]
    contacts: Vec<String>,
    #[serde(default)]
    intro_sent: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct V2State {
    topic: String,
    key_material: String,
    peer_address: String,
    created_ns: String,
    context: Option<ConversationContext>,
    #[serde(default)]
    we_invited: bool,
    #[serde(default)]
    consent_proof: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1State {
    topic: String,
    peer_address: String,
    created_ns: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConsentState {
    timestamp_ns: String,
    action: String,
}

fn b64(s: &str, what: &'static str) -> Result<Vec<u8>, StateError> {
    STANDARD.decode(s).map_err(|_| StateError::Invalid(what))
}

fn ns(s: &str) -> Result<u64, StateError> {
    if s.is_empty() {
        return Ok(0);
    }
    s.parse().map_err(|_| StateError::Invalid("timestamp"))
}

fn addr(s: &str) -> Result<Address, StateError> {
    Address::parse(s).map_err(|_| StateError::Invalid("address"))
}

fn parse(blob: &str) -> Result<StateV1, StateError> {
    let v: serde_json::Value = serde_json::from_str(blob).map_err(|_| StateError::Malformed)?;
    match v.get("version").and_then(serde_json::Value::as_u64) {
        Some(1) => serde_json::from_value(v).map_err(|_| StateError::Malformed),
        Some(_) => Err(StateError::UnsupportedVersion),
        None => Err(StateError::Malformed),
    }
}

fn reader_from(state: &StateV1, registry: Registry) -> Result<EnvelopeReader, StateError> {
    let keys = PrivateKeyBundle::from_bytes(&b64(&state.keys, "keys")?).map_err(|_| StateError::Invalid("keys"))?;
    let mut reader = EnvelopeReader::with_registry(keys, registry);
    for c in &state.conversations {
        let key_material = b64(&c.key_material, "key material")?;
        if key_material.len() != 32 || !crate::topic::is_valid(&c.topic) {
            return Err(StateError::Invalid("conversation"));
        }
        let consent_proof = match &c.consent_proof {
            Some(p) => Some(
                pb::ConsentProofPayload::decode(b64(p, "consent proof")?.as_slice())
                    .map_err(|_| StateError::Invalid("consent proof"))?,
            ),
            None => None,
        };
        reader.add_conversation(V2Conversation {
            topic: c.topic.clone(),
            key_material: SecretBytes::new(key_material),
            context: c.context.clone(),
            peer_address: addr(&c.peer_address)?,
            created_ns: ns(&c.created_ns)?,
            consent_proof,
            we_invited: c.we_invited,
        });
    }
    for c in &state.v1_conversations {
        reader.add_v1_conversation(V1Conversation {
            topic: c.topic.clone(),
            peer_address: addr(&c.peer_address)?,
            created_ns: ns(&c.created_ns)?,
        });
    }
    Ok(reader)
}

impl Client {
    /// Export the engine state as a versioned JSON blob (it contains the private keys).
    #[allow(clippy::expect_used)] // strings, numbers and string-keyed maps always serialize
    pub fn export_state(&self) -> String {
        let state = StateV1 {
            version: STATE_VERSION,
            keys: STANDARD.encode(self.keys().export()),
            conversations: self
                .reader
                .v2_conversations()
                .into_iter()
                .map(|c| V2State {
                    topic: c.topic.clone(),
                    key_material: STANDARD.encode(c.key_material.expose()),
                    peer_address: c.peer_address.to_string(),
                    created_ns: c.created_ns.to_string(),
                    context: c.context.clone(),
                    we_invited: c.we_invited,
                    consent_proof: c.consent_proof.as_ref().map(|p| STANDARD.encode(p.encode_to_vec())),
                })
                .collect(),
            v1_conversations: self
                .reader
                .v1_conversations()
                .into_iter()
                .map(|c| V1State {
                    topic: c.topic.clone(),
                    peer_address: c.peer_address.to_string(),
                    created_ns: c.created_ns.to_string(),
                })
                .collect(),
            high_water: self.high_water.iter().map(|(k, v)| (k.clone(), v.to_string())).collect(),
            delivered_at_mark: self.delivered_at_mark.clone(),
            last_sync_ns: self.last_sync_ns.to_string(),
            last_consent_sync_ns: self.last_consent_sync_ns.to_string(),
            consent: self
                .consent
                .actions()
                .map(|(ts, a)| ConsentState { timestamp_ns: ts.to_string(), action: STANDARD.encode(a.encode()) })
                .collect(),
            contacts: self
                .contacts
                .values()
                .filter_map(|c| contact::encode(c).ok())
                .map(|b| STANDARD.encode(b))
                .collect(),
            intro_sent: self.intro_sent.iter().map(ToString::to_string).collect(),
        };
        serde_json::to_string(&state).expect("state serializes")
    }

    /// Rebuild an engine from [`Client::export_state`] output. Every key, conversation and
    /// contact is checked again.
    pub fn import_state(
        blob: &str,
        registry: Registry,
        rng: Box<dyn CryptoRngCore + Send>,
    ) -> Result<Self, StateError> {
        let state = parse(blob)?;
        let reader = reader_from(&state, registry)?;
        let mut client = Client::from_reader(reader, rng);
        for (t, v) in &state.high_water {
            client.high_water.insert(t.clone(), ns(v)?);
        }
        for (t, ids) in state.delivered_at_mark {
            client.delivered.extend(ids.iter().cloned());
            client.delivered_at_mark.insert(t, ids);
        }
        client.last_sync_ns = ns(&state.last_sync_ns)?;
        client.last_consent_sync_ns = ns(&state.last_consent_sync_ns)?;
        for c in &state.consent {
            let action =
                ConsentAction::decode(&b64(&c.action, "consent")?).map_err(|_| StateError::Invalid("consent"))?;
            client.consent.add(ns(&c.timestamp_ns)?, action);
        }
        for c in &state.contacts {
            let contact = contact::decode_contact(&b64(c, "contact")?).map_err(|_| StateError::Invalid("contact"))?;
            client.contacts.insert(contact.address().clone(), contact);
        }
        for a in &state.intro_sent {
            client.intro_sent.insert(addr(a)?);
        }
        Ok(client)
    }
}

impl Client {
    /// One conversation as the official SDKs export it: an encoded keystore `TopicData`
    /// (creation time, peer address and, for V2, the invitation with its key material). A
    /// secret; `None` when the topic is not a known conversation.
    pub fn export_conversation(&self, topic: &str) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        let data = if let Some(c) = self.reader.conversation(topic) {
            TopicData {
                created_ns: c.created_ns,
                peer_address: c.peer_address.to_string(),
                invitation: Some(c.to_invitation()),
            }
        } else {
            let c = self.reader.v1_conversations().into_iter().find(|c| c.topic == topic)?;
            TopicData { created_ns: c.created_ns, peer_address: c.peer_address.to_string(), invitation: None }
        };
        let bytes = zeroize::Zeroizing::new(data.encode_to_vec());
        // The invitation's copy of the key material is wiped too.
        if let Some(mut invitation) = data.invitation {
            if let Some(pb::invitation_v1::Encryption::Aes256GcmHkdfSha256(k)) = invitation.encryption.as_mut() {
                zeroize::Zeroize::zeroize(&mut k.key_material);
            }
        }
        Some(bytes)
    }

    /// Add a conversation exported by [`Client::export_conversation`] or by an official SDK
    /// (`TopicData`): V2 with its invitation, V1 (no invitation) between this identity and the
    /// peer. A conversation already known stays as it is and is returned. A new one is
    /// announced ([`super::Event::NewConversation`]) and joins the stream.
    pub fn import_conversation(&mut self, bytes: &[u8]) -> Result<Conversation, StateError> {
        let data = TopicData::decode(bytes).map_err(|_| StateError::Malformed)?;
        let peer = addr(&data.peer_address)?;
        if &peer == self.address() {
            return Err(StateError::Invalid("conversation"));
        }
        let (public, added) = match data.invitation {
            Some(invitation) => {
                let c = V2Conversation::from_invitation(invitation, peer, data.created_ns, false)
                    .map_err(|_| StateError::Invalid("conversation"))?;
                if let Some(known) = self.reader.conversation(&c.topic) {
                    return Ok(Conversation::from_v2(known));
                }
                let public = Conversation::from_v2(&c);
                (public, self.reader.add_conversation(c))
            }
            None => {
                let c = V1Conversation {
                    topic: crate::topic::direct_message(self.address(), &peer),
                    peer_address: peer,
                    created_ns: data.created_ns,
                };
                if let Some(known) = self.reader.v1_conversations().into_iter().find(|k| k.topic == c.topic) {
                    return Ok(Conversation::from_v1(known));
                }
                let public = Conversation::from_v1(&c);
                self.v1_announced.insert(public.topic.clone());
                (public, self.reader.add_v1_conversation(c))
            }
        };
        if added {
            self.events.push_back(super::Event::NewConversation(public.clone()));
            self.extend_subscription(&public.topic);
        }
        Ok(public)
    }
}

/// What one envelope read offline holds.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DecryptedEnvelope {
    /// A message of a known conversation (or a V1 introduction).
    Message(Box<Message>),
    /// An invitation: a conversation the state does not know yet (or knows already), to show
    /// as "new conversation".
    Invitation(Conversation),
}

/// Read one envelope with an exported state, without a network or an engine: what a
/// push-notification extension does in a fresh process. `registry` holds the host's codecs
/// (custom types); messages of unknown types still come with their fallback.
pub fn decrypt_envelope(
    state_blob: &str,
    envelope: &Envelope,
    registry: Registry,
) -> Result<DecryptedEnvelope, StateError> {
    let state = parse(state_blob)?;
    let mut reader = reader_from(&state, registry)?;
    match reader.read(envelope).1? {
        Decoded::Message { message, content } => Ok(DecryptedEnvelope::Message(Box::new(Message { message, content }))),
        Decoded::Invite { conversation, .. } => Ok(DecryptedEnvelope::Invitation(Conversation::from_v2(&conversation))),
        _ => Err(StateError::Envelope(crate::message::MessageError::WrongVersion.into())),
    }
}
