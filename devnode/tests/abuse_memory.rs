//! Many concurrent large queries: the memory they take together is bounded (the node decodes and
//! runs a bounded number of query bytes at once). Alone in its test binary, since the peak
//! resident memory it measures is the process's.

mod common;

use std::sync::Arc;

use common::*;
use serde_json::json;

fn topics(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("/xmtp/0/m-{i:08x}/proto")).collect()
}

/// Peak resident memory of this process, in bytes (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse::<u64>().ok().map(|kb| kb * 1024)
}

/// Reset the peak (Linux ≥ 4.0).
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[test]
fn concurrent_large_queries_stay_within_a_memory_bound() {
    if !reset_peak_rss() {
        eprintln!("cannot reset the peak RSS here: skipped");
        return;
    }
    let node = start(|_| {});
    let url = node.url();
    let body = Arc::new(json!({"contentTopics": topics(150_000)}).to_string());
    let before = peak_rss().unwrap();
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let (url, body) = (url.clone(), Arc::clone(&body));
            std::thread::spawn(move || post(&agent(), &url, "/message/v1/query", &body).status)
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 200);
    }
    // Measured in a debug build: about 850 MB with no bound on the query work in flight, about
    // 340 MB with the default 16 MiB (most of it the 32 bodies, read before they wait).
    let grew = peak_rss().unwrap().saturating_sub(before);
    eprintln!("32 queries of 150,000 topics ({} bytes each): peak grew {} MB", body.len(), grew / 1_000_000);
    assert!(grew < 500_000_000, "peak grew {} MB", grew / 1_000_000);
}
