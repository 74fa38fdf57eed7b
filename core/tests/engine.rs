//! The sans-I/O engine driven over a deterministic in-memory network: three identities through
//! contacts, V1 and V2 conversations, paging, streams, a dropped stream and its gap fill,
//! consent, push keys, state export → import → continue, and bad network behaviour.

mod support;

use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use support::engine::{client, identity, listed, pair, send, started, text, texts, T0};
use support::net::Net;
use xmtp_core::client::{ConsentState, DecryptedEnvelope, Event, MessageQuery, SendOptions};
use xmtp_core::consent::ConsentAction;
use xmtp_core::content::{Compression, Content, Registry, TextCodec};
use xmtp_core::crypto::Address;
use xmtp_core::invitation::ConversationContext;
use xmtp_core::keys::{LocalWallet, PrivateKeyBundle};
use xmtp_core::message::MessageVersion;
use xmtp_core::proto::message_api::v1::Envelope;
use xmtp_core::{contact, push, topic};

#[test]
fn three_identities_end_to_end() {
    let mut net = Net::new(T0);
    let (ka, kb, kc) = (identity(1), identity(2), identity(3));
    let (a_addr, b_addr, c_addr) = (ka.address().clone(), kb.address().clone(), kc.address().clone());
    let (mut a, mut b, mut c) = (client(ka, 11), client(kb, 12), client(kc.clone(), 13));

    // Contacts: alice and bob publish V1 + V2; carol only a legacy V1 bundle (like xmtp-js's
    // publishLegacyContact), so conversations with her are V1.
    a.publish_contact();
    b.publish_contact();
    net.publish(&[Envelope {
        content_topic: topic::contact(&c_addr),
        timestamp_ns: T0,
        message: contact::encode_v1(&kc).unwrap(),
    }]);
    let ev = net.run(&mut [&mut a, &mut b]);
    assert!(ev[0].iter().any(|e| matches!(e, Event::ContactPublished { published: true, .. })));
    assert_eq!(net.store[&topic::contact(&a_addr)].len(), 2);
    // Publishing again finds the current V2 bundle and does nothing.
    a.publish_contact();
    let ev = net.run(&mut [&mut a]);
    assert!(ev[0].iter().any(|e| matches!(e, Event::ContactPublished { published: false, .. })));
    assert_eq!(net.store[&topic::contact(&a_addr)].len(), 2);

    // canMessage in one batch.
    let nobody = Address::parse("0x000000000000000000000000000000000000dEaD").unwrap();
    a.resolve_contacts(&[b_addr.clone(), c_addr.clone(), nobody.clone()]);
    let ev = net.run(&mut [&mut a]);
    let results = ev[0].iter().find_map(|e| match e {
        Event::ContactsResolved { results, .. } => Some(results.clone()),
        _ => None,
    });
    assert_eq!(results.unwrap(), vec![(b_addr.clone(), true), (c_addr.clone(), true), (nobody.clone(), false)]);

    // V2 with bob, without and with a context; starting again reuses.
    net.now_ns += 1_000_000;
    a.start_conversation(&b_addr, None, net.now_ns);
    let ab = started(&net.run(&mut [&mut a])[0]);
    assert_eq!(ab.version, MessageVersion::V2);
    let ctx = ConversationContext { conversation_id: "example.com/thread/1".into(), ..Default::default() };
    net.now_ns += 1_000_000;
    a.start_conversation(&b_addr, Some(ctx.clone()), net.now_ns);
    let ab_ctx = started(&net.run(&mut [&mut a])[0]);
    assert_ne!(ab.topic, ab_ctx.topic);
    a.start_conversation(&b_addr, None, net.now_ns);
    assert_eq!(started(&net.run(&mut [&mut a])[0]).topic, ab.topic);
    assert_eq!(net.store[&topic::invite(&b_addr)].len(), 2, "reuse published nothing");
    // Implicit consent: alice allowed bob when inviting.
    assert_eq!(a.consent_state(b_addr.as_str()), ConsentState::Allowed);

    // V1 with carol.
    a.start_conversation(&c_addr, None, net.now_ns);
    let ac = started(&net.run(&mut [&mut a])[0]);
    assert_eq!(ac.version, MessageVersion::V1);
    assert_eq!(ac.topic, topic::direct_message(&a_addr, &c_addr));
    send(&mut a, &mut net, &ac.topic, "hello carol");
    net.run(&mut [&mut a]);
    assert_eq!(net.store[&topic::intro(&c_addr)].len(), 1, "the first V1 message goes to the intros");
    send(&mut a, &mut net, &ac.topic, "second, no intro");
    net.run(&mut [&mut a]);
    assert_eq!(net.store[&topic::intro(&c_addr)].len(), 1);

    // Bob and carol discover their conversations.
    b.sync_conversations(net.now_ns);
    c.sync_conversations(net.now_ns);
    let ev = net.run(&mut [&mut b, &mut c]);
    let new_convs = |ev: &[Event]| ev.iter().filter(|e| matches!(e, Event::NewConversation(_))).count();
    assert_eq!(new_convs(&ev[0]), 2);
    assert_eq!(new_convs(&ev[1]), 1);
    assert_eq!(b.conversations().len(), 2);
    assert!(b.conversations().iter().any(|c| c.context.as_ref() == Some(&ctx)));
    assert_eq!(c.conversations()[0].peer_address, a_addr);

    // Carol answers over V1 (she resolves alice's contact first).
    c.resolve_contacts(std::slice::from_ref(&a_addr));
    net.run(&mut [&mut c]);
    send(&mut c, &mut net, &ac.topic, "hi alice");
    net.run(&mut [&mut c]);
    a.messages(&ac.topic, MessageQuery::default());
    assert_eq!(listed(&net.run(&mut [&mut a])[0]), vec!["hello carol", "second, no intro", "hi alice"]);

    // Streams: bob subscribes; alice writes; a compressed message too.
    b.subscribe();
    net.run(&mut [&mut b]);
    send(&mut a, &mut net, &ab.topic, "live 1");
    net.now_ns += 1_000_000;
    let long = "compressible ".repeat(40);
    let opts = SendOptions { compression: Some(Compression::Gzip), ephemeral: false };
    a.send(&ab.topic, &TextCodec::id(), &text(&long), opts, net.now_ns).unwrap();
    let ev = net.run(&mut [&mut a, &mut b]);
    assert_eq!(texts(&ev[1]), vec!["live 1".to_string(), long.clone()]);

    // The stream drops; alice writes meanwhile; bob reconnects by himself and fills the gap
    // without duplicates.
    net.drop_stream(&mut b);
    send(&mut a, &mut net, &ab.topic, "while you were away");
    send(&mut a, &mut net, &ab_ctx.topic, "also away, other thread");
    net.run(&mut [&mut a]);
    let ev = net.run(&mut [&mut b]);
    assert_eq!(texts(&ev[0]), vec!["while you were away".to_string(), "also away, other thread".to_string()]);
    assert!(ev[0].iter().any(|e| matches!(e, Event::StreamConnected)));
    send(&mut a, &mut net, &ab.topic, "back online");
    net.duplicate_stream = true;
    let ev = net.run(&mut [&mut a, &mut b]);
    assert_eq!(texts(&ev[1]), vec!["back online".to_string()], "duplicates delivered once");
    net.duplicate_stream = false;

    // A new conversation extends the live subscription.
    b.start_conversation(
        &c_addr,
        Some(ConversationContext { conversation_id: "b-c".into(), ..Default::default() }),
        net.now_ns,
    );
    let ev = net.run(&mut [&mut b]);
    let bc = started(&ev[0]);
    assert!(ev[0].iter().any(|e| matches!(e, Event::SubscriptionChanged)));
    assert!(net.subs[b_addr.as_str()].contains(&bc.topic));

    // A conversation discovered on the stream has its first messages fetched: a message sent
    // right after the invitation, before bob's stream covers the new topic, is not lost.
    net.now_ns += 1_000_000;
    let late = ConversationContext { conversation_id: "late".into(), ..Default::default() };
    a.start_conversation(&b_addr, Some(late), net.now_ns);
    let late_conv = started(&net.run(&mut [&mut a])[0]);
    send(&mut a, &mut net, &late_conv.topic, "right after the invite");
    net.run(&mut [&mut a]);
    let ev = net.run(&mut [&mut b]);
    assert_eq!(texts(&ev[0]), vec!["right after the invite".to_string()]);

    // Paging: 250 messages, both directions, limits and time ranges.
    let first_ns = net.now_ns + 1_000_000;
    for i in 0..250 {
        send(&mut a, &mut net, &ab_ctx.topic, &format!("m{i:03}"));
    }
    net.run(&mut [&mut a, &mut b]);
    b.messages(&ab_ctx.topic, MessageQuery { start_ns: first_ns, ..Default::default() });
    let all = listed(&net.run(&mut [&mut b])[0]);
    assert_eq!(all.len(), 250);
    assert_eq!(all[0], "m000");
    assert_eq!(all[249], "m249");
    b.messages(&ab_ctx.topic, MessageQuery { limit: Some(30), ascending: false, ..Default::default() });
    let newest = listed(&net.run(&mut [&mut b])[0]);
    assert_eq!(newest.len(), 30);
    assert_eq!((newest[0].as_str(), newest[29].as_str()), ("m249", "m220"));
    let end = first_ns + 9 * 1_000_000;
    b.messages(&ab_ctx.topic, MessageQuery { start_ns: first_ns, end_ns: end, ..Default::default() });
    assert_eq!(listed(&net.run(&mut [&mut b])[0]).len(), 10, "inclusive range of 10 ms");

    // Consent: bob denies alice, then a later load replays in order.
    net.now_ns += 1_000_000;
    b.set_consent(ConsentAction { deny_addresses: vec![a_addr.to_string()], ..Default::default() }, net.now_ns)
        .unwrap();
    net.run(&mut [&mut b]);
    assert_eq!(b.consent_state(a_addr.as_str()), ConsentState::Denied);
    let mut b2 = client(identity(2), 99);
    b2.sync_consent(net.now_ns);
    let ev = net.run(&mut [&mut b2]);
    assert_eq!(b2.consent_state(a_addr.as_str()), ConsentState::Denied);
    assert!(ev[0].iter().any(|e| matches!(e, Event::ConsentSynced { .. })));

    // Push keys: three periods per V2 conversation, matching the derivation.
    let now_ms = net.now_ns / 1_000_000;
    let keys = a.hmac_keys(now_ms, Some(std::slice::from_ref(&ab.topic)));
    assert_eq!(keys.len(), 1);
    let periods: Vec<u64> = keys[&ab.topic].iter().map(|(p, _)| *p).collect();
    let p = push::period_of_ms(now_ms);
    assert_eq!(periods, vec![p - 1, p, p + 1]);

    // State export → import → continue, and the standalone decrypt.
    let state = b.export_state();
    let mut b3 =
        xmtp_core::client::Client::import_state(&state, Registry::new(), Box::new(ChaCha20Rng::seed_from_u64(7)))
            .expect("state imports");
    assert_eq!(b3.conversations(), b.conversations());
    assert_eq!(b3.consent_state(a_addr.as_str()), ConsentState::Denied);
    assert_eq!(b3.high_water_marks(), b.high_water_marks());
    send(&mut a, &mut net, &ab.topic, "after import");
    net.run(&mut [&mut a]);
    b3.messages(&ab.topic, MessageQuery { limit: Some(1), ascending: false, ..Default::default() });
    assert_eq!(listed(&net.run(&mut [&mut b3])[0]), vec!["after import"]);
    let last = net.store[&ab.topic].values().last().unwrap().clone();
    let DecryptedEnvelope::Message(m) =
        xmtp_core::client::decrypt_envelope(&state, &last, Registry::new()).expect("offline decrypt")
    else {
        panic!("a message")
    };
    assert_eq!(m.content.content, Some(text("after import")));
    assert_eq!(m.message.sender_address, a_addr);
    assert_eq!(net.unauthenticated_publishes, 0);
}

