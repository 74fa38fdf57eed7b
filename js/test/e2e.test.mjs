// End to end through the devnode, with the package as installed from the tarball: an
// invitation, every standard content type, paging, the streams, a dropped stream and its gap
// fill, and that ending an iterator closes the connection.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { apiUrl, loadPackage, quietFor, sleep, streamWatchingFetch, take, within } from "./helpers.mjs";

const xmtp = await loadPackage();
const { Client, PrivateKeySigner } = xmtp;

const clients = [];
async function newClient(options = {}) {
  const c = await Client.create(await PrivateKeySigner.generate(), { apiUrl, appVersion: "xmtp-rs-tests/1", ...options });
  clients.push(c);
  return c;
}
after(() => {
  for (const c of clients) c.close();
});

describe("two clients", () => {
  let alice;
  let bob;
  let aliceSide;
  let bobSide;

  before(async () => {
    [alice, bob] = await Promise.all([newClient(), newClient()]);
  });

  test("an invitation starts a V2 conversation both sides see, with its context", async () => {
    assert.equal(await alice.canMessage(bob.address), true);
    assert.deepEqual(await alice.canMessage([bob.address, (await PrivateKeySigner.generate()).getAddress()]), [true, false]);
    aliceSide = await alice.conversations.newConversation(bob.address, {
      conversationId: "xmtp-rs.dev/tests/1",
      metadata: { title: "Tests" },
    });
    assert.equal(aliceSide.conversationVersion, "v2");
    assert.equal(aliceSide.peerAddress, bob.address);
    const list = await bob.conversations.list();
    assert.equal(list.length, 1);
    bobSide = list[0];
    assert.equal(bobSide.topic, aliceSide.topic);
    assert.equal(bobSide.peerAddress, alice.address);
    assert.deepEqual(bobSide.context, { conversationId: "xmtp-rs.dev/tests/1", metadata: { title: "Tests" } });
    assert.equal(typeof bobSide.createdAtNs, "bigint");
    assert.ok(bobSide.createdAt instanceof Date);
    // The same peer and context: the same conversation.
    const again = await alice.conversations.newConversation(bob.address, {
      conversationId: "xmtp-rs.dev/tests/1",
      metadata: { title: "Tests" },
    });
    assert.equal(again.topic, aliceSide.topic);
    assert.equal(bob.conversations.listLocal().length, 1);
  });

  test("messages of every standard content type arrive as they were sent", async () => {
    const { ContentTypeReaction, ContentTypeReply, ContentTypeText, ContentTypeReadReceipt } = xmtp;
    const { ContentTypeAttachment, ContentTypeRemoteAttachment, ContentTypeTransactionReference } = xmtp;
    const data = new Uint8Array(300).map((_, i) => (i * 7) & 0xff);
    const text = await aliceSide.send("gm 👋 ünïcödé");
    const remote = {
      url: "https://example.invalid/attachments/1",
      contentDigest: "a".repeat(64),
      salt: new Uint8Array(32).fill(1),
      nonce: new Uint8Array(12).fill(2),
      secret: new Uint8Array(32).fill(3),
      scheme: "https://",
      contentLength: 4096,
      filename: "photo.jpg",
    };
    const tx = {
      namespace: "eip155",
      networkId: "0x14a34",
      reference: "0x" + "ab".repeat(32),
      metadata: {
        transactionType: "transfer",
        currency: "USDC",
        amount: 100000,
        decimals: 6,
        fromAddress: alice.address,
        toAddress: bob.address,
      },
    };
    const sent = [
      [text, ContentTypeText, "gm 👋 ünïcödé"],
      [null, ContentTypeReaction, { reference: text, action: "added", schema: "unicode", content: "🔥" }],
      [null, ContentTypeReply, { reference: text, contentType: ContentTypeText, content: "replying" }],
      [null, ContentTypeReadReceipt, {}],
      [null, ContentTypeAttachment, { filename: "bytes.bin", mimeType: "application/octet-stream", data }],
      [null, ContentTypeRemoteAttachment, remote],
      [null, ContentTypeTransactionReference, tx],
    ];
    for (const s of sent.slice(1)) s[0] = await aliceSide.send(s[2], { contentType: s[1] });
    // A compressed one too.
    const long = "compress me ".repeat(40);
    sent.push([await aliceSide.send(long, { compression: "gzip" }), ContentTypeText, long]);

    const got = await bobSide.messages({ direction: "ascending" });
    assert.deepEqual(
      got.map((m) => m.id),
      sent.map((s) => s[0]),
    );
    for (const [i, m] of got.entries()) {
      const [id, type, content] = sent[i];
      assert.equal(m.id, id);
      assert.equal(m.senderAddress, alice.address);
      assert.equal(m.contentTopic, bobSide.topic);
      assert.deepEqual(m.contentType, type, `message ${i} type`);
      assert.equal(m.error, undefined, `message ${i} error`);
      assert.deepEqual(m.content, content, `message ${i} (${type.typeId}) content`);
      assert.equal(typeof m.sentAtNs, "bigint");
      assert.equal(m.sent.getTime(), Number(m.sentAtNs / 1_000_000n));
    }
    const attachment = got[4].content;
    assert.ok(attachment.data instanceof Uint8Array, "attachment data is a Uint8Array");
    assert.ok(got[5].content.salt instanceof Uint8Array, "remote attachment salt is a Uint8Array");
    // Non-text types carry a fallback for clients that lack them.
    assert.ok(got[1].contentFallback?.includes("🔥"), got[1].contentFallback);
    // The sender reads the same.
    const mine = await aliceSide.messages({ direction: "ascending" });
    assert.deepEqual(
      mine.map((m) => m.id),
      sent.map((s) => s[0]),
    );
  });

  test("a prepared message has its id before it is published", async () => {
    const prepared = await bobSide.prepareMessage("prepared");
    assert.match(prepared.messageId, /^[0-9a-f]{64}$/);
    assert.equal(prepared.envelopes.length, 1);
    assert.equal(prepared.envelopes[0].contentTopic, bobSide.topic);
    assert.equal(typeof prepared.envelopes[0].timestampNs, "bigint");
    const before = await aliceSide.messages({ limit: 1 });
    assert.notEqual(before[0].id, prepared.messageId);
    await prepared.send();
    const [newest] = await aliceSide.messages({ limit: 1 });
    assert.equal(newest.id, prepared.messageId);
    assert.equal(newest.content, "prepared");
  });

  test("paging: limit, startTime/endTime and direction", async () => {
    const conv = await bob.conversations.newConversation(alice.address, { conversationId: "xmtp-rs.dev/tests/paging" });
    const ids = [];
    for (let i = 0; i < 6; i++) {
      ids.push(await conv.send(`page ${i}`));
      await sleep(5);
    }
    const all = await conv.messages();
    assert.deepEqual(
      all.map((m) => m.id),
      [...ids].reverse(),
      "newest first by default",
    );
    const asc = await conv.messages({ direction: "ascending" });
    assert.deepEqual(
      asc.map((m) => m.id),
      ids,
    );
    assert.deepEqual(
      (await conv.messages({ limit: 2 })).map((m) => m.content),
      ["page 5", "page 4"],
    );
    assert.deepEqual(
      (await conv.messages({ limit: 2, direction: "ascending" })).map((m) => m.content),
      ["page 0", "page 1"],
    );
    const window = await conv.messages({ startTime: asc[2].sent, endTime: asc[4].sent, direction: "ascending" });
    assert.deepEqual(
      window.map((m) => m.content),
      ["page 2", "page 3", "page 4"],
      "start and end times are inclusive",
    );
    const since = await conv.messages({ startTime: asc[4].sent });
    assert.deepEqual(
      since.map((m) => m.content),
      ["page 5", "page 4"],
    );
    const until = await conv.messages({ endTime: asc[1].sent, direction: "ascending", limit: 10 });
    assert.deepEqual(
      until.map((m) => m.content),
      ["page 0", "page 1"],
    );
    assert.deepEqual(await conv.messages({ startTime: new Date(asc[5].sent.getTime() + 1000) }), []);
  });

  test("a conversation exported and imported into a client restored from keys", async () => {
    const exported = aliceSide.export();
    assert.ok(exported instanceof Uint8Array && exported.length > 0);
    const again = await Client.fromKeys(bob.exportKeys(), { apiUrl });
    clients.push(again);
    assert.equal(again.conversations.listLocal().length, 0);
    const imported = again.conversations.import(bob.conversations.listLocal().find((c) => c.topic === aliceSide.topic).export());
    assert.equal(imported.topic, aliceSide.topic);
    assert.equal(imported.peerAddress, alice.address);
    const msgs = await imported.messages({ limit: 1, direction: "ascending" });
    assert.equal(msgs[0].content, "gm 👋 ünïcödé");
  });
});

