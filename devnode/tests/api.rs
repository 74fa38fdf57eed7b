//! The HTTP API, rule by rule, on a node in memory on a loopback port.

mod common;

use std::collections::HashSet;
use std::io::Read as _;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use common::*;
use prost::Message as _;
use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};
use xmtp_core::topic;
use xmtp_devnode::{Bucket, RateLimits, Storage, MAX_MESSAGE_BYTES};
use xmtp_proto::message_api::v1 as pb;

const T: &str = "/xmtp/0/m-0123456789abcdef/proto";

fn digest(topic: &str, message: &[u8]) -> [u8; 32] {
    Sha256::new().chain_update(topic.as_bytes()).chain_update(message).finalize().into()
}

fn messages(envelopes: &[Value]) -> Vec<Vec<u8>> {
    envelopes.iter().map(|e| STANDARD.decode(e["message"].as_str().unwrap()).unwrap()).collect()
}

#[test]
fn json_dialect_in_and_out() {
    let node = start(|_| {});
    let (a, url) = (agent(), node.url());
    // xmtp-js: text/plain, camelCase, u64 as strings, standard padded base64.
    let r = publish(&a, &url, &[env(T, 1_700_000_000_000_000_001, &[0xfb, 0xff, 0x00])], None);
    assert_eq!((r.status, r.json()), (200, json!({})));
    assert_eq!(r.header("content-type"), Some("application/json"));
    // snake_case names, numbers for u64, URL-safe unpadded base64, no Content-Type at all.
    let body = json!({"envelopes": [{"content_topic": T, "timestamp_ns": 2, "message": URL_SAFE_NO_PAD.encode([0xfb, 0xef])}]});
    let r = post_raw(&a, &url, "/message/v1/publish", body.to_string().as_bytes(), &[]);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    // application/json works as well.
    let body = json!({"envelopes": [env(T, 3, b"three")]}).to_string();
    let r = post_raw(&a, &url, "/message/v1/publish", body.as_bytes(), &[("Content-Type", "application/json")]);
    assert_eq!(r.status, 200);

    // Query with snake_case and nulls (protojson treats null as absent).
    let page = query(
        &a,
        &url,
        &json!({"content_topics": [T], "start_time_ns": null, "end_time_ns": null,
                "paging_info": {"limit": null, "cursor": null, "direction": "SORT_DIRECTION_ASCENDING"}}),
    );
    assert_eq!(
        page,
        json!({
            "envelopes": [
                {"contentTopic": T, "timestampNs": "2", "message": STANDARD.encode([0xfb, 0xef])},
                {"contentTopic": T, "timestampNs": "3", "message": STANDARD.encode(b"three")},
                {"contentTopic": T, "timestampNs": "1700000000000000001", "message": "+/8A"},
            ],
            "pagingInfo": {"limit": 0, "cursor": null, "direction": "SORT_DIRECTION_ASCENDING"}
        })
    );
    // Enum as a number; u64 as a number.
    let page = query(&a, &url, &json!({"contentTopics": [T], "startTimeNs": 3, "pagingInfo": {"direction": 1}}));
    assert_eq!(page["envelopes"].as_array().unwrap().len(), 2);
}

#[test]
fn malformed_requests_are_400_with_a_clear_message() {
    let node = start(|c| c.max_body_bytes = 4096);
    let (a, url) = (agent(), node.url());
    for path in ["/message/v1/publish", "/message/v1/query", "/message/v1/batch-query", "/message/v1/subscribe"] {
        let m = post(&a, &url, path, "{\"contentTopics\": [").expect_error(400, 3);
        assert!(m.contains("malformed JSON"), "{path}: {m}");
    }
    let m = publish(&a, &url, &[json!({"contentTopic": T, "message": "not base64!"})], None).expect_error(400, 3);
    assert!(m.contains("envelopes[0]") && m.contains("base64"), "{m}");
    let m = publish(&a, &url, &[json!({"contentTopic": T, "timestampNs": "-1"})], None).expect_error(400, 3);
    assert!(m.contains("timestampNs"), "{m}");
    let m = post(&a, &url, "/message/v1/publish", "{\"envelopes\": 5}").expect_error(400, 3);
    assert!(m.contains("envelopes"), "{m}");
    let m = post(
        &a,
        &url,
        "/message/v1/query",
        &json!({"contentTopics": [T], "pagingInfo": {"cursor": {"index": {"digest": "***"}}}}).to_string(),
    )
    .expect_error(400, 3);
    assert!(m.contains("base64"), "{m}");
    let m = post(&a, &url, "/message/v1/query", "[1, 2]").expect_error(400, 3);
    assert!(m.contains("object"), "{m}");
    let m = post(&a, &url, "/message/v1/query", &"x".repeat(5000)).expect_error(400, 3);
    assert!(m.contains("larger than 4096"), "{m}");
    // Routing errors, as the gateway reports them.
    post(&a, &url, "/message/v1/nope", "{}").expect_error(404, 5);
    let r = a.get(format!("{url}/message/v1/query")).call().unwrap();
    assert_eq!(r.status().as_u16(), 405);
}

