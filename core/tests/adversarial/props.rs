//! Property tests: no decoder panics on arbitrary bytes or single-byte mutations.

use crate::fixture::*;

// Property tests
// ---------------------------------------------------------------------------------------------

/// Where `part` occurs in `whole` (exactly once).
fn range_of(whole: &[u8], part: &[u8]) -> std::ops::Range<usize> {
    let starts: Vec<usize> =
        whole.windows(part.len()).enumerate().filter(|(_, w)| *w == part).map(|(i, _)| i).collect();
    assert_eq!(starts.len(), 1, "part must occur exactly once");
    starts[0]..starts[0] + part.len()
}

/// The byte ranges of a V2 message covered by authentication: the header (associated data) and
/// the salt, nonce and payload of the ciphertext.
static V2_AUTHENTICATED: LazyLock<Vec<std::ops::Range<usize>>> = LazyLock::new(|| {
    let bytes = &fx().v2;
    let mut v2 = v2_parts(bytes);
    let header = v2.header_bytes.clone();
    let ct = aes_parts(&mut v2.ciphertext);
    vec![
        range_of(bytes, &header),
        range_of(bytes, &ct.hkdf_salt),
        range_of(bytes, &ct.gcm_nonce),
        range_of(bytes, &ct.payload),
    ]
});

static V2_DECODED: LazyLock<DecodedMessage> = LazyLock::new(|| bob_reads_v2(&fx().v2).unwrap());

static BOB_SEAL_SECRET: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let f = fx();
    f.alice.shared_secret(&f.bob.public_bundle(), f.alice.current_pre_key(), false).expose().to_vec()
});

fn content_type_name() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "text",
            "reaction",
            "reply",
            "readReceipt",
            "attachment",
            "remoteStaticAttachment",
            "transactionReference",
            "composite",
        ])
        .prop_map(String::from),
        "[a-zA-Z]{0,8}",
    ]
}

