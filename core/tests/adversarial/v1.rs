//! V1 messages: tampered headers, wrong readers, replays, forged senders.

use crate::fixture::*;

// V1 messages
// ---------------------------------------------------------------------------------------------

#[test]
fn v1_tampered_header() {
    let f = fx();
    let original = v1_parts(&f.v1);
    let header = pb::MessageHeaderV1::decode(original.header_bytes.as_slice()).unwrap();
    // Another timestamp: the header is the associated data.
    let mut v1 = original.clone();
    v1.header_bytes = pb::MessageHeaderV1 { timestamp: header.timestamp + 1, ..header.clone() }.encode_to_vec();
    for reader in [&f.bob, &f.alice] {
        assert_eq!(decode_v1(reader, &dm_alice_bob(), &v1_bytes(v1.clone())), Err(decryption_failed()));
    }
    // Sender and recipient swapped: same dm topic, still not the sealed header.
    let mut v1 = original.clone();
    v1.header_bytes =
        pb::MessageHeaderV1 { sender: header.recipient.clone(), recipient: header.sender.clone(), ..header.clone() }
            .encode_to_vec();
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &v1_bytes(v1)), Err(decryption_failed()));
    // Tampered ciphertext.
    let mut v1 = original.clone();
    aes_parts(&mut v1.ciphertext).payload[0] ^= 1;
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &v1_bytes(v1)), Err(decryption_failed()));
    // A header without recipient.
    let mut v1 = original;
    v1.header_bytes = pb::MessageHeaderV1 { recipient: None, ..header }.encode_to_vec();
    assert_eq!(
        decode_v1(&f.bob, &dm_alice_bob(), &v1_bytes(v1)),
        Err(MessageError::Decode(DecodeError::Missing("header.recipient")))
    );
}

#[test]
fn v1_wrong_reader() {
    let f = fx();
    let err = decode_v1(&f.carol, &dm_alice_bob(), &f.v1).unwrap_err();
    assert_eq!(err, MessageError::NotParticipant);
    assert_eq!(err.code(), "message.not_participant");
    // Also when it arrives on an intro topic (no topic check there).
    assert_eq!(decode_v1(&f.carol, &topic::intro(f.carol.address()), &f.v1), Err(MessageError::NotParticipant));
}

#[test]
fn v1_replayed_onto_another_dm_topic() {
    let f = fx();
    for (a, b) in [(&f.alice, &f.carol), (&f.bob, &f.carol)] {
        let other = topic::direct_message(a.address(), b.address());
        let err = decode_v1(&f.bob, &other, &f.v1).unwrap_err();
        assert_eq!(err, MessageError::TopicMismatch);
        assert_eq!(err.code(), "message.topic_mismatch");
        let other = topic::direct_message_ephemeral(a.address(), b.address());
        assert_eq!(decode_v1(&f.bob, &other, &f.v1), Err(MessageError::TopicMismatch));
    }
    // The right pair's ephemeral topic and the intro topics are accepted.
    decode_v1(&f.bob, &topic::direct_message_ephemeral(f.alice.address(), f.bob.address()), &f.v1).unwrap();
    decode_v1(&f.bob, &topic::intro(f.bob.address()), &f.v1).unwrap();
}

#[test]
fn v1_forged_sender_bundle() {
    let f = fx();
    let payload = text_payload("it is me, alice").bytes;
    // Carol writes to Bob with Alice's bundle as the sender, encrypting with the only secret she
    // can compute (her own keys). Bob derives the secret from Alice's keys: decryption fails.
    let header = pb::MessageHeaderV1 {
        sender: Some(f.alice.public_bundle().to_legacy_proto().unwrap()),
        recipient: Some(f.bob.public_bundle().to_legacy_proto().unwrap()),
        timestamp: V1_SENT_MS,
    }
    .encode_to_vec();
    let secret = f.carol.shared_secret(&f.bob.public_bundle(), f.carol.current_pre_key(), false);
    let forged = v1_bytes(pb::MessageV1 {
        ciphertext: Some(crypto::encrypt(&payload, secret.expose(), &header, &mut rng(20))),
        header_bytes: header.clone(),
    });
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &forged), Err(decryption_failed()));
    // The same with Alice's real secret decrypts (the forging path is sound).
    let secret = f.alice.shared_secret(&f.bob.public_bundle(), f.alice.current_pre_key(), false);
    let genuine = v1_bytes(pb::MessageV1 {
        ciphertext: Some(crypto::encrypt(&payload, secret.expose(), &header, &mut rng(21))),
        header_bytes: header,
    });
    assert_eq!(decode_v1(&f.bob, &dm_alice_bob(), &genuine).unwrap().encoded_content, payload);

    // Alice's identity with Carol's pre-key (which Carol can use): the pre-key is not Alice's.
    let mut sender = f.alice.public_bundle().to_legacy_proto().unwrap();
    sender.pre_key = f.carol.public_bundle().to_legacy_proto().unwrap().pre_key;
    let header = pb::MessageHeaderV1 {
        sender: Some(sender),
        recipient: Some(f.bob.public_bundle().to_legacy_proto().unwrap()),
        timestamp: V1_SENT_MS,
    }
    .encode_to_vec();
    let forged = v1_bytes(pb::MessageV1 {
        ciphertext: Some(crypto::encrypt(&payload, &[0; 195], &header, &mut rng(22))),
        header_bytes: header,
    });
    let err = decode_v1(&f.bob, &dm_alice_bob(), &forged).unwrap_err();
    assert_eq!(err, MessageError::Key(KeyError::PreKeyNotSigned));
}

// ---------------------------------------------------------------------------------------------
