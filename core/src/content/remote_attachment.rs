//! `xmtp.org/remoteStaticAttachment:1.0` (XIP-17, XIP-18): an encrypted file stored behind an
//! HTTPS URL, and the encryption that produces it (facts §12.3).
//!
//! Parameters: `contentDigest` (hex SHA-256 of the encrypted payload), `salt`, `nonce`, `secret`
//! (hex), `scheme`, `contentLength` (decimal) and `filename`; content = the UTF-8 URL. The core
//! does no I/O: [`encrypt_attachment`] returns the payload to upload, and [`decrypt_attachment`]
//! takes the downloaded bytes.

use std::collections::BTreeMap;
use std::fmt;

use prost::Message as _;
use rand_core::CryptoRngCore;
use serde::{Deserialize, Serialize};
use xmtp_proto::message_contents::{self as pb, ciphertext};

use super::attachment::attachment_fallback;
use super::{Attachment, AttachmentCodec, Codec, Content, ContentError, ContentTypeId, Registry};
use crate::crypto::{self, CryptoError};

/// The `scheme` value xmtp-js and the XIPs use (iOS writes `https`).
pub const REMOTE_ATTACHMENT_SCHEME: &str = "https://";

/// Length of the random secret [`encrypt_attachment`] draws.
pub const REMOTE_ATTACHMENT_SECRET_LEN: usize = 32;

/// A remote attachment: where the encrypted file is and how to decrypt it. Its serde form is what
/// xmtp-js shows: byte strings as standard base64, `contentLength` a number or `null`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RemoteAttachment {
    /// Where the encrypted payload is; must start with `https` to be sent.
    pub url: String,
    /// Lowercase hex SHA-256 of the encrypted payload.
    pub content_digest: String,
    /// HKDF salt (32 bytes when produced by the protocol's encryption).
    #[serde(with = "super::base64_bytes")]
    pub salt: Vec<u8>,
    /// AES-GCM nonce (12 bytes when produced by the protocol's encryption).
    #[serde(with = "super::base64_bytes")]
    pub nonce: Vec<u8>,
    /// The decryption secret.
    #[serde(with = "super::base64_bytes")]
    pub secret: Vec<u8>,
    /// URL scheme: `https://` (xmtp-js) or `https` (iOS).
    pub scheme: String,
    /// Length of the encrypted payload, as sent (iOS writes -1 when unknown); `None` when absent
    /// or not a decimal number.
    #[serde(default)]
    pub content_length: Option<i64>,
    /// The file's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

impl fmt::Debug for RemoteAttachment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteAttachment")
            .field("url", &self.url)
            .field("content_digest", &self.content_digest)
            .field("salt", &hex::encode(&self.salt))
            .field("nonce", &hex::encode(&self.nonce))
            .field("secret", &format_args!("<{} bytes redacted>", self.secret.len()))
            .field("scheme", &self.scheme)
            .field("content_length", &self.content_length)
            .field("filename", &self.filename)
            .finish()
    }
}

/// Everything a [`RemoteAttachment`] holds except the URL: the result of
/// [`encrypt_attachment`], completed with [`RemoteAttachmentMetadata::with_url`] once the payload
/// is uploaded.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteAttachmentMetadata {
    /// Lowercase hex SHA-256 of the encrypted payload.
    pub content_digest: String,
    /// HKDF salt (32 bytes).
    pub salt: Vec<u8>,
    /// AES-GCM nonce (12 bytes).
    pub nonce: Vec<u8>,
    /// The random secret (32 bytes).
    pub secret: Vec<u8>,
    /// [`REMOTE_ATTACHMENT_SCHEME`].
    pub scheme: String,
    /// Length of the encrypted payload.
    pub content_length: Option<i64>,
    /// The attachment's file name.
    pub filename: Option<String>,
}

impl fmt::Debug for RemoteAttachmentMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteAttachmentMetadata")
            .field("content_digest", &self.content_digest)
            .field("secret", &format_args!("<{} bytes redacted>", self.secret.len()))
            .field("content_length", &self.content_length)
            .field("filename", &self.filename)
            .finish_non_exhaustive()
    }
}

