//! Request decoding and response encoding in the gateway's two dialects: protobuf JSON (any
//! Content-Type) and binary protobuf (`application/x-protobuf`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use bytes::Bytes;
use prost::Message as _;
use serde_json::{json, Map, Value};
use xmtp_core::api;
use xmtp_proto::message_api::v1::{
    cursor, BatchQueryRequest, Envelope, PagingInfo, PublishRequest, QueryRequest, QueryResponse, SortDirection,
    SubscribeAllRequest, SubscribeRequest,
};

use crate::status::ApiError;

/// How a body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Protobuf JSON (grpc-gateway's default marshaler).
    Json,
    /// Binary protobuf.
    Proto,
}

impl Format {
    /// The `Content-Type` of a response in this format.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Proto => "application/x-protobuf",
        }
    }
}

/// The JSON value of a request body; an empty body is `{}`. `null` members are removed (protojson
/// treats them as absent; the generated deserializers would refuse them).
fn json_body(body: &[u8]) -> Result<Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    let mut value: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::invalid(format!("malformed JSON in request body: {e}")))?;
    strip_nulls(&mut value);
    if !value.is_object() {
        return Err(ApiError::invalid("request body must be a JSON object"));
    }
    Ok(value)
}

fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

/// Make a deserializer error readable: the generated code reports base64 failures bare.
fn describe(what: &str, e: &serde_json::Error) -> ApiError {
    let text = e.to_string();
    let base64 = ["Invalid symbol", "Invalid padding", "Invalid input length", "Invalid last symbol"]
        .iter()
        .any(|s| text.contains(s));
    if base64 {
        ApiError::invalid(format!("invalid {what}: malformed base64 ({text})"))
    } else if text.contains("untagged enum") {
        // The generated number readers accept a JSON integer or a decimal string; their own
        // message names an internal type.
        ApiError::invalid(format!(
            "invalid {what}: a number field holds neither an integer in range nor a decimal string"
        ))
    } else {
        ApiError::invalid(format!("invalid {what}: {}", text.replace("expected expected", "expected")))
    }
}

fn from_json<T: serde::de::DeserializeOwned>(body: &[u8], what: &str) -> Result<T, ApiError> {
    serde_json::from_value(json_body(body)?).map_err(|e| describe(what, &e))
}

fn from_proto<T: prost::Message + Default>(body: &[u8], what: &str) -> Result<T, ApiError> {
    T::decode(body).map_err(|e| ApiError::invalid(format!("malformed protobuf {what}: {e}")))
}

/// A `PublishRequest`. JSON envelopes are read with the core's tolerant envelope parser
/// (camelCase or snake_case, numbers or strings, any base64), one error naming the envelope.
pub(crate) fn publish_request(body: &[u8], format: Format) -> Result<PublishRequest, ApiError> {
    if format == Format::Proto {
        return from_proto(body, "PublishRequest");
    }
    let value = json_body(body)?;
    let envelopes = match value.get("envelopes") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                api::envelope_from_json(item).map_err(|e| ApiError::invalid(format!("envelopes[{i}]: {e}")))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(ApiError::invalid("invalid PublishRequest: envelopes must be an array")),
    };
    Ok(PublishRequest { envelopes })
}

/// A `QueryRequest`.
pub(crate) fn query_request(body: &[u8], format: Format) -> Result<QueryRequest, ApiError> {
    match format {
        Format::Proto => from_proto(body, "QueryRequest"),
        Format::Json => from_json(body, "QueryRequest"),
    }
}

/// A `BatchQueryRequest`.
pub(crate) fn batch_query_request(body: &[u8], format: Format) -> Result<BatchQueryRequest, ApiError> {
    match format {
        Format::Proto => from_proto(body, "BatchQueryRequest"),
        Format::Json => from_json(body, "BatchQueryRequest"),
    }
}

/// A `SubscribeRequest`.
pub(crate) fn subscribe_request(body: &[u8], format: Format) -> Result<SubscribeRequest, ApiError> {
    match format {
        Format::Proto => from_proto(body, "SubscribeRequest"),
        Format::Json => from_json(body, "SubscribeRequest"),
    }
}

/// A `SubscribeAllRequest` (empty; only its well-formedness is checked).
pub(crate) fn subscribe_all_request(body: &[u8], format: Format) -> Result<SubscribeAllRequest, ApiError> {
    match format {
        Format::Proto => from_proto(body, "SubscribeAllRequest"),
        Format::Json => from_json(body, "SubscribeAllRequest"),
    }
}

fn paging_json(p: &PagingInfo) -> Value {
    let cursor = match p.cursor.as_ref().and_then(|c| c.cursor.as_ref()) {
        Some(cursor::Cursor::Index(index)) => json!({
            "index": {
                "digest": STANDARD.encode(&index.digest),
                "senderTimeNs": index.sender_time_ns.to_string(),
            }
        }),
        None => Value::Null,
    };
    let direction = SortDirection::try_from(p.direction).unwrap_or(SortDirection::Unspecified).as_str_name();
    json!({ "limit": p.limit, "cursor": cursor, "direction": direction })
}

