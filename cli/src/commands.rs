//! The client commands, on the engine.

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use xmtp_core::client::{ConsentState, Conversation, Event, Message, MessageQuery, SendOptions};
use xmtp_core::consent::ConsentAction;
use xmtp_core::content::{Content, TextCodec};
use xmtp_core::crypto::{Address, PrivateKey};
use xmtp_core::invitation::ConversationContext;
use xmtp_core::keys::LocalWallet;

use crate::profile::Profile;
use crate::session::{now_ns, Session};
use crate::transport::Transport;

/// Global options every command sees.
pub struct Ctx {
    /// The node URL.
    pub node: String,
    /// PEM certificates to trust instead of the Mozilla roots (a node with a private CA).
    pub ca_pem: Option<Vec<u8>>,
    /// The profile.
    pub profile: Profile,
    /// Machine output.
    pub json: bool,
}

impl Ctx {
    /// The transport to the node.
    pub fn transport(&self) -> Result<Transport, String> {
        Transport::new(&self.node, self.ca_pem.as_deref())
    }

    fn session(&self) -> Result<Session, String> {
        Ok(Session { client: self.profile.client()?, transport: self.transport()?, verbose: false })
    }

    fn print(&self, value: Value, human: impl FnOnce() -> String) {
        if self.json {
            println!("{value}");
        } else {
            println!("{}", human());
        }
    }
}

fn parse_address(s: &str) -> Result<Address, String> {
    Address::parse(s).map_err(|_| format!("not an address: {s} (expected 0x followed by 40 hex digits)"))
}

fn short(a: &Address) -> String {
    a.to_string()
}

/// `xmtp init`: a new identity, a wallet's identity, or imported keys. An existing identity is
/// replaced only with `force`, and only once the new one is complete (its contact published):
/// when anything fails, the profile is left as it was.
pub fn init(
    ctx: &Ctx,
    wallet_key: Option<&str>,
    keys_file: Option<&std::path::Path>,
    force: bool,
) -> Result<(), String> {
    if let Some(existing) = ctx.profile.existing_identity() {
        if !force {
            return Err(format!(
                "{} already holds an identity ({existing}); pass --force to replace it (export it first with `xmtp keys export`)",
                ctx.profile.dir().display()
            ));
        }
    }
    let keys = match (wallet_key, keys_file) {
        (_, Some(file)) => {
            let data = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            crate::decode::load_keys(&data)?
        }
        (key, None) => {
            let wallet = match key {
                Some(hex_key) => {
                    let raw = hex::decode(hex_key.trim().trim_start_matches("0x"))
                        .map_err(|_| "the wallet key must be 32 bytes of hex".to_string())?;
                    LocalWallet::new(PrivateKey::from_bytes(&raw).map_err(|_| "invalid wallet key".to_string())?)
                }
                None => LocalWallet::generate(&mut rand_core::OsRng),
            };
            crate::session::bootstrap(&ctx.transport()?, &wallet)?
        }
    };
    let mut session = Session {
        client: xmtp_core::client::Client::new(keys.clone(), Box::new(rand_core::OsRng)),
        transport: ctx.transport()?,
        verbose: false,
    };
    let op = session.client.publish_contact();
    session.run(op)?;
    ctx.profile.replace_identity(&session.client)?;
    ctx.print(json!({"address": keys.address().as_str()}), || format!("{}", keys.address()));
    Ok(())
}

/// `xmtp whoami`.
pub fn whoami(ctx: &Ctx) -> Result<(), String> {
    let keys = ctx.profile.keys()?;
    ctx.print(json!({"address": keys.address().as_str()}), || keys.address().to_string());
    Ok(())
}

/// `xmtp keys export`.
pub fn keys_export(ctx: &Ctx) -> Result<(), String> {
    use base64::Engine as _;
    let keys = ctx.profile.keys()?;
    let b64 = base64::engine::general_purpose::STANDARD.encode(keys.export());
    ctx.print(json!({"keys": b64}), || b64.clone());
    Ok(())
}

