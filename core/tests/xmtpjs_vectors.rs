//! Known-answer tests: every vector of `tests/vectors/xmtpjs-13.0.4-vectors.json`, produced
//! against `@xmtp/xmtp-js@13.0.4`. Each construction must reproduce the bytes exactly.

mod common;

use common::{hx, num, st, vectors, ScriptedRng};
use prost::Message as _;
use serde_json::Value;
use xmtp_core::consent::{self, ConsentAction};
use xmtp_core::content::{Content, Registry, TextCodec};
use xmtp_core::crypto::{self, Address, PrivateKey};
use xmtp_core::keys::{IdentityCreation, KeyStorageOpen, KeyStorageSeal, PeerBundle, PrivateKeyBundle};
use xmtp_core::{auth, contact, invitation, message, push, topic};

fn v() -> Value {
    vectors("xmtpjs-13.0.4-vectors.json")
}

fn wallet_sign(wallet: &PrivateKey, text: &str) -> [u8; 65] {
    wallet.sign_prehash(&crypto::eip191_digest(text)).to_wallet_bytes()
}

fn identity(p: &Value) -> PrivateKeyBundle {
    PrivateKeyBundle::from_bytes(&hx(&p["privateKeyBundleV1Encoded_PrivateKeyBundle"])).expect("vector bundle")
}

fn peer(p: &Value) -> PeerBundle {
    identity(p).public_bundle()
}

#[test]
fn identity_creation_reproduces_bundles_contacts_and_wallet_signatures() {
    let v = v();
    for name in ["alice", "bob"] {
        let p = &v[name];
        let wallet = PrivateKey::from_bytes(&hx(&p["walletPrivateKey"])).unwrap();
        assert_eq!(wallet.public_key().address().as_str(), st(&p["walletAddress"]));
        let creation = IdentityCreation::from_parts(
            PrivateKey::from_bytes(&hx(&p["identityPrivateKey"])).unwrap(),
            num(&p["identityTimestampMs"]),
            PrivateKey::from_bytes(&hx(&p["preKeyPrivateKey"])).unwrap(),
            num(&p["preKeyTimestampMs"]),
        );
        let request = creation.signature_request();
        assert_eq!(request.text, st(&p["identitySignatureText"]), "{name} text");
        assert_eq!(request.digest().to_vec(), hx(&p["identityTextEip191Digest"]), "{name} digest");
        let sig = wallet_sign(&wallet, &request.text);
        assert_eq!(sig.to_vec(), hx(&p["walletSignature"]), "{name} wallet signature");
        let expected_addr = Address::parse(st(&p["walletAddress"])).unwrap();
        let bundle = creation.complete(&sig, Some(&expected_addr)).expect("identity completes");
        assert_eq!(bundle.address(), &expected_addr);
        assert_eq!(*bundle.to_v1_bytes().unwrap(), hx(&p["privateKeyBundleV1Encoded_PrivateKeyBundle"]), "{name} v1");
        let public = bundle.public_bundle();
        assert_eq!(public.to_legacy_proto().unwrap().encode_to_vec(), hx(&p["publicKeyBundle"]));
        assert_eq!(public.to_signed_proto().encode_to_vec(), hx(&p["signedPublicKeyBundle"]));
        assert_eq!(public.identity().key_bytes(), hx(&p["identityKeyBytesToSign"]).as_slice());
        assert_eq!(public.pre_key().key_bytes(), hx(&p["preKeyBytesToSign"]).as_slice());
        assert_eq!(public.pre_key().signature().bytes.to_vec(), hx(&p["preKeySignature"]["bytes"]));
        assert_eq!(u64::from(public.pre_key().signature().recovery), num(&p["preKeySignature"]["recovery"]));
        assert_eq!(contact::encode_v1(&bundle).unwrap(), hx(&p["contactBundleV1"]));
        assert_eq!(contact::encode_v2(&bundle), hx(&p["contactBundleV2"]));
        for (bytes, version) in [
            (hx(&p["contactBundleV1"]), contact::ContactVersion::V1),
            (hx(&p["contactBundleV2"]), contact::ContactVersion::V2),
        ] {
            let c = contact::decode_contact(&bytes).unwrap();
            assert_eq!(c.address(), &expected_addr);
            assert_eq!(c.version, version);
            assert!(c.bundle.same_keys(&public));
        }
        // v2 export → import → v1 export is lossless.
        let again = PrivateKeyBundle::from_bytes(&bundle.to_v2_bytes()).unwrap();
        assert_eq!(again.to_v1_bytes().unwrap(), bundle.to_v1_bytes().unwrap());
        // The wrong wallet is refused.
        let creation = IdentityCreation::from_parts(
            PrivateKey::from_bytes(&hx(&p["identityPrivateKey"])).unwrap(),
            num(&p["identityTimestampMs"]),
            PrivateKey::from_bytes(&hx(&p["preKeyPrivateKey"])).unwrap(),
            num(&p["preKeyTimestampMs"]),
        );
        let other = Address::parse("0x0000000000000000000000000000000000000001").unwrap();
        assert!(creation.complete(&sig, Some(&other)).is_err());
    }
}

