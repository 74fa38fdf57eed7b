//! Identity keys, pre-keys and their bundles (facts §5), and the wallet-signature requests that
//! create and unlock them (§4.2, §8).
//!
//! Public keys are held as [`SignedKey`]: the parsed point plus the exact bytes that were signed
//! and the signature, so that legacy (V1) and signed (V2) encodings convert both ways without
//! changing a byte. A [`PeerBundle`] only exists once its signatures have been checked.

use prost::Message as _;
use rand_core::CryptoRngCore;
use xmtp_proto::message_contents as pb;
use zeroize::{Zeroize, Zeroizing};

use crate::crypto::{self, Address, CryptoError, PrivateKey, PublicKey, RecoverableSignature, SecretBytes};
use crate::error::{decode, DecodeError};

/// Keys whose `created_ns` is below this value were converted from legacy keys and hold
/// milliseconds; only those convert back to the legacy form.
pub const LEGACY_CREATED_LIMIT: u64 = 1_000_000_000_000_000_000;

const SIGNATURE_FOOTER: &str = "For more info: https://xmtp.org/signatures/";

/// Errors about keys and bundles.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A structure could not be read.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A primitive failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// A pre-key is not signed by its identity key.
    #[error("pre-key not signed by identity key")]
    PreKeyNotSigned,
    /// An identity key is not signed by a wallet (wrong signature arm or unrecoverable).
    #[error("identity key not signed by a wallet")]
    IdentityNotWalletSigned,
    /// A private key does not match the public key stored beside it.
    #[error("private key does not match its public key")]
    KeyMismatch,
    /// A bundle has no pre-key.
    #[error("bundle has no pre-key")]
    NoPreKey,
    /// A key cannot be expressed in the legacy (V1) form (native V2 key).
    #[error("key is not convertible to the legacy form")]
    NotLegacyConvertible,
    /// A wallet signature recovers to an address other than the expected one.
    #[error("wallet signature is from another address")]
    WrongWallet,
    /// The stored private key bundle could not be decrypted with the wallet signature.
    #[error("wallet signature does not unlock the stored keys")]
    StorageDecryptFailed,
    /// No own pre-key matches the one named in a header.
    #[error("no matching pre-key")]
    NoMatchingPreKey,
}

impl KeyError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Decode(e) => e.code(),
            Self::Crypto(e) => e.code(),
            Self::PreKeyNotSigned => "key.prekey_not_signed",
            Self::IdentityNotWalletSigned => "key.identity_not_wallet_signed",
            Self::KeyMismatch => "key.mismatch",
            Self::NoPreKey => "key.no_prekey",
            Self::NotLegacyConvertible => "key.not_legacy_convertible",
            Self::WrongWallet => "key.wrong_wallet",
            Self::StorageDecryptFailed => "key.storage_decrypt_failed",
            Self::NoMatchingPreKey => "key.no_matching_prekey",
        }
    }
}

/// Why the host is asked for a wallet signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignaturePurpose {
    /// "XMTP : Create Identity": authorizes a new identity key.
    CreateIdentity,
    /// "XMTP : Enable Identity": its signature is the secret that stores/unlocks the keys.
    EnableIdentity,
    /// "XMTP : Grant inbox consent to sender": a consent proof.
    GrantConsent,
}

/// A request for an EIP-191 `personal_sign` signature by the wallet. The host shows `text` to
/// the wallet and hands the 65-byte `r ‖ s ‖ v` signature back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureRequest {
    /// The exact text to sign.
    pub text: String,
    /// What the signature is for.
    pub purpose: SignaturePurpose,
}

impl SignatureRequest {
    /// The EIP-191 digest the wallet signs.
    pub fn digest(&self) -> [u8; 32] {
        crypto::eip191_digest(&self.text)
    }
}

/// A wallet whose key is held locally: it signs [`SignatureRequest`]s with EIP-191 like a real
/// wallet would. For tests, demos and servers that have no external wallet.
#[derive(Debug, Clone)]
pub struct LocalWallet {
    key: PrivateKey,
}

impl LocalWallet {
    /// A wallet from its private key.
    pub fn new(key: PrivateKey) -> Self {
        Self { key }
    }

    /// A new random wallet from the caller's CSPRNG.
    pub fn generate<R: CryptoRngCore + ?Sized>(rng: &mut R) -> Self {
        Self::new(PrivateKey::generate(rng))
    }