#[test]
fn duplicates_are_stored_once() {
    let node = start(|_| {});
    let (a, url) = (agent(), node.url());
    let mut stream = subscribe(&url, "/message/v1/subscribe", &json!({"contentTopics": [T]}), Duration::from_secs(2));
    assert_eq!(publish(&a, &url, &[env(T, 5, b"same"), env(T, 5, b"same")], None).status, 200);
    // Same topic and message, another timestamp: still the same row id.
    assert_eq!(publish(&a, &url, &[env(T, 9, b"same")], None).status, 200);
    // Same message on another topic is another row.
    let other = "/xmtp/0/m-other/proto";
    assert_eq!(publish(&a, &url, &[env(other, 5, b"same")], None).status, 200);
    assert_eq!(publish(&a, &url, &[env(T, 6, b"next")], None).status, 200);
    let (all, _) = query_all(&a, &url, &[T], "SORT_DIRECTION_ASCENDING", 100);
    assert_eq!(all, vec![env(T, 5, b"same"), env(T, 6, b"next")]);
    assert_eq!(node.stored_envelopes().unwrap(), 3);
    // Relayed once as well.
    assert_eq!(stream.next(), Some(json!({"result": env(T, 5, b"same")})));
    assert_eq!(stream.next(), Some(json!({"result": env(T, 6, b"next")})));
}

#[test]
fn order_direction_limits_and_time_bounds() {
    let node = start(|_| {});
    let (a, url) = (agent(), node.url());
    // 150 envelopes: timestamps 0..50 three times each (ties broken by digest).
    let envelopes: Vec<Value> = (0..150u64).map(|i| env(T, i % 50, format!("m{i}").as_bytes())).collect();
    for chunk in envelopes.chunks(40) {
        assert_eq!(publish(&a, &url, chunk, None).status, 200);
    }
    let mut expected: Vec<(u64, [u8; 32], Value)> = envelopes
        .iter()
        .map(|e| {
            let m = STANDARD.decode(e["message"].as_str().unwrap()).unwrap();
            (e["timestampNs"].as_str().unwrap().parse().unwrap(), digest(T, &m), e.clone())
        })
        .collect();
    expected.sort_by_key(|x| (x.0, x.1));
    let ascending: Vec<Value> = expected.iter().map(|x| x.2.clone()).collect();
    let descending: Vec<Value> = ascending.iter().rev().cloned().collect();

    // Unspecified direction is descending; limit 0 is 100, and a full page has a cursor.
    let page = query(&a, &url, &json!({"contentTopics": [T]}));
    assert_eq!(page["envelopes"].as_array().unwrap()[..], descending[..100]);
    assert_eq!(page["pagingInfo"]["limit"], json!(100));
    assert_eq!(page["pagingInfo"]["direction"], json!("SORT_DIRECTION_DESCENDING"));
    let last = &expected[50];
    assert_eq!(
        page["pagingInfo"]["cursor"],
        json!({"index": {"digest": STANDARD.encode(last.1), "senderTimeNs": last.0.to_string()}})
    );
    let page = query(&a, &url, &json!({"contentTopics": [T], "pagingInfo": {"limit": 0, "direction": 0}}));
    assert_eq!(page["envelopes"].as_array().unwrap().len(), 100);

    // Limits: more than 100 is refused...
    let m =
        post(&a, &url, "/message/v1/query", &json!({"contentTopics": [T], "pagingInfo": {"limit": 101}}).to_string())
            .expect_error(400, 3);
    assert!(m.contains("100"), "{m}");
    // ...except up to 500 on one userpreferences- topic.
    let prefs = topic::user_preferences("abcdef");
    assert_eq!(publish(&a, &url, &[env(&prefs, 1, b"p")], None).status, 200);
    let page = query(&a, &url, &json!({"contentTopics": [prefs], "pagingInfo": {"limit": 500}}));
    assert_eq!(page["envelopes"].as_array().unwrap().len(), 1);
    post(&a, &url, "/message/v1/query", &json!({"contentTopics": [prefs], "pagingInfo": {"limit": 501}}).to_string())
        .expect_error(400, 3);
    post(
        &a,
        &url,
        "/message/v1/query",
        &json!({"contentTopics": [prefs, T], "pagingInfo": {"limit": 101}}).to_string(),
    )
    .expect_error(400, 3);

    // Inclusive time bounds, 0 = unbounded.
    let ts = |v: &Value| -> Vec<u64> {
        v["envelopes"].as_array().unwrap().iter().map(|e| e["timestampNs"].as_str().unwrap().parse().unwrap()).collect()
    };
    let page = query(
        &a,
        &url,
        &json!({"contentTopics": [T], "startTimeNs": "10", "endTimeNs": "12", "pagingInfo": {"direction": "SORT_DIRECTION_ASCENDING"}}),
    );
    assert_eq!(ts(&page), vec![10, 10, 10, 11, 11, 11, 12, 12, 12]);
    let page = query(&a, &url, &json!({"contentTopics": [T], "startTimeNs": "48", "pagingInfo": {"direction": 1}}));
    assert_eq!(ts(&page), vec![48, 48, 48, 49, 49, 49]);
    let page = query(&a, &url, &json!({"contentTopics": [T], "endTimeNs": "1", "pagingInfo": {"direction": 2}}));
    assert_eq!(ts(&page), vec![1, 1, 1, 0, 0, 0]);
    let page = query(&a, &url, &json!({"contentTopics": [T], "startTimeNs": "13", "endTimeNs": "12"}));
    assert_eq!(ts(&page), Vec::<u64>::new());

    // Several topics in one query merge in order.
    let page = query(
        &a,
        &url,
        &json!({"contentTopics": [T, prefs, "/xmtp/0/m-none/proto"], "endTimeNs": "1", "pagingInfo": {"direction": 1}}),
    );
    assert_eq!(ts(&page), vec![0, 0, 0, 1, 1, 1, 1]);
}

