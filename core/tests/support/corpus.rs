//! Reading an interop corpus (`{"identities", "envelopes", "expected"}`) with the core, and
//! comparing the result with what another implementation read from the same envelopes.
#![allow(dead_code)]

use std::collections::BTreeMap;

use serde_json::{json, Value};
use xmtp_core::content::DecodedContent;
use xmtp_core::decoder::{Decoded, EnvelopeReader};
use xmtp_core::keys::PrivateKeyBundle;
use xmtp_core::message::DecodedMessage;
use xmtp_core::proto::message_api::v1::Envelope;

/// One conversation as read: version, peer, context, created time, messages by (sent, id).
#[derive(Debug, Default)]
pub struct Conversation {
    pub version: String,
    pub peer_address: String,
    pub context: Value,
    pub created_ns: u64,
    pub messages: BTreeMap<(u64, String), Value>,
}

/// Everything one identity read, by conversation topic, plus envelope errors by index.
#[derive(Debug, Default)]
pub struct ReadBack {
    pub conversations: BTreeMap<String, Conversation>,
    pub errors: BTreeMap<usize, String>,
    /// Messages whose content we did not decode: their content type, the error code and the
    /// fallback text.
    pub undecoded: Vec<Undecoded>,
}

/// A message whose content we did not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecoded {
    pub content_type: String,
    pub error: String,
    pub fallback: Option<String>,
}

pub fn envelopes(corpus: &Value) -> Vec<Envelope> {
    let text = serde_json::to_string(&corpus["envelopes"]).expect("json");
    xmtp_core::api::envelopes_from_json(&text)
        .expect("envelope list")
        .into_iter()
        .map(|e| e.expect("envelope"))
        .collect()
}

/// Read all envelopes of a corpus with the keys of `identity`.
pub fn read_as(corpus: &Value, identity: &str) -> ReadBack {
    let keys_b64 = corpus["identities"][identity]["keys"].as_str().expect("keys");
    let keys = PrivateKeyBundle::from_bytes(&xmtp_core::api::decode_base64(keys_b64).unwrap()).expect("valid keys");
    let mut reader = EnvelopeReader::new(keys);
    let mut out = ReadBack::default();
    for (i, e) in envelopes(corpus).iter().enumerate() {
        match reader.read(e).1 {
            Err(err) => {
                out.errors.insert(i, err.code().to_string());
            }
            Ok(Decoded::Invite { conversation: c, .. }) => {
                record_conversation(&mut out, &c.topic, "v2", c.peer_address.as_str(), json!(c.context), c.created_ns);
            }
            Ok(Decoded::Message { message, content }) => record_message(&mut out, &message, &content),
            Ok(_) => {}
        }
    }
    // V1 conversations as the reader learned them (peer, earliest message).
    for c in reader.v1_conversations() {
        record_conversation(&mut out, &c.topic, "v1", c.peer_address.as_str(), Value::Null, c.created_ns);
    }
    out
}

/// Record a conversation's metadata.
pub fn record_conversation(
    out: &mut ReadBack,
    topic: &str,
    version: &str,
    peer: &str,
    context: Value,
    created_ns: u64,
) {
    let entry = out.conversations.entry(topic.to_string()).or_default();
    entry.version = version.into();
    entry.peer_address = peer.into();
    entry.context = context;
    entry.created_ns = created_ns;
}

/// Record a message in the shape the interop harness writes (`id`, `senderAddress`, `sentNs`,
/// `contentType`, `content`, `fallback`), noting content we could not decode.
pub fn record_message(out: &mut ReadBack, m: &DecodedMessage, content: &DecodedContent) {
    let content_type = content.content_type.as_ref().map(|t| t.to_string());
    if content.content.is_none() {
        out.undecoded.push(Undecoded {
            content_type: content_type.clone().unwrap_or_default(),
            error: content.error.as_ref().map(|e| e.code().to_string()).unwrap_or_default(),
            fallback: content.fallback.clone(),
        });
    }
    // The core's one message shape, narrowed to the fields the interop harness writes (content
    // that no codec read is null there, where the core shows its bytes).
    let full = xmtp_core::render::message_json(m, content);
    let mut narrowed = serde_json::Map::new();
    for key in ["id", "senderAddress", "sentNs", "contentType", "fallback"] {
        narrowed.insert(key.into(), full[key].clone());
    }
    narrowed.insert("content".into(), if content.content.is_some() { full["content"].clone() } else { Value::Null });
    let entry = out.conversations.entry(m.conversation_topic.clone()).or_default();
    entry.messages.insert((m.sent_ns, m.id.clone()), Value::Object(narrowed));
}