    /// The wallet's address.
    pub fn address(&self) -> Address {
        self.key.public_key().address()
    }

    /// The wallet's private key (an explicit call).
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }

    /// Sign a request: the 65-byte `r ‖ s ‖ v` (v = 27/28) a wallet returns for `personal_sign`.
    pub fn sign(&self, request: &SignatureRequest) -> [u8; 65] {
        self.key.sign_prehash(&request.digest()).to_wallet_bytes()
    }

    /// Create a new identity signed by this wallet (both wallet steps run locally).
    #[allow(clippy::expect_used)] // the wallet's own signature of the request recovers to it
    pub fn create_identity<R: CryptoRngCore + ?Sized>(&self, rng: &mut R, now_ms: u64) -> PrivateKeyBundle {
        let creation = IdentityCreation::new(rng, now_ms);
        let signature = self.sign(&creation.signature_request());
        creation.complete(&signature, Some(&self.address())).expect("a wallet's own signature recovers to it")
    }
}

/// The "Create Identity" text over the encoded key (facts §4.2.1).
pub fn create_identity_text(key_bytes: &[u8]) -> String {
    format!("XMTP : Create Identity\n{}\n\n{SIGNATURE_FOOTER}", hex::encode(key_bytes))
}

/// The "Enable Identity" text over the wallet pre-key (facts §4.2.2).
pub fn enable_identity_text(wallet_pre_key: &[u8]) -> String {
    format!("XMTP : Enable Identity\n{}\n\n{SIGNATURE_FOOTER}", hex::encode(wallet_pre_key))
}

/// Recover the wallet address that signed `text` with a 65-byte wallet signature.
pub fn recover_wallet(text: &str, wallet_signature: &[u8]) -> Result<Address, CryptoError> {
    let sig = RecoverableSignature::from_wallet_bytes(wallet_signature)?;
    Ok(sig.recover(&crypto::eip191_digest(text))?.address())
}

/// Which arm of the `Signature` oneof carried a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureArm {
    /// `ecdsa_compact`: a key signature over a SHA-256 digest.
    Ecdsa,
    /// `wallet_ecdsa_compact`: an EIP-191 wallet signature.
    Wallet,
}

/// Read a `Signature` proto into a checked signature and its arm.
pub fn signature_from_proto(sig: &pb::Signature) -> Result<(RecoverableSignature, SignatureArm), KeyError> {
    use pb::signature::Union;
    match &sig.union {
        Some(Union::EcdsaCompact(s)) => Ok((RecoverableSignature::new(&s.bytes, s.recovery)?, SignatureArm::Ecdsa)),
        Some(Union::WalletEcdsaCompact(s)) => {
            Ok((RecoverableSignature::new(&s.bytes, s.recovery)?, SignatureArm::Wallet))
        }
        None => Err(DecodeError::Missing("signature").into()),
    }
}

/// Build a `Signature` proto.
pub fn signature_to_proto(sig: &RecoverableSignature, arm: SignatureArm) -> pb::Signature {
    use pb::signature::Union;
    let union = match arm {
        SignatureArm::Ecdsa => Union::EcdsaCompact(pb::signature::EcdsaCompact {
            bytes: sig.bytes.to_vec(),
            recovery: u32::from(sig.recovery),
        }),
        SignatureArm::Wallet => Union::WalletEcdsaCompact(pb::signature::WalletEcdsaCompact {
            bytes: sig.bytes.to_vec(),
            recovery: u32::from(sig.recovery),
        }),
    };
    pb::Signature { union: Some(union) }
}

/// A signed public key: the point, the exact signed bytes (`key_bytes`), and the signature.
///
/// Legacy `PublicKey{timestamp, secp256k1_uncompressed}` and `UnsignedPublicKey{created_ns,
/// secp256k1_uncompressed}` encode identically, so one type carries both forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedKey {
    key: PublicKey,
    created: u64,
    key_bytes: Vec<u8>,
    signature: RecoverableSignature,
    arm: SignatureArm,
}

impl SignedKey {
    /// Sign a new key with a signer function over its `key_bytes`.
    fn new_unsigned(key: PublicKey, created: u64) -> (PublicKey, u64, Vec<u8>) {
        let unsigned = pb::UnsignedPublicKey {
            created_ns: created,
            union: Some(pb::unsigned_public_key::Union::Secp256k1Uncompressed(
                pb::unsigned_public_key::Secp256k1Uncompressed { bytes: key.to_uncompressed().to_vec() },
            )),
        };
        (key, created, unsigned.encode_to_vec())
    }

