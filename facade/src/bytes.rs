//! [`Bytes`]: every byte string of the host API (envelopes, HTTP bodies and stream lines, keys,
//! raw content), one type so that each crosses a binding in one copy.
//!
//! ## Why not `Vec<u8>`
//! uniffi moves a `Vec<T>` element by element, bounds check included: a `Vec<u8>` of an
//! envelope or of a 600 KB query response is lifted one byte at a time, which cost a Kotlin or
//! Swift read of 1,000 messages about 1 µs per message, a sixth of the binding's whole
//! overhead. `Bytes` has the same layout on the wire (an `i32` length, then the bytes) and the
//! same metadata, so the generated Kotlin (`ByteArray`) and Swift (`Data`) code is unchanged;
//! only the Rust side copies the slice at once. For the JavaScript binding it serializes as a
//! byte string (`Uint8Array`), as `serde_bytes` does.

use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

/// An owned byte string that crosses the bindings in one copy. Converts from and into
/// `Vec<u8>` and reads as a `[u8]`.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bytes(#[serde(with = "serde_bytes")] Vec<u8>);

impl Bytes {
    /// The bytes, as a vector (no copy).
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

/// The length only: bytes may be key material or a user's content.
impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

/// Wiping, for the bytes that are secrets (keys, exported conversations): `Zeroizing<Bytes>`.
impl zeroize::Zeroize for Bytes {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Bytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes(v)
    }
}

impl From<&[u8]> for Bytes {
    fn from(v: &[u8]) -> Self {
        Bytes(v.to_vec())
    }
}

impl From<Bytes> for Vec<u8> {
    fn from(b: Bytes) -> Self {
        b.0
    }
}

impl PartialEq<[u8]> for Bytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.0 == other
    }
}

impl PartialEq<Vec<u8>> for Bytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        &self.0 == other
    }
}

/// The uniffi conversion: `Vec<u8>`'s serialized form and metadata, copied as one slice.
#[cfg(feature = "uniffi")]
mod ffi {
    use uniffi::deps::bytes::{Buf, BufMut};
    use uniffi::{FfiConverter, MetadataBuffer, TypeId};

    use super::Bytes;

    // SAFETY: `FfiType` is the `RustBuffer` that `lower` fills and `try_lift` consumes, the same
    // contract as uniffi's own `Vec<T>`; every read checks the remaining length first.
    unsafe impl<UT> FfiConverter<UT> for Bytes {
        uniffi::ffi_converter_rust_buffer_lift_and_lower!(UT);

        fn write(obj: Bytes, buf: &mut Vec<u8>) {
            // uniffi's limit for a sequence is an `i32` length (its `Vec` panics beyond it). The
            // library's byte strings are bounded far below 2 GiB (message and response limits),
            // so the clamp never applies; it keeps this conversion free of a panic.
            let len = i32::try_from(obj.0.len()).unwrap_or(i32::MAX);
            buf.put_i32(len);
            buf.put_slice(&obj.0[..len as usize]);
        }

        fn try_read(buf: &mut &[u8]) -> uniffi::Result<Bytes> {
            uniffi::check_remaining(buf, 4)?;
            let len = usize::try_from(buf.get_i32())?;
            uniffi::check_remaining(buf, len)?;
            let (bytes, rest) = buf.split_at(len);
            let out = Bytes(bytes.to_vec());
            *buf = rest;
            Ok(out)
        }

        const TYPE_ID_META: MetadataBuffer = <Vec<u8> as TypeId<UT>>::TYPE_ID_META;
    }

    uniffi::derive_ffi_traits!(blanket Bytes);
}

#[cfg(all(test, feature = "uniffi"))]
mod tests {
    use uniffi::{Lift, Lower, RustBuffer, TypeId};

    use super::Bytes;
    use crate::UniFfiTag;

    #[test]
    fn same_wire_form_and_metadata_as_a_vec_of_bytes() {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let mut ours = Vec::new();
        <Bytes as Lower<UniFfiTag>>::write(Bytes(data.clone()), &mut ours);
        let mut theirs = Vec::new();
        <Vec<u8> as Lower<UniFfiTag>>::write(data.clone(), &mut theirs);
        assert_eq!(ours, theirs);
        assert_eq!(
            <Bytes as TypeId<UniFfiTag>>::TYPE_ID_META.as_ref(),
            <Vec<u8> as TypeId<UniFfiTag>>::TYPE_ID_META.as_ref()
        );

        let mut rest: &[u8] = &theirs;
        assert_eq!(<Bytes as Lift<UniFfiTag>>::try_read(&mut rest).unwrap(), data);
        assert!(rest.is_empty());
        let lifted = <Bytes as Lift<UniFfiTag>>::try_lift(RustBuffer::from_vec(theirs)).unwrap();
        assert_eq!(lifted, data);
    }

    #[test]
    fn short_or_negative_lengths_are_errors() {
        for bad in [vec![0, 0, 0, 5, 1, 2], vec![0xff, 0xff, 0xff, 0xff], vec![0, 0]] {
            let mut rest: &[u8] = &bad;
            assert!(<Bytes as Lift<UniFfiTag>>::try_read(&mut rest).is_err(), "{bad:?}");
        }
    }
}
