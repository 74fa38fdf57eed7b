//! One JSON shape for what a client shows: a decoded message, a conversation, and a read
//! envelope. The CLI (`--json`, `decode`), the bindings and the tests all use these, so a field
//! has one name everywhere.
//!
//! Conventions: camelCase keys; 64-bit timestamps as decimal strings (JSON numbers lose
//! precision past 2^53 in JavaScript); addresses EIP-55; content as
//! [`DecodedContent::content_json`] (a string for text, an object for structured types, base64
//! for types no codec read); errors as `{code, message}` with a stable code.

use serde_json::{json, Map, Value};
use xmtp_proto::message_api::v1::Envelope;

use crate::consent::ConsentAction;
use crate::content::DecodedContent;
use crate::decoder::{Decoded, EnvelopeKind};
use crate::invitation::ConversationContext;
use crate::message::DecodedMessage;
use crate::Error;

/// An error as `{code, message}`.
pub fn error_json(code: &str, message: &str) -> Value {
    json!({ "code": code, "message": message })
}

/// A message: `id`, `senderAddress`, `recipientAddress` (V1), `sentNs`, `conversationTopic`,
/// `contentType`, `content`, `fallback`, and `contentError` when the content could not be read.
pub fn message_json(message: &DecodedMessage, content: &DecodedContent) -> Value {
    let mut obj = Map::new();
    message_fields(message, content, &mut obj);
    Value::Object(obj)
}

fn message_fields(message: &DecodedMessage, content: &DecodedContent, obj: &mut Map<String, Value>) {
    obj.insert("id".into(), json!(message.id));
    obj.insert("senderAddress".into(), json!(message.sender_address.as_str()));
    if let Some(r) = &message.recipient_address {
        obj.insert("recipientAddress".into(), json!(r.as_str()));
    }
    obj.insert("sentNs".into(), json!(message.sent_ns.to_string()));
    obj.insert("conversationTopic".into(), json!(message.conversation_topic));
    obj.insert("contentType".into(), json!(content.content_type.as_ref().map(ToString::to_string)));
    obj.insert("content".into(), content.content_json());
    obj.insert("fallback".into(), json!(content.fallback));
    if let Some(e) = &content.error {
        obj.insert("contentError".into(), error_json(e.code(), &e.to_string()));
    }
}

/// A conversation: `topic`, `version` (`v1`/`v2`), `peerAddress`, `createdNs`, `context`.
pub fn conversation_json(
    topic: &str,
    version: &str,
    peer_address: &str,
    created_ns: u64,
    context: Option<&ConversationContext>,
) -> Value {
    json!({
        "topic": topic, "version": version, "peerAddress": peer_address,
        "createdNs": created_ns.to_string(), "context": context,
    })
}

/// A consent action: the six lists of values.
pub fn consent_action_json(a: &ConsentAction) -> Value {
    json!({
        "allowAddresses": a.allow_addresses, "denyAddresses": a.deny_addresses,
        "allowGroups": a.allow_groups, "denyGroups": a.deny_groups,
        "allowInboxIds": a.allow_inbox_ids, "denyInboxIds": a.deny_inbox_ids,
    })
}

/// A read envelope, as `xmtp decode` prints it: `index`, `contentTopic`, `kind`, `ok`, then
/// what it held (message fields; `conversationTopic`, `peerAddress`, `context`, `createdNs`,
/// `new` for invitations; `address` for contacts and private stores; `action` for consent) or
/// `error`.
pub fn envelope_json(index: usize, envelope: &Envelope, kind: EnvelopeKind, result: &Result<Decoded, Error>) -> Value {
    let mut obj = Map::new();
    obj.insert("index".into(), json!(index));
    obj.insert("contentTopic".into(), json!(envelope.content_topic));
    obj.insert("kind".into(), json!(kind.as_str()));
    match result {
        Ok(decoded) => {
            obj.insert("ok".into(), json!(true));
            decoded_fields(decoded, &mut obj);
        }
        Err(e) => {
            obj.insert("ok".into(), json!(false));
            obj.insert("error".into(), error_json(e.code(), &e.to_string()));
        }
    }
    Value::Object(obj)
}

/// An item that was not an envelope at all, in the shape of [`envelope_json`].
pub fn unreadable_envelope_json(index: usize, error: &Error) -> Value {
    json!({
        "index": index, "contentTopic": null, "kind": EnvelopeKind::Unknown.as_str(), "ok": false,
        "error": error_json(error.code(), &error.to_string()),
    })
}

fn decoded_fields(decoded: &Decoded, obj: &mut Map<String, Value>) {
    match decoded {
        Decoded::Contact(c) => {
            obj.insert("address".into(), json!(c.address().as_str()));
            obj.insert("contactVersion".into(), json!(format!("{:?}", c.version).to_lowercase()));
        }
        Decoded::PrivateStore { owner } => {
            obj.insert("address".into(), json!(owner.as_ref().map(ToString::to_string)));
        }
        Decoded::Invite { conversation, is_new } => {
            obj.insert("conversationTopic".into(), json!(conversation.topic));
            obj.insert("peerAddress".into(), json!(conversation.peer_address.as_str()));
            obj.insert("context".into(), json!(conversation.context));
            obj.insert("createdNs".into(), json!(conversation.created_ns.to_string()));
            obj.insert("new".into(), json!(is_new));
        }
        Decoded::Message { message, content } => message_fields(message, content, obj),
        Decoded::Preferences(a) => {
            obj.insert("action".into(), consent_action_json(a));
        }
        Decoded::Unknown => {}
    }
}
