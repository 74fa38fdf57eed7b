//! Conversions between the core's types and the host API's. Data only: no protocol rule.

use std::collections::HashMap;

use xmtp_core::client as core;
use xmtp_core::content::{Content, ContentTypeId};
use xmtp_core::invitation::ConversationContext as CoreContext;
use xmtp_core::keys::SignaturePurpose;
use xmtp_core::proto::message_api::v1::Envelope as CoreEnvelope;
use xmtp_core::proto::message_contents::EncodedContent;

use crate::types::*;
use crate::{Bytes, XmtpError};

pub(crate) fn content_type(s: &str) -> Result<ContentTypeId, XmtpError> {
    ContentTypeId::parse(s)
        .ok_or_else(|| XmtpError::input("content_type", "a content type reads authority/type:major.minor"))
}

pub(crate) fn conversation(c: &core::Conversation) -> Conversation {
    Conversation {
        topic: c.topic.clone(),
        version: c.version.as_str().to_string(),
        peer_address: c.peer_address.to_string(),
        created_ns: c.created_ns,
        context: c.context.as_ref().map(|x| ConversationContext {
            conversation_id: x.conversation_id.clone(),
            metadata: x.metadata.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        }),
    }
}

pub(crate) fn core_context(c: ConversationContext) -> CoreContext {
    CoreContext { conversation_id: c.conversation_id, metadata: c.metadata.into_iter().collect() }
}

pub(crate) fn message(m: &core::Message) -> DecodedMessage {
    let content = &m.content;
    // Each form once: text as text, another standard type as JSON, and only content no
    // standard codec read with its bytes and parameters (for a host codec).
    let (text, content_json) = match &content.content {
        Some(Content::Text(t)) => (Some(t.clone()), None),
        Some(c) => (None, Some(c.to_json().to_string())),
        None => (None, None),
    };
    let read = content.content.is_some();
    DecodedMessage {
        id: m.message.id.clone(),
        sender_address: m.message.sender_address.to_string(),
        recipient_address: m.message.recipient_address.as_ref().map(ToString::to_string),
        sent_ns: m.message.sent_ns,
        conversation_topic: m.message.conversation_topic.clone(),
        content_type: content.content_type.as_ref().map(ToString::to_string),
        text,
        content_json,
        fallback: content.fallback.clone(),
        parameters: if read {
            HashMap::new()
        } else {
            content.parameters.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        },
        raw_content: if read { Bytes::default() } else { content.raw.clone().into() },
        content_error: content.error.as_ref().map(|e| e.code().to_string()),
    }
}

pub(crate) fn envelope(e: &CoreEnvelope) -> Envelope {
    Envelope { content_topic: e.content_topic.clone(), timestamp_ns: e.timestamp_ns, message: e.message.clone().into() }
}

pub(crate) fn core_envelope(e: Envelope) -> CoreEnvelope {
    CoreEnvelope { content_topic: e.content_topic, timestamp_ns: e.timestamp_ns, message: e.message.into_vec() }
}

pub(crate) fn send_options(o: SendOptions) -> core::SendOptions {
    core::SendOptions {
        compression: o.compression.map(|c| match c {
            Compression::Deflate => xmtp_core::content::Compression::Deflate,
            Compression::Gzip => xmtp_core::content::Compression::Gzip,
        }),
        ephemeral: o.ephemeral,
    }
}

pub(crate) fn message_query(q: MessageQuery) -> core::MessageQuery {
    core::MessageQuery {
        start_ns: q.after_ns.unwrap_or(0),
        end_ns: q.before_ns.unwrap_or(0),
        limit: q.limit.map(|l| l as usize),
        ascending: q.direction == SortDirection::Ascending,
    }
}

pub(crate) fn consent_state(s: core::ConsentState) -> ConsentState {
    match s {
        core::ConsentState::Unknown => ConsentState::Unknown,
        core::ConsentState::Allowed => ConsentState::Allowed,
        core::ConsentState::Denied => ConsentState::Denied,
    }
}

