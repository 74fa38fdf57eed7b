//! Property tests of the standard content codecs: decoding never panics whatever the bytes, and
//! every codec's content survives encode → decode (with and without compression), serde, and
//! (for the structured types) its JSON view.

use std::collections::BTreeMap;

use proptest::prelude::*;
use prost::Message as _;
use xmtp_core::content::{
    Attachment, AttachmentCodec, CompositeCodec, CompositePart, Compression, Content, ContentTypeId, NetworkId,
    ReactionAction, ReactionCodec, ReactionSchema, ReadReceiptCodec, Registry, RemoteAttachment, RemoteAttachmentCodec,
    Reply, ReplyCodec, TextCodec, TransactionMetadata, TransactionReference, TransactionReferenceCodec,
};
use xmtp_core::proto::message_contents::EncodedContent;

fn standard_ids() -> Vec<ContentTypeId> {
    vec![
        TextCodec::id(),
        ReactionCodec::id(),
        ReplyCodec::id(),
        ReadReceiptCodec::id(),
        AttachmentCodec::id(),
        RemoteAttachmentCodec::id(),
        TransactionReferenceCodec::id(),
        CompositeCodec::id(),
    ]
}

// ---- arbitrary (mostly invalid) encoded content ----------------------------------------------

fn parameter_key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "encoding",
        "action",
        "reference",
        "referenceInboxId",
        "schema",
        "contentType",
        "filename",
        "mimeType",
        "contentDigest",
        "salt",
        "nonce",
        "secret",
        "scheme",
        "contentLength",
    ])
    .prop_map(String::from)
}

fn parameter_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "UTF-8",
            "added",
            "removed",
            "unicode",
            "custom",
            "xmtp.org/text:1.0",
            "https://",
            "-1",
            "99999999999999999999",
            "00ff",
            "0",
        ])
        .prop_map(String::from),
        "[0-9a-f]{0,64}",
        any::<String>(),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..128),
        // JSON-ish bodies for the JSON codecs.
        prop::sample::select(vec![
            r#"{"action":"added","reference":"ab","schema":"unicode","content":"x"}"#,
            r#"{"action":"added","reference":"ab","schema":"unicode"}"#,
            r#"{"networkId":1,"reference":"0x"}"#,
            r#"{"networkId":{},"reference":"0x","metadata":{"amount":"1"}}"#,
            r#"{"networkId":1e400,"reference":"0x"}"#,
            "null",
            "[]",
            "\"str\"",
        ])
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

