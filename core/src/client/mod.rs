//! The sans-I/O client engine: a push/pull state machine in the style of quinn-proto.
//!
//! The host drives it:
//! 1. call an operation (`publish_contact`, `sync_conversations`, `start_conversation`, `send`,
//!    `messages`, `subscribe`, `sync_consent`, `set_consent`, …);
//! 2. take requests with [`Client::poll_request`] and perform them (each renders to one HTTP
//!    POST: [`Request::path`], [`Request::body`], [`Request::authorization`]);
//! 3. hand back [`Client::handle_response`] / [`Client::handle_error`], and stream envelopes
//!    with [`Client::receive`];
//! 4. take what happened with [`Client::poll_event`].
//!
//! Time is always a parameter; randomness comes from the generator given at construction.

mod bootstrap;
mod consent_list;
mod request;
mod state;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use rand_core::CryptoRngCore;
use xmtp_proto::message_api::v1::{Envelope, QueryRequest};
use xmtp_proto::message_contents::ConsentProofPayload;

pub use bootstrap::Bootstrap;
pub use consent_list::{ConsentList, ConsentState};
pub use request::{
    parse_batch_response, parse_query_response, parse_stream_line, query, ApiError, ErrorAction, Page, Request,
    RequestId, RequestKind,
};
pub use state::{decrypt_envelope, StateError, STATE_VERSION};

use crate::auth::AuthToken;
use crate::consent::{self, ConsentAction};
use crate::contact::{self, Contact, ContactVersion};
use crate::content::{Compression, Content, ContentTypeId, DecodedContent, Registry};
use crate::crypto::Address;
use crate::decoder::{Decoded, EnvelopeKind, EnvelopeReader, V1Conversation};
use crate::invitation::{self, ConversationContext, V2Conversation};
use crate::keys::PrivateKeyBundle;
use crate::message::{self, DecodedMessage, MessageVersion, OutgoingMessage};
use crate::{push, topic, Error};

/// Page size of queries (the node's maximum).
pub const PAGE_SIZE: u32 = 100;
/// Incremental syncs start this long before the previous sync (10 s), as xmtp-js does.
pub const SYNC_OVERLAP_NS: u64 = 10_000_000_000;
/// Queries per batch request (the node's maximum).
pub const BATCH_SIZE: usize = 50;
/// With the `parallel` feature, [`Client::decrypt_batch`] splits batches of at least this many
/// envelopes across threads; smaller ones are decrypted on the calling thread.
pub const PARALLEL_MIN_BATCH: usize = 256;

