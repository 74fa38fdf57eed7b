//! The node under abuse, on loopback with small limits: connections that send nothing or too
//! slowly, too many connections, slow bodies, queries with many topics, subscribers that never
//! read, and data files SQLite would open silently empty. Every loop is bounded in count and time.

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};
use xmtp_devnode::{Bucket, RateLimits, Storage, DB_FILE};

const T: &str = "/xmtp/0/m-abuse/proto";

fn connect(url: &str) -> TcpStream {
    let s = TcpStream::connect(url.trim_start_matches("http://")).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// Whether the node closes the connection within `within` (the read sees the end, or a reset).
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

/// Read a whole HTTP/1.1 answer on a connection the server closes: (status, body).
fn read_answer(s: &mut TcpStream) -> (u16, Vec<u8>) {
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of head");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    (status, raw[split + 4..].to_vec())
}

fn wait_until(what: &str, within: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < within, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn silent_and_slow_connections_are_closed_and_others_are_served() {
    let node = start(|c| {
        c.header_read_timeout = Duration::from_millis(200);
        c.idle_timeout = Duration::from_millis(500);
        c.max_connections = 20;
    });
    let (a, url) = (agent(), node.url());
    let mut attackers = Vec::new();
    // Nothing at all.
    for _ in 0..6 {
        attackers.push(connect(&url));
    }
    // Part of the HTTP/2 preface.
    for _ in 0..4 {
        let mut s = connect(&url);
        s.write_all(b"PRI * HTTP/2.0\r\n").unwrap();
        attackers.push(s);
    }
    // Part of an HTTP/1 request head.
    for _ in 0..4 {
        let mut s = connect(&url);
        s.write_all(b"POST /message/v1/query HTTP/1.1\r\nHost: x\r\n").unwrap();
        attackers.push(s);
    }
    // Others are served meanwhile.
    let q = json!({"contentTopics": [T]}).to_string();
    assert_eq!(post(&a, &url, "/message/v1/query", &q).status, 200);
    // A head sent one byte every 50 ms never completes in time either.
    let mut trickle = connect(&url);
    let started = Instant::now();
    for b in b"POST /message/v1/query HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1234567890\r\n" {
        if trickle.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        if started.elapsed() > Duration::from_secs(3) {
            break;
        }
    }
    assert!(closed_within(&mut trickle, Duration::from_secs(2)), "a trickled head is cut");
    assert!(started.elapsed() < Duration::from_secs(3), "cut while trickling, after {:?}", started.elapsed());
    for (i, s) in attackers.iter_mut().enumerate() {
        assert!(closed_within(s, Duration::from_secs(2)), "connection {i} is closed");
    }
    assert_eq!(post(&a, &url, "/message/v1/query", &q).status, 200);
    drop(a);
    wait_until("every connection closed", Duration::from_secs(3), || node.connections() == 0);
}

#[test]
fn keep_alive_connections_are_closed_when_idle_but_streams_are_not() {
    let node = start(|c| {
        c.header_read_timeout = Duration::from_millis(200);
        c.idle_timeout = Duration::from_millis(300);
    });
    let url = node.url();
    // A keep-alive connection: one request answered, then idle.
    let mut s = connect(&url);
    let body = json!({"contentTopics": [T]}).to_string();
    let head = format!("POST /message/v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", body.len());
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut first = [0u8; 12];
    s.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(closed_within(&mut s, Duration::from_secs(2)), "an idle keep-alive connection is closed");

    // A stream with nothing to say for several idle periods stays open and delivers.
    let mut stream = subscribe(&url, "/message/v1/subscribe", &json!({"contentTopics": [T]}), Duration::from_secs(5));
    assert_eq!(stream.status, 200);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(node.subscribers(), 1);
    assert_eq!(publish(&agent(), &url, &[env(T, 1, b"late")], None).status, 200);
    let line = stream.next().expect("a line");
    assert_eq!(line["result"]["timestampNs"], json!("1"), "{line}");
}

#[test]
fn a_body_that_trickles_in_is_cut_with_deadline_exceeded() {
    let node = start(|c| c.body_read_timeout = Duration::from_millis(300));
    let url = node.url();
    let mut s = connect(&url);
    s.write_all(b"POST /message/v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{").unwrap();
    let started = Instant::now();
    // One byte every 50 ms: the 100 bytes would take 5 s.
    let mut answered = false;
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let mut raw = Vec::new();
    while started.elapsed() < Duration::from_secs(4) {
        if s.write_all(b" ").is_err() {
            break;
        }
        let mut buf = [0u8; 1024];
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                raw.extend_from_slice(&buf[..n]);
                answered = true;
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => break,
        }
        if answered {
            break;
        }
    }
    assert!(answered, "no answer after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 504"), "{text}");
    assert!(text.contains("\"code\":4"), "{text}");
    // The rest of the body is never read: the connection is closed after the answer.
    assert!(closed_within(&mut s, Duration::from_secs(2)));
}

