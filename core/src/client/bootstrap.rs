//! Identity bootstrap as xmtp-js does it, without exported keys: load the wallet-encrypted
//! bundle from the privatestore topic (one "Enable Identity" signature), or, when there is none,
//! create an identity ("Create Identity", then "Enable Identity") and store it.
//!
//! Push/pull like the engine, with the same host loop: take requests with
//! [`Bootstrap::poll_request`], hand back [`Bootstrap::handle_http`] (transient failures are
//! retried after [`Bootstrap::next_deadline`]); when [`Bootstrap::signature_request`] is set, ask
//! the wallet and call [`Bootstrap::provide_signature`]; [`Bootstrap::keys`] holds the result,
//! [`Bootstrap::error`] the reason it failed. [`Bootstrap::is_finished`] says when to stop.

use rand_core::CryptoRngCore;
use xmtp_proto::message_api::v1::Envelope;

use super::ClientError;
use crate::api::http::{parse_query_response, query, ApiError, ErrorAction, Request, RequestId, RequestKind};
use crate::auth::AuthToken;
use crate::crypto::Address;
use crate::keys::{IdentityCreation, KeyError, KeyStorageOpen, KeyStorageSeal, PrivateKeyBundle, SignatureRequest};
use crate::{topic, Error};

enum Step {
    Loading,
    Unlock(KeyStorageOpen),
    Create(IdentityCreation),
    Seal(PrivateKeyBundle, KeyStorageSeal),
    Storing(PrivateKeyBundle),
    Done(PrivateKeyBundle),
    Failed(ClientError),
}

/// The bootstrap of one wallet's identity.
pub struct Bootstrap {
    wallet: Address,
    rng: Box<dyn CryptoRngCore + Send>,
    step: Step,
    outbox: Option<(u64, Request)>,
    waiting: Option<RequestId>,
    last: Option<Request>,
    attempts: u32,
    next_id: RequestId,
    now_ns: u64,
    created: bool,
    app_version: Option<String>,
}

impl std::fmt::Debug for Bootstrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bootstrap").field("wallet", &self.wallet).finish_non_exhaustive()
    }
}

impl Bootstrap {
    /// Start for `wallet`: queues the query of its privatestore topic (newest first, one).
    pub fn new(wallet: Address, rng: Box<dyn CryptoRngCore + Send>, now_ns: u64) -> Self {
        Self::with_app_version(wallet, rng, None, now_ns)
    }

    /// [`Bootstrap::new`] naming the application in the `X-App-Version` header.
    pub fn with_app_version(
        wallet: Address,
        rng: Box<dyn CryptoRngCore + Send>,
        app_version: Option<String>,
        now_ns: u64,
    ) -> Self {
        let mut b = Self {
            wallet,
            rng,
            step: Step::Loading,
            outbox: None,
            waiting: None,
            last: None,
            attempts: 0,
            next_id: 1,
            now_ns,
            created: false,
            app_version: app_version.filter(|v| !v.is_empty()),
        };
        let q = query(&topic::private_store(&b.wallet), 0, 0, false, 1, None);
        b.push(RequestKind::Query(q));
        b
    }

    fn push(&mut self, kind: RequestKind) {
        let id = self.next_id;
        self.next_id += 1;
        self.waiting = Some(id);
        self.attempts = 0;
        let request = Request { id, kind, app_version: self.app_version.clone() };
        self.last = Some(request.clone());
        self.outbox = Some((0, request));
    }

    /// The request due at `now_ns`, if any.
    pub fn poll_request(&mut self, now_ns: u64) -> Option<Request> {
        match &self.outbox {
            Some((not_before, _)) if *not_before <= now_ns => self.outbox.take().map(|(_, r)| r),
            _ => None,
        }
    }

    /// When the queued request falls due (Unix ns), if one is queued.
    pub fn next_deadline(&self) -> Option<u64> {
        self.outbox.as_ref().map(|(t, _)| *t)
    }

    /// Whether the bootstrap is over: the keys are ready or it failed.
    pub fn is_finished(&self) -> bool {
        matches!(self.step, Step::Done(_) | Step::Failed(_))
    }

    /// The wallet signature needed now, if any.
    pub fn signature_request(&self) -> Option<SignatureRequest> {
        match &self.step {
            Step::Unlock(open) => Some(open.signature_request()),
            Step::Create(c) => Some(c.signature_request()),
            Step::Seal(_, seal) => Some(seal.signature_request()),
            _ => None,
        }
    }

    /// The keys, once loaded or created and stored.
    pub fn keys(&self) -> Option<&PrivateKeyBundle> {
        match &self.step {
            Step::Done(k) => Some(k),
            _ => None,
        }
    }

