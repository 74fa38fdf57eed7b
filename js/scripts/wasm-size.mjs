// Prints what a .wasm's code is made of: the bytes of function bodies grouped by crate (the
// first path segment of each function's name, from the name section), largest first.
//
//   node js/scripts/wasm-size.mjs FILE.wasm [TOP]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: wasm-size.mjs FILE.wasm [TOP]");
  process.exit(2);
}
const bytes = readFileSync(file);
let pos = 8;
const leb = () => {
  let result = 0, shift = 0, b;
  do {
    b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return result;
};
let imported = 0;
const bodies = [];
const names = new Map();
const sections = new Map();
while (pos < bytes.length) {
  const id = bytes[pos++];
  const size = leb();
  const end = pos + size;
  let label = String(id);
  if (id === 0) {
    const n = leb();
    label = "custom:" + bytes.subarray(pos, pos + n).toString();
    if (label === "custom:name") {
      pos += n;
      while (pos < end) {
        const sub = bytes[pos++];
        const len = leb();
        const subEnd = pos + len;
        if (sub === 1) {
          const count = leb();
          for (let i = 0; i < count; i++) {
            const idx = leb();
            const l = leb();
            names.set(idx, bytes.subarray(pos, pos + l).toString());
            pos += l;
          }
        }
        pos = subEnd;
      }
    }
  } else if (id === 2) {
    const count = leb();
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < 2; k++) pos += leb();
      const kind = bytes[pos++];
      if (kind === 0) { leb(); imported++; }
      else if (kind === 1) { pos++; const f = bytes[pos++]; leb(); if (f & 1) leb(); }
      else if (kind === 2) { const f = bytes[pos++]; leb(); if (f & 1) leb(); }
      else if (kind === 3) { pos += 2; }
      else break;
    }
  } else if (id === 10) {
    const count = leb();
    for (let i = 0; i < count; i++) {
      const len = leb();
      bodies.push(len);
      pos += len;
    }
  }
  sections.set(label, (sections.get(label) ?? 0) + size);
  pos = end;
}
const byCrate = new Map();
bodies.forEach((len, i) => {
  const name = names.get(i + imported) ?? "?";
  const m = /^[<&*\s]*(?:dyn\s+|mut\s+)?([A-Za-z_][A-Za-z0-9_]*)/.exec(name);
  const crate = m ? m[1] : "?";
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + len);
});
const total = bodies.reduce((a, b) => a + b, 0);
const top = Number(topArg ?? 15);
console.log(`wasm-size: ${file}: ${bytes.length} bytes; code ${total} bytes in ${bodies.length} functions`);
for (const [crate, len] of [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${crate.padEnd(24)} ${String(len).padStart(8)}  ${((100 * len) / total).toFixed(1)}%`);
}
const data = sections.get("11") ?? 0;
console.log(`  (data segments: ${data} bytes)`);
