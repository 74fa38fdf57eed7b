//! Node configuration.

use std::net::SocketAddr;
use std::path::PathBuf;

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
    /// Worker threads of the node's runtime (0 = one per CPU).
    pub worker_threads: usize,
}

impl Default for Config {
    /// `127.0.0.1:5555`, in memory, auth on, the reference rate limits, logging on.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 5555)),
            storage: Storage::Memory,
            auth: true,
            rate_limits: Some(RateLimits::default()),
            log: true,
            max_body_bytes: 8 * 1024 * 1024,
            subscriber_buffer: 8192,
            worker_threads: 0,
        }
    }
}
