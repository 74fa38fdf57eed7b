#!/usr/bin/env bash
# Side-by-side benchmark of every host on the same generated data, in one run:
#
#   scripts/bench-hosts.sh            full run: writes docs/bench.json, docs/bench.md and the
#                                     chart docs/bench.svg (the README shows the last two)
#   scripts/bench-hosts.sh --quick    a regression guard in seconds: fewer messages and runs,
#                                     no files written; fails when a ratio misses its target
#
# Rows: the Rust core (single thread, and the engine's parallel batch path for reading) and
# @xmtp/xmtp-js@13.0.4 in Node; one bare k256 verification is the floor. Operations: reading a
# V2 conversation (ms per message), preparing one message (encode, sign, encrypt), sealing and
# opening an invitation, creating an identity (wallet signatures included), and the peak
# resident memory of a process that reads a 10,000-message conversation (the corpus it loads
# included). Hosts that are not built on this machine yet have no row.
#
# Needs cargo, Node.js >= 20 and npm (the xmtp-js harness is set up with npm ci); the chart needs
# python3 and matplotlib (installed with pip into a cache directory when missing).
set -euo pipefail

quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  "") ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
js="$root/tests/interop/js"
cd "$root"
if [[ ! -d $js/node_modules/@xmtp/xmtp-js ]]; then
  (cd "$js" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

if ((quick)); then
  messages=200; rust_runs=10; js_runs=3; op_runs=5; rss_messages=0
else
  messages=1000; rust_runs=30; js_runs=5; op_runs=30; rss_messages=10000
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== building the benchmark examples (release)" >&2
ex="$root/target/release/examples"
cargo build --release -q -p xmtp-core --features parallel --example bench_ops >&2
cp "$ex/bench_ops" "$tmp/bench_ops_parallel"
cargo build --release -q -p xmtp-core --example bench_corpus --example bench_read --example bench_ops >&2
"$ex/bench_corpus" --out "$tmp/corpus.json" --messages "$messages" >&2
rss_args=()
js_rss_args=()
if ((rss_messages > 0)); then
  "$ex/bench_corpus" --out "$tmp/corpus-rss.json" --messages "$rss_messages" >&2
  rss_args=(--rss-corpus "$tmp/corpus-rss.json")
  js_rss_args=(--rss 1)
fi

echo "== Rust core" >&2
"$ex/bench_read" --in "$tmp/corpus.json" --runs "$rust_runs" >"$tmp/rust-read.json"
"$ex/bench_ops" --runs "$op_runs" "${rss_args[@]}" >"$tmp/rust-ops.json"
"$tmp/bench_ops_parallel" --runs "$rust_runs" --read-corpus "$tmp/corpus.json" >"$tmp/rust-parallel.json"
echo "== xmtp-js 13.0.4" >&2
(cd "$js" && node bench-read.cjs --in "$tmp/corpus.json" --runs "$js_runs") >"$tmp/js-read.json"
if ((rss_messages > 0)); then
  (cd "$js" && node bench-ops.cjs --in "$tmp/corpus-rss.json" --runs "$op_runs" "${js_rss_args[@]}") >"$tmp/js-ops.json"
else
  (cd "$js" && node bench-ops.cjs --in "$tmp/corpus.json" --runs "$op_runs") >"$tmp/js-ops.json"
fi

# The packages (full mode): the npm package beside xmtp-js in one Node process (reading through
# conversation.messages(), preparing, sending), and the bindings' read overhead over the Rust
# facade in the same run (Kotlin on the JVM; Swift when its script is there).
if ((quick == 0)); then
  echo "== npm package (Node)" >&2
  "$root/scripts/js.sh" --bench --runs "$js_runs" | tail -1 >"$tmp/host-npm.json"
  echo "== Kotlin (JVM)" >&2
  "$root/scripts/kotlin.sh" --bench | grep '_ms_per_message' >"$tmp/host-kotlin.jsonl"
  if [[ -x $root/scripts/swift.sh ]]; then
    echo "== Swift" >&2
    "$root/scripts/swift.sh" --bench | grep '_ms_per_message' >"$tmp/host-swift.jsonl"
  fi
fi

# Targets: the guard fails when a ratio misses one.
# (A missed target still writes the results and the chart; the exit status says it.)
status=0
node - "$tmp" "$quick" "$root/docs" <<'EOF' || status=$?
const fs = require("node:fs");
const [dir, quick, docs] = [process.argv[2], process.argv[3] === "1", process.argv[4]];
const read = (f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
const rustRead = read("rust-read.json"), rustOps = read("rust-ops.json"), rustPar = read("rust-parallel.json");
const jsRead = read("js-read.json"), jsOps = read("js-ops.json");
const rows = [
  { short: "read", op: `read a V2 conversation (${rustRead.messages} messages), ms/message`, rust: rustRead.rust_ms_per_message, js: jsRead.xmtpjs_ms_per_message, target: 100 },
  { short: "read, parallel", op: `read through the engine, parallel batch (${rustPar.read_batch.messages} messages), ms/message`, rust: rustPar.read_batch.median_ms, js: jsRead.xmtpjs_ms_per_message, target: 100 },
  { short: "prepare a message", op: "prepare one message, ms", rust: rustOps.prepare_message.median_ms, js: jsOps.prepare_message.median_ms, target: 5 },
  { short: "seal + open invitation", op: "seal and open an invitation, ms", rust: rustOps.invitation_seal_open.median_ms, js: jsOps.invitation_seal_open.median_ms, target: 5 },
  { short: "create identity", op: "create an identity, ms", rust: rustOps.create_identity.median_ms, js: jsOps.create_identity.median_ms, target: 5 },
];
if (rustOps.sync_memory && jsOps.sync_memory) {
  rows.push({ short: "peak memory", op: `peak memory reading ${rustOps.sync_memory.messages} messages, MiB`, rust: rustOps.sync_memory.peak_rss_kib / 1024, js: jsOps.sync_memory.peak_rss_kib / 1024, target: 2 });
}
const floorRatio = rustRead.rust_ms_per_message / rustRead.k256_verify_ms;
const checks = rows.map((r) => ({ what: `${r.op}: xmtp-js ÷ Rust`, value: r.js / r.rust, target: `>= ${r.target}`, ok: r.js / r.rust >= r.target }));
checks.push({ what: "Rust read per message ÷ one k256 verification", value: floorRatio, target: "<= 0.4", ok: floorRatio <= 0.4 });
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(2) : x.toPrecision(3));
const lines = [
  "| operation | Rust core | xmtp-js 13.0.4 | xmtp-js ÷ Rust |",
  "| --- | ---: | ---: | ---: |",
  ...rows.map((r) => `| ${r.op} | ${fmt(r.rust)} | ${fmt(r.js)} | ${fmt(r.js / r.rust)}× |`),
  `| floor: one bare k256 verification, ms | ${fmt(rustRead.k256_verify_ms)} | | Rust read ÷ floor: ${fmt(floorRatio)} |`,
];
// The packages' rows (full mode only).
const optional = (f) => (fs.existsSync(`${dir}/${f}`) ? fs.readFileSync(`${dir}/${f}`, "utf8").trim() : "");
const jsonl = (f) => Object.assign({}, ...optional(f).split("\n").filter(Boolean).map((l) => JSON.parse(l)));
const hosts = [];
const npm = optional("host-npm.json") ? JSON.parse(optional("host-npm.json")) : undefined;
for (const [name, file, key] of [["Kotlin (JVM)", "host-kotlin.jsonl", "kotlin_ms_per_message"], ["Swift", "host-swift.jsonl", "swift_ms_per_message"]]) {
  const m = jsonl(file);
  if (m[key] !== undefined && m.facade_ms_per_message !== undefined) {
    hosts.push({ host: name, ms: m[key], facade: m.facade_ms_per_message });
    checks.push({ what: `${name} read overhead over the Rust facade`, value: m[key] / m.facade_ms_per_message, target: "<= 1.2", ok: m[key] / m.facade_ms_per_message <= 1.2 });
  }
}
if (npm) {
  checks.push({ what: "npm package read: xmtp-js ÷ xmtp-rs, same Node process", value: npm.read_ratio, target: ">= 15", ok: npm.read_ratio >= 15 });
}
if (hosts.length || npm) {
  lines.push("", "| package | operation | ms | vs |", "| --- | --- | ---: | ---: |");
  for (const h of hosts) lines.push(`| ${h.host} | decrypt 1000 V2 messages (decryptBatch), per message | ${fmt(h.ms)} | ${fmt(h.ms / h.facade)}× the Rust facade (${fmt(h.facade)}) |`);
  if (npm) {
    lines.push(`| npm package (Node) | read 1000 V2 messages (conversation.messages()), per message | ${fmt(npm.read_ms_per_message.xmtprs)} | xmtp-js ${fmt(npm.read_ms_per_message.xmtpjs)}: ${fmt(npm.read_ratio)}× |`);
    lines.push(`| npm package (Node) | prepare one message | ${fmt(npm.prepare_ms_per_message.xmtprs)} | xmtp-js ${fmt(npm.prepare_ms_per_message.xmtpjs)}: ${fmt(npm.prepare_ratio)}× |`);
    lines.push(`| npm package (Node) | send one message (one HTTP round trip: ${fmt(npm.http_round_trip_ms)} ms) | ${fmt(npm.send_ms_per_message.xmtprs)} | xmtp-js ${fmt(npm.send_ms_per_message.xmtpjs)}: ${fmt(npm.send_ratio)}× |`);
  }
}
const result = {
  machine: { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: require("node:os").cpus().length },
  rust: { read: rustRead, ops: rustOps, parallel: rustPar },
  xmtpjs: { read: jsRead, ops: jsOps },
  packages: { npm, hosts },
  rows, checks,
};
console.log(lines.join("\n"));
for (const c of checks) console.log(`${c.ok ? "ok    " : "MISSED"} ${c.what}: ${fmt(c.value)} (target ${c.target})`);
if (!quick) {
  fs.mkdirSync(docs, { recursive: true });
  fs.writeFileSync(`${docs}/bench.json`, JSON.stringify(result, null, 2) + "\n");
  fs.writeFileSync(`${docs}/bench.md`, lines.join("\n") + "\n");
}
const passed = checks.filter((c) => c.ok).length;
console.log(`bench: ${passed} passed, ${checks.length - passed} failed`);
process.exit(checks.every((c) => c.ok) ? 0 : 1);
EOF

if ((quick == 0)); then
  echo "== chart" >&2
  "$root/scripts/bench-chart.sh" "$root/docs/bench.json" "$root/docs/bench.svg"
fi
exit "$status"