#[test]
fn rate_limit_storms_are_retried_without_loss_or_duplicates() {
    let mut net = Net::new(T0);
    let (mut a, mut b, conv) = pair(&mut net, 21);
    let calls_before = net.publish_calls;
    net.rate_limit_next = 7;
    let ids: Vec<String> = (0..5).map(|i| send(&mut a, &mut net, &conv.topic, &format!("r{i}"))).collect();
    let ev = net.run(&mut [&mut a]);
    let sent: Vec<&String> = ev[0]
        .iter()
        .filter_map(|e| match e {
            Event::Sent { id, .. } => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), 5);
    assert!(ids.iter().all(|id| sent.contains(&id)));
    assert_eq!(net.rate_limit_next, 0);
    // Refused publishes were retried, and each message was published exactly once (the
    // network's own de-duplication would hide a double publish, so count the calls).
    assert_eq!(net.publish_calls - calls_before, 5);
    b.sync_conversations(net.now_ns);
    net.rate_limit_next = 3;
    net.run(&mut [&mut b]);
    b.messages(&conv.topic, MessageQuery::default());
    assert_eq!(listed(&net.run(&mut [&mut b])[0]), vec!["r0", "r1", "r2", "r3", "r4"]);
}

#[test]
fn malformed_responses_and_unknown_ids_fail_cleanly() {
    let mut a = client(identity(31), 1);
    let op = a.sync_conversations(T0);
    let r1 = a.poll_request(T0).unwrap();
    let r2 = a.poll_request(T0).unwrap();
    a.handle_response(r1.id, b"this is not json", T0);
    a.handle_response(
        r2.id,
        br#"{"envelopes":[{"contentTopic":"/xmtp/0/invite-x/proto","timestampNs":"1","message":"AAAA"}, 5, null]}"#,
        T0,
    );
    a.handle_response(9999, b"{}", T0);
    let events: Vec<Event> = std::iter::from_fn(|| a.poll_event()).collect();
    assert!(events.iter().any(|e| matches!(e, Event::Failed { op: o, .. } if *o == op)));
    assert!(events.iter().any(|e| matches!(e, Event::EnvelopeFailed { .. })));
    // A cursor that repeats forever does not loop: paging stops when the cursor does not move.
    // The pages are full, so only the cursor check can stop it.
    let op = a.messages("/xmtp/0/m-abc/proto", MessageQuery::default());
    let item = r#"{"contentTopic":"/xmtp/0/m-abc/proto","timestampNs":"1","message":"AAAA"}"#;
    let items = vec![item; 100].join(",");
    let body = format!(
        r#"{{"envelopes":[{items}],"pagingInfo":{{"cursor":{{"index":{{"digest":"AAAA","senderTimeNs":"5"}}}}}}}}"#
    );
    let mut served = 0;
    while let Some(r) = a.poll_request(T0) {
        served += 1;
        assert!(served <= 2, "paging must stop when the cursor repeats");
        a.handle_http(r.id, 200, body.as_bytes(), T0);
    }
    assert_eq!(served, 2, "the first repeat of the cursor ends paging");
    let events: Vec<Event> = std::iter::from_fn(|| a.poll_event()).collect();
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Messages { op: o, messages, .. } if *o == op && messages.is_empty())));
    assert_eq!(events.iter().filter(|e| matches!(e, Event::EnvelopeFailed { .. })).count(), 200);
}

