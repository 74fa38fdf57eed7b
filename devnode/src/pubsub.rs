//! Live subscriptions: a registry of subscribers by topic, and the streaming response body.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame};
use tokio::sync::mpsc;
use xmtp_proto::message_api::v1::Envelope;

use crate::status::{ApiError, Code};
use crate::wire;

/// Largest chunk a stream writes at once when envelopes queue up.
const MAX_CHUNK: usize = 64 * 1024;

/// Why a stream ended, if not because its client left.
type EndReason = Arc<Mutex<Option<ApiError>>>;

struct Subscriber {
    tx: mpsc::Sender<Bytes>,
    end: EndReason,
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
    buffer: usize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    /// A hub whose subscribers may fall `buffer` envelopes behind before being cut off.
    pub(crate) fn new(buffer: usize) -> Arc<Self> {
        Arc::new(Self { registry: Mutex::new(Registry::default()), buffer: buffer.max(1) })
    }

    /// Register a subscriber to `topics` (`None`: all topics). It receives every envelope
    /// relayed from now on.
    pub(crate) fn subscribe(self: &Arc<Self>, topics: Option<Vec<String>>) -> Result<Subscription, ApiError> {
        let (tx, rx) = mpsc::channel(self.buffer);
        let end = EndReason::default();
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
        reg.subscribers.insert(id, Subscriber { tx, end: Arc::clone(&end), topics });
        Ok(Subscription { rx, end, id, hub: Arc::downgrade(self), done: false })
    }

    /// Send an envelope to its subscribers. A subscriber whose buffer is full is cut off (its
    /// stream ends with a `ResourceExhausted` error line); one that left is forgotten.
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
            match sub.tx.try_send(line.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    *lock(&sub.end) = Some(ApiError::new(
                        Code::ResourceExhausted,
                        format!("subscriber too slow: more than {} envelopes waiting", self.buffer),
                    ));
                    gone.push(id);
                }
                Err(mpsc::error::TrySendError::Closed(_)) => gone.push(id),
            }
        }
        for id in gone {
            reg.remove(id);
        }
    }

    /// End every stream (with an `Unavailable` error line) and refuse new subscriptions.
    pub(crate) fn close(&self) {
        let mut reg = lock(&self.registry);
        reg.closed = true;
        for (_, sub) in reg.subscribers.drain() {
            *lock(&sub.end) = Some(ApiError::new(Code::Unavailable, "node is shutting down"));
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
    rx: mpsc::Receiver<Bytes>,
    end: EndReason,
    id: u64,
    hub: Weak<Hub>,
    done: bool,
}

impl Body for Subscription {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        if self.done {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(first)) => {
                // Coalesce what is already waiting into one chunk.
                let mut chunk: Option<BytesMut> = None;
                while chunk.as_ref().map_or(first.len(), BytesMut::len) < MAX_CHUNK {
                    let Ok(next) = self.rx.try_recv() else { break };
                    chunk.get_or_insert_with(|| BytesMut::from(&first[..])).extend_from_slice(&next);
                }
                let data = chunk.map_or(first, BytesMut::freeze);
                Poll::Ready(Some(Ok(Frame::data(data))))
            }
            Poll::Ready(None) => {
                self.done = true;
                let reason = lock(&self.end).take();
                Poll::Ready(reason.map(|e| Ok(Frame::data(wire::stream_error_line(&e)))))
            }
            Poll::Pending => Poll::Pending,
        }
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

    #[test]
    fn routing_and_cut_off() {
        let hub = Hub::new(2);
        let mut a = hub.subscribe(Some(vec!["a".into(), "a".into()])).unwrap();
        let mut all = hub.subscribe(None).unwrap();
        hub.relay(&env("a", 1));
        hub.relay(&env("b", 2));
        assert_eq!(a.rx.try_recv().unwrap(), wire::stream_line(&env("a", 1)));
        assert!(a.rx.try_recv().is_err());
        assert_eq!(all.rx.try_recv().unwrap(), wire::stream_line(&env("a", 1)));
        assert_eq!(all.rx.try_recv().unwrap(), wire::stream_line(&env("b", 2)));
        // `a` does not read: the third waiting envelope cuts it off.
        for n in 3..6 {
            hub.relay(&env("a", n));
            assert_eq!(all.rx.try_recv().unwrap(), wire::stream_line(&env("a", n)));
        }
        assert_eq!(hub.len(), 1);
        assert!(lock(&a.end).as_ref().is_some_and(|e| e.code == Code::ResourceExhausted));
        drop(all);
        assert_eq!(hub.len(), 0);
        hub.close();
        assert!(hub.subscribe(None).is_err());
    }
}
