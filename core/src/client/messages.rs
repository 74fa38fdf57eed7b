//! Listing messages: paging queries in either direction, within a time range, up to a limit.

use std::collections::HashSet;

use xmtp_proto::message_api::v1::QueryRequest;

use xmtp_proto::message_api::v1::Envelope;

use super::{query, Client, Event, Message, MessageQuery, OpId, Page, Pending, RequestKind, PAGE_SIZE};
use crate::decoder::{Decoded, EnvelopeKind};
use crate::Error;

impl Client {
    /// List messages of a conversation, paging with cursors in either direction, within a time
    /// range and up to a limit. Finishes with [`Event::Messages`] (each authenticated message once, ordered by
    /// (sent time, id) in the requested direction; envelopes that cannot be read are reported
    /// with [`Event::EnvelopeFailed`]).
    pub fn messages(&mut self, conversation_topic: &str, want: MessageQuery) -> OpId {
        let op = self.new_op();
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
        self.queue(RequestKind::Query(q), pending);
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
        let asked = query.paging_info.as_ref().map_or(PAGE_SIZE, |p| p.limit) as usize;
        let full = page.envelopes.len() + page.malformed.len() >= asked;
        self.report_malformed(&page);
        for (e, (kind, result)) in page.envelopes.iter().zip(self.read_page(&page.envelopes)) {
            match result {
                Ok(Decoded::Message { message, content }) => {
                    self.advance_mark(&e.content_topic, e.timestamp_ns);
                    // Once per authenticated message (see `DecodedMessage::authenticated_id`).
                    if ids.insert(message.authenticated_id.clone()) {
                        got.push(Message { message, content });
                    }
                }
                Ok(_) => {}
                Err(err) => self.events.push_back(Event::EnvelopeFailed {
                    kind,
                    topic: e.content_topic.clone(),
                    code: err.code(),
                }),
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
            self.queue(RequestKind::Query(next), pending);
            return;
        }
        got.sort_by(|a, b| (a.message.sent_ns, &a.message.id).cmp(&(b.message.sent_ns, &b.message.id)));
        if !want.ascending {
            got.reverse();
        }
        if let Some(l) = want.limit {
            got.truncate(l);
        }
        self.emit(Event::Messages { op, topic, messages: got });
    }

    /// Read the envelopes of one page, in order, their V2 signatures verified together.
    pub(super) fn read_page(&mut self, envelopes: &[Envelope]) -> Vec<(EnvelopeKind, Result<Decoded, Error>)> {
        self.reader.read_batch(envelopes, &mut *self.rng)
    }
}