/// An `EncodedContent` of one of the standard types (sometimes with a higher major version),
/// arbitrary parameters and content, possibly claiming compression; nested one level so that
/// replies and composites wrap other arbitrary content.
fn arbitrary_encoded() -> impl Strategy<Value = EncodedContent> {
    let leaf = (
        prop::sample::select(standard_ids()),
        0u32..3,
        prop::collection::btree_map(parameter_key(), parameter_value(), 0..6),
        body(),
        prop::option::of(prop_oneof![Just(0), Just(1), Just(7)]),
    )
        .prop_map(|(id, major, parameters, content, compression)| EncodedContent {
            r#type: Some(ContentTypeId { version_major: major, ..id }.to_proto()),
            parameters,
            fallback: None,
            compression,
            content,
        });
    leaf.prop_recursive(2, 8, 2, |inner| {
        (
            prop::sample::select(vec![ReplyCodec::id(), CompositeCodec::id()]),
            prop::collection::btree_map(parameter_key(), parameter_value(), 0..3),
            prop::collection::vec(inner, 1..3),
        )
            .prop_map(|(id, parameters, parts)| {
                let content = if id == ReplyCodec::id() {
                    parts[0].encode_to_vec()
                } else {
                    use xmtp_core::proto::message_contents::{composite, Composite};
                    Composite {
                        parts: parts
                            .into_iter()
                            .map(|p| composite::Part { element: Some(composite::part::Element::Part(p)) })
                            .collect(),
                    }
                    .encode_to_vec()
                };
                EncodedContent { r#type: Some(id.to_proto()), parameters, fallback: None, compression: None, content }
            })
    })
}

// ---- valid content of each type --------------------------------------------------------------

fn reaction() -> impl Strategy<Value = Content> {
    (
        prop_oneof![Just(ReactionAction::Added), Just(ReactionAction::Removed)],
        "[0-9a-f]{0,64}",
        prop::option::of(any::<String>()),
        prop_oneof![Just(ReactionSchema::Unicode), Just(ReactionSchema::Shortcode), Just(ReactionSchema::Custom)],
        any::<String>(),
    )
        .prop_map(|(action, reference, reference_inbox_id, schema, content)| {
            Content::Reaction(xmtp_core::content::Reaction { action, reference, reference_inbox_id, schema, content })
        })
}

fn attachment() -> impl Strategy<Value = Attachment> {
    (any::<String>(), "[a-z]{1,10}/[a-z0-9.+-]{1,20}", prop::collection::vec(any::<u8>(), 0..256))
        .prop_map(|(filename, mime_type, data)| Attachment { filename, mime_type, data })
}

fn remote_attachment() -> impl Strategy<Value = Content> {
    (
        "https[a-z:/.]{0,30}",
        "[0-9a-f]{64}",
        prop::collection::vec(any::<u8>(), 0..40),
        prop::collection::vec(any::<u8>(), 0..16),
        prop::collection::vec(any::<u8>(), 0..40),
        prop_oneof![Just("https://".to_string()), Just("https".to_string())],
        prop::option::of(any::<i64>()),
        prop::option::of(any::<String>()),
    )
        .prop_map(|(url, content_digest, salt, nonce, secret, scheme, content_length, filename)| {
            Content::RemoteAttachment(RemoteAttachment {
                url,
                content_digest,
                salt,
                nonce,
                secret,
                scheme,
                content_length,
                filename,
            })
        })
}

/// JSON numbers of the kinds senders use: integers, and fractions that print exactly.
fn json_number() -> impl Strategy<Value = serde_json::Number> {
    prop_oneof![
        any::<i64>().prop_map(serde_json::Number::from),
        any::<u64>().prop_map(serde_json::Number::from),
        // An odd numerator over a power of two: never integral, exactly representable.
        (any::<i32>(), 1u32..5).prop_map(|(n, e)| {
            serde_json::Number::from_f64((f64::from(n) * 2.0 + 1.0) / f64::from(1u32 << e)).expect("finite")
        }),
    ]
}

fn transaction_reference() -> impl Strategy<Value = Content> {
    let metadata = (any::<String>(), any::<String>(), json_number(), json_number(), any::<String>(), any::<String>())
        .prop_map(|(transaction_type, currency, amount, decimals, from_address, to_address)| TransactionMetadata {
            transaction_type,
            currency,
            amount,
            decimals,
            from_address,
            to_address,
        });
    (
        prop::option::of(any::<String>()),
        prop_oneof![json_number().prop_map(NetworkId::Number), any::<String>().prop_map(NetworkId::String)],
        any::<String>(),
        prop::option::of(metadata),
    )
        .prop_map(|(namespace, network_id, reference, metadata)| {
            Content::TransactionReference(TransactionReference { namespace, network_id, reference, metadata })
        })
}

/// Content that can be a reply's inner content or a composite part, with its type.
fn typed_leaf() -> impl Strategy<Value = (ContentTypeId, Content)> {
    prop_oneof![
        any::<String>().prop_map(|t| (TextCodec::id(), Content::Text(t))),
        reaction().prop_map(|c| (ReactionCodec::id(), c)),
        Just((ReadReceiptCodec::id(), Content::ReadReceipt)),
        attachment().prop_map(|a| (AttachmentCodec::id(), Content::Attachment(a))),
        transaction_reference().prop_map(|c| (TransactionReferenceCodec::id(), c)),
    ]
}

fn reply() -> impl Strategy<Value = Content> {
    ("[0-9a-f]{0,64}", prop::option::of("[a-z0-9]{1,20}"), typed_leaf()).prop_map(
        |(reference, reference_inbox_id, (content_type, content))| {
            Content::Reply(Reply { reference, reference_inbox_id, content_type, content: Box::new(content) })
        },
    )
}

fn composite() -> impl Strategy<Value = Content> {
    let part = typed_leaf()
        .prop_map(|(content_type, content)| CompositePart::Part { content_type, content: Box::new(content) });
    let parts =
        part.prop_recursive(3, 12, 3, |inner| prop::collection::vec(inner, 0..3).prop_map(CompositePart::Composite));
    prop::collection::vec(parts, 0..4).prop_map(Content::Composite)
}

/// Content of every standard type, with the type to encode it as.
fn any_content() -> impl Strategy<Value = (ContentTypeId, Content)> {
    prop_oneof![
        typed_leaf(),
        remote_attachment().prop_map(|c| (RemoteAttachmentCodec::id(), c)),
        reply().prop_map(|c| (ReplyCodec::id(), c)),
        composite().prop_map(|c| (CompositeCodec::id(), c)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Arbitrary bytes: always a result, never a panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let decoded = Registry::new().decode(&bytes);
        let _ = decoded.content_json();
    }

    /// Arbitrary `EncodedContent` of each standard type: a result (content or typed error),
    /// never a panic; whatever decodes has a JSON view, a fallback and a push decision.
    #[test]
    fn arbitrary_standard_content_never_panics(encoded in arbitrary_encoded()) {
        let registry = Registry::new();
        let decoded = registry.decode(&encoded.encode_to_vec());
        prop_assert!(decoded.content.is_some() != decoded.error.is_some());
        let _ = decoded.content_json();
        if let (Some(id), Some(content)) = (&decoded.content_type, &decoded.content) {
            let codec = registry.codec_for(id).unwrap();
            let _ = (codec.fallback(content), codec.should_push(content));
            let _ = registry.encode(id, content, Some(Compression::Deflate));
        }
    }

    /// encode → decode gives the content back, for every codec, compressed or not; the fallback
    /// on the wire is the codec's.
    #[test]
    fn every_codec_round_trips(
        (content_type, content) in any_content(),
        compression in prop::option::of(prop_oneof![Just(Compression::Deflate), Just(Compression::Gzip)]),
    ) {
        let registry = Registry::new();
        let payload = registry.encode(&content_type, &content, compression).unwrap();
        let decoded = registry.decode(&payload.bytes);
        prop_assert_eq!(decoded.error, None);
        prop_assert_eq!(decoded.content_type.as_ref(), Some(&content_type));
        prop_assert_eq!(decoded.content.as_ref(), Some(&content));
        let codec = registry.codec_for(&content_type).unwrap();
        prop_assert_eq!(decoded.fallback, codec.fallback(&content).filter(|f| !f.is_empty()));
        prop_assert_eq!(payload.should_push, codec.should_push(&content));
    }

    /// The serde form round-trips; for the JSON-shaped types, so does the JSON view.
    #[test]
    fn serde_and_json_views_round_trip((_, content) in any_content()) {
        let text = serde_json::to_string(&content).unwrap();
        prop_assert_eq!(&serde_json::from_str::<Content>(&text).unwrap(), &content);
        let json = content.to_json();
        let back = match &content {
            Content::Reaction(_) => Some(Content::Reaction(serde_json::from_value(json).unwrap())),
            Content::Attachment(_) => Some(Content::Attachment(serde_json::from_value(json).unwrap())),
            Content::RemoteAttachment(_) => Some(Content::RemoteAttachment(serde_json::from_value(json).unwrap())),
            Content::TransactionReference(_) => Some(Content::TransactionReference(serde_json::from_value(json).unwrap())),
            _ => None,
        };
        if let Some(back) = back {
            prop_assert_eq!(back, content);
        }
    }

    /// What hosts send: `Content::from_json` reads the JSON view back, for every standard type
    /// but the deprecated composite.
    #[test]
    fn from_json_inverts_the_json_view((content_type, content) in any_content()) {
        let back = Content::from_json(&content_type, &content.to_json());
        if content_type == CompositeCodec::id() {
            prop_assert_eq!(back, Err(xmtp_core::content::ContentError::UnknownType));
        } else {
            prop_assert_eq!(back, Ok(content));
        }
    }
}

/// The JSON codecs' parameters stay empty and attachments carry exactly their two parameters.
#[test]
fn parameters_are_exactly_the_documented_ones() {
    let registry = Registry::new();
    let params = |id: ContentTypeId, c: Content| -> BTreeMap<String, String> {
        EncodedContent::decode(registry.encode(&id, &c, None).unwrap().bytes.as_slice()).unwrap().parameters
    };
    let a = Attachment { filename: "f".into(), mime_type: "m/t".into(), data: vec![1] };
    let keys = |m: BTreeMap<String, String>| m.into_keys().collect::<Vec<_>>();
    assert_eq!(keys(params(AttachmentCodec::id(), Content::Attachment(a))), ["filename", "mimeType"]);
    assert!(params(ReadReceiptCodec::id(), Content::ReadReceipt).is_empty());
}
