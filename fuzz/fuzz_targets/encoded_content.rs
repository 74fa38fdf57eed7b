//! Encoded content through the standard registry (`Registry::decode`): type dispatch,
//! decompression, every standard codec, nesting, fallback; then the decoded content as JSON.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmtp_core::content::Registry;

fuzz_target!(|data: &[u8]| {
    let registry = Registry::new();
    let decoded = registry.decode(data);
    let _ = decoded.content_json();
});
