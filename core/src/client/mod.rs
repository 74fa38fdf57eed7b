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

mod batch;
mod bootstrap;
mod consent_list;
mod contacts;
mod conversations;
mod messages;
mod preferences;
mod request;
mod sending;
mod state;
mod types;

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
pub use types::{ClientError, Conversation, Event, Message, MessageQuery, PreparedMessage, SendOptions};

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
}

fn read_message(reader: &mut EnvelopeReader, e: &Envelope) -> Result<Message, Error> {
    match reader.read(e).1? {
        Decoded::Message { message, content } => Ok(Message { message, content }),
        _ => Err(crate::message::MessageError::WrongVersion.into()),
    }
}