    /// Read a legacy `PublicKey` (its signature is required).
    pub fn from_legacy(k: &pb::PublicKey) -> Result<Self, KeyError> {
        let Some(pb::public_key::Union::Secp256k1Uncompressed(point)) = &k.union else {
            return Err(DecodeError::Missing("public_key.secp256k1_uncompressed").into());
        };
        let key = PublicKey::from_uncompressed(&point.bytes)?;
        let unsigned = pb::PublicKey { timestamp: k.timestamp, signature: None, union: k.union.clone() };
        let sig = k.signature.as_ref().ok_or(DecodeError::Missing("public_key.signature"))?;
        let (signature, arm) = signature_from_proto(sig)?;
        Ok(Self { key, created: k.timestamp, key_bytes: unsigned.encode_to_vec(), signature, arm })
    }

    /// Read a `SignedPublicKey`.
    pub fn from_signed(k: &pb::SignedPublicKey) -> Result<Self, KeyError> {
        let unsigned: pb::UnsignedPublicKey = decode(&k.key_bytes, "UnsignedPublicKey")?;
        let Some(pb::unsigned_public_key::Union::Secp256k1Uncompressed(point)) = &unsigned.union else {
            return Err(DecodeError::Missing("unsigned_public_key.secp256k1_uncompressed").into());
        };
        let key = PublicKey::from_uncompressed(&point.bytes)?;
        let sig = k.signature.as_ref().ok_or(DecodeError::Missing("signed_public_key.signature"))?;
        let (signature, arm) = signature_from_proto(sig)?;
        Ok(Self { key, created: unsigned.created_ns, key_bytes: k.key_bytes.clone(), signature, arm })
    }

    /// The public point.
    pub fn key(&self) -> &PublicKey {
        &self.key
    }
    /// The creation time as stored: ms for legacy-converted keys, ns for native V2 keys.
    pub fn created(&self) -> u64 {
        self.created
    }
    /// The bytes that were signed.
    pub fn key_bytes(&self) -> &[u8] {
        &self.key_bytes
    }
    /// The signature.
    pub fn signature(&self) -> &RecoverableSignature {
        &self.signature
    }
    /// The arm the signature was carried in.
    pub fn arm(&self) -> SignatureArm {
        self.arm
    }
    /// Whether this key has a legacy form (`created < 10^18`).
    pub fn is_legacy_convertible(&self) -> bool {
        self.created < LEGACY_CREATED_LIMIT
    }

    /// As a `SignedPublicKey`. `identity` re-tags a legacy identity signature as
    /// `wallet_ecdsa_compact`, as the legacy → V2 conversion does.
    pub fn to_signed_proto(&self, identity: bool) -> pb::SignedPublicKey {
        let arm = if identity { SignatureArm::Wallet } else { self.arm };
        pb::SignedPublicKey {
            key_bytes: self.key_bytes.clone(),
            signature: Some(signature_to_proto(&self.signature, arm)),
        }
    }

    /// As a legacy `PublicKey` (signature always in the `ecdsa_compact` arm).
    pub fn to_legacy_proto(&self) -> Result<pb::PublicKey, KeyError> {
        if !self.is_legacy_convertible() {
            return Err(KeyError::NotLegacyConvertible);
        }
        Ok(pb::PublicKey {
            timestamp: self.created,
            signature: Some(signature_to_proto(&self.signature, SignatureArm::Ecdsa)),
            union: Some(pb::public_key::Union::Secp256k1Uncompressed(pb::public_key::Secp256k1Uncompressed {
                bytes: self.key.to_uncompressed().to_vec(),
            })),
        })
    }

    /// The wallet that signed this identity key ("Create Identity" text over `key_bytes`).
    /// `require_wallet_arm` enforces the `wallet_ecdsa_compact` arm (V2 bundles).
    pub fn recover_wallet(&self, require_wallet_arm: bool) -> Result<Address, KeyError> {
        if require_wallet_arm && self.arm != SignatureArm::Wallet {
            return Err(KeyError::IdentityNotWalletSigned);
        }
        let digest = crypto::eip191_digest(&create_identity_text(&self.key_bytes));
        self.signature.recover(&digest).map(|k| k.address()).map_err(|_| KeyError::IdentityNotWalletSigned)
    }

