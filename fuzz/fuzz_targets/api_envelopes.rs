//! The message API's envelope JSON (`xmtp_core::api`): envelopes, base64 and 64-bit integers.
//! An envelope that reads must read again the same after writing it out.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use xmtp_core::api;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = api::envelopes_from_json(text);
    let _ = api::decode_base64(text);
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        let _ = api::json_u64(Some(&v), "fuzz");
        if let Ok(e) = api::envelope_from_json(&v) {
            let again = api::envelope_from_json(&api::envelope_to_json(&e)).expect("a written envelope reads");
            assert_eq!(again, e);
        }
    }
});
