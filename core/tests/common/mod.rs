//! Shared helpers for the integration tests: vector loading and a scripted RNG.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::PathBuf;

use rand_core::{CryptoRng, RngCore};
use serde_json::Value;

/// Load a JSON file from the repository's `tests/vectors/`.
pub fn vectors(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).expect("vector file is JSON")
}

/// Decode hex, tolerating a `0x` prefix.
pub fn hx(v: &Value) -> Vec<u8> {
    let s = v.as_str().unwrap_or_else(|| panic!("expected a hex string, got {v}"));
    hex::decode(s.strip_prefix("0x").unwrap_or(s)).expect("valid hex")
}

/// A string field.
pub fn st(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("expected a string, got {v}"))
}

/// A u64 given as a number or a decimal string.
pub fn num(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| st(v).parse().expect("decimal"))
}

/// An RNG that hands out scripted bytes, in order, and fails the test when it runs dry.
/// Lets known-answer tests fix salts, nonces and keys that the code under test draws.
pub struct ScriptedRng(VecDeque<u8>);

impl ScriptedRng {
    pub fn new(parts: &[&[u8]]) -> Self {
        Self(parts.iter().flat_map(|p| p.iter().copied()).collect())
    }
    pub fn remaining(&self) -> usize {
        self.0.len()
    }
}

impl RngCore for ScriptedRng {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for d in dest {
            *d = self.0.pop_front().expect("scripted RNG ran out of bytes");
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for ScriptedRng {}