    /// Check that `signer` signed this key: `ecdsa_compact` over `sha256(key_bytes)`, strict.
    pub fn verify_signed_by(&self, signer: &PublicKey) -> Result<(), KeyError> {
        if self.arm != SignatureArm::Ecdsa {
            return Err(KeyError::PreKeyNotSigned);
        }
        signer
            .verify_prehash(&crypto::sha256(&self.key_bytes), &self.signature.bytes)
            .map_err(|_| KeyError::PreKeyNotSigned)
    }

    /// Equality of signed keys: same point and same signature (arm, bytes, recovery).
    pub fn same_signed(&self, other: &Self) -> bool {
        self.key == other.key && self.signature == other.signature && self.arm == other.arm
    }
}

/// A peer's public bundle whose pre-key signature and wallet signature have been verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerBundle {
    identity: SignedKey,
    pre_key: SignedKey,
    address: Address,
    legacy_source: bool,
}

impl PeerBundle {
    fn verified(identity: SignedKey, pre_key: SignedKey, legacy: bool) -> Result<Self, KeyError> {
        pre_key.verify_signed_by(&identity.key)?;
        let address = identity.recover_wallet(!legacy)?;
        Ok(Self { identity, pre_key, address, legacy_source: legacy })
    }

    /// Verify a legacy `PublicKeyBundle` (identity signature in either arm).
    pub fn from_legacy(b: &pb::PublicKeyBundle) -> Result<Self, KeyError> {
        let identity = SignedKey::from_legacy(b.identity_key.as_ref().ok_or(DecodeError::Missing("identity_key"))?)?;
        let pre_key = SignedKey::from_legacy(b.pre_key.as_ref().ok_or(KeyError::NoPreKey)?)?;
        Self::verified(identity, pre_key, true)
    }

    /// Verify a `SignedPublicKeyBundle` (identity must be `wallet_ecdsa_compact`).
    pub fn from_signed(b: &pb::SignedPublicKeyBundle) -> Result<Self, KeyError> {
        let identity = SignedKey::from_signed(b.identity_key.as_ref().ok_or(DecodeError::Missing("identity_key"))?)?;
        let pre_key = SignedKey::from_signed(b.pre_key.as_ref().ok_or(KeyError::NoPreKey)?)?;
        Self::verified(identity, pre_key, false)
    }

    /// The wallet address this bundle belongs to (EIP-55).
    pub fn address(&self) -> &Address {
        &self.address
    }
    /// The identity key.
    pub fn identity(&self) -> &SignedKey {
        &self.identity
    }
    /// The pre-key.
    pub fn pre_key(&self) -> &SignedKey {
        &self.pre_key
    }
    /// Whether it was published in the legacy (V1) form.
    pub fn is_legacy_source(&self) -> bool {
        self.legacy_source
    }
    /// Whether V1 conversations are possible with it (both keys have a legacy form).
    pub fn is_legacy_convertible(&self) -> bool {
        self.identity.is_legacy_convertible() && self.pre_key.is_legacy_convertible()
    }
    /// The V2 form (legacy bundles converted).
    pub fn to_signed_proto(&self) -> pb::SignedPublicKeyBundle {
        pb::SignedPublicKeyBundle {
            identity_key: Some(self.identity.to_signed_proto(true)),
            pre_key: Some(self.pre_key.to_signed_proto(false)),
        }
    }
    /// The legacy form, if convertible.
    pub fn to_legacy_proto(&self) -> Result<pb::PublicKeyBundle, KeyError> {
        Ok(pb::PublicKeyBundle {
            identity_key: Some(self.identity.to_legacy_proto()?),
            pre_key: Some(self.pre_key.to_legacy_proto()?),
        })
    }
    /// Legacy equality: identity and pre-key points equal (signatures ignored).
    pub fn same_keys(&self, other: &Self) -> bool {
        self.identity.key == other.identity.key && self.pre_key.key == other.pre_key.key
    }
    /// V2 equality: points and signatures equal.
    pub fn same_signed(&self, other: &Self) -> bool {
        self.identity.same_signed(&other.identity) && self.pre_key.same_signed(&other.pre_key)
    }
}

/// A private key with its signed public half.
#[derive(Debug, Clone)]
pub struct KeyPair {
    secret: PrivateKey,
    public: SignedKey,
}