#[test]
fn paging_with_cursors() {
    let node = start(|_| {});
    let (a, url) = (agent(), node.url());
    let envelopes: Vec<Value> = (0..60u64).map(|i| env(T, 1000 + i / 4, format!("p{i}").as_bytes())).collect();
    assert_eq!(publish(&a, &url, &envelopes, None).status, 200);
    let mut sorted = envelopes.clone();
    sorted.sort_by_key(|e| {
        let m = STANDARD.decode(e["message"].as_str().unwrap()).unwrap();
        (e["timestampNs"].as_str().unwrap().parse::<u64>().unwrap(), digest(T, &m))
    });
    for limit in [1u32, 7, 20, 30, 59, 60, 61, 100] {
        let (asc, pages) = query_all(&a, &url, &[T], "SORT_DIRECTION_ASCENDING", limit);
        assert_eq!(asc, sorted, "ascending, limit {limit}");
        // A cursor only on full pages: an exact multiple needs one more (empty) page.
        let full = 60usize.div_ceil(limit as usize);
        let expected_pages = if 60 % limit as usize == 0 { full + 1 } else { full };
        assert_eq!(pages, expected_pages, "limit {limit}");
        let (desc, _) = query_all(&a, &url, &[T], "SORT_DIRECTION_DESCENDING", limit);
        assert_eq!(desc, sorted.iter().rev().cloned().collect::<Vec<_>>(), "descending, limit {limit}");
    }
    // The last page of an exact multiple: empty, no cursor, limit 0.
    let (_, _) = query_all(&a, &url, &[T], "SORT_DIRECTION_ASCENDING", 30);
    let last = &sorted[59];
    let m = STANDARD.decode(last["message"].as_str().unwrap()).unwrap();
    let cursor = json!({"index": {"digest": STANDARD.encode(digest(T, &m)), "senderTimeNs": last["timestampNs"]}});
    let page =
        query(&a, &url, &json!({"contentTopics": [T], "pagingInfo": {"limit": 30, "direction": 1, "cursor": cursor}}));
    assert_eq!(page["envelopes"], json!([]));
    assert_eq!(page["pagingInfo"], json!({"limit": 0, "cursor": null, "direction": "SORT_DIRECTION_ASCENDING"}));
    // snake_case cursor.
    let first = &sorted[0];
    let m = STANDARD.decode(first["message"].as_str().unwrap()).unwrap();
    let page = query(
        &a,
        &url,
        &json!({"content_topics": [T], "paging_info": {"limit": 2, "direction": 1,
                "cursor": {"index": {"digest": URL_SAFE_NO_PAD.encode(digest(T, &m)), "sender_time_ns": first["timestampNs"]}}}}),
    );
    assert_eq!(page["envelopes"].as_array().unwrap()[..], sorted[1..3]);
}

