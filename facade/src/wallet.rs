//! A wallet whose key the host holds: for servers, tests and demos without an external wallet.

use xmtp_core::crypto::PrivateKey;
use xmtp_core::keys::{LocalWallet, SignaturePurpose, SignatureRequest};

use crate::client::guard;
use crate::{Bytes, XmtpError};

/// An Ethereum key that signs like a wallet (EIP-191 `personal_sign`, 65-byte `r ‖ s ‖ v`).
#[cfg_attr(feature = "uniffi", derive(uniffi::Object))]
pub struct PrivateKeyWallet {
    wallet: LocalWallet,
}

impl std::fmt::Debug for PrivateKeyWallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKeyWallet").field("address", &self.wallet.address()).finish_non_exhaustive()
    }
}

#[cfg_attr(feature = "uniffi", uniffi::export)]
impl PrivateKeyWallet {
    /// A new random key (the operating system's generator).
    #[cfg_attr(feature = "uniffi", uniffi::constructor)]
    pub fn generate() -> Self {
        Self { wallet: LocalWallet::generate(&mut rand_core::OsRng) }
    }

    /// From a 32-byte private key.
    #[cfg_attr(feature = "uniffi", uniffi::constructor)]
    pub fn from_private_key(key: Bytes) -> Result<Self, XmtpError> {
        guard(|| {
            let key = PrivateKey::from_bytes(&key).map_err(xmtp_core::Error::from)?;
            Ok(Self { wallet: LocalWallet::new(key) })
        })
    }

    /// The wallet's address (EIP-55).
    pub fn address(&self) -> String {
        self.wallet.address().to_string()
    }

    /// Sign `text` as a wallet does (EIP-191): the 65-byte signature.
    pub fn sign(&self, text: String) -> Bytes {
        let request = SignatureRequest { text, purpose: SignaturePurpose::EnableIdentity };
        self.wallet.sign(&request).to_vec().into()
    }
}

/// What only builds with the `testing` feature have (a separate block: the uniffi export of
/// an impl block sees its items before `cfg` removes them).
#[cfg(feature = "testing")]
#[cfg_attr(feature = "uniffi", uniffi::export)]
impl PrivateKeyWallet {
    /// A key from a seeded generator (reproducible, for tests).
    #[cfg_attr(feature = "uniffi", uniffi::constructor)]
    pub fn generate_seeded(seed: u64) -> Self {
        use rand_core::SeedableRng;
        Self { wallet: LocalWallet::generate(&mut rand_chacha::ChaCha20Rng::seed_from_u64(seed)) }
    }
}
