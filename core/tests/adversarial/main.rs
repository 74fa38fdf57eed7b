//! Hostile input: tampered, truncated, replayed and forged messages, invitations, key bundles and
//! auth tokens, each refused with its exact typed error; and property tests that no decoder
//! panics on arbitrary bytes or on single-byte mutations of valid input.
//!
//! Alice and Bob are the identities of `tests/vectors/xmtpjs-13.0.4-vectors.json`; Carol is a
//! third identity built here from fixed keys. All randomness is seeded.

mod batch;
#[path = "../common/mod.rs"]
mod common;
mod fixture;
mod invitations;
mod keys;
mod props;
mod v1;
mod v2;

use fixture::*;

// ---------------------------------------------------------------------------------------------
// Control: the fixture itself is valid
// ---------------------------------------------------------------------------------------------

#[test]
fn fixture_messages_and_invitation_are_valid() {
    let f = fx();
    let m = bob_reads_v2(&f.v2).unwrap();
    assert_eq!(m.sender_address, *f.alice.address());
    assert_eq!(Registry::new().decode(&m.encoded_content).content, Some(Content::Text("hello bob".into())));
    bob_reads_v2(&f.v2_other).unwrap();
    let m = decode_v1(&f.bob, &dm_alice_bob(), &f.v1).unwrap();
    assert_eq!(m.sender_address, *f.alice.address());
    decode_v1(&f.alice, &dm_alice_bob(), &f.v1).unwrap();
    let conv = invitation::open(&f.bob, INVITE_NS, &f.sealed).unwrap();
    assert_eq!((conv.topic.as_str(), conv.key_material.expose()), (f.topic.as_str(), f.key.as_slice()));
    assert_eq!(f.carol.address(), &f.carol_wallet.public_key().address());
    // The resealing helper changes nothing by itself.
    let resealed = reseal_v2(|_| {});
    assert_ne!(resealed, f.v2);
    assert_eq!(bob_reads_v2(&resealed).unwrap().encoded_content, bob_reads_v2(&f.v2).unwrap().encoded_content);
}
