//! The sans-I/O client engine: a push/pull state machine in the style of quinn-proto.
//!
//! # The host loop
//!
//! A host (the CLI, a Swift, Kotlin or JS binding, a test) needs no protocol knowledge:
//!
//! 1. start operations (`publish_contact`, `sync_conversations`, `start_conversation`, `send`,
//!    `messages`, `resolve_contacts`, `sync_consent`, `set_consent`, …); each returns an
//!    [`OpId`];
//! 2. take requests with [`Client::poll_request`]. For a call, POST [`Request::body`] to
//!    [`Request::path`] with [`Request::headers`] and hand the outcome back with
//!    [`Client::handle_http`] (status 0 when the transport failed; the engine retries, refreshes
//!    tokens and gives up as the message API's rules say). For a `Subscribe`, close the stream
//!    you have open (the engine keeps at most one), open this one, and report
//!    [`Client::stream_opened`] once the response headers arrive, every line with
//!    [`Client::stream_line`], and [`Client::stream_closed`] when it ends or fails;
//! 3. take what happened with [`Client::poll_event`]. Every operation ends with exactly one
//!    final event carrying its id ([`Event::op`]): its result, or [`Event::Failed`];
//! 4. when there is nothing to do, sleep until [`Client::next_deadline`] (retries wait there), a
//!    response, or a stream line.
//!
//! The engine decides everything else: when to retry and for how long, when to refresh the
//! publish token, which topics the stream covers, that gap-filling queries run only once the
//! new stream is open (so nothing falls between them), and when to reconnect after a drop.
//!
//! Time is always a parameter (`now_ns`, Unix nanoseconds); randomness comes from the generator
//! given at construction.

mod batch;
mod bootstrap;
mod contacts;
mod conversations;
mod messages;
mod preferences;
mod sending;
mod state;
mod stream;
mod types;

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use rand_core::CryptoRngCore;
use xmtp_proto::message_api::v1::{Envelope, QueryRequest};
use xmtp_proto::message_contents::ConsentProofPayload;

pub use crate::api::http::{
    parse_batch_response, parse_query_response, parse_stream_line, query, ApiError, ErrorAction, Page, Request,
    RequestId, RequestKind,
};
pub use crate::consent::{ConsentList, ConsentState};
pub use bootstrap::Bootstrap;
pub use state::{decrypt_envelope, DecryptedEnvelope, StateError, STATE_VERSION};
pub use types::{ClientError, Conversation, Event, Message, MessageQuery, PreparedMessage, SendOptions};

use crate::api::http::MAX_PAGE_SIZE;
use crate::auth::AuthToken;
use crate::contact::Contact;
use crate::content::Registry;
use crate::crypto::Address;
use crate::decoder::EnvelopeReader;
use crate::invitation::{ConversationContext, V2Conversation};
use crate::keys::PrivateKeyBundle;
use crate::Error;

/// Page size of queries (the node's maximum).
pub const PAGE_SIZE: u32 = MAX_PAGE_SIZE;
/// Incremental syncs start this long before the previous sync (10 s), as xmtp-js does.
pub const SYNC_OVERLAP_NS: u64 = 10_000_000_000;
/// Queries per batch request (the node's maximum).
pub const BATCH_SIZE: usize = crate::api::http::MAX_BATCH_QUERIES;
/// With the `parallel` feature, [`Client::decrypt_batch`] splits batches of at least this many
/// envelopes across threads; smaller ones are decrypted on the calling thread.
pub const PARALLEL_MIN_BATCH: usize = 256;

/// Identifies an operation started by the host; the event that finishes it carries the same id.
pub type OpId = u64;

/// A conversation start waiting for the peer's contact.
#[derive(Debug, Clone)]
struct StartRequest {
    peer: Address,
    context: Option<ConversationContext>,
    consent_proof: Option<ConsentProofPayload>,
}

/// What a request in flight is for.
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
        offset: usize,
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
        op: OpId,
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
    PublishConsent {
        op: OpId,
    },
}