impl KeyPair {
    fn checked(secret: PrivateKey, public: SignedKey) -> Result<Self, KeyError> {
        if secret.public_key() != public.key {
            return Err(KeyError::KeyMismatch);
        }
        Ok(Self { secret, public })
    }
    /// The private key.
    pub fn secret(&self) -> &PrivateKey {
        &self.secret
    }
    /// The signed public key.
    pub fn public(&self) -> &SignedKey {
        &self.public
    }
}

/// The own keys of a client: identity key, pre-keys (index 0 = current) and the wallet address.
#[derive(Debug, Clone)]
pub struct PrivateKeyBundle {
    identity: KeyPair,
    pre_keys: Vec<KeyPair>,
    address: Address,
}

fn secp_private(union: Option<&pb::private_key::Union>) -> Result<PrivateKey, KeyError> {
    match union {
        Some(pb::private_key::Union::Secp256k1(k)) => Ok(PrivateKey::from_bytes(&k.bytes)?),
        None => Err(DecodeError::Missing("private_key.secp256k1").into()),
    }
}

fn secp_signed_private(union: Option<&pb::signed_private_key::Union>) -> Result<PrivateKey, KeyError> {
    match union {
        Some(pb::signed_private_key::Union::Secp256k1(k)) => Ok(PrivateKey::from_bytes(&k.bytes)?),
        None => Err(DecodeError::Missing("signed_private_key.secp256k1").into()),
    }
}

impl PrivateKeyBundle {
    fn assemble(identity: KeyPair, pre_keys: Vec<KeyPair>, legacy: bool) -> Result<Self, KeyError> {
        if pre_keys.is_empty() {
            return Err(KeyError::NoPreKey);
        }
        for p in &pre_keys {
            p.public.verify_signed_by(&identity.public.key)?;
        }
        let address = identity.public.recover_wallet(!legacy)?;
        Ok(Self { identity, pre_keys, address })
    }

