//! Private preferences (consent): actions (`ConsentAction::decode`, which must round-trip),
//! encrypted payloads (`consent::decrypt_action`) with the vector identity, and consent proofs
//! (`consent::validate_consent_proof`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message as _;
use xmtp_core::consent::{self, ConsentAction};
use xmtp_proto::message_contents::ConsentProofPayload;

fuzz_target!(|data: &[u8]| {
    if let Ok(action) = ConsentAction::decode(data) {
        assert_eq!(ConsentAction::decode(&action.encode()).expect("an encoded action reads"), action);
    }
    let f = xmtp_fuzz::fixture();
    if let Ok(plain) = consent::decrypt_action(f.alice.identity().secret(), data) {
        let _ = ConsentAction::decode(&plain);
    }
    if let Ok(proof) = ConsentProofPayload::decode(data) {
        let now_ms = xmtp_fuzz::NOW_NS / 1_000_000;
        let _ = consent::validate_consent_proof(&proof, f.alice.address(), f.bob.address().as_str(), now_ms);
        let _ = consent::validate_consent_proof(&proof, f.alice.address(), "", u64::MAX);
    }
});