#[test]
fn topics_are_required() {
    let node = start(|_| {});
    let (a, url) = (agent(), node.url());
    for (path, body) in [
        ("/message/v1/query", json!({})),
        ("/message/v1/query", json!({"contentTopics": []})),
        ("/message/v1/batch-query", json!({"requests": [{"contentTopics": [T]}, {}]})),
        ("/message/v1/subscribe", json!({"contentTopics": []})),
        ("/message/v1/subscribe", json!({})),
    ] {
        let m = post(&a, &url, path, &body.to_string()).expect_error(400, 3);
        assert!(m.contains("at least one content topic"), "{path}: {m}");
    }
}

#[test]
fn batch_query() {
    let node = start(|_| {});
    let (a, url) = (agent(), node.url());
    let topics: Vec<String> = (0..50).map(|i| format!("/xmtp/0/m-batch{i}/proto")).collect();
    let envelopes: Vec<Value> = topics.iter().enumerate().map(|(i, t)| env(t, i as u64, t.as_bytes())).collect();
    assert_eq!(publish(&a, &url, &envelopes, None).status, 200);
    let requests: Vec<Value> = topics.iter().rev().map(|t| json!({"contentTopics": [t]})).collect();
    let r = post(&a, &url, "/message/v1/batch-query", &json!({"requests": requests}).to_string());
    assert_eq!(r.status, 200);
    let responses = r.json()["responses"].as_array().unwrap().clone();
    assert_eq!(responses.len(), 50);
    for (resp, t) in responses.iter().zip(topics.iter().rev()) {
        assert_eq!(resp["envelopes"].as_array().unwrap().len(), 1);
        assert_eq!(resp["envelopes"][0]["contentTopic"], json!(t), "responses in request order");
    }
    let too_many: Vec<Value> = (0..51).map(|_| json!({"contentTopics": [T]})).collect();
    let m = post(&a, &url, "/message/v1/batch-query", &json!({"requests": too_many}).to_string()).expect_error(400, 3);
    assert!(m.contains("50"), "{m}");
    let m = post(
        &a,
        &url,
        "/message/v1/batch-query",
        &json!({"requests": [{"contentTopics": [T]}, {"contentTopics": [T], "pagingInfo": {"limit": 101}}]})
            .to_string(),
    )
    .expect_error(400, 3);
    assert!(m.starts_with("requests[1]"), "{m}");
    let r = post(&a, &url, "/message/v1/batch-query", "{}");
    assert_eq!((r.status, r.json()), (200, json!({"responses": []})));
}

#[test]
fn ephemeral_topics_are_relayed_not_stored() {
    let node = start(|_| {});
    let (a, url) = (agent(), node.url());
    let m_eph = topic::ephemeral(T);
    let dm_eph = "/xmtp/0/dmE-0xA-0xB/proto";
    let mut stream =
        subscribe(&url, "/message/v1/subscribe", &json!({"contentTopics": [m_eph, dm_eph]}), Duration::from_secs(2));
    assert_eq!(publish(&a, &url, &[env(&m_eph, 1, b"typing"), env(dm_eph, 2, b"x")], None).status, 200);
    // Ephemeral envelopes are never deduplicated either.
    assert_eq!(publish(&a, &url, &[env(&m_eph, 1, b"typing")], None).status, 200);
    assert_eq!(stream.next(), Some(json!({"result": env(&m_eph, 1, b"typing")})));
    assert_eq!(stream.next(), Some(json!({"result": env(dm_eph, 2, b"x")})));
    assert_eq!(stream.next(), Some(json!({"result": env(&m_eph, 1, b"typing")})));
    let page = query(&a, &url, &json!({"contentTopics": [m_eph, dm_eph]}));
    assert_eq!(page["envelopes"], json!([]));
    assert_eq!(node.stored_envelopes().unwrap(), 0);
}

