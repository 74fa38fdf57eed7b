//! `xmtp decode`: envelopes + a key bundle in, one JSON line per envelope out.

use std::io::Write;

use serde_json::{json, Map, Value};
use xmtp_core::decoder::{Decoded, EnvelopeReader};
use xmtp_core::keys::PrivateKeyBundle;

/// Read a key file: base64 text, hex text, or raw bytes of an encoded PrivateKeyBundle.
pub fn load_keys(file: &[u8]) -> Result<PrivateKeyBundle, String> {
    let mut last_err = None;
    let text = std::str::from_utf8(file).ok().map(str::trim).filter(|t| !t.is_empty());
    let candidates = text
        .into_iter()
        .flat_map(|t| [xmtp_core::api::decode_base64(t).ok(), hex::decode(t.trim_start_matches("0x")).ok()])
        .flatten()
        .chain(std::iter::once(file.to_vec()));
    for bytes in candidates {
        match PrivateKeyBundle::from_bytes(&bytes) {
            Ok(k) => return Ok(k),
            Err(e) => last_err = Some(e),
        }
    }
    Err(format!(
        "the key file does not hold a valid private key bundle ({})",
        last_err.map(|e| e.code()).unwrap_or("empty")
    ))
}

fn error_json(code: &str, message: String) -> Value {
    json!({ "code": code, "message": message })
}

/// Decode every envelope of `input` with the keys in `key_file`, writing JSON lines to `out`.
pub fn run(key_file: &[u8], input: &str, out: &mut impl Write) -> Result<(), String> {
    let keys = load_keys(key_file)?;
    let envelopes = xmtp_core::api::envelopes_from_json(input).map_err(|e| format!("cannot read envelopes: {e}"))?;
    let mut reader = EnvelopeReader::new(keys);
    for (index, envelope) in envelopes.into_iter().enumerate() {
        let line = match envelope {
            Err(e) => json!({
                "index": index, "contentTopic": null, "kind": "unknown", "ok": false,
                "error": error_json(e.code(), e.to_string()),
            }),
            Ok(envelope) => {
                let (kind, result) = reader.read(&envelope);
                let mut obj = Map::new();
                obj.insert("index".into(), json!(index));
                obj.insert("contentTopic".into(), json!(envelope.content_topic));
                obj.insert("kind".into(), json!(kind.as_str()));
                match result {
                    Ok(decoded) => {
                        obj.insert("ok".into(), json!(true));
                        describe(&decoded, &mut obj);
                    }
                    Err(e) => {
                        obj.insert("ok".into(), json!(false));
                        obj.insert("error".into(), error_json(e.code(), e.to_string()));
                    }
                }
                Value::Object(obj)
            }
        };
        writeln!(out, "{line}").map_err(|e| format!("cannot write output: {e}"))?;
    }
    Ok(())
}

fn describe(decoded: &Decoded, obj: &mut Map<String, Value>) {
    match decoded {
        Decoded::Contact(c) => {
            obj.insert("address".into(), json!(c.address().as_str()));
            obj.insert("contactVersion".into(), json!(format!("{:?}", c.version).to_lowercase()));
        }
        Decoded::PrivateStore { owner } => {
            obj.insert("address".into(), json!(owner.as_ref().map(|a| a.to_string())));
        }
        Decoded::Invite { conversation, is_new } => {
            obj.insert("conversationTopic".into(), json!(conversation.topic));
            obj.insert("peerAddress".into(), json!(conversation.peer_address.as_str()));
            obj.insert("context".into(), json!(conversation.context));
            obj.insert("createdNs".into(), json!(conversation.created_ns.to_string()));
            obj.insert("new".into(), json!(is_new));
        }
        Decoded::Message { message, content } => {
            obj.insert("id".into(), json!(message.id));
            obj.insert("senderAddress".into(), json!(message.sender_address.as_str()));
            if let Some(r) = &message.recipient_address {
                obj.insert("recipientAddress".into(), json!(r.as_str()));
            }
            obj.insert("sentNs".into(), json!(message.sent_ns.to_string()));
            obj.insert("conversationTopic".into(), json!(message.conversation_topic));
            obj.insert("contentType".into(), json!(content.content_type.as_ref().map(|t| t.to_string())));
            obj.insert("content".into(), content.content_json());
            obj.insert("fallback".into(), json!(content.fallback));
            if let Some(e) = &content.error {
                obj.insert("contentError".into(), error_json(e.code(), e.to_string()));
            }
        }
        Decoded::Preferences(a) => {
            obj.insert(
                "action".into(),
                json!({
                    "allowAddresses": a.allow_addresses, "denyAddresses": a.deny_addresses,
                    "allowGroups": a.allow_groups, "denyGroups": a.deny_groups,
                    "allowInboxIds": a.allow_inbox_ids, "denyInboxIds": a.deny_inbox_ids,
                }),
            );
        }
        _ => {}
    }
}
