//! The WebAssembly library of xmtp-rs: the facade ([`xmtp_facade`]) exported through
//! wasm-bindgen for the npm package in `js/`. It converts values and nothing else: every rule
//! lives in `xmtp-core`, the host loop's contract in the facade.
//!
//! # Values at the boundary
//! - Records and enums cross as plain JS objects in the facade's serde form (camelCase field
//!   names, `kind` tags on enums).
//! - **Every 64-bit value is a `bigint`**, in both directions: timestamps (Unix nanoseconds),
//!   operation and request ids, deadlines, push-key periods. Nothing 64-bit is ever a
//!   `number`, so nothing is silently rounded.
//! - Bytes are `Uint8Array`s; maps are plain objects.
//! - Errors are thrown as plain objects `{ kind, code, message }` (see
//!   [`xmtp_facade::XmtpError`]); the TypeScript layer turns them into `Error` subclasses.
//!
//! # Panics
//! wasm32 aborts on a panic: the instance traps with a `RuntimeError` and cannot be trusted
//! afterwards. The TypeScript layer reports such a trap as `internal.panic` and refuses
//! further calls on that instance (`internal.aborted`) instead of continuing on a state
//! whose invariants may be broken.

#![deny(unsafe_code)]
#![warn(missing_docs)]

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use xmtp_facade as facade;
use xmtp_facade::XmtpError;

fn serializer() -> serde_wasm_bindgen::Serializer {
    serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true).serialize_maps_as_objects(true)
}

/// A value as a JS value (records never fail to serialize: they hold strings, numbers,
/// byte strings and string maps only).
fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value.serialize(&serializer()).unwrap_or(JsValue::UNDEFINED)
}

/// An error as the object the TypeScript layer throws from.
fn error(e: XmtpError) -> JsValue {
    to_js(&e)
}

/// A JS value as a facade input; `what` names the argument in the error code (`input.<what>`).
fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|e| error(XmtpError::from_code(&format!("input.{what}"), format!("invalid {what}: {e}"))))
}

/// An optional input: `undefined` and `null` are `None`.
fn from_js_opt<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<Option<T>, JsValue> {
    if value.is_undefined() || value.is_null() {
        Ok(None)
    } else {
        from_js(value, what).map(Some)
    }
}

fn result<T>(r: Result<T, XmtpError>) -> Result<T, JsValue> {
    r.map_err(error)
}

/// A client of one identity (see `xmtp_facade::Client`).
#[wasm_bindgen]
pub struct Client {
    inner: facade::Client,
}

#[wasm_bindgen]
impl Client {
    /// A client for exported keys (`PrivateKeyBundle` bytes, as xmtp-js `Client.getKeys()`
    /// gives them) and options `{ env?, apiUrl?, appVersion? }`.
    #[wasm_bindgen(js_name = fromKeys)]
    pub fn from_keys(keys: Vec<u8>, options: JsValue) -> Result<Client, JsValue> {
        let options = from_js(options, "options")?;
        Ok(Self { inner: result(facade::Client::from_keys(keys.into(), options))? })
    }

    /// A client restored from `exportState()`.
    #[wasm_bindgen(js_name = fromState)]
    pub fn from_state(state: String, options: JsValue) -> Result<Client, JsValue> {
        let options = from_js(options, "options")?;
        Ok(Self { inner: result(facade::Client::from_state(state, options))? })
    }

    /// The own address.
    pub fn address(&self) -> String {
        self.inner.address()
    }

    /// The node's base URL.
    #[wasm_bindgen(js_name = apiUrl)]
    pub fn api_url(&self) -> String {
        self.inner.api_url()
    }

    /// The private keys (secret).
    #[wasm_bindgen(js_name = exportKeys)]
    pub fn export_keys(&self) -> Vec<u8> {
        self.inner.export_keys().into()
    }

