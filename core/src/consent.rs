//! Consent (facts §10): the private-preferences topic, encryption of consent actions to oneself,
//! tolerant decoding of actions, the consent list (actions replayed in timestamp order), and
//! consent proofs.

use std::collections::BTreeMap;

use prost::Message as _;
use rand_core::CryptoRngCore;
use xmtp_proto::message_contents as pb;
use zeroize::Zeroizing;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::crypto::{self, Address, CryptoError, PrivateKey};
use crate::error::{decode, DecodeError};
use crate::keys::{recover_wallet, SignaturePurpose, SignatureRequest};
use crate::topic;

/// Consent proofs older than this (30 days, in ms) are not honoured.
pub const CONSENT_PROOF_MAX_AGE_MS: u64 = 30 * 24 * 3600 * 1000;

fn topic_key(identity: &PrivateKey) -> Zeroizing<[u8; 32]> {
    crypto::hkdf_sha256(identity.to_bytes().as_ref(), b"XMTP_PRIVATE_PREFERENCES_TOPIC", &[])
}

fn encryption_key(identity: &PrivateKey) -> Zeroizing<[u8; 32]> {
    crypto::hkdf_sha256(identity.to_bytes().as_ref(), b"XMTP_PRIVATE_PREFERENCES_ENCRYPTION", &[])
}

/// The 43-character identifier of the private-preferences topic: base64url (no padding) of
/// `sha256(HKDF(identity private key, "XMTP_PRIVATE_PREFERENCES_TOPIC"))`.
pub fn topic_identifier(identity: &PrivateKey) -> String {
    URL_SAFE_NO_PAD.encode(crypto::sha256(topic_key(identity).as_ref()))
}

/// The private-preferences topic `/xmtp/0/userpreferences-<identifier>/proto`.
pub fn preferences_topic(identity: &PrivateKey) -> String {
    topic::user_preferences(&topic_identifier(identity))
}

/// One consent action. Several lists may be non-empty at once: xmtp-js can write several arms
/// of the oneof in one action, and they apply in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentAction {
    /// Addresses allowed.
    pub allow_addresses: Vec<String>,
    /// Addresses denied.
    pub deny_addresses: Vec<String>,
    /// Group ids allowed.
    pub allow_groups: Vec<String>,
    /// Group ids denied.
    pub deny_groups: Vec<String>,
    /// Inbox ids allowed.
    pub allow_inbox_ids: Vec<String>,
    /// Inbox ids denied.
    pub deny_inbox_ids: Vec<String>,
}

/// `PrivatePreferencesAction` read with six independent optional fields instead of a oneof, so
/// no arm written by a lenient producer is lost.
#[derive(Clone, PartialEq, prost::Message)]
struct TolerantAction {
    #[prost(message, optional, tag = "1")]
    allow_address: Option<pb::private_preferences_action::AllowAddress>,
    #[prost(message, optional, tag = "2")]
    deny_address: Option<pb::private_preferences_action::DenyAddress>,
    #[prost(message, optional, tag = "3")]
    allow_group: Option<pb::private_preferences_action::AllowGroup>,
    #[prost(message, optional, tag = "4")]
    deny_group: Option<pb::private_preferences_action::DenyGroup>,
    #[prost(message, optional, tag = "5")]
    allow_inbox_id: Option<pb::private_preferences_action::AllowInboxId>,
    #[prost(message, optional, tag = "6")]
    deny_inbox_id: Option<pb::private_preferences_action::DenyInboxId>,
}

