//! The checked-in generated code must match what the generator produces now.

use xmtp_proto_codegen::{diff, gen_dir, generate, read_dir_rs, schema_dir, write_files};

#[test]
fn checked_in_code_is_up_to_date() {
    let fresh = generate(&schema_dir()).expect("code generation failed");
    let checked_in = read_dir_rs(&gen_dir()).expect("reading proto/src/gen failed");
    if let Some(report) = diff(&fresh, &checked_in) {
        panic!(
            "proto/src/gen is stale: it does not match proto/schema.\n{report}\
             Regenerate with `cargo run -p xmtp-proto-codegen` and commit the result."
        );
    }
}

#[test]
fn generation_is_reproducible() {
    let first = generate(&schema_dir()).expect("first generation failed");
    let second = generate(&schema_dir()).expect("second generation failed");
    assert_eq!(diff(&first, &second), None, "two runs gave different output");
}

#[test]
fn written_files_read_back_identically() {
    let files = generate(&schema_dir()).expect("code generation failed");
    let dir = std::env::temp_dir().join(format!(
        "xmtp-proto-codegen-test-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default()
    ));
    let written = write_files(&dir, &files).expect("writing to a temporary directory failed");
    assert_eq!(written.len(), files.len());
    let back = read_dir_rs(&dir).expect("reading back failed");
    // A second write of the same files must change nothing.
    let rewritten = write_files(&dir, &files).expect("second write failed");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(diff(&files, &back), None);
    assert!(rewritten.is_empty(), "second write changed {rewritten:?}");
}
