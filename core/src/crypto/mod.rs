//! Cryptographic primitives of the protocol (facts §4).
//!
//! secp256k1 keys, ECDH on the full uncompressed shared point, ECDSA (RFC 6979, low-S) with strict
//! verification and recovery, SHA-256, Keccak-256, EIP-191 digests, EIP-55 addresses, HKDF-SHA256,
//! HMAC-SHA256, the `Ciphertext` construction (HKDF salt + AES-256-GCM with associated data), and
//! batch verification of recoverable signatures ([`batch`], [`verify_batch`]).

pub mod batch;

use core::fmt;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{RecoveryId, Signature as EcdsaSignature, SigningKey, VerifyingKey};
use k256::elliptic_curve::sec1::ToEncodedPoint;
use rand_core::CryptoRngCore;
use sha2::{Digest, Sha256};
use sha3::Keccak256;
use subtle::ConstantTimeEq;
use xmtp_proto::message_contents::{ciphertext, Ciphertext};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub use batch::{verify_batch, BatchItem, BISECT_BELOW, MIN_BATCH};

/// Length of an uncompressed SEC1 public key (`0x04 ‖ X ‖ Y`).
pub const PUBLIC_KEY_LEN: usize = 65;
/// Length of a secp256k1 private scalar.
pub const PRIVATE_KEY_LEN: usize = 32;
/// Length of the HKDF salt in the `Ciphertext` construction.
pub const SALT_LEN: usize = 32;
/// Length of the AES-GCM nonce in the `Ciphertext` construction.
pub const NONCE_LEN: usize = 12;
/// Length of the AES-GCM authentication tag.
pub const TAG_LEN: usize = 16;

/// Errors of the cryptographic layer. Messages never contain key material or user data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// A private key is not a 32-byte scalar in `[1, n-1]`.
    #[error("invalid private key")]
    InvalidPrivateKey,
    /// A public key is not a 65-byte uncompressed point on the curve.
    #[error("invalid public key")]
    InvalidPublicKey,
    /// A signature is malformed (length, recovery id, scalar range).
    #[error("malformed signature")]
    MalformedSignature,
    /// A signature does not verify (includes high-S signatures, which are rejected).
    #[error("signature verification failed")]
    BadSignature,
    /// A `Ciphertext` has the wrong shape (missing arm, salt, nonce or payload lengths).
    #[error("malformed ciphertext")]
    MalformedCiphertext,
    /// AES-GCM authentication failed: wrong key, wrong associated data or tampered bytes.
    #[error("decryption failed")]
    DecryptionFailed,
}

impl CryptoError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidPrivateKey => "crypto.invalid_private_key",
            Self::InvalidPublicKey => "crypto.invalid_public_key",
            Self::MalformedSignature => "crypto.malformed_signature",
            Self::BadSignature => "crypto.bad_signature",
            Self::MalformedCiphertext => "crypto.malformed_ciphertext",
            Self::DecryptionFailed => "crypto.decryption_failed",
        }
    }
}

/// Lowercase hex of a 32-byte digest (message ids, topic ids): one pass into a buffer, where
/// `hex::encode` builds its string a character at a time (1.5 % of reading a message).
pub fn hex_digest(digest: &[u8; 32]) -> String {
    let mut out = [0u8; 64];
    // The buffer is exactly twice the input and hex is ASCII: neither step can fail.
    let _ = hex::encode_to_slice(digest, &mut out);
    std::str::from_utf8(&out).map(str::to_owned).unwrap_or_default()
}

/// SHA-256.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SHA-256 over the concatenation of several parts, without copying them.
pub fn sha256_parts(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// Keccak-256 (the original Keccak padding, as Ethereum uses it; not SHA3-256).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// EIP-191 `personal_sign` digest of a text:
/// `keccak256("\x19Ethereum Signed Message:\n" ‖ decimal(len) ‖ text)`.
pub fn eip191_digest(text: &str) -> [u8; 32] {
    let mut h = Keccak256::new();
    h.update(b"\x19Ethereum Signed Message:\n");
    h.update(text.len().to_string().as_bytes());
    h.update(text.as_bytes());
    h.finalize().into()
}

/// HKDF-SHA256 with a 32-byte output. An empty salt is equivalent to 32 zero bytes.
pub fn hkdf_sha256(ikm: &[u8], salt: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let hk = Hkdf::<Sha256>::new(Some(salt), ikm);
    let mut okm = Zeroizing::new([0u8; 32]);
    #[allow(clippy::expect_used)] // 32 bytes is within HKDF-SHA256's output range
    hk.expand(info, okm.as_mut()).expect("32 bytes is a valid HKDF-SHA256 output length");
    okm
}

/// HMAC-SHA256.
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    #[allow(clippy::expect_used)] // HMAC takes keys of any length
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// Constant-time equality of two byte strings (lengths are not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// A secp256k1 private key. Zeroized on drop; its `Debug` never shows the scalar.
#[derive(Clone)]
pub struct PrivateKey {
    secret: k256::SecretKey,
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey(<redacted>)")
    }
}

