//! The HTTP endpoints of the message API, as grpc-gateway exposes them.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Map, Value};
use tokio::sync::{Semaphore, SemaphorePermit};
use xmtp_core::auth::may_publish;
use xmtp_proto::message_api::v1::{
    cursor, Cursor, IndexCursor, PagingInfo, QueryRequest, QueryResponse, SortDirection,
};

use crate::log::{redact, tag, Logger};
use crate::pubsub::Hub;
use crate::ratelimit::{Class, RateLimiter};
use crate::status::{ApiError, Code};
use crate::store::{Query, Row, Store};
use crate::tokens::TokenCache;
use crate::wire::{self, Format};

/// Longest content topic accepted, in bytes.
pub const MAX_TOPIC_BYTES: usize = 300;
/// Largest envelope message accepted, in bytes (1 MiB pubsub limit − 300 − 62).
pub const MAX_MESSAGE_BYTES: usize = 1_048_214;
/// Page size when a query gives none (the largest page; the limits are the message API's, defined
/// once in the core, which clients page by).
pub const DEFAULT_PAGE: u32 = xmtp_core::api::http::MAX_PAGE_SIZE;
/// Largest page size.
pub const MAX_PAGE: u32 = xmtp_core::api::http::MAX_PAGE_SIZE;
/// Largest page size of a single-topic `userpreferences-` query.
pub const MAX_PAGE_USER_PREFERENCES: u32 = xmtp_core::api::http::MAX_PAGE_SIZE_USER_PREFERENCES;
/// Most queries in one batch.
pub const MAX_BATCH: usize = xmtp_core::api::http::MAX_BATCH_QUERIES;
/// Responses of at least this size are gzip-compressed for clients that accept it.
const GZIP_MIN_BYTES: usize = 1400;
/// Topics named (as tags) in a request's log line at most.
const LOGGED_TOPICS: usize = 4;

pub(crate) type ResponseBody = BoxBody<Bytes, Infallible>;

/// Everything the endpoints share.
pub(crate) struct State {
    pub store: Arc<Store>,
    pub hub: Arc<Hub>,
    pub limiter: Option<RateLimiter>,
    /// `None` when authentication is disabled.
    pub tokens: Option<TokenCache>,
    pub log: Logger,
    pub max_body: usize,
    /// How long a request body may take to arrive.
    pub body_timeout: Duration,
    pub max_topics_per_query: usize,
    pub max_topics_per_batch: usize,
    pub query_budget: QueryBudget,
    pub shutting_down: AtomicBool,
}

/// The bytes of query bodies being decoded and run at once: a weighted semaphore, so that many
/// large queries at once wait for each other instead of all holding their decoded topics.
pub(crate) struct QueryBudget {
    permits: Semaphore,
    total: u32,
}

impl QueryBudget {
    pub(crate) fn new(bytes: usize) -> Self {
        let total = u32::try_from(bytes.clamp(1, Semaphore::MAX_PERMITS)).unwrap_or(u32::MAX);
        Self { permits: Semaphore::new(total as usize), total }
    }