/// `xmtp can-message ADDR...`.
pub fn can_message(ctx: &Ctx, addresses: &[String]) -> Result<(), String> {
    let addrs = addresses.iter().map(|a| parse_address(a)).collect::<Result<Vec<_>, _>>()?;
    let mut session = ctx.session()?;
    let op = session.client.resolve_contacts(&addrs);
    let (event, _) = session.run(op)?;
    if let Event::ContactsResolved { results, .. } = event {
        for (a, ok) in results {
            ctx.print(json!({"address": a.as_str(), "canMessage": ok}), || {
                format!("{a}  {}", if ok { "yes" } else { "no XMTP identity" })
            });
        }
    }
    ctx.profile.save(&session.client)
}

fn sync(session: &mut Session) -> Result<(), String> {
    let op = session.client.sync_conversations(now_ns());
    session.run(op).map(|_| ())
}

/// `xmtp conversations`.
pub fn conversations(ctx: &Ctx) -> Result<(), String> {
    let mut session = ctx.session()?;
    sync(&mut session)?;
    for c in session.client.conversations() {
        ctx.print(c.to_json(), || {
            let id = c.context.as_ref().map(|x| format!(" [{}]", x.conversation_id)).unwrap_or_default();
            format!("{}  {}{}", c.version.as_str(), short(&c.peer_address), id)
        });
    }
    ctx.profile.save(&session.client)
}

fn context_of(conversation_id: Option<&str>) -> Option<ConversationContext> {
    conversation_id.map(|id| ConversationContext { conversation_id: id.to_string(), ..Default::default() })
}

fn open_conversation(
    session: &mut Session,
    peer: &Address,
    conversation_id: Option<&str>,
) -> Result<Conversation, String> {
    sync(session)?;
    let op = session.client.start_conversation(peer, context_of(conversation_id), now_ns());
    let (event, _) = session.run(op)?;
    let Event::ConversationStarted { conversation, .. } = event else { return Err("no conversation".into()) };
    if session.client.contact(peer).is_none() {
        let op = session.client.resolve_contacts(std::slice::from_ref(peer));
        session.run(op)?;
    }
    Ok(conversation)
}

/// `xmtp send ADDR TEXT`.
pub fn send(ctx: &Ctx, to: &str, text: &str, conversation_id: Option<&str>, ephemeral: bool) -> Result<(), String> {
    let peer = parse_address(to)?;
    let mut session = ctx.session()?;
    let conversation = open_conversation(&mut session, &peer, conversation_id)?;
    let options = SendOptions { compression: None, ephemeral };
    let (op, id) = session
        .client
        .send(&conversation.topic, &TextCodec::id(), &Content::Text(text.to_string()), options, now_ns())
        .map_err(|e| format!("failed: {}", e.code()))?;
    session.run(op)?;
    ctx.profile.save(&session.client)?;
    ctx.print(json!({"id": id, "topic": conversation.topic}), || format!("sent {id}"));
    Ok(())
}

/// The content of a message as one human-readable line.
pub fn content_line(content: &Content) -> String {
    let short = |id: &str| id.chars().take(8).collect::<String>();
    match content {
        Content::Text(t) => t.clone(),
        Content::Reply(r) => format!("↪ reply to {}…: {}", short(&r.reference), content_line(&r.content)),
        Content::Reaction(r) => {
            let verb = if r.action == xmtp_core::content::ReactionAction::Removed { "removed" } else { "reacted" };
            format!("{verb} {} to {}…", r.content, short(&r.reference))
        }
        Content::Attachment(a) => format!("📎 {} ({}, {} bytes)", a.filename, a.mime_type, a.data.len()),
        Content::ReadReceipt => "✓ read".into(),
        other => other.to_json().to_string(),
    }
}

