"use strict";
// produce.cjs --out FILE [--api-url URL]
//
// Runs scripted conversations between three fresh xmtp-js identities (alice,
// bob: V2 contacts; carol: legacy V1 contact) on an in-process message-API
// node (or, with --api-url, on the node at URL) and writes every published
// envelope, the exported keys and what each client reads back to FILE. See
// README.md for the format.

const { Wallet } = require("ethers");
const { startNode } = require("./lib/node.cjs");
const { installFetchTap, externalNode } = require("./lib/tap.cjs");
const {
  xmtp,
  GENERATOR,
  ContentTypeCustom,
  CustomCodec,
  standardCodecs,
  clientOptions,
  exportKeys,
  b64,
  readBack,
  parseArgs,
  writeJson,
  run,
} = require("./lib/common.cjs");
const { ContentTypeReaction } = require("@xmtp/content-type-reaction");
const { ContentTypeReply } = require("@xmtp/content-type-reply");
const { ContentTypeReadReceipt } = require("@xmtp/content-type-read-receipt");
const {
  AttachmentCodec,
  RemoteAttachmentCodec,
  ContentTypeAttachment,
  ContentTypeRemoteAttachment,
} = require("@xmtp/content-type-remote-attachment");

const { Client, Compression } = xmtp;
const { ContentTypeId } = require("@xmtp/content-type-primitives");

// xmtp-js does not re-export its text content type id.
const ContentTypeText = new ContentTypeId({ authorityId: "xmtp.org", typeId: "text", versionMajor: 1, versionMinor: 0 });

const CONTEXT = { conversationId: "xmtp.org/interop/1", metadata: { title: "Interop", n: "1" } };

