//! Node configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where envelopes are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// An SQLite database in memory: fast, gone when the node stops (for tests).
    Memory,
    /// An SQLite database (`envelopes.db`, WAL, `synchronous=FULL`) in this directory, created if
    /// missing. A publish is acknowledged only once its transaction is durable.
    Dir(PathBuf),
}

/// One token bucket per client IP: `refill_per_minute` tokens are added per minute (continuously),
/// up to `max_tokens`. A new client starts with a full bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    /// Tokens added per minute.
    pub refill_per_minute: f64,
    /// Bucket capacity.
    pub max_tokens: f64,
}

/// The two rate-limit classes of the reference node: publishes spend from `publish`, every other
/// call from `default`. A call costs 1, except a publish (its number of envelopes) and a batch
/// query (its number of queries), never less than 1.
///
/// Allow-listed (priority) client IPs get buckets scaled like the reference node's: ×2 for
/// `default`, ×4 for `publish`.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimits {
    /// `DEF`: queries, batch queries, subscriptions, malformed calls.
    pub default: Bucket,
    /// `PUB`: publishes.
    pub publish: Bucket,
    /// Priority (allow-listed) client IPs.
    pub priority: Vec<std::net::IpAddr>,
}

impl Default for RateLimits {
    /// The reference node's numbers: `DEF` 4000/min up to 20000, `PUB` 600/min up to 3000.
    fn default() -> Self {
        Self {
            default: Bucket { refill_per_minute: 4000.0, max_tokens: 20000.0 },
            publish: Bucket { refill_per_minute: 600.0, max_tokens: 3000.0 },
            priority: Vec::new(),
        }
    }
}

/// Everything [`crate::Node::start`] needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port; see [`crate::NodeHandle::local_addr`]).
    pub listen: SocketAddr,
    /// Storage backend.
    pub storage: Storage,
    /// Whether publishes need a valid `Authorization: Bearer <token>` (and topic ownership for
    /// `contact-`/`privatestore-` topics).
    pub auth: bool,
    /// Rate limits per client IP; `None` disables them.
    pub rate_limits: Option<RateLimits>,
    /// Whether to write one structured log line per request to standard error.
    pub log: bool,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// How many envelopes a subscriber may have waiting before it is cut off as too slow.
    pub subscriber_buffer: usize,
    /// How many bytes (of stream lines) a subscriber may have waiting before it is cut off as too
    /// slow; its waiting lines are dropped at once, so the memory returns.
    pub subscriber_buffer_bytes: usize,
    /// Worker threads of the node's runtime (0 = one per CPU).
    pub worker_threads: usize,
    /// A new connection must deliver the headers of its first request within this time (HTTP/1
    /// headers, or the HTTP/2 preface and headers), else it is closed; for HTTP/1 also the limit
    /// on reading the headers of every later request.
    pub header_read_timeout: Duration,
    /// A request body must arrive whole within this time, else the request is answered with
    /// `DeadlineExceeded` (HTTP 504) and the connection closed.
    pub body_read_timeout: Duration,
    /// A connection with no request in progress (and no open stream) for this long is closed.
    pub idle_timeout: Duration,
    /// Open connections at most; a connection over the cap is answered `503` and closed at once.
    pub max_connections: usize,
    /// Content topics in one query at most.
    pub max_topics_per_query: usize,
    /// Content topics in one batch query at most, all its queries together.
    pub max_topics_per_batch: usize,
    /// Request-body bytes of queries and batch queries being decoded and run at once, at most:
    /// a query waits for its share before its body is decoded (a body larger than the budget
    /// takes all of it). Bounds the memory of concurrent large queries.
    pub query_bytes_in_flight: usize,
}

/// Topics in one query at most: the reference node's (documented) `maxTopicsPerQueryRequest`.
pub const MAX_TOPICS_PER_QUERY: usize = 157_733;
/// Topics in one batch query at most: the reference node's `maxTopicsPerBatchQueryRequest`, the
/// same number.
pub const MAX_TOPICS_PER_BATCH: usize = MAX_TOPICS_PER_QUERY;

impl Default for Config {
    /// `127.0.0.1:5555`, in memory, auth on, the reference rate limits, logging on; headers within
    /// 10 s, bodies within 30 s, idle connections closed after 60 s, 512 connections, the
    /// reference node's topic limits, 16 MiB of query bodies in flight, 8192 envelopes or 32 MiB
    /// waiting per subscriber.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 5555)),
            storage: Storage::Memory,
            auth: true,
            rate_limits: Some(RateLimits::default()),
            log: true,
            max_body_bytes: 8 * 1024 * 1024,
            subscriber_buffer: 8192,
            subscriber_buffer_bytes: 32 * 1024 * 1024,
            worker_threads: 0,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            max_connections: 512,
            max_topics_per_query: MAX_TOPICS_PER_QUERY,
            max_topics_per_batch: MAX_TOPICS_PER_BATCH,
            query_bytes_in_flight: 16 * 1024 * 1024,
        }
    }
}