impl PrivateKey {
    /// Parse a 32-byte big-endian scalar in `[1, n-1]`.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != PRIVATE_KEY_LEN {
            return Err(CryptoError::InvalidPrivateKey);
        }
        let secret = k256::SecretKey::from_slice(bytes).map_err(|_| CryptoError::InvalidPrivateKey)?;
        Ok(Self { secret })
    }

    /// Generate a fresh key from the caller's CSPRNG.
    pub fn generate<R: CryptoRngCore + ?Sized>(rng: &mut R) -> Self {
        let mut bytes = Zeroizing::new([0u8; PRIVATE_KEY_LEN]);
        loop {
            rng.fill_bytes(bytes.as_mut());
            if let Ok(key) = Self::from_bytes(bytes.as_ref()) {
                return key;
            }
        }
    }

    /// Export the raw 32-byte scalar. An explicit call: the result is zeroized on drop.
    pub fn to_bytes(&self) -> Zeroizing<[u8; PRIVATE_KEY_LEN]> {
        let mut out = Zeroizing::new([0u8; PRIVATE_KEY_LEN]);
        out.copy_from_slice(&self.secret.to_bytes());
        out
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey { key: self.secret.public_key() }
    }

    /// ECDSA over a 32-byte digest: RFC 6979 deterministic nonce, low-S normalized, with the
    /// recovery id adjusted to the normalized signature.
    #[allow(clippy::expect_used)] // k256 refuses only digests of the wrong length; this one is 32 bytes
    pub fn sign_prehash(&self, digest: &[u8; 32]) -> RecoverableSignature {
        let signing = SigningKey::from(&self.secret);
        let (sig, rec) =
            signing.sign_prehash_recoverable(digest).expect("signing a 32-byte digest with a valid key cannot fail");
        let (sig, rec) = match sig.normalize_s() {
            Some(low) => (low, RecoveryId::new(!rec.is_y_odd(), rec.is_x_reduced())),
            None => (sig, rec),
        };
        let mut bytes = [0u8; 64];
        bytes.copy_from_slice(&sig.to_bytes());
        RecoverableSignature { bytes, recovery: rec.to_byte() & 1 }
    }

    /// ECDH: the full uncompressed shared point `0x04 ‖ X ‖ Y` of `self · peer` (65 bytes).
    pub fn shared_point(&self, peer: &PublicKey) -> Zeroizing<[u8; PUBLIC_KEY_LEN]> {
        let point = (peer.key.to_projective() * *self.secret.to_nonzero_scalar()).to_affine();
        let encoded = point.to_encoded_point(false);
        let mut out = Zeroizing::new([0u8; PUBLIC_KEY_LEN]);
        out.copy_from_slice(encoded.as_bytes());
        out
    }
}

impl PartialEq for PrivateKey {
    fn eq(&self, other: &Self) -> bool {
        ct_eq(self.to_bytes().as_ref(), other.to_bytes().as_ref())
    }
}
impl Eq for PrivateKey {}

/// A secp256k1 public key (a point on the curve).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey {
    key: k256::PublicKey,
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.to_uncompressed()))
    }
}

impl PublicKey {
    /// Parse a 65-byte uncompressed SEC1 point (`0x04 ‖ X ‖ Y`); anything else is rejected.
    pub fn from_uncompressed(bytes: &[u8]) -> Result<Self, CryptoError> {
        if bytes.len() != PUBLIC_KEY_LEN || bytes[0] != 0x04 {
            return Err(CryptoError::InvalidPublicKey);
        }
        let key = k256::PublicKey::from_sec1_bytes(bytes).map_err(|_| CryptoError::InvalidPublicKey)?;
        Ok(Self { key })
    }

