//! The engine's state blob (`Client::import_state`): a versioned JSON document with keys,
//! conversations, contacts and consent; every part is checked again on import.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rand_chacha::rand_core::SeedableRng as _;
use rand_chacha::ChaCha20Rng;
use xmtp_core::client::Client;
use xmtp_core::content::Registry;

fuzz_target!(|data: &[u8]| {
    let Ok(blob) = std::str::from_utf8(data) else { return };
    if let Ok(client) = Client::import_state(blob, Registry::new(), Box::new(ChaCha20Rng::seed_from_u64(1))) {
        let _ = client.export_state();
    }
});
