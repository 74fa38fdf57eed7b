//! `xmtp.org/readReceipt:1.0`: the sender has read the conversation. No parameters, empty content
//! (versions of the JS codec before 1.1.2 also sent a timestamp; it is ignored).

use std::collections::BTreeMap;

use xmtp_proto::message_contents as pb;

use super::{Codec, Content, ContentError, ContentTypeId, Registry};

/// The read receipt codec. No fallback, no push notification.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReadReceiptCodec;

impl ReadReceiptCodec {
    /// `xmtp.org/readReceipt:1.0`.
    pub fn id() -> ContentTypeId {
        ContentTypeId::new("xmtp.org", "readReceipt", 1, 0)
    }
}

impl Codec for ReadReceiptCodec {
    fn content_type(&self) -> ContentTypeId {
        Self::id()
    }

    fn encode(&self, content: &Content, _: &Registry) -> Result<pb::EncodedContent, ContentError> {
        if !matches!(content, Content::ReadReceipt) {
            return Err(ContentError::WrongContentForCodec);
        }
        Ok(pb::EncodedContent {
            r#type: Some(Self::id().to_proto()),
            parameters: BTreeMap::new(),
            fallback: None,
            compression: None,
            content: Vec::new(),
        })
    }

    fn decode(&self, _: &pb::EncodedContent, _: &Registry) -> Result<Content, ContentError> {
        Ok(Content::ReadReceipt)
    }

    fn should_push(&self, _: &Content) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_content_no_fallback_no_push() {
        let reg = Registry::new();
        let enc = ReadReceiptCodec.encode(&Content::ReadReceipt, &reg).unwrap();
        assert!(enc.content.is_empty() && enc.parameters.is_empty());
        assert_eq!(ReadReceiptCodec.fallback(&Content::ReadReceipt), None);
        assert!(!ReadReceiptCodec.should_push(&Content::ReadReceipt));
        // An old-style receipt with a timestamp still reads.
        let old = pb::EncodedContent { content: b"2023-01-01T00:00:00Z".to_vec(), ..enc };
        assert_eq!(ReadReceiptCodec.decode(&old, &reg), Ok(Content::ReadReceipt));
        assert_eq!(Content::ReadReceipt.to_json(), serde_json::json!({}));
    }
}
