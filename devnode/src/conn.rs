//! Connection bookkeeping: the cap on open connections, and the deadlines that close connections
//! which send nothing, send their headers too slowly, or sit idle.
//!
//! A connection is *busy* while a request is being served or its response (a stream, say) is
//! being sent; a busy connection is never closed for idleness. An idle connection is closed once
//! it has been idle for the header timeout (before its first request: a client that connects and
//! sends nothing, or only part of the HTTP/2 preface or of its headers) or for the idle timeout
//! (between requests).

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use serde_json::{Map, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::log::Logger;
use crate::service::ResponseBody;
use crate::status::{ApiError, Code};

/// How long a refused connection is given to take its `503` answer.
const REFUSAL_LINGER: Duration = Duration::from_millis(500);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct Activity {
    /// Requests being served or answered.
    busy: usize,
    /// Whether a request has started on this connection.
    served: bool,
    /// When the connection was accepted or last became idle.
    since: Instant,
}

/// The activity of one connection.
pub(crate) struct Tracker {
    activity: Mutex<Activity>,
}

impl Tracker {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self { activity: Mutex::new(Activity { busy: 0, served: false, since: Instant::now() }) })
    }

    /// A request starts: the connection is busy until the returned guard is dropped (with the
    /// response body).
    pub(crate) fn begin(self: &Arc<Self>) -> BusyGuard {
        let mut a = lock(&self.activity);
        a.busy += 1;
        a.served = true;
        BusyGuard(Arc::clone(self))
    }

    /// When the connection is to be closed if it stays idle, and why; `None` while busy.
    pub(crate) fn deadline(&self, header: Duration, idle: Duration) -> Option<(Instant, &'static str)> {
        let a = lock(&self.activity);
        if a.busy > 0 {
            None
        } else if a.served {
            Some((a.since + idle, "idle"))
        } else {
            Some((a.since + header, "no request headers in time"))
        }
    }
}

/// Keeps a connection busy while alive.
pub(crate) struct BusyGuard(Arc<Tracker>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        let mut a = lock(&self.0.activity);
        a.busy = a.busy.saturating_sub(1);
        if a.busy == 0 {
            a.since = Instant::now();
        }
    }
}

/// A response body that keeps its connection busy until it is sent (or dropped).
pub(crate) struct Guarded {
    inner: ResponseBody,
    _guard: BusyGuard,
}

impl Guarded {
    pub(crate) fn new(inner: ResponseBody, guard: BusyGuard) -> Self {
        Self { inner, _guard: guard }
    }
}

impl Body for Guarded {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The count of open connections against the cap.
pub(crate) struct Slots {
    open: AtomicUsize,
    max: usize,
    /// Refusals not yet logged, and the second of the last refusal log line: under a flood the
    /// log gets one line a second.
    unlogged: AtomicU64,
    logged_at: AtomicU64,
    started: Instant,
}

impl std::fmt::Debug for Slots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slots").field("open", &self.open()).field("max", &self.max).finish_non_exhaustive()
    }
}

/// One open connection, counted until dropped.
pub(crate) struct Slot(Arc<Slots>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Slots {
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            open: AtomicUsize::new(0),
            max: max.max(1),
            unlogged: AtomicU64::new(0),
            logged_at: AtomicU64::new(u64::MAX),
            started: Instant::now(),
        })
    }

    /// A slot for a new connection, unless the cap is reached.
    pub(crate) fn take(self: &Arc<Self>) -> Option<Slot> {
        let mut open = self.open.load(Ordering::Acquire);
        loop {
            if open >= self.max {
                return None;
            }
            match self.open.compare_exchange_weak(open, open + 1, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Some(Slot(Arc::clone(self))),
                Err(now) => open = now,
            }
        }
    }

    /// Open connections.
    pub(crate) fn open(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    /// Log a refusal, at most one line a second (with the number of refusals it stands for).
    fn log_refusal(&self, log: &Logger) {
        self.unlogged.fetch_add(1, Ordering::AcqRel);
        let second = self.started.elapsed().as_secs();
        let last = self.logged_at.load(Ordering::Acquire);
        if last == second || self.logged_at.compare_exchange(last, second, Ordering::AcqRel, Ordering::Acquire).is_err()
        {
            return;
        }
        let mut fields = Map::new();
        fields.insert("max_connections".into(), Value::from(self.max));
        fields.insert("refused".into(), Value::from(self.unlogged.swap(0, Ordering::AcqRel)));
        log.line("warn", "connection refused: too many open connections", fields);
    }

    /// Answer a connection over the cap with `503 Unavailable` and close it. The answer is written
    /// at once, without reading the request; the connection is then given a moment to take it.
    pub(crate) fn refuse(self: &Arc<Self>, mut stream: tokio::net::TcpStream, log: &Logger) {
        self.log_refusal(log);
        let error = ApiError::new(Code::Unavailable, format!("too many open connections (at most {})", self.max));
        let body = error.json_bytes();
        let head = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\nretry-after: 1\r\naccess-control-allow-origin: *\r\n\r\n",
            body.len()
        );
        tokio::spawn(async move {
            let _ = tokio::time::timeout(REFUSAL_LINGER, async {
                stream.write_all(head.as_bytes()).await?;
                stream.write_all(&body).await?;
                stream.shutdown().await?;
                // Read what the client sent until it closes, so that closing does not reset the
                // connection before the client reads the answer.
                let mut sink = [0u8; 4096];
                while stream.read(&mut sink).await? > 0 {}
                Ok::<_, std::io::Error>(())
            })
            .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_connections_have_no_deadline() {
        let t = Tracker::new();
        let (h, i) = (Duration::from_secs(1), Duration::from_secs(60));
        let (first, why) = t.deadline(h, i).unwrap();
        assert_eq!(why, "no request headers in time");
        let guard = t.begin();
        let second = t.begin();
        assert!(t.deadline(h, i).is_none());
        drop(guard);
        assert!(t.deadline(h, i).is_none(), "still one in progress");
        drop(second);
        let (after, why) = t.deadline(h, i).unwrap();
        assert_eq!(why, "idle");
        assert!(after >= first + (i - h));
    }

    #[test]
    fn slots_are_capped_and_returned() {
        let s = Slots::new(2);
        let a = s.take().unwrap();
        let _b = s.take().unwrap();
        assert!(s.take().is_none());
        assert_eq!(s.open(), 2);
        drop(a);
        assert!(s.take().is_some());
    }
}
