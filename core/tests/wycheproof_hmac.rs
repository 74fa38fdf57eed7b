//! Wycheproof HMAC-SHA256 vectors (`tests/vectors/wycheproof/hmac_sha256_test.json`) run against
//! `crypto::hmac_sha256`: keys shorter, equal to and longer than the block, messages up to a few
//! hundred bytes, full (256-bit) and truncated (128-bit) tags. A truncated tag is compared with
//! the prefix of the full one; a modified tag must never match.
//!
//! AES-256-GCM (`aes_gcm_test.json`) is not run here: the core reaches AES-GCM only behind HKDF
//! (see `wycheproof.rs`).

mod common;

use common::{hx, st, vectors};
use xmtp_core::crypto;

#[test]
fn hmac_sha256_wycheproof() {
    let v = vectors("wycheproof/hmac_sha256_test.json");
    let (mut valid, mut invalid, mut truncated) = (0, 0, 0);
    for group in v["testGroups"].as_array().expect("testGroups") {
        let tag_bytes = usize::try_from(group["tagSize"].as_u64().expect("tagSize") / 8).unwrap();
        let key_bits = group["keySize"].as_u64().expect("keySize");
        for t in group["tests"].as_array().expect("tests") {
            let id = t["tcId"].as_u64().expect("tcId");
            let key = hx(&t["key"]);
            assert_eq!(key.len() as u64 * 8, key_bits, "tcId {id}: key size");
            let tag = hx(&t["tag"]);
            assert_eq!(tag.len(), tag_bytes, "tcId {id}: tag size");
            let mac = crypto::hmac_sha256(&key, &hx(&t["msg"]));
            let matches = crypto::ct_eq(&mac[..tag_bytes], &tag);
            match st(&t["result"]) {
                "valid" => {
                    assert!(matches, "tcId {id}: valid tag refused");
                    valid += 1;
                }
                "invalid" => {
                    assert!(!matches, "tcId {id}: modified tag accepted");
                    invalid += 1;
                }
                other => panic!("tcId {id}: unexpected result {other}"),
            }
            if tag_bytes < mac.len() {
                truncated += 1;
            }
        }
    }
    assert_eq!((valid, invalid), (66, 108));
    assert_eq!(valid + invalid, v["numberOfTests"].as_u64().unwrap());
    assert_eq!(truncated, 87, "the 128-bit tag cases");
}
