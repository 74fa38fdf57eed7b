//! The host loop's contract, as a host meets it: every operation ends with exactly one final
//! event, HTTP outcomes are mapped and retried by the engine (with deadlines instead of
//! polling), requests carry their headers, and the stream's lifecycle (open, lines, closed,
//! a changed topic set) is decided by the engine.

mod support;

use std::collections::HashMap;
use std::sync::Arc;

use support::engine::{client, identity, pair, send, started, T0};
use support::net::Net;
use xmtp_core::api::envelope_to_json;
use xmtp_core::client::{
    decrypt_envelope, ClientError, DecryptedEnvelope, ErrorAction, Event, OpId, RequestKind, SendOptions,
};
use xmtp_core::consent::ConsentAction;
use xmtp_core::content::{Codec, Content, ContentError, ContentTypeId, Registry};
use xmtp_core::crypto::Address;
use xmtp_core::invitation::ConversationContext;
use xmtp_core::proto::message_contents::EncodedContent;

const MS: u64 = 1_000_000;

fn drain(c: &mut xmtp_core::client::Client) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

/// Final events per operation id.
fn finals(events: &[Event]) -> HashMap<OpId, usize> {
    let mut n = HashMap::new();
    for e in events {
        if let Some(op) = e.op() {
            *n.entry(op).or_default() += 1;
        }
    }
    n
}