    /// The whole state as a JSON string (secret).
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self) -> String {
        self.inner.export_state()
    }

    /// One conversation as keystore `TopicData` bytes (secret).
    #[wasm_bindgen(js_name = exportConversation)]
    pub fn export_conversation(&self, topic: String) -> Result<Vec<u8>, JsValue> {
        result(self.inner.export_conversation(topic)).map(Vec::from)
    }

    /// Add an exported conversation; returns it.
    #[wasm_bindgen(js_name = importConversation)]
    pub fn import_conversation(&self, data: Vec<u8>) -> Result<JsValue, JsValue> {
        Ok(to_js(&result(self.inner.import_conversation(data.into()))?))
    }

    /// The next request due at `nowNs`, or `undefined`.
    #[wasm_bindgen(js_name = pollRequest)]
    pub fn poll_request(&self, now_ns: u64) -> JsValue {
        self.inner.poll_request(now_ns).map_or(JsValue::UNDEFINED, |r| to_js(&r))
    }

    /// The outcome of a call: status (0 when the transport failed) and body.
    #[wasm_bindgen(js_name = handleHttp)]
    pub fn handle_http(&self, id: u64, status: u16, body: Vec<u8>, now_ns: u64) {
        self.inner.handle_http(id, status, body.into(), now_ns);
    }

    /// The stream of request `id` is open.
    #[wasm_bindgen(js_name = streamOpened)]
    pub fn stream_opened(&self, id: u64, now_ns: u64) {
        self.inner.stream_opened(id, now_ns);
    }

    /// One line of the stream of request `id`.
    #[wasm_bindgen(js_name = streamLine)]
    pub fn stream_line(&self, id: u64, line: Vec<u8>, now_ns: u64) {
        self.inner.stream_line(id, line.into(), now_ns);
    }

    /// The stream of request `id` ended or failed.
    #[wasm_bindgen(js_name = streamClosed)]
    pub fn stream_closed(&self, id: u64, now_ns: u64) {
        self.inner.stream_closed(id, now_ns);
    }

    /// When the earliest queued request falls due (Unix ns), or `undefined`.
    #[wasm_bindgen(js_name = nextDeadline)]
    pub fn next_deadline(&self) -> Option<u64> {
        self.inner.next_deadline()
    }

    /// The next event, or `undefined`.
    #[wasm_bindgen(js_name = pollEvent)]
    pub fn poll_event(&self) -> JsValue {
        self.inner.poll_event().map_or(JsValue::UNDEFINED, |e| to_js(&e))
    }

    /// Every event queued now, in order (one call instead of one per event).
    #[wasm_bindgen(js_name = pollEvents)]
    pub fn poll_events(&self) -> JsValue {
        let events: Vec<_> = std::iter::from_fn(|| self.inner.poll_event()).collect();
        to_js(&events)
    }

    /// Publish the own contact unless current; returns the operation id.
    #[wasm_bindgen(js_name = publishContact)]
    pub fn publish_contact(&self) -> Result<u64, JsValue> {
        result(self.inner.publish_contact())
    }

    /// Whether each address has an XMTP identity.
    #[wasm_bindgen(js_name = canMessage)]
    pub fn can_message(&self, addresses: Vec<String>) -> Result<u64, JsValue> {
        result(self.inner.can_message(addresses))
    }

    /// Learn new conversations.
    #[wasm_bindgen(js_name = syncConversations)]
    pub fn sync_conversations(&self, now_ns: u64) -> Result<u64, JsValue> {
        result(self.inner.sync_conversations(now_ns))
    }

    /// Start (or reuse) a conversation; `context` is `{ conversationId, metadata? }` or
    /// `undefined`.
    #[wasm_bindgen(js_name = newConversation)]
    pub fn new_conversation(&self, peer: String, context: JsValue, now_ns: u64) -> Result<u64, JsValue> {
        let context = from_js_opt(context, "context")?;
        result(self.inner.new_conversation(peer, context, now_ns))
    }

    /// Encode and sign without publishing.
    #[wasm_bindgen(js_name = prepareMessage)]
    pub fn prepare_message(
        &self,
        topic: String,
        content: JsValue,
        options: JsValue,
        now_ns: u64,
    ) -> Result<JsValue, JsValue> {
        let content = from_js(content, "content")?;
        let options = from_js_opt(options, "send_options")?.unwrap_or_default();
        Ok(to_js(&result(self.inner.prepare_message(topic, content, options, now_ns))?))
    }

    /// Publish a prepared message.
    #[wasm_bindgen(js_name = publishPrepared)]
    pub fn publish_prepared(&self, prepared: JsValue, now_ns: u64) -> Result<u64, JsValue> {
        let prepared = from_js(prepared, "prepared")?;
        result(self.inner.publish_prepared(prepared, now_ns))
    }

    /// Prepare and publish: `{ op, id }`.
    pub fn send(&self, topic: String, content: JsValue, options: JsValue, now_ns: u64) -> Result<JsValue, JsValue> {
        let content = from_js(content, "content")?;
        let options = from_js_opt(options, "send_options")?.unwrap_or_default();
        Ok(to_js(&result(self.inner.send(topic, content, options, now_ns))?))
    }

    /// List a conversation's messages; `query` is `{ afterNs?, beforeNs?, limit?, direction? }`.
    pub fn messages(&self, topic: String, query: JsValue) -> Result<u64, JsValue> {
        let query = from_js_opt(query, "query")?.unwrap_or_default();
        result(self.inner.messages(topic, query))
    }

    /// Load consent decisions from the network.
    #[wasm_bindgen(js_name = syncConsent)]
    pub fn sync_consent(&self, now_ns: u64) -> Result<u64, JsValue> {
        result(self.inner.sync_consent(now_ns))
    }

    /// Allow or deny addresses; `state` is `"allowed"` or `"denied"`.
    #[wasm_bindgen(js_name = setConsent)]
    pub fn set_consent(&self, addresses: Vec<String>, state: JsValue, now_ns: u64) -> Result<u64, JsValue> {
        let state = from_js(state, "consent_state")?;
        result(self.inner.set_consent(addresses, state, now_ns))
    }

    /// Stream everything: the next request is the stream.
    pub fn subscribe(&self) -> Result<u64, JsValue> {
        result(self.inner.subscribe())
    }

    /// Stop streaming.
    pub fn unsubscribe(&self) {
        self.inner.unsubscribe();
    }

    /// All known conversations, oldest first.
    pub fn conversations(&self) -> JsValue {
        to_js(&self.inner.conversations())
    }

    /// The consent state of an address: `"unknown"`, `"allowed"` or `"denied"`.
    #[wasm_bindgen(js_name = consentState)]
    pub fn consent_state(&self, address: String) -> JsValue {
        to_js(&self.inner.consent_state(address))
    }

    /// Every consent decision known.
    #[wasm_bindgen(js_name = consentList)]
    pub fn consent_list(&self) -> JsValue {
        to_js(&self.inner.consent_list())
    }

    /// Push HMAC keys of the V2 conversations (all, or those of `topics`).
    #[wasm_bindgen(js_name = hmacKeys)]
    pub fn hmac_keys(&self, topics: Option<Vec<String>>, now_ns: u64) -> JsValue {
        to_js(&self.inner.hmac_keys(topics, now_ns))
    }

    /// Decrypt envelopes of known conversations: one `{ message?, error? }` each, in order.
    #[wasm_bindgen(js_name = decryptBatch)]
    pub fn decrypt_batch(&self, envelopes: JsValue) -> Result<JsValue, JsValue> {
        let envelopes = from_js(envelopes, "envelopes")?;
        Ok(to_js(&self.inner.decrypt_batch(envelopes)))
    }
}

