//! `xmtp-devnode`: run a local XMTP message-API node.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use xmtp_devnode::{Config, RateLimits, Storage};

/// A local XMTP V1/V2 message-API node speaking the gateway's HTTP dialect.
#[derive(Debug, Parser)]
#[command(name = "xmtp-devnode", version)]
struct Args {
    /// Address to listen on (port 0: any free port; the address is printed on standard output).
    #[arg(long, default_value = "127.0.0.1:5555")]
    listen: SocketAddr,
    /// Keep envelopes in an SQLite database in this directory (created if missing).
    #[arg(long, value_name = "DIR", conflicts_with = "memory")]
    data: Option<PathBuf>,
    /// Keep envelopes in memory only (the default).
    #[arg(long)]
    memory: bool,
    /// Accept publishes without an auth token.
    #[arg(long)]
    no_auth: bool,
    /// Disable the per-IP rate limits.
    #[arg(long)]
    no_rate_limit: bool,
    /// No request logs on standard error.
    #[arg(long)]
    quiet: bool,
    /// A priority (allow-listed) client IP: its rate-limit buckets are ×2 (queries) and ×4
    /// (publishes). Repeatable.
    #[arg(long = "priority-ip", value_name = "IP")]
    priority_ips: Vec<std::net::IpAddr>,
    /// Open connections at most; more are answered 503 and closed.
    #[arg(long, value_name = "N", default_value_t = Config::default().max_connections)]
    max_connections: usize,
    /// Seconds a new connection has to send its first request's headers.
    #[arg(long, value_name = "SECS", default_value_t = Config::default().header_read_timeout.as_secs())]
    header_timeout: u64,
    /// Seconds a request body has to arrive.
    #[arg(long, value_name = "SECS", default_value_t = Config::default().body_read_timeout.as_secs())]
    body_timeout: u64,
    /// Seconds after which a connection with nothing in progress is closed.
    #[arg(long, value_name = "SECS", default_value_t = Config::default().idle_timeout.as_secs())]
    idle_timeout: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let config = Config {
        listen: args.listen,
        storage: args.data.map_or(Storage::Memory, Storage::Dir),
        auth: !args.no_auth,
        rate_limits: (!args.no_rate_limit)
            .then(|| RateLimits { priority: args.priority_ips.clone(), ..RateLimits::default() }),
        log: !args.quiet,
        max_connections: args.max_connections,
        header_read_timeout: Duration::from_secs(args.header_timeout),
        body_read_timeout: Duration::from_secs(args.body_timeout),
        idle_timeout: Duration::from_secs(args.idle_timeout),
        ..Config::default()
    };
    match xmtp_devnode::run_until_stop_signal(config, |node| println!("xmtp-devnode listening on {}", node.url())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xmtp-devnode: {e}");
            ExitCode::FAILURE
        }
    }
}
