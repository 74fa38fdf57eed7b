//! Contact bundles (facts §6): what a client publishes on `contact-<addr>` so others can reach it.

use prost::Message as _;
use xmtp_proto::message_contents as pb;

use crate::crypto::Address;
use crate::error::{decode, DecodeError};
use crate::keys::{KeyError, PeerBundle, PrivateKeyBundle};

/// Which form a contact bundle was published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactVersion {
    /// `ContactBundle{v1}`: a legacy `PublicKeyBundle`.
    V1,
    /// `ContactBundle{v2}`: a `SignedPublicKeyBundle`.
    V2,
    /// A bare legacy `PublicKeyBundle` written by very old clients.
    BareLegacy,
}

/// A decoded and verified contact bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// The verified keys.
    pub bundle: PeerBundle,
    /// The published form.
    pub version: ContactVersion,
}

impl Contact {
    /// The wallet address the bundle belongs to.
    pub fn address(&self) -> &Address {
        self.bundle.address()
    }
}

/// `ContactBundle{v1}` of a bundle (legacy form; fails for native V2 keys).
pub fn encode_bundle_v1(bundle: &PeerBundle) -> Result<Vec<u8>, KeyError> {
    let v1 = pb::ContactBundleV1 { key_bundle: Some(bundle.to_legacy_proto()?) };
    Ok(pb::ContactBundle { version: Some(pb::contact_bundle::Version::V1(v1)) }.encode_to_vec())
}

/// `ContactBundle{v2}` of a bundle (legacy keys converted).
pub fn encode_bundle_v2(bundle: &PeerBundle) -> Vec<u8> {
    let v2 = pb::ContactBundleV2 { key_bundle: Some(bundle.to_signed_proto()) };
    pb::ContactBundle { version: Some(pb::contact_bundle::Version::V2(v2)) }.encode_to_vec()
}

/// `ContactBundle{v1}` of the own keys (legacy form).
pub fn encode_v1(keys: &PrivateKeyBundle) -> Result<Vec<u8>, KeyError> {
    encode_bundle_v1(&keys.public_bundle())
}

/// `ContactBundle{v2}` of the own keys (legacy keys converted).
pub fn encode_v2(keys: &PrivateKeyBundle) -> Vec<u8> {
    encode_bundle_v2(&keys.public_bundle())
}

/// A decoded contact encoded again in the form it was published in (bare legacy bundles are
/// re-encoded as `ContactBundle{v1}`).
pub fn encode(contact: &Contact) -> Result<Vec<u8>, KeyError> {
    match contact.version {
        ContactVersion::V2 => Ok(encode_bundle_v2(&contact.bundle)),
        ContactVersion::V1 | ContactVersion::BareLegacy => encode_bundle_v1(&contact.bundle),
    }
}

/// Decode and verify a contact bundle. Accepts `ContactBundle` v1/v2 and, failing that, a bare
/// legacy `PublicKeyBundle`.
pub fn decode_contact(bytes: &[u8]) -> Result<Contact, KeyError> {
    let wrapped = decode::<pb::ContactBundle>(bytes, "ContactBundle");
    match wrapped.as_ref().map(|c| &c.version) {
        Ok(Some(pb::contact_bundle::Version::V1(v1))) => {
            let b = v1.key_bundle.as_ref().ok_or(DecodeError::Missing("contact_bundle.v1.key_bundle"))?;
            Ok(Contact { bundle: PeerBundle::from_legacy(b)?, version: ContactVersion::V1 })
        }
        Ok(Some(pb::contact_bundle::Version::V2(v2))) => {
            let b = v2.key_bundle.as_ref().ok_or(DecodeError::Missing("contact_bundle.v2.key_bundle"))?;
            Ok(Contact { bundle: PeerBundle::from_signed(b)?, version: ContactVersion::V2 })
        }
        _ => {
            let bare: pb::PublicKeyBundle = decode(bytes, "PublicKeyBundle")?;
            if bare.identity_key.is_none() {
                return Err(DecodeError::Missing("contact_bundle.version").into());
            }
            Ok(Contact { bundle: PeerBundle::from_legacy(&bare)?, version: ContactVersion::BareLegacy })
        }
    }
}

/// The newest valid contact for `address` among contact-topic payloads given newest first (as a
/// descending query returns them). Invalid bundles and bundles of other wallets are skipped;
/// addresses compare case-insensitively.
pub fn newest_valid<'a, I>(address: &Address, payloads_newest_first: I) -> Option<Contact>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    payloads_newest_first.into_iter().filter_map(|p| decode_contact(p).ok()).find(|c| c.address() == address)
}
