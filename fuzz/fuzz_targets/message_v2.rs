//! V2 messages (`message::decode_v2`) with the vector conversation's topic and key material.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmtp_core::message::{decode_v2, SenderCache};

fuzz_target!(|data: &[u8]| {
    let f = xmtp_fuzz::fixture();
    let _ = decode_v2(&f.v2_topic, &f.key_material, data, &mut SenderCache::default());
});
