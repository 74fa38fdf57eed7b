//! Content compression (facts §12.1): DEFLATE means the zlib format (RFC 1950); GZIP is RFC 1952.
//!
//! Decompression is bounded: it stops reading one byte past the cap, so a bomb costs at most the
//! cap in memory and the time to inflate that much.

use std::io::{Read, Write};

use flate2::read::{GzDecoder, ZlibDecoder};
use flate2::write::{GzEncoder, ZlibEncoder};

use super::ContentError;

/// Default cap on decompressed content: 8 MiB. Larger content is rejected with
/// [`ContentError::TooLarge`]. (xmtp-js 13 itself refuses anything above 1000 bytes.)
pub const DEFAULT_MAX_DECOMPRESSED: usize = 8 * 1024 * 1024;

/// Senders compress only content of at least this many bytes (as xmtp-js does).
pub const MIN_COMPRESS_LEN: usize = 10;

/// A compression algorithm, with the wire values of the `Compression` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// zlib-wrapped DEFLATE (wire value 0).
    Deflate,
    /// gzip (wire value 1).
    Gzip,
}

impl Compression {
    /// The wire value.
    pub fn to_wire(self) -> i32 {
        match self {
            Self::Deflate => 0,
            Self::Gzip => 1,
        }
    }
    /// From the wire value.
    pub fn from_wire(v: i32) -> Result<Self, ContentError> {
        match v {
            0 => Ok(Self::Deflate),
            1 => Ok(Self::Gzip),
            _ => Err(ContentError::UnsupportedCompression),
        }
    }
}

/// Compress `data`.
#[allow(clippy::expect_used)] // writing into a Vec cannot fail
pub fn compress(data: &[u8], algo: Compression) -> Vec<u8> {
    let level = flate2::Compression::default();
    match algo {
        Compression::Deflate => {
            let mut e = ZlibEncoder::new(Vec::new(), level);
            e.write_all(data).expect("writing to a Vec cannot fail");
            e.finish().expect("writing to a Vec cannot fail")
        }
        Compression::Gzip => {
            let mut e = GzEncoder::new(Vec::new(), level);
            e.write_all(data).expect("writing to a Vec cannot fail");
            e.finish().expect("writing to a Vec cannot fail")
        }
    }
}

/// Decompress `data`, refusing output larger than `max` bytes.
pub fn decompress(data: &[u8], algo: Compression, max: usize) -> Result<Vec<u8>, ContentError> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    let read = match algo {
        Compression::Deflate => ZlibDecoder::new(data).take(limit).read_to_end(&mut out),
        Compression::Gzip => GzDecoder::new(data).take(limit).read_to_end(&mut out),
    };
    read.map_err(|_| ContentError::Decompression)?;
    if out.len() > max {
        return Err(ContentError::TooLarge);
    }
    Ok(out)
}
