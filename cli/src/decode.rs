//! `xmtp decode`: envelopes + a key bundle in, one JSON line per envelope out.

use std::io::Write;

use xmtp_core::decoder::EnvelopeReader;
use xmtp_core::keys::PrivateKeyBundle;
use xmtp_core::render;

/// Read a key file: base64 text, hex text, or raw bytes of an encoded PrivateKeyBundle.
pub fn load_keys(file: &[u8]) -> Result<PrivateKeyBundle, String> {
    let mut last_err = None;
    let text = std::str::from_utf8(file).ok().map(str::trim).filter(|t| !t.is_empty());
    let candidates = text
        .into_iter()
        .flat_map(|t| [xmtp_core::api::decode_base64(t).ok(), hex::decode(t.trim_start_matches("0x")).ok()])
        .flatten()
        .chain(std::iter::once(file.to_vec()));
    for bytes in candidates {
        match PrivateKeyBundle::from_bytes(&bytes) {
            Ok(k) => return Ok(k),
            Err(e) => last_err = Some(e),
        }
    }
    Err(format!(
        "the key file does not hold a valid private key bundle ({})",
        last_err.map(|e| e.code()).unwrap_or("empty")
    ))
}

/// Decode every envelope of `input` with the keys in `key_file`, writing JSON lines to `out`
/// in the core's envelope shape ([`xmtp_core::render::envelope_json`]).
pub fn run(key_file: &[u8], input: &str, out: &mut impl Write) -> Result<(), String> {
    let keys = load_keys(key_file)?;
    let envelopes = xmtp_core::api::envelopes_from_json(input).map_err(|e| format!("cannot read envelopes: {e}"))?;
    let mut reader = EnvelopeReader::new(keys);
    for (index, envelope) in envelopes.into_iter().enumerate() {
        let line = match envelope {
            Err(e) => render::unreadable_envelope_json(index, &e.into()),
            Ok(envelope) => {
                let (kind, result) = reader.read(&envelope);
                render::envelope_json(index, &envelope, kind, &result)
            }
        };
        writeln!(out, "{line}").map_err(|e| format!("cannot write output: {e}"))?;
    }
    Ok(())
}