#[test]
fn can_message_with_more_addresses_than_one_batch_ends_with_one_event_holding_all() {
    let mut net = Net::new(T0);
    let (mut a, _b, _conv) = pair(&mut net, 100);
    let known = identity(101).address().clone();
    let mut addresses: Vec<Address> =
        (0..60u8).map(|i| Address::from_bytes([i; 20])).chain(std::iter::once(known.clone())).collect();
    addresses.swap(3, 60);
    let op = a.resolve_contacts(&addresses);
    let events = net.run(&mut [&mut a]).remove(0);
    let resolved: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::ContactsResolved { op: o, results } if *o == op => Some(results.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(resolved.len(), 1, "exactly one final event for the operation");
    let results = &resolved[0];
    assert_eq!(results.iter().map(|(a, _)| a.clone()).collect::<Vec<_>>(), addresses, "in the order asked");
    assert_eq!(results.iter().filter(|(_, ok)| *ok).count(), 1);
    assert!(results[3].1, "the one published identity can be messaged");
    assert_eq!(finals(&events)[&op], 1);
}

#[test]
fn set_consent_finishes_with_an_event_and_a_refused_publish_is_reported() {
    let mut net = Net::new(T0);
    let (_a, mut b, _conv) = pair(&mut net, 110);
    let peer = identity(111).address().to_string();
    let op = b.set_consent(ConsentAction { deny_addresses: vec![peer.clone()], ..Default::default() }, T0).unwrap();
    let events = net.run(&mut [&mut b]).remove(0);
    assert!(events.iter().any(|e| matches!(e, Event::ConsentPublished { op: o } if *o == op)), "{events:?}");

    // The node refuses the next publish for good (400): the operation fails, once.
    let op = b.set_consent(ConsentAction { allow_addresses: vec![peer], ..Default::default() }, T0).unwrap();
    let request = b.poll_request(T0).expect("the publish");
    assert_eq!(b.handle_http(request.id, 400, br#"{"code":3,"message":"bad"}"#, T0), Some(ErrorAction::GiveUp));
    let events = drain(&mut b);
    let failed: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Failed { op: o, error } if *o == op => Some(error.code()),
            _ => None,
        })
        .collect();
    assert_eq!(failed, vec!["api.invalid_argument"]);
}

#[test]
fn an_operation_ends_once_even_when_one_of_its_requests_fails_and_another_succeeds() {
    let mut a = client(identity(120), 1);
    let op = a.publish_contact();
    let query = a.poll_request(T0).unwrap();
    a.handle_http(query.id, 200, b"{}", T0);
    // Two publishes (V1 and V2 bundles): the first is refused, the second goes through.
    let (p1, p2) = (a.poll_request(T0).unwrap(), a.poll_request(T0).unwrap());
    assert!(matches!(p1.kind, RequestKind::Publish { .. }) && matches!(p2.kind, RequestKind::Publish { .. }));
    a.handle_http(p1.id, 403, br#"{"code":7,"message":"no"}"#, T0);
    a.handle_http(p2.id, 200, b"{}", T0);
    let events = drain(&mut a);
    assert_eq!(finals(&events).get(&op), Some(&1), "{events:?}");
    assert!(matches!(events.iter().find(|e| e.op() == Some(op)), Some(Event::Failed { .. })));
}

#[test]
fn transient_failures_wait_for_their_deadline_then_give_up_with_a_clear_code() {
    let mut a = client(identity(130), 1);
    let op = a.sync_consent(T0);
    let r = a.poll_request(T0).unwrap();
    assert_eq!(a.handle_http(r.id, 429, b"", T0), Some(ErrorAction::Retry { after_ms: 1000 }));
    assert_eq!(a.next_deadline(), Some(T0 + 1000 * MS));
    assert!(a.poll_request(T0 + 999 * MS).is_none(), "not before its deadline");
    let again = a.poll_request(T0 + 1000 * MS).expect("due");
    assert_eq!(again.id, r.id, "the same request is retried");
    // The next delays double; after the last retry the operation fails.
    let mut now = T0 + 1000 * MS;
    let mut delays = Vec::new();
    let mut id = again.id;
    loop {
        match a.handle_http(id, 503, br#"{"code":14,"message":"unavailable"}"#, now) {
            Some(ErrorAction::Retry { after_ms }) => {
                delays.push(after_ms);
                now = a.next_deadline().unwrap();
                id = a.poll_request(now).unwrap().id;
            }
            other => {
                assert_eq!(other, Some(ErrorAction::GiveUp));
                break;
            }
        }
    }
    assert_eq!(delays, vec![2000, 4000, 8000, 16000, 30000]);
    let events = drain(&mut a);
    assert!(events.iter().any(
        |e| matches!(e, Event::Failed { op: o, error: ClientError::Api { code } } if *o == op && *code == "api.unavailable")
    ));
    assert_eq!(a.next_deadline(), None);
    assert!(!a.is_busy());

    // A node that cannot be reached (status 0) is given up on quickly.
    let op = a.sync_consent(now);
    let mut tries = 0;
    while let Some(r) = a.poll_request(now) {
        tries += 1;
        a.handle_http(r.id, 0, b"connection refused", now);
        now = a.next_deadline().unwrap_or(now);
    }
    assert_eq!(tries, 3);
    let events = drain(&mut a);
    assert!(events.iter().any(
        |e| matches!(e, Event::Failed { op: o, error: ClientError::Api { code } } if *o == op && *code == "api.transport")
    ));
}

#[test]
fn requests_carry_their_headers() {
    let mut a = client(identity(140), 1);
    a.set_app_version(Some("example-app/2.1".into()));
    a.publish_contact();
    let q = a.poll_request(T0).unwrap();
    let headers: HashMap<&str, String> = q.headers().into_iter().collect();
    assert_eq!(headers["Content-Type"], "application/json");
    assert_eq!(headers["X-Client-Version"], format!("xmtp-rs/{}", env!("CARGO_PKG_VERSION")));
    assert_eq!(headers["X-App-Version"], "example-app/2.1");
    assert!(!headers.contains_key("Authorization"), "queries carry no token");
    a.handle_http(q.id, 200, b"{}", T0);
    let p = a.poll_request(T0).unwrap();
    let headers: HashMap<&str, String> = p.headers().into_iter().collect();
    assert!(headers["Authorization"].starts_with("Bearer "));
    assert_eq!(p.path(), "/message/v1/publish");
}

#[test]
fn gap_filling_waits_for_the_new_stream_and_stale_streams_are_ignored() {
    let mut net = Net::new(T0);
    let (mut a, mut b, _conv) = pair(&mut net, 150);
    let b_addr = b.address().clone();
    let sub = b.subscribe();
    let r = b.poll_request(T0).unwrap();
    assert_eq!((r.id, r.path()), (sub, "/message/v1/subscribe"));
    b.stream_opened(sub, T0);
    assert!(matches!(drain(&mut b).as_slice(), [Event::StreamConnected]));

    // Alice invites bob to a new conversation; it arrives on bob's stream.
    net.now_ns += MS;
    a.start_conversation(
        &b_addr,
        Some(ConversationContext { conversation_id: "x".into(), ..Default::default() }),
        net.now_ns,
    );
    let conv = started(&net.run(&mut [&mut a])[0]);
    let invite = net.store[&xmtp_core::topic::invite(&b_addr)].values().last().unwrap().clone();
    let line = serde_json::json!({ "result": envelope_to_json(&invite) }).to_string();
    b.stream_line(sub, line.as_bytes(), T0);
    let events = drain(&mut b);
    assert!(events.iter().any(|e| matches!(e, Event::NewConversation(c) if c.topic == conv.topic)));
    assert!(events.iter().any(|e| matches!(e, Event::SubscriptionChanged)));

    // The engine asks for a new stream first; the catch-up of the new topic waits for it.
    let r = b.poll_request(T0).unwrap();
    let RequestKind::Subscribe { topics } = &r.kind else { panic!("subscribe first, got {r:?}") };
    assert!(topics.contains(&conv.topic));
    assert!(b.poll_request(T0).is_none(), "no catch-up before the new stream is open");
    // Lines and the end of the replaced stream no longer matter.
    b.stream_closed(sub, T0);
    assert!(b.poll_request(T0).is_none());
    b.stream_opened(r.id, T0);
    let catch_up = b.poll_request(T0).expect("catch-up after open");
    let RequestKind::Query(q) = &catch_up.kind else { panic!("a query") };
    assert_eq!(q.content_topics, vec![conv.topic.clone()]);

    // An error line ends the current stream; reconnects back off while they keep failing.
    b.handle_http(catch_up.id, 200, b"{}", T0);
    b.stream_line(r.id, br#"{"error":{"code":14,"message":"going away"}}"#, T0);
    let events = drain(&mut b);
    assert!(events.iter().any(|e| matches!(e, Event::StreamInterrupted { retry_after_ms: 0 })));
    let again = b.poll_request(T0).expect("reconnect at once after a stream that was open");
    assert!(again.is_stream());
    b.handle_http(again.id, 503, b"", T0);
    assert!(drain(&mut b).iter().any(|e| matches!(e, Event::StreamInterrupted { retry_after_ms: 1000 })));
    assert_eq!(b.next_deadline(), Some(T0 + 1000 * MS));
    assert!(b.poll_request(T0).is_none());
    let third = b.poll_request(T0 + 1000 * MS).expect("after the back-off");
    assert!(third.is_stream());
    // Failed reconnects do not pile up gap fills: one query per topic once a stream opens.
    b.stream_opened(third.id, T0 + 1000 * MS);
    let mut fills = Vec::new();
    while let Some(r) = b.poll_request(T0 + 1000 * MS) {
        let RequestKind::Query(q) = &r.kind else { panic!("only gap fills, got {r:?}") };
        fills.push(q.content_topics[0].clone());
        b.handle_http(r.id, 200, b"{}", T0 + 1000 * MS);
    }
    let unique: std::collections::HashSet<&String> = fills.iter().collect();
    assert_eq!(unique.len(), fills.len(), "{fills:?}");
    assert_eq!(fills.len(), b.stream_topics().len());

    // Unsubscribing drops the stream; nothing more comes of it.
    drain(&mut b);
    b.unsubscribe();
    b.stream_line(third.id, line.as_bytes(), T0);
    assert!(b.poll_request(T0 + 10_000 * MS).is_none());
    assert!(drain(&mut b).is_empty());
}

#[test]
fn malformed_items_of_a_page_are_reported_one_by_one() {
    let mut a = client(identity(160), 1);
    let op = a.sync_conversations(T0);
    let (r1, r2) = (a.poll_request(T0).unwrap(), a.poll_request(T0).unwrap());
    a.handle_http(r1.id, 200, br#"{"envelopes":[7, {"timestampNs":"x"}, null]}"#, T0);
    a.handle_http(r2.id, 200, b"{}", T0);
    let events = drain(&mut a);
    let codes: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::EnvelopeFailed { code, .. } => Some(*code),
            _ => None,
        })
        .collect();
    assert_eq!(codes, vec!["decode.malformed", "decode.invalid_field", "decode.malformed"]);
    assert!(events.iter().any(|e| matches!(e, Event::ConversationsSynced { op: o } if *o == op)));
}

/// A codec the engine knows only through the host's registry.
#[derive(Debug)]
struct Shout;

impl Codec for Shout {
    fn content_type(&self) -> ContentTypeId {
        ContentTypeId::new("example.com", "shout", 1, 0)
    }
    fn encode(&self, content: &Content, _: &Registry) -> Result<EncodedContent, ContentError> {
        let Content::Text(t) = content else { return Err(ContentError::InvalidParameters) };
        Ok(EncodedContent {
            r#type: Some(self.content_type().to_proto()),
            content: t.to_uppercase().into_bytes(),
            ..Default::default()
        })
    }
    fn decode(&self, encoded: &EncodedContent, _: &Registry) -> Result<Content, ContentError> {
        Ok(Content::Text(String::from_utf8_lossy(&encoded.content).to_lowercase()))
    }
    fn fallback(&self, _: &Content) -> Option<String> {
        Some("someone shouted".into())
    }
    fn should_push(&self, _: &Content) -> bool {
        true
    }
}

#[test]
fn offline_decrypt_reports_new_conversations_and_uses_the_hosts_codecs() {
    let mut net = Net::new(T0);
    let (mut a, mut b, conv) = pair(&mut net, 170);
    let b_addr = b.address().clone();
    b.sync_conversations(net.now_ns);
    net.run(&mut [&mut b]);
    let state = b.export_state();

    // A later invitation, unknown to the exported state, reads as a new conversation.
    net.now_ns += MS;
    let ctx = ConversationContext { conversation_id: "later".into(), ..Default::default() };
    a.start_conversation(&b_addr, Some(ctx.clone()), net.now_ns);
    let later = started(&net.run(&mut [&mut a])[0]);
    let invite = net.store[&xmtp_core::topic::invite(&b_addr)].values().last().unwrap().clone();
    match decrypt_envelope(&state, &invite, Registry::new()).expect("an invitation") {
        DecryptedEnvelope::Invitation(c) => {
            assert_eq!((c.topic, c.peer_address, c.context), (later.topic, a.address().clone(), Some(ctx)));
        }
        other => panic!("expected an invitation, got {other:?}"),
    }

    // A message of a type only the host's registry knows.
    let mut shout = Registry::new();
    shout.register(Arc::new(Shout));
    let mut a2 = xmtp_core::client::Client::with_registry(
        a.keys().clone(),
        shout.clone(),
        Box::new(<rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(9)),
    );
    a2.sync_conversations(net.now_ns);
    net.run(&mut [&mut a2]);
    net.now_ns += MS;
    a2.send(&conv.topic, &Shout.content_type(), &Content::Text("hey".into()), SendOptions::default(), net.now_ns)
        .unwrap();
    net.run(&mut [&mut a2]);
    let envelope = net.store[&conv.topic].values().last().unwrap().clone();
    let DecryptedEnvelope::Message(m) = decrypt_envelope(&state, &envelope, shout).unwrap() else { panic!() };
    assert_eq!(m.content.content, Some(Content::Text("hey".into())));
    let DecryptedEnvelope::Message(m) = decrypt_envelope(&state, &envelope, Registry::new()).unwrap() else { panic!() };
    assert_eq!((m.content.content, m.content.fallback.as_deref()), (None, Some("someone shouted")));
    let _ = send;
}

#[test]
fn an_invalid_address_has_a_stable_code() {
    let err = Address::parse("0x12").unwrap_err();
    assert_eq!(err.code(), "address.invalid");
    assert_eq!(xmtp_core::Error::from(err.clone()).code(), "address.invalid");
    assert_eq!(ClientError::from(err).code(), "address.invalid");
}

#[test]
fn a_restored_engine_does_not_deliver_again_what_was_delivered_before_export() {
    let mut net = Net::new(T0);
    let (mut a, mut b, conv) = pair(&mut net, 180);
    b.sync_conversations(net.now_ns);
    net.run(&mut [&mut b]);
    b.subscribe();
    net.run(&mut [&mut b]);
    send(&mut a, &mut net, &conv.topic, "seen by the first run");
    let ev = net.run(&mut [&mut a, &mut b]);
    assert_eq!(support::engine::texts(&ev[1]), vec!["seen by the first run"]);

    // A second run from the exported state streams, drops, and fills the gap from the mark.
    let state = b.export_state();
    let mut b2 = xmtp_core::client::Client::import_state(&state, xmtp_core::content::Registry::new(), {
        use rand_core::SeedableRng;
        Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(181))
    })
    .unwrap();
    b2.subscribe();
    net.run(&mut [&mut b2]);
    net.drop_stream(&mut b2);
    let ev = net.run(&mut [&mut b2]);
    assert!(ev[0].iter().any(|e| matches!(e, Event::StreamConnected)), "reconnected");
    assert!(support::engine::texts(&ev[0]).is_empty(), "nothing delivered twice: {:?}", ev[0]);
    send(&mut a, &mut net, &conv.topic, "new");
    let ev = net.run(&mut [&mut a, &mut b2]);
    assert_eq!(support::engine::texts(&ev[1]), vec!["new"]);
}

#[test]
fn a_message_whose_unauthenticated_fields_were_changed_is_delivered_once() {
    use prost::Message as _;
    use xmtp_core::proto::message_contents as pb;
    let mut net = Net::new(T0);
    let (mut a, mut b, conv) = pair(&mut net, 190);
    b.sync_conversations(net.now_ns);
    net.run(&mut [&mut b]);
    b.subscribe();
    net.run(&mut [&mut b]);
    send(&mut a, &mut net, &conv.topic, "only once");
    let ev = net.run(&mut [&mut a, &mut b]);
    assert_eq!(support::engine::texts(&ev[1]), vec!["only once"]);

    // A node flips the sender HMAC (covered by no signature): new bytes, new id, same message.
    let original = net.store[&conv.topic].values().last().unwrap().clone();
    let mut m = pb::Message::decode(original.message.as_slice()).unwrap();
    let Some(pb::message::Version::V2(v2)) = &mut m.version else { panic!("v2") };
    v2.sender_hmac.as_mut().unwrap()[0] ^= 1;
    let forged = xmtp_core::proto::message_api::v1::Envelope { message: m.encode_to_vec(), ..original.clone() };
    let (id1, id2) =
        (xmtp_core::message::message_id(&original.message), xmtp_core::message::message_id(&forged.message));
    assert_ne!(id1, id2, "the interoperable id changes");
    net.publish(std::slice::from_ref(&forged));
    let ev = net.run(&mut [&mut b]);
    assert!(support::engine::texts(&ev[0]).is_empty(), "not delivered again: {:?}", ev[0]);
    b.messages(&conv.topic, xmtp_core::client::MessageQuery::default());
    assert_eq!(support::engine::listed(&net.run(&mut [&mut b])[0]), vec!["only once"]);
}
