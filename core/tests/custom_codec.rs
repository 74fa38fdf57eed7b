//! An application-defined codec registered from outside the crate: it encodes and decodes
//! through the registry like a standard one, a receiver without it gets the fallback and a typed
//! error, and a codec older than the message's major version is refused.

use std::sync::Arc;

use serde_json::json;
use xmtp_core::content::{Codec, Content, ContentError, ContentTypeId, Registry};
use xmtp_core::proto::message_contents::EncodedContent;

/// `example.org/counter:1.2`: a JSON number as UTF-8 text.
struct Counter;

impl Counter {
    fn id() -> ContentTypeId {
        ContentTypeId::new("example.org", "counter", 1, 2)
    }
}

impl Codec for Counter {
    fn content_type(&self) -> ContentTypeId {
        Self::id()
    }
    fn encode(&self, content: &Content, _: &Registry) -> Result<EncodedContent, ContentError> {
        let Content::Custom(v) = content else { return Err(ContentError::WrongContentForCodec) };
        let n = v.as_u64().ok_or(ContentError::InvalidContent)?;
        Ok(EncodedContent {
            r#type: Some(Self::id().to_proto()),
            content: n.to_string().into_bytes(),
            ..Default::default()
        })
    }
    fn decode(&self, encoded: &EncodedContent, _: &Registry) -> Result<Content, ContentError> {
        let text = std::str::from_utf8(&encoded.content).map_err(|_| ContentError::InvalidUtf8)?;
        let n: u64 = text.parse().map_err(|_| ContentError::InvalidContent)?;
        Ok(Content::Custom(json!(n)))
    }
    fn fallback(&self, content: &Content) -> Option<String> {
        Some(format!("Counter: {}", content.to_json()))
    }
    fn should_push(&self, _: &Content) -> bool {
        false
    }
}

#[test]
fn custom_codec_round_trips_and_degrades_to_fallback() {
    let mut with = Registry::new();
    with.register(Arc::new(Counter));
    let payload = with.encode(&Counter::id(), &Content::Custom(json!(42)), None).unwrap();
    assert!(!payload.should_push);

    let read = with.decode(&payload.bytes);
    assert_eq!(read.content, Some(Content::Custom(json!(42))));
    assert_eq!(read.content_type.as_ref().map(|t| t.to_string()).as_deref(), Some("example.org/counter:1.2"));
    assert_eq!(read.fallback.as_deref(), Some("Counter: 42"));
    assert_eq!(read.error, None);

    let without = Registry::new();
    let read = without.decode(&payload.bytes);
    assert_eq!(read.content, None);
    assert_eq!(read.error, Some(ContentError::UnknownType));
    assert_eq!(read.fallback.as_deref(), Some("Counter: 42"));
    assert_eq!(read.raw, b"42");

    assert_eq!(with.encode(&Counter::id(), &Content::Text("x".into()), None), Err(ContentError::WrongContentForCodec));
}

#[test]
fn a_newer_major_version_is_refused_a_newer_minor_is_read() {
    let mut reg = Registry::new();
    reg.register(Arc::new(Counter));
    let mut encoded = Counter.encode(&Content::Custom(json!(7)), &reg).unwrap();
    encoded.r#type = Some(ContentTypeId::new("example.org", "counter", 1, 9).to_proto());
    assert_eq!(reg.decode_proto(encoded.clone()).content, Some(Content::Custom(json!(7))));
    encoded.r#type = Some(ContentTypeId::new("example.org", "counter", 2, 0).to_proto());
    assert_eq!(reg.decode_proto(encoded).error, Some(ContentError::UnsupportedVersion));
}