    /// The 65-byte uncompressed encoding.
    pub fn to_uncompressed(&self) -> [u8; PUBLIC_KEY_LEN] {
        let mut out = [0u8; PUBLIC_KEY_LEN];
        out.copy_from_slice(self.key.to_encoded_point(false).as_bytes());
        out
    }

    /// The Ethereum address of this key: last 20 bytes of `keccak256(X ‖ Y)`.
    pub fn address(&self) -> Address {
        let encoded = self.to_uncompressed();
        let hash = keccak256(&encoded[1..]);
        let mut raw = [0u8; 20];
        raw.copy_from_slice(&hash[12..]);
        Address::from_bytes(raw)
    }

    /// Strict ECDSA verification over a 32-byte digest. High-S signatures are rejected.
    pub fn verify_prehash(&self, digest: &[u8; 32], signature: &[u8]) -> Result<(), CryptoError> {
        let sig = parse_signature(signature)?;
        if sig.normalize_s().is_some() {
            return Err(CryptoError::BadSignature);
        }
        VerifyingKey::from(&self.key).verify_prehash(digest, &sig).map_err(|_| CryptoError::BadSignature)
    }
}

fn parse_signature(bytes: &[u8]) -> Result<EcdsaSignature, CryptoError> {
    if bytes.len() != 64 {
        return Err(CryptoError::MalformedSignature);
    }
    EcdsaSignature::from_slice(bytes).map_err(|_| CryptoError::MalformedSignature)
}

/// A 64-byte `r ‖ s` ECDSA signature with its recovery id (0 or 1).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RecoverableSignature {
    /// `r ‖ s`, big-endian.
    pub bytes: [u8; 64],
    /// Recovery id, 0 or 1.
    pub recovery: u8,
}

impl fmt::Debug for RecoverableSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecoverableSignature({}, {})", hex::encode(self.bytes), self.recovery)
    }
}

impl RecoverableSignature {
    /// From `r ‖ s` and a recovery id; lengths and the id are checked.
    pub fn new(bytes: &[u8], recovery: u32) -> Result<Self, CryptoError> {
        if bytes.len() != 64 || recovery > 1 {
            return Err(CryptoError::MalformedSignature);
        }
        let mut b = [0u8; 64];
        b.copy_from_slice(bytes);
        Ok(Self { bytes: b, recovery: recovery as u8 })
    }

    /// From a 65-byte wallet signature `r ‖ s ‖ v` (v ∈ {0, 1, 27, 28}): recovery = 1 − (v' mod 2)
    /// with v' = v + 27 when v < 27 (facts §4.3).
    pub fn from_wallet_bytes(sig: &[u8]) -> Result<Self, CryptoError> {
        if sig.len() != 65 {
            return Err(CryptoError::MalformedSignature);
        }
        let mut v = sig[64];
        if v < 27 {
            v = v.checked_add(27).ok_or(CryptoError::MalformedSignature)?;
        }
        if v != 27 && v != 28 {
            return Err(CryptoError::MalformedSignature);
        }
        Self::new(&sig[..64], u32::from(1 - (v % 2)))
    }

    /// The 65-byte wallet form `r ‖ s ‖ (27 + recovery)`.
    pub fn to_wallet_bytes(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[..64].copy_from_slice(&self.bytes);
        out[64] = 27 + (self.recovery & 1);
        out
    }

    /// Recover the signer's public key from a 32-byte digest. Like the reference clients this
    /// accepts high-S signatures (it normalizes them first); it does not prove low-S.
    pub fn recover(&self, digest: &[u8; 32]) -> Result<PublicKey, CryptoError> {
        let sig = parse_signature(&self.bytes)?;
        let (sig, rec) = match sig.normalize_s() {
            Some(low) => (low, self.recovery ^ 1),
            None => (sig, self.recovery),
        };
        let rec = RecoveryId::from_byte(rec).ok_or(CryptoError::MalformedSignature)?;
        let vk = VerifyingKey::recover_from_prehash(digest, &sig, rec).map_err(|_| CryptoError::BadSignature)?;
        Ok(PublicKey { key: vk.into() })
    }
}

/// An Ethereum address, held in its EIP-55 checksummed form. Equality ignores the case of the
/// input it was parsed from.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Address(String);

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", self.0)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An address string is not `0x` followed by 40 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid address")]
pub struct InvalidAddress;