/// Identifies an operation started by the host; events that finish it carry the same id.
pub type OpId = u64;

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
    fn from_v2(c: &V2Conversation) -> Self {
        Self {
            topic: c.topic.clone(),
            version: MessageVersion::V2,
            peer_address: c.peer_address.clone(),
            created_ns: c.created_ns,
            context: c.context.clone(),
        }
    }
    fn from_v1(c: &V1Conversation) -> Self {
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
    /// A message arrived on the stream or while filling a gap (each id once).
    Message(Box<Message>),
    /// `messages` finished: messages in the requested order, each id once.
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
    /// The set of topics to subscribe to changed; a new `Subscribe` request is queued.
    SubscriptionChanged,
    /// One envelope could not be read (the others are unaffected).
    EnvelopeFailed {
        /// What kind of envelope.
        kind: EnvelopeKind,
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

/// A conversation start waiting for the peer's contact.
#[derive(Debug, Clone)]
struct StartRequest {
    peer: Address,
    context: Option<ConversationContext>,
    consent_proof: Option<ConsentProofPayload>,
}

#[derive(Debug)]
enum Pending {
    OwnContact {
        op: OpId,
    },
    PublishContact {
        op: OpId,
        last: bool,
    },
    Contacts {
        op: OpId,
        addresses: Vec<Address>,
        then_start: Option<StartRequest>,
    },
    Sync {
        op: OpId,
        query: QueryRequest,
        kind: SyncKind,
    },
    Messages {
        op: OpId,
        topic: String,
        query: QueryRequest,
        want: MessageQuery,
        got: Vec<Message>,
        ids: HashSet<String>,
    },
    CatchUp {
        query: QueryRequest,
    },
    PublishInvite {
        op: OpId,
        conversation: Box<V2Conversation>,
    },
    PublishMessage {
        op: OpId,
        id: String,
    },
    PublishConsent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyncKind {
    Conversations,
    Consent,
}

#[derive(Debug)]
struct Queued {
    not_before_ns: u64,
    request: Request,
    auth_retried: bool,
}

/// The client engine of one identity.
pub struct Client {
    reader: EnvelopeReader,
    rng: Box<dyn CryptoRngCore + Send>,
    contacts: HashMap<Address, Contact>,
    consent: ConsentList,
    high_water: BTreeMap<String, u64>,
    delivered: HashSet<String>,
    last_sync_ns: u64,
    last_consent_sync_ns: u64,
    intro_sent: HashSet<Address>,
    token: Option<AuthToken>,
    next_id: u64,
    outbox: VecDeque<Queued>,
    in_flight: HashMap<RequestId, (Request, bool)>,
    pending: HashMap<RequestId, Pending>,
    outstanding_syncs: HashMap<OpId, usize>,
    events: VecDeque<Event>,
    subscribed: Vec<String>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("address", self.reader.keys().address())
            .field("conversations", &(self.reader.v2_conversations().len() + self.reader.v1_conversations().len()))
            .finish_non_exhaustive()
    }
}

impl Client {
    /// An engine for `keys`, with the standard codecs and the host's CSPRNG.
    pub fn new(keys: PrivateKeyBundle, rng: Box<dyn CryptoRngCore + Send>) -> Self {
        Self::with_registry(keys, Registry::new(), rng)
    }

    /// An engine with a given codec registry.
    pub fn with_registry(keys: PrivateKeyBundle, registry: Registry, rng: Box<dyn CryptoRngCore + Send>) -> Self {
        Self {
            reader: EnvelopeReader::with_registry(keys, registry),
            rng,
            contacts: HashMap::new(),
            consent: ConsentList::default(),
            high_water: BTreeMap::new(),
            delivered: HashSet::new(),
            last_sync_ns: 0,
            last_consent_sync_ns: 0,
            intro_sent: HashSet::new(),
            token: None,
            next_id: 1,
            outbox: VecDeque::new(),
            in_flight: HashMap::new(),
            pending: HashMap::new(),
            outstanding_syncs: HashMap::new(),
            events: VecDeque::new(),
            subscribed: Vec::new(),
        }
    }

    /// The own address.
    pub fn address(&self) -> &Address {
        self.reader.keys().address()
    }

    /// The own keys.
    pub fn keys(&self) -> &PrivateKeyBundle {
        self.reader.keys()
    }

    /// All known conversations, oldest first.
    pub fn conversations(&self) -> Vec<Conversation> {
        let mut all: Vec<Conversation> = self
            .reader
            .v2_conversations()
            .into_iter()
            .map(Conversation::from_v2)
            .chain(self.reader.v1_conversations().into_iter().map(Conversation::from_v1))
            .collect();
        all.sort_by(|a, b| (a.created_ns, &a.topic).cmp(&(b.created_ns, &b.topic)));
        all
    }

    /// The consent state of an address (exact string, as xmtp-js keys it).
    pub fn consent_state(&self, address: &str) -> ConsentState {
        self.consent.state(&ConsentList::address_key(address))
    }

    /// The consent list.
    pub fn consent_list(&self) -> &ConsentList {
        &self.consent
    }

    /// The newest timestamp seen on each topic (to fill gaps after a stream drops).
    pub fn high_water_marks(&self) -> &BTreeMap<String, u64> {
        &self.high_water
    }

    /// The cached contact of an address.
    pub fn contact(&self, address: &Address) -> Option<&Contact> {
        self.contacts.get(address)
    }

    // ----- the host loop -------------------------------------------------------------------

    /// The next request due at `now_ns`, if any.
    pub fn poll_request(&mut self, now_ns: u64) -> Option<Request> {
        let pos = self.outbox.iter().position(|q| q.not_before_ns <= now_ns)?;
        let q = self.outbox.remove(pos)?;
        if !matches!(q.request.kind, RequestKind::Subscribe { .. }) {
            self.in_flight.insert(q.request.id, (q.request.clone(), q.auth_retried));
        }
        Some(q.request)
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether requests are queued or awaiting responses.
    pub fn is_busy(&self) -> bool {
        !self.outbox.is_empty() || !self.pending.is_empty()
    }

    fn new_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn queue(&mut self, kind: RequestKind, pending: Option<Pending>) -> RequestId {
        let id = self.new_id();
        if let Some(p) = pending {
            self.pending.insert(id, p);
        }
        self.outbox.push_back(Queued { not_before_ns: 0, request: Request { id, kind }, auth_retried: false });
        id
    }

    fn authorization(&mut self, now_ns: u64) -> Result<String, ClientError> {
        if !self.token.as_ref().is_some_and(|t| t.is_fresh(now_ns)) {
            let token = AuthToken::create(self.reader.keys(), now_ns).map_err(Error::from)?;
            self.token = Some(token);
        }
        Ok(self.token.as_ref().expect("set above").header_value())
    }

    fn publish(&mut self, envelopes: Vec<Envelope>, now_ns: u64, pending: Pending) -> Result<RequestId, ClientError> {
        let authorization = self.authorization(now_ns)?;
        Ok(self.queue(RequestKind::Publish { envelopes, authorization }, Some(pending)))
    }

    /// The host reports a failed request. Rate limits and transient failures are re-queued;
    /// a refused token is refreshed once; other failures end the operation with
    /// [`Event::Failed`]. Returns what was decided.
    pub fn handle_error(&mut self, id: RequestId, error: &ApiError, now_ns: u64) -> ErrorAction {
        let Some((request, auth_retried)) = self.in_flight.remove(&id) else { return ErrorAction::GiveUp };
        let action = match error.action() {
            ErrorAction::RefreshToken if auth_retried => ErrorAction::GiveUp,
            other => other,
        };
        match action {
            ErrorAction::Retry { after_ms } => {
                self.outbox.push_back(Queued {
                    not_before_ns: now_ns.saturating_add(after_ms.saturating_mul(1_000_000)),
                    request,
                    auth_retried,
                });
            }
            ErrorAction::RefreshToken => {
                self.token = None;
                let mut request = request;
                if let RequestKind::Publish { authorization, .. } = &mut request.kind {
                    match self.authorization(now_ns) {
                        Ok(a) => *authorization = a,
                        Err(e) => {
                            self.fail(id, e);
                            return ErrorAction::GiveUp;
                        }
                    }
                }
                self.outbox.push_back(Queued { not_before_ns: 0, request, auth_retried: true });
            }
            ErrorAction::GiveUp => self.fail(id, ClientError::Api { code: error.code() }),
        }
        action
    }

    fn fail(&mut self, id: RequestId, error: ClientError) {
        let op = match self.pending.remove(&id) {
            Some(
                Pending::OwnContact { op }
                | Pending::PublishContact { op, .. }
                | Pending::Contacts { op, .. }
                | Pending::Sync { op, .. }
                | Pending::Messages { op, .. }
                | Pending::PublishInvite { op, .. }
                | Pending::PublishMessage { op, .. },
            ) => op,
            Some(Pending::CatchUp { .. } | Pending::PublishConsent) | None => id,
        };
        self.outstanding_syncs.remove(&op);
        self.events.push_back(Event::Failed { op, error });
    }

    /// The host hands back the body of a successful response.
    pub fn handle_response(&mut self, id: RequestId, body: &[u8], now_ns: u64) {
        self.in_flight.remove(&id);
        let Some(pending) = self.pending.remove(&id) else { return };
        match pending {
            Pending::OwnContact { op } => match parse_query_response(body) {
                Ok(page) => self.after_own_contact(op, &page, now_ns),
                Err(e) => self.fail_op(op, Error::from(e).into()),
            },
            Pending::PublishContact { op, last } => {
                if last {
                    self.events.push_back(Event::ContactPublished { op, published: true });
                }
            }
            Pending::Contacts { op, addresses, then_start } => match parse_batch_response(body) {
                Ok(pages) => self.after_contacts(op, &addresses, &pages, then_start, now_ns),
                Err(e) => self.fail_op(op, Error::from(e).into()),
            },
            Pending::Sync { op, query, kind } => match parse_query_response(body) {
                Ok(page) => self.after_sync_page(op, query, kind, page, now_ns),
                Err(e) => self.fail_op(op, Error::from(e).into()),
            },
            Pending::Messages { op, topic, query, want, got, ids } => match parse_query_response(body) {
                Ok(page) => self.after_messages_page(op, topic, query, want, got, ids, page),
                Err(e) => self.fail_op(op, Error::from(e).into()),
            },
            Pending::CatchUp { query } => {
                if let Ok(page) = parse_query_response(body) {
                    let full = page.envelopes.len() >= PAGE_SIZE as usize;
                    let cursor = page.cursor.clone();
                    self.receive(&page.envelopes);
                    if let (true, Some(c)) = (full, cursor) {
                        let mut next = query;
                        if let Some(p) = next.paging_info.as_mut() {
                            p.cursor = Some(c);
                        }
                        self.queue(RequestKind::Query(next.clone()), Some(Pending::CatchUp { query: next }));
                    }
                }
            }
            Pending::PublishInvite { op, conversation } => {
                let conversation = *conversation;
                let peer = conversation.peer_address.clone();
                let public = Conversation::from_v2(&conversation);
                if self.reader.add_conversation(conversation) {
                    self.events.push_back(Event::NewConversation(public.clone()));
                    self.extend_subscription(&public.topic);
                }
                self.events.push_back(Event::ConversationStarted { op, conversation: public });
                self.allow_if_unknown(&peer, now_ns);
            }
            Pending::PublishMessage { op, id } => self.events.push_back(Event::Sent { op, id }),
            Pending::PublishConsent => {}
        }
    }

    fn fail_op(&mut self, op: OpId, error: ClientError) {
        self.outstanding_syncs.remove(&op);
        self.events.push_back(Event::Failed { op, error });
    }

    // ----- contacts ------------------------------------------------------------------------

    /// Publish the own contact (V1 and V2 bundles) unless the newest published one is current.
    pub fn publish_contact(&mut self) -> OpId {
        let op = self.new_id();
        let q = query(&topic::contact(self.address()), 0, 0, false, 5, None);
        self.queue(RequestKind::Query(q), Some(Pending::OwnContact { op }));
        op
    }

    fn after_own_contact(&mut self, op: OpId, page: &Page, now_ns: u64) {
        let own = self.reader.keys().public_bundle();
        let newest = contact::newest_valid(self.address(), page.envelopes.iter().map(|e| e.message.as_slice()));
        if newest
            .is_some_and(|c| c.version == ContactVersion::V2 && c.bundle.to_signed_proto() == own.to_signed_proto())
        {
            self.events.push_back(Event::ContactPublished { op, published: false });
            return;
        }
        let t = topic::contact(self.address());
        let ts = now_ns / 1_000_000 * 1_000_000;
        let v1 = contact::encode_v1(self.reader.keys()).map_err(Error::from);
        let v2 = contact::encode_v2(self.reader.keys());
        let mut bundles = Vec::new();
        if let Ok(v1) = v1 {
            bundles.push(v1);
        }
        bundles.push(v2);
        let n = bundles.len();
        for (i, b) in bundles.into_iter().enumerate() {
            // The V2 bundle goes last and 1 ms later, so a descending query finds it first.
            let env = Envelope { content_topic: t.clone(), timestamp_ns: ts + i as u64 * 1_000_000, message: b };
            if let Err(e) = self.publish(vec![env], now_ns, Pending::PublishContact { op, last: i + 1 == n }) {
                self.fail_op(op, e);
                return;
            }
        }
    }

    /// Look up the newest valid contact of each address (batch queries, 50 per request);
    /// finishes with [`Event::ContactsResolved`]. `canMessage` is whether one was found.
    pub fn resolve_contacts(&mut self, addresses: &[Address]) -> OpId {
        let op = self.new_id();
        self.resolve_contacts_then(op, addresses, None);
        op
    }

    fn resolve_contacts_then(&mut self, op: OpId, addresses: &[Address], then_start: Option<StartRequest>) {
        if addresses.is_empty() {
            self.events.push_back(Event::ContactsResolved { op, results: Vec::new() });
            return;
        }
        let chunks: Vec<Vec<Address>> = addresses.chunks(BATCH_SIZE).map(<[Address]>::to_vec).collect();
        let n = chunks.len();
        self.outstanding_syncs.insert(op, n);
        for chunk in chunks {
            let queries = chunk.iter().map(|a| query(&topic::contact(a), 0, 0, false, 5, None)).collect();
            let pending = Pending::Contacts { op, addresses: chunk, then_start: then_start.clone() };
            self.queue(RequestKind::BatchQuery(queries), Some(pending));
        }
    }

    fn after_contacts(
        &mut self,
        op: OpId,
        addresses: &[Address],
        pages: &[Page],
        then_start: Option<StartRequest>,
        now_ns: u64,
    ) {
        let mut results = Vec::with_capacity(addresses.len());
        for (i, addr) in addresses.iter().enumerate() {
            let found = pages
                .get(i)
                .and_then(|p| contact::newest_valid(addr, p.envelopes.iter().map(|e| e.message.as_slice())));
            if let Some(c) = &found {
                self.contacts.insert(addr.clone(), c.clone());
            }
            results.push((addr.clone(), found.is_some()));
        }
        let left = self.outstanding_syncs.get(&op).copied().unwrap_or(1).saturating_sub(1);
        if left == 0 {
            self.outstanding_syncs.remove(&op);
        } else {
            self.outstanding_syncs.insert(op, left);
        }
        match then_start {
            Some(start) => self.continue_start(op, start, now_ns),
            None => self.events.push_back(Event::ContactsResolved { op, results }),
        }
    }

    // ----- conversations -------------------------------------------------------------------

    /// List conversations: invitations (V2) and intros (V1) since the last sync minus 10 s.
    /// Emits [`Event::NewConversation`] for each new one, then [`Event::ConversationsSynced`].
    pub fn sync_conversations(&mut self, now_ns: u64) -> OpId {
        let op = self.new_id();
        let start = self.last_sync_ns.saturating_sub(SYNC_OVERLAP_NS);
        self.outstanding_syncs.insert(op, 2);
        for t in [topic::invite(self.address()), topic::intro(self.address())] {
            let q = query(&t, start, 0, true, PAGE_SIZE, None);
            self.queue(
                RequestKind::Query(q.clone()),
                Some(Pending::Sync { op, query: q, kind: SyncKind::Conversations }),
            );
        }
        self.last_sync_ns = now_ns;
        op
    }

    fn after_sync_page(&mut self, op: OpId, query: QueryRequest, kind: SyncKind, page: Page, now_ns: u64) {
        let full = page.envelopes.len() >= PAGE_SIZE as usize;
        for e in &page.envelopes {
            self.ingest(e, false, now_ns);
        }
        if let (true, Some(c)) = (full, page.cursor) {
            let mut next = query;
            if let Some(p) = next.paging_info.as_mut() {
                p.cursor = Some(c);
            }
            self.queue(RequestKind::Query(next.clone()), Some(Pending::Sync { op, query: next, kind }));
            return;
        }
        let left = self.outstanding_syncs.get(&op).copied().unwrap_or(1).saturating_sub(1);
        if left > 0 {
            self.outstanding_syncs.insert(op, left);
            return;
        }
        self.outstanding_syncs.remove(&op);
        match kind {
            SyncKind::Conversations => self.events.push_back(Event::ConversationsSynced { op }),
            SyncKind::Consent => {
                self.honour_consent_proofs(now_ns);
                self.events.push_back(Event::ConsentSynced { op });
            }
        }
    }

    /// Read one envelope into the state; `live` envelopes (stream, gap fill) also yield
    /// message events.
    fn ingest(&mut self, e: &Envelope, live: bool, now_ns: u64) {
        let (kind, result) = self.reader.read(e);
        match result {
            Ok(Decoded::Invite { conversation, is_new }) => {
                if is_new {
                    let public = Conversation::from_v2(&conversation);
                    self.events.push_back(Event::NewConversation(public.clone()));
                    self.extend_subscription(&public.topic);
                    if live {
                        self.catch_up(&public.topic);
                    }
                }
            }
            Ok(Decoded::Message { message, content }) => {
                let topic = message.conversation_topic.clone();
                let mark = self.high_water.entry(e.content_topic.clone()).or_insert(0);
                *mark = (*mark).max(e.timestamp_ns);
                if message.version == MessageVersion::V1 && !self.subscribed.contains(&topic) {
                    if let Some(c) = self.reader.v1_conversations().into_iter().find(|c| c.topic == topic) {
                        let public = Conversation::from_v1(c);
                        self.events.push_back(Event::NewConversation(public));
                        let newly = !self.subscribed.is_empty();
                        self.extend_subscription(&topic);
                        if live && newly {
                            self.catch_up(&topic);
                        }
                    }
                }
                let is_intro = kind == EnvelopeKind::Intro;
                if live && !is_intro && self.delivered.insert(message.id.clone()) {
                    self.events.push_back(Event::Message(Box::new(Message { message, content })));
                }
            }
            Ok(Decoded::Preferences(action)) => {
                for (entry, state) in self.consent.add(e.timestamp_ns, action) {
                    self.events.push_back(Event::ConsentChanged { entry, state });
                }
                let mark = self.high_water.entry(e.content_topic.clone()).or_insert(0);
                *mark = (*mark).max(e.timestamp_ns);
            }
            Ok(_) => {}
            Err(err) => self.events.push_back(Event::EnvelopeFailed { kind, code: err.code() }),
        }
        let _ = now_ns;
    }

    fn extend_subscription(&mut self, topic: &str) {
        if !self.subscribed.is_empty() && !self.subscribed.iter().any(|t| t == topic) {
            self.subscribed.push(topic.to_string());
            let topics = self.subscribed.clone();
            self.queue(RequestKind::Subscribe { topics }, None);
            self.events.push_back(Event::SubscriptionChanged);
        }
    }

    /// Start (or reuse) a conversation with `peer`, following xmtp-js: reuse a V2 conversation
    /// with the same peer and conversation id; without a conversation id, use V1 when the peer
    /// only has a legacy contact or a V1 conversation already exists; otherwise invite (V2).
    /// Finishes with [`Event::ConversationStarted`] or [`Event::Failed`].
    pub fn start_conversation(&mut self, peer: &Address, context: Option<ConversationContext>, now_ns: u64) -> OpId {
        self.start_conversation_with_proof(peer, context, None, now_ns)
    }

    /// [`Client::start_conversation`] carrying a consent proof the peer signed in advance
    /// (see [`crate::consent::consent_proof_request`]); a new invitation includes it, and the
    /// peer honours it when loading consent.
    pub fn start_conversation_with_proof(
        &mut self,
        peer: &Address,
        context: Option<ConversationContext>,
        consent_proof: Option<ConsentProofPayload>,
        now_ns: u64,
    ) -> OpId {
        let op = self.new_id();
        if peer == self.address() {
            self.fail_op(op, ClientError::SelfConversation);
            return op;
        }
        if let Some(existing) = self.existing_conversation(peer, context.as_ref()) {
            self.events.push_back(Event::ConversationStarted { op, conversation: existing });
            return op;
        }
        let start = StartRequest { peer: peer.clone(), context, consent_proof };
        if self.contacts.contains_key(peer) {
            self.continue_start(op, start, now_ns);
        } else {
            self.resolve_contacts_then(op, std::slice::from_ref(peer), Some(start));
        }
        op
    }

    /// The conversation with `peer` and this conversation id (`None` or empty = none): a V2
    /// conversation with the same id, or, without an id, a V1 conversation with the peer.
    pub fn conversation_with(&self, peer: &Address, conversation_id: Option<&str>) -> Option<Conversation> {
        let context =
            conversation_id.map(|id| ConversationContext { conversation_id: id.to_string(), ..Default::default() });
        self.existing_conversation(peer, context.as_ref())
    }

    fn existing_conversation(&self, peer: &Address, context: Option<&ConversationContext>) -> Option<Conversation> {
        let id = context.map(|c| c.conversation_id.as_str()).filter(|s| !s.is_empty());
        let v2 = self.reader.v2_conversations().into_iter().find(|c| {
            c.peer_address == *peer
                && c.context.as_ref().map(|x| x.conversation_id.as_str()).filter(|s| !s.is_empty()) == id
        });
        if let Some(c) = v2 {
            return Some(Conversation::from_v2(c));
        }
        if id.is_none() {
            let v1 = self.reader.v1_conversations().into_iter().find(|c| c.peer_address == *peer);
            return v1.map(Conversation::from_v1);
        }
        None
    }

    fn continue_start(&mut self, op: OpId, start: StartRequest, now_ns: u64) {
        let StartRequest { peer, context, consent_proof } = start;
        let peer = &peer;
        let Some(contact) = self.contacts.get(peer).cloned() else {
            self.fail_op(op, ClientError::NoIdentity);
            return;
        };
        let no_id = context.as_ref().is_none_or(|c| c.conversation_id.is_empty());
        let legacy_only = matches!(contact.version, ContactVersion::V1 | ContactVersion::BareLegacy);
        if no_id
            && legacy_only
            && contact.bundle.is_legacy_convertible()
            && self.reader.keys().identity().public().is_legacy_convertible()
        {
            let v1 = V1Conversation {
                topic: topic::direct_message(self.address(), peer),
                peer_address: peer.clone(),
                created_ns: now_ns,
            };
            let public = Conversation::from_v1(&v1);
            if self.reader.add_v1_conversation(v1) {
                self.events.push_back(Event::NewConversation(public.clone()));
                self.extend_subscription(&public.topic);
            }
            self.events.push_back(Event::ConversationStarted { op, conversation: public });
            return;
        }
        let created_ns = now_ns / 1_000_000 * 1_000_000;
        let sealed = invitation::create(
            self.reader.keys(),
            &contact.bundle,
            context.as_ref(),
            consent_proof,
            created_ns,
            &mut *self.rng,
        );
        let sealed = match sealed {
            Ok(s) => s,
            Err(e) => {
                self.fail_op(op, Error::from(e).into());
                return;
            }
        };
        let envelopes = sealed
            .topics
            .iter()
            .map(|t| Envelope {
                content_topic: t.clone(),
                timestamp_ns: sealed.timestamp_ns,
                message: sealed.payload.clone(),
            })
            .collect();
        let pending = Pending::PublishInvite { op, conversation: Box::new(sealed.conversation) };
        if let Err(e) = self.publish(envelopes, now_ns, pending) {
            self.fail_op(op, e);
        }
    }

    // ----- sending -------------------------------------------------------------------------

    /// Encode and sign a message for a conversation without publishing it: its id is known.
    /// A V1 conversation needs the peer's contact resolved.
    pub fn prepare(
        &mut self,
        conversation_topic: &str,
        content_type: &ContentTypeId,
        content: &Content,
        options: SendOptions,
        now_ns: u64,
    ) -> Result<PreparedMessage, ClientError> {
        let payload = self.reader.registry().encode(content_type, content, options.compression).map_err(Error::from)?;
        let created_ns = now_ns / 1_000_000 * 1_000_000;
        let out: OutgoingMessage = if let Some(conv) = self.reader.conversation(conversation_topic) {
            let (t, k) = (conv.topic.clone(), conv.key_material.clone());
            message::encode_v2(
                self.reader.keys(),
                &t,
                k.expose(),
                &payload,
                created_ns,
                options.ephemeral,
                &mut *self.rng,
            )
        } else {
            let v1 = self.reader.v1_conversations().into_iter().find(|c| c.topic == conversation_topic).cloned();
            let v1 = v1.ok_or(ClientError::UnknownConversation)?;
            let peer = self.contacts.get(&v1.peer_address).ok_or(ClientError::ContactNotResolved)?.bundle.clone();
            let intros = !options.ephemeral && !self.intro_sent.contains(&v1.peer_address);
            let out = message::encode_v1(
                self.reader.keys(),
                &peer,
                &payload.bytes,
                created_ns / 1_000_000,
                intros,
                options.ephemeral,
                &mut *self.rng,
            )
            .map_err(Error::from)?;
            if intros {
                self.intro_sent.insert(v1.peer_address.clone());
            }
            out
        };
        let envelopes = out
            .topics
            .iter()
            .map(|t| Envelope { content_topic: t.clone(), timestamp_ns: out.timestamp_ns, message: out.bytes.clone() })
            .collect();
        Ok(PreparedMessage { id: out.id, topic: conversation_topic.to_string(), envelopes })
    }

    /// Publish a prepared message; finishes with [`Event::Sent`]. Sending to a peer whose
    /// consent is unknown also publishes an allow action (implicit consent).
    pub fn publish_prepared(&mut self, prepared: PreparedMessage, now_ns: u64) -> Result<OpId, ClientError> {
        let op = self.new_id();
        let peer = self
            .conversations()
            .into_iter()
            .find(|c| c.topic == prepared.topic)
            .map(|c| c.peer_address)
            .ok_or(ClientError::UnknownConversation)?;
        self.publish(prepared.envelopes, now_ns, Pending::PublishMessage { op, id: prepared.id })?;
        self.allow_if_unknown(&peer, now_ns);
        Ok(op)
    }

    /// [`Client::prepare`] then [`Client::publish_prepared`].
    pub fn send(
        &mut self,
        conversation_topic: &str,
        content_type: &ContentTypeId,
        content: &Content,
        options: SendOptions,
        now_ns: u64,
    ) -> Result<(OpId, String), ClientError> {
        let prepared = self.prepare(conversation_topic, content_type, content, options, now_ns)?;
        let id = prepared.id.clone();
        Ok((self.publish_prepared(prepared, now_ns)?, id))
    }

    // ----- messages ------------------------------------------------------------------------

    /// List messages of a conversation, paging with cursors in either direction, within a time
    /// range and up to a limit. Finishes with [`Event::Messages`] (each id once, ordered by
    /// (sent time, id) in the requested direction; undecryptable envelopes are reported with
    /// [`Event::EnvelopeFailed`]).
    pub fn messages(&mut self, conversation_topic: &str, want: MessageQuery) -> OpId {
        let op = self.new_id();
        let page = want.limit.map_or(PAGE_SIZE, |l| (l.clamp(1, PAGE_SIZE as usize)) as u32);
        let q = query(conversation_topic, want.start_ns, want.end_ns, want.ascending, page, None);
        let pending = Pending::Messages {
            op,
            topic: conversation_topic.to_string(),
            query: q.clone(),
            want,
            got: Vec::new(),
            ids: HashSet::new(),
        };
        self.queue(RequestKind::Query(q), Some(pending));
        op
    }

    #[allow(clippy::too_many_arguments)]
    fn after_messages_page(
        &mut self,
        op: OpId,
        topic: String,
        query: QueryRequest,
        want: MessageQuery,
        mut got: Vec<Message>,
        mut ids: HashSet<String>,
        page: Page,
    ) {
        let full = page.envelopes.len() >= query.paging_info.as_ref().map_or(PAGE_SIZE, |p| p.limit) as usize;
        for e in &page.envelopes {
            let (kind, result) = self.reader.read(e);
            match result {
                Ok(Decoded::Message { message, content }) => {
                    let mark = self.high_water.entry(e.content_topic.clone()).or_insert(0);
                    *mark = (*mark).max(e.timestamp_ns);
                    if ids.insert(message.id.clone()) {
                        got.push(Message { message, content });
                    }
                }
                Ok(_) => {}
                Err(err) => self.events.push_back(Event::EnvelopeFailed { kind, code: err.code() }),
            }
        }
        let enough = want.limit.is_some_and(|l| got.len() >= l);
        let progressed = page.cursor.as_ref() != query.paging_info.as_ref().and_then(|p| p.cursor.as_ref());
        if let (false, true, true, Some(c)) = (enough, full, progressed, page.cursor.clone()) {
            let mut next = query;
            if let Some(p) = next.paging_info.as_mut() {
                p.cursor = Some(c);
            }
            let pending = Pending::Messages { op, topic, query: next.clone(), want, got, ids };
            self.queue(RequestKind::Query(next), Some(pending));
            return;
        }
        got.sort_by(|a, b| (a.message.sent_ns, &a.message.id).cmp(&(b.message.sent_ns, &b.message.id)));
        if !want.ascending {
            got.reverse();
        }
        if let Some(l) = want.limit {
            got.truncate(l);
        }
        self.events.push_back(Event::Messages { op, topic, messages: got });
    }

    // ----- streams -------------------------------------------------------------------------

    /// The topics a stream of everything covers: own intro, invite and consent topics and every
    /// known conversation.
    pub fn stream_topics(&self) -> Vec<String> {
        let mut topics = vec![
            topic::intro(self.address()),
            topic::invite(self.address()),
            consent::preferences_topic(self.reader.keys().identity().secret()),
        ];
        topics.extend(self.conversations().into_iter().map(|c| c.topic));
        topics
    }

    /// Queue a `Subscribe` for [`Client::stream_topics`]; new conversations extend it.
    pub fn subscribe(&mut self) -> RequestId {
        self.subscribed = self.stream_topics();
        let topics = self.subscribed.clone();
        self.queue(RequestKind::Subscribe { topics }, None)
    }

    /// Feed envelopes from a stream (or any source). Each message id is reported once.
    pub fn receive(&mut self, envelopes: &[Envelope]) {
        for e in envelopes {
            self.ingest(e, true, e.timestamp_ns);
        }
    }

    /// Fetch a topic's envelopes from its high-water mark and deliver them like streamed ones
    /// (each message id once). Used for newly discovered conversations and after drops.
    fn catch_up(&mut self, topic: &str) {
        let from = self.high_water.get(topic).copied().unwrap_or(0);
        let q = query(topic, from, 0, true, PAGE_SIZE, None);
        self.queue(RequestKind::Query(q.clone()), Some(Pending::CatchUp { query: q }));
    }

    /// After a stream dropped: query every subscribed topic from its high-water mark (inclusive,
    /// so nothing between the last envelope and the drop is missed; duplicates are dropped by
    /// id) and subscribe again.
    pub fn stream_dropped(&mut self) {
        let topics = if self.subscribed.is_empty() { self.stream_topics() } else { self.subscribed.clone() };
        for t in &topics {
            self.catch_up(t);
        }
        self.subscribed = topics.clone();
        self.queue(RequestKind::Subscribe { topics }, None);
    }

    // ----- consent -------------------------------------------------------------------------

    /// Load consent actions from the private preferences topic since the last load minus 10 s,
    /// replay them in timestamp order, then honour valid consent proofs of conversations whose
    /// state is unknown. Finishes with [`Event::ConsentSynced`].
    pub fn sync_consent(&mut self, now_ns: u64) -> OpId {
        let op = self.new_id();
        let t = consent::preferences_topic(self.reader.keys().identity().secret());
        let start = self.last_consent_sync_ns.saturating_sub(SYNC_OVERLAP_NS);
        let q = query(&t, start, 0, true, PAGE_SIZE, None);
        self.outstanding_syncs.insert(op, 1);
        self.queue(RequestKind::Query(q.clone()), Some(Pending::Sync { op, query: q, kind: SyncKind::Consent }));
        self.last_consent_sync_ns = now_ns;
        op
    }

    /// Publish a consent action (one envelope holding all given values) and apply it locally.
    pub fn set_consent(&mut self, action: ConsentAction, now_ns: u64) -> Result<OpId, ClientError> {
        let secret = self.reader.keys().identity().secret().clone();
        let payload = consent::encrypt_action(&secret, &action.encode(), &mut *self.rng);
        let t = consent::preferences_topic(&secret);
        let ts = now_ns / 1_000_000 * 1_000_000;
        let id = self.publish(
            vec![Envelope { content_topic: t, timestamp_ns: ts, message: payload }],
            now_ns,
            Pending::PublishConsent,
        )?;
        for (entry, state) in self.consent.add(ts, action) {
            self.events.push_back(Event::ConsentChanged { entry, state });
        }
        Ok(id)
    }

    fn allow_if_unknown(&mut self, peer: &Address, now_ns: u64) {
        if self.consent_state(peer.as_str()) == ConsentState::Unknown {
            let action = ConsentAction { allow_addresses: vec![peer.to_string()], ..Default::default() };
            // A failure to build the token would already have failed the publish it follows.
            let _ = self.set_consent(action, now_ns);
        }
    }

    fn honour_consent_proofs(&mut self, now_ns: u64) {
        let now_ms = now_ns / 1_000_000;
        let candidates: Vec<(Address, bool)> = self
            .reader
            .v2_conversations()
            .into_iter()
            .filter(|c| self.consent_state(c.peer_address.as_str()) == ConsentState::Unknown)
            .filter_map(|c| {
                let proof = c.consent_proof.as_ref()?;
                let valid =
                    consent::validate_consent_proof(proof, self.address(), c.peer_address.as_str(), now_ms).is_ok();
                Some((c.peer_address.clone(), valid))
            })
            .collect();
        for (peer, valid) in candidates {
            if valid {
                self.allow_if_unknown(&peer, now_ns);
            }
        }
    }

    // ----- push and batch ------------------------------------------------------------------

    /// Push-notification HMAC keys per V2 conversation for the periods −1, 0, +1 around
    /// `now_ms`, optionally only for some topics.
    pub fn hmac_keys(&self, now_ms: u64, topics: Option<&[String]>) -> BTreeMap<String, Vec<(u64, [u8; 32])>> {
        self.reader
            .v2_conversations()
            .into_iter()
            .filter(|c| topics.is_none_or(|t| t.contains(&c.topic)))
            .map(|c| {
                let keys = push::hmac_keys_around(c.key_material.expose(), self.address(), now_ms)
                    .into_iter()
                    .map(|(p, k)| (p, *k))
                    .collect();
                (c.topic.clone(), keys)
            })
            .collect()
    }

    /// Decrypt many envelopes of known conversations: one result per envelope, in order.
    /// Verified sender bundles and conversation secrets are cached across the batch. With the
    /// `parallel` feature (native targets) large batches are split across threads.
    pub fn decrypt_batch(&mut self, envelopes: &[Envelope]) -> Vec<Result<Message, Error>> {
        #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
        {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            if threads > 1 && envelopes.len() >= PARALLEL_MIN_BATCH {
                return self.decrypt_parallel(envelopes, threads);
            }
        }
        envelopes.iter().map(|e| read_message(&mut self.reader, e)).collect()
    }

    #[cfg(all(feature = "parallel", not(target_arch = "wasm32")))]
    fn decrypt_parallel(&self, envelopes: &[Envelope], threads: usize) -> Vec<Result<Message, Error>> {
        let chunk = envelopes.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = envelopes
                .chunks(chunk)
                .map(|part| {
                    let mut reader = self.reader.clone();
                    s.spawn(move || part.iter().map(|e| read_message(&mut reader, e)).collect::<Vec<_>>())
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().expect("decryption threads do not panic")).collect()
        })
    }
}

fn read_message(reader: &mut EnvelopeReader, e: &Envelope) -> Result<Message, Error> {
    match reader.read(e).1? {
        Decoded::Message { message, content } => Ok(Message { message, content }),
        _ => Err(crate::message::MessageError::WrongVersion.into()),
    }
}
