//! # xmtp-ffi
//!
//! The library the Kotlin and Swift packages load. It holds no code of its own: the exports
//! are the `xmtp-facade` crate's own types and methods, annotated under its `uniffi` feature
//! (records, enums, objects, the error, and the free functions). Linking the facade here puts
//! its scaffolding and metadata into this `cdylib`/`staticlib`, from which `uniffi-bindgen`
//! generates the bindings in library mode (`ffi-uniffi/uniffi.toml` names the library and
//! the Kotlin package).
#![forbid(unsafe_code)]

pub use xmtp_facade::*;
