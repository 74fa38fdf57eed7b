//! Each standard codec on its own: the first byte picks the codec, the rest is an
//! `EncodedContent` (parameters, content) whose type is set to that codec's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message as _;
use xmtp_core::content::{
    AttachmentCodec, CompositeCodec, ReactionCodec, ReadReceiptCodec, Registry, RemoteAttachmentCodec, ReplyCodec,
    TextCodec, TransactionReferenceCodec,
};
use xmtp_proto::message_contents::EncodedContent;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let ids = [
        TextCodec::id(),
        ReactionCodec::id(),
        ReplyCodec::id(),
        ReadReceiptCodec::id(),
        AttachmentCodec::id(),
        RemoteAttachmentCodec::id(),
        TransactionReferenceCodec::id(),
        CompositeCodec::id(),
    ];
    let id = &ids[usize::from(pick) % ids.len()];
    let mut encoded = EncodedContent::decode(rest)
        .unwrap_or_else(|_| EncodedContent { content: rest.to_vec(), ..Default::default() });
    encoded.r#type = Some(id.to_proto());
    encoded.compression = None;
    let registry = Registry::new();
    let codec = registry.codec_for(id).expect("a standard codec");
    if let Ok(content) = codec.decode(&encoded, &registry) {
        let _ = codec.fallback(&content);
        let _ = codec.should_push(&content);
        let _ = codec.encode(&content, &registry);
    }
    let _ = registry.decode_proto(encoded).content_json();
});
