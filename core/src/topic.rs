//! Content topics (facts §1): builders, the validity filter, and classification.
//!
//! Every topic is `/xmtp/0/<name>/proto`. Addresses inside names are EIP-55 checksummed.

use crate::crypto::Address;

const PREFIX: &str = "/xmtp/0/";
const SUFFIX: &str = "/proto";

/// Wrap a topic name: `/xmtp/0/<name>/proto`.
pub fn content_topic(name: &str) -> String {
    format!("{PREFIX}{name}{SUFFIX}")
}

/// `contact-<addr>`: the owner's published key bundles.
pub fn contact(addr: &Address) -> String {
    content_topic(&format!("contact-{addr}"))
}

/// `privatestore-<addr>/key_bundle`: the wallet-encrypted private key bundle.
pub fn private_store(addr: &Address) -> String {
    content_topic(&format!("privatestore-{addr}/key_bundle"))
}

/// `intro-<addr>`: V1 introductions.
pub fn intro(addr: &Address) -> String {
    content_topic(&format!("intro-{addr}"))
}

/// `invite-<addr>`: V2 sealed invitations (sent and received).
pub fn invite(addr: &Address) -> String {
    content_topic(&format!("invite-{addr}"))
}

fn sorted<'a>(a: &'a Address, b: &'a Address) -> (&'a Address, &'a Address) {
    // Code-unit order of the checksummed strings (digits < uppercase < lowercase).
    if a.as_str() <= b.as_str() {
        (a, b)
    } else {
        (b, a)
    }
}

/// `dm-<a>-<b>`: a V1 conversation, addresses sorted ascending.
pub fn direct_message(a: &Address, b: &Address) -> String {
    let (x, y) = sorted(a, b);
    content_topic(&format!("dm-{x}-{y}"))
}

/// `dmE-<a>-<b>`: V1 ephemeral messages.
pub fn direct_message_ephemeral(a: &Address, b: &Address) -> String {
    let (x, y) = sorted(a, b);
    content_topic(&format!("dmE-{x}-{y}"))
}

/// `m-<id>`: a V2 conversation.
pub fn v2_conversation(id: &str) -> String {
    content_topic(&format!("m-{id}"))
}

/// `userpreferences-<identifier>`: encrypted consent actions.
pub fn user_preferences(identifier: &str) -> String {
    content_topic(&format!("userpreferences-{identifier}"))
}

/// The ephemeral twin of a conversation topic: `/xmtp/0/m-…` → `/xmtp/0/mE-…`,
/// `/xmtp/0/dm-…` → `/xmtp/0/dmE-…`. Other topics are returned unchanged.
pub fn ephemeral(topic: &str) -> String {
    if let Some(rest) = topic.strip_prefix("/xmtp/0/m-") {
        format!("/xmtp/0/mE-{rest}")
    } else if let Some(rest) = topic.strip_prefix("/xmtp/0/dm-") {
        format!("/xmtp/0/dmE-{rest}")
    } else {
        topic.to_string()
    }
}

/// The non-ephemeral twin of a topic (inverse of [`ephemeral`]).
pub fn non_ephemeral(topic: &str) -> String {
    if let Some(rest) = topic.strip_prefix("/xmtp/0/mE-") {
        format!("/xmtp/0/m-{rest}")
    } else if let Some(rest) = topic.strip_prefix("/xmtp/0/dmE-") {
        format!("/xmtp/0/dm-{rest}")
    } else {
        topic.to_string()
    }
}

/// The validity filter applied to conversation and invitation topics (xmtp-js `isValidTopic`):
/// the part after the first `0/` up to the last `/proto` must be non-empty bytes 0x21–0x7F.
pub fn is_valid(topic: &str) -> bool {
    let Some(start) = topic.find("0/") else { return false };
    let rest = &topic[start + 2..];
    let Some(end) = rest.rfind(SUFFIX) else { return false };
    let name = &rest[..end];
    !name.is_empty() && name.bytes().all(|b| (0x21..=0x7f).contains(&b))
}