#[test]
fn size_limits() {
    let node = start(|_| {});
    let (a, url) = (agent(), node.url());
    let prefix = "/xmtp/0/m-";
    let suffix = "/proto";
    let t300 = format!("{prefix}{}{suffix}", "a".repeat(300 - prefix.len() - suffix.len()));
    assert_eq!(t300.len(), 300);
    assert_eq!(publish(&a, &url, &[env(&t300, 1, b"ok")], None).status, 200);
    let t301 = format!("{prefix}{}{suffix}", "a".repeat(301 - prefix.len() - suffix.len()));
    let m = publish(&a, &url, &[env(T, 1, b"fine"), env(&t301, 1, b"no")], None).expect_error(400, 3);
    assert!(m.contains("envelopes[1]") && m.contains("300") && !m.contains(prefix), "{m}");
    let m = publish(&a, &url, &[json!({"timestampNs": "1", "message": ""})], None).expect_error(400, 3);
    assert!(m.contains("contentTopic"), "{m}");
    let big = vec![7u8; MAX_MESSAGE_BYTES];
    assert_eq!(publish(&a, &url, &[env(T, 2, &big)], None).status, 200);
    let too_big = vec![7u8; MAX_MESSAGE_BYTES + 1];
    let m = publish(&a, &url, &[env(T, 3, &too_big)], None).expect_error(400, 3);
    assert!(m.contains("1048214"), "{m}");
    // A refused publish stores nothing, not even its valid envelopes.
    let (all, _) = query_all(&a, &url, &[T], "SORT_DIRECTION_ASCENDING", 100);
    assert_eq!(messages(&all), vec![big]);
}

#[test]
fn publish_needs_a_valid_token_and_owner_only_topics() {
    let node = start(|c| c.auth = true);
    let (a, url) = (agent(), node.url());
    let alice = identity(1);
    let bob = identity(2);
    let alice_token = token(&alice);
    let e = [env(T, 1, b"hello")];

    let m = publish(&a, &url, &e, None).expect_error(401, 16);
    assert!(m.contains("Authorization"), "{m}");
    publish(&a, &url, &e, Some("Bearer AAAA")).expect_error(401, 16);
    publish(&a, &url, &e, Some("Bearer")).expect_error(401, 16);
    publish(&a, &url, &e, Some("Basic dXNlcjpwYXNz")).expect_error(401, 16);
    let expired = token_at(&alice, now_ns() - 3_601 * 1_000_000_000);
    let m = publish(&a, &url, &e, Some(&expired)).expect_error(401, 16);
    assert!(m.contains("expired"), "{m}");
    // Almost an hour old is still fine (and a verified token stays valid from the cache).
    let old = token_at(&alice, now_ns() - 3_500 * 1_000_000_000);
    assert_eq!(publish(&a, &url, &e, Some(&old)).status, 200);
    assert_eq!(publish(&a, &url, &[env(T, 2, b"again")], Some(&old)).status, 200);
    // A token whose auth data was signed by another identity key.
    let mut forged = pb::Token::decode(STANDARD.decode(&alice_token[7..]).unwrap().as_slice()).unwrap();
    let bob_token = pb::Token::decode(STANDARD.decode(&token(&bob)[7..]).unwrap().as_slice()).unwrap();
    forged.auth_data_signature = bob_token.auth_data_signature;
    let forged = format!("Bearer {}", STANDARD.encode(forged.encode_to_vec()));
    publish(&a, &url, &e, Some(&forged)).expect_error(401, 16);

    assert_eq!(publish(&a, &url, &e, Some(&alice_token)).status, 200);
    // The scheme is case-insensitive, as the gateway's metadata parsing is.
    assert_eq!(publish(&a, &url, &[env(T, 3, b"x")], Some(&alice_token.replace("Bearer", "bearer"))).status, 200);
    // Own contact and private store: yes; someone else's: 403, and nothing of the publish is stored.
    let own = [env(&topic::contact(alice.address()), 1, b"c"), env(&topic::private_store(alice.address()), 1, b"p")];
    assert_eq!(publish(&a, &url, &own, Some(&alice_token)).status, 200);
    let before = node.stored_envelopes().unwrap();
    for theirs in [topic::contact(bob.address()), topic::private_store(bob.address())] {
        let m = publish(&a, &url, &[env(T, 9, b"ok"), env(&theirs, 1, b"c")], Some(&alice_token)).expect_error(403, 7);
        assert!(m.contains("envelopes[1]") && !m.contains(bob.address().as_str()), "{m}");
    }
    assert_eq!(node.stored_envelopes().unwrap(), before);
    // Other categories are open to any authenticated wallet.
    let open = [
        env(&topic::intro(bob.address()), 1, b"i"),
        env(&topic::invite(bob.address()), 1, b"v"),
        env(&topic::direct_message(alice.address(), bob.address()), 1, b"d"),
        env(&topic::user_preferences("x"), 1, b"u"),
    ];
    assert_eq!(publish(&a, &url, &open, Some(&alice_token)).status, 200);
    // Queries and subscriptions need no token.
    assert_eq!(post(&a, &url, "/message/v1/query", &json!({"contentTopics": [T]}).to_string()).status, 200);
    drop(node);

    // Auth disabled: no token needed, and ownership is not checked.
    let node = start(|c| c.auth = false);
    let r = publish(&a, &node.url(), &[env(&topic::contact(bob.address()), 1, b"c")], None);
    assert_eq!(r.status, 200);
}