#[cfg(feature = "testing")]
#[wasm_bindgen]
impl Client {
    /// A client with a seeded random generator (tests only).
    #[wasm_bindgen(js_name = fromKeysSeeded)]
    pub fn from_keys_seeded(keys: Vec<u8>, options: JsValue, seed: u64) -> Result<Client, JsValue> {
        let options = from_js(options, "options")?;
        Ok(Self { inner: result(facade::Client::from_keys_seeded(keys.into(), options, seed))? })
    }

    /// Panic inside the library (tests only).
    #[wasm_bindgen(js_name = debugPanic)]
    pub fn debug_panic(&self) -> Result<(), JsValue> {
        result(self.inner.debug_panic())
    }
}

/// Creating or loading the identity of a wallet (see `xmtp_facade::IdentityBootstrap`).
#[wasm_bindgen]
pub struct IdentityBootstrap {
    inner: facade::IdentityBootstrap,
}

#[wasm_bindgen]
impl IdentityBootstrap {
    /// Start for `walletAddress`.
    #[wasm_bindgen(constructor)]
    pub fn new(wallet_address: String, options: JsValue, now_ns: u64) -> Result<IdentityBootstrap, JsValue> {
        let options = from_js(options, "options")?;
        Ok(Self { inner: result(facade::IdentityBootstrap::new(wallet_address, options, now_ns))? })
    }

    /// The next request due, or `undefined`.
    #[wasm_bindgen(js_name = pollRequest)]
    pub fn poll_request(&self, now_ns: u64) -> JsValue {
        self.inner.poll_request(now_ns).map_or(JsValue::UNDEFINED, |r| to_js(&r))
    }

    /// The outcome of a call.
    #[wasm_bindgen(js_name = handleHttp)]
    pub fn handle_http(&self, id: u64, status: u16, body: Vec<u8>, now_ns: u64) {
        self.inner.handle_http(id, status, body.into(), now_ns);
    }

