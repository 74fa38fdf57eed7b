//! The one error type of the host API.

use xmtp_core::client::{ClientError, StateError};

/// An error of the host API. Every variant carries the core's stable `code` (`area.reason`)
/// and a message free of user data. The variant says what a host can do about it:
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Error))]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum XmtpError {
    /// The node refused the call or could not be reached, and the engine gave up (`api.*`):
    /// check connectivity, or try later.
    Network {
        /// The stable code.
        code: String,
        /// What happened.
        message: String,
    },
    /// Something received or stored is not valid protocol data (`decode.*`, `crypto.*`,
    /// `key.*`, `invitation.*`, `message.*`, `content.*`, `auth.*`).
    Protocol {
        /// The stable code.
        code: String,
        /// What happened.
        message: String,
    },
    /// The request cannot be done as asked (`client.*`, `address.invalid`): an address
    /// without an XMTP identity, an unknown conversation, a malformed argument.
    InvalidInput {
        /// The stable code.
        code: String,
        /// What happened.
        message: String,
    },
    /// An exported state could not be read (`state.*`).
    State {
        /// The stable code.
        code: String,
        /// What happened.
        message: String,
    },
    /// A bug in this library (`internal.*`): it was caught and the client keeps working.
    Internal {
        /// The stable code.
        code: String,
        /// What happened.
        message: String,
    },
}

impl XmtpError {
    /// From a stable code and its message, in the variant the code's area belongs to.
    pub fn from_code(code: &str, message: impl Into<String>) -> Self {
        let (code, message) = (code.to_string(), message.into());
        match code.split('.').next().unwrap_or_default() {
            "api" => Self::Network { code, message },
            "client" | "address" | "input" => Self::InvalidInput { code, message },
            "state" => Self::State { code, message },
            "internal" => Self::Internal { code, message },
            _ => Self::Protocol { code, message },
        }
    }

    /// A malformed argument (`input.<what>`).
    pub(crate) fn input(what: &str, message: &str) -> Self {
        Self::InvalidInput { code: format!("input.{what}"), message: message.to_string() }
    }

    /// The stable code.
    pub fn code(&self) -> &str {
        match self {
            Self::Network { code, .. }
            | Self::Protocol { code, .. }
            | Self::InvalidInput { code, .. }
            | Self::State { code, .. }
            | Self::Internal { code, .. } => code,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        match self {
            Self::Network { message, .. }
            | Self::Protocol { message, .. }
            | Self::InvalidInput { message, .. }
            | Self::State { message, .. }
            | Self::Internal { message, .. } => message,
        }
    }
}

impl std::fmt::Display for XmtpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for XmtpError {}

impl From<xmtp_core::Error> for XmtpError {
    fn from(e: xmtp_core::Error) -> Self {
        Self::from_code(e.code(), e.to_string())
    }
}

impl From<ClientError> for XmtpError {
    fn from(e: ClientError) -> Self {
        let message = match &e {
            ClientError::Api { code } => network_message(code).to_string(),
            other => other.to_string(),
        };
        Self::from_code(e.code(), message)
    }
}

impl From<StateError> for XmtpError {
    fn from(e: StateError) -> Self {
        Self::from_code(e.code(), e.to_string())
    }
}

fn network_message(code: &str) -> &'static str {
    match code {
        "api.rate_limited" => "the node kept rate-limiting the request",
        "api.unauthenticated" => "the node refused the publish token",
        "api.permission_denied" => "the node refused the request",
        "api.invalid_argument" => "the node rejected the request as invalid",
        "api.unavailable" => "the node is unavailable or no longer accepts this call",
        "api.transport" => "the node could not be reached",
        _ => "the node failed",
    }
}

/// Every stable code an [`XmtpError`] can carry, so that each binding can check that it maps
/// all of them (its tests fail when the core gains a code the binding does not know).
#[cfg_attr(feature = "uniffi", uniffi::export)]
pub fn error_codes() -> Vec<String> {
    const CODES: &[&str] = &[
        // address
        "address.invalid",
        // message API
        "api.invalid_argument",
        "api.permission_denied",
        "api.rate_limited",
        "api.server_error",
        "api.transport",
        "api.unauthenticated",
        "api.unavailable",
        // publish tokens
        "auth.bad_signature",
        "auth.expired",
        "auth.identity_not_wallet_signed",
        "auth.not_yet_valid",
        "auth.wallet_mismatch",
        // engine
        "client.contact_not_resolved",
        "client.no_identity",
        "client.self_conversation",
        "client.unknown_conversation",
        // content
        "content.decompression_failed",
        "content.decryption_failed",
        "content.digest_mismatch",
        "content.empty_payload",
        "content.insecure_url",
        "content.invalid",
        "content.invalid_parameters",
        "content.invalid_utf8",
        "content.malformed",
        "content.missing_type",
        "content.nesting_too_deep",
        "content.too_large",
        "content.unknown_type",
        "content.unsupported_compression",
        "content.unsupported_version",
        "content.wrong_codec",
        // cryptography
        "crypto.bad_signature",
        "crypto.decryption_failed",
        "crypto.invalid_private_key",
        "crypto.invalid_public_key",
        "crypto.malformed_ciphertext",
        "crypto.malformed_signature",
        // wire decoding
        "decode.invalid_field",
        "decode.malformed",
        "decode.missing_field",
        // the host API's own
        "input.content",
        "input.content_type",
        "input.hex",
        "input.json",
        "input.url",
        "internal.panic",
        // invitations
        "invitation.invalid_content",
        "invitation.not_for_us",
        "invitation.self_invite",
        "invitation.timestamp_mismatch",
        // keys
        "key.identity_not_wallet_signed",
        "key.mismatch",
        "key.no_matching_prekey",
        "key.no_prekey",
        "key.not_legacy_convertible",
        "key.prekey_not_signed",
        "key.storage_decrypt_failed",
        "key.wrong_wallet",
        // messages
        "message.bad_signature",
        "message.not_participant",
        "message.topic_mismatch",
        "message.unknown_conversation",
        "message.wrong_version",
        // exported state
        "state.invalid",
        "state.malformed",
        "state.unsupported_version",
    ];
    CODES.iter().map(|c| (*c).to_string()).collect()
}
