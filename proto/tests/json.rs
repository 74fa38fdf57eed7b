//! The JSON dialect of the message API's HTTP gateway (protobuf JSON mapping):
//! lowerCamelCase names, 64-bit integers as strings, bytes as base64, enums by
//! name.

use serde_json::json;
use xmtp_proto::message_api::v1::{
    cursor, BatchQueryRequest, Cursor, Envelope, IndexCursor, PagingInfo, PublishRequest, QueryRequest, QueryResponse,
    SortDirection,
};
use xmtp_proto::message_contents::{signature, Compression, ConsentProofPayloadVersion, EncodedContent, Signature};

fn envelope() -> Envelope {
    Envelope {
        content_topic: "/xmtp/0/contact-0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266/proto".into(),
        timestamp_ns: 1_700_000_000_000_000_000,
        // 0xfb 0xff 0xbf encodes to "+/+/" in standard base64, "-_-_" URL-safe.
        message: vec![0xfb, 0xff, 0xbf, 0x0a],
    }
}

#[test]
fn envelope_serializes_like_xmtp_js() {
    let text = serde_json::to_string(&envelope()).unwrap();
    assert_eq!(
        text,
        r#"{"contentTopic":"/xmtp/0/contact-0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266/proto","timestampNs":"1700000000000000000","message":"+/+/Cg=="}"#
    );
    let back: Envelope = serde_json::from_str(&text).unwrap();
    assert_eq!(back, envelope());
}