impl ConsentAction {
    /// Decode a `PrivatePreferencesAction`, keeping every arm present.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let t: TolerantAction = decode(bytes, "PrivatePreferencesAction")?;
        Ok(Self {
            allow_addresses: t.allow_address.map(|a| a.wallet_addresses).unwrap_or_default(),
            deny_addresses: t.deny_address.map(|a| a.wallet_addresses).unwrap_or_default(),
            allow_groups: t.allow_group.map(|a| a.group_ids).unwrap_or_default(),
            deny_groups: t.deny_group.map(|a| a.group_ids).unwrap_or_default(),
            allow_inbox_ids: t.allow_inbox_id.map(|a| a.inbox_ids).unwrap_or_default(),
            deny_inbox_ids: t.deny_inbox_id.map(|a| a.inbox_ids).unwrap_or_default(),
        })
    }

    /// Encode; each non-empty list becomes its arm (one arm for a single-kind action).
    pub fn encode(&self) -> Vec<u8> {
        use pb::private_preferences_action as a;
        let nonempty = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        TolerantAction {
            allow_address: nonempty(&self.allow_addresses).map(|wallet_addresses| a::AllowAddress { wallet_addresses }),
            deny_address: nonempty(&self.deny_addresses).map(|wallet_addresses| a::DenyAddress { wallet_addresses }),
            allow_group: nonempty(&self.allow_groups).map(|group_ids| a::AllowGroup { group_ids }),
            deny_group: nonempty(&self.deny_groups).map(|group_ids| a::DenyGroup { group_ids }),
            allow_inbox_id: nonempty(&self.allow_inbox_ids).map(|inbox_ids| a::AllowInboxId { inbox_ids }),
            deny_inbox_id: nonempty(&self.deny_inbox_ids).map(|inbox_ids| a::DenyInboxId { inbox_ids }),
        }
        .encode_to_vec()
    }
}

/// Encrypt an encoded action to oneself: `PrivatePreferencesPayload{v1 = Ciphertext}` with
/// secret `HKDF(identity key, "XMTP_PRIVATE_PREFERENCES_ENCRYPTION")` and the identity public
/// key as associated data.
pub fn encrypt_action<R: CryptoRngCore + ?Sized>(identity: &PrivateKey, action: &[u8], rng: &mut R) -> Vec<u8> {
    let aad = identity.public_key().to_uncompressed();
    let ct = crypto::encrypt(action, encryption_key(identity).as_ref(), &aad, rng);
    pb::PrivatePreferencesPayload { version: Some(pb::private_preferences_payload::Version::V1(ct)) }.encode_to_vec()
}

/// Decrypt a `PrivatePreferencesPayload` into the encoded action bytes.
pub fn decrypt_action(identity: &PrivateKey, payload: &[u8]) -> Result<Zeroizing<Vec<u8>>, crate::Error> {
    let p: pb::PrivatePreferencesPayload = decode(payload, "PrivatePreferencesPayload")?;
    let Some(pb::private_preferences_payload::Version::V1(ct)) = p.version else {
        return Err(DecodeError::Missing("private_preferences_payload.v1").into());
    };
    let aad = identity.public_key().to_uncompressed();
    Ok(crypto::decrypt(&ct, encryption_key(identity).as_ref(), &aad)?)
}

/// `Date.prototype.toUTCString()` of a millisecond timestamp: `Www, DD Mon YYYY HH:MM:SS GMT`.
pub fn imf_fixdate(ms: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let secs = ms / 1000;
    let days = secs / 86_400;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (proleptic Gregorian).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The consent proof text (facts §4.2.3) the recipient's wallet signs for `sender_address`.
pub fn consent_proof_text(sender_address: &str, timestamp_ms: u64) -> String {
    format!(
        "XMTP : Grant inbox consent to sender\n\nCurrent Time: {}\nFrom Address: {sender_address}\n\nFor more info: https://xmtp.org/signatures/",
        imf_fixdate(timestamp_ms)
    )
}

/// The wallet signature request for a consent proof.
pub fn consent_proof_request(sender_address: &str, timestamp_ms: u64) -> SignatureRequest {
    SignatureRequest { text: consent_proof_text(sender_address, timestamp_ms), purpose: SignaturePurpose::GrantConsent }
}

/// Build the `ConsentProofPayload` from the wallet's 65-byte signature.
pub fn consent_proof_payload(wallet_signature: &[u8], timestamp_ms: u64) -> pb::ConsentProofPayload {
    pb::ConsentProofPayload {
        signature: format!("0x{}", hex::encode(wallet_signature)),
        timestamp: timestamp_ms,
        payload_version: pb::ConsentProofPayloadVersion::ConsentProofPayloadVersion1 as i32,
    }
}

/// Validate a consent proof received in an invitation from `peer_address`: timestamp within the
/// last 30 days (and not in the future), signed by our own wallet over the text naming the peer.
pub fn validate_consent_proof(
    proof: &pb::ConsentProofPayload,
    own_address: &Address,
    peer_address: &str,
    now_ms: u64,
) -> Result<(), CryptoError> {
    if proof.timestamp > now_ms || now_ms - proof.timestamp > CONSENT_PROOF_MAX_AGE_MS {
        return Err(CryptoError::BadSignature);
    }
    let hex_sig = proof.signature.strip_prefix("0x").unwrap_or(&proof.signature);
    let sig = hex::decode(hex_sig).map_err(|_| CryptoError::MalformedSignature)?;
    let signer = recover_wallet(&consent_proof_text(peer_address, proof.timestamp), &sig)?;
    if signer.as_str() != own_address.as_str() {
        return Err(CryptoError::BadSignature);
    }
    Ok(())
}

// ----- the consent list: actions replayed in timestamp order (facts §10), whatever order they arrive in

/// Consent for an address, group or inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConsentState {
    /// No action seen.
    Unknown,
    /// Allowed.
    Allowed,
    /// Denied.
    Denied,
}

