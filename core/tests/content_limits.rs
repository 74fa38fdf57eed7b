//! Content decoding limits: decompression bombs, the configurable cap and nesting depth.

use std::io::Write;
use std::time::{Duration, Instant};

use prost::Message as _;
use xmtp_core::content::{
    CompositeCodec, Compression, Content, ContentError, Registry, Reply, ReplyCodec, TextCodec,
    DEFAULT_MAX_DECOMPRESSED, MAX_NESTING,
};
use xmtp_core::proto::message_contents::EncodedContent;

const MIB: usize = 1 << 20;
const GIB: u64 = 1 << 30;

/// A zlib stream (RFC 1950) that inflates to `size` zero bytes (a whole number of MiB), built
/// without ever holding the plaintext.
///
/// Zeros are compressed in a streaming loop, 1 MiB at a time with a sync flush after each chunk.
/// After the first chunk the compressor is in the same state every time, so every further chunk
/// comes out as the same byte-aligned run of deflate blocks (checked here); that run is repeated
/// rather than compressing a whole GiB, which takes tens of seconds in an unoptimized build. The
/// stream is closed with an empty final block and the Adler-32 of `size` zeros.
fn zlib_zeros(size: u64) -> Vec<u8> {
    let chunks = size / MIB as u64;
    assert!(chunks >= 1 && size % MIB as u64 == 0);
    let zeros = vec![0u8; MIB];
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let mut runs = Vec::new();
    for _ in 0..3 {
        encoder.write_all(&zeros).unwrap();
        encoder.flush().unwrap(); // a sync flush: the output so far ends on a byte boundary
        runs.push(std::mem::take(encoder.get_mut()));
    }
    assert_eq!(runs[1], runs[2], "zero chunks after the first compress identically");
    let mut out = runs[0].clone();
    for _ in 1..chunks {
        out.extend_from_slice(&runs[1]);
    }
    // Final fixed-Huffman block holding only end-of-block: bits 1 (final), 01 (fixed), 0000000.
    out.extend_from_slice(&[0x03, 0x00]);
    // Adler-32 of n zero bytes: A = 1, B = n mod 65521.
    let b = u32::try_from(size % 65521).unwrap();
    out.extend_from_slice(&((b << 16) | 1).to_be_bytes());
    out
}

fn deflated_text(payload: Vec<u8>) -> Vec<u8> {
    EncodedContent {
        r#type: Some(TextCodec::id().to_proto()),
        parameters: [("encoding".to_string(), "UTF-8".to_string())].into_iter().collect(),
        fallback: None,
        compression: Some(Compression::Deflate.to_wire()),
        content: payload,
    }
    .encode_to_vec()
}

#[test]
fn one_gib_deflate_bomb_is_rejected_quickly() {
    let bomb = zlib_zeros(GIB);
    assert!(bomb.len() < 2 * MIB, "{} bytes", bomb.len());
    let message = deflated_text(bomb);
    let registry = Registry::new();
    let start = Instant::now();
    let decoded = registry.decode(&message);
    let elapsed = start.elapsed();
    assert_eq!(decoded.error, Some(ContentError::TooLarge));
    assert_eq!(decoded.content, None);
    assert!(decoded.raw.is_empty());
    eprintln!("1 GiB DEFLATE bomb rejected in {elapsed:?}");
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
}

