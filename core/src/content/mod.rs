//! Message content (facts §12): `EncodedContent`, content type ids, codecs and their registry,
//! fallback text and compression.
//!
//! Decoding is total: [`Registry::decode`] never fails the whole message. An unknown type or a
//! codec error yields a [`DecodedContent`] with the type, the raw bytes, the fallback and a typed
//! error.

mod attachment;
mod composite;
pub mod compression;
mod reaction;
mod read_receipt;
mod remote_attachment;
mod reply;
mod text;
mod transaction_reference;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use prost::Message as _;
use xmtp_proto::message_contents as pb;

pub use attachment::{Attachment, AttachmentCodec};
pub use composite::{CompositeCodec, CompositePart};
pub use compression::{Compression, DEFAULT_MAX_DECOMPRESSED};
pub use reaction::{Reaction, ReactionAction, ReactionCodec, ReactionSchema};
pub use read_receipt::ReadReceiptCodec;
pub use remote_attachment::{
    decrypt_attachment, encrypt_attachment, RemoteAttachment, RemoteAttachmentCodec, RemoteAttachmentMetadata,
    REMOTE_ATTACHMENT_SCHEME, REMOTE_ATTACHMENT_SECRET_LEN,
};
pub use reply::{Reply, ReplyCodec};
pub use text::TextCodec;
pub use transaction_reference::{NetworkId, TransactionMetadata, TransactionReference, TransactionReferenceCodec};

/// How deep content may nest inside other content (a reply's inner content, composite parts, ...)
/// before decoding or encoding is refused with [`ContentError::NestingTooDeep`].
pub const MAX_NESTING: u8 = 8;

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
    /// The compression value is not one the protocol defines, or nested content (which is never
    /// compressed) claims compression.
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
    /// Content nests more than [`MAX_NESTING`] levels deep.
    #[error("content nested too deeply")]
    NestingTooDeep,
    /// A remote attachment URL does not start with `https`.
    #[error("remote attachment URL is not https")]
    InsecureUrl,
    /// A downloaded remote attachment payload is empty.
    #[error("remote attachment payload is empty")]
    EmptyPayload,
    /// A downloaded remote attachment payload does not match its content digest.
    #[error("remote attachment content digest mismatch")]
    DigestMismatch,
    /// A remote attachment payload does not decrypt with its secret, salt and nonce.
    #[error("remote attachment decryption failed")]
    DecryptionFailed,
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
            Self::NestingTooDeep => "content.nesting_too_deep",
            Self::InsecureUrl => "content.insecure_url",
            Self::EmptyPayload => "content.empty_payload",
            Self::DigestMismatch => "content.digest_mismatch",
            Self::DecryptionFailed => "content.decryption_failed",
        }
    }
}

/// A content type id: `authority/type:major.minor`. Serialized (serde) as xmtp-js shows it:
/// `{"authorityId", "typeId", "versionMajor", "versionMinor"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
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
///
/// Serialized (serde) as `{"type": "<variant>", "value": ...}`; [`Content::to_json`] gives the
/// shape xmtp-js shows instead.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "camelCase")]
#[non_exhaustive]
pub enum Content {
    /// `xmtp.org/text`.
    Text(String),
    /// `xmtp.org/reaction`.
    Reaction(Reaction),
    /// `xmtp.org/reply`.
    Reply(Reply),
    /// `xmtp.org/readReceipt` (no payload).
    ReadReceipt,
    /// `xmtp.org/attachment`.
    Attachment(Attachment),
    /// `xmtp.org/remoteStaticAttachment`.
    RemoteAttachment(RemoteAttachment),
    /// `xmtp.org/transactionReference`.
    TransactionReference(TransactionReference),
    /// `xmtp.org/composite` (deprecated, XRC-19): a sequence of parts.
    Composite(Vec<CompositePart>),
    /// Content of an application-defined type, as its codec represents it. Codecs written
    /// outside Rust (Swift, Kotlin, JS through the bindings) exchange their values as JSON.
    Custom(serde_json::Value),
}

