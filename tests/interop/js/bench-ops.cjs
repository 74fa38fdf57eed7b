"use strict";
// bench-ops.cjs --in FILE [--runs N] [--rss]
//
// Times xmtp-js on the operations the Rust example `bench_ops` times, for the side-by-side host
// benchmark (scripts/bench-hosts.sh): creating an identity (PrivateKeyBundleV1.generate with a
// local ethers wallet: its two signatures included), sealing and opening an invitation
// (SealedInvitation.createV1, then fromBytes + getInvitation by the recipient), and preparing one
// message of a V2 conversation (conversation.prepareMessage: encode, sign, encrypt; nothing is
// published). FILE is a corpus from `bench_corpus`: its reader and conversation are loaded into
// the in-process test node (untimed). With --rss, the peak resident set while reading all of the
// corpus's messages (conversation.messages()) is reported too.
//
// Prints one JSON line: per operation {median_ms, min_ms, max_ms, runs}.

const fs = require("node:fs");
const { performance } = require("node:perf_hooks");
const { Wallet } = require("ethers");
const { startNode } = require("./lib/node.cjs");
const { xmtp, fromB64, parseArgs, run } = require("./lib/common.cjs");

const { Client, PrivateKeyBundleV1, PrivateKeyBundleV2, SealedInvitation, InvitationV1 } = xmtp;

async function time(runs, f) {
  await f();
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await f();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const n = ms.length;
  const median = n % 2 ? ms[(n - 1) / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  return { median_ms: median, min_ms: ms[0], max_ms: ms[n - 1], runs };
}

async function main() {
  const args = parseArgs(process.argv.slice(2), ["in"], ["runs", "rss"]);
  const runs = args.runs === undefined ? 20 : Number(args.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs: expected a positive integer");
  const input = JSON.parse(fs.readFileSync(args.in, "utf8"));

  const createIdentity = await time(runs, async () => {
    await PrivateKeyBundleV1.generate(Wallet.createRandom());
  });

  const alice = PrivateKeyBundleV2.fromLegacyBundle(await PrivateKeyBundleV1.generate(Wallet.createRandom()));
  const bob = PrivateKeyBundleV2.fromLegacyBundle(await PrivateKeyBundleV1.generate(Wallet.createRandom()));
  const sealOpen = await time(runs, async () => {
    const sealed = await SealedInvitation.createV1({
      sender: alice,
      recipient: bob.getPublicKeyBundle(),
      created: new Date(),
      invitation: InvitationV1.createRandom(),
    });
    const opened = SealedInvitation.fromBytes(sealed.toBytes());
    await opened.v1.getInvitation(bob);
  });

  const node = await startNode();
  let client = null;
  const out = { create_identity: createIdentity, invitation_seal_open: sealOpen };
  try {
    const conv = input.conversation;
    node.store([...(input.contacts || []), conv.invite, ...input.envelopes]);
    client = await Client.create(null, {
      env: "local",
      apiUrl: node.url,
      privateKeyOverride: fromB64(input.reader.keys),
      skipContactPublishing: true,
    });
    const conversation = (await client.conversations.list()).find((c) => c.topic === conv.topic);
    if (!conversation) throw new Error("the reader does not find the conversation");
    out.prepare_message = await time(runs, async () => {
      await conversation.prepareMessage("hello, alice");
    });
    if (args.rss !== undefined) {
      const got = await conversation.messages();
      if (got.length !== input.envelopes.length) throw new Error(`read ${got.length} of ${input.envelopes.length}`);
      const status = fs.readFileSync("/proc/self/status", "utf8");
      const kib = Number(/VmHWM:\s+(\d+)/.exec(status)[1]);
      out.sync_memory = { messages: got.length, peak_rss_kib: kib };
    }
  } finally {
    if (client) await client.close();
    await node.stop();
  }
  process.stdout.write(JSON.stringify(out) + "\n");
}

run(main, 900000);
