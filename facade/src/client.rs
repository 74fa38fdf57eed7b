//! The client object: the engine behind a lock, the operating system's random generator, and
//! every call under `catch_unwind`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rand_core::CryptoRngCore;
use xmtp_core::client::{self as core, ConsentList};
use xmtp_core::consent::ConsentAction;
use xmtp_core::content::Registry;
use xmtp_core::crypto::Address;
use xmtp_core::keys::PrivateKeyBundle;

use crate::convert::{self, Outgoing};
use crate::types::*;
use crate::{Bytes, XmtpError};

/// Run `f`, turning a panic into [`XmtpError::Internal`].
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, XmtpError>) -> Result<T, XmtpError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(XmtpError::Internal { code: "internal.panic".into(), message: "an internal error was caught".into() })
    })
}

pub(crate) fn os_rng() -> Box<dyn CryptoRngCore + Send> {
    Box::new(rand_core::OsRng)
}

/// The base URL for the options: the custom URL, else the environment's gateway.
pub(crate) fn base_url(options: &ClientOptions) -> Result<String, XmtpError> {
    let url = match &options.api_url {
        Some(url) => url.trim().trim_end_matches('/').to_string(),
        None => match options.env {
            Environment::Local => xmtp_core::api::Environment::Local,
            Environment::Dev => xmtp_core::api::Environment::Dev,
            Environment::Production => xmtp_core::api::Environment::Production,
        }
        .url()
        .to_string(),
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(XmtpError::input("url", "the node URL must start with http:// or https://"));
    }
    Ok(url)
}

fn parse_address(s: &str) -> Result<Address, XmtpError> {
    Address::parse(s.trim()).map_err(|e| xmtp_core::Error::from(e).into())
}

struct Inner {
    engine: core::Client,
    base_url: String,
}

/// A client of one identity. Share it freely between threads: every method takes `&self`.
#[cfg_attr(feature = "uniffi", derive(uniffi::Object))]
pub struct Client {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    fn build(engine: core::Client, options: &ClientOptions) -> Result<Self, XmtpError> {
        let mut engine = engine;
        engine.set_app_version(options.app_version.clone());
        Ok(Self { inner: Mutex::new(Inner { engine, base_url: base_url(options)? }) })
    }

    pub(crate) fn from_keys_with(
        keys: Bytes,
        options: ClientOptions,
        rng: Box<dyn CryptoRngCore + Send>,
    ) -> Result<Self, XmtpError> {
        let keys = PrivateKeyBundle::from_bytes(&keys).map_err(xmtp_core::Error::from)?;
        Self::build(core::Client::new(keys, rng), &options)
    }

