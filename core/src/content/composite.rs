//! `xmtp.org/composite:1.0` (XIP-9, deprecated by XRC-19): a sequence of parts, each content of
//! any registered type or a nested composite. No parameters; content = an encoded `Composite`.
//! xmtp-js shipped this codec up to 11.x; it is read and written here for completeness.

use std::collections::BTreeMap;

use prost::Message as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use xmtp_proto::message_contents::{self as pb, composite};

use super::{Codec, Content, ContentError, ContentTypeId, Registry};

/// One element of a composite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CompositePart {
    /// Content of one type (a codec for it must be registered).
    Part {
        /// The part's type.
        content_type: ContentTypeId,
        /// The part's content.
        content: Box<Content>,
    },
    /// A nested composite.
    Composite(Vec<CompositePart>),
}

/// `{"parts": [...]}`, each part `{"type", "content"}` or a nested `{"parts"}` (the shape of
/// xmtp-js 11's decoded composites).
pub(crate) fn parts_json(parts: &[CompositePart]) -> Value {
    let parts: Vec<Value> = parts
        .iter()
        .map(|p| match p {
            CompositePart::Part { content_type, content } => {
                json!({"type": serde_json::to_value(content_type).unwrap_or(Value::Null), "content": content.to_json()})
            }
            CompositePart::Composite(inner) => parts_json(inner),
        })
        .collect();
    json!({ "parts": parts })
}

fn encode_parts(parts: &[CompositePart], registry: &Registry) -> Result<pb::Composite, ContentError> {
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        let element = match p {
            CompositePart::Part { content_type, content } => {
                composite::part::Element::Part(registry.encode_nested(content_type, content)?)
            }
            CompositePart::Composite(inner) => {
                composite::part::Element::Composite(encode_parts(inner, &registry.nested()?)?)
            }
        };
        out.push(composite::Part { element: Some(element) });
    }
    Ok(pb::Composite { parts: out })
}

fn decode_parts(c: pb::Composite, registry: &Registry) -> Result<Vec<CompositePart>, ContentError> {
    let mut out = Vec::with_capacity(c.parts.len());
    for p in c.parts {
        out.push(match p.element {
            Some(composite::part::Element::Part(encoded)) => {
                let (content_type, content) = registry.decode_nested(encoded)?;
                CompositePart::Part { content_type, content: Box::new(content) }
            }
            Some(composite::part::Element::Composite(inner)) => {
                CompositePart::Composite(decode_parts(inner, &registry.nested()?)?)
            }
            None => return Err(ContentError::InvalidContent),
        });
    }
    Ok(out)
}

/// The composite codec. No fallback, no push notification.
#[derive(Debug, Default, Clone, Copy)]
pub struct CompositeCodec;

impl CompositeCodec {
    /// `xmtp.org/composite:1.0`.
    pub fn id() -> ContentTypeId {
        ContentTypeId::new("xmtp.org", "composite", 1, 0)
    }
}

impl Codec for CompositeCodec {
    fn content_type(&self) -> ContentTypeId {
        Self::id()
    }

    fn encode(&self, content: &Content, registry: &Registry) -> Result<pb::EncodedContent, ContentError> {
        let Content::Composite(parts) = content else {
            return Err(ContentError::WrongContentForCodec);
        };
        Ok(pb::EncodedContent {
            r#type: Some(Self::id().to_proto()),
            parameters: BTreeMap::new(),
            fallback: None,
            compression: None,
            content: encode_parts(parts, registry)?.encode_to_vec(),
        })
    }

    /// Every part must decode; an error in any part is the composite's error.
    fn decode(&self, encoded: &pb::EncodedContent, registry: &Registry) -> Result<Content, ContentError> {
        let c = pb::Composite::decode(encoded.content.as_slice()).map_err(|_| ContentError::Malformed)?;
        decode_parts(c, registry).map(Content::Composite)
    }

    fn should_push(&self, _: &Content) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{ReadReceiptCodec, TextCodec};

    #[test]
    fn nested_parts_round_trip_and_show_as_json() {
        let reg = Registry::new();
        let c = Content::Composite(vec![
            CompositePart::Part { content_type: TextCodec::id(), content: Box::new(Content::Text("one".into())) },
            CompositePart::Composite(vec![CompositePart::Part {
                content_type: ReadReceiptCodec::id(),
                content: Box::new(Content::ReadReceipt),
            }]),
        ]);
        let enc = CompositeCodec.encode(&c, &reg).unwrap();
        assert_eq!(CompositeCodec.decode(&enc, &reg).unwrap(), c);
        assert_eq!(CompositeCodec.fallback(&c), None);
        assert!(!CompositeCodec.should_push(&c));
        let text_type = json!({"authorityId": "xmtp.org", "typeId": "text", "versionMajor": 1, "versionMinor": 0});
        assert_eq!(c.to_json()["parts"][0], json!({"type": text_type, "content": "one"}));
        assert_eq!(c.to_json()["parts"][1]["parts"][0]["content"], json!({}));
    }

    #[test]
    fn empty_element_and_deep_nesting_are_errors() {
        let reg = Registry::new();
        let empty = pb::Composite { parts: vec![composite::Part { element: None }] };
        let enc = pb::EncodedContent { content: empty.encode_to_vec(), ..Default::default() };
        assert_eq!(CompositeCodec.decode(&enc, &reg), Err(ContentError::InvalidContent));

        let mut deep = pb::Composite::default();
        for _ in 0..=crate::content::MAX_NESTING {
            deep = pb::Composite {
                parts: vec![composite::Part { element: Some(composite::part::Element::Composite(deep)) }],
            };
        }
        let enc = pb::EncodedContent { content: deep.encode_to_vec(), ..Default::default() };
        assert_eq!(CompositeCodec.decode(&enc, &reg), Err(ContentError::NestingTooDeep));
    }
}