impl Content {
    /// The content as JSON, exactly as the xmtp-js interop harness writes xmtp-js's decoded
    /// content: a string for text; objects for the structured types, with byte strings as
    /// standard base64 and content type ids as `{authorityId, typeId, versionMajor,
    /// versionMinor}`; `{}` for a read receipt; `{"parts": [...]}` for a composite, each part
    /// `{"type", "content"}` or a nested `{"parts"}`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Value};
        fn value<T: serde::Serialize>(v: &T) -> Value {
            serde_json::to_value(v).unwrap_or(Value::Null)
        }
        match self {
            Self::Text(t) => Value::String(t.clone()),
            Self::Reaction(r) => value(r),
            Self::Reply(r) => {
                let mut out = serde_json::Map::new();
                out.insert("reference".into(), json!(r.reference));
                if let Some(inbox) = &r.reference_inbox_id {
                    out.insert("referenceInboxId".into(), json!(inbox));
                }
                out.insert("contentType".into(), value(&r.content_type));
                out.insert("content".into(), r.content.to_json());
                Value::Object(out)
            }
            Self::ReadReceipt => json!({}),
            Self::Attachment(a) => value(a),
            Self::RemoteAttachment(r) => value(r),
            Self::TransactionReference(t) => t.to_js_json(),
            Self::Composite(parts) => composite::parts_json(parts),
            Self::Custom(v) => v.clone(),
        }
    }
    /// Read content from the JSON shape [`Content::to_json`] gives, for the standard type `id`
    /// (text, reaction, reply, read receipt, attachment, remote attachment, transaction
    /// reference). Hosts send structured content this way; other types go through their own
    /// codecs (see [`Registry::encode_raw`]). Fails with [`ContentError::UnknownType`] for any
    /// other type and [`ContentError::InvalidParameters`] for a value that does not fit.
    pub fn from_json(id: &ContentTypeId, value: &serde_json::Value) -> Result<Self, ContentError> {
        use serde_json::Value;
        fn parse<T: serde::de::DeserializeOwned>(v: &Value) -> Result<T, ContentError> {
            serde_json::from_value(v.clone()).map_err(|_| ContentError::InvalidParameters)
        }
        if id.authority_id != "xmtp.org" {
            return Err(ContentError::UnknownType);
        }
        match id.type_id.as_str() {
            "text" => value.as_str().map(|t| Self::Text(t.to_string())).ok_or(ContentError::InvalidParameters),
            "reaction" => parse(value).map(Self::Reaction),
            "readReceipt" => Ok(Self::ReadReceipt),
            "attachment" => parse(value).map(Self::Attachment),
            "remoteStaticAttachment" => parse(value).map(Self::RemoteAttachment),
            "transactionReference" => parse(value).map(Self::TransactionReference),
            "reply" => {
                let content_type: ContentTypeId = parse(value.get("contentType").unwrap_or(&Value::Null))?;
                let inner = Self::from_json(&content_type, value.get("content").unwrap_or(&Value::Null))?;
                let text = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_string);
                Ok(Self::Reply(Reply {
                    reference: text("reference").ok_or(ContentError::InvalidParameters)?,
                    reference_inbox_id: text("referenceInboxId"),
                    content_type,
                    content: Box::new(inner),
                }))
            }
            _ => Err(ContentError::UnknownType),
        }
    }
}

/// Byte strings as standard base64 in serde formats (as xmtp-js shows `Uint8Array` values).
pub(crate) mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text.as_bytes()).map_err(serde::de::Error::custom)
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
    codecs: Arc<HashMap<String, Arc<dyn Codec>>>,
    max_decompressed: usize,
    /// How deep the content being handled with this registry is nested.
    depth: u8,
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
        let mut r = Self { codecs: Arc::new(HashMap::new()), max_decompressed: DEFAULT_MAX_DECOMPRESSED, depth: 0 };
        r.register(Arc::new(TextCodec));
        r.register(Arc::new(ReactionCodec));
        r.register(Arc::new(ReplyCodec));
        r.register(Arc::new(ReadReceiptCodec));
        r.register(Arc::new(AttachmentCodec));
        r.register(Arc::new(RemoteAttachmentCodec));
        r.register(Arc::new(TransactionReferenceCodec));
        r.register(Arc::new(CompositeCodec));
        r
    }
}

