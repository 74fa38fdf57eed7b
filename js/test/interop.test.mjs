// xmtp-rs (the installed package) and the real @xmtp/xmtp-js 13.0.4 in one Node process,
// through the devnode: each reads what the other sent, in V2 and V1 conversations, and a
// content type defined in JS shows its fallback where it is unknown.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { apiUrl, loadPackage, root, sleep, take } from "./helpers.mjs";

const xmtp = await loadPackage();
const { Client, PrivateKeySigner } = xmtp;
// xmtp-js and its content types, from the interop harness (its ESM entry is broken: require).
const harness = createRequire(path.join(root, "tests", "interop", "js", "package.json"));
const js = harness("@xmtp/xmtp-js");
const { Wallet } = harness("ethers");
const common = harness("./lib/common.cjs");

/** A content type defined by the application, in this package's `ContentCodec` shape. */
const ContentTypeCustom = { authorityId: "example.org", typeId: "custom", versionMajor: 1, versionMinor: 0 };
const customCodec = {
  contentType: ContentTypeCustom,
  encode(content) {
    return {
      type: ContentTypeCustom,
      parameters: { format: "json" },
      content: new TextEncoder().encode(JSON.stringify(content)),
    };
  },
  decode(encoded) {
    assert.equal(encoded.parameters.format, "json");
    return JSON.parse(new TextDecoder().decode(encoded.content));
  },
  fallback(content) {
    return `Custom content: ${content.label}`;
  },
  shouldPush() {
    return false;
  },
};

const ours = [];
const theirs = [];
async function rsClient(options = {}) {
  const c = await Client.create(await PrivateKeySigner.generate(), { apiUrl, ...options });
  ours.push(c);
  return c;
}
async function jsClient(extra = {}) {
  const codecs = await common.standardCodecs();
  const c = await js.Client.create(Wallet.createRandom(), common.clientOptions(apiUrl, codecs, extra));
  theirs.push(c);
  return c;
}
/** A second xmtp-js client of the same identity, one that knows the custom type. */
async function jsWithCustomCodec(client) {
  const keys = await common.exportKeys(client);
  const c = await js.Client.create(
    null,
    common.clientOptions(apiUrl, [...(await common.standardCodecs()), new common.CustomCodec()], {
      privateKeyOverride: keys,
      skipContactPublishing: true,
    }),
  );
  theirs.push(c);
  return c;
}
after(async () => {
  for (const c of ours) c.close();
  for (const c of theirs) await c.close();
});

