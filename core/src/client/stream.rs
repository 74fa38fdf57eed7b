//! The stream of everything: the topic set, its lifecycle (open, lines, closed), reconnecting
//! with back-off, and gap filling from per-topic high-water marks.
//!
//! Order matters for not losing anything: a gap-filling query is only sent once the stream that
//! covers its topic is open, so every envelope published after the query's snapshot arrives on
//! the stream; envelopes seen on both are delivered once (by message id).

use xmtp_proto::message_api::v1::{Envelope, QueryRequest};

use super::{parse_stream_line, query, Client, Event, OpId, Page, Pending, Queued, RequestId, RequestKind, PAGE_SIZE};
use crate::{consent, topic};

/// The first delay before reconnecting a dropped stream; it doubles with each failure in a row.
pub const RECONNECT_BASE_MS: u64 = 500;
/// The longest delay before reconnecting.
pub const RECONNECT_MAX_MS: u64 = 30_000;

impl Client {
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

    /// Start streaming everything: queues a `Subscribe` for [`Client::stream_topics`]. New
    /// conversations extend it (a new `Subscribe` replaces the open one), drops are reconnected
    /// and their gaps filled until [`Client::unsubscribe`].
    pub fn subscribe(&mut self) -> RequestId {
        self.stream.wanted = true;
        self.stream.failures = 0;
        self.stream.topics = self.stream_topics();
        self.queue_subscribe(0)
    }

    /// Stop streaming: the host closes the open stream; the engine neither reconnects nor
    /// fills gaps any more.
    pub fn unsubscribe(&mut self) {
        self.stream.wanted = false;
        self.stream.current = None;
        self.stream.open = false;
        self.drop_held();
        self.outbox.retain(|q| !q.request.is_stream());
    }

    /// Forget the gap fills waiting for a stream to open.
    fn drop_held(&mut self) {
        for q in std::mem::take(&mut self.stream.held) {
            if let Some(p) = self.pending.remove(&q.request.id) {
                self.open_ops.remove(&p.op());
            }
        }
    }

    /// Whether a stream is wanted and open.
    pub fn is_streaming(&self) -> bool {
        self.stream.wanted && self.stream.open
    }

    /// The `Subscribe` request that should be open now, if any.
    pub fn current_stream(&self) -> Option<RequestId> {
        self.stream.current.filter(|_| self.stream.wanted)
    }

    fn queue_subscribe(&mut self, not_before_ns: u64) -> RequestId {
        self.outbox.retain(|q| !q.request.is_stream());
        let request = self.request(RequestKind::Subscribe { topics: self.stream.topics.clone() });
        let id = request.id;
        self.stream.current = Some(id);
        self.stream.open = false;
        self.outbox.push_back(Queued { not_before_ns, ..Queued::now(request) });
        id
    }

    /// The host opened the stream of the `Subscribe` request `id` (its response headers came).
    /// Gap-filling queries waiting for it are released.
    pub fn stream_opened(&mut self, id: RequestId, _now_ns: u64) {
        if self.current_stream() != Some(id) || self.stream.open {
            return;
        }
        self.stream.open = true;
        self.stream.failures = 0;
        let held = std::mem::take(&mut self.stream.held);
        self.outbox.extend(held);
        self.events.push_back(Event::StreamConnected);
    }

    /// One line of the stream `id` (newline-delimited JSON). Envelopes are read as they come;
    /// an error line closes the stream (the engine reconnects). Lines of a stream that is no
    /// longer current are ignored.
    pub fn stream_line(&mut self, id: RequestId, line: &[u8], now_ns: u64) {
        if self.current_stream() != Some(id) {
            return;
        }
        match parse_stream_line(line) {
            Ok(Some(envelope)) => self.ingest(&envelope, true),
            Ok(None) => {}
            Err(_) => self.stream_closed(id, now_ns),
        }
    }

