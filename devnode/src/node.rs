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
        let hub = Hub::new(config.subscriber_buffer);
        let store = Arc::new(Store::open(&config.storage, Arc::clone(&hub))?);
        let state = Arc::new(State {
            store,
            hub,
            limiter: config.rate_limits.clone().map(RateLimiter::new),
            tokens: config.auth.then(TokenCache::default),
            log,
            max_body: config.max_body_bytes,
            shutting_down: AtomicBool::new(false),
        });
        let mut rt = tokio::runtime::Builder::new_multi_thread();
        if config.worker_threads > 0 {
            rt.worker_threads(config.worker_threads);
        }
        let runtime = rt.enable_all().thread_name("xmtp-devnode-worker").build()?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let serving = Arc::clone(&state);
        let thread = std::thread::Builder::new().name("xmtp-devnode".into()).spawn(move || {
            runtime.block_on(serve(listener, Arc::clone(&serving), stop_rx));
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
        fields.insert("sqlite".into(), Value::from(store::sqlite_version()));
        state.log.line("info", "listening", fields);
        Ok(NodeHandle { local_addr, stop: stop_tx, thread: Some(thread), state })
    }
}

async fn serve(listener: std::net::TcpListener, state: Arc<State>, mut stop: watch::Receiver<bool>) {
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
    // A timer makes hyper's HTTP/1 header-read timeout (30 s) effective.
    builder.http1().timer(TokioTimer::new());
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let state = Arc::clone(&state);
                    let service = service_fn(move |req| service::handle(Arc::clone(&state), peer, req));
                    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), service).into_owned();
                    let conn = graceful.watch(conn);
                    tokio::spawn(async move {
                        let _ = conn.await;
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

/// A running node: its address, and the way to stop it. Dropping the handle stops the node too.
#[derive(Debug)]
pub struct NodeHandle {
    local_addr: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
    state: Arc<State>,
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
