//! The message API over HTTP (facts §2.2–2.5): requests with their path, headers and JSON body,
//! the node's limits, the gateway URLs of each environment, the tolerant reading of responses
//! and stream lines, and what an HTTP status or error body means for a client (retry, refresh
//! the token, give up).

use serde_json::Value;
use xmtp_proto::message_api::v1::{self as api, Envelope, QueryRequest};

use crate::api::{decode_base64, envelope_from_json, json_u64};
use crate::error::DecodeError;

/// The node's largest page (and the default when a query sets no limit).
pub const MAX_PAGE_SIZE: u32 = 100;
/// The node's largest page on user-preference (consent) topics.
pub const MAX_PAGE_SIZE_USER_PREFERENCES: u32 = 500;
/// The node's largest number of queries in one batch query.
pub const MAX_BATCH_QUERIES: usize = 50;

/// The value of the `X-Client-Version` header this library sends (`xmtp-rs/<version>`), in the
/// form the official SDKs use (`xmtp-js/13.0.4`).
pub const CLIENT_VERSION: &str = concat!("xmtp-rs/", env!("CARGO_PKG_VERSION"));

/// The XMTP networks, by the names the official SDKs give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Environment {
    /// A node on this machine (`http://localhost:5555`), such as `xmtp-devnode`.
    Local,
    /// XMTP's development network.
    Dev,
    /// XMTP's production network.
    Production,
}

impl Environment {
    /// The gateway's base URL (the message API's HTTP JSON dialect), as xmtp-js 13 uses it.
    pub fn url(self) -> &'static str {
        match self {
            Self::Local => "http://localhost:5555",
            Self::Dev => "https://dev.xmtp.network",
            Self::Production => "https://production.xmtp.network",
        }
    }

    /// `local`, `dev` or `production`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Local => "local",
            Self::Dev => "dev",
            Self::Production => "production",
        }
    }

    /// From its name (`local`, `dev`, `production`; any case).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "local" => Some(Self::Local),
            "dev" => Some(Self::Dev),
            "production" => Some(Self::Production),
            _ => None,
        }
    }
}

/// Identifies a request; responses and errors are reported with it.
pub type RequestId = u64;

/// A request for the host's transport. The set is closed: a host matches it exhaustively, or
/// simply POSTs [`Request::body`] to [`Request::path`] with [`Request::headers`].
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Its id.
    pub id: RequestId,
    /// What to do.
    pub kind: RequestKind,
    /// The `X-App-Version` header value, when the application set one.
    pub app_version: Option<String>,
}

/// The four calls of the message API the engine uses.
#[derive(Clone, PartialEq)]
pub enum RequestKind {
    /// Publish envelopes; `authorization` is the `Authorization` header value.
    Publish {
        /// Envelopes, in order.
        envelopes: Vec<Envelope>,
        /// `Bearer <token>`.
        authorization: String,
    },
    /// One query (one page).
    Query(QueryRequest),
    /// Several queries at once (at most 50).
    BatchQuery(Vec<QueryRequest>),
    /// A long-lived subscription (newline-delimited JSON lines). The engine keeps at most one:
    /// a new `Subscribe` replaces the one open before it, which the host closes.
    Subscribe {
        /// The topics.
        topics: Vec<String>,
    },
}

impl std::fmt::Debug for RequestKind {
    /// Never shows the publish token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Publish { envelopes, .. } => {
                f.debug_struct("Publish").field("envelopes", &envelopes.len()).finish_non_exhaustive()
            }
            Self::Query(q) => f.debug_tuple("Query").field(&q.content_topics.len()).finish(),
            Self::BatchQuery(qs) => f.debug_tuple("BatchQuery").field(&qs.len()).finish(),
            Self::Subscribe { topics } => f.debug_struct("Subscribe").field("topics", &topics.len()).finish(),
        }
    }
}

impl Request {
    /// A request without an application version.
    pub fn new(id: RequestId, kind: RequestKind) -> Self {
        Self { id, kind, app_version: None }
    }

    /// Whether this is a long-lived stream rather than a call with one response.
    pub fn is_stream(&self) -> bool {
        matches!(self.kind, RequestKind::Subscribe { .. })
    }

