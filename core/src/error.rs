//! Errors: one enum per area, each variant with a stable code; [`Error`] gathers them.
//!
//! Codes are stable strings of the form `area.reason`; bindings map codes, never messages.
//! Messages never contain addresses, plaintext or key material.

pub use crate::content::ContentError;
pub use crate::crypto::CryptoError;
pub use crate::invitation::InvitationError;
pub use crate::keys::KeyError;
pub use crate::message::MessageError;

/// A protobuf (or other wire) structure could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes are not a valid encoding of the named message.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// A required field is absent.
    #[error("missing field {0}")]
    Missing(&'static str),
    /// A field holds a value outside what the protocol allows.
    #[error("invalid field {0}")]
    Invalid(&'static str),
}

impl DecodeError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "decode.malformed",
            Self::Missing(_) => "decode.missing_field",
            Self::Invalid(_) => "decode.invalid_field",
        }
    }
}

/// Decode a protobuf message, naming it in the error.
pub(crate) fn decode<M: prost::Message + Default>(bytes: &[u8], what: &'static str) -> Result<M, DecodeError> {
    M::decode(bytes).map_err(|_| DecodeError::Malformed(what))
}

/// Any error of the core.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Wire decoding.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Cryptography.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// Keys and bundles.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Invitations.
    #[error(transparent)]
    Invitation(#[from] InvitationError),
    /// Messages.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// Content.
    #[error(transparent)]
    Content(#[from] ContentError),
    /// An address string.
    #[error(transparent)]
    Address(#[from] crate::crypto::InvalidAddress),
}

impl Error {
    /// Stable machine-readable code of the underlying error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Decode(e) => e.code(),
            Self::Crypto(e) => e.code(),
            Self::Key(e) => e.code(),
            Self::Invitation(e) => e.code(),
            Self::Message(e) => e.code(),
            Self::Content(e) => e.code(),
            Self::Address(e) => e.code(),
        }
    }
}