// Distinct millisecond timestamps keep the message order readable.
const tick = () => new Promise((resolve) => setTimeout(resolve, 3));

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2), ["out"], ["api-url"]);
  const tap = installFetchTap();
  const node = args["api-url"] ? externalNode(args["api-url"], tap) : await startNode();
  try {
    const codecs = await standardCodecs();
    const opts = (extra) => clientOptions(node.url, codecs, extra);

    const wallets = { alice: Wallet.createRandom(), bob: Wallet.createRandom(), carol: Wallet.createRandom() };
    const alice = await Client.create(wallets.alice, opts());
    const bob = await Client.create(wallets.bob, opts());
    const carol = await Client.create(wallets.carol, opts({ publishLegacyContact: true }));
    const clients = { alice, bob, carol };

    // --- alice <-> bob, V2 without context ---------------------------------
    const ab = await alice.conversations.newConversation(bob.address);
    check(ab.conversationVersion === "v2", "alice->bob is v2");
    const compressible = "Compressible text. ".repeat(12); // 228 bytes
    const long = (
      "This message is about nine hundred bytes long; it is sent uncompressed. " +
      "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. "
    )
      .repeat(6)
      .slice(0, 900);
    const first = await ab.send("Hello Bob, plain ASCII here.");
    await tick();
    await ab.send("Grüße, Zoë! Ça va? — 你好，世界 — 👋🏽🎉 naïve café");
    await tick();
    await ab.send("");
    await tick();
    await ab.send("DEFLATE: " + compressible, { compression: Compression.COMPRESSION_DEFLATE });
    await tick();
    await ab.send("GZIP: " + compressible, { compression: Compression.COMPRESSION_GZIP });
    await tick();
    await ab.send(long);
    await tick();

    const ba = await bob.conversations.newConversation(alice.address);
    check(ba.topic === ab.topic, "bob finds alice's V2 conversation");
    const bobReply = await ba.send("Hi Alice, bob here.");
    await tick();
    await ba.send("Second reply from bob: ✓ received everything");
    await tick();

    // --- alice <-> bob, V2 with context ------------------------------------
    const abCtx = await alice.conversations.newConversation(bob.address, CONTEXT);
    check(abCtx.topic !== ab.topic, "context conversation has its own topic");
    await abCtx.send("Context conversation, message 1 from alice");
    await tick();
    await abCtx.send("Context conversation, message 2 from alice");
    await tick();
    const baCtx = await bob.conversations.newConversation(alice.address, CONTEXT);
    check(baCtx.topic === abCtx.topic, "bob finds the context conversation");
    await baCtx.send("Context reply 1 from bob");
    await tick();
    await baCtx.send("Context reply 2 from bob");
    await tick();

    // --- alice <-> carol, V1 -----------------------------------------------
    const ac = await alice.conversations.newConversation(carol.address);
    check(ac.conversationVersion === "v1", "alice->carol is v1");
    await ac.send("Hello Carol, this is a V1 conversation.");
    await tick();
    await ac.send("Ünïcödé in V1: 日本語テキスト 🚀");
    await tick();
    const ca = await carol.conversations.newConversation(alice.address);
    check(ca.conversationVersion === "v1" && ca.topic === ac.topic, "carol finds the V1 conversation");
    await ca.send("Carol answers: ¡Hola! 😀");
    await tick();
    await ca.send("Carol DEFLATE: " + compressible, { compression: Compression.COMPRESSION_DEFLATE });
    await tick();
    await ac.send("Alice GZIP in V1: " + compressible, { compression: Compression.COMPRESSION_GZIP });
    await tick();

    // --- a live stream: bob listens on the first conversation ----------------
    // xmtp-js does not wait for the subscription: wait until its headers are in.
    const streamStart = new Date();
    const liveBefore = tap.subscriptions();
    const bobStream = await ba.streamMessages();
    await tap.waitForSubscriptions(liveBefore + 1);
    const streamed = new Set();
    const streaming = (async () => {
      for await (const msg of bobStream) streamed.add(msg.id);
    })();

    // --- content types on alice <-> bob ------------------------------------
    await ab.send(
      { reference: bobReply.id, action: "added", schema: "unicode", content: "👍" },
      { contentType: ContentTypeReaction },
    );
    await tick();
    await ba.send(
      { reference: first.id, contentType: ContentTypeText, content: "Replying to your first message" },
      { contentType: ContentTypeReply },
    );
    await tick();
    await ba.send({}, { contentType: ContentTypeReadReceipt });
    await tick();
    await ab.send(
      { filename: "hello.txt", mimeType: "text/plain", data: new TextEncoder().encode("Hello, attachment!\n") },
      { contentType: ContentTypeAttachment },
    );
    await tick();

    const inner = {
      filename: "remote.txt",
      mimeType: "text/plain",
      data: new TextEncoder().encode("This file lives behind a URL.\n"),
    };
    const enc = await RemoteAttachmentCodec.encodeEncrypted(inner, new AttachmentCodec());
    const url = `https://example.invalid/${enc.digest}`;
    const attachments = { [url]: b64(enc.payload) };
    await ab.send(
      {
        url,
        contentDigest: enc.digest,
        salt: enc.salt,
        nonce: enc.nonce,
        secret: enc.secret,
        scheme: "https://",
        contentLength: enc.payload.length,
        filename: inner.filename,
      },
      { contentType: ContentTypeRemoteAttachment },
    );
    await tick();

    const { ContentTypeTransactionReference } = await import("@xmtp/content-type-transaction-reference");
    await ba.send(
      {
        namespace: "eip155",
        networkId: "0x14a34",
        reference: "0x" + "ab".repeat(32),
        metadata: {
          transactionType: "transfer",
          currency: "USDC",
          amount: 100000,
          decimals: 6,
          fromAddress: bob.address,
          toAddress: alice.address,
        },
      },
      { contentType: ContentTypeTransactionReference },
    );
    await tick();

    // A custom type: sent from a second alice session that knows the codec.
    const aliceKeys = await exportKeys(alice);
    const aliceCustom = await Client.create(
      null,
      clientOptions(node.url, [...codecs, new CustomCodec()], {
        privateKeyOverride: aliceKeys,
        skipContactPublishing: true,
      }),
    );
    const abCustom = await aliceCustom.conversations.newConversation(bob.address);
    check(abCustom.topic === ab.topic, "second alice session finds the conversation");
    await abCustom.send({ label: "interop", values: [1, 2, 3] }, { contentType: ContentTypeCustom });
    await aliceCustom.close();

    // Bob's stream got every message he can read that was sent since it opened.
    const sinceStream = (await ba.messages({ startTime: streamStart })).filter((m) => !m.error).map((m) => m.id);
    check(sinceStream.length === 6, `6 readable messages since the stream opened (${sinceStream.length})`);
    const deadline = Date.now() + 10000;
    while (!sinceStream.every((id) => streamed.has(id)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await bobStream.return();
    await streaming;
    const unseen = sinceStream.filter((id) => !streamed.has(id)).length;
    check(unseen === 0, `bob's stream received every message (${unseen} missing)`);

    // --- read back -----------------------------------------------------------
    const identities = {};
    const expected = {};
    for (const [name, client] of Object.entries(clients)) {
      // Client.getKeys restores the identity from the network private store
      // (a wallet signature decrypts it); it must match the live keystore.
      const keys = await Client.getKeys(wallets[name], opts({ skipContactPublishing: true }));
      check(Buffer.from(keys).equals(Buffer.from(await exportKeys(client))), `${name}: Client.getKeys`);
      identities[name] = { address: client.address, keys: b64(keys), walletPrivateKey: wallets[name].privateKey };
      expected[name] = await readBack(client, attachments);
    }
    for (const client of Object.values(clients)) await client.close();

    const out = {
      generator: GENERATOR,
      identities,
      envelopes: node.publishedEnvelopes(),
      attachments,
      expected,
    };
    writeJson(args.out, out);
    console.log(`wrote ${args.out}: ${out.envelopes.length} envelopes`);
    for (const [name, e] of Object.entries(expected)) {
      const n = e.conversations.reduce((s, c) => s + c.messages.length, 0);
      console.log(`  ${name}: ${e.conversations.length} conversations, ${n} messages`);
    }
  } finally {
    await node.stop();
    tap.uninstall();
  }
}

run(main);
