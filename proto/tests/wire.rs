//! Binary protobuf: messages produced by xmtp-js decode into the generated
//! types and re-encode to the same bytes.

use std::collections::BTreeMap;

use prost::Message;
use serde::Deserialize;
use xmtp_proto::message_api::v1::{AuthData, Envelope, Token};
use xmtp_proto::message_contents::{
    self as mc, ciphertext, contact_bundle, message, private_key, private_key_bundle, private_preferences_action,
    public_key, signature, Compression, ContactBundle, EncodedContent, PrivateKeyBundle, SignedPublicKeyBundle,
    UnsignedPublicKey,
};

const VECTORS_JSON: &str = include_str!("../../tests/vectors/proto-wire.json");

#[derive(Deserialize)]
struct Vectors {
    vectors: Vec<Vector>,
    extra: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    #[serde(rename = "type")]
    type_name: String,
    hex: String,
}

fn vectors() -> Vectors {
    serde_json::from_str(VECTORS_JSON).expect("vectors file is valid JSON")
}

fn wire(name: &str) -> Vec<u8> {
    let v = vectors();
    let found = v.vectors.iter().find(|x| x.name == name).unwrap_or_else(|| panic!("no vector named {name}"));
    hex::decode(&found.hex).expect("valid hex")
}

fn extra_str(name: &str) -> String {
    vectors().extra[name].as_str().unwrap_or_else(|| panic!("{name} is not a string")).to_owned()
}

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).expect("valid hex")
}

/// Decodes `bytes` as `T` and re-encodes it; returns an error text on mismatch.
fn roundtrip<T: Message + Default>(bytes: &[u8]) -> Result<(), String> {
    let decoded = T::decode(bytes).map_err(|e| format!("decode failed: {e}"))?;
    let again = decoded.encode_to_vec();
    if again == bytes {
        Ok(())
    } else {
        Err(format!("re-encoding differs:\n  in:  {}\n  out: {}", hex::encode(bytes), hex::encode(&again)))
    }
}

