//! `xmtp.org/reaction:1.0` (XRC-20): a reaction to an earlier message.
//!
//! Canonical form: no parameters, content = UTF-8 JSON with the keys in the order `action`,
//! `reference`, `referenceInboxId` (only when set), `schema`, `content`. Legacy form (still read):
//! parameters `action`, `reference`, `schema` (and `encoding` = `UTF-8`) with the reaction text as
//! content.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use xmtp_proto::message_contents as pb;

use super::{Codec, Content, ContentError, ContentTypeId, Registry};

/// Whether a reaction is added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReactionAction {
    /// The reaction is added.
    Added,
    /// A previous reaction is withdrawn.
    Removed,
}

impl ReactionAction {
    /// The wire value (`added` / `removed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "added",
            Self::Removed => "removed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "added" => Some(Self::Added),
            "removed" => Some(Self::Removed),
            _ => None,
        }
    }
}

/// How the reaction's `content` is to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReactionSchema {
    /// A Unicode emoji, e.g. `👍`.
    Unicode,
    /// A shortcode, e.g. `:thumbsup:`.
    Shortcode,
    /// Anything else the applications agree on.
    Custom,
}

impl ReactionSchema {
    /// The wire value (`unicode` / `shortcode` / `custom`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unicode => "unicode",
            Self::Shortcode => "shortcode",
            Self::Custom => "custom",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "unicode" => Some(Self::Unicode),
            "shortcode" => Some(Self::Shortcode),
            "custom" => Some(Self::Custom),
            _ => None,
        }
    }
}

/// A reaction. Its serde form is the canonical wire JSON (and what xmtp-js shows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reaction {
    /// Added or removed.
    pub action: ReactionAction,
    /// Id (hex) of the message reacted to.
    pub reference: String,
    /// Inbox id of the author of the message reacted to (newer SDKs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_inbox_id: Option<String>,
    /// How to read `content`.
    pub schema: ReactionSchema,
    /// The reaction itself, e.g. `👍`.
    pub content: String,
}

/// The reaction codec.
///
/// Push: the facts sheet says a notification is due iff the action is `added`, and this codec
/// follows it. (The npm `@xmtp/content-type-reaction` 1.1.12 codec's `shouldPush` returns
/// `false` for every reaction.)
#[derive(Debug, Default, Clone, Copy)]
pub struct ReactionCodec;

impl ReactionCodec {
    /// `xmtp.org/reaction:1.0`.
    pub fn id() -> ContentTypeId {
        ContentTypeId::new("xmtp.org", "reaction", 1, 0)
    }
}

/// The legacy parameter form: parameters `action`, `reference`, `schema`; content = the text.
fn decode_legacy(parameters: &BTreeMap<String, String>, content: &[u8]) -> Result<Reaction, ContentError> {
    let param = |k: &str| parameters.get(k).map(String::as_str);
    let action = param("action").and_then(ReactionAction::parse).ok_or(ContentError::InvalidParameters)?;
    let schema = param("schema").and_then(ReactionSchema::parse).ok_or(ContentError::InvalidParameters)?;
    let reference = param("reference").ok_or(ContentError::InvalidParameters)?.to_string();
    let content = std::str::from_utf8(content).map_err(|_| ContentError::InvalidUtf8)?.to_string();
    Ok(Reaction { action, reference, reference_inbox_id: None, schema, content })
}

impl Codec for ReactionCodec {
    fn content_type(&self) -> ContentTypeId {
        Self::id()
    }

    fn encode(&self, content: &Content, _: &Registry) -> Result<pb::EncodedContent, ContentError> {
        let Content::Reaction(reaction) = content else {
            return Err(ContentError::WrongContentForCodec);
        };
        let json = serde_json::to_vec(reaction).map_err(|_| ContentError::InvalidContent)?;
        Ok(pb::EncodedContent {
            r#type: Some(Self::id().to_proto()),
            parameters: BTreeMap::new(),
            fallback: None,
            compression: None,
            content: json,
        })
    }

