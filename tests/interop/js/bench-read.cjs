"use strict";
// bench-read.cjs --in FILE [--runs N]
//
// Times xmtp-js reading a V2 conversation. FILE is a benchmark corpus as
// written by the Rust example `bench_corpus` (the reader's keys, the
// conversation with its sealed invitation, the contacts, and the message
// envelopes). The envelopes are stored in the in-process test node, the
// reader is restored with `privateKeyOverride`, and the conversation is found
// with `conversations.list()`; none of that is timed. Then, N times (after one
// untimed warm-up), `conversation.messages()` is timed: query, decryption,
// signature and key checks, and content decoding of every message. For
// reference, a bare query of the same envelopes (`client.listEnvelopes` with
// an identity mapper: HTTP + JSON + base64, no decryption) is timed alongside.
//
// Prints one JSON line on stdout (times are medians, in ms per message):
//   {"xmtpjs_ms_per_message": x, "runs": n, "messages": m, "query_ms_per_message": q, ...}

const fs = require("node:fs");
const { performance } = require("node:perf_hooks");
const { startNode } = require("./lib/node.cjs");
const { xmtp, fromB64, parseArgs, run } = require("./lib/common.cjs");

const { Client } = xmtp;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

const round = (x) => Math.round(x * 1e6) / 1e6;

async function main() {
  const args = parseArgs(process.argv.slice(2), ["in"], ["runs"]);
  const runs = args.runs === undefined ? 5 : Number(args.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs: expected a positive integer");
  const input = JSON.parse(fs.readFileSync(args.in, "utf8"));
  const conv = input.conversation;
  if (!input.reader || typeof input.reader.keys !== "string") throw new Error("input: missing reader.keys");
  if (!conv || typeof conv.topic !== "string" || !conv.invite) throw new Error("input: missing conversation");
  if (!Array.isArray(input.envelopes) || input.envelopes.length === 0) throw new Error("input: missing envelopes");
  const n = input.envelopes.length;

  const node = await startNode();
  let client = null;
  try {
    const stored = node.store([...(input.contacts || []), conv.invite, ...input.envelopes]);
    if (stored !== (input.contacts || []).length + 1 + n) throw new Error(`stored only ${stored} envelopes`);

    // A null wallet is fine: the static keystore provider only needs the keys.
    client = await Client.create(null, {
      env: "local",
      apiUrl: node.url,
      privateKeyOverride: fromB64(input.reader.keys),
      skipContactPublishing: true,
    });
    if (input.reader.address && input.reader.address !== client.address) {
      throw new Error(`reader keys belong to ${client.address}, not ${input.reader.address}`);
    }
    const conversation = (await client.conversations.list()).find((c) => c.topic === conv.topic);
    if (!conversation) throw new Error("the reader does not find the conversation");
    if (conversation.peerAddress !== conv.peerAddress) {
      throw new Error(`conversation peer ${conversation.peerAddress}, expected ${conv.peerAddress}`);
    }

    // Warm-up, and a check that everything is read: n text messages from the expected senders.
    const first = await conversation.messages();
    if (first.length !== n) throw new Error(`xmtp-js read ${first.length} of ${n} messages`);
    const senders = new Set(first.map((m) => m.senderAddress));
    if (first.some((m) => m.error || typeof m.content !== "string")) throw new Error("a message did not decode as text");
    if (input.senders && [...input.senders].sort().join() !== [...senders].sort().join()) {
      throw new Error(`unexpected senders ${[...senders].join(", ")}`);
    }
    const query = () => client.listEnvelopes(conversation.topic, async (env) => env);
    if ((await query()).length !== n) throw new Error("the bare query does not return every envelope");

    const readMs = [];
    const queryMs = [];
    for (let i = 0; i < runs; i++) {
      let t = performance.now();
      const got = await conversation.messages();
      readMs.push((performance.now() - t) / n);
      if (got.length !== n) throw new Error(`run ${i}: read ${got.length} of ${n} messages`);
      t = performance.now();
      await query();
      queryMs.push((performance.now() - t) / n);
    }
    const result = {
      xmtpjs_ms_per_message: round(median(readMs)),
      runs,
      messages: n,
      query_ms_per_message: round(median(queryMs)),
      run_ms_per_message: readMs.map(round),
      node: process.version,
    };
    process.stdout.write(JSON.stringify(result) + "\n");
  } finally {
    if (client) await client.close();
    await node.stop();
  }
}

run(main, 900000);