impl InvalidAddress {
    /// Its stable code.
    pub const CODE: &'static str = "address.invalid";

    /// Stable machine-readable code: `address.invalid`.
    pub fn code(&self) -> &'static str {
        Self::CODE
    }
}

impl Address {
    /// From 20 raw bytes.
    pub fn from_bytes(raw: [u8; 20]) -> Self {
        let lower = hex::encode(raw);
        let hash = keccak256(lower.as_bytes());
        let mut out = String::with_capacity(42);
        out.push_str("0x");
        for (i, c) in lower.chars().enumerate() {
            let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
            if c.is_ascii_alphabetic() && nibble >= 8 {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c);
            }
        }
        Self(out)
    }

    /// Parse `0x` + 40 hex digits in any case; the result is checksummed. (A mixed-case input
    /// with a wrong checksum is accepted, as the reference clients do.)
    pub fn parse(s: &str) -> Result<Self, InvalidAddress> {
        let hex_part = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).ok_or(InvalidAddress)?;
        if hex_part.len() != 40 {
            return Err(InvalidAddress);
        }
        let mut raw = [0u8; 20];
        hex::decode_to_slice(hex_part, &mut raw).map_err(|_| InvalidAddress)?;
        Ok(Self::from_bytes(raw))
    }

    /// The checksummed string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A secret byte string (shared secrets, key material). Zeroized on drop, never printed,
/// compared in constant time.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    /// Wrap bytes (the caller hands over ownership).
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
    /// Borrow the secret bytes. An explicit call, so uses are easy to audit.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<{} bytes redacted>)", self.0.len())
    }
}

impl PartialEq for SecretBytes {
    fn eq(&self, other: &Self) -> bool {
        ct_eq(&self.0, &other.0)
    }
}
impl Eq for SecretBytes {}

/// The `Ciphertext` construction (facts §4.5): key = HKDF-SHA256(secret, salt), AES-256-GCM with
/// optional associated data. Salt (32 bytes) then nonce (12 bytes) are drawn from `rng`.
pub fn encrypt<R: CryptoRngCore + ?Sized>(plaintext: &[u8], secret: &[u8], aad: &[u8], rng: &mut R) -> Ciphertext {
    let mut salt = [0u8; SALT_LEN];
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut salt);
    rng.fill_bytes(&mut nonce);
    encrypt_with(plaintext, secret, aad, salt, nonce)
}

/// [`encrypt`] with caller-chosen salt and nonce (known-answer tests; never reuse a nonce).
pub fn encrypt_with(
    plaintext: &[u8],
    secret: &[u8],
    aad: &[u8],
    salt: [u8; SALT_LEN],
    nonce: [u8; NONCE_LEN],
) -> Ciphertext {
    let key = hkdf_sha256(secret, &salt, &[]);
    let payload = aes256_gcm_seal(&key, &nonce, aad, plaintext);
    Ciphertext {
        union: Some(ciphertext::Union::Aes256GcmHkdfSha256(ciphertext::Aes256gcmHkdfsha256 {
            hkdf_salt: salt.to_vec(),
            gcm_nonce: nonce.to_vec(),
            payload,
        })),
    }
}

/// Decrypt a `Ciphertext` (facts §4.5). Rejects salt ≠ 32, nonce ≠ 12, payload < 16 bytes.
pub fn decrypt(ct: &Ciphertext, secret: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let Some(ciphertext::Union::Aes256GcmHkdfSha256(inner)) = &ct.union else {
        return Err(CryptoError::MalformedCiphertext);
    };
    if inner.hkdf_salt.len() != SALT_LEN || inner.gcm_nonce.len() != NONCE_LEN || inner.payload.len() < TAG_LEN {
        return Err(CryptoError::MalformedCiphertext);
    }
    let key = hkdf_sha256(secret, &inner.hkdf_salt, &[]);
    let nonce: [u8; NONCE_LEN] = inner.gcm_nonce.as_slice().try_into().map_err(|_| CryptoError::MalformedCiphertext)?;
    aes256_gcm_open(&key, &nonce, aad, &inner.payload)
}

