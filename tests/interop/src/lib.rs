//! Interoperability with the real `@xmtp/xmtp-js` 13: a Rust-side corpus producer and helpers to
//! run the JavaScript harness in `js/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};
use xmtp_core::content::{
    encrypt_attachment, Attachment, AttachmentCodec, Compression, Content, ContentTypeId, NetworkId, Reaction,
    ReactionAction, ReactionCodec, ReactionSchema, ReadReceiptCodec, Registry, RemoteAttachmentCodec, Reply,
    ReplyCodec, TextCodec, TransactionMetadata, TransactionReference, TransactionReferenceCodec,
};
use xmtp_core::invitation::{self, ConversationContext};
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};
use xmtp_core::message;
use xmtp_core::proto::message_api::v1::Envelope;
use xmtp_core::{api, contact, topic};

/// The harness directory (`tests/interop/js`).
pub fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js")
}

/// Run a harness script with Node.js; fails with guidance when the harness is not installed.
pub fn run_node(script: &str, args: &[&str]) -> Result<(), String> {
    let dir = js_dir();
    if !dir.join("node_modules/@xmtp/xmtp-js").is_dir() {
        return Err(format!("the xmtp-js harness is not installed: run `npm ci` in {}", dir.display()));
    }
    let out = Command::new("node")
        .arg(script)
        .args(args)
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "node {script} failed ({}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// A scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xmtp-interop-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// Read a JSON file.
pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read json")).expect("json")
}

/// `example.org/counter:1.0`, an application type xmtp-js does not know: a number as UTF-8
/// text, with a fallback.
#[derive(Debug)]
pub struct CounterCodec;

impl CounterCodec {
    /// Its type id.
    pub fn id() -> ContentTypeId {
        ContentTypeId::new("example.org", "counter", 1, 0)
    }
}

impl xmtp_core::content::Codec for CounterCodec {
    fn content_type(&self) -> ContentTypeId {
        Self::id()
    }
    fn encode(
        &self,
        content: &Content,
        _: &Registry,
    ) -> Result<xmtp_core::proto::message_contents::EncodedContent, xmtp_core::content::ContentError> {
        let Content::Custom(v) = content else { return Err(xmtp_core::content::ContentError::WrongContentForCodec) };
        Ok(xmtp_core::proto::message_contents::EncodedContent {
            r#type: Some(Self::id().to_proto()),
            content: v.to_string().into_bytes(),
            ..Default::default()
        })
    }
    fn decode(
        &self,
        encoded: &xmtp_core::proto::message_contents::EncodedContent,
        _: &Registry,
    ) -> Result<Content, xmtp_core::content::ContentError> {
        serde_json::from_slice(&encoded.content)
            .map(Content::Custom)
            .map_err(|_| xmtp_core::content::ContentError::InvalidContent)
    }
    fn fallback(&self, content: &Content) -> Option<String> {
        Some(format!("Counter: {}", content.to_json()))
    }
    fn should_push(&self, _: &Content) -> bool {
        false
    }
}

struct Writer {
    rng: ChaCha20Rng,
    registry: Registry,
    envelopes: Vec<Envelope>,
    clock_ms: u64,
}

impl Writer {
    fn tick(&mut self) -> u64 {
        self.clock_ms += 7;
        self.clock_ms
    }

    fn publish(&mut self, topics: &[String], bytes: &[u8], timestamp_ns: u64) {
        for t in topics {
            self.envelopes.push(Envelope { content_topic: t.clone(), timestamp_ns, message: bytes.to_vec() });
        }
    }

    fn identity(&mut self) -> PrivateKeyBundle {
        let now = self.tick();
        LocalWallet::generate(&mut self.rng).create_identity(&mut self.rng, now)
    }

    fn text(&self, s: &str, compression: Option<Compression>) -> xmtp_core::content::EncodedPayload {
        self.registry.encode(&TextCodec::id(), &Content::Text(s.into()), compression).expect("text encodes")
    }

    /// Send a V2 message; returns its id.
    fn send_v2_payload(
        &mut self,
        from: &PrivateKeyBundle,
        topic: &str,
        key: &[u8],
        payload: &xmtp_core::content::EncodedPayload,
    ) -> String {
        let ns = self.tick() * 1_000_000;
        let out = message::encode_v2(from, topic, key, payload, ns, false, &mut self.rng);
        self.publish(&out.topics, &out.bytes, out.timestamp_ns);
        out.id
    }