    fn decode(&self, encoded: &pb::EncodedContent, _: &Registry) -> Result<Content, ContentError> {
        if let Ok(reaction) = serde_json::from_slice::<Reaction>(&encoded.content) {
            return Ok(Content::Reaction(reaction));
        }
        let legacy = ["action", "reference", "schema"].iter().any(|k| encoded.parameters.contains_key(*k));
        if !legacy {
            return Err(ContentError::InvalidContent);
        }
        decode_legacy(&encoded.parameters, &encoded.content).map(Content::Reaction)
    }

    fn fallback(&self, content: &Content) -> Option<String> {
        let Content::Reaction(r) = content else { return None };
        Some(match r.action {
            ReactionAction::Added => format!("Reacted \u{201c}{}\u{201d} to an earlier message", r.content),
            ReactionAction::Removed => format!("Removed \u{201c}{}\u{201d} from an earlier message", r.content),
        })
    }

    fn should_push(&self, content: &Content) -> bool {
        matches!(content, Content::Reaction(r) if r.action == ReactionAction::Added)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn thumbs(action: ReactionAction, inbox: Option<&str>) -> Content {
        Content::Reaction(Reaction {
            action,
            reference: "abcd".into(),
            reference_inbox_id: inbox.map(Into::into),
            schema: ReactionSchema::Unicode,
            content: "👍".into(),
        })
    }

    #[test]
    fn canonical_json_has_the_fixed_key_order() {
        let reg = Registry::new();
        let enc = ReactionCodec.encode(&thumbs(ReactionAction::Added, None), &reg).unwrap();
        assert!(enc.parameters.is_empty());
        assert_eq!(
            String::from_utf8(enc.content).unwrap(),
            r#"{"action":"added","reference":"abcd","schema":"unicode","content":"👍"}"#
        );
        let enc = ReactionCodec.encode(&thumbs(ReactionAction::Removed, Some("inbox")), &reg).unwrap();
        assert_eq!(
            String::from_utf8(enc.content).unwrap(),
            r#"{"action":"removed","reference":"abcd","referenceInboxId":"inbox","schema":"unicode","content":"👍"}"#
        );
    }

    #[test]
    fn fallback_and_push_follow_the_action() {
        let added = thumbs(ReactionAction::Added, None);
        let removed = thumbs(ReactionAction::Removed, None);
        assert_eq!(ReactionCodec.fallback(&added).unwrap(), "Reacted “👍” to an earlier message");
        assert_eq!(ReactionCodec.fallback(&removed).unwrap(), "Removed “👍” from an earlier message");
        assert!(ReactionCodec.should_push(&added));
        assert!(!ReactionCodec.should_push(&removed));
    }

    #[test]
    fn reads_the_legacy_parameter_form() {
        let params = [("encoding", "UTF-8"), ("action", "removed"), ("reference", "abcd"), ("schema", "shortcode")];
        let enc = pb::EncodedContent {
            r#type: Some(ReactionCodec::id().to_proto()),
            parameters: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            fallback: None,
            compression: None,
            content: b":smile:".to_vec(),
        };
        let got = ReactionCodec.decode(&enc, &Registry::new()).unwrap();
        assert_eq!(
            got,
            Content::Reaction(Reaction {
                action: ReactionAction::Removed,
                reference: "abcd".into(),
                reference_inbox_id: None,
                schema: ReactionSchema::Shortcode,
                content: ":smile:".into(),
            })
        );
    }

    #[test]
    fn rejects_unknown_values_and_missing_fields() {
        let reg = Registry::new();
        let mut enc = ReactionCodec.encode(&thumbs(ReactionAction::Added, None), &reg).unwrap();
        enc.content = br#"{"action":"liked","reference":"abcd","schema":"unicode","content":"x"}"#.to_vec();
        assert_eq!(ReactionCodec.decode(&enc, &reg), Err(ContentError::InvalidContent));
        enc.content = b"not json".to_vec();
        assert_eq!(ReactionCodec.decode(&enc, &reg), Err(ContentError::InvalidContent));
        enc.parameters.insert("action".into(), "added".into());
        assert_eq!(ReactionCodec.decode(&enc, &reg), Err(ContentError::InvalidParameters));
    }
}