    /// The stream `id` ended or failed. When it is the current one and streaming is still
    /// wanted, the engine reconnects after a back-off (see [`Client::next_deadline`]) and, once
    /// the new stream is open, fills the gap on every topic from its high-water mark.
    pub fn stream_closed(&mut self, id: RequestId, now_ns: u64) {
        if self.current_stream() != Some(id) {
            return;
        }
        let delay_ms = if self.stream.failures == 0 && self.stream.open {
            0
        } else {
            RECONNECT_BASE_MS.saturating_mul(1 << self.stream.failures.min(16)).min(RECONNECT_MAX_MS)
        };
        self.stream.failures = self.stream.failures.saturating_add(1);
        self.events.push_back(Event::StreamInterrupted { retry_after_ms: delay_ms });
        let topics = self.stream.topics.clone();
        self.queue_subscribe(now_ns.saturating_add(delay_ms.saturating_mul(crate::NS_PER_MS)));
        // One gap fill per topic, whatever the number of failed reconnects before an open.
        self.drop_held();
        for t in &topics {
            self.catch_up(t);
        }
    }

    /// Feed envelopes from any source (a stream the host reads itself, a push payload). Each
    /// message id is reported once.
    pub fn receive(&mut self, envelopes: &[Envelope]) {
        for e in envelopes {
            self.ingest(e, true);
        }
    }

    /// Add a topic to the stream; true when it was new and a stream is wanted (a new
    /// `Subscribe` is then queued).
    pub(super) fn extend_subscription(&mut self, topic: &str) -> bool {
        if !self.stream.wanted || self.stream.topics.iter().any(|t| t == topic) {
            return false;
        }
        self.stream.topics.push(topic.to_string());
        self.queue_subscribe(0);
        self.events.push_back(Event::SubscriptionChanged);
        true
    }

    /// Move a topic's high-water mark to `timestamp_ns` if that is newer (forgetting the ids
    /// delivered at the old mark); true when the envelope sits at the mark.
    pub(super) fn advance_mark(&mut self, topic: &str, timestamp_ns: u64) -> bool {
        let mark = self.high_water.entry(topic.to_string()).or_insert(0);
        if timestamp_ns > *mark {
            *mark = timestamp_ns;
            self.delivered_at_mark.remove(topic);
        }
        timestamp_ns == *mark
    }

    /// Fetch a topic's envelopes from its high-water mark (inclusive) and deliver them like
    /// streamed ones. While a stream is wanted but not open, the query waits for it.
    pub(super) fn catch_up(&mut self, topic: &str) {
        let from = self.high_water.get(topic).copied().unwrap_or(0);
        let q = query(topic, from, 0, true, PAGE_SIZE, None);
        let op = self.new_op();
        self.queue_catch_up(op, q);
    }

    fn queue_catch_up(&mut self, op: OpId, q: QueryRequest) {
        let request = self.request(RequestKind::Query(q.clone()));
        self.pending.insert(request.id, Pending::CatchUp { op, query: q });
        let queued = Queued::now(request);
        if self.stream.wanted && !self.stream.open {
            self.stream.held.push(queued);
        } else {
            self.outbox.push_back(queued);
        }
    }

    pub(super) fn after_catch_up_page(&mut self, op: OpId, query: QueryRequest, page: Page) {
        let full = page.envelopes.len() + page.malformed.len() >= PAGE_SIZE as usize;
        self.report_malformed(&page);
        for (e, (kind, result)) in page.envelopes.iter().zip(self.read_page(&page.envelopes)) {
            self.ingest_read(e, kind, result, true);
        }
        if let (true, Some(c)) = (full, page.cursor) {
            let mut next = query;
            if let Some(p) = next.paging_info.as_mut() {
                p.cursor = Some(c);
            }
            self.queue_catch_up(op, next);
            return;
        }
        // Background work: it ends without an event of its own (failures are reported).
        self.open_ops.remove(&op);
    }
}
