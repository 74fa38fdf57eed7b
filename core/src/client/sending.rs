//! Sending: preparing (id known before publishing) and publishing messages.

use xmtp_proto::message_api::v1::Envelope;
use xmtp_proto::message_contents::EncodedContent;

use super::{Client, ClientError, OpId, Pending, PreparedMessage, SendOptions};
use crate::content::{Content, ContentTypeId, EncodedPayload};
use crate::message::{self, OutgoingMessage};
use crate::Error;

impl Client {
    /// Encode and sign a message for a conversation without publishing it: its id is known.
    /// A V1 conversation needs the peer's contact resolved.
    pub fn prepare(
        &mut self,
        conversation_topic: &str,
        content_type: &ContentTypeId,
        content: &Content,
        options: SendOptions,
        now_ns: u64,
    ) -> Result<PreparedMessage, ClientError> {
        let payload = self.reader.registry().encode(content_type, content, options.compression).map_err(Error::from)?;
        self.prepare_payload(conversation_topic, &payload, options, now_ns)
    }

    /// [`Client::prepare`] for content the host encoded itself (a codec written in Swift,
    /// Kotlin or JS): the `EncodedContent` is compressed as the options say and sent as is;
    /// `should_push` is the codec's push decision.
    pub fn prepare_encoded(
        &mut self,
        conversation_topic: &str,
        encoded: EncodedContent,
        should_push: bool,
        options: SendOptions,
        now_ns: u64,
    ) -> Result<PreparedMessage, ClientError> {
        let payload =
            self.reader.registry().encode_raw(encoded, options.compression, should_push).map_err(Error::from)?;
        self.prepare_payload(conversation_topic, &payload, options, now_ns)
    }

    fn prepare_payload(
        &mut self,
        conversation_topic: &str,
        payload: &EncodedPayload,
        options: SendOptions,
        now_ns: u64,
    ) -> Result<PreparedMessage, ClientError> {
        let created_ns = crate::whole_ms(now_ns);
        let out: OutgoingMessage = if let Some(conv) = self.reader.conversation(conversation_topic) {
            let (t, k) = (conv.topic.clone(), conv.key_material.clone());
            message::encode_v2(
                self.reader.keys(),
                &t,
                k.expose(),
                payload,
                created_ns,
                options.ephemeral,
                &mut *self.rng,
            )
        } else {
            let v1 = self.reader.v1_conversations().into_iter().find(|c| c.topic == conversation_topic).cloned();
            let v1 = v1.ok_or(ClientError::UnknownConversation)?;
            let peer = self.contacts.get(&v1.peer_address).ok_or(ClientError::ContactNotResolved)?.bundle.clone();
            let intros = !options.ephemeral && !self.intro_sent.contains(&v1.peer_address);
            let out = message::encode_v1(
                self.reader.keys(),
                &peer,
                &payload.bytes,
                created_ns / crate::NS_PER_MS,
                intros,
                options.ephemeral,
                &mut *self.rng,
            )
            .map_err(Error::from)?;
            if intros {
                self.intro_sent.insert(v1.peer_address.clone());
            }
            out
        };
        let envelopes = out
            .topics
            .iter()
            .map(|t| Envelope { content_topic: t.clone(), timestamp_ns: out.timestamp_ns, message: out.bytes.clone() })
            .collect();
        Ok(PreparedMessage { id: out.id, topic: conversation_topic.to_string(), envelopes })
    }

    /// Publish a prepared message; finishes with [`Event::Sent`]. Sending to a peer whose
    /// consent is unknown also publishes an allow action (implicit consent).
    pub fn publish_prepared(&mut self, prepared: PreparedMessage, now_ns: u64) -> Result<OpId, ClientError> {
        let peer =
            self.conversation(&prepared.topic).map(|c| c.peer_address).ok_or(ClientError::UnknownConversation)?;
        let op = self.new_op();
        if let Err(e) = self.publish(prepared.envelopes, now_ns, Pending::PublishMessage { op, id: prepared.id }) {
            self.open_ops.remove(&op);
            return Err(e);
        }
        self.allow_if_unknown(&peer, now_ns);
        Ok(op)
    }

    /// [`Client::prepare`] then [`Client::publish_prepared`].
    pub fn send(
        &mut self,
        conversation_topic: &str,
        content_type: &ContentTypeId,
        content: &Content,
        options: SendOptions,
        now_ns: u64,
    ) -> Result<(OpId, String), ClientError> {
        let prepared = self.prepare(conversation_topic, content_type, content, options, now_ns)?;
        let id = prepared.id.clone();
        Ok((self.publish_prepared(prepared, now_ns)?, id))
    }
}