    /// The headers to send: `Content-Type`, `X-Client-Version`, `X-App-Version` when set, and
    /// `Authorization` for publishes. The authorization value is a credential: never log it.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers =
            vec![("Content-Type", "application/json".to_string()), ("X-Client-Version", CLIENT_VERSION.to_string())];
        if let Some(app) = &self.app_version {
            headers.push(("X-App-Version", app.clone()));
        }
        if let Some(auth) = self.authorization() {
            headers.push(("Authorization", auth.to_string()));
        }
        headers
    }

    /// The HTTP path (all calls are `POST`).
    pub fn path(&self) -> &'static str {
        match self.kind {
            RequestKind::Publish { .. } => "/message/v1/publish",
            RequestKind::Query(_) => "/message/v1/query",
            RequestKind::BatchQuery(_) => "/message/v1/batch-query",
            RequestKind::Subscribe { .. } => "/message/v1/subscribe",
        }
    }

    /// The `Authorization` header value, for publishes.
    pub fn authorization(&self) -> Option<&str> {
        match &self.kind {
            RequestKind::Publish { authorization, .. } => Some(authorization),
            _ => None,
        }
    }

    /// The JSON body, in the gateway's dialect (camelCase, 64-bit integers as strings, bytes as
    /// standard base64, enums by name).
    #[allow(clippy::expect_used)] // owned protobuf data with string map keys always serializes
    pub fn body(&self) -> String {
        let json = match &self.kind {
            RequestKind::Publish { envelopes, .. } => {
                serde_json::to_string(&api::PublishRequest { envelopes: envelopes.clone() })
            }
            RequestKind::Query(q) => serde_json::to_string(q),
            RequestKind::BatchQuery(qs) => serde_json::to_string(&api::BatchQueryRequest { requests: qs.clone() }),
            RequestKind::Subscribe { topics } => {
                serde_json::to_string(&api::SubscribeRequest { content_topics: topics.clone() })
            }
        };
        json.expect("protobuf JSON serialization of owned data cannot fail")
    }
}

/// A query for one page: topics, time range (inclusive, 0 = open), direction, page size and cursor.
pub fn query(
    topic: &str,
    start_ns: u64,
    end_ns: u64,
    ascending: bool,
    limit: u32,
    cursor: Option<api::Cursor>,
) -> QueryRequest {
    let direction = if ascending { api::SortDirection::Ascending } else { api::SortDirection::Descending };
    QueryRequest {
        content_topics: vec![topic.to_string()],
        start_time_ns: start_ns,
        end_time_ns: end_ns,
        paging_info: Some(api::PagingInfo { limit, cursor, direction: direction as i32 }),
    }
}

/// One page of a query response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    /// Envelopes that could be read (the others are in `malformed`).
    pub envelopes: Vec<Envelope>,
    /// Why each item that was not a valid envelope could not be read.
    pub malformed: Vec<DecodeError>,
    /// Where the next page starts, if the server says there is one.
    pub cursor: Option<api::Cursor>,
}

fn page_from_json(v: &Value) -> Result<Page, DecodeError> {
    let mut page = Page::default();
    match v.get("envelopes") {
        Some(Value::Array(items)) => {
            for item in items {
                match envelope_from_json(item) {
                    Ok(e) => page.envelopes.push(e),
                    Err(e) => page.malformed.push(e),
                }
            }
        }
        None | Some(Value::Null) => {}
        Some(_) => return Err(DecodeError::Malformed("query response")),
    }
    let index = v
        .get("pagingInfo")
        .or_else(|| v.get("paging_info"))
        .and_then(|p| p.get("cursor"))
        .and_then(|c| c.get("index"))
        .filter(|i| !i.is_null());
    if let Some(index) = index {
        let digest = match index.get("digest") {
            Some(Value::String(s)) if !s.is_empty() => decode_base64(s)?,
            _ => Vec::new(),
        };
        let sender_time_ns = json_u64(index.get("senderTimeNs").or_else(|| index.get("sender_time_ns")), "cursor")?;
        if !digest.is_empty() || sender_time_ns != 0 {
            page.cursor = Some(api::Cursor {
                cursor: Some(api::cursor::Cursor::Index(api::IndexCursor { digest, sender_time_ns })),
            });
        }
    }
    Ok(page)
}

/// Read a `/query` response body. Missing, `null`, empty and zero fields mean absent.
pub fn parse_query_response(body: &[u8]) -> Result<Page, DecodeError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| DecodeError::Malformed("query response"))?;
    if !v.is_object() {
        return Err(DecodeError::Malformed("query response"));
    }
    page_from_json(&v)
}

/// Read a `/batch-query` response body: one page per query, in request order.
pub fn parse_batch_response(body: &[u8]) -> Result<Vec<Page>, DecodeError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| DecodeError::Malformed("batch query response"))?;
    match v.get("responses") {
        Some(Value::Array(items)) => items.iter().map(page_from_json).collect(),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(_) => Err(DecodeError::Malformed("batch query response")),
    }
}

