//! `xmtp.org/text:1.0`: UTF-8 text with the parameter `encoding` = `UTF-8`.

use xmtp_proto::message_contents as pb;

use super::{Codec, Content, ContentError, ContentTypeId, Registry};

/// The text codec.
#[derive(Debug, Default, Clone, Copy)]
pub struct TextCodec;

impl TextCodec {
    /// `xmtp.org/text:1.0`.
    pub fn id() -> ContentTypeId {
        ContentTypeId::new("xmtp.org", "text", 1, 0)
    }
}

impl Codec for TextCodec {
    fn content_type(&self) -> ContentTypeId {
        Self::id()
    }

    fn encode(&self, content: &Content, _: &Registry) -> Result<pb::EncodedContent, ContentError> {
        let Content::Text(text) = content else {
            return Err(ContentError::WrongContentForCodec);
        };
        Ok(pb::EncodedContent {
            r#type: Some(Self::id().to_proto()),
            parameters: [("encoding".to_string(), "UTF-8".to_string())].into_iter().collect(),
            fallback: None,
            compression: None,
            content: text.as_bytes().to_vec(),
        })
    }

    fn decode(&self, encoded: &pb::EncodedContent, _: &Registry) -> Result<Content, ContentError> {
        if encoded.parameters.get("encoding").map(String::as_str) != Some("UTF-8") {
            return Err(ContentError::InvalidParameters);
        }
        String::from_utf8(encoded.content.clone()).map(Content::Text).map_err(|_| ContentError::InvalidUtf8)
    }

    fn should_push(&self, _: &Content) -> bool {
        true
    }
}
