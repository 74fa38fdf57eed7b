//! Conversations: syncing invitations and intros, reading envelopes into state, starting conversations.

use xmtp_proto::message_api::v1::{Envelope, QueryRequest};
use xmtp_proto::message_contents::ConsentProofPayload;

use super::{
    query, Client, ClientError, Conversation, Event, Message, OpId, Page, Pending, RequestKind, StartRequest, SyncKind,
    PAGE_SIZE, SYNC_OVERLAP_NS,
};
use crate::contact::ContactVersion;
use crate::crypto::Address;
use crate::decoder::{Decoded, EnvelopeKind, V1Conversation};
use crate::invitation::{self, ConversationContext};
use crate::message::MessageVersion;
use crate::{topic, Error};

impl Client {
    /// List conversations: invitations (V2) and intros (V1) since the last sync minus 10 s.
    /// Emits [`Event::NewConversation`] for each new one, then [`Event::ConversationsSynced`].
    pub fn sync_conversations(&mut self, now_ns: u64) -> OpId {
        let op = self.new_op();
        let start = self.last_sync_ns.saturating_sub(SYNC_OVERLAP_NS);
        self.outstanding_syncs.insert(op, 2);
        for t in [topic::invite(self.address()), topic::intro(self.address())] {
            let q = query(&t, start, 0, true, PAGE_SIZE, None);
            self.queue(RequestKind::Query(q.clone()), Pending::Sync { op, query: q, kind: SyncKind::Conversations });
        }
        self.last_sync_ns = now_ns;
        op
    }

    pub(super) fn after_sync_page(&mut self, op: OpId, query: QueryRequest, kind: SyncKind, page: Page, now_ns: u64) {
        let full = page.envelopes.len() >= PAGE_SIZE as usize;
        self.report_malformed(&page);
        for e in &page.envelopes {
            self.ingest(e, false);
        }
        if let (true, Some(c)) = (full, page.cursor) {
            let mut next = query;
            if let Some(p) = next.paging_info.as_mut() {
                p.cursor = Some(c);
            }
            self.queue(RequestKind::Query(next.clone()), Pending::Sync { op, query: next, kind });
            return;
        }
        let left = self.outstanding_syncs.get(&op).copied().unwrap_or(1).saturating_sub(1);
        if left > 0 {
            self.outstanding_syncs.insert(op, left);
            return;
        }
        match kind {
            SyncKind::Conversations => self.emit(Event::ConversationsSynced { op }),
            SyncKind::Consent => {
                self.honour_consent_proofs(now_ns);
                self.emit(Event::ConsentSynced { op });
            }
        }
    }

    /// Read one envelope into the state; `live` envelopes (stream, gap fill) also yield
    /// message events.
    pub(super) fn ingest(&mut self, e: &Envelope, live: bool) {
        let (kind, result) = self.reader.read(e);
        self.ingest_read(e, kind, result, live);
    }

    /// [`Client::ingest`] of an envelope already read (pages are read as one batch).
    pub(super) fn ingest_read(&mut self, e: &Envelope, kind: EnvelopeKind, result: Result<Decoded, Error>, live: bool) {
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
                let at_mark = self.advance_mark(&e.content_topic, e.timestamp_ns);
                if message.version == MessageVersion::V1 && !self.v1_announced.contains(&topic) {
                    if let Some(c) = self.reader.v1_conversations().into_iter().find(|c| c.topic == topic) {
                        let public = Conversation::from_v1(c);
                        self.v1_announced.insert(topic.clone());
                        self.events.push_back(Event::NewConversation(public));
                        if self.extend_subscription(&topic) && live {
                            self.catch_up(&topic);
                        }
                    }
                }
                let is_intro = kind == EnvelopeKind::Intro;
                // Once per authenticated message: a node can change what no signature covers.
                if live && !is_intro && self.delivered.insert(message.authenticated_id.clone()) {
                    if at_mark {
                        let ids = self.delivered_at_mark.entry(e.content_topic.clone()).or_default();
                        ids.push(message.authenticated_id.clone());
                    }
                    self.events.push_back(Event::Message(Box::new(Message { message, content })));
                }
            }
            Ok(Decoded::Preferences(action)) => {
                for (entry, state) in self.consent.add(e.timestamp_ns, action) {
                    self.events.push_back(Event::ConsentChanged { entry, state });
                }
                self.advance_mark(&e.content_topic, e.timestamp_ns);
            }
            Ok(_) => {}
            Err(err) => {
                self.events.push_back(Event::EnvelopeFailed { kind, topic: e.content_topic.clone(), code: err.code() })
            }
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
        let op = self.new_op();
        if peer == self.address() {
            self.fail_op(op, ClientError::SelfConversation);
            return op;
        }
        if let Some(existing) = self.existing_conversation(peer, context.as_ref()) {
            self.emit(Event::ConversationStarted { op, conversation: existing });
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

    pub(super) fn existing_conversation(
        &self,
        peer: &Address,
        context: Option<&ConversationContext>,
    ) -> Option<Conversation> {
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

    pub(super) fn continue_start(&mut self, op: OpId, start: StartRequest, now_ns: u64) {
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
                self.v1_announced.insert(public.topic.clone());
                self.events.push_back(Event::NewConversation(public.clone()));
                self.extend_subscription(&public.topic);
            }
            self.emit(Event::ConversationStarted { op, conversation: public });
            return;
        }
        let created_ns = crate::whole_ms(now_ns);
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
}
