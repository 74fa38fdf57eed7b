//! The wallet-encrypted private key store (`KeyStorageOpen`), unlocked with the vector's wallet
//! signature (and an arbitrary one taken from the input's end).
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmtp_core::keys::KeyStorageOpen;

fuzz_target!(|data: &[u8]| {
    let f = xmtp_fuzz::fixture();
    if let Ok(open) = KeyStorageOpen::new(data) {
        let _ = open.signature_request();
        let _ = open.complete(&f.store_signature);
    }
    if data.len() > 65 {
        let (stored, signature) = data.split_at(data.len() - 65);
        if let Ok(open) = KeyStorageOpen::new(stored) {
            let _ = open.complete(signature);
        }
    }
});
