//! A second host of the engine, written only against the documented host loop of the facade:
//! an in-memory node that answers HTTP requests (URL, headers, JSON body) with the node's
//! semantics, and a loop that carries requests, responses and stream lines for several clients.
#![allow(dead_code)]

#[path = "../../../core/tests/support/net.rs"]
mod net;

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};
use xmtp_core::api::envelope_to_json;
use xmtp_core::proto::message_api::v1 as api;
use xmtp_facade::{Client, ClientOptions, Environment, Event, HttpRequest, IdentityBootstrap, PrivateKeyWallet};

pub use net::Net;

pub const BASE: &str = "http://node.test";
pub const T0: u64 = 1_760_000_000_000_000_000;
pub const MS: u64 = 1_000_000;

pub fn options() -> ClientOptions {
    ClientOptions { env: Environment::Local, api_url: Some(BASE.into()), app_version: Some("facade-test/1".into()) }
}

/// The node, seen over HTTP.
pub struct Node {
    pub net: Net,
    /// Each client's open stream: request id and topics, by address.
    streams: HashMap<String, (u64, HashSet<String>)>,
    /// Lines waiting for each client's stream.
    lines: HashMap<String, Vec<Vec<u8>>>,
    /// Answer this many of the next calls with 429.
    pub rate_limit_next: usize,
    /// Fail this many of the next calls as unreachable (status 0).
    pub unreachable_next: usize,
    /// Requests seen, by path.
    pub paths: Vec<String>,
    /// Header names seen on publishes missing an `Authorization`.
    pub unauthenticated_publishes: usize,
}

impl Node {
    pub fn new() -> Self {
        Self {
            net: Net::new(T0),
            streams: HashMap::new(),
            lines: HashMap::new(),
            rate_limit_next: 0,
            unreachable_next: 0,
            paths: Vec::new(),
            unauthenticated_publishes: 0,
        }
    }

    pub fn now(&self) -> u64 {
        self.net.now_ns
    }

    pub fn tick(&mut self) -> u64 {
        self.net.now_ns += MS;
        self.net.now_ns
    }

    fn publish(&mut self, envelopes: Vec<api::Envelope>) {
        self.net.publish(&envelopes);
        for (client, (_, topics)) in &self.streams {
            for e in envelopes.iter().filter(|e| topics.contains(&e.content_topic)) {
                let line = json!({ "result": envelope_to_json(e) }).to_string().into_bytes();
                self.lines.entry(client.clone()).or_default().push(line);
            }
        }
    }

