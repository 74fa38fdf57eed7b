//! Private key bundles (`PrivateKeyBundle::from_bytes`: V1, V2, bare legacy V1). A bundle that
//! reads must read again from its V2 encoding, with the same address.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmtp_core::keys::PrivateKeyBundle;

fuzz_target!(|data: &[u8]| {
    if let Ok(keys) = PrivateKeyBundle::from_bytes(data) {
        let again = PrivateKeyBundle::from_bytes(&keys.to_v2_bytes()).expect("a V2 encoding reads");
        assert_eq!(again.address(), keys.address());
        if let Ok(v1) = keys.to_v1_bytes() {
            let again = PrivateKeyBundle::from_bytes(&v1).expect("a V1 encoding reads");
            assert_eq!(again.address(), keys.address());
        }
    }
});
