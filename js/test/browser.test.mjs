// The chat demo (fixtures/browser, bundled by esbuild from the installed tarball) in Chromium:
// served by a small static server on 127.0.0.1, it talks to the devnode on another port
// (cross-origin: the devnode answers CORS as the XMTP gateway does). Two identities chat;
// the rendered messages are checked and a screenshot is saved.
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { apiUrl, fixtures, root } from "./helpers.mjs";

const { chromium } = createRequire(path.join(root, "js", "package.json"))("playwright-core");
const CHROMIUM = "/usr/bin/chromium";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
const publicDir = path.join(fixtures, "browser", "public");

let server;
let pageUrl;
const served = [];
before(async () => {
  server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
    const file = path.join(publicDir, name);
    if (!file.startsWith(publicDir + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    served.push(name);
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  pageUrl = `http://127.0.0.1:${server.address().port}/index.html?node=${encodeURIComponent(apiUrl)}`;
});
after(() => server?.close());

test("two identities chat in the bundled demo page in Chromium", async () => {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium is not installed at ${CHROMIUM}`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "xmtp-rs-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: false, // --headless=new below
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
    viewport: { width: 1100, height: 620 },
  });
  const problems = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
    await page.goto(pageUrl);
    await page.waitForSelector("body[data-ready], body[data-error]", { timeout: 60_000 });
    assert.equal(await page.getAttribute("body", "data-error"), null, await page.textContent("#status"));
    assert.match(await page.textContent("#status"), /chatting on v2 conversation \/xmtp\/0\/m-/);

    const say = async (who, text) => {
      await page.fill(`#${who} input`, text);
      await page.press(`#${who} input`, "Enter");
    };
    const bubbles = (who) =>
      page.$$eval(`#${who} .messages li`, (lis) => lis.map((li) => `${li.dataset.sender}: ${li.lastChild.textContent}`));
    const waitFor = (who, n) => page.waitForFunction(([w, k]) => document.querySelectorAll(`#${w} .messages li`).length >= k, [who, n], { timeout: 20_000 });

    await say("alice", "Hello Bob 👋");
    await waitFor("bob", 1);
    await say("bob", "Hi Alice! Compiled from Rust?");
    await waitFor("alice", 2);
    await say("alice", "Yes, WebAssembly.");
    await waitFor("bob", 3);
    await waitFor("alice", 3);
    const expected = ["Alice: Hello Bob 👋", "Bob: Hi Alice! Compiled from Rust?", "Alice: Yes, WebAssembly."];
    assert.deepEqual(await bubbles("alice"), expected);
    assert.deepEqual(await bubbles("bob"), expected);
    assert.deepEqual(await page.$$eval("#alice .messages li", (l) => l.map((li) => li.className)), ["mine", "theirs", "mine"]);
    assert.equal(await page.textContent("#bob .connection"), "connected");

    const shot = path.join(root, "js", "build", "artifacts", "browser-chat.png");
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
    assert.ok(served.includes("xmtp_wasm_bg.wasm"), "the page loaded the .wasm beside its bundle");
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
});