    /// Wait for a share of `bytes` (at least 1, at most the whole budget).
    async fn acquire(&self, bytes: usize) -> Result<SemaphorePermit<'_>, ApiError> {
        let n = u32::try_from(bytes.max(1)).unwrap_or(u32::MAX).min(self.total);
        self.permits.acquire_many(n).await.map_err(|_| ApiError::new(Code::Unavailable, "node is shutting down"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    Publish,
    Query,
    BatchQuery,
    Subscribe,
    SubscribeAll,
}

impl Endpoint {
    fn from_path(path: &str) -> Option<Self> {
        Some(match path {
            "/message/v1/publish" => Self::Publish,
            "/message/v1/query" => Self::Query,
            "/message/v1/batch-query" => Self::BatchQuery,
            "/message/v1/subscribe" => Self::Subscribe,
            "/message/v1/subscribe-all" => Self::SubscribeAll,
            _ => return None,
        })
    }
}

/// What a request's log line says besides the basics.
#[derive(Default)]
struct Notes {
    fields: Map<String, Value>,
}

impl Notes {
    fn set(&mut self, key: &str, value: impl Into<Value>) {
        self.fields.insert(key.into(), value.into());
    }
    fn topics<'a>(&mut self, topics: impl Iterator<Item = &'a str>) {
        let mut tags = Vec::new();
        let mut n = 0usize;
        for t in topics {
            if n < LOGGED_TOPICS {
                tags.push(Value::from(tag(t)));
            }
            n += 1;
        }
        self.set("topics", n);
        self.set("topic_tags", tags);
    }
}

fn now_ns() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

fn full(bytes: Bytes) -> ResponseBody {
    Full::new(bytes).boxed()
}

fn with_cors(mut resp: Response<ResponseBody>) -> Response<ResponseBody> {
    resp.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    resp
}

fn respond(status: u16, content_type: &'static str, body: Bytes) -> Response<ResponseBody> {
    let mut resp = Response::new(full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

fn error_response(e: &ApiError, format: Format) -> Response<ResponseBody> {
    let body = match format {
        Format::Json => e.json_bytes(),
        Format::Proto => e.proto_bytes(),
    };
    respond(e.code.http_status(), format.content_type(), body)
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Request format from `Content-Type`; response format from `Accept`, else the request's.
fn formats(headers: &HeaderMap) -> (Format, Format) {
    let is_proto = |v: &str| {
        v.split(',')
            .any(|part| part.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/x-protobuf")))
    };
    let inbound = match header_str(headers, header::CONTENT_TYPE) {
        Some(ct) if is_proto(ct) => Format::Proto,
        _ => Format::Json,
    };
    let outbound = match header_str(headers, header::ACCEPT) {
        Some(a) if is_proto(a) => Format::Proto,
        Some(a) if a.to_ascii_lowercase().contains("application/json") => Format::Json,
        _ => inbound,
    };
    (inbound, outbound)
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    header_str(headers, header::ACCEPT_ENCODING).is_some_and(|v| {
        v.split(',').any(|item| {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                let p = p.trim().replace(' ', "");
                p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
            });
            coding.eq_ignore_ascii_case("gzip") && !refused
        })
    })
}

fn gzip(data: &[u8]) -> Option<Bytes> {
    let mut enc = flate2::write::GzEncoder::new(Vec::with_capacity(data.len() / 3), flate2::Compression::default());
    enc.write_all(data).ok()?;
    enc.finish().ok().map(Bytes::from)
}

/// A unary answer, gzip-compressed when asked for and worth it.
fn unary(body: Bytes, format: Format, compress: bool) -> Response<ResponseBody> {
    if compress && body.len() >= GZIP_MIN_BYTES {
        if let Some(zipped) = gzip(&body) {
            let mut resp = respond(200, format.content_type(), zipped);
            resp.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            resp.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
            return resp;
        }
    }
    respond(200, format.content_type(), body)
}

fn preflight(headers: &HeaderMap) -> Response<ResponseBody> {
    let mut resp = respond(204, "text/plain", Bytes::new());
    let h = resp.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST, OPTIONS"));
    let allow = headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS).cloned().unwrap_or(HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allow);
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    resp
}

impl State {
    fn rate_limit(&self, ip: IpAddr, class: Class, cost: usize, notes: &mut Notes) -> Result<(), ApiError> {
        let cost = cost.max(1);
        notes.set("cost", cost);
        let Some(limiter) = &self.limiter else { return Ok(()) };
        if limiter.allow(ip, class, u64::try_from(cost).unwrap_or(u64::MAX)) {
            Ok(())
        } else {
            let which = match class {
                Class::Default => "DEF",
                Class::Publish => "PUB",
            };
            Err(ApiError::new(Code::ResourceExhausted, format!("rate limit exceeded ({which}, cost {cost})")))
        }
    }
}

/// Serve one request. Never fails: errors become `{code, message, details}` answers.
pub(crate) async fn handle(
    state: Arc<State>,
    peer: SocketAddr,
    req: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let (_, out_format) = formats(req.headers());
    let mut notes = Notes::default();
    let resp = match route(&state, peer, req, &mut notes).await {
        Ok(resp) => resp,
        Err(e) => {
            notes.set("code", e.code.number());
            notes.set("error", redact(&e.message));
            error_response(&e, out_format)
        }
    };
    let resp = with_cors(resp);
    let status = resp.status().as_u16();
    let level = match status {
        500.. => "error",
        400.. => "warn",
        _ => "info",
    };
    let mut fields = Map::new();
    fields.insert("method".into(), Value::from(method.as_str()));
    // Other paths are whatever the client sent: logged as a tag only.
    let shown_path = if Endpoint::from_path(&path).is_some() { path } else { format!("other:{}", tag(&path)) };
    fields.insert("path".into(), Value::from(shown_path));
    fields.insert("status".into(), Value::from(status));
    fields.insert("ip".into(), Value::from(peer.ip().to_string()));
    fields.insert("us".into(), Value::from(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX)));
    fields.extend(notes.fields);
    state.log.line(level, "request", fields);
    Ok(resp)
}

async fn route(
    state: &Arc<State>,
    peer: SocketAddr,
    req: Request<Incoming>,
    notes: &mut Notes,
) -> Result<Response<ResponseBody>, ApiError> {
    if req.method() == Method::OPTIONS {
        return Ok(preflight(req.headers()));
    }
    let endpoint = Endpoint::from_path(req.uri().path()).ok_or_else(|| ApiError::new(Code::NotFound, "Not Found"))?;
    if req.method() != Method::POST {
        return Err(ApiError::new(Code::Unimplemented, "Method Not Allowed"));
    }
    if state.shutting_down.load(Ordering::Relaxed) {
        return Err(ApiError::new(Code::Unavailable, "node is shutting down"));
    }
    let (in_format, out_format) = formats(req.headers());
    let compress = accepts_gzip(req.headers());
    let auth_header = header_str(req.headers(), header::AUTHORIZATION).map(str::to_string);
    let read = tokio::time::timeout(state.body_timeout, Limited::new(req.into_body(), state.max_body).collect());
    let body = match read.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return Err(ApiError::invalid(format!("request body larger than {} bytes", state.max_body)));
        }
        Ok(Err(e)) => return Err(ApiError::invalid(format!("cannot read the request body: {e}"))),
        Err(_) => {
            return Err(ApiError::new(
                Code::DeadlineExceeded,
                format!("request body not received within {} ms", state.body_timeout.as_millis()),
            ));
        }
    };
    notes.set("bytes", body.len());
    if in_format == Format::Proto {
        notes.set("format", "protobuf");
    }
    let ip = peer.ip();
    match endpoint {
        Endpoint::Publish => publish(state, ip, &body, in_format, out_format, auth_header.as_deref(), notes).await,
        Endpoint::Query => {
            let _budget = state.query_budget.acquire(body.len()).await?;
            let req = wire::query_request(&body, in_format);
            // A query costs one token per topic.
            let cost = req.as_ref().map_or(1, |r| r.content_topics.len());
            state.rate_limit(ip, Class::Default, cost, notes)?;
            let req = req?;
            notes.topics(req.content_topics.iter().map(String::as_str));
            if req.content_topics.len() > state.max_topics_per_query {
                return Err(ApiError::invalid(format!(
                    "{} content topics, more than {} per query",
                    req.content_topics.len(),
                    state.max_topics_per_query
                )));
            }
            let query = validate_query(&req)?;
            let rows = state.store.query(vec![query.clone()]).await?.pop().unwrap_or_default();
            notes.set("envelopes", rows.len());
            let resp = page(&query, rows);
            Ok(unary(wire::query_response(&resp, out_format), out_format, compress))
        }
        Endpoint::BatchQuery => {
            let _budget = state.query_budget.acquire(body.len()).await?;
            let req = wire::batch_query_request(&body, in_format);
            // A batch costs one token per topic of its queries, and at least one per query.
            let cost = req.as_ref().map_or(1, |r| r.requests.iter().map(|q| q.content_topics.len().max(1)).sum());
            state.rate_limit(ip, Class::Default, cost, notes)?;
            let req = req?;
            notes.set("queries", req.requests.len());
            notes.topics(req.requests.iter().flat_map(|r| r.content_topics.iter().map(String::as_str)));
            if req.requests.len() > MAX_BATCH {
                return Err(ApiError::invalid(format!("at most {MAX_BATCH} queries per batch")));
            }
            let topics: usize = req.requests.iter().map(|q| q.content_topics.len()).sum();
            if topics > state.max_topics_per_batch {
                return Err(ApiError::invalid(format!(
                    "{topics} content topics in the batch, more than {}",
                    state.max_topics_per_batch
                )));
            }
            if let Some(i) = req.requests.iter().position(|q| q.content_topics.len() > state.max_topics_per_query) {
                return Err(ApiError::invalid(format!(
                    "requests[{i}]: {} content topics, more than {} per query",
                    req.requests[i].content_topics.len(),
                    state.max_topics_per_query
                )));
            }
            let queries = req
                .requests
                .iter()
                .enumerate()
                .map(|(i, r)| validate_query(r).map_err(|e| ApiError::invalid(format!("requests[{i}]: {}", e.message))))
                .collect::<Result<Vec<_>, _>>()?;
            let results = if queries.is_empty() { Vec::new() } else { state.store.query(queries.clone()).await? };
            notes.set("envelopes", results.iter().map(Vec::len).sum::<usize>());
            let responses: Vec<QueryResponse> = queries.iter().zip(results).map(|(q, rows)| page(q, rows)).collect();
            Ok(unary(wire::batch_query_response(&responses, out_format), out_format, compress))
        }
        Endpoint::Subscribe => {
            let req = wire::subscribe_request(&body, in_format);
            state.rate_limit(ip, Class::Default, 1, notes)?;
            let req = req?;
            notes.topics(req.content_topics.iter().map(String::as_str));
            if req.content_topics.is_empty() {
                return Err(ApiError::invalid("at least one content topic is required"));
            }
            stream(state, Some(req.content_topics))
        }
        Endpoint::SubscribeAll => {
            let req = wire::subscribe_all_request(&body, in_format);
            state.rate_limit(ip, Class::Default, 1, notes)?;
            req?;
            stream(state, None)
        }
    }
}