describe("streams", () => {
  test("conversations.stream() sees a new conversation; streamMessages only its own", async () => {
    const watch = streamWatchingFetch();
    const [bob, alice, carol] = await Promise.all([newClient({ fetch: watch.fetch }), newClient(), newClient()]);
    const conversations = bob.conversations.stream();
    await watch.opened(1);
    const started = await alice.conversations.newConversation(bob.address);
    const [seen] = await take(conversations, 1, 10_000, "the new conversation");
    assert.equal(seen.topic, started.topic);
    assert.equal(seen.peerAddress, alice.address);

    const withAlice = bob.conversations.listLocal().find((c) => c.topic === started.topic);
    const messages = withAlice.streamMessages();
    const all = bob.conversations.streamAllMessages();
    await watch.opened();
    const fromCarol = await carol.conversations.newConversation(bob.address);
    const [second] = await take(conversations, 1, 10_000, "carol's conversation");
    assert.equal(second.peerAddress, carol.address);
    await fromCarol.send("carol here");
    const a1 = await started.send("alice here");
    const [m] = await take(messages, 1, 10_000, "alice's message on streamMessages");
    assert.equal(m.id, a1);
    assert.equal(m.content, "alice here");
    const both = await take(all, 2, 10_000, "both messages on streamAllMessages");
    assert.deepEqual(new Set(both.map((x) => x.content)), new Set(["carol here", "alice here"]));
    const q = await quietFor(messages, 500);
    assert.ok(q.quiet, "streamMessages yields only its conversation's messages");
    for (const s of [conversations, messages, all]) await s.return();
    assert.deepEqual(await q.next, { value: undefined, done: true }, "a pending next() ends with the stream");
  });

  test("a dropped stream reconnects and fills the gap: every message exactly once", async () => {
    const watch = streamWatchingFetch();
    const [alice, bob] = await Promise.all([newClient(), newClient({ fetch: watch.fetch })]);
    const conv = await alice.conversations.newConversation(bob.address);
    await bob.conversations.list();
    const stream = bob.conversations.streamAllMessages();
    await watch.opened(1);
    const first = await conv.send("before the drop");
    assert.deepEqual(
      (await take(stream, 1)).map((m) => m.id),
      [first],
    );

    // Sever the open stream; hold its reconnect until messages were sent meanwhile.
    watch.hold();
    const dropped = watch.current;
    dropped.sever();
    await watch.until(() => watch.streams.length === 2, 10_000, "a reconnect attempt");
    const whileDown = [];
    for (let i = 0; i < 3; i++) whileDown.push(await conv.send(`while down ${i}`));
    const q = await quietFor(stream, 300);
    assert.ok(q.quiet, "nothing arrives while the stream is down");
    watch.release();
    const pending = q.next;
    const gap = [(await within(pending, 10_000, "the first gap message")).value, ...(await take(stream, 2))];
    assert.deepEqual(
      gap.map((m) => m.id),
      whileDown,
      "the gap is filled in order",
    );
    const live = await conv.send("after the reconnect");
    assert.deepEqual(
      (await take(stream, 1)).map((m) => m.id),
      [live],
    );
    const rest = await quietFor(stream, 1000);
    assert.ok(rest.quiet, `no message twice (got ${rest.value?.value?.content})`);
    await stream.return();
    const stored = await bob.conversations.listLocal()[0].messages({ direction: "ascending" });
    assert.deepEqual(
      stored.map((m) => m.id),
      [first, ...whileDown, live],
    );
  });

  test("break/return() ends the iterator and closes the connection (the last stream's)", async () => {
    const watch = streamWatchingFetch();
    const [alice, bob] = await Promise.all([newClient(), newClient({ fetch: watch.fetch })]);
    const conv = await alice.conversations.newConversation(bob.address);
    await bob.conversations.list();
    const other = bob.conversations.stream();
    const stream = bob.conversations.streamAllMessages();
    await watch.opened(1);
    const conn = watch.current;
    await conv.send("one");
    let got;
    for await (const m of stream) {
      got = m;
      break;
    }
    assert.equal(got.content, "one");
    assert.deepEqual(await stream.next(), { value: undefined, done: true }, "the iterator ended");
    await sleep(300);
    assert.equal(conn.aborted, false, "another stream still uses the connection");
    assert.equal(watch.streams.length, 1);
    await other.return();
    await watch.until(() => conn.aborted && conn.ended, 5_000, "the connection closes");
    await sleep(700);
    assert.equal(watch.streams.length, 1, "no reconnect after the last stream ended");
  });

  test("a closed client fails its calls with api.aborted; closing twice is harmless", async () => {
    const c = await newClient();
    const conv = await c.conversations.newConversation((await newClient()).address);
    const pending = conv.messages();
    c.close();
    await assert.rejects(pending, (e) => e.code === "api.aborted" && e instanceof xmtp.NetworkError);
    await assert.rejects(conv.messages(), (e) => e.code === "api.aborted" && e instanceof xmtp.NetworkError);
    c.close();
  });
});

describe("text crosses exactly", () => {
  test("'?' and surrogate pairs arrive as sent; a lone surrogate is refused as input.text, not replaced", async () => {
    const [alice, bob] = await Promise.all([newClient(), newClient()]);
    const conv = await alice.conversations.newConversation(bob.address);
    const texts = ["why?", "?", "é and \uD83D\uDE00 (a pair)"];
    for (const t of texts) await conv.send(t);
    const refused = (e) => e instanceof xmtp.InvalidInputError && e.code === "input.text";
    await assert.rejects(conv.send("a lone \uD800 surrogate"), refused);
    await assert.rejects(alice.conversations.newConversation(`${bob.address}\uDC00`), refused);
    await assert.rejects(alice.canMessage([bob.address, "0x\uDC00"]), refused);
    assert.throws(() => alice.contacts.consentState("0x\uD800"), refused);
    const read = await (await bob.conversations.list())[0].messages({ direction: "ascending" });
    assert.deepEqual(
      read.map((m) => m.content),
      texts,
    );
  });
});
