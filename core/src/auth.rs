//! Publish authentication tokens (facts §7): creation by clients and validation by nodes, and the
//! node's per-topic publish authorization (facts §2.6).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use prost::Message as _;
use xmtp_proto::message_api::v1 as api;

use crate::crypto::{self, Address};
use crate::error::{decode, DecodeError};
use crate::keys::{signature_from_proto, signature_to_proto, PrivateKeyBundle, SignatureArm, SignedKey};
use crate::topic::{self, TopicKind};

/// How long a token is valid after its `created_ns`, in nanoseconds (1 hour).
pub const TOKEN_VALIDITY_NS: u64 = 3_600 * 1_000_000_000;

/// How far in the future a token's `created_ns` may be, for clocks that disagree (5 minutes). A
/// token dated later is refused: a token is thus accepted only while `created_ns` is within
/// `[now − 1 h, now + 5 min]`, and never after one hour past its date.
pub const TOKEN_CLOCK_SKEW_NS: u64 = 5 * 60 * 1_000_000_000;

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The token could not be read (base64 or protobuf).
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The identity key is not signed by a wallet.
    #[error("token identity key is not wallet-signed")]
    IdentityNotWalletSigned,
    /// The auth data signature does not verify with the identity key.
    #[error("token signature invalid")]
    BadSignature,
    /// The wallet in the auth data is not the wallet that signed the identity key.
    #[error("token wallet mismatch")]
    WalletMismatch,
    /// The token is older than its validity.
    #[error("token expired")]
    Expired,
    /// The token is dated further in the future than the allowed clock skew.
    #[error("token dated in the future")]
    NotYetValid,
}

impl AuthError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Decode(e) => e.code(),
            Self::IdentityNotWalletSigned => "auth.identity_not_wallet_signed",
            Self::BadSignature => "auth.bad_signature",
            Self::WalletMismatch => "auth.wallet_mismatch",
            Self::Expired => "auth.expired",
            Self::NotYetValid => "auth.not_yet_valid",
        }
    }
}

/// An encoded `Token`.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken {
    bytes: Vec<u8>,
    created_ns: u64,
}

impl core::fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "AuthToken(created_ns={})", self.created_ns)
    }
}

impl AuthToken {
    /// Create a token for `keys` at `now_ns` (truncated to milliseconds, as the reference
    /// clients only have millisecond clocks).
    pub fn create(keys: &PrivateKeyBundle, now_ns: u64) -> Result<Self, crate::keys::KeyError> {
        let created_ns = crate::whole_ms(now_ns);
        let auth_data = api::AuthData { wallet_addr: keys.address().to_string(), created_ns }.encode_to_vec();
        let sig = keys.sign_with_identity(&crypto::keccak256(&auth_data));
        let token = api::Token {
            identity_key: Some(keys.identity().public().to_legacy_proto()?),
            auth_data_bytes: auth_data,
            auth_data_signature: Some(signature_to_proto(&sig, SignatureArm::Ecdsa)),
        };
        Ok(Self { bytes: token.encode_to_vec(), created_ns })
    }

    /// The encoded `Token`.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// When it was created.
    pub fn created_ns(&self) -> u64 {
        self.created_ns
    }
    /// Whether it is still good at `now_ns` with a safety margin (clients refresh 10 s early).
    pub fn is_fresh(&self, now_ns: u64) -> bool {
        now_ns.saturating_sub(self.created_ns) < TOKEN_VALIDITY_NS - 10_000_000_000
    }
    /// Standard base64 of the encoded token.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(&self.bytes)
    }
    /// The HTTP `Authorization` header value: `Bearer <base64>`.
    pub fn header_value(&self) -> String {
        format!("Bearer {}", self.to_base64())
    }
}