/// Read one line of a subscription stream: `{"result": envelope}` → the envelope;
/// `{"error": …}` → an [`ApiError`]; blank lines → nothing.
pub fn parse_stream_line(line: &[u8]) -> Result<Option<Envelope>, ApiError> {
    let text = std::str::from_utf8(line).map_err(|_| ApiError::malformed("stream line is not UTF-8"))?.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let v: Value = serde_json::from_str(text).map_err(|_| ApiError::malformed("stream line is not JSON"))?;
    if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
        return Err(ApiError::from_json(200, err));
    }
    let inner = v.get("result").unwrap_or(&v);
    envelope_from_json(inner).map(Some).map_err(|_| ApiError::malformed("stream line is not an envelope"))
}

/// What the engine decided about a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorAction {
    /// Tried again later (rate limited, unavailable or unreachable); the engine re-queued it.
    Retry {
        /// The delay in milliseconds.
        after_ms: u64,
    },
    /// The publish token was refused; the engine makes a new one and retries once.
    RefreshToken,
    /// Not retried (bad request, permission denied, or retries exhausted): the operation failed.
    GiveUp,
}

/// Retries of a transport failure (no HTTP response) before giving up.
pub const MAX_TRANSPORT_RETRIES: u32 = 2;
/// Retries of a rate-limited or unavailable request before giving up.
pub const MAX_BUSY_RETRIES: u32 = 6;
/// The longest delay between two retries.
pub const MAX_RETRY_DELAY_MS: u64 = 30_000;

/// An error from the node or the transport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status (0 for a transport failure without a response).
    pub status: u16,
    /// gRPC status code from the body, if any.
    pub grpc_code: Option<i32>,
    /// The node's message (may be empty). It comes from the network: show it, never parse it.
    pub message: String,
}

impl ApiError {
    /// A transport failure (no HTTP response).
    pub fn transport(message: &str) -> Self {
        Self { status: 0, grpc_code: None, message: message.chars().take(200).collect() }
    }

    fn malformed(message: &str) -> Self {
        Self { status: 0, grpc_code: Some(3), message: message.to_string() }
    }

    fn from_json(status: u16, v: &Value) -> Self {
        Self {
            status,
            grpc_code: v.get("code").and_then(Value::as_i64).and_then(|c| i32::try_from(c).ok()),
            message: v.get("message").and_then(Value::as_str).unwrap_or_default().chars().take(200).collect(),
        }
    }

    /// From an HTTP status and the error body `{code, message, details}` (any body is accepted).
    /// Status 0 means the transport failed without a response; the body then holds its reason.
    pub fn from_http(status: u16, body: &[u8]) -> Self {
        if status == 0 {
            return Self::transport(&String::from_utf8_lossy(body));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(v) if v.is_object() => Self::from_json(status, &v),
            _ => Self { status, grpc_code: None, message: String::from_utf8_lossy(body).chars().take(200).collect() },
        }
    }

    /// The delay before retry number `attempt` (0 = the first retry), or `None` when this error
    /// is not worth retrying or the retries are used up. Rate limits and unavailable nodes back
    /// off from 1 s, doubling, up to [`MAX_BUSY_RETRIES`]; transport failures from 500 ms, up to
    /// [`MAX_TRANSPORT_RETRIES`].
    pub fn retry_after_ms(&self, attempt: u32) -> Option<u64> {
        let (base, max) = match (self.status, self.grpc_code) {
            (429, _) | (_, Some(8)) | (502..=504, _) | (_, Some(14)) => (1000u64, MAX_BUSY_RETRIES),
            (0, None) => (500, MAX_TRANSPORT_RETRIES),
            _ => return None,
        };
        (attempt < max).then(|| base.saturating_mul(1 << attempt.min(16)).min(MAX_RETRY_DELAY_MS))
    }

    /// Whether the node refused the publish token (the engine refreshes it once).
    pub fn is_unauthenticated(&self) -> bool {
        matches!((self.status, self.grpc_code), (401, _) | (_, Some(16)))
    }

    /// What a first failure leads to: 429 / 502–504 / transport failures are retried, 401
    /// refreshes the token, everything else gives up.
    pub fn action(&self) -> ErrorAction {
        if self.is_unauthenticated() {
            return ErrorAction::RefreshToken;
        }
        match self.retry_after_ms(0) {
            Some(after_ms) => ErrorAction::Retry { after_ms },
            None => ErrorAction::GiveUp,
        }
    }