impl RemoteAttachmentMetadata {
    /// The remote attachment for the payload uploaded at `url`, which must start with `https`.
    pub fn with_url(self, url: impl Into<String>) -> Result<RemoteAttachment, ContentError> {
        let url = url.into();
        if !url.starts_with("https") {
            return Err(ContentError::InsecureUrl);
        }
        Ok(RemoteAttachment {
            url,
            content_digest: self.content_digest,
            salt: self.salt,
            nonce: self.nonce,
            secret: self.secret,
            scheme: self.scheme,
            content_length: self.content_length,
            filename: self.filename,
        })
    }
}

/// Encrypt an attachment for upload (facts §12.3): a fresh 32-byte secret, then the `Ciphertext`
/// construction (§4.5, no associated data) over the attachment's encoded `EncodedContent`.
/// Returns the metadata (everything but the URL) and the payload bytes to upload. Draws the
/// secret, then the salt and the nonce from `rng`.
pub fn encrypt_attachment<R: CryptoRngCore + ?Sized>(
    attachment: &Attachment,
    rng: &mut R,
) -> (RemoteAttachmentMetadata, Vec<u8>) {
    let mut secret = zeroize::Zeroizing::new([0u8; REMOTE_ATTACHMENT_SECRET_LEN]);
    rng.fill_bytes(secret.as_mut());
    let inner = zeroize::Zeroizing::new(AttachmentCodec::encode_attachment(attachment).encode_to_vec());
    let ct = crypto::encrypt(&inner, secret.as_ref(), &[], rng);
    let Some(ciphertext::Union::Aes256GcmHkdfSha256(sealed)) = ct.union else {
        unreachable!("crypto::encrypt always produces the AES-256-GCM/HKDF-SHA256 arm")
    };
    let content_length = i64::try_from(sealed.payload.len()).ok();
    let metadata = RemoteAttachmentMetadata {
        content_digest: hex::encode(crypto::sha256(&sealed.payload)),
        salt: sealed.hkdf_salt,
        nonce: sealed.gcm_nonce,
        secret: secret.to_vec(),
        scheme: REMOTE_ATTACHMENT_SCHEME.to_string(),
        content_length,
        filename: Some(attachment.filename.clone()),
    };
    (metadata, sealed.payload)
}

/// Read a downloaded remote attachment (facts §12.3): the payload must be non-empty and match the
/// content digest (compared in constant time), then it is decrypted with the secret, salt and
/// nonce, and the inner `EncodedContent` is decompressed (within the registry's cap) if
/// compressed and decoded with `registry` (normally to [`Content::Attachment`]).
pub fn decrypt_attachment(
    remote: &RemoteAttachment,
    downloaded: &[u8],
    registry: &Registry,
) -> Result<Content, ContentError> {
    if downloaded.is_empty() {
        return Err(ContentError::EmptyPayload);
    }
    let expected = hex::decode(&remote.content_digest).map_err(|_| ContentError::DigestMismatch)?;
    if !crypto::ct_eq(&crypto::sha256(downloaded), &expected) {
        return Err(ContentError::DigestMismatch);
    }
    let ct = pb::Ciphertext {
        union: Some(ciphertext::Union::Aes256GcmHkdfSha256(ciphertext::Aes256gcmHkdfsha256 {
            hkdf_salt: remote.salt.clone(),
            gcm_nonce: remote.nonce.clone(),
            payload: downloaded.to_vec(),
        })),
    };
    let plain = crypto::decrypt(&ct, &remote.secret, &[]).map_err(|e| match e {
        CryptoError::MalformedCiphertext => ContentError::InvalidParameters,
        _ => ContentError::DecryptionFailed,
    })?;
    let mut inner = pb::EncodedContent::decode(plain.as_slice()).map_err(|_| ContentError::Malformed)?;
    registry.decompress(&mut inner)?;
    registry.decode_nested(inner).map(|(_, content)| content)
}

/// The remote attachment codec.
#[derive(Debug, Default, Clone, Copy)]
pub struct RemoteAttachmentCodec;

impl RemoteAttachmentCodec {
    /// `xmtp.org/remoteStaticAttachment:1.0`.
    pub fn id() -> ContentTypeId {
        ContentTypeId::new("xmtp.org", "remoteStaticAttachment", 1, 0)
    }
}

