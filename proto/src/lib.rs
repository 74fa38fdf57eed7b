//! Protobuf types of the XMTP V1/V2 client protocol.
//!
//! The message types are generated with prost from the schema in `proto/schema/`
//! and checked in under `src/gen/` (regenerate with
//! `cargo run -p xmtp-proto-codegen`). Every message and enum also implements
//! `serde::Serialize` / `serde::Deserialize` in the protobuf JSON mapping spoken
//! by the HTTP gateway of the XMTP message API: lowerCamelCase field names
//! (snake_case accepted on input), 64-bit integers as decimal strings (numbers
//! accepted on input), bytes as standard padded base64 (URL-safe and unpadded
//! accepted on input), enums by their full names, default values omitted.
//!
//! Maps are `BTreeMap`s, so encoding is deterministic.
//!
//! - [`message_api::v1`]: transport types (`Envelope`, `QueryRequest`, `Token`, ...).
//! - [`message_contents`]: payload types (`PublicKey`, `PrivateKeyBundle`,
//!   `MessageV2`, `EncodedContent`, ...).
//!
//! The modules are also reachable under their protobuf package path, e.g.
//! [`xmtp::message_contents`].

#![forbid(unsafe_code)]

/// Modules laid out by protobuf package path (`xmtp.message_api.v1`,
/// `xmtp.message_contents`).
pub mod xmtp {
    /// Package `xmtp.message_api.v1`.
    pub mod message_api {
        /// Package `xmtp.message_api.v1`: the message API transport types.
        #[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery, rustdoc::all)]
        pub mod v1 {
            include!("gen/xmtp.message_api.v1.rs");
            include!("gen/xmtp.message_api.v1.serde.rs");
        }
    }

    /// Package `xmtp.keystore_api.v1`: the keystore's conversation records.
    pub mod keystore_api {
        /// Package `xmtp.keystore_api.v1`: `TopicMap` and its `TopicData`, the form in which
        /// the official SDKs export one conversation.
        #[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery, rustdoc::all)]
        pub mod v1 {
            include!("gen/xmtp.keystore_api.v1.rs");
        }
    }

    /// Package `xmtp.message_contents`: keys, signatures, invitations, messages
    /// and content.
    #[allow(missing_docs, clippy::all, clippy::pedantic, clippy::nursery, rustdoc::all)]
    pub mod message_contents {
        include!("gen/xmtp.message_contents.rs");
        include!("gen/xmtp.message_contents.serde.rs");
    }
}

pub use xmtp::keystore_api;
pub use xmtp::message_api;
pub use xmtp::message_contents;

/// The prost version the generated types are built with.
pub use prost;
