"use strict";
// consume.cjs --in FILE [--out FILE] [--expect FILE] [--api-url URL]
//
// Loads envelopes into an in-process message-API node (timestamps kept) or,
// with --api-url, publishes them to the node at URL (timestamps kept; each
// with a token of the input identity that owns its topic, if any, else of the
// first identity), restores each identity in xmtp-js from its exported
// PrivateKeyBundle and writes what each client reads back. With --expect,
// compares the result with the `expected` member of that file and exits
// non-zero on any difference. See README.md for the formats.

const fs = require("node:fs");
const assert = require("node:assert");
const { startNode } = require("./lib/node.cjs");
const { installFetchTap, externalNode, normalizeEnvelope } = require("./lib/tap.cjs");
const { xmtp, standardCodecs, clientOptions, fromB64, readBack, parseArgs, writeJson, run } = require(
  "./lib/common.cjs",
);

const { Client } = xmtp;

// Publish `envelopes` to the node at `url` one by one, in order. Returns how many were sent.
async function publishAll(url, envelopes, identities) {
  const { privateKey } = require("@xmtp/proto");
  const tokens = new Map(); // address -> token (std base64)
  for (const identity of Object.values(identities)) {
    const bundle = new xmtp.PrivateKeyBundleV1(privateKey.PrivateKeyBundle.decode(fromB64(identity.keys)).v1);
    const address = bundle.identityKey.publicKey.walletSignatureAddress();
    const token = await new xmtp.LocalAuthenticator(bundle.identityKey).createToken();
    tokens.set(address, token.toBase64());
  }
  const anyToken = tokens.values().next().value;
  for (const raw of envelopes) {
    const env = normalizeEnvelope(raw);
    const owner = /^\/xmtp\/0\/(?:contact|privatestore)-([^/-]+)/.exec(env.contentTopic);
    const token = (owner && tokens.get(owner[1])) || anyToken;
    const res = await fetch(`${url}/message/v1/publish`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ envelopes: [env] }),
    });
    if (!res.ok) throw new Error(`publish to ${url} failed: HTTP ${res.status} ${await res.text()}`);
  }
  return envelopes.length;
}

async function main() {
  const args = parseArgs(process.argv.slice(2), ["in"], ["out", "expect", "api-url"]);
  const input = JSON.parse(fs.readFileSync(args.in, "utf8"));
  if (!input.identities || typeof input.identities !== "object") throw new Error("input: missing identities");
  if (!Array.isArray(input.envelopes)) throw new Error("input: missing envelopes");
  const attachments = input.attachments || {};

  const external = args["api-url"];
  const tap = external ? installFetchTap() : null;
  const node = external ? externalNode(external, tap) : await startNode();
  const result = {};
  try {
    const stored = external
      ? await publishAll(node.url, input.envelopes, input.identities)
      : node.store(input.envelopes);
    const published = () => node.publishedEnvelopes().length - (external ? stored : 0);
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
    const verb = external ? `published to ${node.url}` : "stored";
    console.log(`${verb} ${stored} of ${input.envelopes.length} envelopes${args.out ? `; wrote ${args.out}` : ""}`);
    for (const [name, e] of Object.entries(result)) {
      const n = e.conversations.reduce((s, c) => s + c.messages.length, 0);
      console.log(`  ${name}: ${e.conversations.length} conversations, ${n} messages`);
    }
    if (published()) console.log(`  (xmtp-js published ${published()} envelopes while reading)`);
  } finally {
    await node.stop();
    if (tap) tap.uninstall();
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