#[test]
fn triple_dh_and_topics() {
    let v = v();
    let (alice, bob) = (identity(&v["alice"]), identity(&v["bob"]));
    let expected = hx(&v["tripleDH"]["aliceSenderToBob"]);
    let a = alice.shared_secret(&bob.public_bundle(), alice.current_pre_key(), false);
    let b = bob.shared_secret(&alice.public_bundle(), bob.current_pre_key(), true);
    assert_eq!(a.expose(), expected.as_slice());
    assert_eq!(b.expose(), expected.as_slice());
    let t = &v["topics"];
    assert_eq!(topic::contact(alice.address()), st(&t["contactAlice"]));
    assert_eq!(topic::intro(alice.address()), st(&t["introAlice"]));
    assert_eq!(topic::invite(alice.address()), st(&t["inviteAlice"]));
    assert_eq!(topic::private_store(alice.address()), st(&t["privateStoreAlice"]));
    assert_eq!(topic::direct_message(alice.address(), bob.address()), st(&t["dmAliceBob"]));
    assert_eq!(topic::direct_message(bob.address(), alice.address()), st(&t["dmAliceBob"]));
}

#[test]
fn text_content_encoding() {
    let v = v();
    let reg = Registry::new();
    for (text, key) in [("hello bob", "v1Message"), ("hello v2", "v2Message")] {
        let payload = reg.encode(&TextCodec::id(), &Content::Text(text.into()), None).unwrap();
        assert_eq!(payload.bytes, hx(&v[key]["encodedContent"]));
        assert!(payload.should_push);
        assert_eq!(reg.decode(&payload.bytes).content, Some(Content::Text(text.into())));
    }
}

#[test]
fn v1_message_both_directions() {
    let v = v();
    let m = &v["v1Message"];
    let (alice, bob) = (identity(&v["alice"]), identity(&v["bob"]));
    let mut rng = ScriptedRng::new(&[&hx(&m["salt"]), &hx(&m["nonce"])]);
    let out = message::encode_v1(
        &alice,
        &bob.public_bundle(),
        &hx(&m["encodedContent"]),
        num(&m["envelopeTimestampNs"]) / 1_000_000,
        true,
        false,
        &mut rng,
    )
    .unwrap();
    assert_eq!(out.bytes, hx(&m["messageBytes"]));
    assert_eq!(out.id, st(&m["messageId"]));
    assert_eq!(out.timestamp_ns, num(&m["envelopeTimestampNs"]));
    assert_eq!(out.topics.last().unwrap(), st(&m["topic"]));
    assert_eq!(out.topics[..2], [topic::intro(bob.address()), topic::intro(alice.address())]);
    for reader in [&bob, &alice] {
        let mut cache = message::SenderCache::default();
        let d = message::decode_v1(reader, st(&m["topic"]), &out.bytes, &mut cache).unwrap();
        assert_eq!(d.encoded_content, hx(&m["encodedContent"]));
        assert_eq!(d.sender_address.as_str(), st(&m["libDecoded"]["sender"]));
        assert_eq!(d.recipient_address.as_ref().unwrap().as_str(), st(&m["libDecoded"]["recipient"]));
        assert_eq!(d.sent_ns, num(&m["libDecoded"]["sentMs"]) * 1_000_000);
        assert_eq!(d.id, st(&m["libDecoded"]["id"]));
        // Also readable from the intro topic.
        message::decode_v1(reader, &topic::intro(bob.address()), &out.bytes, &mut cache).unwrap();
    }
}

