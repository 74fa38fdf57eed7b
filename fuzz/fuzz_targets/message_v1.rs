//! V1 messages (`message::decode_v1`) as Bob and as Alice, on their `dm-` topic and on an
//! `intro-` topic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmtp_core::message::{decode_v1, SenderCache};
use xmtp_core::topic;

fuzz_target!(|data: &[u8]| {
    let f = xmtp_fuzz::fixture();
    let mut cache = SenderCache::default();
    let _ = decode_v1(&f.bob, &f.dm_topic, data, &mut cache);
    let _ = decode_v1(&f.alice, &f.dm_topic, data, &mut cache);
    let _ = decode_v1(&f.bob, &topic::intro(f.bob.address()), data, &mut cache);
});