    /// Why it failed, if it did.
    pub fn error(&self) -> Option<&ClientError> {
        match &self.step {
            Step::Failed(e) => Some(e),
            _ => None,
        }
    }

    /// Whether a new identity was created (rather than loaded).
    pub fn created(&self) -> bool {
        self.created
    }

    /// The outcome of the request `id`: HTTP status (0 when the transport failed) and body.
    pub fn handle_http(&mut self, id: RequestId, status: u16, body: &[u8], now_ns: u64) -> Option<ErrorAction> {
        if (200..300).contains(&status) {
            self.handle_response(id, body, now_ns);
            return None;
        }
        Some(self.handle_error(id, &ApiError::from_http(status, body), now_ns))
    }

    /// A response to the request `id`.
    pub fn handle_response(&mut self, id: RequestId, body: &[u8], now_ns: u64) {
        if self.waiting != Some(id) {
            return;
        }
        self.now_ns = now_ns;
        self.waiting = None;
        self.step = match std::mem::replace(&mut self.step, Step::Loading) {
            Step::Loading => match parse_query_response(body) {
                Ok(page) => match page.envelopes.first() {
                    Some(e) => match KeyStorageOpen::new(&e.message) {
                        Ok(open) => Step::Unlock(open),
                        Err(e) => Step::Failed(Error::from(e).into()),
                    },
                    None => Step::Create(IdentityCreation::new(&mut *self.rng, self.now_ns / crate::NS_PER_MS)),
                },
                Err(e) => Step::Failed(Error::from(e).into()),
            },
            Step::Storing(keys) => Step::Done(keys),
            other => other,
        };
    }

    /// A failed request: re-queued after a back-off when the error is transient (as the
    /// engine does), otherwise the bootstrap fails.
    pub fn handle_error(&mut self, id: RequestId, error: &ApiError, now_ns: u64) -> ErrorAction {
        if self.waiting != Some(id) {
            return ErrorAction::GiveUp;
        }
        match (error.retry_after_ms(self.attempts), self.last.clone()) {
            (Some(after_ms), Some(request)) => {
                self.attempts += 1;
                self.outbox = Some((now_ns.saturating_add(after_ms.saturating_mul(crate::NS_PER_MS)), request));
                ErrorAction::Retry { after_ms }
            }
            _ => {
                self.waiting = None;
                self.step = Step::Failed(ClientError::Api { code: error.code() });
                ErrorAction::GiveUp
            }
        }
    }

    /// The wallet's 65-byte signature for the current [`Bootstrap::signature_request`].
    pub fn provide_signature(&mut self, signature: &[u8], now_ns: u64) -> Result<(), ClientError> {
        self.now_ns = now_ns;
        let step = std::mem::replace(&mut self.step, Step::Loading);
        let (next, result) = match step {
            Step::Unlock(open) => match open.complete(signature) {
                Ok(keys) if *keys.address() == self.wallet => (Step::Done(keys), Ok(())),
                Ok(_) => (
                    Step::Failed(Error::from(KeyError::WrongWallet).into()),
                    Err(Error::from(KeyError::WrongWallet).into()),
                ),
                Err(e) => {
                    let err: ClientError = Error::from(e).into();
                    (Step::Failed(err.clone()), Err(err))
                }
            },
            Step::Create(creation) => match creation.complete(signature, Some(&self.wallet)) {
                Ok(keys) => match KeyStorageSeal::new(&keys, &mut *self.rng) {
                    Ok(seal) => {
                        self.created = true;
                        (Step::Seal(keys, seal), Ok(()))
                    }
                    Err(e) => (Step::Failed(Error::from(e.clone()).into()), Err(Error::from(e).into())),
                },
                Err(e) => (Step::Failed(Error::from(e.clone()).into()), Err(Error::from(e).into())),
            },
            Step::Seal(keys, seal) => match seal.complete(signature, &mut *self.rng) {
                Ok(stored) => match AuthToken::create(&keys, now_ns) {
                    Ok(token) => {
                        let env = Envelope {
                            content_topic: topic::private_store(keys.address()),
                            timestamp_ns: crate::whole_ms(now_ns),
                            message: stored,
                        };
                        self.push(RequestKind::Publish { envelopes: vec![env], authorization: token.header_value() });
                        (Step::Storing(keys), Ok(()))
                    }
                    Err(e) => (Step::Failed(Error::from(e.clone()).into()), Err(Error::from(e).into())),
                },
                Err(e) => (Step::Failed(Error::from(e.clone()).into()), Err(Error::from(e).into())),
            },
            other => (other, Ok(())),
        };
        self.step = next;
        result
    }
}