impl Registry {
    /// A registry with the standard codecs: text, reaction, reply, read receipt, attachment,
    /// remote attachment, transaction reference and composite.
    pub fn new() -> Self {
        Self::default()
    }

    /// Register (or replace) a codec for its `authority/type`.
    pub fn register(&mut self, codec: Arc<dyn Codec>) {
        Arc::make_mut(&mut self.codecs).insert(codec.content_type().key(), codec);
    }

    /// Set the cap on decompressed content size (default [`DEFAULT_MAX_DECOMPRESSED`]).
    pub fn set_max_decompressed(&mut self, max: usize) {
        self.max_decompressed = max;
    }

    /// The cap on decompressed content size.
    pub fn max_decompressed(&self) -> usize {
        self.max_decompressed
    }

    /// This registry, for content nested one level deeper; refused past [`MAX_NESTING`].
    fn nested(&self) -> Result<Self, ContentError> {
        if self.depth >= MAX_NESTING {
            return Err(ContentError::NestingTooDeep);
        }
        let mut inner = self.clone();
        inner.depth += 1;
        Ok(inner)
    }

    /// Encode content that is nested inside other content (a reply's inner content, a composite
    /// part): the codec's output only, without fallback or compression.
    pub fn encode_nested(
        &self,
        content_type: &ContentTypeId,
        content: &Content,
    ) -> Result<pb::EncodedContent, ContentError> {
        let inner = self.nested()?;
        let codec = inner.codec_for(content_type)?;
        codec.encode(content, &inner)
    }

    /// Decode an `EncodedContent` nested inside other content with the codec of its type. Nested
    /// content is never compressed (it is the inner codec's output as is); content that claims to
    /// be is refused with [`ContentError::UnsupportedCompression`], so one message cannot make
    /// the decoder inflate many parts up to the cap each. Unlike [`Registry::decode_proto`], any
    /// failure is an error.
    pub fn decode_nested(&self, encoded: pb::EncodedContent) -> Result<(ContentTypeId, Content), ContentError> {
        let inner = self.nested()?;
        let id = encoded.r#type.as_ref().map(ContentTypeId::from_proto).ok_or(ContentError::MissingType)?;
        if encoded.compression.is_some() {
            return Err(ContentError::UnsupportedCompression);
        }
        let codec = inner.codec_for(&id)?;
        let content = codec.decode(&encoded, &inner)?;
        Ok((id, content))
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
        compress_into(&mut encoded, compression);
        Ok((encoded, codec.should_push(content)))
    }

    /// Content encoded by the host (a codec outside this registry, e.g. written in Swift,
    /// Kotlin or JS), optionally compressed like [`Registry::encode`] does. Content that already
    /// declares a compression is left as it is. The type id must be present and valid.
    pub fn encode_raw(
        &self,
        mut encoded: pb::EncodedContent,
        compression: Option<Compression>,
        should_push: bool,
    ) -> Result<EncodedPayload, ContentError> {
        let id = encoded.r#type.as_ref().map(ContentTypeId::from_proto).ok_or(ContentError::MissingType)?;
        if id.authority_id.is_empty() || id.type_id.is_empty() {
            return Err(ContentError::MissingType);
        }
        if encoded.compression.is_none() {
            compress_into(&mut encoded, compression);
        }
        Ok(EncodedPayload { bytes: encoded.encode_to_vec(), should_push })
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

/// Compress the content in place when asked and when it is long enough to gain from it.
fn compress_into(encoded: &mut pb::EncodedContent, compression: Option<Compression>) {
    if let Some(algo) = compression {
        if encoded.content.len() >= compression::MIN_COMPRESS_LEN {
            encoded.content = compression::compress(&encoded.content, algo);
            encoded.compression = Some(algo.to_wire());
        }
    }
}