#[test]
fn batch_decrypt_gives_one_result_per_envelope_in_order() {
    let mut net = Net::new(T0);
    let (mut a, mut b, conv) = pair(&mut net, 41);
    for i in 0..600 {
        send(&mut a, &mut net, &conv.topic, &format!("b{i}"));
    }
    net.run(&mut [&mut a]);
    b.sync_conversations(net.now_ns);
    net.run(&mut [&mut b]);
    let mut envelopes: Vec<Envelope> = net.store[&conv.topic].values().cloned().collect();
    envelopes[300].message[40] ^= 1;
    envelopes
        .insert(100, Envelope { content_topic: "/xmtp/0/m-unknown/proto".into(), timestamp_ns: 1, message: vec![1] });
    let results = b.decrypt_batch(&envelopes);
    assert_eq!(results.len(), 601);
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 2);
    assert_eq!(results[100].as_ref().unwrap_err().code(), "message.unknown_conversation");
    assert!(results[301].is_err(), "the tampered envelope moved up by the insertion");
    let ok: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|m| match &m.content.content {
            Some(Content::Text(t)) => t.clone(),
            _ => panic!("text"),
        })
        .collect();
    let expected: Vec<String> = (0..600).filter(|i| *i != 300).map(|i| format!("b{i}")).collect();
    assert_eq!(ok, expected);
}

