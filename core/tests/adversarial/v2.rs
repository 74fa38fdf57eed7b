//! V2 messages: truncated, tampered, forged and replayed.

use crate::fixture::*;

// ---------------------------------------------------------------------------------------------
// V2 messages
// ---------------------------------------------------------------------------------------------

#[test]
fn v2_every_truncation_is_an_error() {
    let bytes = &fx().v2;
    assert_eq!(bob_reads_v2(&[]), Err(MessageError::WrongVersion));
    for len in 1..bytes.len() {
        assert_eq!(
            bob_reads_v2(&bytes[..len]),
            Err(MessageError::Decode(DecodeError::Malformed("Message"))),
            "prefix of {len} bytes"
        );
    }
}

#[test]
fn v1_and_sealed_invitation_every_truncation_is_an_error() {
    let f = fx();
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &[]), Err(MessageError::WrongVersion));
    for len in 1..f.v1.len() {
        assert_eq!(
            decode_v1(&f.bob, &dm_alice_bob(), &f.v1[..len]),
            Err(MessageError::Decode(DecodeError::Malformed("Message"))),
            "prefix of {len} bytes"
        );
    }
    assert_eq!(
        invitation::open(&f.bob, INVITE_NS, &[]),
        Err(InvitationError::Decode(DecodeError::Missing("sealed_invitation.v1")))
    );
    for len in 1..f.sealed.len() {
        assert_eq!(
            invitation::open(&f.bob, INVITE_NS, &f.sealed[..len]),
            Err(InvitationError::Decode(DecodeError::Malformed("SealedInvitation"))),
            "prefix of {len} bytes"
        );
    }
}

#[test]
fn v2_tampered_header() {
    let f = fx();
    let original = v2_parts(&f.v2);
    let header = pb::MessageHeaderV2::decode(original.header_bytes.as_slice()).unwrap();
    assert_eq!(header.topic, f.topic);

    // Another send time, same topic: the header is the associated data.
    let mut v2 = original.clone();
    v2.header_bytes = pb::MessageHeaderV2 { created_ns: header.created_ns + 1, ..header.clone() }.encode_to_vec();
    let err = bob_reads_v2(&v2_bytes(v2)).unwrap_err();
    assert_eq!(err, decryption_failed());
    assert_eq!(err.code(), "crypto.decryption_failed");

    // Any byte of the header flipped: the header no longer parses, its topic no longer matches,
    // or decryption fails.
    for i in 0..original.header_bytes.len() {
        let mut v2 = original.clone();
        v2.header_bytes[i] ^= 0x01;
        let err = bob_reads_v2(&v2_bytes(v2)).unwrap_err();
        assert!(
            matches!(
                err,
                MessageError::TopicMismatch
                    | MessageError::Crypto(CryptoError::DecryptionFailed)
                    | MessageError::Decode(DecodeError::Malformed("MessageHeaderV2"))
            ),
            "header byte {i}: {err:?}"
        );
    }
    // A byte inside the topic string: the topic check catches it before decryption.
    let mut v2 = original.clone();
    let last = v2.header_bytes.len() - 1;
    v2.header_bytes[last] ^= 0x01;
    assert_eq!(bob_reads_v2(&v2_bytes(v2)), Err(MessageError::TopicMismatch));
    // A header that names another topic, read as that topic: decryption fails.
    let other_topic = topic::v2_conversation("other");
    let mut v2 = original;
    v2.header_bytes = pb::MessageHeaderV2 { topic: other_topic.clone(), ..header }.encode_to_vec();
    assert_eq!(decode_v2(&other_topic, &f.key, &v2_bytes(v2)), Err(decryption_failed()));
}

#[test]
fn v2_tampered_ciphertext_payload() {
    for i in [0, 10, 50] {
        let bytes = with_v2_ciphertext(|c| c.payload[i] ^= 0x80);
        assert_eq!(bob_reads_v2(&bytes), Err(decryption_failed()), "payload byte {i}");
    }
    // The tag (last 16 bytes).
    let bytes = with_v2_ciphertext(|c| *c.payload.last_mut().unwrap() ^= 1);
    assert_eq!(bob_reads_v2(&bytes), Err(decryption_failed()));
    // Truncated payload, and one shorter than a tag.
    let bytes = with_v2_ciphertext(|c| {
        c.payload.pop();
    });
    assert_eq!(bob_reads_v2(&bytes), Err(decryption_failed()));
    let bytes = with_v2_ciphertext(|c| c.payload.truncate(15));
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::Crypto(CryptoError::MalformedCiphertext)));
    // No ciphertext at all, or a ciphertext without its arm.
    let mut v2 = v2_parts(&fx().v2);
    v2.ciphertext = None;
    assert_eq!(bob_reads_v2(&v2_bytes(v2)), Err(MessageError::Decode(DecodeError::Missing("message.ciphertext"))));
    let mut v2 = v2_parts(&fx().v2);
    v2.ciphertext = Some(Ciphertext { union: None });
    assert_eq!(bob_reads_v2(&v2_bytes(v2)), Err(MessageError::Crypto(CryptoError::MalformedCiphertext)));
}

