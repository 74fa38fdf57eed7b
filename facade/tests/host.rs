//! The engine's scenarios through the facade, driven by a second host that knows only the
//! documented loop (tests/support): identities, contacts, conversations, every standard content
//! type and a host codec, paging, streams with a drop and a new conversation, consent, push
//! keys, state export and offline decryption, rate limits and an unreachable node, errors and
//! their codes, and sharing a client between threads.

mod support;

use std::collections::HashMap;
use std::sync::Arc;

use support::{options, Node, MS, T0};
use xmtp_facade::{
    decrypt_envelope, error_codes, Client, ConsentState, ContentInput, ConversationContext, DecodedMessage,
    DecryptedEnvelope, Envelope, Event, MessageQuery, PrivateKeyWallet, SendOptions, SortDirection, XmtpError,
};

fn text(s: &str) -> ContentInput {
    ContentInput::Text { text: s.into() }
}

fn started(e: &Event) -> xmtp_facade::Conversation {
    match e {
        Event::ConversationStarted { conversation, .. } => conversation.clone(),
        other => panic!("expected a conversation, got {other:?}"),
    }
}

fn send(node: &mut Node, c: &Client, topic: &str, content: ContentInput) -> String {
    let now = node.tick();
    let sending = c.send(topic.into(), content, SendOptions::default(), now).expect("send");
    let (e, _) = node.finish(c, sending.op);
    assert_eq!(e, Event::Sent { op: sending.op, id: sending.id.clone() });
    sending.id
}

fn listed(node: &mut Node, c: &Client, topic: &str, query: MessageQuery) -> Vec<DecodedMessage> {
    let op = c.messages(topic.into(), query).unwrap();
    match node.finish(c, op).0 {
        Event::Messages { messages, .. } => messages,
        other => panic!("expected messages, got {other:?}"),
    }
}

