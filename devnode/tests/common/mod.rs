//! Helpers shared by the node's integration tests: a node on a free loopback port, a small HTTP
//! client and identities with publish tokens.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader, Read, Write as _};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use xmtp_core::auth::AuthToken;
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};
use xmtp_devnode::{Config, Node, NodeHandle, Storage};

pub mod load;

/// A test configuration: any free loopback port, in memory, no auth, no rate limits, quiet.
pub fn config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        storage: Storage::Memory,
        auth: false,
        rate_limits: None,
        log: false,
        ..Config::default()
    }
}

/// Start a node with [`config`] changed by `f`.
pub fn start(f: impl FnOnce(&mut Config)) -> NodeHandle {
    let mut c = config();
    f(&mut c);
    Node::start(c).expect("node starts")
}

/// An HTTP client for unary calls: statuses are not errors, everything bounded by 60 s.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

/// An HTTP client for streams: headers must arrive within 5 s, and each read within `read`.
pub fn stream_agent(read: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_recv_response(Some(Duration::from_secs(5)))
        .timeout_per_read(Some(read))
        .build()
        .into()
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    /// Assert an error answer: HTTP status, `{code, message, details: []}`; returns the message.
    pub fn expect_error(&self, status: u16, code: i64) -> String {
        assert_eq!(self.status, status, "{}", String::from_utf8_lossy(&self.body));
        let v = self.json();
        assert_eq!(v["code"], json!(code), "{v}");
        assert_eq!(v["details"], json!([]), "{v}");
        v["message"].as_str().expect("message").to_string()
    }
}

/// POST raw bytes with headers.
pub fn post_raw(agent: &ureq::Agent, url: &str, path: &str, body: &[u8], headers: &[(&str, &str)]) -> Reply {
    let mut req = agent.post(format!("{url}{path}"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut resp = req.send(body).expect("request");
    let status = resp.status().as_u16();
    let headers =
        resp.headers().iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let body = resp.body_mut().with_config().limit(64 * 1024 * 1024).read_to_vec().expect("body");
    Reply { status, headers, body }
}

/// POST over a plain socket (`Connection: close`), to see the response exactly as sent (an HTTP
/// client may decode `Content-Encoding` on its own).
pub fn post_socket(url: &str, path: &str, body: &[u8], headers: &[(&str, &str)]) -> Reply {
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head =
        format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("response");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of head");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let reply = Reply { status, headers, body: raw[split + 4..].to_vec() };
    assert_eq!(reply.header("transfer-encoding"), None, "a unary answer has a length");
    assert_eq!(reply.header("content-length").map(|n| n.parse::<usize>().unwrap()), Some(reply.body.len()));
    reply
}

/// POST a JSON text the way xmtp-js does (`text/plain` content type).
pub fn post(agent: &ureq::Agent, url: &str, path: &str, body: &str) -> Reply {
    post_raw(agent, url, path, body.as_bytes(), &[("Content-Type", "text/plain;charset=UTF-8")])
}

/// An envelope in the gateway's JSON form.
pub fn env(topic: &str, ts: u64, message: &[u8]) -> Value {
    json!({ "contentTopic": topic, "timestampNs": ts.to_string(), "message": STANDARD.encode(message) })
}

/// Publish envelopes (JSON values) with an optional `Authorization` header value.
pub fn publish(agent: &ureq::Agent, url: &str, envelopes: &[Value], auth: Option<&str>) -> Reply {
    let body = json!({ "envelopes": envelopes }).to_string();
    let mut headers = vec![("Content-Type", "text/plain;charset=UTF-8")];
    if let Some(a) = auth {
        headers.push(("Authorization", a));
    }
    post_raw(agent, url, "/message/v1/publish", body.as_bytes(), &headers)
}

/// One query page.
pub fn query(agent: &ureq::Agent, url: &str, request: &Value) -> Value {
    let r = post(agent, url, "/message/v1/query", &request.to_string());
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    r.json()
}

/// Every envelope of `topics`, following cursors; also returns the number of pages.
pub fn query_all(agent: &ureq::Agent, url: &str, topics: &[&str], direction: &str, limit: u32) -> (Vec<Value>, usize) {
    let mut out = Vec::new();
    let mut cursor = Value::Null;
    let mut pages = 0;
    loop {
        let mut paging = json!({ "limit": limit, "direction": direction });
        if !cursor.is_null() {
            paging["cursor"] = cursor.clone();
        }
        let page = query(agent, url, &json!({ "contentTopics": topics, "pagingInfo": paging }));
        pages += 1;
        let envelopes = page["envelopes"].as_array().cloned().unwrap_or_default();
        let n = envelopes.len();
        out.extend(envelopes);
        cursor = page["pagingInfo"]["cursor"].clone();
        if cursor.is_null() || n == 0 {
            return (out, pages);
        }
        assert!(pages < 100_000, "paging does not end");
    }
}

/// An open stream.
pub struct Stream {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    reader: BufReader<Box<dyn Read + Send>>,
}

impl Stream {
    /// The next line as JSON; `None` at the end of the stream or on a read timeout.
    pub fn next(&mut self) -> Option<Value> {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(serde_json::from_str(line.trim_end()).unwrap_or_else(|e| panic!("bad line {line:?}: {e}"))),
        }
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Open a stream (`/message/v1/subscribe` or `/subscribe-all`).
pub fn subscribe(url: &str, path: &str, body: &Value, read_timeout: Duration) -> Stream {
    let agent = stream_agent(read_timeout);
    let resp = agent
        .post(format!("{url}{path}"))
        .header("Content-Type", "text/plain;charset=UTF-8")
        .send(body.to_string().as_bytes())
        .expect("subscribe");
    let status = resp.status().as_u16();
    let headers =
        resp.headers().iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string())).collect();
    let reader: Box<dyn Read + Send> = Box::new(resp.into_body().into_reader());
    Stream { status, headers, reader: BufReader::new(reader) }
}

pub fn now_ns() -> u64 {
    u64::try_from(SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos()).unwrap()
}

/// A wallet-signed identity, deterministic per seed.
pub fn identity(seed: u64) -> PrivateKeyBundle {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    LocalWallet::generate(&mut rng).create_identity(&mut rng, now_ns() / 1_000_000)
}

/// The `Authorization` header value for `keys`, created at `created_ns`.
pub fn token_at(keys: &PrivateKeyBundle, created_ns: u64) -> String {
    AuthToken::create(keys, created_ns).expect("token").header_value()
}

/// A fresh `Authorization` header value for `keys`.
pub fn token(keys: &PrivateKeyBundle) -> String {
    token_at(keys, now_ns())
}

/// A scratch directory, emptied first.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xmtp-devnode-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}
