//! The engine's public data types: errors, conversations, messages, options and events.

use xmtp_proto::message_api::v1::Envelope;

use super::{ConsentState, OpId};
use crate::content::{Compression, DecodedContent};
use crate::crypto::Address;
use crate::decoder::{EnvelopeKind, V1Conversation};
use crate::invitation::{ConversationContext, V2Conversation};
use crate::message::{DecodedMessage, MessageVersion};
use crate::Error;

/// Errors the engine reports for an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// A protocol error.
    #[error(transparent)]
    Protocol(#[from] Error),
    /// The node refused or the transport failed, and the engine gave up.
    #[error("request failed: {code}")]
    Api {
        /// The API error code (`api.…`).
        code: &'static str,
    },
    /// The address has no valid contact bundle.
    #[error("the address has no XMTP identity")]
    NoIdentity,
    /// A V1 conversation needs the peer's contact; resolve it first.
    #[error("contact not resolved")]
    ContactNotResolved,
    /// No conversation has this topic.
    #[error("unknown conversation")]
    UnknownConversation,
    /// Cannot start a conversation with oneself.
    #[error("cannot message self")]
    SelfConversation,
}

impl ClientError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Protocol(e) => e.code(),
            Self::Api { code } => code,
            Self::NoIdentity => "client.no_identity",
            Self::ContactNotResolved => "client.contact_not_resolved",
            Self::UnknownConversation => "client.unknown_conversation",
            Self::SelfConversation => "client.self_conversation",
        }
    }
}

impl From<crate::crypto::InvalidAddress> for ClientError {
    fn from(e: crate::crypto::InvalidAddress) -> Self {
        Self::Protocol(e.into())
    }
}

/// A conversation as the host sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Its topic.
    pub topic: String,
    /// V1 or V2.
    pub version: MessageVersion,
    /// The other member.
    pub peer_address: Address,
    /// When it started.
    pub created_ns: u64,
    /// V2 context.
    pub context: Option<ConversationContext>,
}

impl Conversation {
    pub(super) fn from_v2(c: &V2Conversation) -> Self {
        Self {
            topic: c.topic.clone(),
            version: MessageVersion::V2,
            peer_address: c.peer_address.clone(),
            created_ns: c.created_ns,
            context: c.context.clone(),
        }
    }
    /// Its JSON form ([`crate::render::conversation_json`]).
    pub fn to_json(&self) -> serde_json::Value {
        crate::render::conversation_json(
            &self.topic,
            self.version.as_str(),
            self.peer_address.as_str(),
            self.created_ns,
            self.context.as_ref(),
        )
    }

    pub(super) fn from_v1(c: &V1Conversation) -> Self {
        Self {
            topic: c.topic.clone(),
            version: MessageVersion::V1,
            peer_address: c.peer_address.clone(),
            created_ns: c.created_ns,
            context: None,
        }
    }
}

/// A decoded message with its content.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The verified message.
    pub message: DecodedMessage,
    /// Its content.
    pub content: DecodedContent,
}

impl Message {
    /// Its JSON form ([`crate::render::message_json`]).
    pub fn to_json(&self) -> serde_json::Value {
        crate::render::message_json(&self.message, &self.content)
    }
}

/// A message prepared for sending: its id is known before it is published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedMessage {
    /// The message id.
    pub id: String,
    /// The conversation topic.
    pub topic: String,
    /// The envelopes to publish.
    pub envelopes: Vec<Envelope>,
}

/// Options of a send.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendOptions {
    /// Compress the content.
    pub compression: Option<Compression>,
    /// Send on the ephemeral twin of the topic (not stored by nodes).
    pub ephemeral: bool,
}

/// Which messages to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageQuery {
    /// Inclusive lower bound (0 = none).
    pub start_ns: u64,
    /// Inclusive upper bound (0 = none).
    pub end_ns: u64,
    /// Maximum number of messages (`None` = all).
    pub limit: Option<usize>,
    /// Oldest first.
    pub ascending: bool,
}

impl Default for MessageQuery {
    fn default() -> Self {
        Self { start_ns: 0, end_ns: 0, limit: None, ascending: true }
    }
}

/// What happened, for the host.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The own contact is published (or already was current).
    ContactPublished {
        /// The operation.
        op: OpId,
        /// Whether anything had to be published.
        published: bool,
    },
    /// Contacts were looked up: whether each address can be messaged.
    ContactsResolved {
        /// The operation.
        op: OpId,
        /// Address → has a valid contact.
        results: Vec<(Address, bool)>,
    },
    /// A conversation became known (sync, stream, or started here).
    NewConversation(Conversation),
    /// A conversation sync finished.
    ConversationsSynced {
        /// The operation.
        op: OpId,
    },
    /// `start_conversation` finished.
    ConversationStarted {
        /// The operation.
        op: OpId,
        /// The conversation (new or reused).
        conversation: Conversation,
    },
    /// A message arrived on the stream or while filling a gap (each authenticated message once).
    Message(Box<Message>),
    /// `messages` finished: messages in the requested order, each authenticated message once.
    Messages {
        /// The operation.
        op: OpId,
        /// The topic.
        topic: String,
        /// The messages.
        messages: Vec<Message>,
    },
    /// A message was published.
    Sent {
        /// The operation.
        op: OpId,
        /// Its id.
        id: String,
    },
    /// A consent entry changed.
    ConsentChanged {
        /// `address-<value>`, `groupId-<value>` or `inboxId-<value>`.
        entry: String,
        /// Its new state.
        state: ConsentState,
    },
    /// A consent sync finished.
    ConsentSynced {
        /// The operation.
        op: OpId,
    },
    /// A consent action was published (`set_consent`, or an implicit allow the engine made
    /// on its own, whose operation id the host never saw).
    ConsentPublished {
        /// The operation.
        op: OpId,
    },
    /// The set of topics to subscribe to changed; a new `Subscribe` request is queued.
    SubscriptionChanged,
    /// The stream is open (again): from here on nothing is missed.
    StreamConnected,
    /// The stream dropped; the engine reconnects after `retry_after_ms` and fills the gap.
    StreamInterrupted {
        /// The delay before reconnecting.
        retry_after_ms: u64,
    },
    /// One envelope could not be read (the others are unaffected).
    EnvelopeFailed {
        /// What kind of envelope.
        kind: EnvelopeKind,
        /// Its content topic (empty when the item was not an envelope at all).
        topic: String,
        /// The error code.
        code: &'static str,
    },
    /// An operation failed.
    Failed {
        /// The operation.
        op: OpId,
        /// Why.
        error: ClientError,
    },
}

impl Event {
    /// The operation this event finishes, for final events (every operation ends with exactly
    /// one: its result or [`Event::Failed`]); `None` for events that report what the network
    /// brought (new conversations, streamed messages, consent changes, failed envelopes).
    pub fn op(&self) -> Option<OpId> {
        match self {
            Self::ContactPublished { op, .. }
            | Self::ContactsResolved { op, .. }
            | Self::ConversationsSynced { op }
            | Self::ConversationStarted { op, .. }
            | Self::Messages { op, .. }
            | Self::Sent { op, .. }
            | Self::ConsentSynced { op }
            | Self::ConsentPublished { op }
            | Self::Failed { op, .. } => Some(*op),
            Self::NewConversation(_)
            | Self::Message(_)
            | Self::ConsentChanged { .. }
            | Self::SubscriptionChanged
            | Self::StreamConnected
            | Self::StreamInterrupted { .. }
            | Self::EnvelopeFailed { .. } => None,
        }
    }
}
