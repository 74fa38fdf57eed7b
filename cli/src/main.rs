//! `xmtp`: the command-line client of the XMTP V1/V2 protocol core.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use xmtp_cli::{commands, decode, demo, profile};

/// The XMTP V1/V2 command-line client.
#[derive(Debug, Parser)]
#[command(name = "xmtp", version, about)]
struct Cli {
    /// The node's URL (`http://` or `https://`); overrides --env.
    #[arg(long, global = true, env = "XMTP_NODE")]
    node: Option<String>,
    /// The network: `local` (a node on this machine, port 5555), `dev` or `production`.
    #[arg(long, global = true, env = "XMTP_ENV", default_value = "local")]
    env: String,
    /// Trust only the PEM certificates in this file for `https://` nodes (a private CA).
    #[arg(long, global = true, env = "XMTP_CA_CERT")]
    ca_cert: Option<PathBuf>,
    /// The profile directory (keys and state); default `$HOME/.xmtp`.
    #[arg(long, global = true, env = "XMTP_HOME")]
    home: Option<PathBuf>,
    /// Machine-readable output: one JSON object per line.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a local development node (the XMTP message API over HTTP JSON).
    Node {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:5555")]
        listen: std::net::SocketAddr,
        /// Store envelopes durably in this directory (SQLite).
        #[arg(long, value_name = "DIR", conflicts_with = "memory")]
        data: Option<PathBuf>,
        /// Keep envelopes in memory only (the default when --data is absent).
        #[arg(long)]
        memory: bool,
    },
    /// A tour: an embedded node, two identities, an invitation, a few messages, the transcript.
    Demo,
    /// Create an identity (new or from a wallet key, signing locally) or import exported keys,
    /// and publish its contact.
    Init {
        /// A wallet private key (hex) whose identity to load or create.
        #[arg(long, conflicts_with = "keys")]
        wallet_key: Option<String>,
        /// Exported keys (PrivateKeyBundle, base64/hex/raw).
        #[arg(long)]
        keys: Option<PathBuf>,
        /// Replace the identity this profile already holds (it is lost unless exported).
        #[arg(long)]
        force: bool,
    },
    /// Print the profile's address.
    Whoami,
    /// Key management.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Whether addresses have an XMTP identity.
    CanMessage {
        /// Addresses.
        #[arg(required = true)]
        addresses: Vec<String>,
    },
    /// List conversations.
    Conversations,
    /// Send a text message (starting the conversation if needed).
    Send {
        /// The peer's address.
        to: String,
        /// The text.
        text: String,
        /// The conversation id (V2 context).
        #[arg(long)]
        conversation_id: Option<String>,
        /// Send on the ephemeral topic (not stored by nodes).
        #[arg(long)]
        ephemeral: bool,
    },
    /// Read a conversation.
    Read {
        /// The peer's address.
        with: String,
        /// The conversation id (V2 context).
        #[arg(long)]
        conversation_id: Option<String>,
        /// Only the newest N messages.
        #[arg(long)]
        limit: Option<usize>,
    },
    /// Stream messages of all conversations, live.
    Stream {
        /// Stop after this many messages.
        #[arg(long)]
        count: Option<usize>,
        /// Stop after this many seconds.
        #[arg(long)]
        seconds: Option<u64>,
    },
    /// Consent.
    Consent {
        #[command(subcommand)]
        command: ConsentCommand,
    },
    /// Decode raw envelopes with a private key bundle: one JSON line per envelope.
    Decode {
        /// File with an encoded PrivateKeyBundle (v1 as `Client.getKeys()` returns it, or v2), as
        /// base64 text, hex text or raw bytes.
        #[arg(long)]
        keys: PathBuf,
        /// Envelopes as a JSON array or JSON lines of {"contentTopic","timestampNs","message"};
        /// standard input when absent.
        envelopes: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Print the keys as base64 (the format of xmtp-js `Client.getKeys()`).
    Export,
}

#[derive(Debug, Subcommand)]
enum ConsentCommand {
    /// Allow addresses.
    Allow {
        /// Addresses.
        #[arg(required = true)]
        addresses: Vec<String>,
    },
    /// Deny addresses.
    Deny {
        /// Addresses.
        #[arg(required = true)]
        addresses: Vec<String>,
    },
    /// List consent entries.
    List,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let home = cli.home.clone().unwrap_or_else(|| {
        std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".")).join(".xmtp")
    });
    let ctx = match context(&cli, home) {
        Ok(ctx) => ctx,
        Err(e) => return fail(&e),
    };
    let result = match cli.command {
        Command::Node { listen, data, memory: _ } => run_node(listen, data),
        Command::Demo => demo::run(cli.json),
        Command::Decode { keys, envelopes } => run_decode(&keys, envelopes.as_ref()),
        Command::Init { wallet_key, keys, force } => {
            commands::init(&ctx, wallet_key.as_deref(), keys.as_deref(), force)
        }
        Command::Whoami => commands::whoami(&ctx),
        Command::Keys { command: KeysCommand::Export } => commands::keys_export(&ctx),
        Command::CanMessage { addresses } => commands::can_message(&ctx, &addresses),
        Command::Conversations => commands::conversations(&ctx),
        Command::Send { to, text, conversation_id, ephemeral } => {
            commands::send(&ctx, &to, &text, conversation_id.as_deref(), ephemeral)
        }
        Command::Read { with, conversation_id, limit } => {
            commands::read(&ctx, &with, conversation_id.as_deref(), limit)
        }
        Command::Stream { count, seconds } => commands::stream(&ctx, count, seconds.map(Duration::from_secs)),
        Command::Consent { command } => match command {
            ConsentCommand::Allow { addresses } => commands::consent_set(&ctx, true, &addresses),
            ConsentCommand::Deny { addresses } => commands::consent_set(&ctx, false, &addresses),
            ConsentCommand::List => commands::consent_list(&ctx),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn context(cli: &Cli, home: PathBuf) -> Result<commands::Ctx, String> {
    let node = match &cli.node {
        Some(url) => url.clone(),
        None => match xmtp_core::api::Environment::parse(&cli.env) {
            // The local node listens on 127.0.0.1 (not every resolver maps localhost to it).
            Some(xmtp_core::api::Environment::Local) => "http://127.0.0.1:5555".to_string(),
            Some(env) => env.url().to_string(),
            None => return Err(format!("unknown network {:?} (expected local, dev or production)", cli.env)),
        },
    };
    let ca_pem = match &cli.ca_cert {
        Some(path) => Some(std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?),
        None => None,
    };
    Ok(commands::Ctx { node, ca_pem, profile: profile::Profile::new(home), json: cli.json })
}

fn run_node(listen: std::net::SocketAddr, data: Option<PathBuf>) -> Result<(), String> {
    let config = xmtp_devnode::Config {
        listen,
        storage: data.map_or(xmtp_devnode::Storage::Memory, xmtp_devnode::Storage::Dir),
        ..xmtp_devnode::Config::default()
    };
    xmtp_devnode::run_until_stop_signal(config, |node| println!("xmtp node listening on {}", node.url()))
}

fn run_decode(keys: &PathBuf, envelopes: Option<&PathBuf>) -> Result<(), String> {
    let input = match envelopes {
        Some(p) => std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read standard input: {e}"))?;
            s
        }
    };
    let keys = std::fs::read(keys).map_err(|e| format!("cannot read key file {}: {e}", keys.display()))?;
    let stdout = std::io::stdout();
    decode::run(&keys, &input, &mut stdout.lock())
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("xmtp: {msg}");
    ExitCode::from(2)
}
