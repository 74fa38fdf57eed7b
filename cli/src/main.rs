//! `xmtp`: the command-line client of the XMTP V1/V2 protocol core.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod decode;

/// The XMTP V1/V2 command-line client.
#[derive(Debug, Parser)]
#[command(name = "xmtp", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Decode { keys, envelopes } => {
            let input = match read_input(envelopes.as_ref()) {
                Ok(s) => s,
                Err(e) => return fail(&e),
            };
            let keys = match std::fs::read(&keys) {
                Ok(k) => k,
                Err(e) => return fail(&format!("cannot read key file {}: {e}", keys.display())),
            };
            let stdout = std::io::stdout();
            match decode::run(&keys, &input, &mut stdout.lock()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
    }
}

fn read_input(path: Option<&PathBuf>) -> Result<String, String> {
    match path {
        Some(p) => std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display())),
        None => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(s)
        }
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("xmtp: {msg}");
    ExitCode::from(2)
}