fn streamed(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Message { message } => {
                Some(message.text.clone().or_else(|| message.content_json.clone()).unwrap_or_default())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn two_clients_through_the_facade() {
    let mut node = Node::new();
    let (alice, bob) = (node.new_client(), node.new_client());

    // The same wallet loads its stored identity again.
    let wallet = PrivateKeyWallet::generate();
    let (keys, created) = node.bootstrap(&wallet);
    assert!(created);
    let (again, created) = node.bootstrap(&wallet);
    assert!(!created);
    assert_eq!(again, keys);

    // canMessage: one event, in order.
    let nobody = "0x000000000000000000000000000000000000dEaD".to_string();
    let op = alice.can_message(vec![bob.address(), nobody.clone()]).unwrap();
    match node.finish(&alice, op).0 {
        Event::ContactsResolved { results, .. } => {
            let got: Vec<(String, bool)> = results.into_iter().map(|r| (r.address, r.can_message)).collect();
            assert_eq!(got, vec![(bob.address(), true), (nobody, false)]);
        }
        other => panic!("{other:?}"),
    }

    // Bob streams; alice starts a conversation with a context and writes every standard type.
    bob.subscribe().unwrap();
    node.run(&[&bob]);
    let context = ConversationContext {
        conversation_id: "example.com/thread/1".into(),
        metadata: HashMap::from([("title".to_string(), "hello".to_string())]),
    };
    let op = alice.new_conversation(bob.address(), Some(context.clone()), node.tick()).unwrap();
    let conv = started(&node.finish(&alice, op).0);
    assert_eq!((conv.version.as_str(), conv.context.as_ref()), ("v2", Some(&context)));
    let first = send(&mut node, &alice, &conv.topic, text("hi bob"));
    let reaction = format!(r#"{{"reference":"{first}","action":"added","schema":"unicode","content":"👍"}}"#);
    send(
        &mut node,
        &alice,
        &conv.topic,
        ContentInput::Json { content_type: "xmtp.org/reaction:1.0".into(), json: reaction },
    );
    let reply = format!(
        r#"{{"reference":"{first}","contentType":{{"authorityId":"xmtp.org","typeId":"text","versionMajor":1,"versionMinor":0}},"content":"a reply"}}"#
    );
    send(&mut node, &alice, &conv.topic, ContentInput::Json { content_type: "xmtp.org/reply:1.0".into(), json: reply });
    let attachment = r#"{"filename":"a.txt","mimeType":"text/plain","data":"aGVsbG8="}"#;
    send(
        &mut node,
        &alice,
        &conv.topic,
        ContentInput::Json { content_type: "xmtp.org/attachment:1.0".into(), json: attachment.into() },
    );
    // A host codec's content: bob has no codec for it and sees the raw content and fallback.
    send(
        &mut node,
        &alice,
        &conv.topic,
        ContentInput::Encoded {
            content_type: "example.com/shout:1.0".into(),
            parameters: HashMap::from([("volume".to_string(), "11".to_string())]),
            content: b"HEY".to_vec().into(),
            fallback: Some("someone shouted".into()),
            should_push: true,
        },
    );
    let events = node.run(&[&bob]).remove(0);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::NewConversation { conversation } if conversation.topic == conv.topic)));
    let live: Vec<DecodedMessage> = events
        .into_iter()
        .filter_map(|e| match e {
            Event::Message { message } => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(live.len(), 5, "each message once, the first one fetched when the invitation arrived");
    assert_eq!(live[0].text.as_deref(), Some("hi bob"));
    assert_eq!(live[0].sender_address, alice.address());
    assert_eq!(live[1].content_type.as_deref(), Some("xmtp.org/reaction:1.0"));
    let reaction: serde_json::Value = serde_json::from_str(live[1].content_json.as_deref().unwrap()).unwrap();
    assert_eq!((reaction["content"].as_str(), reaction["reference"].as_str()), (Some("👍"), Some(first.as_str())));
    let reply: serde_json::Value = serde_json::from_str(live[2].content_json.as_deref().unwrap()).unwrap();
    assert_eq!(reply["content"], "a reply");
    let att: serde_json::Value = serde_json::from_str(live[3].content_json.as_deref().unwrap()).unwrap();
    assert_eq!(att["filename"], "a.txt");
    let shout = &live[4];
    assert_eq!((shout.content_type.as_deref(), shout.content_json.as_deref()), (Some("example.com/shout:1.0"), None));
    assert_eq!((&shout.raw_content[..], shout.fallback.as_deref()), (&b"HEY"[..], Some("someone shouted")));
    assert_eq!(shout.parameters.get("volume").map(String::as_str), Some("11"));
    assert_eq!(shout.content_error.as_deref(), Some("content.unknown_type"));

    // The stream drops; alice writes meanwhile; bob's client reconnects and fills the gap.
    node.drop_stream(&bob);
    send(&mut node, &alice, &conv.topic, text("while you were away"));
    let events = node.run(&[&bob]).remove(0);
    assert_eq!(streamed(&events), vec!["while you were away"]);

    // Paging: 120 messages, newest first with a limit, and a time range.
    let from = node.now() + MS;
    for i in 0..120 {
        send(&mut node, &alice, &conv.topic, text(&format!("m{i:03}")));
    }
    node.run(&[&bob]);
    let all = listed(&mut node, &bob, &conv.topic, MessageQuery { after_ns: Some(from), ..MessageQuery::default() });
    assert_eq!(all.len(), 120);
    assert_eq!((all[0].text.as_deref(), all[119].text.as_deref()), (Some("m119"), Some("m000")), "newest first");
    let q = MessageQuery { limit: Some(7), direction: SortDirection::Ascending, after_ns: Some(from), before_ns: None };
    let first7: Vec<_> = listed(&mut node, &bob, &conv.topic, q).into_iter().filter_map(|m| m.text).collect();
    assert_eq!(first7, (0..7).map(|i| format!("m{i:03}")).collect::<Vec<_>>());

    // Consent: bob denies alice; another device with the same keys sees it.
    let op = bob.set_consent(vec![alice.address()], ConsentState::Denied, node.tick()).unwrap();
    assert!(matches!(node.finish(&bob, op).0, Event::ConsentPublished { .. }));
    assert_eq!(bob.consent_state(alice.address()), ConsentState::Denied);
    let other = Client::from_keys(bob.export_keys(), options()).unwrap();
    let op = other.sync_consent(node.now()).unwrap();
    node.finish(&other, op);
    assert_eq!(other.consent_state(alice.address().to_lowercase()), ConsentState::Denied);
    assert!(other.consent_list().iter().any(|e| e.entry_type == "address" && e.value == alice.address()));

    // Push keys: three periods for the conversation.
    let keys = alice.hmac_keys(Some(vec![conv.topic.clone()]), node.now());
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| k.key.len() == 32 && k.topic == conv.topic));

    // Exported state: a new client continues; offline decryption of a message and of an
    // invitation the state does not know yet.
    let state = bob.export_state();
    let restored = Client::from_state(state.clone(), options()).unwrap();
    assert_eq!(restored.conversations(), bob.conversations());
    send(&mut node, &alice, &conv.topic, text("for the extension"));
    let last = node.net.store[&conv.topic].values().last().unwrap().clone();
    let envelope =
        Envelope { content_topic: last.content_topic, timestamp_ns: last.timestamp_ns, message: last.message.into() };
    match decrypt_envelope(state.clone(), envelope.clone()).unwrap() {
        DecryptedEnvelope::Message { message } => assert_eq!(message.text.as_deref(), Some("for the extension")),
        other => panic!("{other:?}"),
    }
    let op = alice.new_conversation(bob.address(), None, node.tick()).unwrap();
    let plain = started(&node.finish(&alice, op).0);
    let invite = node.net.store[&xmtp_core::topic::invite(&xmtp_core::crypto::Address::parse(&bob.address()).unwrap())]
        .values()
        .last()
        .unwrap()
        .clone();
    let invite = Envelope {
        content_topic: invite.content_topic,
        timestamp_ns: invite.timestamp_ns,
        message: invite.message.into(),
    };
    match decrypt_envelope(state.clone(), invite).unwrap() {
        DecryptedEnvelope::Invitation { conversation } => {
            assert_eq!((conversation.topic, conversation.peer_address), (plain.topic, alice.address()));
        }
        other => panic!("{other:?}"),
    }
    let results = restored.decrypt_batch(vec![envelope.clone(), Envelope { message: vec![1, 2].into(), ..envelope }]);
    assert_eq!(results[0].message.as_ref().and_then(|m| m.text.as_deref()), Some("for the extension"));
    assert_eq!(results[1].error.as_ref().map(XmtpError::code), Some("decode.malformed"));
    assert_eq!(node.unauthenticated_publishes, 0);
}

