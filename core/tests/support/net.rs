//! A deterministic in-memory network for engine tests: a store with the node's query semantics
//! (duplicate suppression, (timestamp, digest) order, cursors on full pages, inclusive time
//! ranges, ephemeral topics relayed only) and a loop that carries requests, responses and
//! stream envelopes between engines and the store. Faults can be injected.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use xmtp_core::api::envelope_to_json;
use xmtp_core::client::{Client, Event, RequestId, RequestKind};
use xmtp_core::crypto;
use xmtp_core::proto::message_api::v1::{cursor, Envelope, QueryRequest, SortDirection};
use xmtp_core::topic;

/// The in-memory node.
#[derive(Default)]
pub struct Net {
    /// Stored envelopes by topic, keyed by (timestamp, digest).
    pub store: BTreeMap<String, BTreeMap<(u64, [u8; 32]), Envelope>>,
    /// Live subscriptions: client address → topics.
    pub subs: HashMap<String, HashSet<String>>,
    /// The open stream of each client: client address → its `Subscribe` request.
    pub streams: HashMap<String, RequestId>,
    /// Publish calls served (each may hold several envelopes), duplicates included.
    pub publish_calls: usize,
    /// Requests in the order served: (client address, path).
    pub log: Vec<(String, &'static str)>,
    /// Envelopes waiting to be delivered on each client's stream, by client address.
    pub inbox: HashMap<String, Vec<Envelope>>,
    /// Fail this many of the next requests with 429.
    pub rate_limit_next: usize,
    /// Refuse the token of this many of the next publishes with 401.
    pub reject_tokens_next: usize,
    /// Deliver each streamed envelope twice.
    pub duplicate_stream: bool,
    /// Requests served.
    pub served: usize,
    /// Publishes seen without an Authorization header.
    pub unauthenticated_publishes: usize,
    /// The simulated clock.
    pub now_ns: u64,
}

impl Net {
    pub fn new(now_ns: u64) -> Self {
        Self { now_ns, ..Default::default() }
    }

    pub fn publish(&mut self, envelopes: &[Envelope]) {
        for e in envelopes {
            if !topic::kind(&e.content_topic).is_ephemeral() {
                let digest = crypto::sha256_parts(&[e.content_topic.as_bytes(), &e.message]);
                self.store.entry(e.content_topic.clone()).or_default().insert((e.timestamp_ns, digest), e.clone());
            }
            for (client, topics) in &self.subs {
                if topics.contains(&e.content_topic) {
                    let inbox = self.inbox.entry(client.clone()).or_default();
                    inbox.push(e.clone());
                    if self.duplicate_stream {
                        inbox.push(e.clone());
                    }
                }
            }
        }
    }

    pub fn query(&self, q: &QueryRequest) -> Value {
        let paging = q.paging_info.clone().unwrap_or_default();
        let limit = if paging.limit == 0 { 100 } else { paging.limit as usize };
        let ascending = paging.direction == SortDirection::Ascending as i32;
        let after = paging.cursor.and_then(|c| c.cursor).map(|cursor::Cursor::Index(i)| {
            let mut d = [0u8; 32];
            d.copy_from_slice(&i.digest);
            (i.sender_time_ns, d)
        });
        let mut rows: Vec<(&(u64, [u8; 32]), &Envelope)> = q
            .content_topics
            .iter()
            .filter_map(|t| self.store.get(t))
            .flat_map(|m| m.iter())
            .filter(|((ts, _), _)| {
                (q.start_time_ns == 0 || *ts >= q.start_time_ns) && (q.end_time_ns == 0 || *ts <= q.end_time_ns)
            })
            .collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        if !ascending {
            rows.reverse();
        }
        if let Some(after) = after {
            rows.retain(|(k, _)| if ascending { **k > after } else { **k < after });
        }
        rows.truncate(limit);
        let mut out = json!({"envelopes": rows.iter().map(|(_, e)| envelope_to_json(e)).collect::<Vec<_>>()});
        if rows.len() == limit {
            let ((ts, d), _) = rows[rows.len() - 1];
            out["pagingInfo"] = json!({"limit": limit, "cursor": {"index": {"digest": STANDARD.encode(d), "senderTimeNs": ts.to_string()}}});
        }
        out
    }

    /// Run every client until no request is left, delivering stream envelopes; returns each
    /// client's events.
    pub fn run(&mut self, clients: &mut [&mut Client]) -> Vec<Vec<Event>> {
        let mut events: Vec<Vec<Event>> = clients.iter().map(|_| Vec::new()).collect();
        for _round in 0..10_000 {
            let mut progressed = false;
            for (i, c) in clients.iter_mut().enumerate() {
                let me = c.address().to_string();
                while let Some(req) = c.poll_request(self.now_ns) {
                    progressed = true;
                    self.served += 1;
                    self.log.push((me.clone(), req.path()));
                    if self.rate_limit_next > 0 && !req.is_stream() {
                        self.rate_limit_next -= 1;
                        c.handle_http(req.id, 429, br#"{"code":8,"message":"rate limited","details":[]}"#, self.now_ns);
                        continue;
                    }
                    if self.reject_tokens_next > 0 && matches!(req.kind, RequestKind::Publish { .. }) {
                        self.reject_tokens_next -= 1;
                        c.handle_http(
                            req.id,
                            401,
                            br#"{"code":16,"message":"invalid token","details":[]}"#,
                            self.now_ns,
                        );
                        continue;
                    }
                    let body = match &req.kind {
                        RequestKind::Publish { envelopes, authorization } => {
                            if !authorization.starts_with("Bearer ") {
                                self.unauthenticated_publishes += 1;
                            }
                            self.publish_calls += 1;
                            self.publish(envelopes);
                            json!({})
                        }
                        RequestKind::Query(q) => self.query(q),
                        RequestKind::BatchQuery(qs) => {
                            json!({"responses": qs.iter().map(|q| self.query(q)).collect::<Vec<_>>()})
                        }
                        RequestKind::Subscribe { topics } => {
                            // A new subscription replaces the client's open one.
                            self.subs.insert(me.clone(), topics.iter().cloned().collect());
                            self.streams.insert(me.clone(), req.id);
                            c.stream_opened(req.id, self.now_ns);
                            continue;
                        }
                    };
                    c.handle_http(req.id, 200, body.to_string().as_bytes(), self.now_ns);
                }
                if let Some(envs) = self.inbox.remove(&me) {
                    if let (false, Some(stream)) = (envs.is_empty(), self.streams.get(&me)) {
                        progressed = true;
                        for e in &envs {
                            let line = json!({ "result": envelope_to_json(e) }).to_string();
                            c.stream_line(*stream, line.as_bytes(), self.now_ns);
                        }
                    }
                }
                while let Some(e) = c.poll_event() {
                    events[i].push(e);
                }
            }
            if !progressed {
                // Let retry timers expire: jump to the earliest deadline.
                if let Some(deadline) = clients.iter().filter_map(|c| c.next_deadline()).min() {
                    self.now_ns = self.now_ns.max(deadline);
                    continue;
                }
                return events;
            }
        }
        panic!("network did not settle");
    }

    /// Drop a client's stream (the connection ends): it stops receiving, and the client is
    /// told, as a host would tell it.
    pub fn drop_stream(&mut self, client: &mut Client) {
        let me = client.address().to_string();
        self.subs.remove(&me);
        self.inbox.remove(&me);
        if let Some(id) = self.streams.remove(&me) {
            client.stream_closed(id, self.now_ns);
        }
    }
}
