#!/usr/bin/env python3
"""Replace helpers of the Kotlin bindings that uniffi-bindgen generates, in place.

    scripts/kotlin-bindings-patch.py DIR      (the generated sources: every .kt under DIR)

uniffi 0.32's Kotlin lowers every string through a new `CharsetEncoder` over a `CharBuffer`
view of the string, which walks it a character at a time: about 0.3 us for a 70-character topic,
half of what lowering 1,000 envelopes costs. The replacement encodes with `String.toByteArray`
(the JDK's intrinsic) and keeps the result when it is ASCII: as many bytes as UTF-16 units and
no '?' (the JDK writes a lone surrogate as '?', one byte). Any other string takes the
generated path, so a lone surrogate is still reported (as `CharacterCodingException`, which the
package turns into `InvalidInputException("input.text")`). The script runs on every generation
(scripts/kotlin.sh), and fails when the generated helper is not the one it knows, so that an
upgrade of uniffi is looked at again.
"""
import pathlib
import sys

PATCHES = [
    (
        "FfiConverterString.toUtf8",
        '''    fun toUtf8(value: String): ByteBuffer {
        // Make sure we don't have invalid UTF-16, check for lone surrogates.
        return Charsets.UTF_8.newEncoder().run {
            onMalformedInput(CodingErrorAction.REPORT)
            encode(CharBuffer.wrap(value))
        }
    }''',
        '''    fun toUtf8(value: String): ByteBuffer {
        // (scripts/kotlin-bindings-patch.py: ASCII through the JDK's intrinsic encoder. As many
        // bytes as UTF-16 units means one byte each: ASCII, or a lone surrogate the JDK turned
        // into '?'. Without a '?' it is ASCII; with one, the checking encoder decides.)
        val ascii = value.toByteArray(Charsets.UTF_8)
        if (ascii.size == value.length && ascii.indexOf(63.toByte()) < 0) return ByteBuffer.wrap(ascii)
        // Make sure we don't have invalid UTF-16, check for lone surrogates.
        return Charsets.UTF_8.newEncoder().run {
            onMalformedInput(CodingErrorAction.REPORT)
            encode(CharBuffer.wrap(value))
        }
    }''',
    ),
]


def main() -> int:
    files = sorted(pathlib.Path(sys.argv[1]).rglob("*.kt"))
    texts = {f: f.read_text(encoding="utf-8") for f in files}
    for name, original, replacement in PATCHES:
        hits = [f for f, t in texts.items() if original in t]
        if len(hits) != 1 or texts[hits[0]].count(original) != 1:
            print(f"{sys.argv[1]}: uniffi's {name} is not the one this patch replaces "
                  "(a new uniffi?): review scripts/kotlin-bindings-patch.py", file=sys.stderr)
            return 1
        texts[hits[0]] = texts[hits[0]].replace(original, replacement)
    for f, t in texts.items():
        f.write_text(t, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