    /// Read an encoded `PrivateKeyBundle` (v1 as xmtp-js `Client.getKeys()` returns it, or v2),
    /// or a bare `PrivateKeyBundleV1` (legacy storage). Every key and signature is checked.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        match decode::<pb::PrivateKeyBundle>(bytes, "PrivateKeyBundle").map(|b| b.version) {
            Ok(Some(pb::private_key_bundle::Version::V1(v1))) => Self::from_v1(&v1),
            Ok(Some(pb::private_key_bundle::Version::V2(v2))) => Self::from_v2(&v2),
            first => {
                // A bare `PrivateKeyBundleV1` (legacy storage) does not parse as the wrapper.
                match decode::<pb::PrivateKeyBundleV1>(bytes, "PrivateKeyBundleV1") {
                    Ok(v1) if v1.identity_key.is_some() => Self::from_v1(&v1),
                    _ => Err(first.err().unwrap_or(DecodeError::Missing("private_key_bundle.version")).into()),
                }
            }
        }
    }

    /// Read a `PrivateKeyBundleV1`.
    pub fn from_v1(v1: &pb::PrivateKeyBundleV1) -> Result<Self, KeyError> {
        let pair = |k: &pb::PrivateKey| -> Result<KeyPair, KeyError> {
            let public = SignedKey::from_legacy(k.public_key.as_ref().ok_or(DecodeError::Missing("public_key"))?)?;
            KeyPair::checked(secp_private(k.union.as_ref())?, public)
        };
        let identity = pair(v1.identity_key.as_ref().ok_or(DecodeError::Missing("identity_key"))?)?;
        let pre_keys = v1.pre_keys.iter().map(pair).collect::<Result<Vec<_>, _>>()?;
        Self::assemble(identity, pre_keys, true)
    }

    /// Read a `PrivateKeyBundleV2`.
    pub fn from_v2(v2: &pb::PrivateKeyBundleV2) -> Result<Self, KeyError> {
        let pair = |k: &pb::SignedPrivateKey| -> Result<KeyPair, KeyError> {
            let public = SignedKey::from_signed(k.public_key.as_ref().ok_or(DecodeError::Missing("public_key"))?)?;
            KeyPair::checked(secp_signed_private(k.union.as_ref())?, public)
        };
        let identity = pair(v2.identity_key.as_ref().ok_or(DecodeError::Missing("identity_key"))?)?;
        let pre_keys = v2.pre_keys.iter().map(pair).collect::<Result<Vec<_>, _>>()?;
        Self::assemble(identity, pre_keys, false)
    }

    /// The wallet address (EIP-55).
    pub fn address(&self) -> &Address {
        &self.address
    }
    /// The identity key pair.
    pub fn identity(&self) -> &KeyPair {
        &self.identity
    }
    /// The current pre-key (`pre_keys[0]`).
    pub fn current_pre_key(&self) -> &KeyPair {
        &self.pre_keys[0]
    }
    /// All pre-keys, newest first.
    pub fn pre_keys(&self) -> &[KeyPair] {
        &self.pre_keys
    }
    /// The own pre-key whose public point is `key`.
    pub fn find_pre_key(&self, key: &PublicKey) -> Option<&KeyPair> {
        self.pre_keys.iter().find(|p| p.public.key == *key)
    }

    /// The own public bundle with the current pre-key, as a verified [`PeerBundle`].
    pub fn public_bundle(&self) -> PeerBundle {
        let legacy = self.identity.public.arm == SignatureArm::Ecdsa;
        PeerBundle {
            identity: self.identity.public.clone(),
            pre_key: self.current_pre_key().public.clone(),
            address: self.address.clone(),
            legacy_source: legacy,
        }
    }

    /// Export for storage or another client: `PrivateKeyBundle{v1}` (what xmtp-js
    /// `Client.getKeys()` returns, readable everywhere) when the keys can be expressed in it,
    /// otherwise `PrivateKeyBundle{v2}`. The bytes hold private keys.
    pub fn export(&self) -> Zeroizing<Vec<u8>> {
        self.to_v1_bytes().unwrap_or_else(|_| self.to_v2_bytes())
    }

    /// Encode as `PrivateKeyBundle{v1}`, the format of xmtp-js `Client.getKeys()`.
    /// The bytes hold private keys; the intermediate copies of the scalars are wiped.
    pub fn to_v1_bytes(&self) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let pk = |p: &KeyPair| -> Result<pb::PrivateKey, KeyError> {
            Ok(pb::PrivateKey {
                timestamp: p.public.created,
                union: Some(pb::private_key::Union::Secp256k1(pb::private_key::Secp256k1 {
                    bytes: p.secret.to_bytes().to_vec(),
                })),
                public_key: Some(p.public.to_legacy_proto()?),
            })
        };
        let v1 = pb::PrivateKeyBundleV1 {
            identity_key: Some(pk(&self.identity)?),
            pre_keys: self.pre_keys.iter().map(pk).collect::<Result<_, _>>()?,
        };
        let mut bundle = pb::PrivateKeyBundle { version: Some(pb::private_key_bundle::Version::V1(v1)) };
        let bytes = Zeroizing::new(bundle.encode_to_vec());
        if let Some(pb::private_key_bundle::Version::V1(v1)) = &mut bundle.version {
            for key in v1.identity_key.iter_mut().chain(v1.pre_keys.iter_mut()) {
                if let Some(pb::private_key::Union::Secp256k1(s)) = &mut key.union {
                    s.bytes.zeroize();
                }
            }
        }
        Ok(bytes)
    }

    /// Encode as `PrivateKeyBundle{v2}` (`created_ns` = ms × 10^6 for legacy keys).
    /// The bytes hold private keys; the intermediate copies of the scalars are wiped.
    pub fn to_v2_bytes(&self) -> Zeroizing<Vec<u8>> {
        let sk = |p: &KeyPair, identity: bool| pb::SignedPrivateKey {
            created_ns: if p.public.is_legacy_convertible() {
                p.public.created.saturating_mul(1_000_000)
            } else {
                p.public.created
            },
            union: Some(pb::signed_private_key::Union::Secp256k1(pb::signed_private_key::Secp256k1 {
                bytes: p.secret.to_bytes().to_vec(),
            })),
            public_key: Some(p.public.to_signed_proto(identity)),
        };
        let v2 = pb::PrivateKeyBundleV2 {
            identity_key: Some(sk(&self.identity, true)),
            pre_keys: self.pre_keys.iter().map(|p| sk(p, false)).collect(),
        };
        let mut bundle = pb::PrivateKeyBundle { version: Some(pb::private_key_bundle::Version::V2(v2)) };
        let bytes = Zeroizing::new(bundle.encode_to_vec());
        if let Some(pb::private_key_bundle::Version::V2(v2)) = &mut bundle.version {
            for key in v2.identity_key.iter_mut().chain(v2.pre_keys.iter_mut()) {
                if let Some(pb::signed_private_key::Union::Secp256k1(s)) = &mut key.union {
                    s.bytes.zeroize();
                }
            }
        }
        bytes
    }

    /// The 195-byte triple Diffie-Hellman secret (facts §9.0) with `my_pre_key` and the peer's
    /// bundle. Sender role: `ECDH(I, P') ‖ ECDH(P, I') ‖ ECDH(P, P')`; recipient role swaps the
    /// first two.
    pub fn shared_secret(&self, peer: &PeerBundle, my_pre_key: &KeyPair, is_recipient: bool) -> SecretBytes {
        let (dh1, dh2) = if is_recipient {
            (my_pre_key.secret.shared_point(&peer.identity.key), self.identity.secret.shared_point(&peer.pre_key.key))
        } else {
            (self.identity.secret.shared_point(&peer.pre_key.key), my_pre_key.secret.shared_point(&peer.identity.key))
        };
        let dh3 = my_pre_key.secret.shared_point(&peer.pre_key.key);
        let mut out = Vec::with_capacity(195);
        out.extend_from_slice(dh1.as_ref());
        out.extend_from_slice(dh2.as_ref());
        out.extend_from_slice(dh3.as_ref());
        SecretBytes::new(out)
    }

    /// Sign a digest with the identity key (auth tokens).
    pub fn sign_with_identity(&self, digest: &[u8; 32]) -> RecoverableSignature {
        self.identity.secret.sign_prehash(digest)
    }
}

