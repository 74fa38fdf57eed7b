//! # xmtp-core
//!
//! A sans-I/O implementation of the XMTP V1/V2 client protocol, byte-compatible with
//! `@xmtp/xmtp-js` 13 and the V2 Android/iOS SDKs.
//!
//! The core does no I/O, reads no clock and owns no random generator: time is a parameter
//! (`now_ns`, `created_ns`, `sent_ms`), randomness comes from a caller-supplied CSPRNG
//! ([`rand_core::CryptoRngCore`]), and wallet signatures are data — the core returns a
//! [`keys::SignatureRequest`] and takes the wallet's 65-byte signature back.
//!
//! Modules follow the protocol's nouns: [`crypto`], [`keys`], [`contact`], [`topic`], [`auth`],
//! [`invitation`], [`message`], [`content`], [`push`]. Every decoder is total: bad input yields
//! a typed error with a stable [`Error::code`], never a panic.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod auth;
pub mod client;
pub mod consent;
pub mod contact;
pub mod content;
pub mod crypto;
pub mod decoder;
pub mod error;
pub mod invitation;
pub mod keys;
pub mod message;
pub mod push;
pub mod render;
pub mod topic;

pub use error::{DecodeError, Error};
pub use rand_core;
// Links the std implementation of critical-section, which k256's precomputed tables lock with.
use critical_section as _;
pub use xmtp_proto as proto;

/// Nanoseconds per millisecond.
pub const NS_PER_MS: u64 = 1_000_000;

/// A nanosecond timestamp cut to whole milliseconds, as every timestamp this library writes is
/// (JS clients only have millisecond clocks, and xmtp-js compares such values exactly).
pub fn whole_ms(ns: u64) -> u64 {
    ns / NS_PER_MS * NS_PER_MS
}