fn stream(state: &Arc<State>, topics: Option<Vec<String>>) -> Result<Response<ResponseBody>, ApiError> {
    let subscription = state.hub.subscribe(topics)?;
    let mut resp = Response::new(subscription.boxed());
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // grpc-gateway forwards the node's `subscribed: true` header metadata.
    h.insert("grpc-metadata-subscribed", HeaderValue::from_static("true"));
    Ok(resp)
}

async fn publish(
    state: &Arc<State>,
    ip: IpAddr,
    body: &[u8],
    in_format: Format,
    out_format: Format,
    auth_header: Option<&str>,
    notes: &mut Notes,
) -> Result<Response<ResponseBody>, ApiError> {
    let req = wire::publish_request(body, in_format);
    match &req {
        Ok(r) => state.rate_limit(ip, Class::Publish, r.envelopes.len(), notes)?,
        Err(_) => state.rate_limit(ip, Class::Default, 1, notes)?,
    }
    let req = req?;
    notes.set("envelopes", req.envelopes.len());
    notes.topics(req.envelopes.iter().map(|e| e.content_topic.as_str()));
    if let Some(tokens) = &state.tokens {
        let wallet = tokens.wallet(auth_header, now_ns())?;
        notes.set("wallet_tag", tag(wallet.as_str()));
        for (i, e) in req.envelopes.iter().enumerate() {
            if !may_publish(&e.content_topic, &wallet) {
                return Err(ApiError::new(
                    Code::PermissionDenied,
                    format!("envelopes[{i}]: the token's wallet may not publish to this topic"),
                ));
            }
        }
    }
    for (i, e) in req.envelopes.iter().enumerate() {
        if e.content_topic.is_empty() {
            return Err(ApiError::invalid(format!("envelopes[{i}]: contentTopic is required")));
        }
        if e.content_topic.len() > MAX_TOPIC_BYTES {
            return Err(ApiError::invalid(format!(
                "envelopes[{i}]: contentTopic is {} bytes, more than {MAX_TOPIC_BYTES}",
                e.content_topic.len()
            )));
        }
        if e.message.len() > MAX_MESSAGE_BYTES {
            return Err(ApiError::invalid(format!(
                "envelopes[{i}]: message is {} bytes, more than {MAX_MESSAGE_BYTES}",
                e.message.len()
            )));
        }
    }
    if !req.envelopes.is_empty() {
        state.store.publish(req.envelopes).await?;
    }
    Ok(unary(wire::publish_response(out_format), out_format, false))
}

