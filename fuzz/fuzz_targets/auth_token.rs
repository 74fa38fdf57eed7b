//! Publish tokens (`auth::verify_token`): the input as header text, and as the token bytes (in
//! base64), at a clock inside the vectors' validity and at the extremes.
#![no_main]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use xmtp_core::auth;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = auth::verify_token(text, xmtp_fuzz::NOW_NS);
    }
    let b64 = STANDARD.encode(data);
    for now in [xmtp_fuzz::NOW_NS, 0, u64::MAX] {
        let _ = auth::verify_token(&b64, now);
    }
    let wallet = xmtp_fuzz::fixture().alice.address();
    let _ = auth::may_publish(&String::from_utf8_lossy(data), wallet);
});
