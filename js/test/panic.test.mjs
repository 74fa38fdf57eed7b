// A panic inside the library (test build): it arrives as a thrown InternalError with code
// `internal.panic`, never as an uncaught crash. On wasm32 a panic aborts the WebAssembly
// instance, so afterwards every call of the package fails with `internal.aborted` (this file
// runs in its own process: it poisons its module instance).
import assert from "node:assert/strict";
import { test } from "node:test";
import { apiUrl, loadTestBuild } from "./helpers.mjs";

const t = await loadTestBuild();
const { Client, testing } = t;

test("a panic is an internal.panic error; afterwards every call fails with internal.aborted", async () => {
  const uncaught = [];
  const onUncaught = (e) => uncaught.push(e);
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  try {
    const wallet = await testing.walletSeeded(11n);
    const keys = await Client.getKeys(wallet, { apiUrl });
    const client = await testing.fromKeysSeeded(keys, { apiUrl }, 1n);
    const peer = await Client.create(await testing.walletSeeded(12n), { apiUrl });
    const conv = await client.conversations.newConversation(peer.address);
    assert.equal(client.conversations.listLocal().length, 1, "the client works before");

    let thrown;
    try {
      testing.debugPanic(client);
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown instanceof t.XmtpError, `thrown: ${thrown}`);
    assert.ok(thrown instanceof t.InternalError);
    assert.equal(thrown.code, "internal.panic");
    assert.equal(thrown.kind, "internal");
    assert.ok(thrown.cause instanceof WebAssembly.RuntimeError, "caused by the instance's trap");

    const aborted = (e) => e instanceof t.InternalError && e.code === "internal.aborted";
    // Every later call of this module instance, on any client or none, synchronous or not.
    assert.throws(() => client.conversations.listLocal(), aborted);
    assert.throws(() => peer.exportKeys(), aborted);
    assert.throws(() => testing.debugPanic(client), aborted);
    await assert.rejects(conv.send("after the panic"), aborted);
    await assert.rejects(peer.conversations.list(), aborted);
    await assert.rejects(Client.errorCodes(), aborted);
    await assert.rejects(Client.fromKeys(keys, { apiUrl }), aborted);
    await assert.rejects(testing.walletSeeded(1n), aborted);
    client.close();
    peer.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(uncaught, [], "nothing escaped uncaught");
  } finally {
    process.off("uncaughtException", onUncaught);
    process.off("unhandledRejection", onUncaught);
  }
});