#[test]
fn rate_limits_per_ip() {
    let node = start(|c| {
        c.rate_limits = Some(RateLimits {
            default: Bucket { refill_per_minute: 0.0, max_tokens: 5.0 },
            publish: Bucket { refill_per_minute: 60.0, max_tokens: 3.0 },
            priority: Vec::new(),
        })
    });
    let (a, url) = (agent(), node.url());
    // PUB: cost = number of envelopes.
    assert_eq!(publish(&a, &url, &[env(T, 1, b"1"), env(T, 2, b"2")], None).status, 200);
    let m = publish(&a, &url, &[env(T, 3, b"3"), env(T, 4, b"4")], None).expect_error(429, 8);
    assert!(m.contains("rate limit"), "{m}");
    assert_eq!(publish(&a, &url, &[env(T, 3, b"3")], None).status, 200);
    publish(&a, &url, &[env(T, 4, b"4")], None).expect_error(429, 8);
    // Refilled at one token a second.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(publish(&a, &url, &[env(T, 4, b"4")], None).status, 200);

    // DEF: a batch costs its number of queries; a query 1.
    let q = json!({"contentTopics": [T]}).to_string();
    let batch = json!({"requests": [{"contentTopics": [T]}, {"contentTopics": [T]}, {"contentTopics": [T]}]});
    assert_eq!(post(&a, &url, "/message/v1/batch-query", &batch.to_string()).status, 200);
    assert_eq!(post(&a, &url, "/message/v1/query", &q).status, 200);
    post(&a, &url, "/message/v1/batch-query", &batch.to_string()).expect_error(429, 8);
    assert_eq!(post(&a, &url, "/message/v1/query", &q).status, 200);
    post(&a, &url, "/message/v1/query", &q).expect_error(429, 8);
    let r = post(&a, &url, "/message/v1/subscribe", &q);
    assert_eq!(r.json(), json!({"code": 8, "message": r.json()["message"], "details": []}));
    assert_eq!(r.status, 429);
    // Publishes have their own bucket.
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(publish(&a, &url, &[env(T, 5, b"5")], None).status, 200);
}