#[test]
fn rate_limits_and_an_unreachable_node() {
    let mut node = Node::new();
    let (alice, bob) = (node.new_client(), node.new_client());
    let op = alice.new_conversation(bob.address(), None, node.tick()).unwrap();
    let conv = started(&node.finish(&alice, op).0);
    node.rate_limit_next = 4;
    let before = node.net.store.get(&conv.topic).map_or(0, |m| m.len());
    send(&mut node, &alice, &conv.topic, text("after a storm"));
    assert_eq!(node.net.store[&conv.topic].len(), before + 1);

    node.unreachable_next = 100;
    let op = alice.sync_conversations(node.now()).unwrap();
    match node.finish(&alice, op).0 {
        Event::Failed { error: XmtpError::Network { code, .. }, .. } => assert_eq!(code, "api.transport"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn errors_carry_stable_codes_in_the_right_variant() {
    let mut node = Node::new();
    let alice = node.new_client();
    let err = alice.can_message(vec!["0x12".into()]).unwrap_err();
    assert!(matches!(&err, XmtpError::InvalidInput { code, .. } if code == "address.invalid"), "{err:?}");
    let err = alice.send("/xmtp/0/m-nothing/proto".into(), text("x"), SendOptions::default(), T0).unwrap_err();
    assert!(matches!(&err, XmtpError::InvalidInput { code, .. } if code == "client.unknown_conversation"), "{err:?}");
    let err = alice
        .prepare_message(
            "t".into(),
            ContentInput::Json { content_type: "nope".into(), json: "{}".into() },
            SendOptions::default(),
            T0,
        )
        .unwrap_err();
    assert_eq!(err.code(), "input.content_type");
    let err = Client::from_keys(vec![1, 2, 3].into(), options()).unwrap_err();
    assert!(matches!(err, XmtpError::Protocol { .. }), "{err:?}");
    let err = Client::from_state("{}".into(), options()).unwrap_err();
    assert!(matches!(&err, XmtpError::State { code, .. } if code == "state.malformed"), "{err:?}");
    let bad_url = xmtp_facade::ClientOptions { api_url: Some("ftp://x".into()), ..options() };
    assert_eq!(Client::from_keys(alice.export_keys(), bad_url).unwrap_err().code(), "input.url");
    // Messages carry no user data.
    assert!(!err.message().contains('{'));
}

/// Every code the core can produce (its `=> "area.reason"` arms and `CODE` constants) is in
/// `error_codes()`, so the bindings' mapping tests see it.
#[test]
fn every_core_error_code_is_listed() {
    let listed: std::collections::HashSet<String> = error_codes().into_iter().collect();
    let mut found = Vec::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../core/src"))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for line in source.lines() {
                let line = line.trim();
                let Some(rest) =
                    line.split_once("=> \"").map(|x| x.1).or_else(|| line.split_once("str = \"").map(|x| x.1))
                else {
                    continue;
                };
                let code: String = rest.chars().take_while(|c| *c != '"').collect();
                let parts: Vec<&str> = code.split('.').collect();
                let valid = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                if parts.len() == 2 && parts.iter().all(|p| valid(p)) && !code.starts_with("xmtp.") {
                    found.push(code);
                }
            }
        }
    }
    assert!(found.len() > 50, "the scan finds the codes ({} found)", found.len());
    let missing: Vec<&String> = found.iter().filter(|c| !listed.contains(*c)).collect();
    assert!(missing.is_empty(), "codes missing from error_codes(): {missing:?}");
}