#[test]
fn v2_invitation_is_deterministic_and_seals_byte_identically() {
    let v = v();
    let (alice, bob) = (identity(&v["alice"]), identity(&v["bob"]));
    let i = &v["v2Invite"];
    for (me, other) in [(&alice, &bob), (&bob, &alice)] {
        let (t, k) = invitation::derive_topic_and_key(me, &other.public_bundle(), None);
        assert_eq!(t, st(&i["topicNoContext"]));
        assert_eq!(k.expose(), hx(&i["keyMaterial"]).as_slice());
        let (t, k) = invitation::derive_topic_and_key(me, &other.public_bundle(), Some("test"));
        assert_eq!(t, st(&i["topicContextTest"]));
        assert_eq!(k.expose(), hx(&i["keyMaterial"]).as_slice());
    }
    let s = &v["sealedInvitation"];
    let ts = num(&s["envelopeTimestampNs"]);
    let mut rng = ScriptedRng::new(&[&hx(&s["salt"]), &hx(&s["nonce"])]);
    let sealed = invitation::create(&alice, &bob.public_bundle(), None, None, ts, &mut rng).unwrap();
    assert_eq!(sealed.payload, hx(&s["sealedInvitationBytes"]));
    assert_eq!(sealed.topics, [topic::invite(bob.address()), topic::invite(alice.address())]);
    for (reader, key) in [(&bob, "libBobDecoded"), (&alice, "libAliceDecoded")] {
        let conv = invitation::open(reader, ts, &sealed.payload).unwrap();
        assert_eq!(conv.topic, st(&s[key]["topic"]));
        assert_eq!(conv.peer_address.as_str(), st(&s[key]["peer"]));
        assert_eq!(conv.key_material.expose(), hx(&i["keyMaterial"]).as_slice());
        assert_eq!(conv.created_ns, ts);
        assert_eq!(conv.we_invited, std::ptr::eq(reader, &alice));
    }
    assert_eq!(
        invitation::open(&bob, ts + 1, &sealed.payload).unwrap_err(),
        invitation::InvitationError::TimestampMismatch
    );
}

#[test]
fn v2_message_encode_and_decode() {
    let v = v();
    let m = &v["v2Message"];
    let (alice, bob) = (identity(&v["alice"]), identity(&v["bob"]));
    let (conv_topic, key) = invitation::derive_topic_and_key(&alice, &bob.public_bundle(), None);
    let created_ns = 1_700_000_300_000_000_000;
    let payload = xmtp_core::content::EncodedPayload { bytes: hx(&m["encodedContent"]), should_push: true };
    let mut rng = ScriptedRng::new(&[&hx(&m["salt"]), &hx(&m["nonce"])]);
    let out = message::encode_v2(&alice, &conv_topic, key.expose(), &payload, created_ns, false, &mut rng);
    assert_eq!(out.bytes, hx(&m["messageBytes"]));
    assert_eq!(out.id, st(&m["messageId"]));
    assert_eq!(out.topics, vec![conv_topic.clone()]);
    assert_eq!(push::period_of_ns(created_ns), num(&m["thirtyDayPeriod"]));
    let hk = push::hmac_key(key.expose(), alice.address(), num(&m["thirtyDayPeriod"]));
    assert_eq!(hk.to_vec(), hx(&m["hmacKey"]));
    let mut cache = message::SenderCache::default();
    let d = message::decode_v2(&conv_topic, key.expose(), &out.bytes, &mut cache).unwrap();
    assert_eq!(d.sender_address.as_str(), st(&m["libDecoded"]["sender"]));
    assert_eq!(d.id, st(&m["libDecoded"]["id"]));
    assert_eq!(d.sent_ns, created_ns);
    assert_eq!(d.encoded_content, hx(&m["encodedContent"]));
    assert_eq!(d.sender_hmac.as_deref(), Some(hx(&m["senderHmac"]).as_slice()));
    assert_eq!(d.should_push, Some(true));
    assert_eq!(cache.len(), 1);
}

#[test]
fn auth_token() {
    let v = v();
    let a = &v["authToken"];
    let alice = identity(&v["alice"]);
    let created = 1_700_000_400_000_000_000;
    let token = auth::AuthToken::create(&alice, created + 123).unwrap();
    assert_eq!(token.as_bytes(), hx(&a["tokenBytes"]).as_slice());
    assert_eq!(token.to_base64(), st(&a["tokenBase64"]));
    assert_eq!(auth::verify_token(&token.header_value(), created).unwrap(), *alice.address());
    assert_eq!(
        auth::verify_token(&token.to_base64(), created + auth::TOKEN_VALIDITY_NS + 1),
        Err(auth::AuthError::Expired)
    );
}

