//! # xmtp-devnode
//!
//! A local XMTP V1/V2 message-API node (`xmtp.message_api.v1`) for development and tests. It
//! speaks the HTTP dialect of the network's gateway, so `@xmtp/xmtp-js` (with `apiUrl`) and any
//! client of the HTTP API can use it as they would the network:
//!
//! - `POST /message/v1/publish`, `/query`, `/batch-query`, `/subscribe`, `/subscribe-all`;
//!   protobuf JSON bodies whatever the `Content-Type` (camelCase or snake_case names, 64-bit
//!   integers as strings or numbers, any base64; `null` means absent), binary protobuf for unary
//!   calls with `Content-Type: application/x-protobuf`; streams as newline-delimited
//!   `{"result": envelope}` lines;
//! - the reference node's rules: duplicates (same `sha256(topic ‖ message)`) stored once, order by
//!   (timestamp, digest), page sizes, cursors, inclusive time bounds, ephemeral `mE-`/`dmE-`
//!   topics relayed but never stored, size limits, publish tokens and topic ownership
//!   ([`xmtp_core::auth::may_publish`]), per-IP rate limits, errors as `{code, message, details}`
//!   with the gateway's HTTP statuses;
//! - SQLite storage in memory or in a directory (WAL, `synchronous=FULL`, group commit: a publish
//!   is acknowledged only once durable);
//! - limits on what a slow or hostile client can hold ([`Config`]): header, body and idle
//!   deadlines, a connection cap answered with `503`, topics per query, query work in flight,
//!   bytes waiting per subscriber.
//!
//! ```no_run
//! use xmtp_devnode::{Config, Node, Storage};
//!
//! let node = Node::start(Config {
//!     listen: "127.0.0.1:0".parse().unwrap(),
//!     storage: Storage::Memory,
//!     auth: false,
//!     ..Config::default()
//! })
//! .unwrap();
//! println!("API at {}", node.url());
//! node.shutdown();
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod conn;
mod log;
mod node;
mod pubsub;
mod ratelimit;
mod service;
mod signal;
mod status;
mod store;
mod tokens;
mod wire;

pub use config::{Bucket, Config, RateLimits, Storage, MAX_TOPICS_PER_BATCH, MAX_TOPICS_PER_QUERY};
pub use node::{Node, NodeHandle};
pub use service::{DEFAULT_PAGE, MAX_BATCH, MAX_MESSAGE_BYTES, MAX_PAGE, MAX_PAGE_USER_PREFERENCES, MAX_TOPIC_BYTES};
pub use signal::run_until_stop_signal;
pub use status::{ApiError, Code};
pub use store::DB_FILE;

/// Why a node could not start (or answer a management call).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Binding the address, creating the data directory or a thread failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The database could not be opened or read.
    #[error("storage error: {0}")]
    Storage(String),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Self::Storage(e.to_string())
    }
}
