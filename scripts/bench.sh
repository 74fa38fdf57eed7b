#!/usr/bin/env bash
# Side-by-side read benchmark: the Rust core vs xmtp-js 13.0.4 on the same V2 conversation.
#
#   scripts/bench.sh [--messages N] [--rust-runs N] [--js-runs N]
#
# Builds the `bench_corpus` and `bench_read` examples in release, writes a corpus (one V2
# conversation of N text messages from two senders, default 1000) into a temporary directory,
# reads it with the core (bench_read) and with xmtp-js (tests/interop/js/bench-read.cjs), and
# prints both results and the ratios:
#   - rust ms/message (signatures verified in one batch) ÷ one bare k256 verification (target ≤ 0.3);
#   - xmtp-js ms/message ÷ rust ms/message (target ≥ 30), also without xmtp-js's query time.
# Requires cargo, Node.js ≥ 20 and npm; runs `npm ci` in tests/interop/js if needed.
set -euo pipefail

messages=1000
rust_runs=30
js_runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages="$2"; shift 2 ;;
    --rust-runs) rust_runs="$2"; shift 2 ;;
    --js-runs) js_runs="$2"; shift 2 ;;
    *) echo "usage: $0 [--messages N] [--rust-runs N] [--js-runs N]" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
js="$root/tests/interop/js"
for tool in cargo node npm; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 1; }
done

if [ ! -d "$js/node_modules/@xmtp/xmtp-js" ]; then
  echo "== npm ci (tests/interop/js)" >&2
  (cd "$js" && npm ci --no-audit --no-fund >&2)
fi

echo "== building the examples (release)" >&2
(cd "$root" && cargo build --release -p xmtp-core --example bench_corpus --example bench_read >&2)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$root"
echo "== writing the corpus ($messages messages)" >&2
cargo run --release -q -p xmtp-core --example bench_corpus -- --out "$tmp/corpus.json" --messages "$messages" >&2
echo "== reading with the Rust core ($rust_runs runs)" >&2
cargo run --release -q -p xmtp-core --example bench_read -- --in "$tmp/corpus.json" --runs "$rust_runs" >"$tmp/rust.json"
echo "== reading with xmtp-js ($js_runs runs)" >&2
(cd "$js" && node bench-read.cjs --in "$tmp/corpus.json" --runs "$js_runs") >"$tmp/js.json"

node - "$tmp/rust.json" "$tmp/js.json" <<'EOF'
const fs = require("node:fs");
const rust = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const js = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const f = (x, d = 4) => x.toFixed(d);
const verdict = (ok) => (ok ? "ok" : "MISSED");
const perVerify = rust.rust_ms_per_message / rust.k256_verify_ms;
const speedup = js.xmtpjs_ms_per_message / rust.rust_ms_per_message;
const speedupNoQuery = (js.xmtpjs_ms_per_message - js.query_ms_per_message) / rust.rust_ms_per_message;
console.log(JSON.stringify({ rust, xmtpjs: js }));
console.log(`messages                     ${rust.messages}`);
console.log(`rust      read               ${f(rust.rust_ms_per_message)} ms/message (median of ${rust.runs} runs)`);
console.log(`rust      bare k256 verify   ${f(rust.k256_verify_ms)} ms`);
console.log(`xmtp-js   messages()         ${f(js.xmtpjs_ms_per_message)} ms/message (median of ${js.runs} runs)`);
console.log(`xmtp-js   bare query         ${f(js.query_ms_per_message)} ms/message`);
console.log(`rust read / k256 verify      ${f(perVerify, 3)}  (target <= 0.3: ${verdict(perVerify <= 0.3)})`);
console.log(`xmtp-js / rust               ${f(speedup, 1)}x  (target >= 30x: ${verdict(speedup >= 30)})`);
console.log(`xmtp-js without query / rust ${f(speedupNoQuery, 1)}x`);
EOF
