//! `xmtp.org/attachment:1.0`: a small file sent inline. Parameters `filename` and `mimeType`;
//! content = the raw file bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use xmtp_proto::message_contents as pb;

use super::{Codec, Content, ContentError, ContentTypeId, Registry};

/// An inline attachment. Its serde form shows `data` as standard base64 (as xmtp-js does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// File name.
    pub filename: String,
    /// MIME type, e.g. `text/plain`.
    pub mime_type: String,
    /// File contents.
    #[serde(with = "super::base64_bytes")]
    pub data: Vec<u8>,
}

/// The fallback text for an attachment (inline or remote) with this file name.
pub(crate) fn attachment_fallback(filename: &str) -> String {
    format!("Can\u{2019}t display \"{filename}\". This app doesn\u{2019}t support attachments.")
}

/// The attachment codec.
#[derive(Debug, Default, Clone, Copy)]
pub struct AttachmentCodec;

impl AttachmentCodec {
    /// `xmtp.org/attachment:1.0`.
    pub fn id() -> ContentTypeId {
        ContentTypeId::new("xmtp.org", "attachment", 1, 0)
    }

    /// Encode an attachment (what the codec sends, without a fallback).
    pub fn encode_attachment(attachment: &Attachment) -> pb::EncodedContent {
        let mut parameters = BTreeMap::new();
        parameters.insert("filename".to_string(), attachment.filename.clone());
        parameters.insert("mimeType".to_string(), attachment.mime_type.clone());
        pb::EncodedContent {
            r#type: Some(Self::id().to_proto()),
            parameters,
            fallback: None,
            compression: None,
            content: attachment.data.clone(),
        }
    }
}

impl Codec for AttachmentCodec {
    fn content_type(&self) -> ContentTypeId {
        Self::id()
    }

    fn encode(&self, content: &Content, _: &Registry) -> Result<pb::EncodedContent, ContentError> {
        let Content::Attachment(attachment) = content else {
            return Err(ContentError::WrongContentForCodec);
        };
        Ok(Self::encode_attachment(attachment))
    }

    /// Both parameters are required.
    fn decode(&self, encoded: &pb::EncodedContent, _: &Registry) -> Result<Content, ContentError> {
        let param = |k: &str| encoded.parameters.get(k).cloned().ok_or(ContentError::InvalidParameters);
        Ok(Content::Attachment(Attachment {
            filename: param("filename")?,
            mime_type: param("mimeType")?,
            data: encoded.content.clone(),
        }))
    }

    fn fallback(&self, content: &Content) -> Option<String> {
        let Content::Attachment(a) = content else { return None };
        Some(attachment_fallback(&a.filename))
    }

    fn should_push(&self, _: &Content) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_content_fallback_and_json() {
        let reg = Registry::new();
        let a = Content::Attachment(Attachment {
            filename: "hello.txt".into(),
            mime_type: "text/plain".into(),
            data: b"Hello, attachment!\n".to_vec(),
        });
        let enc = AttachmentCodec.encode(&a, &reg).unwrap();
        assert_eq!(enc.parameters["filename"], "hello.txt");
        assert_eq!(enc.parameters["mimeType"], "text/plain");
        assert_eq!(enc.content, b"Hello, attachment!\n");
        assert_eq!(AttachmentCodec.decode(&enc, &reg).unwrap(), a);
        assert_eq!(
            AttachmentCodec.fallback(&a).unwrap(),
            "Can’t display \"hello.txt\". This app doesn’t support attachments."
        );
        assert_eq!(
            a.to_json(),
            serde_json::json!({"filename": "hello.txt", "mimeType": "text/plain", "data": "SGVsbG8sIGF0dGFjaG1lbnQhCg=="})
        );
        let mut missing = enc;
        missing.parameters.remove("mimeType");
        assert_eq!(AttachmentCodec.decode(&missing, &reg), Err(ContentError::InvalidParameters));
    }
}