impl Pending {
    fn op(&self) -> OpId {
        match self {
            Self::OwnContact { op }
            | Self::PublishContact { op, .. }
            | Self::Contacts { op, .. }
            | Self::Sync { op, .. }
            | Self::Messages { op, .. }
            | Self::CatchUp { op, .. }
            | Self::PublishInvite { op, .. }
            | Self::PublishMessage { op, .. }
            | Self::PublishConsent { op } => *op,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SyncKind {
    Conversations,
    Consent,
}

/// A contact lookup in progress: results in the order asked, batches outstanding.
#[derive(Debug)]
struct Resolving {
    results: Vec<(Address, bool)>,
    remaining: usize,
    then_start: Option<StartRequest>,
}

/// A request waiting to be performed, with its retry bookkeeping.
#[derive(Debug, Clone)]
struct Queued {
    not_before_ns: u64,
    request: Request,
    attempts: u32,
    auth_retried: bool,
}

impl Queued {
    fn now(request: Request) -> Self {
        Self { not_before_ns: 0, request, attempts: 0, auth_retried: false }
    }
}

/// The subscription: whether the host wants one, which `Subscribe` is current, and the
/// gap-filling queries that wait until it is open.
#[derive(Debug, Default)]
struct StreamState {
    wanted: bool,
    current: Option<RequestId>,
    open: bool,
    held: Vec<Queued>,
    failures: u32,
    topics: Vec<String>,
}

/// The client engine of one identity.
pub struct Client {
    reader: EnvelopeReader,
    rng: Box<dyn CryptoRngCore + Send>,
    contacts: HashMap<Address, Contact>,
    consent: ConsentList,
    high_water: BTreeMap<String, u64>,
    /// Messages (authenticated ids) delivered at each topic's high-water mark: gap fills start
    /// at the mark (inclusive), and these must not be delivered again, even by an engine
    /// restored from exported state.
    delivered_at_mark: BTreeMap<String, Vec<String>>,
    delivered: HashSet<String>,
    last_sync_ns: u64,
    last_consent_sync_ns: u64,
    intro_sent: HashSet<Address>,
    token: Option<AuthToken>,
    app_version: Option<String>,
    next_id: u64,
    outbox: VecDeque<Queued>,
    in_flight: HashMap<RequestId, Queued>,
    pending: HashMap<RequestId, Pending>,
    open_ops: HashSet<OpId>,
    outstanding_syncs: HashMap<OpId, usize>,
    resolving: HashMap<OpId, Resolving>,
    events: VecDeque<Event>,
    stream: StreamState,
    v1_announced: HashSet<String>,
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
        Self::from_reader(EnvelopeReader::with_registry(keys, registry), rng)
    }

    fn from_reader(reader: EnvelopeReader, rng: Box<dyn CryptoRngCore + Send>) -> Self {
        let v1_announced = reader.v1_conversations().into_iter().map(|c| c.topic.clone()).collect();
        Self {
            reader,
            rng,
            contacts: HashMap::new(),
            consent: ConsentList::default(),
            high_water: BTreeMap::new(),
            delivered_at_mark: BTreeMap::new(),
            delivered: HashSet::new(),
            last_sync_ns: 0,
            last_consent_sync_ns: 0,
            intro_sent: HashSet::new(),
            token: None,
            app_version: None,
            next_id: 1,
            outbox: VecDeque::new(),
            in_flight: HashMap::new(),
            pending: HashMap::new(),
            open_ops: HashSet::new(),
            outstanding_syncs: HashMap::new(),
            resolving: HashMap::new(),
            events: VecDeque::new(),
            stream: StreamState::default(),
            v1_announced,
        }
    }

    /// Name the application in the `X-App-Version` header of every request (`app/version`), as
    /// the official SDKs' `appVersion` option does.
    pub fn set_app_version(&mut self, app_version: Option<String>) {
        self.app_version = app_version.filter(|v| !v.is_empty());
    }

    /// The own address.
    pub fn address(&self) -> &Address {
        self.reader.keys().address()
    }

    /// The own keys.
    pub fn keys(&self) -> &PrivateKeyBundle {
        self.reader.keys()
    }

    /// The codec registry.
    pub fn registry(&self) -> &Registry {
        self.reader.registry()
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

    /// The conversation of a topic.
    pub fn conversation(&self, topic: &str) -> Option<Conversation> {
        if let Some(c) = self.reader.conversation(topic) {
            return Some(Conversation::from_v2(c));
        }
        self.reader.v1_conversations().into_iter().find(|c| c.topic == topic).map(Conversation::from_v1)
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
        let request = q.request.clone();
        if !request.is_stream() {
            self.in_flight.insert(request.id, q);
        }
        Some(request)
    }

    /// When the earliest queued request falls due (Unix ns), if any is queued: the host may
    /// sleep until then (or until a response or stream line arrives). A value at or before now
    /// means a request is ready.
    pub fn next_deadline(&self) -> Option<u64> {
        self.outbox.iter().map(|q| q.not_before_ns).min()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Whether requests are queued or awaiting responses (a stream does not count).
    pub fn is_busy(&self) -> bool {
        !self.outbox.iter().all(|q| q.request.is_stream()) || !self.pending.is_empty()
    }

    /// The host reports the outcome of a call: the HTTP status (0 when the transport failed
    /// without a response; the body then holds the reason) and the body. A 2xx status is a
    /// response; anything else an error, retried, refreshed or given up as
    /// [`ApiError::retry_after_ms`] and [`ApiError::is_unauthenticated`] say. For a `Subscribe`,
    /// an error status means the stream could not be opened.
    pub fn handle_http(&mut self, id: RequestId, status: u16, body: &[u8], now_ns: u64) -> Option<ErrorAction> {
        if (200..300).contains(&status) {
            if self.stream.current == Some(id) {
                self.stream_opened(id, now_ns);
            } else {
                self.handle_response(id, body, now_ns);
            }
            return None;
        }
        Some(self.handle_error(id, &ApiError::from_http(status, body), now_ns))
    }

    fn new_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// A new operation: it will end with exactly one final event.
    fn new_op(&mut self) -> OpId {
        let op = self.new_id();
        self.open_ops.insert(op);
        op
    }

    /// Report an event; a final event of an operation that already ended is dropped, so every
    /// operation ends exactly once.
    fn emit(&mut self, event: Event) {
        if let Some(op) = event.op() {
            if !self.open_ops.remove(&op) {
                return;
            }
            self.outstanding_syncs.remove(&op);
            self.resolving.remove(&op);
        }
        self.events.push_back(event);
    }

    fn fail_op(&mut self, op: OpId, error: ClientError) {
        self.emit(Event::Failed { op, error });
    }

    fn request(&mut self, kind: RequestKind) -> Request {
        let id = self.new_id();
        Request { id, kind, app_version: self.app_version.clone() }
    }

    fn queue(&mut self, kind: RequestKind, pending: Pending) -> RequestId {
        let request = self.request(kind);
        let id = request.id;
        self.pending.insert(id, pending);
        self.outbox.push_back(Queued::now(request));
        id
    }

    fn authorization(&mut self, now_ns: u64) -> Result<String, ClientError> {
        let token = match self.token.take() {
            Some(t) if t.is_fresh(now_ns) => t,
            _ => AuthToken::create(self.reader.keys(), now_ns).map_err(Error::from)?,
        };
        let value = token.header_value();
        self.token = Some(token);
        Ok(value)
    }

    fn publish(&mut self, envelopes: Vec<Envelope>, now_ns: u64, pending: Pending) -> Result<RequestId, ClientError> {
        let authorization = self.authorization(now_ns)?;
        Ok(self.queue(RequestKind::Publish { envelopes, authorization }, pending))
    }

    /// The host reports a failed request. Rate limits and transient failures are re-queued with
    /// a growing delay (see [`Client::next_deadline`]); a refused token is refreshed once; other
    /// failures, and transient ones past their retries, end the operation with
    /// [`Event::Failed`]. Returns what was decided.
    pub fn handle_error(&mut self, id: RequestId, error: &ApiError, now_ns: u64) -> ErrorAction {
        let Some(mut q) = self.in_flight.remove(&id) else {
            if self.stream.current == Some(id) {
                self.stream_closed(id, now_ns);
            }
            return ErrorAction::GiveUp;
        };
        if error.is_unauthenticated() && !q.auth_retried {
            if let RequestKind::Publish { authorization, .. } = &mut q.request.kind {
                self.token = None;
                match self.authorization(now_ns) {
                    Ok(a) => *authorization = a,
                    Err(e) => {
                        self.fail(id, e);
                        return ErrorAction::GiveUp;
                    }
                }
                q.auth_retried = true;
                q.not_before_ns = 0;
                self.outbox.push_back(q);
                return ErrorAction::RefreshToken;
            }
        }
        match error.retry_after_ms(q.attempts) {
            Some(after_ms) => {
                q.attempts += 1;
                q.not_before_ns = now_ns.saturating_add(after_ms.saturating_mul(crate::NS_PER_MS));
                self.outbox.push_back(q);
                ErrorAction::Retry { after_ms }
            }
            None => {
                self.fail(id, ClientError::Api { code: error.code() });
                ErrorAction::GiveUp
            }
        }
    }

    fn fail(&mut self, id: RequestId, error: ClientError) {
        if let Some(p) = self.pending.remove(&id) {
            self.fail_op(p.op(), error);
        }
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
                    self.emit(Event::ContactPublished { op, published: true });
                }
            }
            Pending::Contacts { op, addresses, offset } => match parse_batch_response(body) {
                Ok(pages) => self.after_contacts(op, &addresses, offset, &pages, now_ns),
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
            Pending::CatchUp { op, query } => match parse_query_response(body) {
                Ok(page) => self.after_catch_up_page(op, query, page),
                Err(e) => self.fail_op(op, Error::from(e).into()),
            },
            Pending::PublishInvite { op, conversation } => {
                let conversation = *conversation;
                let peer = conversation.peer_address.clone();
                let public = Conversation::from_v2(&conversation);
                if self.reader.add_conversation(conversation) {
                    self.events.push_back(Event::NewConversation(public.clone()));
                    self.extend_subscription(&public.topic);
                }
                self.emit(Event::ConversationStarted { op, conversation: public });
                self.allow_if_unknown(&peer, now_ns);
            }
            Pending::PublishMessage { op, id } => self.emit(Event::Sent { op, id }),
            Pending::PublishConsent { op } => self.emit(Event::ConsentPublished { op }),
        }
    }

    /// Report the items of a page that were not envelopes, one event each.
    fn report_malformed(&mut self, page: &Page) {
        for e in &page.malformed {
            self.events.push_back(Event::EnvelopeFailed {
                kind: crate::decoder::EnvelopeKind::Unknown,
                topic: String::new(),
                code: e.code(),
            });
        }
    }
}
