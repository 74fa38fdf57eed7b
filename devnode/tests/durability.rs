//! The `xmtp-devnode` binary with `--data`: killed with SIGKILL while several threads publish,
//! then restarted on the same directory, it still has every envelope it acknowledged. Also: its
//! log lines are JSON and never name a topic, and SIGTERM stops it cleanly.

mod common;

use std::collections::HashSet;
use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use common::*;
use serde_json::{json, Value};

const TOPICS: usize = 6;

fn topic(i: usize) -> String {
    format!("/xmtp/0/m-durability{i}/proto")
}

/// A running binary: its URL, and its standard error collected line by line.
struct Running {
    child: Child,
    url: String,
    log: Arc<Mutex<Vec<String>>>,
    log_reader: Option<JoinHandle<()>>,
}

fn spawn(dir: &Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xmtp-devnode"))
        .args(["--listen", "127.0.0.1:0", "--data"])
        .arg(dir)
        .arg("--no-rate-limit")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start xmtp-devnode");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).expect("first line");
    let url = first.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{first}");
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&log);
    let stderr = child.stderr.take().unwrap();
    let log_reader = std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            sink.lock().unwrap().push(line);
        }
    });
    Running { child, url, log, log_reader: Some(log_reader) }
}

impl Running {
    fn logs(&mut self) -> Vec<String> {
        if let Some(r) = self.log_reader.take() {
            r.join().unwrap();
        }
        self.log.lock().unwrap().clone()
    }

    /// Wait (bounded) for the process to exit.
    fn wait(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn check_logs(lines: &[String]) {
    assert!(!lines.is_empty());
    for line in lines {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("log line is not JSON ({e}): {line}"));
        assert!(v["ts"].is_u64() && v["level"].is_string() && v["msg"].is_string(), "{line}");
        assert!(!line.contains("/xmtp/0/") && !line.contains("m-durability"), "a topic in the logs: {line}");
        assert!(!line.contains("0x"), "an address in the logs: {line}");
    }
    assert!(lines.iter().any(|l| l.contains("\"path\":\"/message/v1/publish\"") && l.contains("topic_tags")));
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_envelope() {
    let dir = scratch("durability");
    let keys = identity(11);
    let auth = token(&keys);
    let mut node = spawn(&dir);

    // Four threads publish (1 or 3 envelopes per call) for up to 3 s; the node is killed at 1.5 s.
    let stop = Arc::new(AtomicBool::new(false));
    let publishers: Vec<_> = (0..4usize)
        .map(|p| {
            let (url, auth, stop) = (node.url.clone(), auth.clone(), Arc::clone(&stop));
            std::thread::spawn(move || {
                let a: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .timeout_global(Some(Duration::from_secs(5)))
                    .build()
                    .into();
                let deadline = Instant::now() + Duration::from_secs(3);
                let mut acked: Vec<(String, Vec<u8>)> = Vec::new();
                let mut calls = 0usize;
                while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
                    calls += 1;
                    let n = if calls % 2 == 0 { 3 } else { 1 };
                    let batch: Vec<(String, Vec<u8>)> = (0..n)
                        .map(|k| (topic((p + calls + k) % TOPICS), format!("p{p}-c{calls}-k{k}").into_bytes()))
                        .collect();
                    let envelopes: Vec<Value> = batch.iter().map(|(t, m)| env(t, now_ns(), m)).collect();
                    let body = json!({ "envelopes": envelopes }).to_string();
                    let result = a
                        .post(format!("{url}/message/v1/publish"))
                        .header("Authorization", &auth)
                        .send(body.as_bytes());
                    match result {
                        Ok(mut resp) if resp.status() == 200 => {
                            // Acknowledged only once the whole answer arrived.
                            if resp.body_mut().read_to_string().is_ok() {
                                acked.extend(batch);
                            }
                        }
                        Ok(resp) => panic!("publish refused: {}", resp.status()),
                        // The node is gone.
                        Err(_) => break,
                    }
                }
                (acked, calls)
            })
        })
        .collect();

    std::thread::sleep(Duration::from_millis(1500));
    node.child.kill().expect("SIGKILL");
    let status = node.child.wait().unwrap();
    let killed_at = Instant::now();
    stop.store(true, Ordering::Relaxed);
    let mut acked = Vec::new();
    let mut calls = 0;
    for p in publishers {
        let (a, c) = p.join().unwrap();
        acked.extend(a);
        calls += c;
    }
    assert!(!status.success(), "killed, not exited: {status:?}");
    check_logs(&node.logs());
    assert!(acked.len() > 100, "only {} acknowledged envelopes", acked.len());

    // Restart on the same directory: every acknowledged envelope is there.
    let mut node = spawn(&dir);
    let a = agent();
    let topics: Vec<String> = (0..TOPICS).map(topic).collect();
    let topic_refs: Vec<&str> = topics.iter().map(String::as_str).collect();
    let (stored, _) = query_all(&a, &node.url, &topic_refs, "SORT_DIRECTION_ASCENDING", 100);
    let stored: HashSet<(String, Vec<u8>)> = stored
        .iter()
        .map(|e| {
            (e["contentTopic"].as_str().unwrap().to_string(), STANDARD.decode(e["message"].as_str().unwrap()).unwrap())
        })
        .collect();
    let missing: Vec<_> = acked.iter().filter(|e| !stored.contains(*e)).collect();
    println!(
        "durability: {calls} publish calls, {} envelopes acknowledged before SIGKILL, {} stored after restart \
         ({} committed but unacknowledged), {} missing; restart took {:?}",
        acked.len(),
        stored.len(),
        stored.len() - (acked.len() - missing.len()),
        missing.len(),
        killed_at.elapsed()
    );
    assert!(missing.is_empty(), "{} acknowledged envelopes lost, e.g. {:?}", missing.len(), missing[0]);
    // Nothing stored that was never sent: at most the calls in flight at the kill.
    assert!(stored.len() - acked.len() <= 4 * 3, "{} unacknowledged rows", stored.len() - acked.len());

    // The node still works, then SIGTERM stops it cleanly.
    let r = publish(&a, &node.url, &[env(&topic(0), 1, b"after restart")], Some(&auth));
    assert_eq!(r.status, 200);
    // Requests that quote a topic back in their error, or put one in the path, are logged
    // without it.
    let m =
        post(&a, &node.url, "/message/v1/query", &json!({"contentTopics": topic(1)}).to_string()).expect_error(400, 3);
    assert!(m.contains("invalid type"), "{m}");
    post(&a, &node.url, &format!("/message/v1{}", topic(2)), "{}").expect_error(404, 5);
    let ok = Command::new("kill").args(["-TERM", &node.child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let status = node.wait(Duration::from_secs(10)).expect("exits after SIGTERM");
    assert!(status.success(), "{status:?}");
    let logs = node.logs();
    check_logs(&logs);
    assert!(logs.last().unwrap().contains("\"msg\":\"stopped\""), "{:?}", logs.last());
    let _ = std::fs::remove_dir_all(&dir);
}