#[test]
fn binary_protobuf_for_unary_calls() {
    let node = start(|c| c.auth = true);
    let (a, url) = (agent(), node.url());
    let keys = identity(3);
    let tok = token(&keys);
    let proto = [("Content-Type", "application/x-protobuf")];
    let req = pb::PublishRequest {
        envelopes: (0..3)
            .map(|i| pb::Envelope { content_topic: T.into(), timestamp_ns: 10 + i, message: vec![i as u8; 3] })
            .collect(),
    };
    let r = post_raw(
        &a,
        &url,
        "/message/v1/publish",
        &req.encode_to_vec(),
        &[("Content-Type", "application/x-protobuf"), ("Authorization", &tok)],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-protobuf"));
    assert!(r.body.is_empty());

    let q = pb::QueryRequest {
        content_topics: vec![T.into()],
        paging_info: Some(pb::PagingInfo { limit: 2, cursor: None, direction: pb::SortDirection::Ascending as i32 }),
        ..Default::default()
    };
    let r = post_raw(&a, &url, "/message/v1/query", &q.encode_to_vec(), &proto);
    assert_eq!(r.status, 200);
    let resp = pb::QueryResponse::decode(r.body.as_slice()).unwrap();
    assert_eq!(resp.envelopes, req.envelopes[..2]);
    let paging = resp.paging_info.unwrap();
    assert_eq!(paging.limit, 2);
    let Some(pb::cursor::Cursor::Index(index)) = paging.cursor.and_then(|c| c.cursor) else { panic!("cursor") };
    assert_eq!(index.digest, digest(T, &[1, 1, 1]));
    assert_eq!(index.sender_time_ns, 11);

    let batch = pb::BatchQueryRequest { requests: vec![q.clone(), q] };
    let r = post_raw(&a, &url, "/message/v1/batch-query", &batch.encode_to_vec(), &proto);
    let resp = pb::BatchQueryResponse::decode(r.body.as_slice()).unwrap();
    assert_eq!(resp.responses.len(), 2);

    // Errors are a google.rpc.Status in protobuf.
    #[derive(Clone, PartialEq, prost::Message)]
    struct Status {
        #[prost(int32, tag = "1")]
        code: i32,
        #[prost(string, tag = "2")]
        message: String,
    }
    let r = post_raw(&a, &url, "/message/v1/query", &pb::QueryRequest::default().encode_to_vec(), &proto);
    assert_eq!(r.status, 400);
    let status = Status::decode(r.body.as_slice()).unwrap();
    assert_eq!(status.code, 3);
    assert!(status.message.contains("content topic"));
    let r = post_raw(&a, &url, "/message/v1/publish", &req.encode_to_vec(), &proto);
    assert_eq!((r.status, Status::decode(r.body.as_slice()).unwrap().code), (401, 16));
    let r = post_raw(&a, &url, "/message/v1/query", b"\xff\xff\xff", &proto);
    assert_eq!(r.status, 400);
    // `Accept` chooses the answer's format.
    let r = post_raw(
        &a,
        &url,
        "/message/v1/query",
        &pb::QueryRequest { content_topics: vec![T.into()], ..Default::default() }.encode_to_vec(),
        &[("Content-Type", "application/x-protobuf"), ("Accept", "application/json")],
    );
    assert_eq!(r.json()["envelopes"].as_array().unwrap().len(), 3);
}

#[test]
fn streams() {
    let node = start(|_| {});
    let (a, url) = (agent(), node.url());
    let other = "/xmtp/0/m-other/proto";
    // Headers arrive before any envelope (the call returns within its 5 s header timeout).
    let started = Instant::now();
    let mut one = subscribe(&url, "/message/v1/subscribe", &json!({"contentTopics": [T, T]}), Duration::from_secs(5));
    let mut all = subscribe(&url, "/message/v1/subscribe-all", &json!({}), Duration::from_secs(5));
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!((one.status, all.status), (200, 200));
    assert_eq!(one.header("content-type"), Some("application/json"));
    assert_eq!(node.subscribers(), 2);

    assert_eq!(publish(&a, &url, &[env(other, 1, b"o1"), env(T, 2, b"t1")], None).status, 200);
    assert_eq!(publish(&a, &url, &[env(T, 3, b"t2")], None).status, 200);
    assert_eq!(one.next(), Some(json!({"result": env(T, 2, b"t1")})));
    assert_eq!(one.next(), Some(json!({"result": env(T, 3, b"t2")})));
    for e in [env(other, 1, b"o1"), env(T, 2, b"t1"), env(T, 3, b"t2")] {
        assert_eq!(all.next(), Some(json!({"result": e})));
    }
    // The raw bytes: one JSON object per line.
    let mut raw = subscribe(&url, "/message/v1/subscribe", &json!({"content_topics": [other]}), Duration::from_secs(5));
    assert_eq!(publish(&a, &url, &[env(other, 4, b"o2")], None).status, 200);
    assert_eq!(raw.next(), Some(json!({"result": env(other, 4, b"o2")})));
    assert_eq!(all.next(), Some(json!({"result": env(other, 4, b"o2")})));
    // A client that leaves is forgotten.
    drop(raw);
    drop(one);
    assert_eq!(publish(&a, &url, &[env(other, 5, b"o3"), env(T, 5, b"t3")], None).status, 200);
    assert_eq!(all.next(), Some(json!({"result": env(other, 5, b"o3")})));
    assert_eq!(all.next(), Some(json!({"result": env(T, 5, b"t3")})));
    let deadline = Instant::now() + Duration::from_secs(5);
    while node.subscribers() > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(node.subscribers(), 1);
}

#[test]
fn slow_subscribers_are_cut_off_with_an_error_line() {
    let node = start(|c| c.subscriber_buffer = 4);
    let (a, url) = (agent(), node.url());
    let mut slow = subscribe(&url, "/message/v1/subscribe", &json!({"contentTopics": [T]}), Duration::from_secs(5));
    // Far more than the buffer, and than the socket buffers hold, before the client reads.
    let big = vec![1u8; 64 * 1024];
    for i in 0..300u64 {
        let mut m = big.clone();
        m.extend_from_slice(&i.to_be_bytes());
        assert_eq!(publish(&a, &url, &[env(T, i, &m)], None).status, 200);
    }
    let mut n = 0;
    let last = loop {
        match slow.next() {
            Some(v) if v.get("result").is_some() => n += 1,
            other => break other,
        }
    };
    assert!(n < 300, "{n}");
    let last = last.expect("an error line");
    assert_eq!(last["error"]["code"], json!(8), "{last}");
    assert!(slow.next().is_none(), "the stream ends");
}

#[test]
fn gzip_when_accepted() {
    let node = start(|_| {});
    let (a, url) = (agent(), node.url());
    let envelopes: Vec<Value> =
        (0..20u64).map(|i| env(T, i, format!("{i:04}{}", "z".repeat(200)).as_bytes())).collect();
    assert_eq!(publish(&a, &url, &envelopes, None).status, 200);
    let q = json!({"contentTopics": [T]}).to_string();
    let plain = post_socket(&url, "/message/v1/query", q.as_bytes(), &[]);
    assert_eq!(plain.header("content-encoding"), None);
    let zipped = post_socket(&url, "/message/v1/query", q.as_bytes(), &[("Accept-Encoding", "gzip, deflate, br")]);
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    assert!(zipped.body.len() < plain.body.len());
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(zipped.body.as_slice()).read_to_end(&mut text).unwrap();
    assert_eq!(text, plain.body);
    // Small answers are left alone.
    let small = json!({"contentTopics": ["/xmtp/0/m-empty/proto"]}).to_string();
    let r = post_socket(&url, "/message/v1/query", small.as_bytes(), &[("Accept-Encoding", "gzip")]);
    assert_eq!(r.header("content-encoding"), None);
    // Batch queries too.
    let batch = json!({"requests": [{"contentTopics": [T]}]}).to_string();
    let r = post_socket(&url, "/message/v1/batch-query", batch.as_bytes(), &[("Accept-Encoding", "gzip")]);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
}

#[test]
fn cors_preflight() {
    let node = start(|_| {});
    let a = agent();
    let resp = a
        .options(format!("{}/message/v1/publish", node.url()))
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "authorization,x-client-version")
        .call()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 204);
    let h = resp.headers();
    assert_eq!(h.get("access-control-allow-origin").unwrap(), "*");
    assert_eq!(h.get("access-control-allow-headers").unwrap(), "authorization,x-client-version");
    let r = post(&a, &node.url(), "/message/v1/query", &json!({"contentTopics": [T]}).to_string());
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
}