#[test]
fn encrypted_private_key_bundle_store_and_load() {
    let v = v();
    let e = &v["encryptedPrivateKeyBundle"];
    let alice = identity(&v["alice"]);
    let wallet = PrivateKey::from_bytes(&hx(&v["alice"]["walletPrivateKey"])).unwrap();
    let seal = KeyStorageSeal::new(&alice, &mut ScriptedRng::new(&[&hx(&e["walletPreKey"])])).unwrap();
    let request = seal.signature_request();
    assert_eq!(request.text, st(&e["signatureText"]));
    assert_eq!(request.digest().to_vec(), hx(&e["signatureTextEip191Digest"]));
    let sig = wallet_sign(&wallet, &request.text);
    assert_eq!(sig.to_vec(), hx(&e["walletSignature"]));
    let stored = seal.complete(&sig, &mut ScriptedRng::new(&[&hx(&e["salt"]), &hx(&e["nonce"])])).unwrap();
    assert_eq!(stored, hx(&e["encryptedBundleBytes"]));

    let open = KeyStorageOpen::new(&stored).unwrap();
    assert_eq!(open.signature_request().text, st(&e["signatureText"]));
    let loaded = open.complete(&sig).unwrap();
    assert_eq!(loaded.to_v1_bytes().unwrap(), alice.to_v1_bytes().unwrap());
    // A wallet that reports v as 0/1 instead of 27/28 still unlocks it.
    let mut low_v = sig;
    low_v[64] -= 27;
    KeyStorageOpen::new(&stored).unwrap().complete(&low_v).unwrap();
    // A different signature does not.
    let mut wrong = sig;
    wrong[5] ^= 1;
    assert!(KeyStorageOpen::new(&stored).unwrap().complete(&wrong).is_err());
}

#[test]
fn private_preferences_topic_and_payload() {
    let v = v();
    let p = &v["privatePreferences"];
    let alice = identity(&v["alice"]);
    let key = alice.identity().secret();
    assert_eq!(consent::topic_identifier(key), st(&p["topicIdentifier"]));
    assert_eq!(consent::preferences_topic(key), st(&p["topic"]));
    let bob = st(&v["bob"]["walletAddress"]).to_string();
    let action = ConsentAction { allow_addresses: vec![bob.clone()], ..Default::default() };
    assert_eq!(action.encode(), hx(&p["actionBytes"]));
    let mut rng = ScriptedRng::new(&[&hx(&p["salt"]), &hx(&p["nonce"])]);
    let payload = consent::encrypt_action(key, &action.encode(), &mut rng);
    assert_eq!(payload, hx(&p["payloadBytes"]));
    let plain = consent::decrypt_action(key, &payload).unwrap();
    assert_eq!(ConsentAction::decode(&plain).unwrap(), action);
}

#[test]
fn consent_proof() {
    let v = v();
    let c = &v["consentProof"];
    let (alice, bob) = (identity(&v["alice"]), identity(&v["bob"]));
    let ts = 1_700_000_500_000;
    let request = consent::consent_proof_request(alice.address().as_str(), ts);
    assert_eq!(request.text, st(&c["text"]));
    assert_eq!(request.digest().to_vec(), hx(&c["eip191Digest"]));
    let bob_wallet = PrivateKey::from_bytes(&hx(&v["bob"]["walletPrivateKey"])).unwrap();
    let sig = wallet_sign(&bob_wallet, &request.text);
    assert_eq!(sig.to_vec(), hx(&c["signature"]));
    let proof = consent::consent_proof_payload(&sig, ts);
    assert_eq!(proof.encode_to_vec(), hx(&c["payload"]));
    let now = ts + 1000;
    consent::validate_consent_proof(&proof, bob.address(), alice.address().as_str(), now).unwrap();
    assert!(consent::validate_consent_proof(&proof, alice.address(), bob.address().as_str(), now).is_err());
    let late = ts + consent::CONSENT_PROOF_MAX_AGE_MS + 1;
    assert!(consent::validate_consent_proof(&proof, bob.address(), alice.address().as_str(), late).is_err());
}

#[test]
fn remote_attachment_encryption() {
    let v = v();
    let r = &v["remoteAttachment"];
    let salt: [u8; 32] = hx(&r["salt"]).try_into().unwrap();
    let nonce: [u8; 12] = hx(&r["nonce"]).try_into().unwrap();
    let ct = crypto::encrypt_with(&hx(&r["encodedAttachment"]), &hx(&r["secret"]), &[], salt, nonce);
    let Some(xmtp_core::proto::message_contents::ciphertext::Union::Aes256GcmHkdfSha256(inner)) = &ct.union else {
        panic!("ciphertext arm");
    };
    assert_eq!(inner.payload, hx(&r["encryptedPayload"]));
    assert_eq!(crypto::sha256(&inner.payload).to_vec(), hx(&r["contentDigest"]));
    assert_eq!(crypto::decrypt(&ct, &hx(&r["secret"]), &[]).unwrap().to_vec(), hx(&r["encodedAttachment"]));
}