#[test]
fn decompression_cap_is_configurable() {
    // The bomb construction is sound: with a cap of exactly its size, it inflates completely.
    let size = 2 * DEFAULT_MAX_DECOMPRESSED;
    let message = deflated_text(zlib_zeros(size as u64));
    let mut registry = Registry::new();
    assert_eq!(registry.max_decompressed(), DEFAULT_MAX_DECOMPRESSED);
    assert_eq!(registry.decode(&message).error, Some(ContentError::TooLarge));
    registry.set_max_decompressed(size);
    let decoded = registry.decode(&message);
    assert_eq!(decoded.error, None);
    let Some(Content::Text(text)) = decoded.content else { panic!("text") };
    assert!(text.len() == size && text.bytes().all(|b| b == 0));
    registry.set_max_decompressed(size - 1);
    assert_eq!(registry.decode(&message).error, Some(ContentError::TooLarge));

    // xmtp-js 13 reads nothing that inflates beyond 1000 bytes; the same cap here.
    let sender = Registry::new();
    let long = Content::Text("x".repeat(1001));
    let payload = sender.encode(&TextCodec::id(), &long, Some(Compression::Gzip)).unwrap();
    let mut js_like = Registry::new();
    js_like.set_max_decompressed(1000);
    assert_eq!(js_like.decode(&payload.bytes).error, Some(ContentError::TooLarge));
    assert_eq!(sender.decode(&payload.bytes).content, Some(long));
}

#[test]
fn nesting_is_bounded() {
    let registry = Registry::new();
    let reply = |inner: Content, ty| {
        Content::Reply(Reply {
            reference: "00".into(),
            reference_inbox_id: None,
            content_type: ty,
            content: Box::new(inner),
        })
    };
    // MAX_NESTING replies around a text: fine. One more: refused, both ways.
    let mut content = Content::Text("deep".into());
    let mut ty = TextCodec::id();
    for _ in 0..MAX_NESTING {
        content = reply(content, ty);
        ty = ReplyCodec::id();
    }
    let ok = registry.encode(&ReplyCodec::id(), &content, None).unwrap();
    assert_eq!(registry.decode(&ok.bytes).content, Some(content.clone()));
    let too_deep = reply(content, ReplyCodec::id());
    assert_eq!(registry.encode(&ReplyCodec::id(), &too_deep, None), Err(ContentError::NestingTooDeep));

    // Hand-built: MAX_NESTING + 1 replies.
    let mut encoded = EncodedContent {
        r#type: Some(TextCodec::id().to_proto()),
        parameters: [("encoding".to_string(), "UTF-8".to_string())].into_iter().collect(),
        content: b"deep".to_vec(),
        ..Default::default()
    };
    for _ in 0..=MAX_NESTING {
        encoded = EncodedContent {
            r#type: Some(ReplyCodec::id().to_proto()),
            parameters: [("reference".to_string(), "00".to_string())].into_iter().collect(),
            content: encoded.encode_to_vec(),
            ..Default::default()
        };
    }
    assert_eq!(registry.decode(&encoded.encode_to_vec()).error, Some(ContentError::NestingTooDeep));
}

#[test]
fn nested_content_is_never_inflated() {
    // A reply and a composite whose inner content claims compression (here: small bombs) are
    // refused outright, so a message cannot multiply the decompression cap by its part count.
    let registry = Registry::new();
    let bomb = EncodedContent {
        r#type: Some(TextCodec::id().to_proto()),
        parameters: [("encoding".to_string(), "UTF-8".to_string())].into_iter().collect(),
        fallback: None,
        compression: Some(Compression::Deflate.to_wire()),
        content: zlib_zeros(4 * MIB as u64),
    };
    let reply = EncodedContent {
        r#type: Some(ReplyCodec::id().to_proto()),
        parameters: [("reference".to_string(), "00".to_string())].into_iter().collect(),
        content: bomb.encode_to_vec(),
        ..Default::default()
    };
    assert_eq!(registry.decode(&reply.encode_to_vec()).error, Some(ContentError::UnsupportedCompression));
    use xmtp_core::proto::message_contents::{composite, Composite};
    let part = composite::Part { element: Some(composite::part::Element::Part(bomb)) };
    let many = EncodedContent {
        r#type: Some(CompositeCodec::id().to_proto()),
        content: Composite { parts: vec![part; 1000] }.encode_to_vec(),
        ..Default::default()
    };
    let start = Instant::now();
    assert_eq!(registry.decode(&many.encode_to_vec()).error, Some(ContentError::UnsupportedCompression));
    assert!(start.elapsed() < Duration::from_secs(1));
}