describe("with xmtp-js 13.0.4", () => {
  let rs;
  let jsAlice;
  let jsCarol;

  before(async () => {
    [rs, jsAlice, jsCarol] = await Promise.all([
      rsClient({ codecs: [customCodec] }),
      jsClient(),
      jsClient({ publishLegacyContact: true }),
    ]);
  });

  test("xmtp-js reads a V2 conversation we started, every type, and the fallback of our custom type", async () => {
    const conv = await rs.conversations.newConversation(jsAlice.address, {
      conversationId: "xmtp-rs.dev/js-interop",
      metadata: { n: "1" },
    });
    assert.equal(conv.conversationVersion, "v2");
    const hello = await conv.send("hello xmtp-js");
    const reaction = await conv.send(
      { reference: hello, action: "added", schema: "unicode", content: "👍" },
      { contentType: xmtp.ContentTypeReaction },
    );
    const data = new Uint8Array([0, 1, 2, 250, 251, 252]);
    await conv.send({ filename: "a.bin", mimeType: "application/octet-stream", data }, { contentType: xmtp.ContentTypeAttachment });
    await conv.send(
      { reference: hello, contentType: xmtp.ContentTypeText, content: "a reply" },
      { contentType: xmtp.ContentTypeReply },
    );
    const custom = await conv.send({ label: "interop", values: [1, 2, 3] }, { contentType: ContentTypeCustom });

    const list = await jsAlice.conversations.list();
    const theirSide = list.find((c) => c.topic === conv.topic);
    assert.ok(theirSide, "xmtp-js lists the conversation");
    assert.equal(theirSide.peerAddress, rs.address);
    assert.equal(theirSide.context.conversationId, "xmtp-rs.dev/js-interop");
    assert.deepEqual({ ...theirSide.context.metadata }, { n: "1" });
    const msgs = await theirSide.messages();
    assert.equal(msgs.length, 5);
    assert.deepEqual(
      msgs.map((m) => m.id),
      (await conv.messages({ direction: "ascending" })).map((m) => m.id),
      "the same message ids",
    );
    assert.equal(msgs[0].content, "hello xmtp-js");
    assert.equal(msgs[1].id, reaction);
    assert.deepEqual(
      { ...msgs[1].content },
      { reference: hello, action: "added", schema: "unicode", content: "👍", referenceInboxId: msgs[1].content.referenceInboxId },
    );
    assert.deepEqual(Buffer.from(msgs[2].content.data), Buffer.from(data));
    assert.equal(msgs[2].content.filename, "a.bin");
    assert.equal(msgs[3].content.content, "a reply");
    assert.equal(msgs[3].content.reference, hello);
    // The custom type: xmtp-js lacks the codec and shows its fallback.
    assert.equal(msgs[4].id, custom);
    assert.equal(msgs[4].contentType.toString(), "example.org/custom:1.0");
    assert.equal(msgs[4].contentFallback, "Custom content: interop");
    assert.ok(msgs[4].error, "xmtp-js reports the unknown type");
  });

  test("we read what xmtp-js sent in a V2 conversation, including its custom type with our codec", async () => {
    const conv = await jsAlice.conversations.newConversation(rs.address);
    const sent = await conv.send("from xmtp-js");
    const { ContentTypeReply } = harness("@xmtp/content-type-reply");
    const { ContentTypeText } = harness("@xmtp/content-type-text");
    await conv.send({ reference: sent.id, contentType: ContentTypeText, content: "xmtp-js reply" }, { contentType: ContentTypeReply });
    const jsCustom = await jsWithCustomCodec(jsAlice);
    const sameConv = (await jsCustom.conversations.list()).find((c) => c.topic === conv.topic);
    await sameConv.send({ label: "from js", values: [4] }, { contentType: common.ContentTypeCustom });

    const mine = (await rs.conversations.list()).find((c) => c.topic === conv.topic);
    assert.ok(mine, "we list xmtp-js's conversation");
    assert.equal(mine.conversationVersion, "v2");
    assert.equal(mine.peerAddress, jsAlice.address);
    const msgs = await mine.messages({ direction: "ascending" });
    assert.equal(msgs.length, 3);
    assert.equal(msgs[0].id, sent.id);
    assert.equal(msgs[0].content, "from xmtp-js");
    assert.equal(msgs[0].senderAddress, jsAlice.address);
    assert.equal(msgs[0].sent.getTime(), sent.sent.getTime());
    assert.deepEqual(msgs[1].content, { reference: sent.id, contentType: xmtp.ContentTypeText, content: "xmtp-js reply" });
    assert.deepEqual(msgs[2].content, { label: "from js", values: [4] }, "our codec reads xmtp-js's custom content");
    assert.equal(msgs[2].contentFallback, "Custom content: from js");
  });

  test("V1: a peer with only a legacy contact; each reads the other", async () => {
    const conv = await rs.conversations.newConversation(jsCarol.address);
    assert.equal(conv.conversationVersion, "v1");
    const ours1 = await conv.send("v1 from xmtp-rs");
    const theirSide = (await jsCarol.conversations.list()).find((c) => c.peerAddress === rs.address);
    assert.ok(theirSide, "xmtp-js lists the V1 conversation");
    assert.equal(theirSide.conversationVersion, "v1");
    const read = await theirSide.messages();
    assert.deepEqual(
      read.map((m) => [m.id, m.content]),
      [[ours1, "v1 from xmtp-rs"]],
    );
    const back = await theirSide.send("v1 from xmtp-js", { compression: 0 /* deflate */ });
    const mine = await conv.messages({ direction: "ascending" });
    assert.deepEqual(
      mine.map((m) => [m.id, m.content, m.senderAddress]),
      [
        [ours1, "v1 from xmtp-rs", rs.address],
        [back.id, "v1 from xmtp-js", jsCarol.address],
      ],
    );
    assert.equal(mine[1].recipientAddress, rs.address);
  });

  test("our stream sees xmtp-js's messages live", async () => {
    const conv = await jsAlice.conversations.newConversation(rs.address, { conversationId: "xmtp-rs.dev/live", metadata: {} });
    await rs.conversations.list();
    const stream = rs.conversations.streamAllMessages();
    await sleep(500);
    const sent = await conv.send("live from xmtp-js");
    const [m] = await take(stream, 1, 10_000, "xmtp-js's message on our stream");
    assert.equal(m.id, sent.id);
    assert.equal(m.content, "live from xmtp-js");
    assert.equal(m.senderAddress, jsAlice.address);
    await stream.return();
  });
});

describe("a custom codec between two xmtp-rs clients", () => {
  test("round-trips where both register it; shows its fallback where not", async () => {
    const [a, b, plain] = await Promise.all([
      rsClient({ codecs: [customCodec] }),
      rsClient({ codecs: [customCodec] }),
      rsClient(),
    ]);
    const conv = await a.conversations.newConversation(b.address);
    const value = { label: "round trip", values: [1, { nested: true }] };
    const id = await conv.send(value, { contentType: ContentTypeCustom });
    const [theirs] = await (await b.conversations.list())[0].messages();
    assert.equal(theirs.id, id);
    assert.deepEqual(theirs.contentType, ContentTypeCustom);
    assert.deepEqual(theirs.content, value);
    assert.equal(theirs.error, undefined);
    assert.equal(theirs.contentFallback, "Custom content: round trip");

    const toPlain = await a.conversations.newConversation(plain.address);
    await toPlain.send(value, { contentType: ContentTypeCustom });
    const [unknown] = await (await plain.conversations.list())[0].messages();
    assert.equal(unknown.content, undefined);
    assert.equal(unknown.error, "content.unknown_type");
    assert.equal(unknown.contentFallback, "Custom content: round trip");
    // Once registered, the same message reads.
    plain.registerCodec(customCodec);
    const [known] = await (await plain.conversations.list())[0].messages();
    assert.deepEqual(known.content, value);

    await assert.rejects(
      conv.send({ label: "x" }, { contentType: { ...ContentTypeCustom, typeId: "other" } }),
      (e) => e.code === "input.content_type" && e instanceof xmtp.InvalidInputError,
    );
    assert.throws(
      () => a.registerCodec({ ...customCodec, contentType: xmtp.ContentTypeText }),
      (e) => e.code === "input.content_type",
    );
  });
});