    /// A stable code: `api.rate_limited`, `api.unauthenticated`, `api.permission_denied`,
    /// `api.invalid_argument`, `api.unavailable`, `api.transport` or `api.server_error`.
    pub fn code(&self) -> &'static str {
        match (self.status, self.grpc_code) {
            (429, _) | (_, Some(8)) => "api.rate_limited",
            (401, _) | (_, Some(16)) => "api.unauthenticated",
            (403, _) | (_, Some(7)) => "api.permission_denied",
            (400, _) | (_, Some(3)) => "api.invalid_argument",
            (503, _) | (_, Some(14)) => "api.unavailable",
            (0, _) => "api.transport",
            _ => "api.server_error",
        }
    }
}

/// Every code [`ApiError::code`] can return.
pub const API_ERROR_CODES: &[&str] = &[
    "api.rate_limited",
    "api.unauthenticated",
    "api.permission_denied",
    "api.invalid_argument",
    "api.unavailable",
    "api.transport",
    "api.server_error",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_gateway_dialect() {
        let q = query("/xmtp/0/m-a/proto", 5, 0, false, 100, None);
        let r = Request::new(1, RequestKind::Query(q));
        assert_eq!(r.path(), "/message/v1/query");
        let v: Value = serde_json::from_str(&r.body()).unwrap();
        assert_eq!(v["contentTopics"][0], "/xmtp/0/m-a/proto");
        assert_eq!(v["startTimeNs"], "5");
        assert_eq!(v["pagingInfo"]["direction"], "SORT_DIRECTION_DESCENDING");
        assert_eq!(v["pagingInfo"]["limit"], 100);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let r = Request::new(1, RequestKind::Publish { envelopes: vec![], authorization: "Bearer c2VjcmV0".into() });
        let shown = format!("{r:?}");
        assert!(!shown.contains("c2VjcmV0") && shown.contains("Publish"), "{shown}");
    }

    #[test]
    fn tolerant_pages() {
        let body = br#"{"envelopes":[{"contentTopic":"t","timestampNs":"1","message":"AA=="},{"bad":1},7],
            "pagingInfo":{"limit":0,"cursor":null,"direction":"SORT_DIRECTION_ASCENDING"}}"#;
        let p = parse_query_response(body).unwrap();
        assert_eq!((p.envelopes.len(), p.malformed.len(), p.cursor.is_none()), (2, 1, true));
        let body = br#"{"envelopes":null,"pagingInfo":{"cursor":{"index":{"digest":"q83v","senderTimeNs":9}}}}"#;
        let p = parse_query_response(body).unwrap();
        assert!(p.envelopes.is_empty());
        assert!(p.cursor.is_some());
        assert!(parse_query_response(b"{}").unwrap().envelopes.is_empty());
        assert!(parse_query_response(b"[]").is_err());
        assert!(parse_query_response(br#"{"envelopes":"x"}"#).is_err(), "a list that is not one is an error");
        assert!(parse_query_response(b"nope").is_err());
        assert_eq!(parse_batch_response(br#"{"responses":[{},{"envelopes":[]}]}"#).unwrap().len(), 2);
    }

    #[test]
    fn stream_lines_and_errors() {
        let line = br#"{"result":{"contentTopic":"t","timestampNs":"2","message":"AQ"}}"#;
        assert_eq!(parse_stream_line(line).unwrap().unwrap().message, vec![1]);
        assert_eq!(parse_stream_line(b"  ").unwrap(), None);
        let err = parse_stream_line(br#"{"error":{"code":14,"message":"gone"}}"#).unwrap_err();
        assert_eq!(err.action(), ErrorAction::Retry { after_ms: 1000 });
        assert_eq!(err.code(), "api.unavailable");
        let down = ApiError::from_http(0, b"connection refused");
        assert_eq!(
            (down.code(), down.retry_after_ms(0), down.retry_after_ms(1)),
            ("api.transport", Some(500), Some(1000))
        );
        assert_eq!(down.retry_after_ms(MAX_TRANSPORT_RETRIES), None);
        let busy = ApiError::from_http(429, b"");
        assert_eq!(busy.retry_after_ms(5), Some(30_000));
        assert_eq!(busy.retry_after_ms(MAX_BUSY_RETRIES), None);
        assert_eq!(
            ApiError::from_http(429, br#"{"code":8,"message":"slow down","details":[]}"#).code(),
            "api.rate_limited"
        );
        assert_eq!(ApiError::from_http(401, b"").action(), ErrorAction::RefreshToken);
        assert_eq!(ApiError::from_http(400, b"<html>").action(), ErrorAction::GiveUp);
    }
}
