//! Publish authentication: `Authorization: Bearer <token>` checked with the core's token
//! validation, verified tokens remembered until they expire (a token is an immutable signed
//! value, so one signature check per token is enough).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use prost::Message as _;
use sha2::{Digest as _, Sha256};
use xmtp_core::auth::{verify_token, TOKEN_VALIDITY_NS};
use xmtp_core::crypto::Address;
use xmtp_proto::message_api::v1::{AuthData, Token};

use crate::status::{ApiError, Code};

/// Verified tokens kept at most (the cache is emptied when full).
const CACHE_SIZE: usize = 10_000;

fn unauthenticated(message: impl Into<String>) -> ApiError {
    ApiError::new(Code::Unauthenticated, message)
}

/// Verified tokens: SHA-256 of the token text → (wallet, creation time).
#[derive(Default)]
pub(crate) struct TokenCache {
    verified: Mutex<HashMap<[u8; 32], (Address, u64)>>,
}

fn created_ns(b64: &str) -> Option<u64> {
    let bytes = STANDARD.decode(b64).ok()?;
    let token = Token::decode(bytes.as_slice()).ok()?;
    Some(AuthData::decode(token.auth_data_bytes.as_slice()).ok()?.created_ns)
}

impl TokenCache {
    /// The wallet proven by the `Authorization` header value at `now_ns`.
    pub(crate) fn wallet(&self, header: Option<&str>, now_ns: u64) -> Result<Address, ApiError> {
        let header = header.ok_or_else(|| unauthenticated("missing header Authorization: Bearer <token>"))?;
        let (scheme, token) = header.trim().split_once(' ').unwrap_or((header, ""));
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(unauthenticated("the Authorization header must use the Bearer scheme"));
        }
        let token = token.trim();
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let mut verified = self.verified.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((wallet, created)) = verified.get(&key) {
            if now_ns.saturating_sub(*created) > TOKEN_VALIDITY_NS {
                verified.remove(&key);
                return Err(unauthenticated("invalid auth token: token expired"));
            }
            return Ok(wallet.clone());
        }
        drop(verified);
        let wallet = verify_token(token, now_ns).map_err(|e| unauthenticated(format!("invalid auth token: {e}")))?;
        if let Some(created) = created_ns(token) {
            let mut verified = self.verified.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if verified.len() >= CACHE_SIZE {
                verified.clear();
            }
            verified.insert(key, (wallet.clone(), created));
        }
        Ok(wallet)
    }
}
