//! Sealed invitations: timestamps, tampering, third parties, unknown pre-keys, bad content.

use crate::fixture::*;

// Invitations
// ---------------------------------------------------------------------------------------------

#[test]
fn invitation_timestamp_mismatch() {
    let f = fx();
    for ts in [INVITE_NS - 1, INVITE_NS + 1, 0, INVITE_NS / 1_000_000] {
        let err = invitation::open(&f.bob, ts, &f.sealed).unwrap_err();
        assert_eq!(err, InvitationError::TimestampMismatch);
        assert_eq!(err.code(), "invitation.timestamp_mismatch");
    }
}

#[test]
fn invitation_tampered_header() {
    let f = fx();
    let original = sealed_parts(&f.sealed);
    let header = pb::SealedInvitationHeaderV1::decode(original.header_bytes.as_slice()).unwrap();
    // A new creation time, matched by the envelope: the header is the associated data.
    let mut v1 = original.clone();
    v1.header_bytes = pb::SealedInvitationHeaderV1 { created_ns: INVITE_NS + 5, ..header.clone() }.encode_to_vec();
    let err = invitation::open(&f.bob, INVITE_NS + 5, &sealed_bytes(v1)).unwrap_err();
    assert_eq!(err, InvitationError::Crypto(CryptoError::DecryptionFailed));
    assert_eq!(err.code(), "crypto.decryption_failed");
    // Tampered ciphertext.
    let mut v1 = original.clone();
    aes_parts(&mut v1.ciphertext).payload[3] ^= 1;
    assert_eq!(
        invitation::open(&f.bob, INVITE_NS, &sealed_bytes(v1)),
        Err(InvitationError::Crypto(CryptoError::DecryptionFailed))
    );
    // The sender's bundle swapped for Carol's: Bob derives another secret.
    let mut v1 = original.clone();
    v1.header_bytes =
        pb::SealedInvitationHeaderV1 { sender: Some(f.carol.public_bundle().to_signed_proto()), ..header.clone() }
            .encode_to_vec();
    assert_eq!(
        invitation::open(&f.bob, INVITE_NS, &sealed_bytes(v1)),
        Err(InvitationError::Crypto(CryptoError::DecryptionFailed))
    );
    // The sender's pre-key signed by someone else.
    let mut sender = header.sender.clone().unwrap();
    sender.pre_key = f.carol.public_bundle().to_signed_proto().pre_key;
    let mut v1 = original.clone();
    v1.header_bytes = pb::SealedInvitationHeaderV1 { sender: Some(sender), ..header.clone() }.encode_to_vec();
    assert_eq!(
        invitation::open(&f.bob, INVITE_NS, &sealed_bytes(v1)),
        Err(InvitationError::Key(KeyError::PreKeyNotSigned))
    );
    // No sender at all.
    let mut v1 = original;
    v1.header_bytes = pb::SealedInvitationHeaderV1 { sender: None, ..header }.encode_to_vec();
    assert_eq!(
        invitation::open(&f.bob, INVITE_NS, &sealed_bytes(v1)),
        Err(InvitationError::Decode(DecodeError::Missing("header.sender")))
    );
}

#[test]
fn invitation_opened_by_third_party() {
    let err = invitation::open(&fx().carol, INVITE_NS, &fx().sealed).unwrap_err();
    assert_eq!(err, InvitationError::NotForUs);
    assert_eq!(err.code(), "invitation.not_for_us");
}

#[test]
fn invitation_recipient_pre_key_unknown() {
    let f = fx();
    // Sealed to Bob's new pre-key; the old bundle does not have it.
    let rotated = bob_rotated();
    assert_eq!(rotated.address(), f.bob.address());
    let sealed = invitation::create(&f.alice, &rotated.public_bundle(), None, None, INVITE_NS, &mut rng(30)).unwrap();
    invitation::open(&rotated, INVITE_NS, &sealed.payload).unwrap();
    let err = invitation::open(&f.bob, INVITE_NS, &sealed.payload).unwrap_err();
    assert_eq!(err, InvitationError::Key(KeyError::NoMatchingPreKey));
    assert_eq!(err.code(), "key.no_matching_prekey");
    // The other way round: sealed to the old pre-key, opened with only the new one.
    assert_eq!(invitation::open(&rotated, INVITE_NS, &f.sealed), Err(InvitationError::Key(KeyError::NoMatchingPreKey)));
}

fn hand_built_invitation(topic: &str, key_material: Option<Vec<u8>>) -> pb::InvitationV1 {
    pb::InvitationV1 {
        topic: topic.to_string(),
        context: None,
        consent_proof: None,
        encryption: key_material.map(|key_material| {
            pb::invitation_v1::Encryption::Aes256GcmHkdfSha256(pb::invitation_v1::Aes256gcmHkdfsha256 { key_material })
        }),
    }
}

fn seal_and_open(invitation: &pb::InvitationV1) -> Result<invitation::V2Conversation, InvitationError> {
    let f = fx();
    let sealed = invitation::seal(&f.alice, &f.bob.public_bundle(), invitation, INVITE_NS, &mut rng(40)).unwrap();
    invitation::open(&f.bob, INVITE_NS, &sealed)
}

#[test]
fn invitation_invalid_topic() {
    // Control: a valid hand-built invitation opens.
    let good = seal_and_open(&hand_built_invitation("/xmtp/0/m-custom/proto", Some(vec![9; 32]))).unwrap();
    assert_eq!(good.topic, "/xmtp/0/m-custom/proto");
    for bad in ["", "/xmtp/0/m-has space/proto", "/xmtp/0//proto", "/xmtp/0/m-\u{e9}/proto", "no-prefix", "/xmtp/0/m-x"]
    {
        let err = seal_and_open(&hand_built_invitation(bad, Some(vec![9; 32]))).unwrap_err();
        assert_eq!(err, InvitationError::InvalidContent, "topic {bad:?}");
        assert_eq!(err.code(), "invitation.invalid_content");
    }
}

#[test]
fn invitation_key_material_of_wrong_length() {
    for len in [0, 1, 16, 31, 33, 64] {
        let err = seal_and_open(&hand_built_invitation("/xmtp/0/m-custom/proto", Some(vec![9; len]))).unwrap_err();
        assert_eq!(err, InvitationError::InvalidContent, "{len} bytes");
    }
    assert_eq!(
        seal_and_open(&hand_built_invitation("/xmtp/0/m-custom/proto", None)),
        Err(InvitationError::InvalidContent)
    );
}

#[test]
fn invitation_to_self_is_refused() {
    let f = fx();
    let err = invitation::create(&f.alice, &f.alice.public_bundle(), None, None, INVITE_NS, &mut rng(41)).unwrap_err();
    assert_eq!(err, InvitationError::SelfInvite);
    assert_eq!(err.code(), "invitation.self_invite");
}

// ---------------------------------------------------------------------------------------------
