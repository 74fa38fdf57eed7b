//! Message content (facts §12): `EncodedContent`, content type ids, codecs and their registry,
//! fallback text and compression.
//!
//! Decoding is total: [`Registry::decode`] never fails the whole message. An unknown type or a
//! codec error yields a [`DecodedContent`] with the type, the raw bytes, the fallback and a typed
//! error.

pub mod compression;
mod text;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use prost::Message as _;
use xmtp_proto::message_contents as pb;

pub use compression::{Compression, DEFAULT_MAX_DECOMPRESSED};
pub use text::TextCodec;

/// Content errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContentError {
    /// The bytes are not an `EncodedContent`.
    #[error("malformed encoded content")]
    Malformed,
    /// `EncodedContent.type` is absent.
    #[error("content type missing")]
    MissingType,
    /// No codec is registered for the type.
    #[error("unknown content type")]
    UnknownType,
    /// The message's major version is newer than the registered codec's.
    #[error("content type version not supported")]
    UnsupportedVersion,
    /// The compression value is not one the protocol defines.
    #[error("unsupported compression")]
    UnsupportedCompression,
    /// The compressed content is corrupt.
    #[error("decompression failed")]
    Decompression,
    /// Decompressed content exceeds the configured cap.
    #[error("decompressed content too large")]
    TooLarge,
    /// Required parameters are missing or have unsupported values.
    #[error("invalid content parameters")]
    InvalidParameters,
    /// Text content is not valid UTF-8.
    #[error("content is not valid UTF-8")]
    InvalidUtf8,
    /// A codec was handed content of another type.
    #[error("content does not match the codec")]
    WrongContentForCodec,
    /// A codec rejected the content bytes.
    #[error("invalid content for its type")]
    InvalidContent,
}

impl ContentError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "content.malformed",
            Self::MissingType => "content.missing_type",
            Self::UnknownType => "content.unknown_type",
            Self::UnsupportedVersion => "content.unsupported_version",
            Self::UnsupportedCompression => "content.unsupported_compression",
            Self::Decompression => "content.decompression_failed",
            Self::TooLarge => "content.too_large",
            Self::InvalidParameters => "content.invalid_parameters",
            Self::InvalidUtf8 => "content.invalid_utf8",
            Self::WrongContentForCodec => "content.wrong_codec",
            Self::InvalidContent => "content.invalid",
        }
    }
}

/// A content type id: `authority/type:major.minor`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentTypeId {
    /// e.g. `xmtp.org`.
    pub authority_id: String,
    /// e.g. `text`.
    pub type_id: String,
    /// Major version: a codec refuses messages with a higher major version.
    pub version_major: u32,
    /// Minor version.
    pub version_minor: u32,
}

impl ContentTypeId {
    /// A content type id.
    pub fn new(authority: &str, type_id: &str, major: u32, minor: u32) -> Self {
        Self { authority_id: authority.into(), type_id: type_id.into(), version_major: major, version_minor: minor }
    }
    /// The registry key `authority/type`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.authority_id, self.type_id)
    }
    /// Parse `authority/type:major.minor`.
    pub fn parse(s: &str) -> Option<Self> {
        let (key, version) = s.split_once(':')?;
        let (authority, type_id) = key.split_once('/')?;
        let (major, minor) = version.split_once('.')?;
        Some(Self::new(authority, type_id, major.parse().ok()?, minor.parse().ok()?))
    }
    /// As the proto.
    pub fn to_proto(&self) -> pb::ContentTypeId {
        pb::ContentTypeId {
            authority_id: self.authority_id.clone(),
            type_id: self.type_id.clone(),
            version_major: self.version_major,
            version_minor: self.version_minor,
        }
    }
    /// From the proto.
    pub fn from_proto(p: &pb::ContentTypeId) -> Self {
        Self::new(&p.authority_id, &p.type_id, p.version_major, p.version_minor)
    }
}

impl fmt::Display for ContentTypeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}:{}.{}", self.authority_id, self.type_id, self.version_major, self.version_minor)
    }
}

/// Decoded content of a known type.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Content {
    /// `xmtp.org/text`.
    Text(String),
}

impl Content {
    /// The content as JSON for display and scripting: a string for text.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Self::Text(t) => serde_json::Value::String(t.clone()),
        }
    }
}

/// A codec: turns one content type into [`Content`] and back.
pub trait Codec: Send + Sync {
    /// The type (and version) this codec produces.
    fn content_type(&self) -> ContentTypeId;
    /// Encode content (no fallback, no compression: the registry adds those).
    fn encode(&self, content: &Content, registry: &Registry) -> Result<pb::EncodedContent, ContentError>;
    /// Decode (already decompressed) content.
    fn decode(&self, encoded: &pb::EncodedContent, registry: &Registry) -> Result<Content, ContentError>;
    /// Fallback text for clients that do not know the type.
    fn fallback(&self, _content: &Content) -> Option<String> {
        None
    }
    /// Whether a push notification should be sent for this content.
    fn should_push(&self, content: &Content) -> bool;
}

/// Content prepared for sending.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedPayload {
    /// Encoded `EncodedContent` (possibly compressed).
    pub bytes: Vec<u8>,
    /// The codec's push decision.
    pub should_push: bool,
}