/// Creating a new identity ("Create Identity", facts §5.1): fresh identity key and pre-key; the
/// wallet signs the identity key; the identity key signs the pre-key.
#[derive(Debug)]
pub struct IdentityCreation {
    identity: PrivateKey,
    identity_ms: u64,
    pre_key: PrivateKey,
    pre_key_ms: u64,
}

impl IdentityCreation {
    /// New keys from the caller's CSPRNG, stamped with `now_ms`.
    pub fn new<R: CryptoRngCore + ?Sized>(rng: &mut R, now_ms: u64) -> Self {
        Self::from_parts(PrivateKey::generate(rng), now_ms, PrivateKey::generate(rng), now_ms)
    }

    /// From given keys and timestamps (known-answer tests, deterministic set-ups).
    pub fn from_parts(identity: PrivateKey, identity_ms: u64, pre_key: PrivateKey, pre_key_ms: u64) -> Self {
        Self { identity, identity_ms, pre_key, pre_key_ms }
    }

    fn identity_key_bytes(&self) -> Vec<u8> {
        SignedKey::new_unsigned(self.identity.public_key(), self.identity_ms).2
    }

    /// The wallet signature request ("XMTP : Create Identity").
    pub fn signature_request(&self) -> SignatureRequest {
        SignatureRequest {
            text: create_identity_text(&self.identity_key_bytes()),
            purpose: SignaturePurpose::CreateIdentity,
        }
    }

    /// Finish with the wallet's 65-byte signature. The identity's address is the wallet the
    /// signature recovers to; pass `expected` to insist on a particular wallet.
    pub fn complete(self, wallet_signature: &[u8], expected: Option<&Address>) -> Result<PrivateKeyBundle, KeyError> {
        let signature = RecoverableSignature::from_wallet_bytes(wallet_signature)?;
        let (key, created, key_bytes) = SignedKey::new_unsigned(self.identity.public_key(), self.identity_ms);
        let identity_pub = SignedKey { key, created, key_bytes, signature, arm: SignatureArm::Ecdsa };
        let address = identity_pub.recover_wallet(false)?;
        if expected.is_some_and(|e| *e != address) {
            return Err(KeyError::WrongWallet);
        }
        let (key, created, key_bytes) = SignedKey::new_unsigned(self.pre_key.public_key(), self.pre_key_ms);
        let pre_sig = self.identity.sign_prehash(&crypto::sha256(&key_bytes));
        let pre_pub = SignedKey { key, created, key_bytes, signature: pre_sig, arm: SignatureArm::Ecdsa };
        PrivateKeyBundle::assemble(
            KeyPair::checked(self.identity, identity_pub)?,
            vec![KeyPair::checked(self.pre_key, pre_pub)?],
            true,
        )
    }
}