    /// Answer a call: (status, body).
    fn call(&mut self, r: &HttpRequest) -> (u16, Vec<u8>) {
        let path = r.url.strip_prefix(BASE).expect("every request goes to the configured node").to_string();
        self.paths.push(path.clone());
        assert_eq!(r.method, "POST");
        if self.unreachable_next > 0 {
            self.unreachable_next -= 1;
            return (0, b"connection refused".to_vec());
        }
        if self.rate_limit_next > 0 {
            self.rate_limit_next -= 1;
            return (429, br#"{"code":8,"message":"rate limited","details":[]}"#.to_vec());
        }
        let header = |name: &str| r.headers.iter().find(|h| h.name == name).map(|h| h.value.clone());
        assert_eq!(header("Content-Type").as_deref(), Some("application/json"));
        assert!(header("X-Client-Version").is_some_and(|v| v.starts_with("xmtp-rs/")));
        let body: Value = match path.as_str() {
            "/message/v1/publish" => {
                if !header("Authorization").is_some_and(|a| a.starts_with("Bearer ")) {
                    self.unauthenticated_publishes += 1;
                }
                let req: api::PublishRequest = serde_json::from_slice(&r.body).expect("a publish request");
                self.publish(req.envelopes);
                json!({})
            }
            "/message/v1/query" => {
                let q: api::QueryRequest = serde_json::from_slice(&r.body).expect("a query");
                self.net.query(&q)
            }
            "/message/v1/batch-query" => {
                let b: api::BatchQueryRequest = serde_json::from_slice(&r.body).expect("a batch query");
                json!({ "responses": b.requests.iter().map(|q| self.net.query(q)).collect::<Vec<_>>() })
            }
            other => return (404, format!("{{\"code\":5,\"message\":\"no {other}\"}}").into_bytes()),
        };
        (200, body.to_string().into_bytes())
    }

    /// Drop a client's stream (the connection ends), telling the client as a host would.
    pub fn drop_stream(&mut self, client: &Client) {
        let me = client.address();
        self.lines.remove(&me);
        if let Some((id, _)) = self.streams.remove(&me) {
            client.stream_closed(id, self.now());
        }
    }

    /// Run the documented host loop for every client until nothing is left to do; returns
    /// each client's events.
    pub fn run(&mut self, clients: &[&Client]) -> Vec<Vec<Event>> {
        let mut events: Vec<Vec<Event>> = clients.iter().map(|_| Vec::new()).collect();
        for _ in 0..100_000 {
            let mut progressed = false;
            for (i, c) in clients.iter().enumerate() {
                let me = c.address();
                while let Some(r) = c.poll_request(self.now()) {
                    progressed = true;
                    if r.is_stream {
                        assert!(r.url.ends_with("/message/v1/subscribe"));
                        let req: api::SubscribeRequest = serde_json::from_slice(&r.body).expect("a subscribe request");
                        self.streams.insert(me.clone(), (r.id, req.content_topics.into_iter().collect()));
                        c.stream_opened(r.id, self.now());
                        continue;
                    }
                    let (status, body) = self.call(&r);
                    c.handle_http(r.id, status, body.into(), self.now());
                }
                if let (Some(lines), Some((id, _))) = (self.lines.remove(&me), self.streams.get(&me)) {
                    for line in lines {
                        progressed = true;
                        c.stream_line(*id, line.into(), self.now());
                    }
                }
                while let Some(e) = c.poll_event() {
                    events[i].push(e);
                }
            }
            if !progressed {
                match clients.iter().filter_map(|c| c.next_deadline()).min() {
                    Some(deadline) => self.net.now_ns = self.now().max(deadline),
                    None => return events,
                }
            }
        }
        panic!("the host loop did not settle");
    }

    /// Run one client until the operation `op` ends; returns its final event and the events
    /// before it.
    pub fn finish(&mut self, client: &Client, op: u64) -> (Event, Vec<Event>) {
        let mut events = self.run(&[client]).remove(0);
        let pos = events.iter().position(|e| e.op() == Some(op)).unwrap_or_else(|| panic!("op {op} ended: {events:?}"));
        let last = events.remove(pos);
        (last, events)
    }

    /// Set up a wallet's identity through the facade's bootstrap (signing with `wallet`).
    pub fn bootstrap(&mut self, wallet: &PrivateKeyWallet) -> (Vec<u8>, bool) {
        let b = IdentityBootstrap::new(wallet.address(), options(), self.now()).expect("bootstrap");
        for _ in 0..100 {
            if b.is_finished() {
                break;
            }
            if let Some(r) = b.poll_request(self.now()) {
                let (status, body) = self.call(&r);
                b.handle_http(r.id, status, body.into(), self.now());
            } else if let Some(s) = b.signature_request() {
                b.provide_signature(wallet.sign(s.text), self.now()).expect("signature accepted");
            } else if let Some(d) = b.next_deadline() {
                self.net.now_ns = self.now().max(d);
            }
        }
        (b.keys().expect("no error").expect("keys").into_vec(), b.created())
    }

    /// A new identity and its client, contact published.
    pub fn new_client(&mut self) -> Client {
        let wallet = PrivateKeyWallet::generate();
        let (keys, created) = self.bootstrap(&wallet);
        assert!(created);
        let client = Client::from_keys(keys.into(), options()).expect("client");
        let op = client.publish_contact().unwrap();
        let (e, _) = self.finish(&client, op);
        assert!(matches!(e, Event::ContactPublished { published: true, .. }), "{e:?}");
        client
    }
}