#[test]
fn shutdown_ends_streams_and_finishes() {
    let node = start(|_| {});
    let url = node.url();
    let mut stream = subscribe(&url, "/message/v1/subscribe-all", &json!({}), Duration::from_secs(10));
    let reader = std::thread::spawn(move || {
        let mut lines = Vec::new();
        while let Some(v) = stream.next() {
            lines.push(v);
        }
        lines
    });
    assert_eq!(publish(&agent(), &url, &[env(T, 1, b"before")], None).status, 200);
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    node.shutdown();
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    let lines = reader.join().unwrap();
    assert_eq!(lines[0], json!({"result": env(T, 1, b"before")}));
    assert_eq!(lines[1]["error"]["code"], json!(14), "{lines:?}");
    assert_eq!(lines.len(), 2);
    // Nothing listens any more.
    assert!(std::net::TcpStream::connect(url.trim_start_matches("http://")).is_err());
}

#[test]
fn data_directory_survives_restarts() {
    let dir = scratch("restart");
    let envelopes: Vec<Value> = (0..30u64).map(|i| env(T, i, format!("keep{i}").as_bytes())).collect();
    {
        let node = start(|c| c.storage = Storage::Dir(dir.clone()));
        assert_eq!(publish(&agent(), &node.url(), &envelopes, None).status, 200);
        node.shutdown();
    }
    assert!(dir.join(xmtp_devnode::DB_FILE).is_file());
    let node = start(|c| c.storage = Storage::Dir(dir.clone()));
    let (all, _) = query_all(&agent(), &node.url(), &[T], "SORT_DIRECTION_ASCENDING", 7);
    assert_eq!(all, envelopes);
    // Duplicates across restarts are still duplicates.
    assert_eq!(publish(&agent(), &node.url(), &envelopes[..5], None).status, 200);
    assert_eq!(node.stored_envelopes().unwrap(), 30);
    node.shutdown();
    let seen: HashSet<Vec<u8>> = messages(&all).into_iter().collect();
    assert_eq!(seen.len(), 30);
    let _ = std::fs::remove_dir_all(&dir);
}
