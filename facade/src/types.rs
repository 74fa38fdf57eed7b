//! The records and enums that cross to the host languages. All owned; timestamps are Unix
//! nanoseconds (`u64`). Serialized (serde, camelCase; bytes as byte strings) for the JavaScript binding, which
//! also reads the inputs (options, content, queries, envelopes) back with serde.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{Bytes, XmtpError};

/// The XMTP networks, by the names the official SDKs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Environment {
    /// A node on this machine, `http://localhost:5555` (such as `xmtp-devnode`).
    Local,
    /// XMTP's development network.
    Dev,
    /// XMTP's production network.
    Production,
}

/// How a client reaches its node and names its application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ClientOptions {
    /// The network (ignored when `api_url` is set).
    pub env: Environment,
    /// A node's base URL (`http://` or `https://`), e.g. a self-hosted node.
    pub api_url: Option<String>,
    /// The application's `name/version`, sent as `X-App-Version`.
    pub app_version: Option<String>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self { env: Environment::Dev, api_url: None, app_version: None }
    }
}

/// One HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HttpHeader {
    /// Its name.
    pub name: String,
    /// Its value (the `Authorization` value is a credential: never log it).
    pub value: String,
}

/// A request for the host's HTTP stack: always a `POST` of `body` to `url` with `headers`.
/// When `is_stream` is true the response is a stream of newline-delimited JSON lines: report
/// its opening, lines and end to the client instead of a whole body.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HttpRequest {
    /// Its id: hand it back with the outcome.
    pub id: u64,
    /// The full URL.
    pub url: String,
    /// Always `POST`.
    pub method: String,
    /// The headers.
    pub headers: Vec<HttpHeader>,
    /// The JSON body.
    pub body: Bytes,
    /// A long-lived stream (subscribe) rather than a call.
    pub is_stream: bool,
}

impl std::fmt::Debug for HttpRequest {
    /// Never shows the headers (the publish token).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("is_stream", &self.is_stream)
            .finish_non_exhaustive()
    }
}

/// A wallet signature the identity set-up needs: the host asks the wallet to sign `text`
/// (EIP-191 `personal_sign`) and hands back the 65-byte signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SignatureRequest {
    /// The text to sign.
    pub text: String,
    /// Why: `create_identity` or `enable_identity`.
    pub purpose: String,
}

/// A V2 conversation's context: an application's conversation id and metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ConversationContext {
    /// The application's id for the thread (e.g. `example.com/thread/1`).
    pub conversation_id: String,
    /// Free-form metadata.
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}

/// A conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Conversation {
    /// Its topic (its identity on the network).
    pub topic: String,
    /// `v1` or `v2`.
    pub version: String,
    /// The other member's address.
    pub peer_address: String,
    /// When it started.
    pub created_ns: u64,
    /// The V2 context, if any.
    pub context: Option<ConversationContext>,
}

/// A verified, decrypted message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DecodedMessage {
    /// The message id (hex), the same in every SDK.
    pub id: String,
    /// The sender's address.
    pub sender_address: String,
    /// The recipient's address (V1 only).
    pub recipient_address: Option<String>,
    /// When it was sent.
    pub sent_ns: u64,
    /// The conversation's topic.
    pub conversation_topic: String,
    /// The content type, `authority/type:major.minor`, when declared.
    pub content_type: Option<String>,
    /// The text, for `xmtp.org/text`.
    pub text: Option<String>,
    /// The content as JSON when a standard codec other than text's read it (the same shape
    /// [`ContentInput::Json`] takes).
    pub content_json: Option<String>,
    /// The sender's fallback text, for types the reader does not know.
    pub fallback: Option<String>,
    /// The content's parameters, for host codecs: empty when a standard codec read the content.
    pub parameters: HashMap<String, String>,
    /// The content bytes (decompressed), for host codecs: empty when a standard codec read the
    /// content (`text` or `content_json` holds it).
    pub raw_content: Bytes,
    /// Why the content could not be read (a stable code), when it could not.
    pub content_error: Option<String>,
}

/// Content to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ContentInput {
    /// `xmtp.org/text:1.0`.
    Text {
        /// The text.
        text: String,
    },
    /// A standard type (reaction, reply, read receipt, attachment, remote attachment,
    /// transaction reference) in its JSON form, as [`DecodedMessage::content_json`] shows it.
    Json {
        /// `authority/type:major.minor`, e.g. `xmtp.org/reaction:1.0`.
        content_type: String,
        /// The value.
        json: String,
    },
    /// Content a host codec encoded (an application-defined type).
    Encoded {
        /// `authority/type:major.minor`.
        content_type: String,
        /// Its parameters.
        #[serde(default)]
        parameters: HashMap<String, String>,
        /// Its bytes.
        content: Bytes,
        /// Text shown by clients that do not know the type.
        #[serde(default)]
        fallback: Option<String>,
        /// Whether a push notification should be sent.
        #[serde(default)]
        should_push: bool,
    },
}

/// Compression of content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Compression {
    /// zlib DEFLATE.
    Deflate,
    /// GZIP.
    Gzip,
}

/// Options of a send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SendOptions {
    /// Compress the content (only content of 10 bytes or more is compressed).
    pub compression: Option<Compression>,
    /// Send on the conversation's ephemeral topic (relayed, not stored).
    pub ephemeral: bool,
}

/// One envelope as the network carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Envelope {
    /// Its topic.
    pub content_topic: String,
    /// Its timestamp.
    pub timestamp_ns: u64,
    /// Its payload.
    pub message: Bytes,
}