#[test]
fn v2_tampered_salt_and_nonce() {
    let bytes = with_v2_ciphertext(|c| c.hkdf_salt[0] ^= 1);
    assert_eq!(bob_reads_v2(&bytes), Err(decryption_failed()));
    let bytes = with_v2_ciphertext(|c| c.gcm_nonce[11] ^= 1);
    assert_eq!(bob_reads_v2(&bytes), Err(decryption_failed()));
    // Wrong lengths are refused before any decryption.
    let malformed = Err(MessageError::Crypto(CryptoError::MalformedCiphertext));
    assert_eq!(bob_reads_v2(&with_v2_ciphertext(|c| c.hkdf_salt.push(0))), malformed);
    assert_eq!(bob_reads_v2(&with_v2_ciphertext(|c| c.hkdf_salt.clear())), malformed);
    assert_eq!(bob_reads_v2(&with_v2_ciphertext(|c| c.gcm_nonce.truncate(8))), malformed);
    assert_eq!(bob_reads_v2(&with_v2_ciphertext(|c| c.gcm_nonce.extend([0; 4]))), malformed);
}

#[test]
fn v2_swapped_signature() {
    let other = signed_content(&fx().v2_other).signature;
    assert_ne!(other, signed_content(&fx().v2).signature);
    let bytes = reseal_v2(|s| s.signature = other);
    let err = bob_reads_v2(&bytes).unwrap_err();
    assert_eq!(err, MessageError::BadSignature);
    assert_eq!(err.code(), "message.bad_signature");
    // The payload of the other message under this message's signature: same refusal.
    let other_payload = signed_content(&fx().v2_other).payload;
    assert_eq!(bob_reads_v2(&reseal_v2(|s| s.payload = other_payload)), Err(MessageError::BadSignature));
}

#[test]
fn v2_signed_content_missing_or_malformed_parts() {
    let missing = |f: fn(&mut pb::SignedContent), field| {
        assert_eq!(bob_reads_v2(&reseal_v2(f)), Err(MessageError::Decode(DecodeError::Missing(field))));
    };
    missing(|s| s.sender = None, "signed_content.sender");
    missing(|s| s.signature = None, "signed_content.signature");
    // An empty `Signature` is read by the key layer, so the decode error arrives wrapped in it
    // (same code).
    let err = bob_reads_v2(&reseal_v2(|s| s.signature = Some(pb::Signature { union: None }))).unwrap_err();
    assert_eq!(err, MessageError::Key(KeyError::Decode(DecodeError::Missing("signature"))));
    assert_eq!(err.code(), "decode.missing_field");
    let bytes = reseal_v2(|s| s.sender.as_mut().unwrap().pre_key = None);
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::Key(KeyError::NoPreKey)));
    // The content signature in the wallet arm is not a pre-key signature.
    let bytes = reseal_v2(|s| {
        let (sig, _) = keys::signature_from_proto(s.signature.as_ref().unwrap()).unwrap();
        s.signature = Some(keys::signature_to_proto(&sig, SignatureArm::Wallet));
    });
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::BadSignature));
    // A 63-byte signature, and a recovery id of 2.
    let bytes = reseal_v2(|s| {
        s.signature = Some(pb::Signature {
            union: Some(pb::signature::Union::EcdsaCompact(pb::signature::EcdsaCompact {
                bytes: vec![1; 63],
                recovery: 0,
            })),
        })
    });
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::Key(KeyError::Crypto(CryptoError::MalformedSignature))));
    let bytes = reseal_v2(|s| {
        let (sig, _) = keys::signature_from_proto(s.signature.as_ref().unwrap()).unwrap();
        s.signature = Some(pb::Signature {
            union: Some(pb::signature::Union::EcdsaCompact(pb::signature::EcdsaCompact {
                bytes: sig.bytes.to_vec(),
                recovery: 2,
            })),
        })
    });
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::Key(KeyError::Crypto(CryptoError::MalformedSignature))));
    // Plaintext that is not a SignedContent.
    let mut v2 = v2_parts(&fx().v2);
    v2.ciphertext = Some(crypto::encrypt(&[0xff, 0xff], &fx().key, &v2.header_bytes, &mut rng(11)));
    assert_eq!(bob_reads_v2(&v2_bytes(v2)), Err(MessageError::Decode(DecodeError::Malformed("SignedContent"))));
}