#[test]
fn connections_over_the_cap_get_503_and_the_node_recovers() {
    let node = start(|c| {
        c.max_connections = 20;
        // Held open for the test's length.
        c.header_read_timeout = Duration::from_secs(30);
    });
    let (a, url) = (agent(), node.url());
    let held: Vec<TcpStream> = (0..20).map(|_| connect(&url)).collect();
    wait_until("20 connections open", Duration::from_secs(3), || node.connections() == 20);
    for _ in 0..3 {
        let mut s = connect(&url);
        let body = json!({"contentTopics": [T]}).to_string();
        let head =
            format!("POST /message/v1/query HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}", body.len());
        let _ = s.write_all(head.as_bytes());
        let (status, body) = read_answer(&mut s);
        assert_eq!(status, 503);
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["code"], json!(14), "{v}");
        assert!(v["message"].as_str().unwrap().contains("too many open connections"), "{v}");
    }
    assert_eq!(node.connections(), 20, "refused connections are not counted");
    drop(held);
    wait_until("the held connections closed", Duration::from_secs(3), || node.connections() == 0);
    assert_eq!(post(&a, &url, "/message/v1/query", &json!({"contentTopics": [T]}).to_string()).status, 200);
}

fn topics(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("/xmtp/0/m-{i:08x}/proto")).collect()
}

#[test]
fn queries_are_charged_and_capped_by_topics() {
    let node = start(|c| {
        c.max_topics_per_query = 1000;
        c.max_topics_per_batch = 1500;
    });
    let (a, url) = (agent(), node.url());
    let query = |n: usize| post(&a, &url, "/message/v1/query", &json!({"contentTopics": topics(n)}).to_string());
    let batch = |sizes: &[usize]| {
        let requests: Vec<Value> = sizes.iter().map(|n| json!({"contentTopics": topics(*n)})).collect();
        post(&a, &url, "/message/v1/batch-query", &json!({ "requests": requests }).to_string())
    };
    let m = query(1001).expect_error(400, 3);
    assert!(m.contains("more than 1000 per query"), "{m}");
    let m = batch(&[800, 800]).expect_error(400, 3);
    assert!(m.contains("more than 1500"), "{m}");
    let m = batch(&[1001, 1]).expect_error(400, 3);
    assert!(m.contains("requests[0]"), "{m}");
    // A query costs one token per topic.
    let node = start(|c| {
        c.rate_limits = Some(RateLimits {
            default: Bucket { refill_per_minute: 0.0, max_tokens: 1000.0 },
            publish: Bucket { refill_per_minute: 0.0, max_tokens: 10.0 },
            priority: Vec::new(),
        });
    });
    let url = node.url();
    let query = |n: usize| post(&a, &url, "/message/v1/query", &json!({"contentTopics": topics(n)}).to_string());
    assert_eq!(query(600).status, 200);
    let m = query(600).expect_error(429, 8);
    assert!(m.contains("cost 600"), "{m}");
    assert_eq!(query(400).status, 200);
    query(1).expect_error(429, 8);
}