    pub(crate) fn from_state_with(
        state: &str,
        options: ClientOptions,
        rng: Box<dyn CryptoRngCore + Send>,
    ) -> Result<Self, XmtpError> {
        Self::build(core::Client::import_state(state, Registry::new(), rng)?, &options)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while the lock was held is reported to that caller; the state is still the
        // engine's, so the client keeps working.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> Result<T, XmtpError>) -> Result<T, XmtpError> {
        guard(|| f(&mut self.lock()))
    }
}

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Client {
    /// A client for exported keys (an encoded `PrivateKeyBundle`, v1 as xmtp-js
    /// `Client.getKeys()` gives it, or v2), such as [`IdentityBootstrap::keys`] returns.
    ///
    /// [`IdentityBootstrap::keys`]: crate::IdentityBootstrap::keys
    #[cfg_attr(feature = "uniffi", uniffi::constructor)]
    pub fn from_keys(keys: Bytes, options: ClientOptions) -> Result<Self, XmtpError> {
        guard(|| Self::from_keys_with(keys, options, os_rng()))
    }

    /// A client restored from [`Client::export_state`] (keys, conversations, consent,
    /// stream positions).
    #[cfg_attr(feature = "uniffi", uniffi::constructor)]
    pub fn from_state(state: String, options: ClientOptions) -> Result<Self, XmtpError> {
        guard(|| Self::from_state_with(&state, options, os_rng()))
    }

    // ----- identity -------------------------------------------------------------------------

    /// The own address.
    pub fn address(&self) -> String {
        self.lock().engine.address().to_string()
    }

    /// The node's base URL.
    pub fn api_url(&self) -> String {
        self.lock().base_url.clone()
    }

    /// The private keys, encoded as xmtp-js `Client.getKeys()` returns them (v1 when possible,
    /// else v2). Secret: store it like a password.
    pub fn export_keys(&self) -> Bytes {
        self.lock().engine.keys().export().to_vec().into()
    }

    /// The whole state (keys, conversations with their secrets, consent, stream positions) as
    /// a versioned JSON blob, for [`Client::from_state`] and [`decrypt_envelope`]. Secret.
    pub fn export_state(&self) -> String {
        self.lock().engine.export_state()
    }

    /// One conversation, encoded as the official SDKs export it (keystore `TopicData`: xmtp-ios
    /// `toTopicData()`, xmtp-android `toTopicData()`), for [`Client::import_conversation`] in
    /// another process or on another device. Secret (it holds the conversation's key).
    pub fn export_conversation(&self, topic: String) -> Result<Bytes, XmtpError> {
        self.with(|i| {
            i.engine
                .export_conversation(&topic)
                .map(|b| b.to_vec().into())
                .ok_or_else(|| XmtpError::from(xmtp_core::client::ClientError::UnknownConversation))
        })
    }

    /// Add a conversation exported by [`Client::export_conversation`] or an official SDK. One
    /// already known is returned unchanged; a new one is announced
    /// ([`Event::NewConversation`]) and joins the stream.
    pub fn import_conversation(&self, data: Bytes) -> Result<Conversation, XmtpError> {
        let data = zeroize::Zeroizing::new(data);
        self.with(|i| Ok(convert::conversation(&i.engine.import_conversation(&data)?)))
    }

    // ----- the host loop ----------------------------------------------------------------------

    /// The next request due at `now_ns`, if any.
    pub fn poll_request(&self, now_ns: u64) -> Option<HttpRequest> {
        self.with(|i| Ok(i.engine.poll_request(now_ns).map(|r| convert::request(&r, &i.base_url)))).ok().flatten()
    }

    /// The outcome of a call: its HTTP status (0 when the transport failed; the body then holds
    /// the reason) and body.
    pub fn handle_http(&self, id: u64, status: u16, body: Bytes, now_ns: u64) {
        let _ = self.with(|i| {
            i.engine.handle_http(id, status, &body, now_ns);
            Ok(())
        });
    }

    /// The stream of request `id` is open (its response headers arrived).
    pub fn stream_opened(&self, id: u64, now_ns: u64) {
        let _ = self.with(|i| {
            i.engine.stream_opened(id, now_ns);
            Ok(())
        });
    }

    /// One line of the stream of request `id`.
    pub fn stream_line(&self, id: u64, line: Bytes, now_ns: u64) {
        let _ = self.with(|i| {
            i.engine.stream_line(id, &line, now_ns);
            Ok(())
        });
    }

    /// The stream of request `id` ended or failed.
    pub fn stream_closed(&self, id: u64, now_ns: u64) {
        let _ = self.with(|i| {
            i.engine.stream_closed(id, now_ns);
            Ok(())
        });
    }

    /// When the earliest queued request falls due (Unix ns), if any is queued.
    pub fn next_deadline(&self) -> Option<u64> {
        self.lock().engine.next_deadline()
    }

    /// The next event, if any.
    pub fn poll_event(&self) -> Option<Event> {
        self.with(|i| {
            while let Some(e) = i.engine.poll_event() {
                if let Some(e) = convert::event(e) {
                    return Ok(Some(e));
                }
            }
            Ok(None)
        })
        .ok()
        .flatten()
    }

    // ----- operations (each returns the id its final event carries) ---------------------------

    /// Publish the own contact unless the published one is current.
    pub fn publish_contact(&self) -> Result<u64, XmtpError> {
        self.with(|i| Ok(i.engine.publish_contact()))
    }

    /// Whether each address has an XMTP identity (one [`Event::ContactsResolved`]).
    pub fn can_message(&self, addresses: Vec<String>) -> Result<u64, XmtpError> {
        let addresses = addresses.iter().map(|a| parse_address(a)).collect::<Result<Vec<_>, _>>()?;
        self.with(|i| Ok(i.engine.resolve_contacts(&addresses)))
    }

    /// Learn new conversations (invitations and introductions since the last sync).
    pub fn sync_conversations(&self, now_ns: u64) -> Result<u64, XmtpError> {
        self.with(|i| Ok(i.engine.sync_conversations(now_ns)))
    }

    /// Start (or reuse) a conversation with `peer`, optionally in a V2 context.
    pub fn new_conversation(
        &self,
        peer: String,
        context: Option<ConversationContext>,
        now_ns: u64,
    ) -> Result<u64, XmtpError> {
        let peer = parse_address(&peer)?;
        self.with(|i| Ok(i.engine.start_conversation(&peer, context.map(convert::core_context), now_ns)))
    }

    /// Encode and sign a message without publishing it: its id is known.
    pub fn prepare_message(
        &self,
        topic: String,
        content: ContentInput,
        options: SendOptions,
        now_ns: u64,
    ) -> Result<PreparedMessage, XmtpError> {
        let outgoing = convert::outgoing(content)?;
        let options = convert::send_options(options);
        self.with(|i| {
            let prepared = match outgoing {
                Outgoing::Standard(id, content) => i.engine.prepare(&topic, &id, &content, options, now_ns),
                Outgoing::Encoded(encoded, push) => i.engine.prepare_encoded(&topic, encoded, push, options, now_ns),
            }?;
            Ok(PreparedMessage {
                id: prepared.id,
                topic: prepared.topic,
                envelopes: prepared.envelopes.iter().map(convert::envelope).collect(),
            })
        })
    }

    /// Publish a prepared message ([`Event::Sent`] ends it).
    pub fn publish_prepared(&self, prepared: PreparedMessage, now_ns: u64) -> Result<u64, XmtpError> {
        let prepared = core::PreparedMessage {
            id: prepared.id,
            topic: prepared.topic,
            envelopes: prepared.envelopes.into_iter().map(convert::core_envelope).collect(),
        };
        self.with(|i| Ok(i.engine.publish_prepared(prepared, now_ns)?))
    }

    /// Prepare and publish.
    pub fn send(
        &self,
        topic: String,
        content: ContentInput,
        options: SendOptions,
        now_ns: u64,
    ) -> Result<Sending, XmtpError> {
        let prepared = self.prepare_message(topic, content, options, now_ns)?;
        let id = prepared.id.clone();
        Ok(Sending { op: self.publish_prepared(prepared, now_ns)?, id })
    }

    /// List a conversation's messages ([`Event::Messages`] ends it).
    pub fn messages(&self, topic: String, query: MessageQuery) -> Result<u64, XmtpError> {
        self.with(|i| Ok(i.engine.messages(&topic, convert::message_query(query))))
    }

    /// Load consent decisions from the network ([`Event::ConsentSynced`] ends it).
    pub fn sync_consent(&self, now_ns: u64) -> Result<u64, XmtpError> {
        self.with(|i| Ok(i.engine.sync_consent(now_ns)))
    }

    /// Allow or deny addresses, locally at once and on the network ([`Event::ConsentPublished`]
    /// ends it).
    pub fn set_consent(&self, addresses: Vec<String>, state: ConsentState, now_ns: u64) -> Result<u64, XmtpError> {
        let values =
            addresses.iter().map(|a| parse_address(a).map(|a| a.to_string())).collect::<Result<Vec<_>, _>>()?;
        let action = match state {
            ConsentState::Allowed => ConsentAction { allow_addresses: values, ..Default::default() },
            ConsentState::Denied => ConsentAction { deny_addresses: values, ..Default::default() },
            ConsentState::Unknown => {
                return Err(XmtpError::input("content", "consent can be set to allowed or denied only"))
            }
        };
        self.with(|i| Ok(i.engine.set_consent(action, now_ns)?))
    }

    /// Stream everything (conversations, messages, consent): the next request is the stream.
    pub fn subscribe(&self) -> Result<u64, XmtpError> {
        self.with(|i| Ok(i.engine.subscribe()))
    }

    /// Stop streaming (close the stream you have open).
    pub fn unsubscribe(&self) {
        let _ = self.with(|i| {
            i.engine.unsubscribe();
            Ok(())
        });
    }

    // ----- state --------------------------------------------------------------------------

    /// All known conversations, oldest first.
    pub fn conversations(&self) -> Vec<Conversation> {
        self.lock().engine.conversations().iter().map(convert::conversation).collect()
    }

    /// The consent state of an address.
    pub fn consent_state(&self, address: String) -> ConsentState {
        let key = Address::parse(address.trim()).map_or(address, |a| a.to_string());
        convert::consent_state(self.lock().engine.consent_state(&key))
    }

    /// Every consent decision known.
    pub fn consent_list(&self) -> Vec<ConsentEntry> {
        let inner = self.lock();
        let list: &ConsentList = inner.engine.consent_list();
        list.entries().map(|(k, s)| convert::consent_entry(k, s)).collect()
    }

    /// Push-notification HMAC keys of the V2 conversations (all, or those of `topics`) for the
    /// periods before, at and after `now_ns`.
    pub fn hmac_keys(&self, topics: Option<Vec<String>>, now_ns: u64) -> Vec<HmacKey> {
        let keys = self.lock().engine.hmac_keys(now_ns / xmtp_core::NS_PER_MS, topics.as_deref());
        keys.into_iter()
            .flat_map(|(topic, periods)| {
                periods.into_iter().map(move |(period, key)| HmacKey {
                    topic: topic.clone(),
                    period,
                    key: key.to_vec().into(),
                })
            })
            .collect()
    }

    /// Decrypt many envelopes of known conversations: one result each, in order.
    pub fn decrypt_batch(&self, envelopes: Vec<Envelope>) -> Vec<DecryptResult> {
        let envelopes: Vec<_> = envelopes.into_iter().map(convert::core_envelope).collect();
        let results = self.with(|i| Ok(i.engine.decrypt_batch(&envelopes)));
        match results {
            Ok(results) => results
                .into_iter()
                .map(|r| match r {
                    Ok(m) => DecryptResult { message: Some(convert::message(&m)), error: None },
                    Err(e) => DecryptResult { message: None, error: Some(e.into()) },
                })
                .collect(),
            Err(e) => envelopes.iter().map(|_| DecryptResult { message: None, error: Some(e.clone()) }).collect(),
        }
    }
}