/// AES-256-GCM encryption with a 96-bit nonce and a 128-bit tag: ciphertext ‖ tag. The layer
/// under [`encrypt_with`], public so that its known-answer tests (Wycheproof) run on the code
/// the protocol uses; protocol code should call [`encrypt`].
#[allow(clippy::expect_used)] // an in-memory buffer is far below AES-GCM's 64 GiB limit
pub fn aes256_gcm_seal(key: &[u8; 32], nonce: &[u8; NONCE_LEN], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    Aes256Gcm::new(key.into())
        .encrypt(&Nonce::from(*nonce), Payload { msg: plaintext, aad })
        .expect("AES-GCM encryption of an in-memory buffer cannot fail")
}

/// AES-256-GCM decryption of ciphertext ‖ tag (the layer under [`decrypt`]); a wrong tag is
/// [`CryptoError::DecryptionFailed`].
pub fn aes256_gcm_open(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    aad: &[u8],
    ciphertext_and_tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    if ciphertext_and_tag.len() < TAG_LEN {
        return Err(CryptoError::MalformedCiphertext);
    }
    Aes256Gcm::new(key.into())
        .decrypt(&Nonce::from(*nonce), Payload { msg: ciphertext_and_tag, aad })
        .map(Zeroizing::new)
        .map_err(|_| CryptoError::DecryptionFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_digest_is_lowercase_hex() {
        for seed in [&b""[..], b"a", b"xmtp"] {
            let digest = sha256(seed);
            assert_eq!(hex_digest(&digest), hex::encode(digest));
        }
        assert_eq!(hex_digest(&[0xab; 32]), "ab".repeat(32));
    }

    #[test]
    fn address_checksum_matches_eip55_examples() {
        // EIP-55 reference examples.
        for a in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
            "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        ] {
            assert_eq!(Address::parse(&a.to_lowercase()).unwrap().as_str(), a);
        }
        assert!(Address::parse("0x123").is_err());
        assert!(Address::parse("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").is_err());
        assert!(Address::parse("0xzzAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").is_err());
    }

    #[test]
    fn high_s_signatures_are_rejected_but_recover() {
        let key = PrivateKey::from_bytes(&sha256(b"k")).unwrap();
        let digest = sha256(b"msg");
        let sig = key.sign_prehash(&digest);
        key.public_key().verify_prehash(&digest, &sig.bytes).unwrap();
        // s' = n - s, the malleated twin.
        let parsed = EcdsaSignature::from_slice(&sig.bytes).unwrap();
        let (r, s) = parsed.split_scalars();
        let high = EcdsaSignature::from_scalars(r, -*s).unwrap();
        let mut high_bytes = [0u8; 64];
        high_bytes.copy_from_slice(&high.to_bytes());
        assert_eq!(key.public_key().verify_prehash(&digest, &high_bytes), Err(CryptoError::BadSignature));
        let high_rec = RecoverableSignature { bytes: high_bytes, recovery: sig.recovery ^ 1 };
        assert_eq!(high_rec.recover(&digest).unwrap(), key.public_key());
        assert_eq!(sig.recover(&digest).unwrap(), key.public_key());
    }

    #[test]
    fn ciphertext_rejects_tampering_and_bad_shapes() {
        let ct = encrypt_with(b"hello", b"secret", b"aad", [1; 32], [2; 12]);
        assert_eq!(decrypt(&ct, b"secret", b"aad").unwrap().as_slice(), b"hello");
        assert_eq!(decrypt(&ct, b"secret", b"other"), Err(CryptoError::DecryptionFailed));
        assert_eq!(decrypt(&ct, b"wrong", b"aad"), Err(CryptoError::DecryptionFailed));
        let mut bad = ct.clone();
        if let Some(ciphertext::Union::Aes256GcmHkdfSha256(inner)) = &mut bad.union {
            inner.gcm_nonce.pop();
        }
        assert_eq!(decrypt(&bad, b"secret", b"aad"), Err(CryptoError::MalformedCiphertext));
        assert_eq!(decrypt(&Ciphertext { union: None }, b"secret", b"aad"), Err(CryptoError::MalformedCiphertext));
    }

    #[test]
    fn wallet_signature_v_byte_forms() {
        let mut sig = [7u8; 65];
        for (v, rec) in [(27u8, 0u8), (28, 1), (0, 0), (1, 1)] {
            sig[64] = v;
            assert_eq!(RecoverableSignature::from_wallet_bytes(&sig).unwrap().recovery, rec);
        }
        sig[64] = 29;
        assert!(RecoverableSignature::from_wallet_bytes(&sig).is_err());
        assert!(RecoverableSignature::from_wallet_bytes(&sig[..64]).is_err());
    }
}