/// All consent actions seen, keyed by (envelope timestamp, arrival sequence), and the resulting
/// state of each entry (`address-<value>`, `groupId-<value>`, `inboxId-<value>`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentList {
    actions: BTreeMap<(u64, u64), ConsentAction>,
    states: BTreeMap<String, ConsentState>,
    seq: u64,
}

impl ConsentList {
    /// The key of an address entry.
    pub fn address_key(address: &str) -> String {
        format!("address-{address}")
    }

    /// Add an action seen at `timestamp_ns`; returns the entries whose state changed.
    pub fn add(&mut self, timestamp_ns: u64, action: ConsentAction) -> Vec<(String, ConsentState)> {
        self.seq += 1;
        self.actions.insert((timestamp_ns, self.seq), action);
        let before = std::mem::take(&mut self.states);
        for a in self.actions.values() {
            let lists: [(&Vec<String>, &str, ConsentState); 6] = [
                (&a.allow_addresses, "address", ConsentState::Allowed),
                (&a.deny_addresses, "address", ConsentState::Denied),
                (&a.allow_groups, "groupId", ConsentState::Allowed),
                (&a.deny_groups, "groupId", ConsentState::Denied),
                (&a.allow_inbox_ids, "inboxId", ConsentState::Allowed),
                (&a.deny_inbox_ids, "inboxId", ConsentState::Denied),
            ];
            for (values, kind, state) in lists {
                for v in values {
                    self.states.insert(format!("{kind}-{v}"), state);
                }
            }
        }
        self.states.iter().filter(|(k, s)| before.get(*k) != Some(s)).map(|(k, s)| (k.clone(), *s)).collect()
    }

    /// The state of an entry key.
    pub fn state(&self, key: &str) -> ConsentState {
        self.states.get(key).copied().unwrap_or(ConsentState::Unknown)
    }

    /// All entries with a state.
    pub fn entries(&self) -> impl Iterator<Item = (&str, ConsentState)> {
        self.states.iter().map(|(k, s)| (k.as_str(), *s))
    }

    /// The actions, in replay order, with their timestamps (for export).
    pub fn actions(&self) -> impl Iterator<Item = (u64, &ConsentAction)> {
        self.actions.iter().map(|((ts, _), a)| (*ts, a))
    }
}

#[cfg(test)]
mod list_tests {
    use super::*;

    fn allow(a: &str) -> ConsentAction {
        ConsentAction { allow_addresses: vec![a.into()], ..Default::default() }
    }
    fn deny(a: &str) -> ConsentAction {
        ConsentAction { deny_addresses: vec![a.into()], ..Default::default() }
    }

    #[test]
    fn replays_in_timestamp_order_whatever_the_arrival_order() {
        let mut l = ConsentList::default();
        assert_eq!(l.add(20, deny("0xA")), vec![("address-0xA".to_string(), ConsentState::Denied)]);
        // An older allow arriving late does not override the newer deny.
        assert!(l.add(10, allow("0xA")).is_empty());
        assert_eq!(l.state("address-0xA"), ConsentState::Denied);
        assert_eq!(l.add(30, allow("0xA")), vec![("address-0xA".to_string(), ConsentState::Allowed)]);
        // Several arms in one action apply in field order: deny after allow.
        let both = ConsentAction {
            allow_addresses: vec!["0xB".into()],
            deny_addresses: vec!["0xB".into()],
            ..Default::default()
        };
        l.add(40, both);
        assert_eq!(l.state("address-0xB"), ConsentState::Denied);
        assert_eq!(l.state("address-0xC"), ConsentState::Unknown);
    }
}
