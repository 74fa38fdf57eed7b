//! Decompression (deflate and gzip, with the size cap) of arbitrary input, and the round trip
//! of arbitrary input through compression.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xmtp_core::content::compression::{compress, decompress};
use xmtp_core::content::Compression;

const MAX: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let algo = if pick & 1 == 0 { Compression::Deflate } else { Compression::Gzip };
    if let Ok(out) = decompress(rest, algo, MAX) {
        assert!(out.len() <= MAX);
    }
    let _ = decompress(rest, algo, usize::from(pick));
    let packed = compress(rest, algo);
    assert_eq!(decompress(&packed, algo, rest.len()).expect("round trip"), rest);
    let _ = Compression::from_wire(i32::from(pick) - 128);
});