/// Drive a bootstrap against the network, signing with `wallet`.
fn bootstrap(net: &mut Net, wallet: &LocalWallet, seed: u64) -> xmtp_core::client::Bootstrap {
    use xmtp_core::client::{Bootstrap, RequestKind};
    let mut b = Bootstrap::new(wallet.address(), Box::new(ChaCha20Rng::seed_from_u64(seed)), net.now_ns);
    for _ in 0..10 {
        if let Some(req) = b.poll_request(net.now_ns) {
            let body = match &req.kind {
                RequestKind::Query(q) => net.query(q),
                RequestKind::Publish { envelopes, .. } => {
                    net.publish(envelopes);
                    serde_json::json!({})
                }
                other => panic!("unexpected {other:?}"),
            };
            b.handle_http(req.id, 200, body.to_string().as_bytes(), net.now_ns);
        } else if let Some(sig) = b.signature_request() {
            b.provide_signature(&wallet.sign(&sig), net.now_ns).expect("signature accepted");
        } else {
            break;
        }
    }
    b
}

#[test]
fn bootstrap_creates_stores_then_loads_the_same_identity() {
    let mut net = Net::new(T0);
    let wallet = LocalWallet::generate(&mut ChaCha20Rng::seed_from_u64(50));
    let first = bootstrap(&mut net, &wallet, 1);
    let keys = first.keys().expect("created").clone();
    assert!(first.created());
    assert_eq!(keys.address(), &wallet.address());
    assert_eq!(net.store[&topic::private_store(&wallet.address())].len(), 1);

    let second = bootstrap(&mut net, &wallet, 2);
    assert!(!second.created());
    assert_eq!(second.keys().expect("loaded").to_v1_bytes().unwrap(), keys.to_v1_bytes().unwrap());

    // Another wallet's signature does not unlock it.
    use xmtp_core::client::{Bootstrap, RequestKind};
    let mut b = Bootstrap::new(wallet.address(), Box::new(ChaCha20Rng::seed_from_u64(3)), net.now_ns);
    let req = b.poll_request(net.now_ns).unwrap();
    let RequestKind::Query(q) = &req.kind else { panic!("query first") };
    b.handle_http(req.id, 200, net.query(q).to_string().as_bytes(), net.now_ns);
    let other = LocalWallet::generate(&mut ChaCha20Rng::seed_from_u64(51));
    let sig = other.sign(&b.signature_request().unwrap());
    assert_eq!(b.provide_signature(&sig, net.now_ns).unwrap_err().code(), "key.storage_decrypt_failed");
    assert!(b.keys().is_none());
    assert_eq!(b.error().unwrap().code(), "key.storage_decrypt_failed");
}