    /// When the earliest queued request falls due, or `undefined`.
    #[wasm_bindgen(js_name = nextDeadline)]
    pub fn next_deadline(&self) -> Option<u64> {
        self.inner.next_deadline()
    }

    /// A signature the wallet must give (`{ text, purpose }`), or `undefined`.
    #[wasm_bindgen(js_name = signatureRequest)]
    pub fn signature_request(&self) -> JsValue {
        self.inner.signature_request().map_or(JsValue::UNDEFINED, |r| to_js(&r))
    }

    /// The wallet's 65-byte signature of the requested text.
    #[wasm_bindgen(js_name = provideSignature)]
    pub fn provide_signature(&self, signature: Vec<u8>, now_ns: u64) -> Result<(), JsValue> {
        result(self.inner.provide_signature(signature.into(), now_ns))
    }

    /// Whether it finished (with keys or an error).
    #[wasm_bindgen(js_name = isFinished)]
    pub fn is_finished(&self) -> bool {
        self.inner.is_finished()
    }

    /// Whether a new identity was created (rather than loaded).
    pub fn created(&self) -> bool {
        self.inner.created()
    }

    /// The keys once finished; throws the failure, if it failed.
    pub fn keys(&self) -> Result<Option<Vec<u8>>, JsValue> {
        result(self.inner.keys()).map(|k| k.map(Vec::from))
    }
}

#[cfg(feature = "testing")]
#[wasm_bindgen]
impl IdentityBootstrap {
    /// With a seeded random generator (tests only).
    #[wasm_bindgen(js_name = newSeeded)]
    pub fn new_seeded(
        wallet_address: String,
        options: JsValue,
        now_ns: u64,
        seed: u64,
    ) -> Result<IdentityBootstrap, JsValue> {
        let options = from_js(options, "options")?;
        Ok(Self { inner: result(facade::IdentityBootstrap::new_seeded(wallet_address, options, now_ns, seed))? })
    }
}

/// A wallet from a raw secp256k1 key (for services and tests; apps pass their own signer).
#[wasm_bindgen]
pub struct PrivateKeyWallet {
    inner: facade::PrivateKeyWallet,
}

#[wasm_bindgen]
impl PrivateKeyWallet {
    /// A new random key.
    pub fn generate() -> PrivateKeyWallet {
        Self { inner: facade::PrivateKeyWallet::generate() }
    }

    /// A wallet for a 32-byte private key.
    #[wasm_bindgen(js_name = fromPrivateKey)]
    pub fn from_private_key(key: Vec<u8>) -> Result<PrivateKeyWallet, JsValue> {
        Ok(Self { inner: result(facade::PrivateKeyWallet::from_private_key(key.into()))? })
    }

    /// Its address (EIP-55).
    pub fn address(&self) -> String {
        self.inner.address()
    }

    /// An EIP-191 `personal_sign` signature of `text` (65 bytes).
    pub fn sign(&self, text: String) -> Vec<u8> {
        self.inner.sign(text).into()
    }
}

#[cfg(feature = "testing")]
#[wasm_bindgen]
impl PrivateKeyWallet {
    /// A key from a seeded generator (tests only).
    #[wasm_bindgen(js_name = generateSeeded)]
    pub fn generate_seeded(seed: u64) -> PrivateKeyWallet {
        Self { inner: facade::PrivateKeyWallet::generate_seeded(seed) }
    }
}

/// Read one envelope (`{ contentTopic, timestampNs, message }`) with an exported state, without
/// a network: `{ kind: "message", message }` or `{ kind: "invitation", conversation }`.
#[wasm_bindgen(js_name = decryptEnvelope)]
pub fn decrypt_envelope(state: String, envelope: JsValue) -> Result<JsValue, JsValue> {
    let envelope = from_js(envelope, "envelope")?;
    Ok(to_js(&result(facade::decrypt_envelope(state, envelope))?))
}

/// Every stable error code the library can produce.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    facade::error_codes()
}

/// The library's version as sent in `X-Client-Version`.
#[wasm_bindgen(js_name = clientVersion)]
pub fn client_version() -> String {
    facade::client_version()
}

/// The error the library makes for a stable code, as it throws it (tests only: its `kind` is
/// what the package's error classes must match).
#[cfg(feature = "testing")]
#[wasm_bindgen(js_name = debugErrorFor)]
pub fn debug_error_for(code: String) -> JsValue {
    error(XmtpError::from_code(&code, "a test error"))
}

/// Whether this build has the test-only exports.
#[wasm_bindgen(js_name = isTestingBuild)]
pub fn is_testing_build() -> bool {
    cfg!(feature = "testing")
}
