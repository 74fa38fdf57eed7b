// The tarball installed into an ES-module and a CommonJS Node project: each resolves the
// package from its own node_modules and chats through the node.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { apiUrl, fixtures, root, runNode } from "./helpers.mjs";

function installed(entry, project, file) {
  assert.equal(entry, path.join(fixtures, project, "node_modules", "xmtp-rs", "dist", file));
  assert.ok(!entry.startsWith(path.join(root, "js")), "not the source tree");
}

test("an ES-module project imports the installed package", async () => {
  const r = await runNode(["smoke.mjs", apiUrl], { cwd: path.join(fixtures, "esm") });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  installed(out.entry, "esm", "index.js");
  assert.match(out.version, /\d+\.\d+\.\d+/);
  assert.equal(out.peer, true);
  assert.deepEqual(out.texts, ["hello from an ES module"]);
});

test("a CommonJS project requires the installed package", async () => {
  const r = await runNode(["smoke.cjs", apiUrl], { cwd: path.join(fixtures, "cjs") });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  installed(out.entry, "cjs", "index.cjs");
  assert.equal(out.peer, true);
  assert.deepEqual(out.texts, ["hello from CommonJS"]);
  assert.ok(out.codes > 60);
  assert.deepEqual(out.invalid, { code: "address.invalid", isClass: true });
});

test("the tarball holds the built package only", async () => {
  const pkg = path.join(fixtures, "esm", "node_modules", "xmtp-rs");
  const { readdir, readFile } = await import("node:fs/promises");
  const files = (await readdir(path.join(pkg, "dist"))).sort();
  for (const f of ["index.js", "index.cjs", "index.d.ts", "xmtp_wasm_bg.wasm"]) assert.ok(files.includes(f), f);
  const manifest = JSON.parse(await readFile(path.join(pkg, "package.json"), "utf8"));
  assert.equal(manifest.dependencies, undefined, "no runtime dependencies");
  const wasm = await WebAssembly.compile(await readFile(path.join(pkg, "dist", "xmtp_wasm_bg.wasm")));
  const exports = WebAssembly.Module.exports(wasm).map((e) => e.name);
  assert.ok(exports.some((n) => /decryptEnvelope|decryptenvelope/i.test(n)), "the library's exports are there");
  const testOnly = exports.filter((n) => /seeded|debugpanic|debugerrorfor|debug_panic/i.test(n));
  assert.deepEqual(testOnly, [], "the published build has no test-only exports");
});
