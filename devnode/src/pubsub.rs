//! Live subscriptions: a registry of subscribers by topic, and the streaming response body.

use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame};
use xmtp_proto::message_api::v1::Envelope;

use crate::status::{ApiError, Code};
use crate::wire;

/// Largest chunk a stream writes at once when envelopes queue up.
const MAX_CHUNK: usize = 64 * 1024;

/// The lines waiting for one subscriber, shared by the hub (which pushes) and the response body
/// (which takes).
#[derive(Default)]
struct Queue {
    lines: VecDeque<Bytes>,
    /// Bytes of `lines`.
    bytes: usize,
    /// No more lines will come: the stream ends once `lines` is sent, with `end` if any.
    closed: bool,
    /// Why the node ended the stream.
    end: Option<ApiError>,
    waker: Option<Waker>,
}

impl Queue {
    fn close(&mut self, reason: ApiError) {
        self.closed = true;
        self.end = Some(reason);
        if let Some(w) = self.waker.take() {
            w.wake();
        }
    }
}

type SharedQueue = Arc<Mutex<Queue>>;

struct Subscriber {
    queue: SharedQueue,
    /// `None`: every topic.
    topics: Option<Vec<String>>,
}

#[derive(Default)]
struct Registry {
    next_id: u64,
    closed: bool,
    subscribers: HashMap<u64, Subscriber>,
    by_topic: HashMap<String, HashSet<u64>>,
    all: HashSet<u64>,
}

impl Registry {
    fn remove(&mut self, id: u64) -> Option<Subscriber> {
        let sub = self.subscribers.remove(&id)?;
        match &sub.topics {
            None => {
                self.all.remove(&id);
            }
            Some(topics) => {
                for t in topics {
                    if let Some(ids) = self.by_topic.get_mut(t) {
                        ids.remove(&id);
                        if ids.is_empty() {
                            self.by_topic.remove(t);
                        }
                    }
                }
            }
        }
        Some(sub)
    }
}

/// The subscribers of a node.
pub(crate) struct Hub {
    registry: Mutex<Registry>,
    /// Lines a subscriber may have waiting.
    buffer: usize,
    /// Bytes a subscriber may have waiting.
    buffer_bytes: usize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    /// A hub whose subscribers may fall `buffer` envelopes or `buffer_bytes` bytes of stream
    /// lines behind before being cut off.
    pub(crate) fn new(buffer: usize, buffer_bytes: usize) -> Arc<Self> {
        Arc::new(Self { registry: Mutex::new(Registry::default()), buffer: buffer.max(1), buffer_bytes })
    }

    /// Register a subscriber to `topics` (`None`: all topics). It receives every envelope
    /// relayed from now on.
    pub(crate) fn subscribe(self: &Arc<Self>, topics: Option<Vec<String>>) -> Result<Subscription, ApiError> {
        let queue = SharedQueue::default();
        let mut reg = lock(&self.registry);
        if reg.closed {
            return Err(ApiError::new(Code::Unavailable, "node is shutting down"));
        }
        let id = reg.next_id;
        reg.next_id += 1;
        let topics = topics.map(|mut t| {
            t.sort();
            t.dedup();
            t
        });
        match &topics {
            None => {
                reg.all.insert(id);
            }
            Some(topics) => {
                for t in topics {
                    reg.by_topic.entry(t.clone()).or_default().insert(id);
                }
            }
        }
        reg.subscribers.insert(id, Subscriber { queue: Arc::clone(&queue), topics });
        Ok(Subscription { queue, id, hub: Arc::downgrade(self), done: false })
    }

    /// Queue a line for a subscriber; false if that cut it off.
    fn push(&self, queue: &Mutex<Queue>, line: &Bytes) -> bool {
        let mut q = lock(queue);
        let reason = if q.lines.len() >= self.buffer {
            format!("more than {} envelopes waiting", self.buffer)
        } else if q.bytes.saturating_add(line.len()) > self.buffer_bytes {
            format!("more than {} bytes waiting", self.buffer_bytes)
        } else {
            q.lines.push_back(line.clone());
            q.bytes += line.len();
            if let Some(w) = q.waker.take() {
                w.wake();
            }
            return true;
        };
        // Drop what waits: the memory returns now, not when the client reads or leaves.
        q.lines = VecDeque::new();
        q.bytes = 0;
        q.close(ApiError::new(Code::ResourceExhausted, format!("subscriber too slow: {reason}")));
        false
    }

    /// Send an envelope to its subscribers. A subscriber with too many envelopes or bytes waiting
    /// is cut off: what waits for it is dropped and its stream ends with a `ResourceExhausted`
    /// error line.
    pub(crate) fn relay(&self, envelope: &Envelope) {
        let mut reg = lock(&self.registry);
        let topic_ids = reg.by_topic.get(&envelope.content_topic);
        if reg.all.is_empty() && topic_ids.is_none() {
            return;
        }
        let line = wire::stream_line(envelope);
        let ids: Vec<u64> = reg.all.iter().chain(topic_ids.into_iter().flatten()).copied().collect();
        let mut gone = Vec::new();
        for id in ids {
            let Some(sub) = reg.subscribers.get(&id) else { continue };
            if !self.push(&sub.queue, &line) {
                gone.push(id);
            }
        }
        for id in gone {
            reg.remove(id);
        }
    }

