// Known answers (tests/vectors) through the JS API: wallet keys and signatures, exported keys,
// the deterministic V2 topic, upstream messages decrypted byte for byte, the xmtp-js corpus read
// as xmtp-js read it, and (test build) seeded generators that reproduce the same bytes.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, describe, test } from "node:test";
import { apiUrl, b64, fromB64, fromHex, hex, loadPackage, loadTestBuild, root, runNode } from "./helpers.mjs";

const xmtp = await loadPackage();
const testBuild = await loadTestBuild();
const { Client, PrivateKeySigner } = xmtp;
const vectors = (name) => JSON.parse(fs.readFileSync(path.join(root, "tests", "vectors", name), "utf8"));
const upstream = vectors("upstream.json");
const jsVectors = vectors("xmtpjs-13.0.4-vectors.json");

const clients = [];
const keep = (c) => (clients.push(c), c);
after(() => {
  for (const c of clients) c.close();
});

// ----- a minimal protobuf writer (for keystore TopicData, which conversations.import reads) ----
function varint(n) {
  const out = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const field = (no, bytes) => [...varint((no << 3) | 2), ...varint(bytes.length), ...bytes];
const str = (s) => [...new TextEncoder().encode(s)];
/** keystore TopicData { created_ns, peer_address, invitation: InvitationV1 { topic, context, key } }. */
function topicData({ createdNs, peerAddress, topic, conversationId, keyMaterial }) {
  const context = conversationId === undefined ? [] : field(2, field(1, str(conversationId)));
  const invitation = [...field(1, str(topic)), ...context, ...field(3, field(1, [...keyMaterial]))];
  return new Uint8Array([...varint(1 << 3), ...varint(createdNs), ...field(2, str(peerAddress)), ...field(3, invitation)]);
}

/** A client of the upstream receiver's keys holding the upstream V2 conversation `v`. */
async function withUpstreamConversation(v, exportJson) {
  const c = keep(await Client.fromKeys(fromHex(upstream.v2MessageId.receiverPrivateKeyBundle), { apiUrl }));
  const e = typeof exportJson === "string" ? JSON.parse(exportJson) : exportJson;
  const conv = c.conversations.import(
    topicData({
      createdNs: BigInt(Date.parse(e.createdAt)) * 1_000_000n,
      peerAddress: e.peerAddress,
      topic: e.topic,
      conversationId: e.context?.conversationId,
      keyMaterial: fromB64(e.keyMaterial),
    }),
  );
  return { client: c, conv };
}

describe("known answers", () => {
  test("a wallet from its private key: xmtp-js's address and identity signature, byte for byte", async () => {
    const a = jsVectors.alice;
    const wallet = await PrivateKeySigner.fromPrivateKey(fromHex(a.walletPrivateKey));
    assert.equal(wallet.getAddress(), a.walletAddress);
    assert.equal(hex(wallet.signMessage(a.identitySignatureText)), a.walletSignature.slice(2));
  });

  test("exported keys: the upstream bundles load as their wallets and export as they were", async () => {
    const d = upstream.deterministicTopic;
    for (const [bundle, address] of [
      [d.alicePrivateKeyBundle, d.aliceAddress],
      [d.bobPrivateKeyBundle, d.bobAddress],
    ]) {
      const c = keep(await Client.fromKeys(fromHex(bundle), { apiUrl }));
      assert.equal(c.address, address);
      const again = keep(await Client.fromKeys(c.exportKeys(), { apiUrl }));
      assert.equal(again.address, address);
      assert.equal(hex(again.exportKeys()), hex(c.exportKeys()));
    }
    const proto = vectors("proto-wire.json").vectors.find((v) => v.name === "alice.privateKeyBundleV1Encoded_PrivateKeyBundle");
    const c = keep(await Client.fromKeys(fromHex(proto.hex), { apiUrl }));
    assert.equal(c.address, jsVectors.alice.walletAddress);
    assert.equal(hex(c.exportKeys()), proto.hex, "xmtp-js's encoding is kept byte for byte");
  });

  test("the deterministic V2 topic of the upstream pair, from both sides", async () => {
    const d = upstream.deterministicTopic;
    const alice = keep(await Client.create(null, { apiUrl, privateKeyOverride: fromHex(d.alicePrivateKeyBundle) }));
    const bob = keep(await Client.create(null, { apiUrl, privateKeyOverride: fromHex(d.bobPrivateKeyBundle) }));
    const a = await alice.conversations.newConversation(d.bobAddress, { conversationId: d.conversationId });
    assert.equal(a.topic, d.expectedTopic);
    const b = await bob.conversations.newConversation(d.aliceAddress, { conversationId: d.conversationId });
    assert.equal(b.topic, d.expectedTopic);
  });

  test("an upstream V2 message decrypts to its id, sender and text", async () => {
    const v = upstream.v2MessageId;
    const { client, conv } = await withUpstreamConversation(v, v.conversationExportJson);
    assert.equal(conv.topic, v.topic);
    assert.equal(conv.peerAddress, upstream.conversationExportsFromJs.v2.expectedPeerAddress);
    assert.deepEqual(conv.context, { conversationId: "pat/messageid", metadata: {} });
    const [m] = client.decryptBatch([{ contentTopic: v.topic, timestampNs: BigInt(v.headerCreatedNs), message: fromHex(v.messageBytes) }]);
    assert.ok(!(m instanceof Error), String(m));
    assert.equal(m.id, v.expectedId);
    assert.equal(m.content, v.expectedText);
    assert.equal(m.senderAddress, v.expectedSenderAddress);
    assert.equal(m.sentAtNs, BigInt(v.headerCreatedNs));
    // The conversation exports as TopicData and imports again.
    const other = keep(await Client.fromKeys(client.exportKeys(), { apiUrl }));
    const again = other.conversations.import(conv.export());
    assert.equal(again.topic, v.topic);
    assert.equal(hex(again.export()), hex(conv.export()));
  });

  test("a V2 message whose sender pre-key is not signed is rejected with a protocol error", async () => {
    const s = upstream.spoofedSender;
    const { client } = await withUpstreamConversation(s, s.conversationExport);
    const [r] = client.decryptBatch([{ contentTopic: s.topic, timestampNs: BigInt(s.derived.headerCreatedNs), message: fromHex(s.messageBytes) }]);
    assert.ok(r instanceof xmtp.XmtpError, `rejected (${r?.content})`);
    assert.ok(r instanceof xmtp.ProtocolError);
    assert.match(r.code, /^(key|message|crypto)\./);
    // Garbage is a decode error, not a crash.
    const [g] = client.decryptBatch([{ contentTopic: s.topic, timestampNs: 1n, message: new Uint8Array([1, 2, 3]) }]);
    assert.ok(g instanceof xmtp.ProtocolError, String(g));
  });

  test("the xmtp-js corpus reads as xmtp-js read it (ids, senders, times, types, contents, fallbacks)", async () => {
    const file = path.join(root, "tests", "vectors", "xmtpjs", "corpus-1.json");
    const corpus = JSON.parse(fs.readFileSync(file, "utf8"));
    // Publish its envelopes to the node (timestamps kept) with the harness, as xmtp-js would.
    const r = await runNode(["consume.cjs", "--api-url", apiUrl, "--in", file], {
      cwd: path.join(root, "tests", "interop", "js"),
      timeoutMs: 120_000,
    });
    assert.equal(r.code, 0, `consume.cjs: ${r.stdout}${r.stderr}`);
    let compared = 0;
    for (const who of ["alice", "bob", "carol"]) {
      const c = keep(await Client.fromKeys(fromB64(corpus.identities[who].keys), { apiUrl }));
      assert.equal(c.address, corpus.identities[who].address);
      const expected = corpus.expected[who].conversations;
      const got = await c.conversations.list();
      assert.equal(got.length, expected.length, `${who}: conversations`);
      for (const e of expected) {
        const conv = got.find((x) => x.topic === e.topic);
        assert.ok(conv, `${who}: ${e.topic}`);
        assert.equal(conv.conversationVersion, e.version);
        assert.equal(conv.peerAddress, e.peerAddress);
        assert.equal(conv.createdAtNs.toString(), e.createdNs);
        assert.equal(conv.context?.conversationId ?? null, e.context?.conversationId ?? null);
        if (e.context) assert.deepEqual(conv.context.metadata, e.context.metadata);
        const msgs = await conv.messages({ direction: "ascending" });
        assert.equal(msgs.length, e.messages.length, `${who} ${e.topic}: messages`);
        for (const [i, t] of e.messages.entries()) {
          const m = msgs[i];
          const what = `${who} ${t.id} (${t.contentType})`;
          assert.equal(m.id, t.id, what);
          assert.equal(m.senderAddress, t.senderAddress, what);
          assert.equal(m.sentAtNs.toString(), t.sentNs, what);
          assert.equal(m.contentType ? xmtp.contentTypeToString(m.contentType) : null, t.contentType, what);
          assert.equal(m.contentFallback ?? null, t.fallback, what);
          if (t.content === null) {
            assert.equal(m.content, undefined, `${what}: not readable by xmtp-js either`);
            assert.equal(m.error, "content.unknown_type", what);
          } else {
            assert.deepEqual(toJson(m.content), t.content, what);
            compared++;
          }
        }
      }
    }
    assert.ok(compared >= 40, `compared ${compared} contents`);
  });
});

/** Decoded content as the harness writes it (bytes as base64, no undefined members). */
function toJson(v) {
  if (v instanceof Uint8Array) return b64(v);
  if (Array.isArray(v)) return v.map(toJson);
  if (v && typeof v === "object") {
    const out = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJson(x);
    return out;
  }
  return v;
}

describe("seeded generators (test build)", () => {
  const { testing } = testBuild;

  test("the test build says so; the published build refuses the test-only calls", async () => {
    assert.equal(await testing.isTestingBuild(), true);
    assert.equal(await xmtp.testing.isTestingBuild(), false);
    await assert.rejects(xmtp.testing.walletSeeded(1n), (e) => e.code === "internal.aborted");
  });

  test("the same seed gives the same wallet, keys and message bytes; another seed does not", async () => {
    const [w1, w2, w3] = [await testing.walletSeeded(7n), await testing.walletSeeded(7n), await testing.walletSeeded(8n)];
    assert.equal(w1.getAddress(), w2.getAddress());
    assert.notEqual(w1.getAddress(), w3.getAddress());
    assert.equal(hex(w1.signMessage("same text")), hex(w2.signMessage("same text")));

    const T = testBuild.Client;
    const bob = keep(await T.create(await testing.walletSeeded(9n), { apiUrl }));
    const keys = await T.getKeys(w1, { apiUrl });
    const realNow = Date.now;
    const fixed = realNow();
    const prepare = async (seed) => {
      const c = keep(await testing.fromKeysSeeded(keys, { apiUrl }, seed));
      const conv = await c.conversations.newConversation(bob.address);
      Date.now = () => fixed;
      try {
        return { conv, prepared: await conv.prepareMessage("same bytes") };
      } finally {
        Date.now = realNow;
      }
    };
    const a = await prepare(1n);
    const b = await prepare(1n);
    assert.equal(a.conv.topic, b.conv.topic);
    const bytes = (p) => p.envelopes.map((e) => [e.contentTopic, e.timestampNs, hex(e.message)]);
    assert.deepEqual(bytes(b.prepared), bytes(a.prepared), "same seed, keys and time: same bytes");
    assert.equal(b.prepared.messageId, a.prepared.messageId);
    const c = await prepare(2n);
    assert.notDeepEqual(bytes(c.prepared), bytes(a.prepared));
    // And what the seeded client prepared is a valid message for the peer.
    await a.prepared.send();
    const [m] = await (await bob.conversations.list()).find((x) => x.topic === a.conv.topic).messages();
    assert.equal(m.id, a.prepared.messageId);
    assert.equal(m.content, "same bytes");
  });
});

describe("the host API's known answers (tests/vectors/facade-seeded.json, test build)", () => {
  const v = vectors("facade-seeded.json");
  const T = testBuild.Client;

  test("a wallet signs as the vectors say", async () => {
    const w = await testBuild.PrivateKeySigner.fromPrivateKey(fromHex(v.wallet.privateKeyHex));
    assert.equal(w.getAddress(), v.wallet.address);
    assert.equal(hex(w.signMessage(v.wallet.text)), v.wallet.signatureHex);
  });

  test("a seeded client prepares the same bytes, the peer reads them, push keys match", async () => {
    const now = BigInt(v.message.nowNs);
    const c = keep(await testBuild.testing.fromKeysSeeded(fromB64(v.sender.keys), { apiUrl }, BigInt(v.message.seed)));
    c.clock = () => now;
    const data = fromB64(v.conversation.senderTopicData);
    const conv = c.conversations.import(data);
    assert.equal(conv.topic, v.conversation.topic);
    assert.equal(conv.peerAddress, v.recipient.address);
    assert.equal(b64(conv.export()), v.conversation.senderTopicData);
    const prepared = await conv.prepareMessage(v.message.text);
    assert.equal(prepared.messageId, v.message.id);
    const [e] = prepared.envelopes;
    assert.equal(prepared.envelopes.length, 1);
    assert.equal(e.contentTopic, v.message.envelope.contentTopic);
    assert.equal(e.timestampNs, BigInt(v.message.envelope.timestampNs));
    assert.equal(b64(e.message), v.message.envelope.message);
    assert.deepEqual(
      c.getHmacKeys().map((k) => ({ topic: k.topic, period: k.thirtyDayPeriodsSinceEpoch, key: hex(k.key) })),
      v.hmacKeys,
    );

    const peer = keep(await T.fromKeys(fromB64(v.recipient.keys), { apiUrl }));
    peer.conversations.import(fromB64(v.conversation.recipientTopicData));
    const [m] = peer.decryptBatch([{ ...e }]);
    assert.equal(m.content, v.message.text);
    assert.equal(m.senderAddress, v.sender.address);
    assert.equal(m.id, v.message.id);
  });
});