/// The result of decoding content: always present, even when the type is unknown or broken.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedContent {
    /// The declared type, if any.
    pub content_type: Option<ContentTypeId>,
    /// The decoded content, when a codec could read it.
    pub content: Option<Content>,
    /// The sender's fallback text.
    pub fallback: Option<String>,
    /// Parameters as sent.
    pub parameters: BTreeMap<String, String>,
    /// The content bytes after decompression (empty if decompression failed).
    pub raw: Vec<u8>,
    /// Why `content` is absent.
    pub error: Option<ContentError>,
}

impl DecodedContent {
    /// The content as JSON: the decoded value when a codec read it, otherwise the raw content
    /// bytes as standard base64.
    pub fn content_json(&self) -> serde_json::Value {
        use base64::Engine as _;
        match &self.content {
            Some(c) => c.to_json(),
            None => serde_json::Value::String(base64::engine::general_purpose::STANDARD.encode(&self.raw)),
        }
    }
}

/// Codecs keyed by `authority/type`, plus decoding limits.
#[derive(Clone)]
pub struct Registry {
    codecs: HashMap<String, Arc<dyn Codec>>,
    max_decompressed: usize,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut keys: Vec<_> = self.codecs.keys().collect();
        keys.sort();
        f.debug_struct("Registry").field("codecs", &keys).field("max_decompressed", &self.max_decompressed).finish()
    }
}

impl Default for Registry {
    fn default() -> Self {
        let mut r = Self { codecs: HashMap::new(), max_decompressed: DEFAULT_MAX_DECOMPRESSED };
        r.register(Arc::new(TextCodec));
        r
    }
}

impl Registry {
    /// A registry with the standard codecs.
    pub fn new() -> Self {
        Self::default()
    }

    /// Register (or replace) a codec for its `authority/type`.
    pub fn register(&mut self, codec: Arc<dyn Codec>) {
        self.codecs.insert(codec.content_type().key(), codec);
    }

    /// Set the cap on decompressed content size.
    pub fn set_max_decompressed(&mut self, max: usize) {
        self.max_decompressed = max;
    }

    /// The codec for a type, refusing one whose major version is lower than the message's.
    pub fn codec_for(&self, id: &ContentTypeId) -> Result<&Arc<dyn Codec>, ContentError> {
        let codec = self.codecs.get(&id.key()).ok_or(ContentError::UnknownType)?;
        if id.version_major > codec.content_type().version_major {
            return Err(ContentError::UnsupportedVersion);
        }
        Ok(codec)
    }

    /// Encode content with the codec registered for `content_type`, set its fallback and
    /// optionally compress it (only content of at least 10 bytes is compressed).
    pub fn encode_to_proto(
        &self,
        content_type: &ContentTypeId,
        content: &Content,
        compression: Option<Compression>,
    ) -> Result<(pb::EncodedContent, bool), ContentError> {
        let codec = self.codec_for(content_type)?;
        let mut encoded = codec.encode(content, self)?;
        if let Some(fb) = codec.fallback(content).filter(|f| !f.is_empty()) {
            encoded.fallback = Some(fb);
        }
        if let Some(algo) = compression {
            if encoded.content.len() >= compression::MIN_COMPRESS_LEN {
                encoded.content = compression::compress(&encoded.content, algo);
                encoded.compression = Some(algo.to_wire());
            }
        }
        Ok((encoded, codec.should_push(content)))
    }

    /// [`Registry::encode_to_proto`], encoded to bytes.
    pub fn encode(
        &self,
        content_type: &ContentTypeId,
        content: &Content,
        compression: Option<Compression>,
    ) -> Result<EncodedPayload, ContentError> {
        let (encoded, should_push) = self.encode_to_proto(content_type, content, compression)?;
        Ok(EncodedPayload { bytes: encoded.encode_to_vec(), should_push })
    }

    /// Remove compression from an `EncodedContent`, within the cap.
    pub fn decompress(&self, encoded: &mut pb::EncodedContent) -> Result<(), ContentError> {
        if let Some(c) = encoded.compression {
            let algo = Compression::from_wire(c)?;
            encoded.content = compression::decompress(&encoded.content, algo, self.max_decompressed)?;
            encoded.compression = None;
        }
        Ok(())
    }

    /// Decode the content of an already-parsed `EncodedContent`. Never fails as a whole.
    pub fn decode_proto(&self, mut encoded: pb::EncodedContent) -> DecodedContent {
        let content_type = encoded.r#type.as_ref().map(ContentTypeId::from_proto);
        let mut out = DecodedContent {
            content_type: content_type.clone(),
            content: None,
            fallback: encoded.fallback.clone(),
            parameters: encoded.parameters.clone(),
            raw: Vec::new(),
            error: None,
        };
        if let Err(e) = self.decompress(&mut encoded) {
            out.error = Some(e);
            return out;
        }
        let result = content_type
            .ok_or(ContentError::MissingType)
            .and_then(|id| self.codec_for(&id).and_then(|codec| codec.decode(&encoded, self)));
        out.raw = std::mem::take(&mut encoded.content);
        match result {
            Ok(c) => out.content = Some(c),
            Err(e) => out.error = Some(e),
        }
        out
    }

    /// Decode encoded `EncodedContent` bytes. Never fails as a whole.
    pub fn decode(&self, bytes: &[u8]) -> DecodedContent {
        match pb::EncodedContent::decode(bytes) {
            Ok(encoded) => self.decode_proto(encoded),
            Err(_) => DecodedContent {
                content_type: None,
                content: None,
                fallback: None,
                parameters: BTreeMap::new(),
                raw: Vec::new(),
                error: Some(ContentError::Malformed),
            },
        }
    }
}