#[test]
fn a_subscriber_that_never_reads_is_cut_off_by_bytes() {
    let node = start(|c| c.subscriber_buffer_bytes = 2 * 1024 * 1024);
    let (a, url) = (agent(), node.url());
    let mut reader = subscribe(&url, "/message/v1/subscribe", &json!({"contentTopics": [T]}), Duration::from_secs(10));
    // Subscribe and never read a byte.
    let mut sleeper = connect(&url);
    let body = json!({"contentTopics": [T]}).to_string();
    let head = format!("POST /message/v1/subscribe HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n", body.len());
    sleeper.write_all(head.as_bytes()).unwrap();
    sleeper.write_all(body.as_bytes()).unwrap();
    wait_until("two subscribers", Duration::from_secs(3), || node.subscribers() == 2);
    // 48 envelopes of 600 kB: about 38 MB of lines, far more than the socket buffers hold.
    let big = vec![7u8; 600 * 1000];
    let mut received = 0;
    for i in 0..48u64 {
        let mut m = big.clone();
        m.extend_from_slice(&i.to_be_bytes());
        assert_eq!(publish(&a, &url, &[env(T, i, &m)], None).status, 200);
        let line = reader.next().expect("the reader gets every envelope");
        assert!(line.get("result").is_some(), "{line}");
        received += 1;
    }
    assert_eq!(received, 48);
    wait_until("the sleeper is cut off", Duration::from_secs(3), || node.subscribers() == 1);
    drop(sleeper);
}

#[test]
fn future_dated_tokens_are_refused() {
    let node = start(|c| c.auth = true);
    let (a, url) = (agent(), node.url());
    let keys = identity(31);
    let now = now_ns();
    let minute = 60 * 1_000_000_000;
    assert_eq!(publish(&a, &url, &[env(T, 1, b"ok")], Some(&token_at(&keys, now + minute))).status, 200);
    let m = publish(&a, &url, &[env(T, 2, b"x")], Some(&token_at(&keys, now + 10 * minute))).expect_error(401, 16);
    assert!(m.contains("future"), "{m}");
    let far = u64::MAX / 1_000_000 * 1_000_000;
    publish(&a, &url, &[env(T, 3, b"x")], Some(&token_at(&keys, far))).expect_error(401, 16);
}

#[test]
fn empty_database_and_garbage_wal_are_reported_at_start() {
    let dir = scratch("abuse-files");
    // A clean directory: no warnings.
    let node = start(|c| c.storage = Storage::Dir(dir.clone()));
    assert_eq!(node.warnings(), &[] as &[String]);
    assert_eq!(publish(&agent(), &node.url(), &[env(T, 1, b"kept")], None).status, 200);
    node.shutdown();
    let node = start(|c| c.storage = Storage::Dir(dir.clone()));
    assert_eq!(node.warnings(), &[] as &[String], "a clean restart");
    assert_eq!(node.stored_envelopes().unwrap(), 1);
    node.shutdown();

    // A 0-byte database file.
    std::fs::write(dir.join(DB_FILE), b"").unwrap();
    let _ = std::fs::remove_file(dir.join(format!("{DB_FILE}-wal")));
    let node = start(|c| c.storage = Storage::Dir(dir.clone()));
    assert_eq!(node.warnings().len(), 1, "{:?}", node.warnings());
    assert!(node.warnings()[0].contains("empty (0 bytes)"), "{:?}", node.warnings());
    node.shutdown();

    // A WAL that is not one.
    std::fs::write(dir.join(format!("{DB_FILE}-wal")), vec![0x5a; 10_000]).unwrap();
    let node = start(|c| c.storage = Storage::Dir(dir.clone()));
    assert_eq!(node.warnings().len(), 1, "{:?}", node.warnings());
    assert!(node.warnings()[0].contains("write-ahead log"), "{:?}", node.warnings());
    node.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
