//! A bounded load run: 50 live subscribers (48 on one topic each, 2 on every topic) while 8
//! threads publish for 3 s to durable storage with auth on. Nothing acknowledged may be missing
//! from any subscriber or from storage. The publish rate is printed (`--nocapture`); the
//! `load` example (`scripts/load-devnode.sh`) measures a release build.

mod common;

use std::time::Duration;

use common::load::{run, LoadOptions};
use common::*;
use xmtp_devnode::Storage;

#[test]
fn fifty_subscribers_and_sustained_publishes_lose_nothing() {
    let dir = scratch("load");
    let node = start(|c| {
        c.storage = Storage::Dir(dir.clone());
        c.auth = true;
    });
    let keys = identity(7);
    let report = run(&LoadOptions {
        url: node.url(),
        topic_subscribers: 48,
        all_subscribers: 2,
        publishers: 8,
        duration: Duration::from_secs(3),
        batch: 1,
        message_bytes: 256,
        auth: Some(token(&keys)),
    });
    println!(
        "load: {} envelopes acknowledged in {:.2} s = {:.0} publishes/s; {} deliveries to 50 subscribers",
        report.acked,
        report.elapsed.as_secs_f64(),
        report.per_second(),
        report.delivered
    );
    assert_eq!(report.failed_calls, 0, "{report:?}");
    assert_eq!(report.broken_streams, 0, "{report:?}");
    assert_eq!((report.missing, report.duplicates, report.unexpected), (0, 0, 0), "{report:?}");
    // Each envelope reached its topic's subscriber and both subscribe-all streams.
    assert_eq!(report.delivered, report.acked * 3, "{report:?}");
    // Everything acknowledged is stored (plus the 48 end markers).
    assert_eq!(node.stored_envelopes().unwrap(), report.acked as u64 + 48);
    assert!(report.acked > 100, "{report:?}");
    node.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