#[test]
fn refused_tokens_are_refreshed_once_then_the_send_fails() {
    let mut net = Net::new(T0);
    let (mut a, _b, conv) = pair(&mut net, 61);
    let count = |net: &Net| net.store.get(&conv.topic).map_or(0, |m| m.len());
    let stored = count(&net);

    net.reject_tokens_next = 1;
    let id = send(&mut a, &mut net, &conv.topic, "token refreshed");
    let ev = net.run(&mut [&mut a]);
    assert!(ev[0].iter().any(|e| matches!(e, Event::Sent { id: i, .. } if *i == id)));
    assert_eq!(count(&net), stored + 1);

    net.reject_tokens_next = 2;
    send(&mut a, &mut net, &conv.topic, "refused twice");
    let ev = net.run(&mut [&mut a]);
    let failed = ev[0].iter().find_map(|e| match e {
        Event::Failed { error, .. } => Some(error.code()),
        _ => None,
    });
    assert_eq!(failed, Some("api.unauthenticated"));
    assert_eq!(count(&net), stored + 1, "nothing published");
}

#[test]
fn out_of_order_and_repeated_envelopes_are_delivered_once_and_listed_in_order() {
    let mut net = Net::new(T0);
    let (mut a, mut b, conv) = pair(&mut net, 71);
    for i in 0..5 {
        send(&mut a, &mut net, &conv.topic, &format!("o{i}"));
    }
    net.run(&mut [&mut a]);
    b.sync_conversations(net.now_ns);
    net.run(&mut [&mut b]);
    let mut envelopes: Vec<Envelope> = net.store[&conv.topic].values().cloned().collect();
    envelopes.reverse();
    envelopes.push(envelopes[1].clone());
    b.receive(&envelopes);
    b.receive(&envelopes[..2]);
    let events: Vec<Event> = std::iter::from_fn(|| b.poll_event()).collect();
    let mut got = texts(&events);
    assert_eq!(got.len(), 5, "each message once: {got:?}");
    got.sort();
    assert_eq!(got, vec!["o0", "o1", "o2", "o3", "o4"]);
    b.messages(&conv.topic, MessageQuery::default());
    assert_eq!(listed(&net.run(&mut [&mut b])[0]), vec!["o0", "o1", "o2", "o3", "o4"]);
}