impl Codec for RemoteAttachmentCodec {
    fn content_type(&self) -> ContentTypeId {
        Self::id()
    }

    /// Refuses a URL that does not start with `https`.
    fn encode(&self, content: &Content, _: &Registry) -> Result<pb::EncodedContent, ContentError> {
        let Content::RemoteAttachment(r) = content else {
            return Err(ContentError::WrongContentForCodec);
        };
        if !r.url.starts_with("https") {
            return Err(ContentError::InsecureUrl);
        }
        let mut parameters = BTreeMap::new();
        parameters.insert("contentDigest".to_string(), r.content_digest.clone());
        parameters.insert("salt".to_string(), hex::encode(&r.salt));
        parameters.insert("nonce".to_string(), hex::encode(&r.nonce));
        parameters.insert("secret".to_string(), hex::encode(&r.secret));
        parameters.insert("scheme".to_string(), r.scheme.clone());
        if let Some(len) = r.content_length {
            parameters.insert("contentLength".to_string(), len.to_string());
        }
        if let Some(name) = &r.filename {
            parameters.insert("filename".to_string(), name.clone());
        }
        Ok(pb::EncodedContent {
            r#type: Some(Self::id().to_proto()),
            parameters,
            fallback: None,
            compression: None,
            content: r.url.as_bytes().to_vec(),
        })
    }

    /// `contentDigest`, `salt`, `nonce`, `secret` (hex) and `scheme` are required; the URL is not
    /// checked (it is only fetched by the application).
    fn decode(&self, encoded: &pb::EncodedContent, _: &Registry) -> Result<Content, ContentError> {
        let param = |k: &str| encoded.parameters.get(k).ok_or(ContentError::InvalidParameters);
        let hex_param = |k: &str| param(k).and_then(|v| hex::decode(v).map_err(|_| ContentError::InvalidParameters));
        let url = String::from_utf8(encoded.content.clone()).map_err(|_| ContentError::InvalidUtf8)?;
        Ok(Content::RemoteAttachment(RemoteAttachment {
            url,
            content_digest: param("contentDigest")?.clone(),
            salt: hex_param("salt")?,
            nonce: hex_param("nonce")?,
            secret: hex_param("secret")?,
            scheme: param("scheme")?.clone(),
            content_length: encoded.parameters.get("contentLength").and_then(|v| v.parse().ok()),
            filename: encoded.parameters.get("filename").cloned(),
        }))
    }

    /// As for an inline attachment; without a file name:
    /// `Can’t display this attachment. This app doesn’t support attachments.`
    fn fallback(&self, content: &Content) -> Option<String> {
        let Content::RemoteAttachment(r) = content else { return None };
        Some(match &r.filename {
            Some(name) => attachment_fallback(name),
            None => "Can\u{2019}t display this attachment. This app doesn\u{2019}t support attachments.".to_string(),
        })
    }

    fn should_push(&self, _: &Content) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;

    fn file() -> Attachment {
        Attachment { filename: "remote.txt".into(), mime_type: "text/plain".into(), data: b"behind a URL\n".to_vec() }
    }

    #[test]
    fn encrypt_then_decrypt_round_trips() {
        let reg = Registry::new();
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let (meta, payload) = encrypt_attachment(&file(), &mut rng);
        assert_eq!((meta.salt.len(), meta.nonce.len(), meta.secret.len()), (32, 12, 32));
        assert_eq!(meta.content_digest, hex::encode(crypto::sha256(&payload)));
        assert_eq!(meta.content_length, Some(payload.len() as i64));
        assert!(!format!("{meta:?}").contains(&hex::encode(&meta.secret)));
        assert_eq!(meta.clone().with_url("http://x"), Err(ContentError::InsecureUrl));
        let remote = meta.with_url(format!("https://example.invalid/{}", hex::encode([1u8; 4]))).unwrap();
        assert_eq!(decrypt_attachment(&remote, &payload, &reg), Ok(Content::Attachment(file())));

        assert_eq!(decrypt_attachment(&remote, &[], &reg), Err(ContentError::EmptyPayload));
        let mut tampered = payload.clone();
        tampered[0] ^= 1;
        assert_eq!(decrypt_attachment(&remote, &tampered, &reg), Err(ContentError::DigestMismatch));
        let mut wrong_secret = remote.clone();
        wrong_secret.secret[0] ^= 1;
        assert_eq!(decrypt_attachment(&wrong_secret, &payload, &reg), Err(ContentError::DecryptionFailed));
        let mut short_nonce = remote.clone();
        short_nonce.nonce.pop();
        assert_eq!(decrypt_attachment(&short_nonce, &payload, &reg), Err(ContentError::InvalidParameters));
    }

