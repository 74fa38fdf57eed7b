// Decrypting one envelope offline from an exported state, in a fresh Node process (what a push
// notification handler does): a message, an invitation, and the upstream known-answer message.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, test } from "node:test";
import { apiUrl, b64, fixtures, fromHex, loadPackage, root, runNode } from "./helpers.mjs";

const xmtp = await loadPackage();
const { Client, PrivateKeySigner } = xmtp;
const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "scripts", "decrypt-one.mjs");
const entry = path.join(fixtures, "esm", "node_modules", "xmtp-rs", "dist", "index.js");

const clients = [];
after(() => {
  for (const c of clients) c.close();
});

async function decryptElsewhere(state, envelope) {
  const input = JSON.stringify({
    state,
    envelope: { contentTopic: envelope.contentTopic, timestampNs: String(envelope.timestampNs), message: b64(envelope.message) },
  });
  const r = await runNode([script, entry], { input, timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("a message and an invitation, from a state exported by a live client", async () => {
  const [alice, bob] = await Promise.all(
    [1, 2].map(async () => Client.create(await PrivateKeySigner.generate(), { apiUrl })),
  );
  clients.push(alice, bob);
  const conv = await alice.conversations.newConversation(bob.address);
  await bob.conversations.list();
  const state = bob.exportState();
  const prepared = await conv.prepareMessage("for the notification handler");
  await prepared.send();
  const [envelope] = prepared.envelopes;
  const got = await decryptElsewhere(state, envelope);
  assert.deepEqual(got.message, {
    id: prepared.messageId,
    sender: alice.address,
    content: "for the notification handler",
    sentNs: String(envelope.timestampNs),
  });

  // The invitation bob received, as the node stores it.
  const topic = `/xmtp/0/invite-${bob.address}/proto`;
  const res = await fetch(`${apiUrl}/message/v1/query`, { method: "POST", body: JSON.stringify({ contentTopics: [topic] }) });
  assert.equal(res.status, 200);
  const [invite] = (await res.json()).envelopes;
  const inv = await decryptElsewhere(state, {
    contentTopic: invite.contentTopic,
    timestampNs: invite.timestampNs,
    message: Buffer.from(invite.message, "base64"),
  });
  assert.equal(inv.invitation.topic, conv.topic);
  assert.equal(inv.invitation.peerAddress, alice.address);

  // Garbage: an error with a code, not a crash.
  const bad = await decryptElsewhere(state, { ...envelope, message: new Uint8Array([0x0a, 0x00]) });
  assert.ok(bad.error?.code, JSON.stringify(bad));
  const names = { network: "NetworkError", protocol: "ProtocolError", invalidInput: "InvalidInputError", state: "StateError", internal: "InternalError" };
  assert.equal(bad.error.name, names[xmtp.ERROR_CODES[bad.error.code]], `${bad.error.code} has its class`);
});

test("the upstream V2 message, from the state of a client holding its conversation", async () => {
  const upstream = JSON.parse(fs.readFileSync(path.join(root, "tests", "vectors", "upstream.json"), "utf8"));
  const v = upstream.v2MessageId;
  const e = JSON.parse(v.conversationExportJson);
  const c = await Client.fromKeys(fromHex(v.receiverPrivateKeyBundle), { apiUrl });
  clients.push(c);
  // keystore TopicData, hand-encoded: created_ns (1), peer_address (2), invitation (3) { topic (1), key (3) { key_material (1) } }
  const enc = new TextEncoder();
  const len = (n) => (n < 128 ? [n] : [(n & 0x7f) | 0x80, n >> 7]);
  const bytesField = (no, b) => [(no << 3) | 2, ...len(b.length), ...b];
  const varint = (n) => {
    const out = [];
    do {
      out.push(Number(n & 0x7fn) | (n > 0x7fn ? 0x80 : 0));
      n >>= 7n;
    } while (n > 0n);
    return out;
  };
  const keyMaterial = [...Buffer.from(e.keyMaterial, "base64")];
  const invitation = [...bytesField(1, [...enc.encode(e.topic)]), ...bytesField(3, bytesField(1, keyMaterial))];
  const data = new Uint8Array([
    0x08,
    ...varint(BigInt(Date.parse(e.createdAt)) * 1_000_000n),
    ...bytesField(2, [...enc.encode(e.peerAddress)]),
    ...bytesField(3, invitation),
  ]);
  c.conversations.import(data);
  const got = await decryptElsewhere(c.exportState(), {
    contentTopic: v.topic,
    timestampNs: BigInt(v.headerCreatedNs),
    message: fromHex(v.messageBytes),
  });
  assert.deepEqual(got.message, {
    id: v.expectedId,
    sender: v.expectedSenderAddress,
    content: v.expectedText,
    sentNs: String(v.headerCreatedNs),
  });
});
