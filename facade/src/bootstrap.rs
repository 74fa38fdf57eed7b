//! Setting up a wallet's identity: load it from the network (one wallet signature) or create
//! and store it (two), with the engine's host loop.

use std::sync::{Mutex, MutexGuard, PoisonError};

use rand_core::CryptoRngCore;
use xmtp_core::client::Bootstrap;
use xmtp_core::crypto::Address;

use crate::client::{base_url, guard, os_rng};
use crate::convert;
use crate::types::{ClientOptions, HttpRequest, SignatureRequest};
use crate::{Bytes, XmtpError};

struct Inner {
    bootstrap: Bootstrap,
    base_url: String,
}

/// The set-up of one wallet's identity, as xmtp-js does it. Loop: perform
/// [`IdentityBootstrap::poll_request`] and hand back [`IdentityBootstrap::handle_http`]; when
/// [`IdentityBootstrap::signature_request`] is set, have the wallet sign it and call
/// [`IdentityBootstrap::provide_signature`]; stop when [`IdentityBootstrap::is_finished`], then
/// take [`IdentityBootstrap::keys`] (or its error).
#[cfg_attr(feature = "uniffi", derive(uniffi::Object))]
pub struct IdentityBootstrap {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for IdentityBootstrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityBootstrap").finish_non_exhaustive()
    }
}

impl IdentityBootstrap {
    fn with_rng(
        wallet: &str,
        options: &ClientOptions,
        rng: Box<dyn CryptoRngCore + Send>,
        now_ns: u64,
    ) -> Result<Self, XmtpError> {
        let wallet = Address::parse(wallet.trim()).map_err(xmtp_core::Error::from)?;
        let bootstrap = Bootstrap::with_app_version(wallet, rng, options.app_version.clone(), now_ns);
        Ok(Self { inner: Mutex::new(Inner { bootstrap, base_url: base_url(options)? }) })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl IdentityBootstrap {
    /// Start for the wallet at `wallet_address`.
    #[cfg_attr(feature = "uniffi", uniffi::constructor)]
    pub fn new(wallet_address: String, options: ClientOptions, now_ns: u64) -> Result<Self, XmtpError> {
        guard(|| Self::with_rng(&wallet_address, &options, os_rng(), now_ns))
    }

    /// The request due at `now_ns`, if any.
    pub fn poll_request(&self, now_ns: u64) -> Option<HttpRequest> {
        let mut inner = self.lock();
        let base = inner.base_url.clone();
        inner.bootstrap.poll_request(now_ns).map(|r| convert::request(&r, &base))
    }

    /// The outcome of a call: HTTP status (0 when the transport failed) and body.
    pub fn handle_http(&self, id: u64, status: u16, body: Bytes, now_ns: u64) {
        let _ = guard(|| {
            self.lock().bootstrap.handle_http(id, status, &body, now_ns);
            Ok(())
        });
    }

    /// When the queued request falls due (after a transient failure), if one is queued.
    pub fn next_deadline(&self) -> Option<u64> {
        self.lock().bootstrap.next_deadline()
    }

    /// The wallet signature needed now, if any.
    pub fn signature_request(&self) -> Option<SignatureRequest> {
        self.lock().bootstrap.signature_request().as_ref().map(convert::signature_request)
    }

    /// The wallet's 65-byte signature of the current [`IdentityBootstrap::signature_request`].
    /// The signature unlocks the stored keys: it is wiped once used.
    pub fn provide_signature(&self, signature: Bytes, now_ns: u64) -> Result<(), XmtpError> {
        let signature = zeroize::Zeroizing::new(signature);
        guard(|| Ok(self.lock().bootstrap.provide_signature(&signature, now_ns)?))
    }

    /// Whether it is over (keys ready, or failed).
    pub fn is_finished(&self) -> bool {
        self.lock().bootstrap.is_finished()
    }

    /// Whether a new identity was created (rather than loaded).
    pub fn created(&self) -> bool {
        self.lock().bootstrap.created()
    }

    /// The exported keys once ready (give them to [`crate::Client::from_keys`]); the error if
    /// it failed; `None` while it runs.
    pub fn keys(&self) -> Result<Option<Bytes>, XmtpError> {
        let inner = self.lock();
        if let Some(e) = inner.bootstrap.error() {
            return Err(e.clone().into());
        }
        Ok(inner.bootstrap.keys().map(|k| k.export().to_vec().into()))
    }
}

/// What only builds with the `testing` feature have (a separate block: the uniffi export of
/// an impl block sees its items before `cfg` removes them).
#[cfg(feature = "testing")]
#[cfg_attr(feature = "uniffi", uniffi::export)]
impl IdentityBootstrap {
    /// [`IdentityBootstrap::new`] with a seeded generator (reproducible, for tests).
    #[cfg_attr(feature = "uniffi", uniffi::constructor)]
    pub fn new_seeded(
        wallet_address: String,
        options: ClientOptions,
        now_ns: u64,
        seed: u64,
    ) -> Result<Self, XmtpError> {
        use rand_core::SeedableRng;
        let rng = Box::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed));
        guard(|| Self::with_rng(&wallet_address, &options, rng, now_ns))
    }
}