fn parameter_name() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "encoding",
            "action",
            "reference",
            "referenceInboxId",
            "schema",
            "filename",
            "mimeType",
            "contentDigest",
            "contentLength",
            "secret",
            "salt",
            "nonce",
            "scheme",
        ])
        .prop_map(String::from),
        "[a-zA-Z]{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic_key_and_contact_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = PrivateKeyBundle::from_bytes(&bytes);
        let _ = xmtp_core::contact::decode_contact(&bytes);
        if let Ok(open) = KeyStorageOpen::new(&bytes) {
            let _ = open.signature_request();
            let _ = open.complete(&bytes);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_message_decoders(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let f = fx();
        prop_assert!(invitation::open(&f.bob, INVITE_NS, &bytes).is_err());
        prop_assert!(decode_v1(&f.bob, &dm_alice_bob(), &bytes).is_err());
        prop_assert!(bob_reads_v2(&bytes).is_err());
        let _ = Registry::new().decode(&bytes);
        prop_assert!(consent::decrypt_action(f.alice.identity().secret(), &bytes).is_err());
        let _ = consent::ConsentAction::decode(&bytes);
    }

    #[test]
    fn arbitrary_tokens_never_panic(text in ".{0,200}", bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        prop_assert!(auth::verify_token(&text, TOKEN_NS).is_err());
        prop_assert!(auth::verify_token(&STANDARD.encode(&bytes), TOKEN_NS).is_err());
        let header = ["Bearer ", &STANDARD.encode(&bytes)].concat();
        prop_assert!(auth::verify_token(&header, TOKEN_NS).is_err());
    }

    /// Arbitrary plaintext under valid encryption reaches the inner decoders: `SignedContent`,
    /// `InvitationV1`, the consent action and the stored key bundle.
    #[test]
    fn arbitrary_plaintext_behind_valid_encryption_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let f = fx();
        let mut v2 = v2_parts(&f.v2);
        v2.ciphertext = Some(crypto::encrypt(&bytes, &f.key, &v2.header_bytes, &mut rng(60)));
        prop_assert!(bob_reads_v2(&v2_bytes(v2)).is_err());

        let mut sealed = sealed_parts(&f.sealed);
        sealed.ciphertext = Some(crypto::encrypt(&bytes, &BOB_SEAL_SECRET, &sealed.header_bytes, &mut rng(61)));
        let _ = invitation::open(&f.bob, INVITE_NS, &sealed_bytes(sealed));

        let identity = f.alice.identity().secret();
        let aad = identity.public_key().to_uncompressed();
        let secret = crypto::hkdf_sha256(&identity.to_bytes()[..], b"XMTP_PRIVATE_PREFERENCES_ENCRYPTION", &[]);
        let ct = crypto::encrypt(&bytes, &secret[..], &aad, &mut rng(62));
        let payload = pb::PrivatePreferencesPayload { version: Some(pb::private_preferences_payload::Version::V1(ct)) };
        let plain = consent::decrypt_action(identity, &payload.encode_to_vec()).unwrap();
        prop_assert_eq!(plain.as_slice(), bytes.as_slice());
        let _ = consent::ConsentAction::decode(&plain);

        let stored = pb::EncryptedPrivateKeyBundle {
            version: Some(pb::encrypted_private_key_bundle::Version::V1(pb::EncryptedPrivateKeyBundleV1 {
                wallet_pre_key: vec![1; 32],
                ciphertext: Some(crypto::encrypt(&bytes, &[7; 65], &[], &mut rng(63))),
            })),
        };
        prop_assert!(KeyStorageOpen::new(&stored.encode_to_vec()).unwrap().complete(&[7; 65]).is_err());
    }

    /// Content of a standard (or arbitrary) type with arbitrary parameters, compression value and
    /// body decodes to a result (never a panic); the body may itself be an `EncodedContent` (as
    /// replies and composites nest them). Text content round-trips whatever the string.
    #[test]
    fn arbitrary_encoded_content_never_panics(
        body in proptest::collection::vec(any::<u8>(), 0..256),
        nest in any::<bool>(),
        compression in proptest::option::of(-2i32..4),
        type_id in content_type_name(),
        major in 0u32..3,
        parameters in proptest::collection::btree_map(parameter_name(), ".{0,12}", 0..6),
        text in ".{0,64}",
    ) {
        let content_type = |type_id: String| {
            Some(pb::ContentTypeId { authority_id: "xmtp.org".into(), type_id, version_major: major, version_minor: 0 })
        };
        let body = if nest {
            pb::EncodedContent { r#type: content_type(type_id.clone()), parameters: parameters.clone(), fallback: None, compression, content: body }
                .encode_to_vec()
        } else {
            body
        };
        let encoded = pb::EncodedContent { r#type: content_type(type_id), parameters, fallback: None, compression, content: body };
        let _ = Registry::new().decode(&encoded.encode_to_vec());
        let payload = text_payload(&text);
        prop_assert_eq!(Registry::new().decode(&payload.bytes).content, Some(Content::Text(text)));
    }

    /// Strings and small byte strings into the remaining parsers: topics, addresses, content type
    /// ids, wallet signatures, public keys and consent proofs.
    #[test]
    fn arbitrary_strings_and_signatures_never_panic(
        text in ".{0,80}",
        sig in proptest::collection::vec(any::<u8>(), 0..70),
        point in proptest::collection::vec(any::<u8>(), 64..=64),
        timestamp in any::<u64>(),
    ) {
        let _ = (topic::is_valid(&text), topic::kind(&text), topic::owner(&text), topic::name(&text));
        prop_assert_eq!(topic::non_ephemeral(&topic::ephemeral(&text)), topic::non_ephemeral(&text));
        let _ = xmtp_core::crypto::Address::parse(&text);
        let _ = xmtp_core::content::ContentTypeId::parse(&text);
        if let Ok(s) = crypto::RecoverableSignature::from_wallet_bytes(&sig) {
            let _ = s.recover(&crypto::sha256(&sig));
        }
        let _ = keys::recover_wallet(&text, &sig);
        let mut uncompressed = vec![0x04];
        uncompressed.extend_from_slice(&point);
        if let Ok(key) = crypto::PublicKey::from_uncompressed(&uncompressed) {
            prop_assert!(key.verify_prehash(&crypto::sha256(&point), &point).is_err());
        }
        let proof = pb::ConsentProofPayload { signature: text.clone(), timestamp, payload_version: 1 };
        prop_assert!(consent::validate_consent_proof(&proof, fx().alice.address(), &text, TOKEN_NS / 1_000_000).is_err());
        let _ = consent::imf_fixdate(timestamp);
    }

    /// One byte of an encoded private key bundle or contact bundle changed: an error, or the same
    /// keys. The owner stays the same too, unless the byte is in the identity public key (its
    /// signed bytes or its wallet signature): the owner is by definition whichever wallet that
    /// signature recovers to over those bytes.
    #[test]
    fn key_and_contact_bundle_single_byte_mutation(index in any::<proptest::sample::Index>(), flip in 1u8..=255) {
        let alice = &fx().alice;
        let identity = alice.identity().public();
        let mut bytes = alice.to_v1_bytes().unwrap();
        let wallet_signed = range_of(&bytes, &identity.to_legacy_proto().unwrap().encode_to_vec());
        let i = index.index(bytes.len());
        bytes[i] ^= flip;
        if let Ok(b) = PrivateKeyBundle::from_bytes(&bytes) {
            prop_assert!(b.address() == alice.address() || wallet_signed.contains(&i), "owner changed by byte {}", i);
            prop_assert!(b.public_bundle().same_keys(&alice.public_bundle()));
            prop_assert_eq!(b.identity().secret(), alice.identity().secret());
            prop_assert_eq!(b.current_pre_key().secret(), alice.current_pre_key().secret());
        }
        let mut bytes = xmtp_core::contact::encode_v2(alice);
        let wallet_signed = range_of(&bytes, &identity.to_signed_proto(true).encode_to_vec());
        let i = index.index(bytes.len());
        bytes[i] ^= flip;
        if let Ok(c) = xmtp_core::contact::decode_contact(&bytes) {
            prop_assert!(c.address() == alice.address() || wallet_signed.contains(&i), "owner changed by byte {}", i);
            prop_assert!(c.bundle.same_keys(&alice.public_bundle()));
        }
    }

    /// One byte of a valid V2 message changed: an error, or (only outside the authenticated
    /// bytes, e.g. in `sender_hmac` or `should_push`, which the protocol leaves unauthenticated)
    /// the same sender, time, topic and content.
    #[test]
    fn v2_single_byte_mutation(index in any::<proptest::sample::Index>(), flip in 1u8..=255) {
        let mut bytes = fx().v2.clone();
        let i = index.index(bytes.len());
        bytes[i] ^= flip;
        let authenticated = V2_AUTHENTICATED.iter().any(|r| r.contains(&i));
        match bob_reads_v2(&bytes) {
            Err(_) => {}
            Ok(m) => {
                prop_assert!(!authenticated, "mutation at authenticated byte {} accepted", i);
                let d = &*V2_DECODED;
                prop_assert_eq!(&m.sender_address, &d.sender_address);
                prop_assert_eq!(m.sent_ns, d.sent_ns);
                prop_assert_eq!(&m.conversation_topic, &d.conversation_topic);
                prop_assert_eq!(&m.encoded_content, &d.encoded_content);
                prop_assert_eq!(m.version, d.version);
                prop_assert_eq!(m.id, message::message_id(&bytes));
            }
        }
    }

    /// One byte of a sealed invitation changed: an error, or the very same conversation.
    #[test]
    fn sealed_invitation_single_byte_mutation(index in any::<proptest::sample::Index>(), flip in 1u8..=255) {
        let f = fx();
        let mut bytes = f.sealed.clone();
        let i = index.index(bytes.len());
        bytes[i] ^= flip;
        if let Ok(conv) = invitation::open(&f.bob, INVITE_NS, &bytes) {
            prop_assert_eq!(conv, invitation::open(&f.bob, INVITE_NS, &f.sealed).unwrap());
        }
    }
}

/// Every byte of the V2 message, each flipped in all bits: the deterministic counterpart of the
/// property above, over the whole message.
#[test]
fn v2_every_byte_flipped() {
    let f = fx();
    let mut accepted = Vec::new();
    for i in 0..f.v2.len() {
        let mut bytes = f.v2.clone();
        bytes[i] ^= 0xff;
        if let Ok(m) = bob_reads_v2(&bytes) {
            assert!(!V2_AUTHENTICATED.iter().any(|r| r.contains(&i)), "authenticated byte {i} accepted");
            assert_eq!(m.encoded_content, V2_DECODED.encoded_content);
            assert_eq!(m.sender_address, V2_DECODED.sender_address);
            accepted.push(i);
        }
    }
    // Only bytes of the unauthenticated `sender_hmac` (32 bytes) may change without an error.
    let v2 = v2_parts(&f.v2);
    let hmac = range_of(&f.v2, v2.sender_hmac.as_deref().unwrap());
    assert!(accepted.iter().all(|i| hmac.contains(i)), "accepted mutations outside sender_hmac: {accepted:?}");
}

/// Content nested far deeper than allowed (replies in replies, composites in composites) is
/// refused with `NestingTooDeep`, without exhausting the stack; up to the limit it decodes.
#[test]
fn deeply_nested_content_is_refused() {
    use xmtp_core::content::{ContentError, ReplyCodec, MAX_NESTING};
    let registry = Registry::new();
    let reply = |inner: Vec<u8>| {
        pb::EncodedContent {
            r#type: Some(ReplyCodec::id().to_proto()),
            parameters: [("reference".to_string(), "00".to_string())].into_iter().collect(),
            fallback: None,
            compression: None,
            content: inner,
        }
        .encode_to_vec()
    };
    let replies = |depth: usize| (0..depth).fold(text_payload("deep").bytes, |inner, _| reply(inner));
    let ok = registry.decode(&replies(usize::from(MAX_NESTING)));
    assert_eq!(ok.error, None);
    assert!(matches!(ok.content, Some(Content::Reply(_))));
    for depth in [usize::from(MAX_NESTING) + 1, 2000] {
        let deep = registry.decode(&replies(depth));
        assert_eq!(deep.content, None, "depth {depth}");
        assert_eq!(deep.error, Some(ContentError::NestingTooDeep), "depth {depth}");
    }
    // Composites of composites: each level one part holding the next composite.
    let composite = |inner: Vec<u8>| {
        let part = pb::composite::Part {
            element: Some(pb::composite::part::Element::Part(pb::EncodedContent::decode(inner.as_slice()).unwrap())),
        };
        pb::EncodedContent {
            r#type: Some(xmtp_core::content::CompositeCodec::id().to_proto()),
            parameters: Default::default(),
            fallback: None,
            compression: None,
            content: pb::Composite { parts: vec![part] }.encode_to_vec(),
        }
        .encode_to_vec()
    };
    let deep = (0..1000).fold(text_payload("deep").bytes, |inner, _| composite(inner));
    assert_eq!(registry.decode(&deep).error, Some(ContentError::NestingTooDeep));
}