    /// End every stream (with an `Unavailable` error line after what waits) and refuse new
    /// subscriptions.
    pub(crate) fn close(&self) {
        let mut reg = lock(&self.registry);
        reg.closed = true;
        for (_, sub) in reg.subscribers.drain() {
            lock(&sub.queue).close(ApiError::new(Code::Unavailable, "node is shutting down"));
        }
        reg.by_topic.clear();
        reg.all.clear();
    }

    /// Number of live subscribers.
    pub(crate) fn len(&self) -> usize {
        lock(&self.registry).subscribers.len()
    }

    fn unsubscribe(&self, id: u64) {
        lock(&self.registry).remove(id);
    }
}

/// The body of a subscription response: newline-delimited `{"result": envelope}` lines, ended by
/// an `{"error": …}` line when the node cuts the stream.
pub(crate) struct Subscription {
    queue: SharedQueue,
    id: u64,
    hub: Weak<Hub>,
    done: bool,
}

impl Subscription {
    /// The next chunk waiting: the first line and whatever follows it, up to [`MAX_CHUNK`].
    fn take_chunk(q: &mut Queue) -> Option<Bytes> {
        let first = q.lines.pop_front()?;
        q.bytes -= first.len();
        let mut chunk: Option<BytesMut> = None;
        while chunk.as_ref().map_or(first.len(), BytesMut::len) < MAX_CHUNK {
            let Some(next) = q.lines.pop_front() else { break };
            q.bytes -= next.len();
            chunk.get_or_insert_with(|| BytesMut::from(&first[..])).extend_from_slice(&next);
        }
        Some(chunk.map_or(first, BytesMut::freeze))
    }
}

impl Body for Subscription {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.done {
            return Poll::Ready(None);
        }
        let queue = Arc::clone(&self.queue);
        let mut q = lock(&queue);
        if let Some(chunk) = Self::take_chunk(&mut q) {
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if q.closed {
            let reason = q.end.take();
            drop(q);
            self.done = true;
            return Poll::Ready(reason.map(|e| Ok(Frame::data(wire::stream_error_line(&e)))));
        }
        q.waker = Some(cx.waker().clone());
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(hub) = self.hub.upgrade() {
            hub.unsubscribe(self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(topic: &str, n: u8) -> Envelope {
        Envelope { content_topic: topic.into(), timestamp_ns: u64::from(n), message: vec![n] }
    }

    fn next_line(s: &Subscription) -> Option<Bytes> {
        let mut q = lock(&s.queue);
        let line = q.lines.pop_front()?;
        q.bytes -= line.len();
        Some(line)
    }

    fn ended(s: &Subscription) -> Option<Code> {
        let q = lock(&s.queue);
        q.closed.then(|| q.end.as_ref().map(|e| e.code)).flatten()
    }

    #[test]
    fn routing_and_cut_off() {
        let hub = Hub::new(2, usize::MAX);
        let a = hub.subscribe(Some(vec!["a".into(), "a".into()])).unwrap();
        let all = hub.subscribe(None).unwrap();
        hub.relay(&env("a", 1));
        hub.relay(&env("b", 2));
        assert_eq!(next_line(&a).unwrap(), wire::stream_line(&env("a", 1)));
        assert!(next_line(&a).is_none());
        assert_eq!(next_line(&all).unwrap(), wire::stream_line(&env("a", 1)));
        assert_eq!(next_line(&all).unwrap(), wire::stream_line(&env("b", 2)));
        // `a` does not read: the third waiting envelope cuts it off.
        for n in 3..6 {
            hub.relay(&env("a", n));
            assert_eq!(next_line(&all).unwrap(), wire::stream_line(&env("a", n)));
        }
        assert_eq!(hub.len(), 1);
        assert_eq!(ended(&a), Some(Code::ResourceExhausted));
        assert!(next_line(&a).is_none(), "what waited was dropped");
        drop(all);
        assert_eq!(hub.len(), 0);
        hub.close();
        assert!(hub.subscribe(None).is_err());
    }

    #[test]
    fn cut_off_by_bytes_waiting() {
        let line = wire::stream_line(&env("a", 1)).len();
        let hub = Hub::new(1000, 3 * line);
        let slow = hub.subscribe(Some(vec!["a".into()])).unwrap();
        let fast = hub.subscribe(Some(vec!["a".into()])).unwrap();
        for _ in 0..3 {
            hub.relay(&env("a", 1));
            assert!(next_line(&fast).is_some());
        }
        assert_eq!((hub.len(), ended(&slow)), (2, None), "exactly at the limit");
        hub.relay(&env("a", 1));
        assert_eq!(hub.len(), 1);
        assert_eq!(ended(&slow), Some(Code::ResourceExhausted));
        let q = lock(&slow.queue);
        assert_eq!((q.lines.len(), q.bytes), (0, 0), "its lines are freed at once");
    }
}