/// Check a query against the node's rules and resolve its defaults.
fn validate_query(req: &QueryRequest) -> Result<Query, ApiError> {
    if req.content_topics.is_empty() {
        return Err(ApiError::invalid("at least one content topic is required"));
    }
    let paging = req.paging_info.clone().unwrap_or_default();
    let limit = if paging.limit == 0 { DEFAULT_PAGE } else { paging.limit };
    let max = match req.content_topics.as_slice() {
        [one] if xmtp_core::topic::kind(one) == xmtp_core::topic::TopicKind::UserPreferences => {
            MAX_PAGE_USER_PREFERENCES
        }
        _ => MAX_PAGE,
    };
    if limit > max {
        return Err(ApiError::invalid(format!("pagingInfo.limit must be at most {max}")));
    }
    let after = match paging.cursor.and_then(|c| c.cursor) {
        Some(cursor::Cursor::Index(index)) => Some((index.sender_time_ns, index.digest)),
        None => None,
    };
    Ok(Query {
        topics: req.content_topics.clone(),
        start: req.start_time_ns,
        end: if req.end_time_ns == 0 { u64::MAX } else { req.end_time_ns },
        limit,
        ascending: paging.direction == SortDirection::Ascending as i32,
        after,
    })
}

/// A query's answer: a cursor to the last row only when the page is full.
fn page(q: &Query, rows: Vec<Row>) -> QueryResponse {
    let direction = if q.ascending { SortDirection::Ascending } else { SortDirection::Descending } as i32;
    let full_page = rows.len() == usize::try_from(q.limit).unwrap_or(usize::MAX);
    let paging = match rows.last() {
        Some(last) if full_page => PagingInfo {
            limit: q.limit,
            cursor: Some(Cursor {
                cursor: Some(cursor::Cursor::Index(IndexCursor {
                    digest: last.digest.clone(),
                    sender_time_ns: last.envelope.timestamp_ns,
                })),
            }),
            direction,
        },
        _ => PagingInfo { limit: 0, cursor: None, direction },
    };
    QueryResponse { envelopes: rows.into_iter().map(|r| r.envelope).collect(), paging_info: Some(paging) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_negotiation() {
        let mut h = HeaderMap::new();
        assert_eq!(formats(&h), (Format::Json, Format::Json));
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/x-protobuf"));
        assert_eq!(formats(&h), (Format::Proto, Format::Proto));
        h.insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        assert_eq!(formats(&h), (Format::Proto, Format::Json));
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain;charset=UTF-8"));
        h.insert(header::ACCEPT, HeaderValue::from_static("application/x-protobuf"));
        assert_eq!(formats(&h), (Format::Json, Format::Proto));
    }

    #[test]
    fn gzip_acceptance() {
        let mut h = HeaderMap::new();
        assert!(!accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate, br"));
        assert!(accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br, GZIP;q=0.5"));
        assert!(accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip;q=0, br"));
        assert!(!accepts_gzip(&h));
    }

    #[test]
    fn query_defaults_and_limits() {
        let q = |topics: &[&str], limit: u32| QueryRequest {
            content_topics: topics.iter().map(|s| s.to_string()).collect(),
            paging_info: Some(PagingInfo { limit, cursor: None, direction: 0 }),
            ..Default::default()
        };
        let v = validate_query(&q(&["/xmtp/0/m-a/proto"], 0)).unwrap();
        assert_eq!((v.limit, v.ascending, v.start, v.end), (100, false, 0, u64::MAX));
        assert!(validate_query(&q(&["/xmtp/0/m-a/proto"], 101)).is_err());
        assert!(validate_query(&q(&["/xmtp/0/userpreferences-x/proto"], 500)).is_ok());
        assert!(validate_query(&q(&["/xmtp/0/userpreferences-x/proto"], 501)).is_err());
        assert!(validate_query(&q(&["/xmtp/0/userpreferences-x/proto", "/xmtp/0/m-a/proto"], 101)).is_err());
        assert!(validate_query(&q(&[], 1)).is_err());
    }
}
