//! Messages and streams: paging queries, the subscription topic set, receiving, gap filling.

use super::*;

impl Client {
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
    pub(super) fn after_messages_page(
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
    pub(super) fn catch_up(&mut self, topic: &str) {
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
}