#[test]
fn a_consent_proof_in_the_invitation_is_honoured_by_the_recipient() {
    let mut net = Net::new(T0);
    let mut rng = ChaCha20Rng::seed_from_u64(81);
    let (alice_wallet, carol_wallet, mallory_wallet) =
        (LocalWallet::generate(&mut rng), LocalWallet::generate(&mut rng), LocalWallet::generate(&mut rng));
    let ka = alice_wallet.create_identity(&mut rng, T0 / 1_000_000);
    let kc = carol_wallet.create_identity(&mut rng, T0 / 1_000_000);
    let (a_addr, c_addr) = (ka.address().clone(), kc.address().clone());
    let (mut a, mut c) = (client(ka, 1), client(kc, 2));
    a.publish_contact();
    c.publish_contact();
    net.run(&mut [&mut a, &mut c]);

    // Carol signed a consent proof for alice beforehand; a forged one comes from mallory.
    let ts = T0 / 1_000_000;
    let proof_for = |wallet: &LocalWallet| {
        let request = xmtp_core::consent::consent_proof_request(a_addr.as_str(), ts);
        xmtp_core::consent::consent_proof_payload(&wallet.sign(&request), ts)
    };
    let ctx = |id: &str| Some(ConversationContext { conversation_id: id.into(), ..Default::default() });
    a.start_conversation_with_proof(&c_addr, ctx("forged"), Some(proof_for(&mallory_wallet)), net.now_ns);
    net.run(&mut [&mut a]);
    c.sync_conversations(net.now_ns);
    net.run(&mut [&mut c]);
    c.sync_consent(net.now_ns + 1_000_000);
    net.run(&mut [&mut c]);
    assert_eq!(c.consent_state(a_addr.as_str()), ConsentState::Unknown, "a proof not signed by carol is ignored");

    a.start_conversation_with_proof(&c_addr, ctx("proved"), Some(proof_for(&carol_wallet)), net.now_ns);
    net.run(&mut [&mut a]);
    c.sync_conversations(net.now_ns);
    net.run(&mut [&mut c]);
    c.sync_consent(net.now_ns + 1_000_000);
    let ev = net.run(&mut [&mut c]);
    assert_eq!(c.consent_state(a_addr.as_str()), ConsentState::Allowed);
    assert!(ev[0].iter().any(|e| matches!(e, Event::ConsentChanged { state: ConsentState::Allowed, .. })));
    // The allow was published, so another device of carol's (same keys, fresh state) sees it.
    let mut other_device = client(PrivateKeyBundle::from_bytes(&c.keys().to_v1_bytes().unwrap()).unwrap(), 6);
    other_device.sync_consent(net.now_ns);
    net.run(&mut [&mut other_device]);
    assert_eq!(other_device.consent_state(a_addr.as_str()), ConsentState::Allowed);
}