#[test]
fn v2_forged_sender_bundle() {
    // Bob (who holds the key material) claims a message of his is Alice's: Alice's bundle as the
    // sender, his own pre-key signature. Decryption succeeds; the signature does not verify.
    let alice_bundle = fx().alice.public_bundle().to_signed_proto();
    let bob = &fx().bob;
    let forge = |sender: pb::SignedPublicKeyBundle, signer: &PrivateKey| {
        let mut v2 = v2_parts(&fx().v2);
        let payload = text_payload("send me your keys").bytes;
        let sig = signer.sign_prehash(&crypto::sha256_parts(&[&v2.header_bytes, &payload]));
        let signed = pb::SignedContent {
            payload,
            sender: Some(sender),
            signature: Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa)),
        };
        v2.ciphertext = Some(crypto::encrypt(&signed.encode_to_vec(), &fx().key, &v2.header_bytes, &mut rng(12)));
        v2_bytes(v2)
    };
    assert_eq!(
        bob_reads_v2(&forge(alice_bundle.clone(), bob.current_pre_key().secret())),
        Err(MessageError::BadSignature)
    );
    // A third identity's whole (valid) bundle under Alice's signature: refused as well.
    let carol_bundle = fx().carol.public_bundle().to_signed_proto();
    assert_eq!(
        bob_reads_v2(&forge(carol_bundle, fx().alice.current_pre_key().secret())),
        Err(MessageError::BadSignature)
    );
    // Alice's identity with Bob's pre-key, so the content signature matches the pre-key: the
    // pre-key is not signed by Alice's identity key.
    let spoofed = pb::SignedPublicKeyBundle {
        identity_key: alice_bundle.identity_key.clone(),
        pre_key: bob.public_bundle().to_signed_proto().pre_key,
    };
    let err = bob_reads_v2(&forge(spoofed, bob.current_pre_key().secret())).unwrap_err();
    assert_eq!(err, MessageError::Key(KeyError::PreKeyNotSigned));
    assert_eq!(err.code(), "key.prekey_not_signed");
    // The real thing, built the same way, is accepted (the forging helper is sound).
    let m = bob_reads_v2(&forge(alice_bundle, fx().alice.current_pre_key().secret())).unwrap();
    assert_eq!(m.sender_address, *fx().alice.address());
}

#[test]
fn v2_sender_pre_key_signed_by_someone_else() {
    // Alice's identity and pre-key, but the pre-key signature is by Carol's identity key.
    let alice = &fx().alice;
    let pre = legacy_pre_key(
        alice.current_pre_key().secret(),
        alice.current_pre_key().public().created(),
        fx().carol.identity().secret(),
    );
    let pre_public = pre.public_key.unwrap();
    let resigned = keys::SignedKey::from_legacy(&pre_public).unwrap().to_signed_proto(false);
    let bytes = reseal_v2(|s| s.sender.as_mut().unwrap().pre_key = Some(resigned));
    assert_eq!(bob_reads_v2(&bytes), Err(MessageError::Key(KeyError::PreKeyNotSigned)));

    // The identity key re-tagged from the wallet arm to the key arm: not wallet-signed.
    let bytes = reseal_v2(|s| {
        let id = s.sender.as_mut().unwrap().identity_key.as_mut().unwrap();
        let (sig, arm) = keys::signature_from_proto(id.signature.as_ref().unwrap()).unwrap();
        assert_eq!(arm, SignatureArm::Wallet);
        id.signature = Some(keys::signature_to_proto(&sig, SignatureArm::Ecdsa));
    });
    let err = bob_reads_v2(&bytes).unwrap_err();
    assert_eq!(err, MessageError::Key(KeyError::IdentityNotWalletSigned));
    assert_eq!(err.code(), "key.identity_not_wallet_signed");
}

#[test]
fn v2_wrong_key_material() {
    let f = fx();
    let mut wrong = f.key.clone();
    wrong[0] ^= 1;
    assert_eq!(decode_v2(&f.topic, &wrong, &f.v2), Err(decryption_failed()));
    // The key material of Alice's conversation with Carol.
    let (_, carol_key) = invitation::derive_topic_and_key(&f.alice, &f.carol.public_bundle(), None);
    assert_eq!(decode_v2(&f.topic, carol_key.expose(), &f.v2), Err(decryption_failed()));
    assert_eq!(decode_v2(&f.topic, &[], &f.v2), Err(decryption_failed()));
}

#[test]
fn v2_replayed_onto_another_conversation() {
    let f = fx();
    let (carol_topic, carol_key) = invitation::derive_topic_and_key(&f.alice, &f.carol.public_bundle(), None);
    let err = decode_v2(&carol_topic, carol_key.expose(), &f.v2).unwrap_err();
    assert_eq!(err, MessageError::TopicMismatch);
    assert_eq!(err.code(), "message.topic_mismatch");
    // Even with the right key material, the topic is checked.
    assert_eq!(decode_v2(&carol_topic, &f.key, &f.v2), Err(MessageError::TopicMismatch));
    // Same conversation, other context id.
    let (ctx_topic, _) = invitation::derive_topic_and_key(&f.alice, &f.bob.public_bundle(), Some("ctx"));
    assert_eq!(decode_v2(&ctx_topic, &f.key, &f.v2), Err(MessageError::TopicMismatch));
}

#[test]
fn wrong_message_version() {
    let f = fx();
    let err = bob_reads_v2(&f.v1).unwrap_err();
    assert_eq!(err, MessageError::WrongVersion);
    assert_eq!(err.code(), "message.wrong_version");
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &f.v2), Err(MessageError::WrongVersion));
    // A Message with no version at all.
    assert_eq!(bob_reads_v2(&pb::Message { version: None }.encode_to_vec()), Err(MessageError::WrongVersion));
}

// ---------------------------------------------------------------------------------------------
