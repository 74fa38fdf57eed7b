//! `xmtp demo`: the newcomer's tour. An embedded node on a free loopback port, two fresh
//! identities, an invitation, a few messages of different content types, the transcript and
//! the time each step took.

use std::time::Instant;

use serde_json::json;
use xmtp_core::client::{Client, Event, MessageQuery, SendOptions};
use xmtp_core::content::{
    Attachment, AttachmentCodec, Content, ContentTypeId, Reaction, ReactionAction, ReactionCodec, ReactionSchema,
    Reply, ReplyCodec, TextCodec,
};
use xmtp_core::keys::LocalWallet;
use xmtp_devnode::{Config, Node, Storage};

use crate::commands::message_line;
use crate::session::bootstrap;
use crate::session::{now_ns, Session};
use crate::transport::Transport;

struct Steps {
    json: bool,
    started: Instant,
    timings: Vec<(String, f64)>,
}

impl Steps {
    fn done(&mut self, what: &str) {
        let ms = self.started.elapsed().as_secs_f64() * 1000.0;
        if !self.json {
            println!("  {ms:>8.1} ms  {what}");
        }
        self.timings.push((what.to_string(), ms));
        self.started = Instant::now();
    }
}

fn session(url: &str, wallet: &LocalWallet) -> Result<Session, String> {
    let transport = Transport::new(url, None)?;
    let keys = bootstrap(&transport, wallet)?;
    Ok(Session { client: Client::new(keys, Box::new(rand_core::OsRng)), transport, verbose: false })
}

fn send(s: &mut Session, topic: &str, id: &ContentTypeId, content: Content) -> Result<String, String> {
    let (op, msg_id) = s
        .client
        .send(topic, id, &content, SendOptions::default(), now_ns())
        .map_err(|e| format!("failed: {}", e.code()))?;
    s.run(op)?;
    Ok(msg_id)
}

/// Run the demo.
pub fn run(json_output: bool) -> Result<(), String> {
    let mut steps = Steps { json: json_output, started: Instant::now(), timings: Vec::new() };
    let node = Node::start(Config {
        listen: "127.0.0.1:0".parse().expect("a socket address"),
        storage: Storage::Memory,
        log: false,
        ..Config::default()
    })
    .map_err(|e| format!("cannot start the embedded node: {e}"))?;
    let url = node.url();
    if !json_output {
        println!("xmtp demo: an embedded node at {url}\n");
    }
    steps.done("start the node");

    let (alice_wallet, bob_wallet) =
        (LocalWallet::generate(&mut rand_core::OsRng), LocalWallet::generate(&mut rand_core::OsRng));
    let mut alice = session(&url, &alice_wallet)?;
    let mut bob = session(&url, &bob_wallet)?;
    steps.done("create two identities (wallet signatures, keys stored encrypted on the node)");
    for s in [&mut alice, &mut bob] {
        let op = s.client.publish_contact();
        s.run(op)?;
    }
    steps.done("publish both contact bundles");
    let bob_addr = bob.client.address().clone();

    let op = alice.client.start_conversation(&bob_addr, None, now_ns());
    let (event, _) = alice.run(op)?;
    let Event::ConversationStarted { conversation, .. } = event else { return Err("no conversation".into()) };
    let topic = conversation.topic.clone();
    steps.done("alice invites bob (sealed V2 invitation)");

    let hello = send(&mut alice, &topic, &TextCodec::id(), Content::Text("gm bob! 👋".into()))?;
    steps.done("alice sends a text");

    let op = bob.client.sync_conversations(now_ns());
    bob.run(op)?;
    let reply = Reply {
        reference: hello,
        reference_inbox_id: None,
        content_type: TextCodec::id(),
        content: Box::new(Content::Text("gm alice, welcome to XMTP in Rust".into())),
    };
    let reply_id = send(&mut bob, &topic, &ReplyCodec::id(), Content::Reply(reply))?;
    steps.done("bob finds the conversation and replies");

    let reaction = Reaction {
        reference: reply_id,
        reference_inbox_id: None,
        action: ReactionAction::Added,
        schema: ReactionSchema::Unicode,
        content: "🦀".into(),
    };
    send(&mut alice, &topic, &ReactionCodec::id(), Content::Reaction(reaction))?;
    let attachment = Attachment {
        filename: "hello.txt".into(),
        mime_type: "text/plain".into(),
        data: b"Hello from an attachment.\n".to_vec(),
    };
    send(&mut alice, &topic, &AttachmentCodec::id(), Content::Attachment(attachment))?;
    steps.done("alice reacts and sends an attachment");

    let op = bob.client.messages(&topic, MessageQuery::default());
    let (event, _) = bob.run(op)?;
    let Event::Messages { messages, .. } = event else { return Err("no messages".into()) };
    steps.done("bob reads and verifies the conversation");

    if json_output {
        let transcript: Vec<_> = messages
            .iter()
            .map(|m| {
                json!({
                    "sender": m.message.sender_address.as_str(),
                    "contentType": m.content.content_type.as_ref().map(ToString::to_string),
                    "content": m.content.content_json(),
                })
            })
            .collect();
        let timings: Vec<_> = steps.timings.iter().map(|(s, ms)| json!({"step": s, "ms": ms})).collect();
        println!("{}", json!({"node": url, "topic": topic, "messages": transcript, "timings": timings}));
    } else {
        println!("\nTranscript of {topic} as bob reads it:");
        for m in &messages {
            let kind = m.content.content_type.as_ref().map(ToString::to_string).unwrap_or_default();
            println!("  [{kind}] {}", message_line(m));
        }
        println!("\nalice = {}\nbob   = {}", alice.client.address(), bob_addr);
    }
    node.shutdown();
    Ok(())
}