/// `address-0x…` → (`address`, `0x…`).
pub(crate) fn consent_entry(key: &str, state: core::ConsentState) -> ConsentEntry {
    let (entry_type, value) = key.split_once('-').unwrap_or(("", key));
    ConsentEntry { entry_type: entry_type.to_string(), value: value.to_string(), state: consent_state(state) }
}

pub(crate) fn signature_request(r: &xmtp_core::keys::SignatureRequest) -> SignatureRequest {
    let purpose = match r.purpose {
        SignaturePurpose::CreateIdentity => "create_identity",
        SignaturePurpose::EnableIdentity => "enable_identity",
        SignaturePurpose::GrantConsent => "grant_consent",
    };
    SignatureRequest { text: r.text.clone(), purpose: purpose.to_string() }
}

/// What to send: the content type and either the core's content or host-encoded content.
pub(crate) enum Outgoing {
    Standard(ContentTypeId, Content),
    Encoded(EncodedContent, bool),
}

pub(crate) fn outgoing(input: ContentInput) -> Result<Outgoing, XmtpError> {
    match input {
        ContentInput::Text { text } => Ok(Outgoing::Standard(xmtp_core::content::TextCodec::id(), Content::Text(text))),
        ContentInput::Json { content_type: t, json } => {
            let id = content_type(&t)?;
            let value: serde_json::Value =
                serde_json::from_str(&json).map_err(|_| XmtpError::input("json", "the content is not JSON"))?;
            let content = Content::from_json(&id, &value).map_err(xmtp_core::Error::from)?;
            Ok(Outgoing::Standard(id, content))
        }
        ContentInput::Encoded { content_type: t, parameters, content, fallback, should_push } => {
            let id = content_type(&t)?;
            let encoded = EncodedContent {
                r#type: Some(id.to_proto()),
                parameters: parameters.into_iter().collect(),
                fallback,
                compression: None,
                content: content.into_vec(),
            };
            Ok(Outgoing::Encoded(encoded, should_push))
        }
    }
}

pub(crate) fn request(r: &core::Request, base_url: &str) -> HttpRequest {
    HttpRequest {
        id: r.id,
        url: format!("{base_url}{}", r.path()),
        method: "POST".to_string(),
        headers: r.headers().into_iter().map(|(name, value)| HttpHeader { name: name.to_string(), value }).collect(),
        body: r.body().into_bytes().into(),
        is_stream: r.is_stream(),
    }
}

pub(crate) fn event(e: core::Event) -> Option<Event> {
    use core::Event as E;
    Some(match e {
        E::ContactPublished { op, published } => Event::ContactPublished { op, published },
        E::ContactsResolved { op, results } => Event::ContactsResolved {
            op,
            results: results
                .into_iter()
                .map(|(address, can_message)| CanMessage { address: address.to_string(), can_message })
                .collect(),
        },
        E::NewConversation(c) => Event::NewConversation { conversation: conversation(&c) },
        E::ConversationsSynced { op } => Event::ConversationsSynced { op },
        E::ConversationStarted { op, conversation: c } => {
            Event::ConversationStarted { op, conversation: conversation(&c) }
        }
        E::Message(m) => Event::Message { message: message(&m) },
        E::Messages { op, topic, messages } => {
            Event::Messages { op, topic, messages: messages.iter().map(message).collect() }
        }
        E::Sent { op, id } => Event::Sent { op, id },
        E::ConsentChanged { entry, state } => Event::ConsentChanged { entry: consent_entry(&entry, state) },
        E::ConsentSynced { op } => Event::ConsentSynced { op },
        E::ConsentPublished { op } => Event::ConsentPublished { op },
        E::SubscriptionChanged => Event::SubscriptionChanged,
        E::StreamConnected => Event::StreamConnected,
        E::StreamInterrupted { retry_after_ms } => Event::StreamInterrupted { retry_after_ms },
        E::EnvelopeFailed { kind, topic, code } => {
            Event::EnvelopeFailed { envelope_kind: kind.as_str().to_string(), topic, code: code.to_string() }
        }
        E::Failed { op, error } => Event::Failed { op, error: error.into() },
        // Events a newer core adds reach hosts once this layer knows them.
        _ => return None,
    })
}
