//! Token-bucket rate limiting per client IP, with the reference node's two classes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use crate::config::{Bucket, RateLimits};

/// Buckets kept before idle (full) ones are swept.
const SWEEP_AT: usize = 10_000;

/// Which bucket a call spends from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Everything but publishes.
    Default,
    /// Publishes.
    Publish,
}

struct State {
    tokens: f64,
    updated: Instant,
}

struct Buckets {
    config: Bucket,
    clients: Mutex<HashMap<IpAddr, State>>,
}

impl Buckets {
    fn refill(&self, s: &mut State, now: Instant) {
        let minutes = now.saturating_duration_since(s.updated).as_secs_f64() / 60.0;
        s.tokens = (s.tokens + minutes * self.config.refill_per_minute).min(self.config.max_tokens);
        s.updated = now;
    }

    fn spend(&self, ip: IpAddr, cost: f64, now: Instant) -> bool {
        let mut clients = self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if clients.len() >= SWEEP_AT && !clients.contains_key(&ip) {
            clients.retain(|_, s| {
                self.refill(s, now);
                s.tokens < self.config.max_tokens
            });
        }
        let state = clients.entry(ip).or_insert(State { tokens: self.config.max_tokens, updated: now });
        self.refill(state, now);
        if state.tokens >= cost {
            state.tokens -= cost;
            true
        } else {
            false
        }
    }
}

/// The limiter of a node.
pub(crate) struct RateLimiter {
    default: Buckets,
    publish: Buckets,
}

impl RateLimiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            default: Buckets { config: limits.default, clients: Mutex::default() },
            publish: Buckets { config: limits.publish, clients: Mutex::default() },
        }
    }

    /// Spend `cost` tokens of `class` for `ip`; false when the bucket holds fewer.
    pub(crate) fn allow(&self, ip: IpAddr, class: Class, cost: u64) -> bool {
        let buckets = match class {
            Class::Default => &self.default,
            Class::Publish => &self.publish,
        };
        // Costs are small integers: the f64 conversion is exact.
        buckets.spend(ip, cost as f64, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn bucket_spends_and_refills() {
        let b = Buckets { config: Bucket { refill_per_minute: 60.0, max_tokens: 3.0 }, clients: Mutex::default() };
        let ip: IpAddr = [127, 0, 0, 1].into();
        let other: IpAddr = [127, 0, 0, 2].into();
        let t0 = Instant::now();
        assert!(b.spend(ip, 2.0, t0));
        assert!(!b.spend(ip, 2.0, t0));
        assert!(b.spend(ip, 1.0, t0));
        assert!(!b.spend(ip, 1.0, t0));
        assert!(b.spend(other, 3.0, t0), "per IP");
        // One token per second.
        assert!(!b.spend(ip, 1.0, t0 + Duration::from_millis(500)));
        assert!(b.spend(ip, 1.0, t0 + Duration::from_millis(1100)));
        // Never above the maximum.
        assert!(!b.spend(ip, 4.0, t0 + Duration::from_secs(3600)));
        assert!(b.spend(ip, 3.0, t0 + Duration::from_secs(3600)));
    }
}
