//! Contact bundles (`contact::decode_contact`, V1 and V2). A contact that reads must read again,
//! the same, from its encoding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmtp_core::contact;

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = contact::decode_contact(data) {
        if let Ok(bytes) = contact::encode(&c) {
            let again = contact::decode_contact(&bytes).expect("an encoded contact reads");
            assert_eq!(again.address(), c.address());
        }
    }
});
