#!/usr/bin/env python3
"""Replace two helpers of the Swift bindings that uniffi-bindgen generates, in place.

    scripts/swift-bindings-patch.py XmtpFFI.swift

uniffi 0.32's Swift reader copies every integer (each length, option tag and number of a
record) through Foundation's generic `DataProtocol.copyBytes(to:from:)`, which on Linux costs
about 170 ns a field: a third of the binding's whole overhead when 1,000 messages are read.
This script swaps `readInt` and `readBytes` for versions that load from the buffer directly
(same checks, same errors, same results). It runs on every generation (scripts/swift.sh), so
the checked-in file is always what the generator and this script produce; it fails when the
generated helpers are not the ones it knows, so that an upgrade of uniffi is looked at again.
"""
import sys

ORIGINAL = '''fileprivate func readInt<T: FixedWidthInteger>(_ reader: inout (data: Data, offset: Data.Index)) throws -> T {
    let range = reader.offset..<reader.offset + MemoryLayout<T>.size
    guard reader.data.count >= range.upperBound else {
        throw UniffiInternalError.bufferOverflow
    }
    if T.self == UInt8.self {
        let value = reader.data[reader.offset]
        reader.offset += 1
        return value as! T
    }
    var value: T = 0
    let _ = withUnsafeMutableBytes(of: &value, { reader.data.copyBytes(to: $0, from: range)})
    reader.offset = range.upperBound
    return value.bigEndian
}

// Reads an arbitrary number of bytes, to be used to read
// raw bytes, this is useful when lifting strings
fileprivate func readBytes(_ reader: inout (data: Data, offset: Data.Index), count: Int) throws -> Array<UInt8> {
    let range = reader.offset..<(reader.offset+count)
    guard reader.data.count >= range.upperBound else {
        throw UniffiInternalError.bufferOverflow
    }
    var value = [UInt8](repeating: 0, count: count)
    value.withUnsafeMutableBufferPointer({ buffer in
        reader.data.copyBytes(to: buffer, from: range)
    })
    reader.offset = range.upperBound
    return value
}
'''

REPLACEMENT = '''// (scripts/swift-bindings-patch.py: direct loads instead of Foundation's generic copyBytes.)
fileprivate func readInt<T: FixedWidthInteger>(_ reader: inout (data: Data, offset: Data.Index)) throws -> T {
    let offset = reader.offset
    let size = MemoryLayout<T>.size
    guard offset >= 0, reader.data.count >= offset + size else {
        throw UniffiInternalError.bufferOverflow
    }
    let value = reader.data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    reader.offset = offset + size
    return T(bigEndian: value)
}

// Reads an arbitrary number of bytes, to be used to read
// raw bytes, this is useful when lifting strings
fileprivate func readBytes(_ reader: inout (data: Data, offset: Data.Index), count: Int) throws -> Array<UInt8> {
    let range = reader.offset..<(reader.offset+count)
    guard range.lowerBound >= 0, reader.data.count >= range.upperBound else {
        throw UniffiInternalError.bufferOverflow
    }
    let value = reader.data.withUnsafeBytes { Array($0[range]) }
    reader.offset = range.upperBound
    return value
}
'''


def main() -> int:
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text.count(ORIGINAL) != 1:
        print(f"{path}: uniffi's readInt/readBytes are not the ones this patch replaces "
              "(a new uniffi?): review scripts/swift-bindings-patch.py", file=sys.stderr)
        return 1
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace(ORIGINAL, REPLACEMENT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