#[test]
fn int64_accepted_as_string_or_number() {
    let as_number: Envelope =
        serde_json::from_str(r#"{"contentTopic":"t","timestampNs":1700000000000000000,"message":"AQ=="}"#).unwrap();
    assert_eq!(as_number.timestamp_ns, 1_700_000_000_000_000_000);

    let max: Envelope = serde_json::from_str(r#"{"timestampNs":"18446744073709551615"}"#).unwrap();
    assert_eq!(max.timestamp_ns, u64::MAX);
    let max: Envelope = serde_json::from_str(r#"{"timestampNs":18446744073709551615}"#).unwrap();
    assert_eq!(max.timestamp_ns, u64::MAX);

    // Not accepted: negative, fractional or exponent forms, and out-of-range values.
    for bad in [
        r#"{"timestampNs":"-1"}"#,
        r#"{"timestampNs":-1}"#,
        r#"{"timestampNs":1.5}"#,
        r#"{"timestampNs":"1e3"}"#,
        r#"{"timestampNs":"18446744073709551616"}"#,
    ] {
        assert!(serde_json::from_str::<Envelope>(bad).is_err(), "{bad} parsed");
    }
}

#[test]
fn snake_case_names_accepted() {
    let env: Envelope = serde_json::from_str(r#"{"content_topic":"t","timestamp_ns":"7","message":"AQI="}"#).unwrap();
    assert_eq!(env, Envelope { content_topic: "t".into(), timestamp_ns: 7, message: vec![1, 2] });
}

#[test]
fn base64_variants_accepted() {
    let expected = envelope().message;
    for text in ["+/+/Cg==", "+/+/Cg", "-_-_Cg==", "-_-_Cg"] {
        let env: Envelope = serde_json::from_value(json!({ "message": text })).unwrap_or_else(|e| {
            panic!("{text}: {e}");
        });
        assert_eq!(env.message, expected, "{text}");
    }
    // Mixing the two alphabets is rejected, as is garbage.
    for text in ["+/-_Cg==", "not base64!"] {
        assert!(serde_json::from_value::<Envelope>(json!({ "message": text })).is_err(), "{text} parsed");
    }
}

#[test]
fn null_handling() {
    // null is "absent" for message-typed, optional and oneof fields ...
    let resp: QueryResponse = serde_json::from_str(
        r#"{"envelopes":[{"contentTopic":"t","timestampNs":"1700000000000000000","message":"CgQ="}],
            "pagingInfo":{"limit":0,"cursor":null,"direction":"SORT_DIRECTION_ASCENDING"}}"#,
    )
    .unwrap();
    assert_eq!(resp.envelopes.len(), 1);
    let paging = resp.paging_info.unwrap();
    assert_eq!(paging.cursor, None);
    assert_eq!(paging.direction(), SortDirection::Ascending);

    let content: EncodedContent = serde_json::from_str(r#"{"type":null,"fallback":null,"compression":null}"#).unwrap();
    assert_eq!(content, EncodedContent::default());
    let sig: Signature = serde_json::from_str(r#"{"ecdsaCompact":null}"#).unwrap();
    assert_eq!(sig.union, None);
    let req: QueryRequest = serde_json::from_str(r#"{"pagingInfo":null}"#).unwrap();
    assert_eq!(req, QueryRequest::default());

    // ... but an error for plain scalars, bytes, enums, repeated fields and maps.
    for bad in [r#"{"contentTopic":null}"#, r#"{"timestampNs":null}"#, r#"{"message":null}"#] {
        assert!(serde_json::from_str::<Envelope>(bad).is_err(), "{bad} parsed");
    }
    assert!(serde_json::from_str::<PagingInfo>(r#"{"direction":null}"#).is_err());
    assert!(serde_json::from_str::<PagingInfo>(r#"{"limit":null}"#).is_err());
    assert!(serde_json::from_str::<QueryResponse>(r#"{"envelopes":null}"#).is_err());
    assert!(serde_json::from_str::<EncodedContent>(r#"{"parameters":null}"#).is_err());
}

#[test]
fn unknown_json_fields_ignored() {
    let env: Envelope = serde_json::from_str(r#"{"contentTopic":"t","somethingNew":{"a":[1,2]},"x":null}"#).unwrap();
    assert_eq!(env.content_topic, "t");
}

#[test]
fn query_request_uses_enum_names() {
    let req = QueryRequest {
        content_topics: vec!["/xmtp/0/invite-0xabc/proto".into()],
        start_time_ns: 1_700_000_000_000_000_000,
        end_time_ns: 0,
        paging_info: Some(PagingInfo { limit: 100, cursor: None, direction: SortDirection::Descending as i32 }),
    };
    let value = serde_json::to_value(&req).unwrap();
    assert_eq!(
        value,
        json!({
            "contentTopics": ["/xmtp/0/invite-0xabc/proto"],
            "startTimeNs": "1700000000000000000",
            "pagingInfo": { "limit": 100, "direction": "SORT_DIRECTION_DESCENDING" }
        })
    );
    let back: QueryRequest = serde_json::from_value(value).unwrap();
    assert_eq!(back, req);

    // The enum is also accepted as its number.
    let by_number: PagingInfo = serde_json::from_str(r#"{"direction":2}"#).unwrap();
    assert_eq!(by_number.direction(), SortDirection::Descending);
    assert!(serde_json::from_str::<PagingInfo>(r#"{"direction":"DESCENDING"}"#).is_err());
}

#[test]
fn defaults_are_omitted() {
    assert_eq!(serde_json::to_string(&Envelope::default()).unwrap(), "{}");
    assert_eq!(serde_json::to_string(&PagingInfo::default()).unwrap(), "{}");
    assert_eq!(serde_json::to_string(&PublishRequest::default()).unwrap(), "{}");
}

#[test]
fn cursor_and_batch_query_roundtrip() {
    let cursor = Cursor {
        cursor: Some(cursor::Cursor::Index(IndexCursor {
            digest: vec![0xab; 32],
            sender_time_ns: 1_700_000_000_123_000_000,
        })),
    };
    let paging = PagingInfo { limit: 100, cursor: Some(cursor), direction: SortDirection::Ascending as i32 };
    let batch = BatchQueryRequest {
        requests: vec![QueryRequest {
            content_topics: vec!["a".into(), "b".into()],
            paging_info: Some(paging),
            ..Default::default()
        }],
    };
    let value = serde_json::to_value(&batch).unwrap();
    let index = &value["requests"][0]["pagingInfo"]["cursor"]["index"];
    assert_eq!(index["senderTimeNs"], json!("1700000000123000000"));
    assert_eq!(index["digest"], json!("q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s="));
    assert_eq!(value["requests"][0]["pagingInfo"]["direction"], json!("SORT_DIRECTION_ASCENDING"));
    let back: BatchQueryRequest = serde_json::from_value(value).unwrap();
    assert_eq!(back, batch);
}

#[test]
fn oneof_json_shape() {
    let sig = Signature {
        union: Some(signature::Union::WalletEcdsaCompact(signature::WalletEcdsaCompact {
            bytes: vec![1, 2, 3],
            recovery: 1,
        })),
    };
    let value = serde_json::to_value(&sig).unwrap();
    assert_eq!(value, json!({ "walletEcdsaCompact": { "bytes": "AQID", "recovery": 1 } }));
    assert_eq!(serde_json::from_value::<Signature>(value).unwrap(), sig);
}

#[test]
fn enum_values_and_names() {
    assert_eq!(SortDirection::Unspecified as i32, 0);
    assert_eq!(SortDirection::Ascending as i32, 1);
    assert_eq!(SortDirection::Descending as i32, 2);
    assert_eq!(SortDirection::Descending.as_str_name(), "SORT_DIRECTION_DESCENDING");
    assert_eq!(SortDirection::from_str_name("SORT_DIRECTION_ASCENDING"), Some(SortDirection::Ascending));
    assert_eq!(SortDirection::try_from(2), Ok(SortDirection::Descending));
    assert!(SortDirection::try_from(3).is_err());

    assert_eq!(Compression::Deflate as i32, 0);
    assert_eq!(Compression::Gzip as i32, 1);
    assert_eq!(Compression::Gzip.as_str_name(), "COMPRESSION_GZIP");

    assert_eq!(ConsentProofPayloadVersion::Unspecified as i32, 0);
    assert_eq!(ConsentProofPayloadVersion::ConsentProofPayloadVersion1 as i32, 1);
    assert_eq!(
        ConsentProofPayloadVersion::ConsentProofPayloadVersion1.as_str_name(),
        "CONSENT_PROOF_PAYLOAD_VERSION_1"
    );

    // Explicit presence survives JSON: DEFLATE is written, absent is omitted.
    let deflate = EncodedContent { compression: Some(Compression::Deflate as i32), ..Default::default() };
    let text = serde_json::to_string(&deflate).unwrap();
    assert_eq!(text, r#"{"compression":"COMPRESSION_DEFLATE"}"#);
    assert_eq!(serde_json::from_str::<EncodedContent>(&text).unwrap(), deflate);
}
