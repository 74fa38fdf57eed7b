//! The message API as data (facts §2): envelopes in the HTTP JSON dialect of the gateway, and
//! (in [`http`]) the requests, limits, environments and error mapping of its HTTP form.
//!
//! Parsing is tolerant: camelCase or snake_case names; 64-bit integers as strings or numbers;
//! `null`, missing, `0` and `""` mean absent; base64 standard or URL-safe, padded or not.

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde_json::Value;
use xmtp_proto::message_api::v1::Envelope;

use crate::error::DecodeError;

pub mod http;

pub use http::{
    parse_batch_response, parse_query_response, parse_stream_line, query, ApiError, Environment, ErrorAction, Page,
    Request, RequestId, RequestKind,
};

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Decode base64 in any of the four common forms (standard/URL-safe, padded/unpadded).
pub fn decode_base64(s: &str) -> Result<Vec<u8>, DecodeError> {
    let s = s.trim();
    STANDARD_LENIENT.decode(s).or_else(|_| URL_SAFE_LENIENT.decode(s)).map_err(|_| DecodeError::Malformed("base64"))
}

fn field<'a>(obj: &'a Value, camel: &str, snake: &str) -> Option<&'a Value> {
    obj.get(camel).or_else(|| obj.get(snake)).filter(|v| !v.is_null())
}

/// A 64-bit unsigned integer given as a JSON number or decimal string; absent → 0.
pub fn json_u64(v: Option<&Value>, what: &'static str) -> Result<u64, DecodeError> {
    match v {
        None => Ok(0),
        Some(Value::Number(n)) => n.as_u64().ok_or(DecodeError::Invalid(what)),
        Some(Value::String(s)) if s.is_empty() => Ok(0),
        Some(Value::String(s)) => s.parse().map_err(|_| DecodeError::Invalid(what)),
        Some(_) => Err(DecodeError::Invalid(what)),
    }
}

/// One envelope from its JSON object `{"contentTopic", "timestampNs", "message"}`.
pub fn envelope_from_json(v: &Value) -> Result<Envelope, DecodeError> {
    if !v.is_object() {
        return Err(DecodeError::Malformed("envelope"));
    }
    let content_topic = match field(v, "contentTopic", "content_topic") {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(DecodeError::Invalid("contentTopic")),
    };
    let timestamp_ns = json_u64(field(v, "timestampNs", "timestamp_ns"), "timestampNs")?;
    let message = match field(v, "message", "message") {
        None => Vec::new(),
        Some(Value::String(s)) => decode_base64(s)?,
        Some(_) => return Err(DecodeError::Invalid("message")),
    };
    Ok(Envelope { content_topic, timestamp_ns, message })
}

/// The JSON object of an envelope, as the gateway writes it.
pub fn envelope_to_json(e: &Envelope) -> Value {
    serde_json::json!({
        "contentTopic": e.content_topic,
        "timestampNs": e.timestamp_ns.to_string(),
        "message": base64::engine::general_purpose::STANDARD.encode(&e.message),
    })
}

/// Read a list of envelopes: a JSON array, JSON lines (one object per line), a query response
/// `{"envelopes": [...]}`, or stream lines `{"result": envelope}`. Each item is parsed on its
/// own, so one bad item does not hide the others.
pub fn envelopes_from_json(text: &str) -> Result<Vec<Result<Envelope, DecodeError>>, DecodeError> {
    let items: Vec<Value> = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items,
        Ok(Value::Object(o)) if o.contains_key("envelopes") => match o.get("envelopes") {
            Some(Value::Array(items)) => items.clone(),
            _ => Vec::new(),
        },
        Ok(v @ Value::Object(_)) => vec![v],
        Ok(_) => return Err(DecodeError::Malformed("envelope list")),
        Err(_) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).map_err(|_| DecodeError::Malformed("envelope list")))
            .collect::<Result<_, _>>()?,
    };
    Ok(items
        .iter()
        .map(|item| match item.get("result") {
            Some(inner) if item.get("contentTopic").is_none() => envelope_from_json(inner),
            _ => envelope_from_json(item),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerant_envelope_parsing() {
        let forms = [
            r#"[{"contentTopic":"/xmtp/0/m-a/proto","timestampNs":"5","message":"+/8="}]"#,
            r#"{"content_topic":"/xmtp/0/m-a/proto","timestamp_ns":5,"message":"-_8"}"#,
            "{\"result\":{\"contentTopic\":\"/xmtp/0/m-a/proto\",\"timestampNs\":\"5\",\"message\":\"+/8\"}}\n",
            r#"{"envelopes":[{"contentTopic":"/xmtp/0/m-a/proto","timestampNs":"5","message":"-_8="}]}"#,
        ];
        for f in forms {
            let e = envelopes_from_json(f).unwrap().remove(0).unwrap();
            assert_eq!(e.content_topic, "/xmtp/0/m-a/proto", "{f}");
            assert_eq!(e.timestamp_ns, 5);
            assert_eq!(e.message, vec![0xfb, 0xff]);
        }
        let e =
            envelope_from_json(&serde_json::json!({"contentTopic": null, "timestampNs": null, "message": ""})).unwrap();
        assert_eq!((e.content_topic.as_str(), e.timestamp_ns, e.message.len()), ("", 0, 0));
        assert!(envelope_from_json(&serde_json::json!({"timestampNs": "-1"})).is_err());
        assert!(envelope_from_json(&serde_json::json!({"message": "%%"})).is_err());
        assert!(envelopes_from_json("not json").is_err());
    }
}