/// What a topic is for, by the category prefix of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicKind {
    /// `contact-`
    Contact,
    /// `privatestore-`
    PrivateStore,
    /// `intro-`
    Intro,
    /// `invite-`
    Invite,
    /// `dm-`
    DirectMessage,
    /// `dmE-`
    DirectMessageEphemeral,
    /// `m-`
    V2Conversation,
    /// `mE-`
    V2Ephemeral,
    /// `userpreferences-`
    UserPreferences,
    /// Anything else (other categories, MLS topics, malformed).
    Other,
}

impl TopicKind {
    /// Whether nodes relay but never store envelopes on this kind of topic.
    pub fn is_ephemeral(self) -> bool {
        matches!(self, Self::DirectMessageEphemeral | Self::V2Ephemeral)
    }
}

/// The name inside the `/xmtp/0/…/proto` wrapper, if the topic has that shape.
pub fn name(topic: &str) -> Option<&str> {
    topic.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)
}

/// Classify a content topic by its category: the part after `/xmtp/0/` up to the first `-`, as
/// nodes do (the `/proto` suffix is not required).
pub fn kind(topic: &str) -> TopicKind {
    let Some(rest) = topic.strip_prefix(PREFIX) else { return TopicKind::Other };
    let Some((category, _)) = rest.split_once('-') else { return TopicKind::Other };
    match category {
        "contact" => TopicKind::Contact,
        "privatestore" => TopicKind::PrivateStore,
        "intro" => TopicKind::Intro,
        "invite" => TopicKind::Invite,
        "dm" => TopicKind::DirectMessage,
        "dmE" => TopicKind::DirectMessageEphemeral,
        "m" => TopicKind::V2Conversation,
        "mE" => TopicKind::V2Ephemeral,
        "userpreferences" => TopicKind::UserPreferences,
        _ => TopicKind::Other,
    }
}

/// The address in a `contact-`/`privatestore-`/`intro-`/`invite-` topic, if well-formed.
pub fn owner(topic: &str) -> Option<Address> {
    let name = name(topic)?;
    let (_, rest) = name.split_once('-')?;
    let addr = rest.strip_suffix("/key_bundle").unwrap_or(rest);
    Address::parse(addr).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_filter() {
        assert!(is_valid("/xmtp/0/m-abc/proto"));
        assert!(!is_valid("/xmtp/0//proto"));
        assert!(!is_valid("/xmtp/0/m abc/proto"));
        assert!(!is_valid("/xmtp/0/m-é/proto"));
        assert!(!is_valid("no-prefix"));
        assert!(!is_valid("/xmtp/0/m-abc"));
    }

    #[test]
    fn ephemeral_round_trip_and_kinds() {
        let t = "/xmtp/0/m-abc/proto";
        assert_eq!(ephemeral(t), "/xmtp/0/mE-abc/proto");
        assert_eq!(non_ephemeral(&ephemeral(t)), t);
        assert_eq!(kind(&ephemeral(t)), TopicKind::V2Ephemeral);
        assert_eq!(kind("/xmtp/0/dm-a-b/proto"), TopicKind::DirectMessage);
        assert_eq!(kind("/xmtp/0/dmE-a-b/proto"), TopicKind::DirectMessageEphemeral);
        assert_eq!(kind("/xmtp/0/privatestore-0x1/key_bundle/proto"), TopicKind::PrivateStore);
        assert_eq!(kind("/xmtp/mls/1/g-x/proto"), TopicKind::Other);
        assert_eq!(kind("/xmtp/0/groupInvite-x/proto"), TopicKind::Other);
        assert_eq!(kind("/xmtp/0/mE-abc"), TopicKind::V2Ephemeral, "categorised without the suffix");
        assert_eq!(kind("/xmtp/0/userpreferences-x/proto"), TopicKind::UserPreferences);
    }
}