/// Validate a token as a node does and return the wallet it proves. Accepts the header value
/// (`Bearer …`), bare base64, and checks: identity key wallet-signed, auth data signed by the
/// identity key (`ecdsa_compact`, keccak-256, low-S), wallets equal (exact string), age ≤ 1 h and
/// date at most [`TOKEN_CLOCK_SKEW_NS`] ahead of `now_ns`.
pub fn verify_token(token: &str, now_ns: u64) -> Result<Address, AuthError> {
    let b64 = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    let bytes = STANDARD.decode(b64).map_err(|_| DecodeError::Malformed("token base64"))?;
    let token: api::Token = decode(&bytes, "Token")?;
    let identity = token.identity_key.as_ref().ok_or(DecodeError::Missing("token.identity_key"))?;
    let identity = SignedKey::from_legacy(identity).map_err(|_| AuthError::IdentityNotWalletSigned)?;
    let wallet = identity.recover_wallet(false).map_err(|_| AuthError::IdentityNotWalletSigned)?;
    let sig = token.auth_data_signature.as_ref().ok_or(DecodeError::Missing("token.auth_data_signature"))?;
    let (sig, arm) = signature_from_proto(sig).map_err(|_| AuthError::BadSignature)?;
    if arm != SignatureArm::Ecdsa {
        return Err(AuthError::BadSignature);
    }
    identity
        .key()
        .verify_prehash(&crypto::keccak256(&token.auth_data_bytes), &sig.bytes)
        .map_err(|_| AuthError::BadSignature)?;
    let data: api::AuthData = decode(&token.auth_data_bytes, "AuthData")?;
    if data.wallet_addr != wallet.as_str() {
        return Err(AuthError::WalletMismatch);
    }
    if data.created_ns > now_ns.saturating_add(TOKEN_CLOCK_SKEW_NS) {
        return Err(AuthError::NotYetValid);
    }
    if now_ns.saturating_sub(data.created_ns) > TOKEN_VALIDITY_NS {
        return Err(AuthError::Expired);
    }
    Ok(wallet)
}

/// The prefix of the topics whose publishers are checked.
const V0_PREFIX: &str = "/xmtp/0/";

/// Whether the wallet proven by a publish token may publish to `topic` (facts §2.6), as a node
/// checks each envelope of a publish: for a topic under `/xmtp/0/`, the name (the fourth
/// `/`-separated segment) is classified by [`topic::kind`]; when its category is `contact` or
/// `privatestore`, the second `-`-separated part of the name must be exactly the wallet's
/// checksummed address. Every other topic is open to any authenticated wallet.
pub fn may_publish(topic: &str, wallet: &Address) -> bool {
    let Some(rest) = topic.strip_prefix(V0_PREFIX) else { return true };
    let name = rest.split('/').next().unwrap_or("");
    // The name alone is classified, as the reference node does: a name with no `-` (such as
    // `contact`) still has a category, and an owner-only one is then refused.
    match topic::kind(&format!("{V0_PREFIX}{name}-")) {
        TopicKind::Contact | TopicKind::PrivateStore => name.split('-').nth(1) == Some(wallet.as_str()),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> Address {
        Address::parse(s).unwrap()
    }

    #[test]
    fn owner_only_topics() {
        let me = addr("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        let other = addr("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        assert!(may_publish(&topic::contact(&me), &me));
        assert!(may_publish(&topic::private_store(&me), &me));
        assert!(!may_publish(&topic::contact(&other), &me));
        assert!(!may_publish(&topic::private_store(&other), &me));
        // Exact string compare: a lowercase address is not the checksummed wallet.
        let lower = format!("/xmtp/0/contact-{}/proto", me.as_str().to_lowercase());
        assert!(!may_publish(&lower, &me));
        // No address at all.
        assert!(!may_publish("/xmtp/0/contact/proto", &me));
        assert!(!may_publish("/xmtp/0/contact-/proto", &me));
        // Only the second `-` part counts (as the reference node splits the name).
        assert!(may_publish(&format!("/xmtp/0/contact-{me}-x/proto"), &me));
    }

    #[test]
    fn owner_rule_follows_the_topic_kinds() {
        let me = addr("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        // Every topic the core classifies as owner-only is refused to another wallet, and only
        // those.
        for (t, owner_only) in [
            (format!("/xmtp/0/contact-{me}/proto"), true),
            (format!("/xmtp/0/privatestore-{me}/key_bundle/proto"), true),
            (format!("/xmtp/0/intro-{me}/proto"), false),
            (format!("/xmtp/0/userpreferences-{me}/proto"), false),
            (format!("/xmtp/0/groupInvite-{me}/proto"), false),
        ] {
            let other = addr("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
            let kind = topic::kind(&t);
            assert_eq!(matches!(kind, TopicKind::Contact | TopicKind::PrivateStore), owner_only, "{t}");
            assert_eq!(may_publish(&t, &other), !owner_only, "{t}");
        }
    }

    #[test]
    fn open_topics() {
        let me = addr("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        let other = addr("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        for t in [
            topic::intro(&other),
            topic::invite(&other),
            topic::direct_message(&me, &other),
            topic::direct_message_ephemeral(&me, &other),
            topic::v2_conversation("abc"),
            topic::ephemeral(&topic::v2_conversation("abc")),
            topic::user_preferences("xyz"),
            // Not under `/xmtp/0/`: not checked.
            format!("/xmtp/1/contact-{other}/proto"),
            format!("contact-{other}"),
            "/xmtp/0/".to_string(),
            // The category must match exactly.
            format!("/xmtp/0/contacts-{other}/proto"),
        ] {
            assert!(may_publish(&t, &me), "{t}");
        }
    }
}
