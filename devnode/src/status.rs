//! gRPC status codes and how the gateway shows them over HTTP.

use bytes::Bytes;
use prost::Message as _;

/// The gRPC status codes the node answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// 3: the request is malformed or breaks a rule (HTTP 400).
    InvalidArgument,
    /// 4: the request did not arrive in time (HTTP 504).
    DeadlineExceeded,
    /// 5: no such endpoint (HTTP 404).
    NotFound,
    /// 7: the token's wallet may not publish there (HTTP 403).
    PermissionDenied,
    /// 8: rate limit exhausted, or a subscriber too slow (HTTP 429).
    ResourceExhausted,
    /// 12: the endpoint exists but not for this HTTP method (HTTP 405, as the gateway routes).
    Unimplemented,
    /// 13: storage failure (HTTP 500).
    Internal,
    /// 14: the node is shutting down (HTTP 503).
    Unavailable,
    /// 16: missing or invalid publish token (HTTP 401).
    Unauthenticated,
}

impl Code {
    /// The numeric gRPC code.
    pub fn number(self) -> i32 {
        match self {
            Self::InvalidArgument => 3,
            Self::DeadlineExceeded => 4,
            Self::NotFound => 5,
            Self::PermissionDenied => 7,
            Self::ResourceExhausted => 8,
            Self::Unimplemented => 12,
            Self::Internal => 13,
            Self::Unavailable => 14,
            Self::Unauthenticated => 16,
        }
    }

    /// The HTTP status grpc-gateway uses for it.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidArgument => 400,
            Self::DeadlineExceeded => 504,
            Self::NotFound => 404,
            Self::PermissionDenied => 403,
            Self::ResourceExhausted => 429,
            Self::Unimplemented => 405,
            Self::Internal => 500,
            Self::Unavailable => 503,
            Self::Unauthenticated => 401,
        }
    }
}

/// An error answer: a gRPC status with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The status code.
    pub code: Code,
    /// A human-readable message (never contains a topic or an address).
    pub message: String,
}

impl ApiError {
    /// A new error.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
    /// `InvalidArgument`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }

    /// The JSON body `{"code", "message", "details": []}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "code": self.code.number(), "message": self.message, "details": [] })
    }

    /// The JSON body, encoded.
    pub fn json_bytes(&self) -> Bytes {
        Bytes::from(self.to_json().to_string())
    }

    /// The body as an encoded `google.rpc.Status` (for binary protobuf callers).
    pub fn proto_bytes(&self) -> Bytes {
        Bytes::from(RpcStatus { code: self.code.number(), message: self.message.clone() }.encode_to_vec())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (code {})", self.message, self.code.number())
    }
}

impl std::error::Error for ApiError {}

/// `google.rpc.Status` without details.
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct RpcStatus {
    #[prost(int32, tag = "1")]
    pub code: i32,
    #[prost(string, tag = "2")]
    pub message: String,
}
