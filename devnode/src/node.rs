//! Starting, running and stopping a node.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::{Map, Value};
use tokio::sync::watch;

use crate::config::{Config, Storage};
use crate::conn::{Guarded, Slots, Tracker};
use crate::log::Logger;
use crate::pubsub::Hub;
use crate::ratelimit::RateLimiter;
use crate::service::{self, State};
use crate::store::{self, Store};
use crate::tokens::TokenCache;
use crate::Error;

/// How long a shutdown waits for open requests before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A message-API node. [`Node::start`] runs one on its own threads.
#[derive(Debug)]
pub struct Node;

impl Node {
    /// Open the storage, bind `config.listen` and serve on a runtime of the node's own, in the
    /// background. Returns once the node accepts connections.
    pub fn start(config: Config) -> Result<NodeHandle, Error> {
        let log = Logger::new(config.log);
        let listener = std::net::TcpListener::bind(config.listen)?;
        listener.set_nonblocking(true)?;
        let local_addr = listener.local_addr()?;
        let existed = matches!(&config.storage, Storage::Dir(dir) if store::exists(dir));
        let warnings = match &config.storage {
            Storage::Dir(dir) => store::startup_warnings(dir),
            Storage::Memory => Vec::new(),
        };
        for w in &warnings {
            let mut fields = Map::new();
            fields.insert("warning".into(), Value::from(w.as_str()));
            log.line("warn", "storage", fields);
        }
        let hub = Hub::new(config.subscriber_buffer, config.subscriber_buffer_bytes);
        let store = Arc::new(Store::open(&config.storage, Arc::clone(&hub))?);
        let state = Arc::new(State {
            store,
            hub,
            limiter: config.rate_limits.clone().map(RateLimiter::new),
            tokens: config.auth.then(TokenCache::default),
            log,
            max_body: config.max_body_bytes,
            body_timeout: config.body_read_timeout,
            max_topics_per_query: config.max_topics_per_query,
            max_topics_per_batch: config.max_topics_per_batch,
            query_budget: service::QueryBudget::new(config.query_bytes_in_flight),
            shutting_down: AtomicBool::new(false),
        });
        let limits = ConnLimits {
            header: config.header_read_timeout,
            idle: config.idle_timeout,
            slots: Slots::new(config.max_connections),
        };
        let mut rt = tokio::runtime::Builder::new_multi_thread();
        if config.worker_threads > 0 {
            rt.worker_threads(config.worker_threads);
        }
        let slots = Arc::clone(&limits.slots);
        let runtime = rt.enable_all().thread_name("xmtp-devnode-worker").build()?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let serving = Arc::clone(&state);
        let thread = std::thread::Builder::new().name("xmtp-devnode".into()).spawn(move || {
            runtime.block_on(serve(listener, Arc::clone(&serving), limits, stop_rx));
            serving.store.close();
            runtime.shutdown_timeout(Duration::from_secs(1));
            serving.log.line("info", "stopped", Map::new());
        })?;

        let mut fields = Map::new();
        fields.insert("addr".into(), Value::from(local_addr.to_string()));
        let storage = match &config.storage {
            Storage::Memory => Value::from("memory"),
            Storage::Dir(dir) => Value::from(dir.join(store::DB_FILE).display().to_string()),
        };
        fields.insert("storage".into(), storage);
        fields.insert("existing_database".into(), Value::from(existed));
        fields.insert("auth".into(), Value::from(config.auth));
        fields.insert("rate_limits".into(), Value::from(config.rate_limits.is_some()));
        fields.insert("max_connections".into(), Value::from(config.max_connections));
        fields.insert("sqlite".into(), Value::from(store::sqlite_version()));
        state.log.line("info", "listening", fields);
        Ok(NodeHandle { local_addr, stop: stop_tx, thread: Some(thread), state, slots, warnings })
    }
}