/// One message as a transcript line.
pub fn message_line(m: &Message) -> String {
    let body = match &m.content.content {
        Some(c) => content_line(c),
        None => format!(
            "[{}] {}",
            m.content.content_type.as_ref().map(ToString::to_string).unwrap_or_default(),
            m.content.fallback.clone().unwrap_or_default()
        ),
    };
    format!("{} {}: {body}", m.message.sent_ns / 1_000_000, m.message.sender_address)
}

/// `xmtp read ADDR`.
pub fn read(ctx: &Ctx, with: &str, conversation_id: Option<&str>, limit: Option<usize>) -> Result<(), String> {
    let peer = parse_address(with)?;
    let mut session = ctx.session()?;
    sync(&mut session)?;
    let conversation = session
        .client
        .conversation_with(&peer, conversation_id)
        .ok_or_else(|| format!("no conversation with {peer}"))?;
    let query = MessageQuery { limit, ascending: limit.is_none(), ..Default::default() };
    let op = session.client.messages(&conversation.topic, query);
    let (event, _) = session.run(op)?;
    if let Event::Messages { mut messages, .. } = event {
        if limit.is_some() {
            messages.reverse();
        }
        for m in &messages {
            ctx.print(m.to_json(), || message_line(m));
        }
    }
    ctx.profile.save(&session.client)
}

/// `xmtp stream`: all conversations, live, until `count` messages or `duration` (the engine
/// reconnects and fills gaps when the stream drops).
pub fn stream(ctx: &Ctx, count: Option<usize>, duration: Option<Duration>) -> Result<(), String> {
    if count == Some(0) {
        return Ok(());
    }
    let mut session = ctx.session()?;
    sync(&mut session)?;
    let stop_at = duration.map(|d| Instant::now() + d);
    let mut printed = 0usize;
    let result = session.stream(stop_at, |event| {
        match event {
            Event::Message(m) => {
                ctx.print(m.to_json(), || message_line(m));
                printed += 1;
            }
            Event::NewConversation(c) => {
                if ctx.json {
                    println!("{}", json!({"newConversation": c.to_json()}));
                } else {
                    println!("new conversation with {}", c.peer_address);
                }
            }
            _ => {}
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        count.is_some_and(|n| printed >= n)
    });
    ctx.profile.save(&session.client)?;
    result
}

/// `xmtp consent allow|deny ADDR...`.
pub fn consent_set(ctx: &Ctx, allow: bool, addresses: &[String]) -> Result<(), String> {
    let addrs = addresses.iter().map(|a| parse_address(a)).collect::<Result<Vec<_>, _>>()?;
    let mut session = ctx.session()?;
    let op = session.client.sync_consent(now_ns());
    session.run(op)?;
    let values: Vec<String> = addrs.iter().map(ToString::to_string).collect();
    let action = if allow {
        ConsentAction { allow_addresses: values, ..Default::default() }
    } else {
        ConsentAction { deny_addresses: values, ..Default::default() }
    };
    let op = session.client.set_consent(action, now_ns()).map_err(|e| format!("failed: {}", e.code()))?;
    session.run(op)?;
    let op = session.client.sync_consent(now_ns());
    session.run(op)?;
    ctx.profile.save(&session.client)?;
    for a in &addrs {
        let state = session.client.consent_state(a.as_str());
        ctx.print(json!({"address": a.as_str(), "state": state}), || format!("{a}  {}", state_name(state)));
    }
    Ok(())
}

fn state_name(s: ConsentState) -> &'static str {
    match s {
        ConsentState::Allowed => "allowed",
        ConsentState::Denied => "denied",
        ConsentState::Unknown => "unknown",
    }
}

/// `xmtp consent list`.
pub fn consent_list(ctx: &Ctx) -> Result<(), String> {
    let mut session = ctx.session()?;
    let op = session.client.sync_consent(now_ns());
    session.run(op)?;
    ctx.profile.save(&session.client)?;
    for (entry, state) in session.client.consent_list().entries() {
        ctx.print(json!({"entry": entry, "state": state}), || format!("{entry}  {}", state_name(state)));
    }
    Ok(())
}