/// What only builds with the `testing` feature have (a separate block: the uniffi export of
/// an impl block sees its items before `cfg` removes them).
#[cfg(feature = "testing")]
#[cfg_attr(feature = "uniffi", uniffi::export)]
impl Client {
    /// A client whose random generator is seeded (reproducible bytes, for known-answer tests).
    #[cfg_attr(feature = "uniffi", uniffi::constructor)]
    pub fn from_keys_seeded(keys: Bytes, options: ClientOptions, seed: u64) -> Result<Self, XmtpError> {
        use rand_core::SeedableRng;
        guard(|| Self::from_keys_with(keys, options, Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed))))
    }

    /// Time `runs` calls of [`Client::decrypt_batch`] inside the library, each on a fresh copy of
    /// `envelopes` (after one untimed): the bindings' benchmarks time their own call beside it in
    /// the same process, so that both see the same allocator, caches and moment. Milliseconds
    /// per call.
    pub fn debug_time_decrypt_batch(&self, envelopes: Vec<Envelope>, runs: u32) -> Vec<f64> {
        std::hint::black_box(self.decrypt_batch(envelopes.clone()));
        (0..runs)
            .map(|_| {
                let start = std::time::Instant::now();
                std::hint::black_box(self.decrypt_batch(envelopes.clone()));
                start.elapsed().as_secs_f64() * 1000.0
            })
            .collect()
    }

    /// Panic inside the library (to test that no panic crosses to the host).
    pub fn debug_panic(&self) -> Result<(), XmtpError> {
        guard(|| self.with(|_| -> Result<(), XmtpError> { panic!("a deliberate panic") }))
    }
}

/// Read one envelope with an exported state, without a network: what a notification service
/// does in a fresh process. Messages of types only the host knows come with their raw content
/// and fallback for the host's codec.
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn decrypt_envelope(state: String, envelope: Envelope) -> Result<DecryptedEnvelope, XmtpError> {
    guard(|| match core::decrypt_envelope(&state, &convert::core_envelope(envelope), Registry::new())? {
        core::DecryptedEnvelope::Message(m) => Ok(DecryptedEnvelope::Message { message: convert::message(&m) }),
        core::DecryptedEnvelope::Invitation(c) => {
            Ok(DecryptedEnvelope::Invitation { conversation: convert::conversation(&c) })
        }
        _ => Err(XmtpError::from_code("message.wrong_version", "not a message or an invitation")),
    })
}