/// What each connection is held to.
struct ConnLimits {
    header: Duration,
    idle: Duration,
    slots: Arc<Slots>,
}

async fn serve(
    listener: std::net::TcpListener,
    state: Arc<State>,
    limits: ConnLimits,
    mut stop: watch::Receiver<bool>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            let mut fields = Map::new();
            fields.insert("error".into(), Value::from(e.to_string()));
            state.log.line("error", "cannot listen", fields);
            return;
        }
    };
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // The timer makes hyper's HTTP/1 header-read timeout effective; the connection watch below
    // covers the first request of both protocols (HTTP/2 has no such timeout in hyper).
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header);
    builder.http2().timer(TokioTimer::new());
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let Some(slot) = limits.slots.take() else {
                        limits.slots.refuse(stream, &state.log);
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let tracker = Tracker::new();
                    let service = {
                        let state = Arc::clone(&state);
                        let tracker = Arc::clone(&tracker);
                        service_fn(move |req| {
                            let busy = tracker.begin();
                            let state = Arc::clone(&state);
                            async move {
                                let resp = service::handle(state, peer, req).await?;
                                Ok::<_, std::convert::Infallible>(resp.map(|body| Guarded::new(body, busy)))
                            }
                        })
                    };
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
                    let conn = graceful.watch(conn);
                    let (header, idle) = (limits.header, limits.idle);
                    tokio::spawn(async move {
                        let _slot = slot;
                        watch_connection(conn, &tracker, header, idle).await;
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off a little.
                    let mut fields = Map::new();
                    fields.insert("error".into(), Value::from(e.to_string()));
                    state.log.line("warn", "accept failed", fields);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = stop.changed() => break,
        }
    }
    drop(listener);
    state.shutting_down.store(true, Ordering::Relaxed);
    // Ending the streams lets their connections finish.
    state.hub.close();
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        state.log.line("warn", "shutdown grace period over: dropping open connections", Map::new());
    }
}

/// Drive a connection until it ends, or until it has been idle past its deadline (dropping it
/// closes the socket).
async fn watch_connection<F: std::future::Future>(conn: F, tracker: &Tracker, header: Duration, idle: Duration) {
    tokio::pin!(conn);
    loop {
        // While busy there is no deadline: look again after an idle period.
        let (deadline, _) =
            tracker.deadline(header, idle).unwrap_or_else(|| (tokio::time::Instant::now().into_std() + idle, "busy"));
        tokio::select! {
            _ = &mut conn => return,
            () = tokio::time::sleep_until(deadline.into()) => {
                if let Some((due, _why)) = tracker.deadline(header, idle) {
                    if due <= std::time::Instant::now() {
                        return;
                    }
                }
            }
        }
    }
}

/// A running node: its address, and the way to stop it. Dropping the handle stops the node too.
#[derive(Debug)]
pub struct NodeHandle {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    state: Arc<State>,
    slots: Arc<Slots>,
    warnings: Vec<String>,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State").finish_non_exhaustive()
    }
}

impl NodeHandle {
    /// The address the node listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The base URL of the API, `http://<addr>` (what xmtp-js calls `apiUrl`).
    pub fn url(&self) -> String {
        format!("http://{}", self.local_addr)
    }

    /// How many envelopes are stored.
    pub fn stored_envelopes(&self) -> Result<u64, Error> {
        self.state.store.count().map_err(|e| Error::Storage(e.message))
    }

    /// How many subscriptions are open.
    pub fn subscribers(&self) -> usize {
        self.state.hub.len()
    }

    /// How many client connections are open (refused ones not counted).
    pub fn connections(&self) -> usize {
        self.slots.open()
    }

    /// The warnings of the start-up (also logged): a database file that was empty, a
    /// write-ahead log that is not one, and the like.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Stop accepting connections, end the streams, let open requests finish (up to 5 s),
    /// commit the waiting publishes and close the storage. Returns when all is done.
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for NodeHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
