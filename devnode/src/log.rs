//! Structured logs: one JSON object per line on standard error. Topics and addresses are personal
//! data (topics contain wallet addresses), so they are only ever logged as short hashes.

use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use sha2::{Digest as _, Sha256};

/// Where log lines go.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Logger {
    enabled: bool,
}

impl Logger {
    pub(crate) fn new(enabled: bool) -> Self {
        Self { enabled }
    }

    /// Write one line: `{"ts": <unix ms>, "level", "msg", …fields}`.
    pub(crate) fn line(&self, level: &str, msg: &str, fields: Map<String, Value>) {
        if !self.enabled {
            return;
        }
        let mut out = Map::new();
        let ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
        out.insert("ts".into(), Value::from(u64::try_from(ms).unwrap_or(u64::MAX)));
        out.insert("level".into(), Value::from(level));
        out.insert("msg".into(), Value::from(msg));
        out.extend(fields);
        let mut text = Value::Object(out).to_string();
        text.push('\n');
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

/// A short, stable, non-reversible tag for a topic or an address: the first 4 bytes of its
/// SHA-256, in hex.
pub(crate) fn tag(s: &str) -> String {
    hex::encode(&Sha256::digest(s.as_bytes())[..4])
}

/// A message with every double-quoted part elided: parser messages quote the input they choke on,
/// which may be a topic.
pub(crate) fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.chars() {
        if c == '"' {
            out.push(c);
            quoted = !quoted;
            if quoted {
                out.push('…');
            }
        } else if !quoted {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn redaction() {
        assert_eq!(
            super::redact(r#"invalid type: string "/xmtp/0/contact-0xAB/proto", expected a sequence"#),
            r#"invalid type: string "…", expected a sequence"#
        );
        assert_eq!(super::redact("no quotes"), "no quotes");
        assert_eq!(super::redact(r#"a "b" c "d"#), r#"a "…" c "…"#);
    }

    #[test]
    fn tags_are_short_and_hide_the_input() {
        let t = super::tag("/xmtp/0/contact-0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266/proto");
        assert_eq!(t.len(), 8);
        assert!(!t.contains("f39F"));
        assert_eq!(t, super::tag("/xmtp/0/contact-0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266/proto"));
    }
}
