//! `xmtp.org/reply:1.0`: content of any registered type in reply to an earlier message.
//!
//! Parameters: `contentType` (the inner type as `authority/type:major.minor`), `reference` (id of
//! the message replied to) and, optionally, `referenceInboxId`. Content: the inner content's
//! encoded `EncodedContent`, as its codec produced it (no fallback, no compression).

use std::collections::BTreeMap;

use prost::Message as _;
use serde::{Deserialize, Serialize};
use xmtp_proto::message_contents as pb;

use super::{Codec, Content, ContentError, ContentTypeId, Registry};

/// A reply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reply {
    /// Id (hex) of the message replied to.
    pub reference: String,
    /// Inbox id of the author of the message replied to (newer SDKs only; sent only when
    /// non-empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_inbox_id: Option<String>,
    /// The type of the inner content (a codec for it must be registered).
    pub content_type: ContentTypeId,
    /// The inner content.
    pub content: Box<Content>,
}

/// The reply codec: the inner content is encoded and decoded through the registry.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReplyCodec;

impl ReplyCodec {
    /// `xmtp.org/reply:1.0`.
    pub fn id() -> ContentTypeId {
        ContentTypeId::new("xmtp.org", "reply", 1, 0)
    }
}

impl Codec for ReplyCodec {
    fn content_type(&self) -> ContentTypeId {
        Self::id()
    }

    fn encode(&self, content: &Content, registry: &Registry) -> Result<pb::EncodedContent, ContentError> {
        let Content::Reply(reply) = content else {
            return Err(ContentError::WrongContentForCodec);
        };
        let inner = registry.encode_nested(&reply.content_type, &reply.content)?;
        let mut parameters = BTreeMap::new();
        parameters.insert("contentType".to_string(), reply.content_type.to_string());
        parameters.insert("reference".to_string(), reply.reference.clone());
        if let Some(inbox) = reply.reference_inbox_id.as_ref().filter(|i| !i.is_empty()) {
            parameters.insert("referenceInboxId".to_string(), inbox.clone());
        }
        Ok(pb::EncodedContent {
            r#type: Some(Self::id().to_proto()),
            parameters,
            fallback: None,
            compression: None,
            content: inner.encode_to_vec(),
        })
    }

    /// The inner type is the one the inner `EncodedContent` declares (as xmtp-js reads it; the
    /// `contentType` parameter is informative). Errors of the inner content are returned as is.
    fn decode(&self, encoded: &pb::EncodedContent, registry: &Registry) -> Result<Content, ContentError> {
        let reference = encoded.parameters.get("reference").ok_or(ContentError::InvalidParameters)?.clone();
        let reference_inbox_id = encoded.parameters.get("referenceInboxId").cloned();
        let inner = pb::EncodedContent::decode(encoded.content.as_slice()).map_err(|_| ContentError::Malformed)?;
        let (content_type, content) = registry.decode_nested(inner)?;
        Ok(Content::Reply(Reply { reference, reference_inbox_id, content_type, content: Box::new(content) }))
    }

    fn fallback(&self, content: &Content) -> Option<String> {
        let Content::Reply(reply) = content else { return None };
        Some(match reply.content.as_ref() {
            Content::Text(text) => format!("Replied with \u{201c}{text}\u{201d} to an earlier message"),
            _ => "Replied to an earlier message".to_string(),
        })
    }

    fn should_push(&self, _: &Content) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::TextCodec;

    fn reply(inner: Content, content_type: ContentTypeId) -> Content {
        Content::Reply(Reply {
            reference: "00ff".into(),
            reference_inbox_id: None,
            content_type,
            content: Box::new(inner),
        })
    }

    #[test]
    fn wraps_the_inner_encoded_content() {
        let reg = Registry::new();
        let r = reply(Content::Text("hi".into()), TextCodec::id());
        let enc = ReplyCodec.encode(&r, &reg).unwrap();
        assert_eq!(enc.parameters["contentType"], "xmtp.org/text:1.0");
        assert_eq!(enc.parameters["reference"], "00ff");
        assert!(!enc.parameters.contains_key("referenceInboxId"));
        let inner = pb::EncodedContent::decode(enc.content.as_slice()).unwrap();
        assert_eq!(inner.content, b"hi");
        assert_eq!(inner.fallback, None);
        assert_eq!(ReplyCodec.decode(&enc, &reg).unwrap(), r);
        assert_eq!(ReplyCodec.fallback(&r).unwrap(), "Replied with “hi” to an earlier message");
        assert!(ReplyCodec.should_push(&r));
    }

    #[test]
    fn non_text_inner_content_has_the_generic_fallback() {
        let r = reply(Content::ReadReceipt, crate::content::ReadReceiptCodec::id());
        assert_eq!(ReplyCodec.fallback(&r).unwrap(), "Replied to an earlier message");
    }

    #[test]
    fn unknown_inner_type_and_deep_nesting_are_errors() {
        let reg = Registry::new();
        let unknown = ContentTypeId::new("example.org", "x", 1, 0);
        assert_eq!(ReplyCodec.encode(&reply(Content::Text("x".into()), unknown), &reg), Err(ContentError::UnknownType));
        let mut nested = Content::Text("deep".into());
        let mut ty = TextCodec::id();
        for _ in 0..=crate::content::MAX_NESTING {
            nested = reply(nested, ty);
            ty = ReplyCodec::id();
        }
        assert_eq!(ReplyCodec.encode(&nested, &reg), Err(ContentError::NestingTooDeep));
    }
}
