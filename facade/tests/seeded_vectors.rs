//! The known answers every binding reproduces byte for byte through its own API
//! (`tests/vectors/facade-seeded.json`): a wallet's deterministic signature, a seeded client's
//! prepared message in an imported conversation, the peer's reading of it, the conversation's
//! export and its push keys. This test computes them with the facade and compares them with the
//! file; `XMTP_WRITE_VECTORS=1` rewrites the file instead.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use serde_json::{json, Value};
use xmtp_core::keys::LocalWallet;
use xmtp_core::proto::keystore_api::v1::topic_map::TopicData;
use xmtp_core::proto::message_contents::invitation_v1::{Aes256gcmHkdfsha256, Encryption};
use xmtp_core::proto::message_contents::InvitationV1;
use xmtp_core::proto::prost::Message as _;
use xmtp_facade::{Client, ClientOptions, ContentInput, Envelope, Environment, PrivateKeyWallet, SendOptions};

const FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/facade-seeded.json");
/// 2025-10-09T08:53:20Z in ns.
const NOW_NS: u64 = 1_760_000_000_000_000_000;
const SEED: u64 = 7;
const TEXT: &str = "hello, vectors";

fn options() -> ClientOptions {
    ClientOptions { env: Environment::Local, api_url: Some("http://127.0.0.1:1".into()), app_version: None }
}

fn identity(seed: u64) -> (String, Vec<u8>) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let keys = LocalWallet::generate(&mut rng).create_identity(&mut rng, NOW_NS / 1_000_000);
    (keys.address().to_string(), keys.export().to_vec())
}

fn topic_data(peer: &str) -> Vec<u8> {
    TopicData {
        created_ns: NOW_NS,
        peer_address: peer.into(),
        invitation: Some(InvitationV1 {
            topic: "/xmtp/0/m-facadeseededvectors/proto".into(),
            context: None,
            encryption: Some(Encryption::Aes256GcmHkdfSha256(Aes256gcmHkdfsha256 { key_material: vec![0x42; 32] })),
            consent_proof: None,
        }),
    }
    .encode_to_vec()
}

fn compute() -> Value {
    let b64 = |b: &[u8]| STANDARD.encode(b);
    let wallet_key = [0x11u8; 32];
    let wallet = PrivateKeyWallet::from_private_key(wallet_key.to_vec().into()).unwrap();
    let signed_text = "XMTP : Create Identity\nexample\n\nFor more info: https://xmtp.org/signatures/";

    let (me, my_keys) = identity(1);
    let (peer, peer_keys) = identity(2);
    let mine = topic_data(&peer);
    let theirs = topic_data(&me);

    let client = Client::from_keys_seeded(my_keys.clone().into(), options(), SEED).unwrap();
    let conversation = client.import_conversation(mine.clone().into()).unwrap();
    let prepared = client
        .prepare_message(
            conversation.topic.clone(),
            ContentInput::Text { text: TEXT.into() },
            SendOptions::default(),
            NOW_NS,
        )
        .unwrap();
    assert_eq!(prepared.envelopes.len(), 1);
    let envelope = &prepared.envelopes[0];

    // The peer reads it.
    let reader = Client::from_keys(peer_keys.clone().into(), options()).unwrap();
    reader.import_conversation(theirs.clone().into()).unwrap();
    let read = reader.decrypt_batch(vec![Envelope { ..envelope.clone() }]);
    let message = read[0].message.clone().expect("the peer reads it");
    assert_eq!((message.text.as_deref(), message.sender_address.as_str()), (Some(TEXT), me.as_str()));

    let hmac: Vec<Value> = client
        .hmac_keys(None, NOW_NS)
        .into_iter()
        .map(|k| json!({"topic": k.topic, "period": k.period, "key": hex::encode(k.key)}))
        .collect();

    json!({
        "_about": "Known answers of the xmtp-rs host API, reproduced byte for byte by every binding (Kotlin, Swift, JS) through its own API with the test build's seeded generator. Written by facade/tests/seeded_vectors.rs (XMTP_WRITE_VECTORS=1), which also checks it. Bytes are base64 unless named hex; times are Unix ns.",
        "wallet": {
            "privateKeyHex": hex::encode(wallet_key),
            "address": wallet.address(),
            "text": signed_text,
            "signatureHex": hex::encode(wallet.sign(signed_text.into())),
        },
        "sender": { "address": me, "keys": b64(&my_keys) },
        "recipient": { "address": peer, "keys": b64(&peer_keys) },
        "conversation": {
            "topic": conversation.topic,
            "senderTopicData": b64(&mine),
            "recipientTopicData": b64(&theirs),
            "createdNs": NOW_NS.to_string(),
        },
        "message": {
            "seed": SEED,
            "nowNs": NOW_NS.to_string(),
            "text": TEXT,
            "id": prepared.id,
            "envelope": {
                "contentTopic": envelope.content_topic,
                "timestampNs": envelope.timestamp_ns.to_string(),
                "message": b64(&envelope.message),
            },
        },
        "hmacKeys": hmac,
    })
}

#[test]
fn the_seeded_vectors_are_what_the_facade_computes() {
    let computed = compute();
    // Twice the same: the seed fixes every byte.
    assert_eq!(computed, compute());
    if std::env::var_os("XMTP_WRITE_VECTORS").is_some() {
        std::fs::write(FILE, serde_json::to_string_pretty(&computed).unwrap() + "\n").unwrap();
        return;
    }
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(FILE).expect("the vector file")).unwrap();
    assert_eq!(stored, computed, "tests/vectors/facade-seeded.json is out of date (XMTP_WRITE_VECTORS=1 rewrites it)");
}