fn query_response_json(r: &QueryResponse) -> Value {
    let envelopes: Vec<Value> = r.envelopes.iter().map(api::envelope_to_json).collect();
    let paging = r.paging_info.as_ref().map(paging_json).unwrap_or(Value::Null);
    json!({ "envelopes": envelopes, "pagingInfo": paging })
}

/// A `QueryResponse`, every field present as the gateway emits it.
pub(crate) fn query_response(r: &QueryResponse, format: Format) -> Bytes {
    match format {
        Format::Proto => Bytes::from(r.encode_to_vec()),
        Format::Json => Bytes::from(query_response_json(r).to_string()),
    }
}

/// A `BatchQueryResponse`.
pub(crate) fn batch_query_response(responses: &[QueryResponse], format: Format) -> Bytes {
    match format {
        Format::Proto => Bytes::from(
            xmtp_proto::message_api::v1::BatchQueryResponse { responses: responses.to_vec() }.encode_to_vec(),
        ),
        Format::Json => {
            let items: Vec<Value> = responses.iter().map(query_response_json).collect();
            Bytes::from(json!({ "responses": items }).to_string())
        }
    }
}

/// An empty `PublishResponse`.
pub(crate) fn publish_response(format: Format) -> Bytes {
    match format {
        Format::Proto => Bytes::new(),
        Format::Json => Bytes::from_static(b"{}"),
    }
}

/// One stream line: `{"result": <envelope>}` and a newline.
pub(crate) fn stream_line(e: &Envelope) -> Bytes {
    let mut line = json!({ "result": api::envelope_to_json(e) }).to_string();
    line.push('\n');
    Bytes::from(line)
}

/// The stream line that reports an error and ends a stream.
pub(crate) fn stream_error_line(e: &ApiError) -> Bytes {
    let mut line = json!({ "error": e.to_json() }).to_string();
    line.push('\n');
    Bytes::from(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserializer_errors_read_clearly() {
        let e = from_json::<QueryRequest>(br#"{"startTimeNs":-5}"#, "QueryRequest").unwrap_err();
        assert!(e.message.contains("neither an integer in range nor a decimal string"), "{}", e.message);
        let e = from_json::<QueryRequest>(br#"{"pagingInfo":{"direction":7}}"#, "QueryRequest").unwrap_err();
        assert!(!e.message.contains("expected expected") && e.message.contains("expected one of"), "{}", e.message);
    }

    #[test]
    fn nulls_are_absent_and_names_are_tolerant() {
        let q = query_request(
            br#"{"content_topics":["/xmtp/0/m-a/proto"],"startTimeNs":null,"end_time_ns":7,
                "pagingInfo":{"limit":5,"cursor":{"index":{"digest":"-_8","sender_time_ns":"9"}},"direction":1}}"#,
            Format::Json,
        )
        .unwrap();
        assert_eq!(q.content_topics, vec!["/xmtp/0/m-a/proto".to_string()]);
        assert_eq!((q.start_time_ns, q.end_time_ns), (0, 7));
        let p = q.paging_info.unwrap();
        assert_eq!((p.limit, p.direction), (5, SortDirection::Ascending as i32));
        let Some(cursor::Cursor::Index(i)) = p.cursor.unwrap().cursor else { panic!("cursor") };
        assert_eq!((i.digest, i.sender_time_ns), (vec![0xfb, 0xff], 9));
        assert!(query_request(b"", Format::Json).unwrap().content_topics.is_empty());
        assert!(query_request(b"{\"pagingInfo\":null}", Format::Json).is_ok());
    }

    #[test]
    fn clear_errors() {
        let e = query_request(b"{not json", Format::Json).unwrap_err();
        assert!(e.message.contains("malformed JSON"), "{}", e.message);
        let e = query_request(br#"{"pagingInfo":{"cursor":{"index":{"digest":"%%"}}}}"#, Format::Json).unwrap_err();
        assert!(e.message.contains("base64"), "{}", e.message);
        let e = publish_request(br#"{"envelopes":[{"contentTopic":"t","message":"%%"}]}"#, Format::Json).unwrap_err();
        assert!(e.message.contains("envelopes[0]") && e.message.contains("base64"), "{}", e.message);
        assert!(query_request(b"[]", Format::Json).is_err());
        assert!(query_request(b"\x01\x02", Format::Proto).is_err());
    }

    #[test]
    fn query_response_shape() {
        let r = QueryResponse {
            envelopes: vec![Envelope { content_topic: "t".into(), timestamp_ns: u64::MAX, message: vec![0xfb, 0xff] }],
            paging_info: Some(PagingInfo { limit: 0, cursor: None, direction: SortDirection::Descending as i32 }),
        };
        let v: Value = serde_json::from_slice(&query_response(&r, Format::Json)).unwrap();
        assert_eq!(
            v,
            json!({"envelopes":[{"contentTopic":"t","timestampNs":"18446744073709551615","message":"+/8="}],
                   "pagingInfo":{"limit":0,"cursor":null,"direction":"SORT_DIRECTION_DESCENDING"}})
        );
    }
}
