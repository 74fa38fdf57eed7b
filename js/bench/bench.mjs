// The npm package side by side with @xmtp/xmtp-js 13.0.4, in one Node process, on the same
// data served by the same in-process message-API node (tests/interop/js/lib/node.cjs):
//
// - read: `conversation.messages()` of one V2 conversation of N text messages (query,
//   decryption, signature and key checks, content decoding), median of R runs after a warm-up;
// - send: `conversation.send(text)` of S messages in a row (encoding, signing, encryption,
//   publishing), per message;
// - prepare: `conversation.prepareMessage(text)` (the same without publishing: the client's own
//   work, which sending adds to one HTTP round trip);
// - floor: one bare `fetch` round trip to the same node (what every send pays, in any client).
//
//   node js/bench/bench.mjs --corpus FILE [--runs R] [--sends S] [--min-read X] [--min-send Y]
//                           [--min-prepare Z]
//
// FILE is written by the Rust example `bench_corpus` (scripts/js.sh --bench makes it). Prints
// one JSON line; with --min-read/--min-send/--min-prepare, exits 1 when a ratio (xmtp-js time ÷
// xmtp-rs time) is below its floor.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const harness = join(root, "tests", "interop", "js");
const require = createRequire(join(harness, "package.json"));
const { Client: JsClient } = require("@xmtp/xmtp-js");
const { startNode } = require("./lib/node.cjs");
const { Client } = await import(join(root, "js", "dist", "index.js"));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}
const corpusFile = arg("corpus");
if (!corpusFile) {
  console.error("usage: bench.mjs --corpus FILE [--runs R] [--sends S] [--min-read X] [--min-send Y]");
  process.exit(2);
}
const runs = Number(arg("runs", "5"));
const sends = Number(arg("sends", "50"));
const minRead = arg("min-read") === undefined ? undefined : Number(arg("min-read"));
const minSend = arg("min-send") === undefined ? undefined : Number(arg("min-send"));
const minPrepare = arg("min-prepare") === undefined ? undefined : Number(arg("min-prepare"));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fromB64 = (s) => Uint8Array.from(Buffer.from(s, "base64"));

async function timeRead(read, n) {
  const first = await read();
  if (first.length !== n) throw new Error(`read ${first.length} of ${n} messages`);
  if (first.some((m) => typeof m.content !== "string")) throw new Error("a message did not decode as text");
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const got = await read();
    ms.push((performance.now() - t) / n);
    if (got.length !== n) throw new Error(`run ${i}: read ${got.length} of ${n}`);
  }
  return median(ms);
}

async function timeSend(send) {
  await send(-1); // warm-up
  const t = performance.now();
  for (let i = 0; i < sends; i++) await send(i);
  return (performance.now() - t) / sends;
}

const input = JSON.parse(readFileSync(corpusFile, "utf8"));
const conv = input.conversation;
const n = input.envelopes.length;
const node = await startNode();
let js;
let rs;
try {
  node.store([...(input.contacts ?? []), conv.invite, ...input.envelopes]);
  const keys = fromB64(input.reader.keys);

  js = await JsClient.create(null, { env: "local", apiUrl: node.url, privateKeyOverride: keys, skipContactPublishing: true });
  const jsConv = (await js.conversations.list()).find((c) => c.topic === conv.topic);
  rs = await Client.fromKeys(keys, { apiUrl: node.url });
  const rsConv = (await rs.conversations.list()).find((c) => c.topic === conv.topic);
  if (!jsConv || !rsConv) throw new Error("a reader does not find the conversation");

  // Interleaved, so that both see the same machine state.
  const jsRead = await timeRead(() => jsConv.messages(), n);
  const rsRead = await timeRead(() => rsConv.messages(), n);
  const jsSend = await timeSend((i) => jsConv.send(`js ${i}`));
  const rsSend = await timeSend((i) => rsConv.send(`rs ${i}`));
  const jsPrepare = await timeSend((i) => jsConv.prepareMessage(`js ${i}`));
  const rsPrepare = await timeSend((i) => rsConv.prepareMessage(`rs ${i}`));
  const floor = await timeSend(async () => {
    const res = await fetch(`${node.url}/message/v1/query`, { method: "POST", body: '{"contentTopics":["x"]}' });
    await res.arrayBuffer();
  });

  const round = (x) => Math.round(x * 1e4) / 1e4;
  const result = {
    messages: n,
    runs,
    sends,
    read_ms_per_message: { xmtpjs: round(jsRead), xmtprs: round(rsRead) },
    read_ratio: round(jsRead / rsRead),
    send_ms_per_message: { xmtpjs: round(jsSend), xmtprs: round(rsSend) },
    send_ratio: round(jsSend / rsSend),
    prepare_ms_per_message: { xmtpjs: round(jsPrepare), xmtprs: round(rsPrepare) },
    prepare_ratio: round(jsPrepare / rsPrepare),
    http_round_trip_ms: round(floor),
    node: process.version,
  };
  console.log(JSON.stringify(result));
  let ok = true;
  if (minRead !== undefined && result.read_ratio < minRead) {
    console.error(`bench: reading is ${result.read_ratio}x xmtp-js, below the floor of ${minRead}x`);
    ok = false;
  }
  if (minSend !== undefined && result.send_ratio < minSend) {
    console.error(`bench: sending is ${result.send_ratio}x xmtp-js, below the floor of ${minSend}x`);
    ok = false;
  }
  if (minPrepare !== undefined && result.prepare_ratio < minPrepare) {
    console.error(`bench: preparing a message is ${result.prepare_ratio}x xmtp-js, below the floor of ${minPrepare}x`);
    ok = false;
  }
  process.exitCode = ok ? 0 : 1;
} finally {
  rs?.close();
  await js?.close();
  await node.stop();
}