#[test]
fn every_vector_roundtrips_byte_identically() {
    let v = vectors();
    assert!(v.vectors.len() >= 25, "vector file looks truncated");
    let mut failures = Vec::new();
    for vector in &v.vectors {
        let bytes = hex::decode(&vector.hex).expect("valid hex");
        let result = match vector.type_name.as_str() {
            "PrivateKeyBundle" => roundtrip::<mc::PrivateKeyBundle>(&bytes),
            "PublicKeyBundle" => roundtrip::<mc::PublicKeyBundle>(&bytes),
            "SignedPublicKeyBundle" => roundtrip::<mc::SignedPublicKeyBundle>(&bytes),
            "ContactBundle" => roundtrip::<mc::ContactBundle>(&bytes),
            "UnsignedPublicKey" => roundtrip::<mc::UnsignedPublicKey>(&bytes),
            "EncodedContent" => roundtrip::<mc::EncodedContent>(&bytes),
            "MessageHeaderV1" => roundtrip::<mc::MessageHeaderV1>(&bytes),
            "MessageHeaderV2" => roundtrip::<mc::MessageHeaderV2>(&bytes),
            "Message" => roundtrip::<mc::Message>(&bytes),
            "InvitationV1" => roundtrip::<mc::InvitationV1>(&bytes),
            "SealedInvitationHeaderV1" => roundtrip::<mc::SealedInvitationHeaderV1>(&bytes),
            "SealedInvitation" => roundtrip::<mc::SealedInvitation>(&bytes),
            "SignedContent" => roundtrip::<mc::SignedContent>(&bytes),
            "AuthData" => roundtrip::<AuthData>(&bytes),
            "Token" => roundtrip::<Token>(&bytes),
            "EncryptedPrivateKeyBundle" => roundtrip::<mc::EncryptedPrivateKeyBundle>(&bytes),
            "PrivatePreferencesAction" => roundtrip::<mc::PrivatePreferencesAction>(&bytes),
            "PrivatePreferencesPayload" => roundtrip::<mc::PrivatePreferencesPayload>(&bytes),
            "ConsentProofPayload" => roundtrip::<mc::ConsentProofPayload>(&bytes),
            other => Err(format!("test does not know type {other}")),
        };
        if let Err(e) = result {
            failures.push(format!("{} ({}): {e}", vector.name, vector.type_name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn alice_private_key_bundle_v1_fields() {
    let bytes = wire("alice.privateKeyBundleV1Encoded_PrivateKeyBundle");
    let bundle = PrivateKeyBundle::decode(bytes.as_slice()).unwrap();
    let Some(private_key_bundle::Version::V1(v1)) = bundle.version else {
        panic!("expected a V1 bundle, got {:?}", bundle.version);
    };

    let identity = v1.identity_key.clone().expect("identity key");
    assert_eq!(identity.timestamp, 1_700_000_000_000, "legacy timestamps are ms");
    let Some(private_key::Union::Secp256k1(secret)) = &identity.union else {
        panic!("identity key is not secp256k1");
    };
    assert_eq!(secret.bytes, unhex(&extra_str("alice.identityPrivateKey")));

    let public = identity.public_key.expect("identity public key");
    assert_eq!(public.timestamp, 1_700_000_000_000);
    let Some(public_key::Union::Secp256k1Uncompressed(point)) = &public.union else {
        panic!("identity public key is not secp256k1");
    };
    assert_eq!(point.bytes, unhex(&extra_str("alice.identityPublicKey")));
    assert_eq!(point.bytes.len(), 65);
    assert_eq!(point.bytes[0], 0x04);

    // The identity key carries the wallet's signature, stored as ecdsa_compact.
    let sig = public.signature.expect("identity key is signed");
    let Some(signature::Union::EcdsaCompact(sig)) = sig.union else {
        panic!("expected ecdsa_compact, got {:?}", sig.union);
    };
    let expected = &vectors().extra["alice.identityEcdsaCompact"];
    assert_eq!(sig.bytes, unhex(expected["bytes"].as_str().unwrap()));
    assert_eq!(u64::from(sig.recovery), expected["recovery"].as_u64().unwrap());

    assert_eq!(v1.pre_keys.len(), 1);
    let pre = &v1.pre_keys[0];
    assert_eq!(pre.timestamp, 1_700_000_000_001);
    let Some(private_key::Union::Secp256k1(pre_secret)) = &pre.union else {
        panic!("pre-key is not secp256k1");
    };
    assert_eq!(pre_secret.bytes, unhex(&extra_str("alice.preKeyPrivateKey")));

    // Re-encoding is byte-identical.
    assert_eq!(PrivateKeyBundle { version: Some(private_key_bundle::Version::V1(v1)) }.encode_to_vec(), bytes);
}

#[test]
fn alice_contact_bundle_v2_fields() {
    let bytes = wire("alice.contactBundleV2");
    let contact = ContactBundle::decode(bytes.as_slice()).unwrap();
    let Some(contact_bundle::Version::V2(v2)) = &contact.version else {
        panic!("expected a V2 contact bundle");
    };
    let bundle = v2.key_bundle.as_ref().expect("key bundle");
    assert_eq!(bundle, &SignedPublicKeyBundle::decode(wire("alice.signedPublicKeyBundle").as_slice()).unwrap());

    // A converted legacy key: key_bytes is the legacy PublicKey without its
    // signature, which decodes as an UnsignedPublicKey whose created_ns holds
    // the legacy ms timestamp.
    let identity = bundle.identity_key.as_ref().unwrap();
    assert_eq!(identity.key_bytes, wire("alice.identityKeyBytesToSign"));
    let unsigned = UnsignedPublicKey::decode(identity.key_bytes.as_slice()).unwrap();
    assert_eq!(unsigned.created_ns, 1_700_000_000_000);
    let Some(mc::unsigned_public_key::Union::Secp256k1Uncompressed(point)) = unsigned.union else {
        panic!("not secp256k1");
    };
    assert_eq!(point.bytes, unhex(&extra_str("alice.identityPublicKey")));
    assert!(matches!(
        identity.signature.as_ref().and_then(|s| s.union.as_ref()),
        Some(signature::Union::WalletEcdsaCompact(_))
    ));

    let pre = bundle.pre_key.as_ref().unwrap();
    assert_eq!(pre.key_bytes, wire("alice.preKeyBytesToSign"));
    assert!(matches!(pre.signature.as_ref().and_then(|s| s.union.as_ref()), Some(signature::Union::EcdsaCompact(_))));

    // V1 contact bundle of the same keys.
    let v1 = ContactBundle::decode(wire("alice.contactBundleV1").as_slice()).unwrap();
    let Some(contact_bundle::Version::V1(v1)) = v1.version else {
        panic!("expected a V1 contact bundle");
    };
    assert_eq!(v1.key_bundle.unwrap().encode_to_vec(), wire("alice.publicKeyBundle"));
}

#[test]
fn auth_token_contents() {
    let bytes = wire("authToken.tokenBytes");
    let token = Token::decode(bytes.as_slice()).unwrap();
    let auth = AuthData::decode(token.auth_data_bytes.as_slice()).unwrap();
    assert_eq!(auth.wallet_addr, extra_str("alice.walletAddress"));
    assert!(auth.created_ns > 1_600_000_000_000_000_000, "created_ns is ns");
    assert!(matches!(token.auth_data_signature.and_then(|s| s.union), Some(signature::Union::EcdsaCompact(_))));
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    assert_eq!(b64, extra_str("authToken.tokenBase64"));
}

#[test]
fn message_v2_optional_fields_are_present() {
    let msg = mc::Message::decode(wire("v2Message.messageBytes").as_slice()).unwrap();
    let Some(message::Version::V2(v2)) = msg.version else {
        panic!("expected MessageV2");
    };
    assert_eq!(v2.sender_hmac.as_deref(), Some(unhex(&extra_str("v2Message.senderHmac")).as_slice()));
    let header = mc::MessageHeaderV2::decode(v2.header_bytes.as_slice()).unwrap();
    assert!(header.topic.starts_with("/xmtp/0/m-"));
    assert!(matches!(
        v2.ciphertext.and_then(|c| c.union),
        Some(ciphertext::Union::Aes256GcmHkdfSha256(ref a)) if a.hkdf_salt.len() == 32 && a.gcm_nonce.len() == 12
    ));
}

#[test]
fn private_preferences_action_allows_an_address() {
    let action = mc::PrivatePreferencesAction::decode(wire("privatePreferences.actionBytes").as_slice()).unwrap();
    let Some(private_preferences_action::MessageType::AllowAddress(allow)) = action.message_type else {
        panic!("expected allow_address");
    };
    assert_eq!(allow.wallet_addresses, vec!["0x70997970C51812dc3A010C7d01b50e0d17dc79C8".to_owned()]);
}

#[test]
fn explicit_presence_is_encoded_even_for_defaults() {
    // compression = DEFLATE (0) is present on the wire as 28 00; absent writes nothing.
    let with = EncodedContent { compression: Some(Compression::Deflate as i32), ..Default::default() };
    assert_eq!(with.encode_to_vec(), [0x28, 0x00]);
    assert_eq!(EncodedContent::default().encode_to_vec(), Vec::<u8>::new());
    assert_eq!(EncodedContent::decode([0x28, 0x00].as_slice()).unwrap().compression, Some(0));

    // should_push = false is written as 20 00.
    let v2 = mc::MessageV2 { should_push: Some(false), ..Default::default() };
    assert_eq!(v2.encode_to_vec(), [0x20, 0x00]);

    // A legacy PublicKey's signature is optional.
    let key = mc::PublicKey { timestamp: 1, signature: None, union: None };
    assert_eq!(key.encode_to_vec(), [0x08, 0x01]);
}

#[test]
fn recovery_zero_is_omitted() {
    let sig = mc::Signature {
        union: Some(signature::Union::EcdsaCompact(signature::EcdsaCompact { bytes: vec![7; 64], recovery: 0 })),
    };
    let bytes = sig.encode_to_vec();
    // 0a 42 (field 1, len 66) 0a 40 (bytes, len 64) <64 bytes>, no recovery field.
    assert_eq!(bytes.len(), 2 + 2 + 64);
    assert_eq!(&bytes[..4], &[0x0a, 0x42, 0x0a, 0x40]);
}

#[test]
fn maps_are_ordered() {
    let mut content = EncodedContent::default();
    content.parameters.insert("z".into(), "1".into());
    content.parameters.insert("a".into(), "2".into());
    let _: &BTreeMap<String, String> = &content.parameters;
    let bytes = content.encode_to_vec();
    // Entries come out sorted by key: "a" first.
    assert_eq!(hex::encode(bytes), "1206 0a0161 120132 1206 0a017a 120131".replace(' ', ""));
}

#[test]
fn unknown_fields_are_skipped() {
    let env = Envelope { content_topic: "/xmtp/0/t/proto".into(), timestamp_ns: 5, message: vec![1, 2, 3] };
    let mut bytes = env.encode_to_vec();
    // field 15, varint 1; field 16, length-delimited "hi".
    bytes.extend_from_slice(&[0x78, 0x01, 0x82, 0x01, 0x02, b'h', b'i']);
    assert_eq!(Envelope::decode(bytes.as_slice()).unwrap(), env);
}

#[test]
fn reserved_slots_decode_as_unknown() {
    // PrivateKeyBundle reserves field 3 and SealedInvitation field 2: data
    // there is skipped, not an error.
    let bundle = PrivateKeyBundle::decode([0x1a, 0x00].as_slice()).unwrap();
    assert_eq!(bundle.version, None);
    let sealed = mc::SealedInvitation::decode([0x12, 0x00].as_slice()).unwrap();
    assert_eq!(sealed.version, None);
}