    #[test]
    fn compressed_inner_content_is_inflated_within_the_cap() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let big = Attachment { data: vec![b'a'; 4096], ..file() };
        let mut inner = AttachmentCodec::encode_attachment(&big);
        inner.content = crate::content::compression::compress(&inner.content, crate::content::Compression::Gzip);
        inner.compression = Some(crate::content::Compression::Gzip.to_wire());
        let secret = [9u8; 32];
        let ct = crypto::encrypt(&inner.encode_to_vec(), &secret, &[], &mut rng);
        let Some(ciphertext::Union::Aes256GcmHkdfSha256(sealed)) = ct.union else { panic!() };
        let remote = RemoteAttachment {
            url: "https://example.invalid/x".into(),
            content_digest: hex::encode(crypto::sha256(&sealed.payload)),
            salt: sealed.hkdf_salt,
            nonce: sealed.gcm_nonce,
            secret: secret.to_vec(),
            scheme: REMOTE_ATTACHMENT_SCHEME.into(),
            content_length: None,
            filename: None,
        };
        let mut reg = Registry::new();
        assert_eq!(decrypt_attachment(&remote, &sealed.payload, &reg), Ok(Content::Attachment(big)));
        reg.set_max_decompressed(4095);
        assert_eq!(decrypt_attachment(&remote, &sealed.payload, &reg), Err(ContentError::TooLarge));
    }

    #[test]
    fn codec_parameters_and_checks() {
        let reg = Registry::new();
        let (meta, payload) = encrypt_attachment(&file(), &mut ChaCha20Rng::seed_from_u64(2));
        let remote = Content::RemoteAttachment(meta.with_url("https://example.invalid/f").unwrap());
        let enc = RemoteAttachmentCodec.encode(&remote, &reg).unwrap();
        assert_eq!(enc.content, b"https://example.invalid/f");
        assert_eq!(enc.parameters["scheme"], "https://");
        assert_eq!(enc.parameters["salt"].len(), 64);
        assert_eq!(enc.parameters["contentLength"], payload.len().to_string());
        assert_eq!(RemoteAttachmentCodec.decode(&enc, &reg).unwrap(), remote);
        assert_eq!(
            RemoteAttachmentCodec.fallback(&remote).unwrap(),
            "Can’t display \"remote.txt\". This app doesn’t support attachments."
        );

        let Content::RemoteAttachment(mut plain_http) = remote.clone() else { unreachable!() };
        plain_http.url = "http://example.invalid/f".into();
        assert_eq!(
            RemoteAttachmentCodec.encode(&Content::RemoteAttachment(plain_http), &reg),
            Err(ContentError::InsecureUrl)
        );

        // iOS: scheme `https`, unknown length -1; a missing length shows as null.
        let mut ios = enc.clone();
        ios.parameters.insert("scheme".into(), "https".into());
        ios.parameters.insert("contentLength".into(), "-1".into());
        let Ok(Content::RemoteAttachment(r)) = RemoteAttachmentCodec.decode(&ios, &reg) else { panic!() };
        assert_eq!((r.scheme.as_str(), r.content_length), ("https", Some(-1)));
        ios.parameters.remove("contentLength");
        let decoded = RemoteAttachmentCodec.decode(&ios, &reg).unwrap();
        assert_eq!(decoded.to_json()["contentLength"], serde_json::Value::Null);

        let mut bad = enc;
        bad.parameters.insert("salt".into(), "zz".into());
        assert_eq!(RemoteAttachmentCodec.decode(&bad, &reg), Err(ContentError::InvalidParameters));
        bad.parameters.remove("salt");
        assert_eq!(RemoteAttachmentCodec.decode(&bad, &reg), Err(ContentError::InvalidParameters));
    }
}