/// Compare what another implementation read (`expected`: `{"conversations": [...]}` as the
/// interop harness writes it) with our read-back. Content is compared whenever we decoded it;
/// content we could not decode must be content the other side could not decode either.
/// Returns how many message contents were compared.
pub fn compare(expected: &Value, got: &ReadBack) -> Result<usize, String> {
    let convs = expected["conversations"].as_array().ok_or("expected.conversations")?;
    if convs.len() != got.conversations.len() {
        return Err(format!("conversation count: expected {}, read {}", convs.len(), got.conversations.len()));
    }
    let mut compared = 0;
    for c in convs {
        let topic = c["topic"].as_str().ok_or("topic")?;
        let ours = got.conversations.get(topic).ok_or_else(|| format!("conversation {topic} not read"))?;
        let want = |k: &str| c[k].as_str().unwrap_or_default().to_string();
        if ours.version != want("version") || ours.peer_address != want("peerAddress") {
            return Err(format!(
                "{topic}: version/peer {} {} vs {} {}",
                ours.version,
                ours.peer_address,
                want("version"),
                want("peerAddress")
            ));
        }
        if ours.context != c["context"] {
            return Err(format!("{topic}: context {} vs {}", ours.context, c["context"]));
        }
        if ours.created_ns.to_string() != want("createdNs") {
            return Err(format!("{topic}: createdNs {} vs {}", ours.created_ns, want("createdNs")));
        }
        let msgs = c["messages"].as_array().ok_or("messages")?;
        let mine: Vec<&Value> = ours.messages.values().collect();
        if msgs.len() != mine.len() {
            return Err(format!("{topic}: message count {} vs {}", mine.len(), msgs.len()));
        }
        for (theirs, mine) in msgs.iter().zip(mine) {
            for k in ["id", "senderAddress", "sentNs", "contentType"] {
                if theirs[k] != mine[k] {
                    return Err(format!("{topic}: {k} {} vs {}", mine[k], theirs[k]));
                }
            }
            if theirs["fallback"] != mine["fallback"] {
                return Err(format!("{topic}: fallback {} vs {}", mine["fallback"], theirs["fallback"]));
            }
            match &mine["content"] {
                Value::Null => {
                    if !theirs["content"].is_null() {
                        return Err(format!(
                            "{topic}: message {} ({}) not decoded",
                            theirs["id"], theirs["contentType"]
                        ));
                    }
                }
                content if *content != theirs["content"] => {
                    return Err(format!("{topic}: content {content} vs {}", theirs["content"]));
                }
                _ => compared += 1,
            }
        }
    }
    Ok(compared)
}

/// For every remote attachment in `expected` that the other implementation downloaded
/// (`remoteContent`), decrypt the payload from `attachments` (`{url: base64}`) with the core and
/// compare. Fails on a `remoteError`. Returns how many were compared.
pub fn compare_remote(expected: &Value, attachments: &Value) -> Result<usize, String> {
    use xmtp_core::content::{decrypt_attachment, Registry, RemoteAttachment};
    let registry = Registry::new();
    let mut compared = 0;
    for c in expected["conversations"].as_array().ok_or("expected.conversations")? {
        for m in c["messages"].as_array().ok_or("messages")? {
            if let Some(e) = m.get("remoteError") {
                return Err(format!("{}: the other side could not load the attachment: {e}", m["id"]));
            }
            let Some(want) = m.get("remoteContent") else { continue };
            let remote: RemoteAttachment =
                serde_json::from_value(m["content"].clone()).map_err(|e| format!("{}: {e}", m["id"]))?;
            let payload = attachments[&remote.url].as_str().ok_or_else(|| format!("no payload for {}", remote.url))?;
            let payload = xmtp_core::api::decode_base64(payload).map_err(|e| format!("{e:?}"))?;
            let got = decrypt_attachment(&remote, &payload, &registry).map_err(|e| format!("{}: {e}", m["id"]))?;
            if got.to_json() != *want {
                return Err(format!("{}: remote content {} vs {want}", m["id"], got.to_json()));
            }
            compared += 1;
        }
    }
    Ok(compared)
}
