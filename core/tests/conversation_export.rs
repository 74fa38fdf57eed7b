//! One conversation exported as the official SDKs export it (keystore `TopicData`) and
//! imported into a client that knows only its keys: what a notification extension or a second
//! device does.

mod support;

use support::engine::{client, identity, listed, pair, send, T0};
use support::net::Net;
use xmtp_core::client::{Event, MessageQuery, RequestKind, StateError};
use xmtp_core::message::MessageVersion;
use xmtp_core::proto::keystore_api::v1::topic_map::TopicData;
use xmtp_core::proto::message_contents::invitation_v1::{Aes256gcmHkdfsha256, Encryption};
use xmtp_core::proto::prost::Message as _;
use xmtp_core::topic;

fn drain(c: &mut xmtp_core::client::Client) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

#[test]
fn an_exported_v2_conversation_reads_its_messages_in_a_client_that_had_only_the_keys() {
    let mut net = Net::new(T0);
    let (a, mut b, conv) = pair(&mut net, 300);
    b.sync_conversations(net.now_ns);
    net.run(&mut [&mut b]);
    send(&mut b, &mut net, &conv.topic, "from bob");
    net.run(&mut [&mut b]);

    let exported = a.export_conversation(&conv.topic).expect("a known conversation");
    // The fields of the keystore's TopicData: 1 created_ns, 2 peer_address, 3 invitation.
    let data = TopicData::decode(exported.as_slice()).expect("TopicData");
    assert_eq!((data.created_ns, data.peer_address.as_str()), (conv.created_ns, b.address().as_str()));
    let invitation = data.invitation.expect("a V2 conversation carries its invitation");
    assert_eq!(invitation.topic, conv.topic);
    assert_eq!(exported[0], 0x08, "field 1 (varint) first");

    let mut fresh = client(identity(300), 9);
    assert!(fresh.conversations().is_empty());
    fresh.subscribe();
    let first = fresh.poll_request(net.now_ns).expect("the stream");
    fresh.stream_opened(first.id, net.now_ns);
    let imported = fresh.import_conversation(&exported).expect("import");
    assert_eq!(imported, conv);
    assert_eq!(fresh.conversations(), vec![conv.clone()]);
    let events = drain(&mut fresh);
    assert!(
        matches!(events.as_slice(), [Event::StreamConnected, Event::NewConversation(c), Event::SubscriptionChanged] if *c == conv),
        "{events:?}"
    );
    let replaced = fresh.poll_request(net.now_ns).expect("a wider stream replaces the open one");
    let RequestKind::Subscribe { topics } = &replaced.kind else { panic!("a new stream, got {replaced:?}") };
    assert!(topics.contains(&conv.topic), "an imported conversation joins the stream");
    fresh.unsubscribe();

    fresh.messages(&conv.topic, MessageQuery::default());
    assert_eq!(listed(&net.run(&mut [&mut fresh])[0]), ["from bob"]);

    // Importing it again changes nothing and announces nothing.
    assert_eq!(fresh.import_conversation(&exported).expect("again"), conv);
    assert!(drain(&mut fresh).is_empty());
    // And the re-export is the same bytes.
    assert_eq!(fresh.export_conversation(&conv.topic).expect("known").as_slice(), exported.as_slice());
}

#[test]
fn a_v1_conversation_travels_without_an_invitation_and_its_topic_is_derived() {
    let (me, peer) = (identity(310), identity(311));
    let data = TopicData { created_ns: T0, peer_address: peer.address().to_string(), invitation: None };
    let mut c = client(me.clone(), 1);
    let conv = c.import_conversation(&data.encode_to_vec()).expect("import");
    assert_eq!(conv.version, MessageVersion::V1);
    assert_eq!(conv.topic, topic::direct_message(me.address(), peer.address()));
    assert_eq!((&conv.peer_address, conv.created_ns), (peer.address(), T0));
    assert_eq!(c.export_conversation(&conv.topic).expect("known").as_slice(), data.encode_to_vec().as_slice());
    assert!(c.export_conversation("/xmtp/0/m-unknown/proto").is_none());
}

#[test]
fn a_bad_export_is_refused_with_a_code_and_adds_nothing() {
    let me = identity(320);
    let peer = identity(321).address().to_string();
    let mut c = client(me.clone(), 1);
    let invitation = |key_len: usize, topic: &str| xmtp_core::proto::message_contents::InvitationV1 {
        topic: topic.into(),
        context: None,
        encryption: Some(Encryption::Aes256GcmHkdfSha256(Aes256gcmHkdfsha256 { key_material: vec![7; key_len] })),
        consent_proof: None,
    };
    let v2 = |peer: &str, inv| TopicData { created_ns: T0, peer_address: peer.into(), invitation: Some(inv) };
    let good_topic = topic::v2_conversation("abc");
    let cases: Vec<(Vec<u8>, StateError)> = vec![
        (vec![0xff, 0xff, 0xff], StateError::Malformed),
        (v2(&peer, invitation(31, &good_topic)).encode_to_vec(), StateError::Invalid("conversation")),
        (v2(&peer, invitation(32, "not a topic")).encode_to_vec(), StateError::Invalid("conversation")),
        (v2("0x123", invitation(32, &good_topic)).encode_to_vec(), StateError::Invalid("address")),
        (
            v2(&me.address().to_string(), invitation(32, &good_topic)).encode_to_vec(),
            StateError::Invalid("conversation"),
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(c.import_conversation(&bytes), Err(want));
    }
    assert!(c.conversations().is_empty(), "nothing half-imported");
    assert!(drain(&mut c).is_empty());
    assert_eq!(StateError::Malformed.code(), "state.malformed");
    // The good one goes in.
    assert!(c.import_conversation(&v2(&peer, invitation(32, &good_topic)).encode_to_vec()).is_ok());
}