#[test]
fn one_client_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Client>();
    shareable::<xmtp_facade::IdentityBootstrap>();

    let mut node = Node::new();
    let (alice, bob) = (Arc::new(node.new_client()), node.new_client());
    let op = alice.new_conversation(bob.address(), None, node.tick()).unwrap();
    let conv = started(&node.finish(&alice, op).0);
    let now = node.tick();
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (alice, topic) = (alice.clone(), conv.topic.clone());
            std::thread::spawn(move || {
                (0..10)
                    .map(|i| {
                        alice
                            .send(topic.clone(), text(&format!("t{t}-{i}")), SendOptions::default(), now + i)
                            .unwrap()
                            .id
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let ids: Vec<String> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let events = node.run(&[&alice]).remove(0);
    let sent: std::collections::HashSet<&String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Sent { id, .. } => Some(id),
            _ => None,
        })
        .collect();
    assert_eq!(sent.len(), 40);
    assert!(ids.iter().all(|id| sent.contains(id)));
    let op = bob.sync_conversations(node.now()).unwrap();
    node.finish(&bob, op);
    let q = MessageQuery::default();
    assert_eq!(listed(&mut node, &bob, &conv.topic, q).len(), 40);
}

/// Secrets never show in Debug output: keys, publish tokens, push keys.
#[test]
fn debug_output_holds_no_secret() {
    let key = [0x42u8; 32];
    let wallet = PrivateKeyWallet::from_private_key(key.to_vec().into()).unwrap();
    let shown = format!("{wallet:?}");
    assert!(!shown.contains(&"42".repeat(8)) && !shown.contains("66, 66"), "{shown}");
    assert!(shown.contains(&wallet.address()));

    let mut node = Node::new();
    let (alice, bob) = (node.new_client(), node.new_client());
    let op = alice.new_conversation(bob.address(), None, node.tick()).unwrap();
    let conv = started(&node.finish(&alice, op).0);
    let sending = alice.send(conv.topic.clone(), text("x"), SendOptions::default(), node.tick()).unwrap();
    let publish = alice.poll_request(node.now()).expect("the publish");
    let token = publish.headers.iter().find(|h| h.name == "Authorization").unwrap().value.clone();
    let shown = format!("{publish:?}");
    assert!(!shown.contains(&token[7..20]) && !shown.contains("Bearer"), "{shown}");
    alice.handle_http(publish.id, 200, b"{}".to_vec().into(), node.now());
    let _ = sending;

    for k in alice.hmac_keys(None, node.now()) {
        let shown = format!("{k:?}");
        let bytes = format!("{:?}", k.key);
        assert!(!shown.contains(&bytes[1..bytes.len() - 1]), "{shown}");
    }
    let shown = format!("{alice:?}");
    assert!(!shown.contains(&alice.export_state()[10..40]), "{shown}");
}

#[test]
fn one_conversation_exported_and_imported_by_a_client_that_has_only_the_keys() {
    let mut node = Node::new();
    let (alice, bob) = (node.new_client(), node.new_client());
    let op = alice.new_conversation(bob.address(), None, node.tick()).unwrap();
    let conv = started(&node.finish(&alice, op).0);
    send(&mut node, &alice, &conv.topic, text("exported"));

    let data = alice.export_conversation(conv.topic.clone()).expect("export");
    let fresh = Client::from_keys(alice.export_keys(), options()).unwrap();
    assert!(fresh.conversations().is_empty());
    assert_eq!(fresh.import_conversation(data.clone()).expect("import"), conv);
    assert_eq!(fresh.conversations(), vec![conv.clone()]);
    let texts: Vec<_> = listed(&mut node, &fresh, &conv.topic, MessageQuery::default())
        .into_iter()
        .map(|m| m.text.unwrap_or_default())
        .collect();
    assert_eq!(texts, ["exported"]);

    let err = alice.export_conversation("/xmtp/0/m-nothing/proto".into()).unwrap_err();
    assert!(matches!(&err, XmtpError::InvalidInput { code, .. } if code == "client.unknown_conversation"), "{err:?}");
    let err = fresh.import_conversation(vec![0xff; 3].into()).unwrap_err();
    assert!(matches!(&err, XmtpError::State { code, .. } if code == "state.malformed"), "{err:?}");
    assert_eq!(fresh.conversations().len(), 1, "a refused import adds nothing");
}