/// A message encoded and signed but not yet published: its id is known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PreparedMessage {
    /// The message id.
    pub id: String,
    /// The conversation's topic.
    pub topic: String,
    /// The envelopes to publish.
    pub envelopes: Vec<Envelope>,
}

/// A message id and the operation that sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Sending {
    /// The operation: [`Event::Sent`] or [`Event::Failed`] ends it.
    pub op: u64,
    /// The message id.
    pub id: String,
}

/// Order of listed messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum SortDirection {
    /// Oldest first.
    Ascending,
    /// Newest first.
    Descending,
}

/// Which messages to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct MessageQuery {
    /// Only messages sent at or after this time.
    pub after_ns: Option<u64>,
    /// Only messages sent at or before this time.
    pub before_ns: Option<u64>,
    /// At most this many.
    pub limit: Option<u32>,
    /// Order.
    pub direction: SortDirection,
}

impl Default for MessageQuery {
    /// Every message, newest first (as the official SDKs list by default).
    fn default() -> Self {
        Self { after_ns: None, before_ns: None, limit: None, direction: SortDirection::Descending }
    }
}

/// Consent for an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum ConsentState {
    /// No decision seen.
    Unknown,
    /// Allowed.
    Allowed,
    /// Denied.
    Denied,
}

/// One consent decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ConsentEntry {
    /// `address`, `groupId` or `inboxId`.
    pub entry_type: String,
    /// The address, group id or inbox id.
    pub value: String,
    /// The decision.
    pub state: ConsentState,
}

/// Whether an address can be messaged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CanMessage {
    /// The address, as given.
    pub address: String,
    /// Whether it has an XMTP identity.
    pub can_message: bool,
}

/// A push-notification HMAC key of a V2 conversation for one 30-day period. Secret: give it to
/// the notification server only.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct HmacKey {
    /// The conversation's topic.
    pub topic: String,
    /// The period (Unix time in ms ÷ 30 days).
    pub period: u64,
    /// The 32-byte key.
    pub key: Bytes,
}

impl std::fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HmacKey").field("topic", &self.topic).field("period", &self.period).finish_non_exhaustive()
    }
}

/// What one envelope read offline holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum DecryptedEnvelope {
    /// A message.
    Message {
        /// The message.
        message: DecodedMessage,
    },
    /// An invitation to a conversation.
    Invitation {
        /// The conversation.
        conversation: Conversation,
    },
}

/// One envelope's result in a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DecryptResult {
    /// The message, when it could be read.
    pub message: Option<DecodedMessage>,
    /// Why not, otherwise.
    pub error: Option<XmtpError>,
}

/// What happened: results of operations (each operation ends with exactly one event carrying
/// its `op`) and what the network brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum Event {
    /// The own contact is published (or already was current).
    ContactPublished {
        /// The operation.
        op: u64,
        /// Whether anything had to be published.
        published: bool,
    },
    /// `can_message` finished.
    ContactsResolved {
        /// The operation.
        op: u64,
        /// One result per address, in the order asked.
        results: Vec<CanMessage>,
    },
    /// A conversation became known.
    NewConversation {
        /// The conversation.
        conversation: Conversation,
    },
    /// `sync_conversations` finished.
    ConversationsSynced {
        /// The operation.
        op: u64,
    },
    /// `new_conversation` finished.
    ConversationStarted {
        /// The operation.
        op: u64,
        /// The conversation (new or reused).
        conversation: Conversation,
    },
    /// A message arrived on the stream or while filling a gap (each id once).
    Message {
        /// The message.
        message: DecodedMessage,
    },
    /// `messages` finished.
    Messages {
        /// The operation.
        op: u64,
        /// The conversation's topic.
        topic: String,
        /// The messages, in the order asked.
        messages: Vec<DecodedMessage>,
    },
    /// A message was published.
    Sent {
        /// The operation.
        op: u64,
        /// Its id.
        id: String,
    },
    /// A consent decision changed.
    ConsentChanged {
        /// The decision.
        entry: ConsentEntry,
    },
    /// `sync_consent` finished.
    ConsentSynced {
        /// The operation.
        op: u64,
    },
    /// A consent decision was published (an operation the host started, or an implicit allow
    /// the engine made, whose id the host never saw).
    ConsentPublished {
        /// The operation.
        op: u64,
    },
    /// The stream's topic set grew (a new stream request is queued).
    SubscriptionChanged,
    /// The stream is open: from here on nothing is missed.
    StreamConnected,
    /// The stream dropped; the client reconnects after `retry_after_ms` and fills the gap.
    StreamInterrupted {
        /// The delay before reconnecting.
        retry_after_ms: u64,
    },
    /// One envelope could not be read (the others are unaffected).
    EnvelopeFailed {
        /// What it was: `contact`, `privatestore`, `intro`, `invite`, `v1-message`,
        /// `v2-message`, `userpreferences`, `unknown`.
        envelope_kind: String,
        /// Its topic (empty when the item was not an envelope).
        topic: String,
        /// The stable code.
        code: String,
    },
    /// An operation failed.
    Failed {
        /// The operation.
        op: u64,
        /// Why.
        error: XmtpError,
    },
}

impl Event {
    /// The operation this event ends, if it is a final event.
    pub fn op(&self) -> Option<u64> {
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
            Self::NewConversation { .. }
            | Self::Message { .. }
            | Self::ConsentChanged { .. }
            | Self::SubscriptionChanged
            | Self::StreamConnected
            | Self::StreamInterrupted { .. }
            | Self::EnvelopeFailed { .. } => None,
        }
    }
}

/// The operation an event ends, for bindings whose enums cannot carry methods.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn event_op(event: &Event) -> Option<u64> {
    event.op()
}
