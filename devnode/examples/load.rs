//! Load generator for the node: live subscribers and sustained publishes, then a check that
//! every subscriber saw every acknowledged envelope of its topics.
//!
//! ```text
//! cargo run --release -p xmtp-devnode --example load -- [--url URL] [--data DIR] [--seconds N]
//!     [--publishers N] [--subscribers N] [--batch N] [--bytes N] [--no-auth]
//! ```
//!
//! Without `--url` it starts a node in this process (durable storage in `--data DIR`, or a
//! scratch directory). With `--url`, the node there must run without rate limits, and with
//! `--no-auth` unless it accepts this example's token.

#[path = "../tests/common/load.rs"]
mod load;

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use xmtp_core::auth::AuthToken;
use xmtp_core::keys::LocalWallet;
use xmtp_devnode::{Config, Node, Storage};

fn usage() -> ExitCode {
    eprintln!(
        "usage: load [--url URL] [--data DIR] [--seconds N] [--publishers N] [--subscribers N] [--batch N] \
         [--bytes N] [--no-auth]"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut url = None;
    let mut data = None;
    let mut seconds = 5u64;
    let mut publishers = 8usize;
    let mut subscribers = 50usize;
    let mut batch = 1usize;
    let mut bytes = 256usize;
    let mut auth = true;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--no-auth" {
            auth = false;
            continue;
        }
        let Some(value) = args.next() else { return usage() };
        let number = || value.parse::<usize>().ok();
        match flag.as_str() {
            "--url" => url = Some(value.clone()),
            "--data" => data = Some(std::path::PathBuf::from(&value)),
            "--seconds" => match number() {
                Some(n) => seconds = n as u64,
                None => return usage(),
            },
            "--publishers" => match number() {
                Some(n) => publishers = n,
                None => return usage(),
            },
            "--subscribers" => match number() {
                Some(n) if n >= 3 => subscribers = n,
                _ => return usage(),
            },
            "--batch" => match number() {
                Some(n) => batch = n,
                None => return usage(),
            },
            "--bytes" => match number() {
                Some(n) => bytes = n,
                None => return usage(),
            },
            _ => return usage(),
        }
    }

    let now_ns = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
    let mut rng = ChaCha20Rng::seed_from_u64(now_ns);
    let keys = LocalWallet::generate(&mut rng).create_identity(&mut rng, now_ns / 1_000_000);
    let token = match AuthToken::create(&keys, now_ns) {
        Ok(t) => t.header_value(),
        Err(e) => {
            eprintln!("load: cannot create a token: {e}");
            return ExitCode::FAILURE;
        }
    };

    let scratch = std::env::temp_dir().join(format!("xmtp-devnode-load-{}", std::process::id()));
    let (node, url) = match url {
        Some(url) => (None, url),
        None => {
            let dir = data.unwrap_or_else(|| scratch.clone());
            let config = Config {
                listen: "127.0.0.1:0".parse().expect("address"),
                storage: Storage::Dir(dir),
                auth,
                rate_limits: None,
                log: false,
                ..Config::default()
            };
            match Node::start(config) {
                Ok(node) => {
                    let url = node.url();
                    (Some(node), url)
                }
                Err(e) => {
                    eprintln!("load: cannot start the node: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    };

    let all_subscribers = 2;
    let options = load::LoadOptions {
        url,
        topic_subscribers: subscribers - all_subscribers,
        all_subscribers,
        publishers,
        duration: Duration::from_secs(seconds),
        batch,
        message_bytes: bytes,
        auth: auth.then_some(token),
    };
    let r = load::run(&options);
    println!(
        "{} publishers x {} envelope(s)/call, {} subscribers ({} on one topic, {} on all), {} B messages",
        options.publishers,
        options.batch,
        subscribers,
        options.topic_subscribers,
        all_subscribers,
        options.message_bytes
    );
    println!(
        "acknowledged {} envelopes in {:.2} s: {:.0} envelopes/s ({:.0} publish calls/s); failed calls {}",
        r.acked,
        r.elapsed.as_secs_f64(),
        r.per_second(),
        r.per_second() / options.batch.max(1) as f64,
        r.failed_calls
    );
    println!(
        "delivered {}; missing {}, duplicates {}, unexpected {}, broken streams {}",
        r.delivered, r.missing, r.duplicates, r.unexpected, r.broken_streams
    );
    if let Some(node) = node {
        node.shutdown();
        let _ = std::fs::remove_dir_all(&scratch);
    }
    let ok = r.failed_calls == 0 && r.missing == 0 && r.duplicates == 0 && r.unexpected == 0 && r.broken_streams == 0;
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
