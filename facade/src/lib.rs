//! # xmtp-facade
//!
//! The one host API of xmtp-core, which the Swift and Kotlin bindings (uniffi) and the JS
//! binding (wasm-bindgen) wrap line for line, converting types and nothing else.
//!
//! ## Why a crate of its own
//! The core stays pure: no I/O, no clock, no randomness of its own, no locks. A host needs all
//! of those but the I/O, and every host needs them the same way, so they live here once:
//! - the operating system's random generator (a seeded one only with the `testing` feature);
//! - a [`Client`] that is safe to share between threads (`&self` methods over a lock, so the
//!   bindings can hand out one object to many tasks);
//! - owned, flat types: no generics, lifetimes, tuples, borrowed returns or protobuf types;
//!   strings, byte vectors, `u64`, options, vectors, string maps, records and enums;
//! - one error type, [`XmtpError`], whose variants group the core's stable codes by what a host
//!   does about them, and whose messages carry no user data;
//! - no panic crosses: every call runs under `catch_unwind`, and a panic becomes
//!   [`XmtpError::Internal`] while the client keeps working.
//!
//! ## Conventions
//! - Every timestamp is a `u64` of nanoseconds since the Unix epoch (what the protocol carries).
//!   JavaScript receives them as `bigint`.
//! - Content crosses as [`ContentInput`] (text, the JSON form of a standard type, or content a
//!   host codec encoded) and comes back in [`DecodedMessage`] as text, JSON, and the raw
//!   content with its type and parameters for host codecs.
//!
//! ## The host loop
//! Exactly the engine's (see `xmtp_core::client`): start operations (each returns an operation
//! id); take [`HttpRequest`]s with [`Client::poll_request`] and hand back
//! [`Client::handle_http`]; for a stream request, report [`Client::stream_opened`],
//! [`Client::stream_line`], [`Client::stream_closed`]; take [`Event`]s with
//! [`Client::poll_event`] (each operation ends with exactly one event carrying its id); sleep
//! until [`Client::next_deadline`]. Identities are set up the same way with
//! [`IdentityBootstrap`].
// Unsafe code is forbidden, except in the glue the `uniffi` feature generates.
#![cfg_attr(not(feature = "uniffi"), forbid(unsafe_code))]
#![cfg_attr(feature = "uniffi", allow(unsafe_code))]
#![warn(missing_docs)]

mod bootstrap;
mod bytes;
mod client;
mod convert;
mod error;
mod types;
mod wallet;

pub use bootstrap::IdentityBootstrap;
pub use bytes::Bytes;
pub use client::{decrypt_envelope, Client};
pub use error::{error_codes, XmtpError};
pub use types::*;
pub use wallet::PrivateKeyWallet;

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("xmtp");

/// The library's version, as sent in the `X-Client-Version` header (`xmtp-rs/<version>`).
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn client_version() -> String {
    xmtp_core::api::http::CLIENT_VERSION.to_string()
}
