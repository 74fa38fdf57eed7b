//! The `xmtp` command-line client as a library: the blocking HTTP transport and the loop that
//! runs the core's engine over it, plus the commands. The binary is a thin argument parser.

pub mod commands;
pub mod decode;
pub mod demo;
pub mod profile;
pub mod session;
pub mod transport;
