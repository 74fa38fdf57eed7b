//! What the `testing` feature gives the bindings' tests: a panic inside the library arrives as
//! an error and the client keeps working; seeded generators make bytes reproducible.

mod support;

use support::{options, Node};
use xmtp_facade::{Client, ContentInput, Event, PrivateKeyWallet, SendOptions, XmtpError};

#[test]
fn a_panic_is_an_error_and_the_client_keeps_working() {
    let mut node = Node::new();
    let (alice, bob) = (node.new_client(), node.new_client());
    let err = alice.debug_panic().unwrap_err();
    assert!(matches!(&err, XmtpError::Internal { code, .. } if code == "internal.panic"), "{err:?}");
    // The lock was held during the panic; the client still works.
    let op = alice.new_conversation(bob.address(), None, node.tick()).unwrap();
    assert!(matches!(node.finish(&alice, op).0, Event::ConversationStarted { .. }));
    assert_eq!(alice.debug_panic().unwrap_err().code(), "internal.panic");
    assert_eq!(alice.conversations().len(), 1);
}

#[test]
fn seeded_generators_reproduce_the_same_bytes() {
    let (w1, w2) = (PrivateKeyWallet::generate_seeded(7), PrivateKeyWallet::generate_seeded(7));
    assert_eq!(w1.address(), w2.address());
    assert_ne!(w1.address(), PrivateKeyWallet::generate_seeded(8).address());

    let mut node = Node::new();
    let bob = node.new_client();
    let (keys, _) = node.bootstrap(&w1);
    let now = node.now();
    let prepare = |seed| {
        let c = Client::from_keys_seeded(keys.clone().into(), options(), seed).unwrap();
        let op = c.new_conversation(bob.address(), None, now).unwrap();
        (c, op)
    };
    let (a1, op1) = prepare(1);
    let conv = match node.finish(&a1, op1).0 {
        Event::ConversationStarted { conversation, .. } => conversation,
        other => panic!("{other:?}"),
    };
    let (a2, op2) = prepare(1);
    node.finish(&a2, op2);
    let message = |c: &Client| {
        c.prepare_message(conv.topic.clone(), ContentInput::Text { text: "same".into() }, SendOptions::default(), now)
            .unwrap()
    };
    assert_eq!(message(&a1), message(&a2), "same seed, same keys, same time: same bytes");
    let (a3, op3) = prepare(2);
    node.finish(&a3, op3);
    assert_ne!(message(&a1).envelopes, message(&a3).envelopes);
}
