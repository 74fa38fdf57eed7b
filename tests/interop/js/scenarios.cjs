"use strict";
// scenarios.cjs --api-url URL --out FILE
//
// Two fresh xmtp-js clients exercise, against the node at URL, what a plain
// conversation does not: a batch contact lookup (canMessage of several
// addresses), paging past one page (120 messages; newest 5 descending), and an
// ephemeral message seen live by the peer's ephemeral stream but never stored.
// Writes the observations as JSON to FILE.

const { Wallet } = require("ethers");
const { xmtp, standardCodecs, clientOptions, parseArgs, writeJson, run } = require("./lib/common.cjs");

const { Client, SortDirection } = xmtp;

async function main() {
  const args = parseArgs(process.argv.slice(2), ["api-url", "out"]);
  const url = String(args["api-url"]).replace(/\/+$/, "");
  const codecs = await standardCodecs();
  const alice = await Client.create(Wallet.createRandom(), clientOptions(url, codecs));
  const bob = await Client.create(Wallet.createRandom(), clientOptions(url, codecs));
  const out = { alice: alice.address, bob: bob.address };
  try {
    const unknown = Wallet.createRandom().address;
    out.canMessage = await alice.canMessage([bob.address, unknown, alice.address]);

    const conv = await alice.conversations.newConversation(bob.address);
    out.topic = conv.topic;
    for (let i = 0; i < 120; i++) await conv.send(`p${String(i).padStart(3, "0")}`);
    const bconv = (await bob.conversations.list()).find((c) => c.topic === conv.topic);
    const all = await bconv.messages();
    out.paged = all.map((m) => m.content);
    const newest = await bconv.messages({ limit: 5, direction: SortDirection.SORT_DIRECTION_DESCENDING });
    out.newest = newest.map((m) => m.content);

    const stream = await bconv.streamEphemeral();
    const received = [];
    const reading = (async () => {
      for await (const m of stream) {
        received.push(m.content);
        break;
      }
    })();
    // xmtp-js does not wait for the subscription to be registered.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await conv.send("ephemeral hello", { ephemeral: true });
    const deadline = Date.now() + 10000;
    while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await stream.return();
    await reading;
    out.ephemeralReceived = received;
    out.ephemeralStored = (await bconv.messages()).some((m) => m.content === "ephemeral hello");
  } finally {
    await alice.close();
    await bob.close();
  }
  writeJson(args.out, out);
}

run(main);
