//! Fixtures shared by the fuzz targets: the identities, conversation keys and signatures of the
//! xmtp-js 13.0.4 vectors (`tests/vectors/xmtpjs-13.0.4-vectors.json`), so that inputs mutated
//! from the seed corpus get past decoding into verification and decryption.

use std::sync::OnceLock;

use serde_json::Value;
use xmtp_core::invitation::{self, V2Conversation};
use xmtp_core::keys::PrivateKeyBundle;

const VECTORS: &str = include_str!("../../tests/vectors/xmtpjs-13.0.4-vectors.json");

/// A clock inside every vector's validity (tokens, invitations).
pub const NOW_NS: u64 = 1_700_000_300_000_000_000;

/// What the targets decode with.
pub struct Fixture {
    /// Alice's private keys (the V1 sender, the V2 inviter).
    pub alice: PrivateKeyBundle,
    /// Bob's private keys.
    pub bob: PrivateKeyBundle,
    /// The V1 conversation topic of Alice and Bob.
    pub dm_topic: String,
    /// The V2 conversation topic of the invitation vector.
    pub v2_topic: String,
    /// Its key material.
    pub key_material: Vec<u8>,
    /// The wallet signature that unlocks the private-store vector.
    pub store_signature: Vec<u8>,
    /// The timestamp of the sealed invitation vector.
    pub invitation_ns: u64,
    /// The sealed invitation vector.
    pub sealed_invitation: Vec<u8>,
}

fn hex_field(v: &Value, path: &[&str]) -> Vec<u8> {
    let s = path.iter().fold(v, |v, k| &v[*k]).as_str().expect("vector field");
    hex::decode(s.trim_start_matches("0x")).expect("hex vector field")
}

fn str_field(v: &Value, path: &[&str]) -> String {
    path.iter().fold(v, |v, k| &v[*k]).as_str().expect("vector field").to_string()
}

/// The fixture, built once.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let v: Value = serde_json::from_str(VECTORS).expect("vectors parse");
        let keys = |who: &str| {
            PrivateKeyBundle::from_bytes(&hex_field(&v, &[who, "privateKeyBundleV1Encoded_PrivateKeyBundle"]))
                .expect("vector keys")
        };
        Fixture {
            alice: keys("alice"),
            bob: keys("bob"),
            dm_topic: str_field(&v, &["topics", "dmAliceBob"]),
            v2_topic: str_field(&v, &["v2Invite", "topicNoContext"]),
            key_material: hex_field(&v, &["v2Invite", "keyMaterial"]),
            store_signature: hex_field(&v, &["encryptedPrivateKeyBundle", "walletSignature"]),
            invitation_ns: str_field(&v, &["sealedInvitation", "envelopeTimestampNs"]).parse().expect("timestamp"),
            sealed_invitation: hex_field(&v, &["sealedInvitation", "sealedInvitationBytes"]),
        }
    })
}

/// Bob's side of the vector conversation, for readers that should decode `m-` envelopes (opened
/// once: opening verifies signatures and derives keys, too slow to repeat for every input).
pub fn bob_conversation() -> Option<&'static V2Conversation> {
    static CONVERSATION: OnceLock<Option<V2Conversation>> = OnceLock::new();
    CONVERSATION
        .get_or_init(|| {
            let f = fixture();
            invitation::open(&f.bob, f.invitation_ns, &f.sealed_invitation).ok()
        })
        .as_ref()
}