/// Storing the private keys on the network, encrypted by a wallet signature ("Enable Identity",
/// facts §8).
pub struct KeyStorageSeal {
    bundle_bytes: zeroize::Zeroizing<Vec<u8>>,
    address: Address,
    wallet_pre_key: [u8; 32],
}

impl std::fmt::Debug for KeyStorageSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyStorageSeal").field("address", &self.address).finish_non_exhaustive()
    }
}

impl KeyStorageSeal {
    /// Start: picks the random wallet pre-key. The bundle must be legacy-convertible (v1 storage).
    pub fn new<R: CryptoRngCore + ?Sized>(bundle: &PrivateKeyBundle, rng: &mut R) -> Result<Self, KeyError> {
        let mut wallet_pre_key = [0u8; 32];
        rng.fill_bytes(&mut wallet_pre_key);
        Ok(Self { bundle_bytes: bundle.to_v1_bytes()?, address: bundle.address().clone(), wallet_pre_key })
    }

    /// The wallet signature request ("XMTP : Enable Identity").
    pub fn signature_request(&self) -> SignatureRequest {
        SignatureRequest { text: enable_identity_text(&self.wallet_pre_key), purpose: SignaturePurpose::EnableIdentity }
    }

    /// Finish: checks the signature is the bundle's wallet, then encrypts the bundle with the raw
    /// 65 signature bytes as secret. Returns an encoded `EncryptedPrivateKeyBundle`.
    pub fn complete<R: CryptoRngCore + ?Sized>(
        self,
        wallet_signature: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, KeyError> {
        let signer = recover_wallet(&self.signature_request().text, wallet_signature)?;
        if signer != self.address {
            return Err(KeyError::WrongWallet);
        }
        let ciphertext = crypto::encrypt(&self.bundle_bytes, wallet_signature, &[], rng);
        Ok(pb::EncryptedPrivateKeyBundle {
            version: Some(pb::encrypted_private_key_bundle::Version::V1(pb::EncryptedPrivateKeyBundleV1 {
                wallet_pre_key: self.wallet_pre_key.to_vec(),
                ciphertext: Some(ciphertext),
            })),
        }
        .encode_to_vec())
    }
}

/// Unlocking stored private keys with a wallet signature (facts §8, "Load").
#[derive(Debug)]
pub struct KeyStorageOpen {
    stored: pb::EncryptedPrivateKeyBundleV1,
}

impl KeyStorageOpen {
    /// Read an `EncryptedPrivateKeyBundle` (or a bare legacy `EncryptedPrivateKeyBundleV1`).
    pub fn new(encrypted: &[u8]) -> Result<Self, KeyError> {
        let wrapped: pb::EncryptedPrivateKeyBundle = decode(encrypted, "EncryptedPrivateKeyBundle")?;
        let stored = match wrapped.version {
            Some(pb::encrypted_private_key_bundle::Version::V1(v1)) => v1,
            None => decode(encrypted, "EncryptedPrivateKeyBundleV1")?,
        };
        if stored.wallet_pre_key.is_empty() || stored.ciphertext.is_none() {
            return Err(DecodeError::Missing("encrypted_private_key_bundle").into());
        }
        Ok(Self { stored })
    }

    /// The wallet signature request ("XMTP : Enable Identity" over the stored wallet pre-key).
    pub fn signature_request(&self) -> SignatureRequest {
        SignatureRequest {
            text: enable_identity_text(&self.stored.wallet_pre_key),
            purpose: SignaturePurpose::EnableIdentity,
        }
    }

    /// Finish: decrypt with the raw signature; if that fails, retry with the `v` byte moved by 27
    /// (wallets disagree on 0/1 vs 27/28).
    pub fn complete(self, wallet_signature: &[u8]) -> Result<PrivateKeyBundle, KeyError> {
        let ct = self.stored.ciphertext.as_ref().ok_or(DecodeError::Missing("ciphertext"))?;
        let plain = match crypto::decrypt(ct, wallet_signature, &[]) {
            Ok(p) => p,
            Err(_) => {
                let mut alt = wallet_signature.to_vec();
                let last = alt.last_mut().ok_or(KeyError::StorageDecryptFailed)?;
                *last = if *last < 27 { *last + 27 } else { *last - 27 };
                crypto::decrypt(ct, &alt, &[]).map_err(|_| KeyError::StorageDecryptFailed)?
            }
        };
        let bundle = PrivateKeyBundle::from_bytes(&plain)?;
        Ok(bundle)
    }
}
