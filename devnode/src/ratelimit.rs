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
    /// Scale of the buckets of priority clients.
    priority_scale: f64,
    priority: Vec<IpAddr>,
    clients: Mutex<HashMap<IpAddr, State>>,
}

impl Buckets {
    fn new(config: Bucket, priority_scale: f64, priority: &[IpAddr]) -> Self {
        Self { config, priority_scale, priority: priority.to_vec(), clients: Mutex::default() }
    }

    /// The bucket of a client: the configured one, scaled for priority clients.
    fn bucket_of(&self, ip: &IpAddr) -> Bucket {
        let scale = if self.priority.contains(ip) { self.priority_scale } else { 1.0 };
        Bucket { refill_per_minute: self.config.refill_per_minute * scale, max_tokens: self.config.max_tokens * scale }
    }

    fn refill(bucket: Bucket, s: &mut State, now: Instant) {
        let minutes = now.saturating_duration_since(s.updated).as_secs_f64() / 60.0;
        s.tokens = (s.tokens + minutes * bucket.refill_per_minute).min(bucket.max_tokens);
        s.updated = now;
    }

    fn spend(&self, ip: IpAddr, cost: f64, now: Instant) -> bool {
        let mut clients = self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if clients.len() >= SWEEP_AT && !clients.contains_key(&ip) {
            clients.retain(|ip, s| {
                let bucket = self.bucket_of(ip);
                Self::refill(bucket, s, now);
                s.tokens < bucket.max_tokens
            });
        }
        let bucket = self.bucket_of(&ip);
        let state = clients.entry(ip).or_insert(State { tokens: bucket.max_tokens, updated: now });
        Self::refill(bucket, state, now);
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
            default: Buckets::new(limits.default, 2.0, &limits.priority),
            publish: Buckets::new(limits.publish, 4.0, &limits.priority),
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
        let b = Buckets::new(Bucket { refill_per_minute: 60.0, max_tokens: 3.0 }, 2.0, &[]);
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

    #[test]
    fn priority_clients_get_scaled_buckets() {
        let limits = RateLimits {
            default: Bucket { refill_per_minute: 0.0, max_tokens: 10.0 },
            publish: Bucket { refill_per_minute: 0.0, max_tokens: 10.0 },
            priority: vec![[10, 0, 0, 1].into()],
        };
        let l = RateLimiter::new(limits);
        let (vip, other): (IpAddr, IpAddr) = ([10, 0, 0, 1].into(), [10, 0, 0, 2].into());
        assert!(l.allow(vip, Class::Default, 20) && !l.allow(vip, Class::Default, 1), "default ×2");
        assert!(l.allow(vip, Class::Publish, 40) && !l.allow(vip, Class::Publish, 1), "publish ×4");
        assert!(!l.allow(other, Class::Default, 11) && l.allow(other, Class::Default, 10));
        assert!(!l.allow(other, Class::Publish, 11) && l.allow(other, Class::Publish, 10));
    }
}
