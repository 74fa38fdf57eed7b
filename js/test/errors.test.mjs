// Every error code of the library maps to a code and class of the package, and errors made on
// the library's paths arrive as those classes.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { apiUrl, loadPackage, loadTestBuild } from "./helpers.mjs";

const xmtp = await loadPackage();
const { Client, ERROR_CODES, PrivateKeySigner } = xmtp;
const classes = (m) => ({
  network: m.NetworkError,
  protocol: m.ProtocolError,
  invalidInput: m.InvalidInputError,
  state: m.StateError,
  internal: m.InternalError,
});
const CLASSES = classes(xmtp);

const clients = [];
after(() => {
  for (const c of clients) c.close();
});

/** Asserts `e` is the package's (module `m`'s) error for `code`, of the class its kind names. */
function isError(e, code, m = xmtp) {
  const CLASSES = classes(m);
  assert.ok(e instanceof m.XmtpError, `not an XmtpError: ${e}`);
  assert.equal(e.code, code);
  const kind = ERROR_CODES[code];
  assert.ok(kind, `${code} is not in ERROR_CODES`);
  assert.equal(e.kind, kind);
  assert.ok(e instanceof CLASSES[kind], `${code}: ${e.name} is not a ${CLASSES[kind].name}`);
  assert.equal(e.name, CLASSES[kind].name);
  return true;
}

test("every code of Client.errorCodes() is in ERROR_CODES", async () => {
  const codes = await Client.errorCodes();
  assert.ok(codes.length >= 60, `${codes.length} codes`);
  const missing = codes.filter((c) => !(c in ERROR_CODES));
  assert.deepEqual(missing, [], "codes of the library the package does not map");
  // The package's own codes besides the library's.
  const extra = Object.keys(ERROR_CODES).filter((c) => !codes.includes(c));
  assert.deepEqual(extra.sort(), ["api.aborted", "input.text", "internal.aborted"]);
  for (const kind of Object.values(ERROR_CODES)) assert.ok(kind in CLASSES, kind);
});

test("each code's class matches the kind the library reports for it", async () => {
  const testBuild = await loadTestBuild();
  const codes = await testBuild.Client.errorCodes();
  assert.deepEqual(codes, await Client.errorCodes(), "the test build has the same codes");
  for (const code of codes) {
    const { kind, error } = await testBuild.testing.libraryError(code);
    assert.equal(ERROR_CODES[code], kind, `${code}: the library says ${kind}`);
    isError(error, code, testBuild);
  }
});

test("errors on the library's paths arrive with their codes and classes", async () => {
  const c = await Client.fromKeys((await Client.create(await PrivateKeySigner.generate(), { apiUrl })).exportKeys(), { apiUrl });
  clients.push(c);
  await assert.rejects(c.conversations.newConversation("not an address"), (e) => isError(e, "address.invalid"));
  const nobody = (await PrivateKeySigner.generate()).getAddress();
  await assert.rejects(c.conversations.newConversation(nobody), (e) => isError(e, "client.no_identity"));
  await assert.rejects(c.conversations.newConversation(c.address), (e) => isError(e, "client.self_conversation"));
  await assert.rejects(Client.fromState("{", { apiUrl }), (e) => isError(e, "state.malformed"));
  await assert.rejects(Client.fromKeys(new Uint8Array([1, 2, 3]), { apiUrl }), (e) => e instanceof xmtp.ProtocolError && isError(e, e.code));
  await assert.rejects(PrivateKeySigner.fromPrivateKey(new Uint8Array(5)), (e) => isError(e, "crypto.invalid_private_key"));
  const peer = await Client.create(await PrivateKeySigner.generate(), { apiUrl });
  clients.push(peer);
  const conv = await c.conversations.newConversation(peer.address);
  await assert.rejects(conv.send(42), (e) => isError(e, "input.content"));
  await assert.rejects(
    conv.send({ url: "http://insecure.example/x", contentDigest: "00", salt: new Uint8Array(32), nonce: new Uint8Array(12), secret: new Uint8Array(32), scheme: "http://" }, { contentType: xmtp.ContentTypeRemoteAttachment }),
    (e) => isError(e, e.code) && e.code.startsWith("content."),
  );
  const unreachable = await Client.fromKeys(c.exportKeys(), { apiUrl: "http://127.0.0.1:9" });
  clients.push(unreachable);
  // (the transport error is retried with back-off before it is reported; closing aborts it)
  const pending = unreachable.canMessage(peer.address);
  setTimeout(() => unreachable.close(), 200);
  await assert.rejects(pending, (e) => isError(e, "api.aborted"));
});
