"use strict";
// consume.cjs --in FILE [--out FILE] [--expect FILE]
//
// Loads envelopes into an in-process message-API node (timestamps kept),
// restores each identity in xmtp-js from its exported PrivateKeyBundle and
// writes what each client reads back. With --expect, compares the result with
// the `expected` member of that file and exits non-zero on any difference.
// See README.md for the formats.

const fs = require("node:fs");
const assert = require("node:assert");
const { startNode } = require("./lib/node.cjs");
const { xmtp, standardCodecs, clientOptions, fromB64, readBack, parseArgs, writeJson, run } = require(
  "./lib/common.cjs",
);

const { Client } = xmtp;

async function main() {
  const args = parseArgs(process.argv.slice(2), ["in"], ["out", "expect"]);
  const input = JSON.parse(fs.readFileSync(args.in, "utf8"));
  if (!input.identities || typeof input.identities !== "object") throw new Error("input: missing identities");
  if (!Array.isArray(input.envelopes)) throw new Error("input: missing envelopes");
  const attachments = input.attachments || {};

  const node = await startNode();
  const result = {};
  try {
    const stored = node.store(input.envelopes);
    const codecs = await standardCodecs();
    for (const [name, identity] of Object.entries(input.identities)) {
      if (typeof identity.keys !== "string") throw new Error(`input: identity ${name} has no keys`);
      // A null wallet is fine: the static keystore provider only needs the keys.
      const client = await Client.create(
        null,
        clientOptions(node.url, codecs, { privateKeyOverride: fromB64(identity.keys), skipContactPublishing: true }),
      );
      if (identity.address && identity.address !== client.address) {
        throw new Error(`identity ${name}: keys belong to ${client.address}, not ${identity.address}`);
      }
      result[name] = await readBack(client, attachments);
      await client.close();
    }
    if (args.out) writeJson(args.out, result);
    console.log(`stored ${stored} of ${input.envelopes.length} envelopes${args.out ? `; wrote ${args.out}` : ""}`);
    for (const [name, e] of Object.entries(result)) {
      const n = e.conversations.reduce((s, c) => s + c.messages.length, 0);
      console.log(`  ${name}: ${e.conversations.length} conversations, ${n} messages`);
    }
    const published = node.publishedEnvelopes().length;
    if (published) console.log(`  (xmtp-js published ${published} envelopes while reading)`);
  } finally {
    await node.stop();
  }

  if (args.expect) {
    const expected = JSON.parse(fs.readFileSync(args.expect, "utf8")).expected;
    if (!expected) throw new Error(`${args.expect} has no "expected" member`);
    for (const name of Object.keys(result)) {
      assert.deepStrictEqual(result[name], expected[name], `identity ${name} differs from ${args.expect}`);
    }
    console.log(`matches the expected output in ${args.expect}`);
  }
}

run(main);