    fn send_v2(&mut self, from: &PrivateKeyBundle, topic: &str, key: &[u8], s: &str, c: Option<Compression>) -> String {
        let payload = self.text(s, c);
        self.send_v2_payload(from, topic, key, &payload)
    }

    fn send_v2_content(
        &mut self,
        from: &PrivateKeyBundle,
        topic: &str,
        key: &[u8],
        content_type: &ContentTypeId,
        content: &Content,
    ) -> String {
        let payload = self.registry.encode(content_type, content, None).expect("content encodes");
        self.send_v2_payload(from, topic, key, &payload)
    }

    fn send_v1(
        &mut self,
        from: &PrivateKeyBundle,
        to: &PrivateKeyBundle,
        s: &str,
        c: Option<Compression>,
        intro: bool,
    ) {
        let payload = self.text(s, c);
        let ms = self.tick();
        let out = message::encode_v1(from, &to.public_bundle(), &payload.bytes, ms, intro, false, &mut self.rng)
            .expect("v1 encodes");
        self.publish(&out.topics, &out.bytes, out.timestamp_ns);
    }
}

/// Produce a corpus written entirely by the Rust core: alice↔bob V2 (without and with context),
/// alice↔carol V1 (carol publishes only a legacy contact), texts plain, non-ASCII, empty,
/// DEFLATE- and GZIP-compressed and long; then, from alice on the first V2 conversation, one
/// message of each other standard type: a reaction (to bob's answer), a reply with text (to
/// alice's first message), a read receipt, an attachment, a remote attachment (its encrypted
/// payload in `"attachments"`, keyed by URL) and a transaction reference. Same JSON shape as the
/// harness's `produce.cjs`.
pub fn rust_corpus(seed: u64, start_ms: u64) -> Value {
    let mut w = Writer {
        rng: ChaCha20Rng::seed_from_u64(seed),
        registry: {
            let mut r = Registry::new();
            r.register(std::sync::Arc::new(CounterCodec));
            r
        },
        envelopes: Vec::new(),
        clock_ms: start_ms,
    };
    let (alice, bob, carol) = (w.identity(), w.identity(), w.identity());
    for (keys, v2) in [(&alice, true), (&bob, true), (&carol, false)] {
        let ns = w.tick() * 1_000_000;
        w.publish(&[topic::contact(keys.address())], &contact::encode_v1(keys).expect("legacy"), ns);
        if v2 {
            let ns = w.tick() * 1_000_000;
            w.publish(&[topic::contact(keys.address())], &contact::encode_v2(keys), ns);
        }
    }
    let long = "Long message from the Rust core. ".repeat(28);
    let compressible = "Compressible text from Rust. ".repeat(10);

    // V2 without context.
    let ns = w.tick() * 1_000_000;
    let invite = invitation::create(&alice, &bob.public_bundle(), None, None, ns, &mut w.rng).expect("invite");
    w.publish(&invite.topics, &invite.payload, invite.timestamp_ns);
    let (t, k) = (invite.conversation.topic.clone(), invite.conversation.key_material.clone());
    let (first_topic, first_key) = (t.clone(), k.clone());
    let first = w.send_v2(&alice, &t, k.expose(), "Hello Bob, from the Rust core.", None);
    w.send_v2(&alice, &t, k.expose(), "Ünïcödé — 你好 — 🦀🎉", None);
    w.send_v2(&alice, &t, k.expose(), "", None);
    w.send_v2(&alice, &t, k.expose(), &format!("DEFLATE {compressible}"), Some(Compression::Deflate));
    w.send_v2(&alice, &t, k.expose(), &format!("GZIP {compressible}"), Some(Compression::Gzip));
    w.send_v2(&alice, &t, k.expose(), &long, None);
    let bob_side = invitation::open(&bob, invite.timestamp_ns, &invite.payload).expect("bob opens");
    let bob_answer = w.send_v2(&bob, &bob_side.topic, bob_side.key_material.expose(), "Bob answers from Rust ✓", None);

    // V2 with context.
    let ctx = ConversationContext {
        conversation_id: "xmtp.org/rust/1".into(),
        metadata: [("title".to_string(), "From Rust".to_string())].into_iter().collect(),
    };
    let ns = w.tick() * 1_000_000;
    let invite = invitation::create(&bob, &alice.public_bundle(), Some(&ctx), None, ns, &mut w.rng).expect("invite");
    w.publish(&invite.topics, &invite.payload, invite.timestamp_ns);
    let (t, k) = (invite.conversation.topic.clone(), invite.conversation.key_material.clone());
    w.send_v2(&bob, &t, k.expose(), "Context conversation opened by bob", None);
    w.send_v2(&alice, &t, k.expose(), "Alice replies in the context conversation", None);

    // V1 with carol (first message of each side carries intros).
    w.send_v1(&alice, &carol, "Hello Carol, V1 from Rust.", None, true);
    w.send_v1(&carol, &alice, "Carol here: ¡Hola! 😀", None, true);
    w.send_v1(&alice, &carol, &format!("V1 DEFLATE {compressible}"), Some(Compression::Deflate), false);
    w.send_v1(&carol, &alice, &format!("V1 GZIP {compressible}"), Some(Compression::Gzip), false);

    // Every other standard content type, from alice on the first conversation.
    let (t, k) = (first_topic, first_key);
    let reaction = Reaction {
        action: ReactionAction::Added,
        reference: bob_answer,
        reference_inbox_id: None,
        schema: ReactionSchema::Unicode,
        content: "🦀".into(),
    };
    w.send_v2_content(&alice, &t, k.expose(), &ReactionCodec::id(), &Content::Reaction(reaction));
    let reply = Reply {
        reference: first,
        reference_inbox_id: None,
        content_type: TextCodec::id(),
        content: Box::new(Content::Text("Replying to my own first message".into())),
    };
    w.send_v2_content(&alice, &t, k.expose(), &ReplyCodec::id(), &Content::Reply(reply));
    w.send_v2_content(&alice, &t, k.expose(), &ReadReceiptCodec::id(), &Content::ReadReceipt);
    let attachment = Attachment {
        filename: "rust.txt".into(),
        mime_type: "text/plain".into(),
        data: b"Hello from Rust!\n".to_vec(),
    };
    w.send_v2_content(&alice, &t, k.expose(), &AttachmentCodec::id(), &Content::Attachment(attachment));
    let file = Attachment {
        filename: "remote-rust.txt".into(),
        mime_type: "text/plain".into(),
        data: "This file, encrypted by the Rust core, lives behind a URL. ✓\n".as_bytes().to_vec(),
    };
    let (metadata, payload) = encrypt_attachment(&file, &mut w.rng);
    let url = format!("https://example.invalid/{}", metadata.content_digest);
    let remote = metadata.with_url(url.clone()).expect("https URL");
    w.send_v2_content(&alice, &t, k.expose(), &RemoteAttachmentCodec::id(), &Content::RemoteAttachment(remote));
    // An application type only the sender knows: every reader falls back to its text.
    w.send_v2_content(&alice, &t, k.expose(), &CounterCodec::id(), &Content::Custom(serde_json::json!(3)));
    let tx = TransactionReference {
        namespace: Some("eip155".into()),
        network_id: NetworkId::Number(8453.into()),
        reference: format!("0x{}", "cd".repeat(32)),
        metadata: Some(TransactionMetadata {
            transaction_type: "transfer".into(),
            currency: "USDC".into(),
            amount: 2_500_000.into(),
            decimals: 6.into(),
            from_address: alice.address().as_str().into(),
            to_address: bob.address().as_str().into(),
        }),
    };
    w.send_v2_content(&alice, &t, k.expose(), &TransactionReferenceCodec::id(), &Content::TransactionReference(tx));

    let id = |k: &PrivateKeyBundle| json!({"address": k.address().as_str(), "keys": STANDARD.encode(k.to_v1_bytes().expect("v1 keys"))});
    json!({
        "generator": "xmtp-core",
        "identities": {"alice": id(&alice), "bob": id(&bob), "carol": id(&carol)},
        "envelopes": w.envelopes.iter().map(api::envelope_to_json).collect::<Vec<_>>(),
        "attachments": {url: STANDARD.encode(&payload)},
    })
}