/// The same vector through the content API: `encrypt_attachment` draws the secret, salt and
/// nonce in that order and produces the payload and digest xmtp-js produced; `decrypt_attachment`
/// reads it back.
#[test]
fn remote_attachment_content_api() {
    use xmtp_core::content::{decrypt_attachment, encrypt_attachment, Attachment, RemoteAttachmentCodec};
    let v = v();
    let r = &v["remoteAttachment"];
    let inner =
        xmtp_core::proto::message_contents::EncodedContent::decode(hx(&r["encodedAttachment"]).as_slice()).unwrap();
    let Some(Content::Attachment(file)) = Registry::new().decode_proto(inner).content else { panic!("attachment") };
    assert_eq!(
        file,
        Attachment { filename: "a.txt".into(), mime_type: "text/plain".into(), data: b"attachment data".to_vec() }
    );
    let mut rng = ScriptedRng::new(&[&hx(&r["secret"]), &hx(&r["salt"]), &hx(&r["nonce"])]);
    let (metadata, payload) = encrypt_attachment(&file, &mut rng);
    assert_eq!(rng.remaining(), 0);
    assert_eq!(payload, hx(&r["encryptedPayload"]));
    assert_eq!(metadata.content_digest, st(&r["contentDigest"]));
    assert_eq!((metadata.scheme.as_str(), metadata.content_length), ("https://", Some(payload.len() as i64)));
    let remote = metadata.with_url(format!("https://example.invalid/{}", st(&r["contentDigest"]))).unwrap();
    let registry = Registry::new();
    assert_eq!(decrypt_attachment(&remote, &payload, &registry), Ok(Content::Attachment(file.clone())));
    // And through the message: encode, decode, then load.
    let message = registry.encode(&RemoteAttachmentCodec::id(), &Content::RemoteAttachment(remote), None).unwrap();
    let Some(Content::RemoteAttachment(read)) = registry.decode(&message.bytes).content else { panic!("remote") };
    assert_eq!(decrypt_attachment(&read, &payload, &registry), Ok(Content::Attachment(file)));
}

#[test]
fn peer_bundles_from_vectors_verify() {
    let v = v();
    for name in ["alice", "bob"] {
        let p = &v[name];
        let legacy =
            xmtp_core::proto::message_contents::PublicKeyBundle::decode(hx(&p["publicKeyBundle"]).as_slice()).unwrap();
        let signed = xmtp_core::proto::message_contents::SignedPublicKeyBundle::decode(
            hx(&p["signedPublicKeyBundle"]).as_slice(),
        )
        .unwrap();
        let a = PeerBundle::from_legacy(&legacy).unwrap();
        let b = PeerBundle::from_signed(&signed).unwrap();
        assert_eq!(a.address().as_str(), st(&p["walletAddress"]));
        assert!(a.same_signed(&b) || a.same_keys(&b));
        assert_eq!(a.to_signed_proto(), signed);
        assert_eq!(b.to_legacy_proto().unwrap(), legacy);
        assert_eq!(peer(p).to_signed_proto(), signed);
    }
}

#[test]
fn debug_output_never_shows_private_keys() {
    let v = v();
    let alice = identity(&v["alice"]);
    let secret = hex::encode(alice.identity().secret().to_bytes().as_ref());
    let seal = KeyStorageSeal::new(&alice, &mut ScriptedRng::new(&[&[7u8; 32]])).unwrap();
    for shown in [format!("{alice:?}"), format!("{seal:?}"), format!("{:?}", alice.identity())] {
        assert!(!shown.contains(&secret), "{shown}");
        assert!(!shown.to_lowercase().contains(&secret[..16]), "{shown}");
    }
    // Also not as a decimal byte list (how a derived Debug of a byte vector would show it).
    let bytes = alice.identity().secret().to_bytes();
    let list = format!("{:?}", &bytes[..8]);
    let inner = list.trim_matches(|c| c == '[' || c == ']');
    assert!(!format!("{seal:?}").contains(inner), "{seal:?}");
}
