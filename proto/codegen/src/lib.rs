//! Code generator for `xmtp-proto`.
//!
//! Compiles the `.proto` files under `proto/schema/` with `protox` (a protobuf
//! compiler written in Rust, so no `protoc` is needed), then renders the prost
//! message types and the pbjson serde implementations in memory. The binary
//! writes the result to `proto/src/gen/`; the test in this crate compares it with
//! the checked-in files.
//!
//! Output is reproducible: inputs are sorted, maps are rendered as `BTreeMap`,
//! and files are keyed by name in a `BTreeMap`.

use std::collections::BTreeMap;
use std::error::Error;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use prost::Message as _;

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync + 'static>>;

/// Generated files: file name (no directory) to contents.
pub type Files = BTreeMap<String, String>;

/// Protobuf packages the generated code covers (pbjson type-path prefixes).
const PACKAGES: &[&str] = &[".xmtp.message_api.v1", ".xmtp.message_contents"];

/// Directory holding the `.proto` sources, laid out by package path.
pub fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("schema")
}

/// Directory holding the checked-in generated code.
pub fn gen_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("src").join("gen")
}

/// All `.proto` files below `root`, as `/`-separated paths relative to `root`,
/// sorted so that the compiler always sees the same input order.
pub fn proto_files(root: &Path) -> Result<Vec<String>> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
        for entry in fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if path.extension().is_some_and(|ext| ext == "proto") {
                let rel = path.strip_prefix(root)?;
                let parts: Vec<String> =
                    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                out.push(parts.join("/"));
            }
        }
        Ok(())
    }

    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(format!("no .proto files under {}", root.display()).into());
    }
    Ok(files)
}

/// Compiles every `.proto` file under `schema` and renders the Rust code.
///
/// Returns one `<package>.rs` (prost types) and one `<package>.serde.rs`
/// (pbjson serde implementations) per protobuf package.
pub fn generate(schema: &Path) -> Result<Files> {
    let inputs = proto_files(schema)?;
    let fds = protox::compile(&inputs, [schema])?;
    let descriptor_bytes = fds.encode_to_vec();

    let mut files = Files::new();

    // prost: message types.
    let requests: Vec<_> = fds
        .file
        .into_iter()
        .map(|file| (prost_build::Module::from_protobuf_package_name(file.package()), file))
        .collect();
    let modules = prost_build::Config::new()
        // Deterministic map iteration, hence deterministic encoding.
        .btree_map(["."])
        .generate(requests)?;
    for (module, code) in modules {
        insert_unique(&mut files, module.to_file_name_or("_"), code)?;
    }

    // pbjson: serde in the protobuf JSON mapping (lowerCamelCase names, 64-bit
    // integers as strings, bytes as base64, enums by name).
    let mut builder = pbjson_build::Builder::new();
    builder
        .register_descriptors(&descriptor_bytes)?
        .btree_map(["."])
        // Be lenient with fields a newer node may add to its JSON responses.
        .ignore_unknown_fields();
    let writers = builder.generate(PACKAGES, |_| Ok(Vec::<u8>::new()))?;
    for (package, bytes) in writers {
        let code = String::from_utf8(bytes)?;
        insert_unique(&mut files, format!("{package}.serde.rs"), code)?;
    }

    Ok(files)
}

fn insert_unique(files: &mut Files, name: String, code: String) -> Result<()> {
    if files.insert(name.clone(), code).is_some() {
        return Err(format!("two generated files named {name}").into());
    }
    Ok(())
}

/// The `.rs` files currently in `dir` (missing directory = none).
pub fn read_dir_rs(dir: &Path) -> Result<Files> {
    let mut files = Files::new();
    if !dir.exists() {
        return Ok(files);
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "rs") {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            files.insert(name, fs::read_to_string(&path)?);
        }
    }
    Ok(files)
}

/// Replaces the `.rs` files of `dir` with `files`: writes changed files and
/// removes `.rs` files that are no longer generated. Returns the names written.
pub fn write_files(dir: &Path, files: &Files) -> Result<Vec<String>> {
    fs::create_dir_all(dir)?;
    let existing = read_dir_rs(dir)?;
    for name in existing.keys() {
        if !files.contains_key(name) {
            fs::remove_file(dir.join(name))?;
        }
    }
    let mut written = Vec::new();
    for (name, code) in files {
        if existing.get(name) != Some(code) {
            fs::write(dir.join(name), code)?;
            written.push(name.clone());
        }
    }
    Ok(written)
}

/// Describes how `actual` differs from `expected`; `None` when identical.
pub fn diff(expected: &Files, actual: &Files) -> Option<String> {
    let mut report = String::new();
    for (name, code) in expected {
        match actual.get(name) {
            None => {
                let _ = writeln!(report, "missing: {name}");
            }
            Some(other) if other != code => {
                let line = first_differing_line(code, other);
                let _ = writeln!(report, "differs: {name} (first difference at line {line})");
            }
            Some(_) => {}
        }
    }
    for name in actual.keys() {
        if !expected.contains_key(name) {
            let _ = writeln!(report, "unexpected: {name}");
        }
    }
    (!report.is_empty()).then_some(report)
}

fn first_differing_line(a: &str, b: &str) -> usize {
    let mut lines_a = a.lines();
    let mut lines_b = b.lines();
    let mut n = 1;
    loop {
        match (lines_a.next(), lines_b.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            _ => return n,
        }
    }
}
