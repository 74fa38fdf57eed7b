//! Regenerates `proto/src/gen/` from `proto/schema/`.
//!
//! Usage: `cargo run -p xmtp-proto-codegen`

use std::process::ExitCode;

fn main() -> ExitCode {
    let schema = xmtp_proto_codegen::schema_dir();
    let out = xmtp_proto_codegen::gen_dir();
    let files = match xmtp_proto_codegen::generate(&schema) {
        Ok(files) => files,
        Err(err) => {
            eprintln!("error: code generation failed: {err}");
            return ExitCode::FAILURE;
        }
    };
    match xmtp_proto_codegen::write_files(&out, &files) {
        Ok(written) if written.is_empty() => {
            println!("proto/src/gen is up to date ({} files)", files.len());
            ExitCode::SUCCESS
        }
        Ok(written) => {
            for name in &written {
                println!("wrote proto/src/gen/{name}");
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: writing proto/src/gen failed: {err}");
            ExitCode::FAILURE
        }
    }
}
