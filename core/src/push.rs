//! Push-notification HMAC keys (facts §11): per conversation and 30-day period, so a
//! notification server can recognise a subscriber's own messages by their `sender_hmac`.

use zeroize::Zeroizing;

use crate::crypto::{self, Address};

/// Length of one HMAC key period in milliseconds (30 days).
pub const PERIOD_MS: u64 = 2_592_000_000;

/// The 30-day period containing `unix_ms`.
pub fn period_of_ms(unix_ms: u64) -> u64 {
    unix_ms / PERIOD_MS
}

/// The 30-day period containing `unix_ns`.
pub fn period_of_ns(unix_ns: u64) -> u64 {
    period_of_ms(unix_ns / 1_000_000)
}

/// `HKDF-SHA256(IKM = key material, salt = empty, info = "<period>-<address>")`.
pub fn hmac_key(key_material: &[u8], address: &Address, period: u64) -> Zeroizing<[u8; 32]> {
    let info = format!("{period}-{address}");
    crypto::hkdf_sha256(key_material, &[], info.as_bytes())
}

/// The keys for the periods before, at and after `now_ms`, as `(period, key)`.
pub fn hmac_keys_around(key_material: &[u8], address: &Address, now_ms: u64) -> Vec<(u64, Zeroizing<[u8; 32]>)> {
    let p = period_of_ms(now_ms);
    [p.saturating_sub(1), p, p + 1]
        .into_iter()
        .map(|period| (period, hmac_key(key_material, address, period)))
        .collect()
}
