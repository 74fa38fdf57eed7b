"use strict";
// host-runner.cjs --root DIR [--map PREFIX]
//
// What the Swift tests need from the host while they run (they may run in a chroot without
// node): on 127.0.0.1 only,
//   POST /run   {"script": "produce.cjs" | "consume.cjs", "args": [...]}
//               runs `node SCRIPT ARGS` in tests/interop/js; arguments starting with PREFIX
//               (the clone's path as the tests see it) are rewritten to DIR. Answers
//               {"status": exit code, "output": text}.
//   POST /proxy {"target": "http://127.0.0.1:PORT"}
//               starts a TCP proxy to the target and answers {"id", "url"}.
//   GET  /proxy/ID
//               {"open": open connections, "streams": open connections that carried a
//               subscribe request}: lets a test see a stream's connection close.
// Prints `host-runner listening on http://127.0.0.1:PORT`.

const http = require("node:http");
const net = require("node:net");
const path = require("node:path");
const { execFile } = require("node:child_process");

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const root = opt("root");
const prefix = opt("map") || root;
if (!root) throw new Error("--root is required");
const harness = path.join(root, "tests/interop/js");
const SCRIPTS = new Set(["produce.cjs", "consume.cjs"]);

const proxies = [];

function startProxy(target) {
  const url = new URL(target);
  const state = { open: new Set(), streams: new Set() };
  const server = net.createServer((client) => {
    state.open.add(client);
    const upstream = net.connect(Number(url.port), url.hostname);
    let head = "";
    client.on("data", (chunk) => {
      if (!state.streams.has(client)) {
        head = (head + chunk.toString("latin1")).slice(-4096);
        if (/POST \/message\/v1\/subscribe/.test(head)) state.streams.add(client);
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    const end = () => {
      state.open.delete(client);
      state.streams.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end);
    client.on("error", end);
    upstream.on("close", end);
    upstream.on("error", end);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      proxies.push(state);
      resolve({ id: proxies.length - 1, url: `http://127.0.0.1:${server.address().port}` });
    });
  });
}

function answer(res, status, value) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
}

const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", async () => {
    try {
      if (req.method === "POST" && req.url === "/run") {
        const { script, args } = JSON.parse(body);
        if (!SCRIPTS.has(script)) return answer(res, 400, { error: `unknown script ${script}` });
        const mapped = args.map((a) => (typeof a === "string" && a.startsWith(prefix + "/") ? root + a.slice(prefix.length) : String(a)));
        execFile("node", [script, ...mapped], { cwd: harness, maxBuffer: 64 << 20, timeout: 300000 }, (err, stdout, stderr) => {
          answer(res, 200, { status: err ? (typeof err.code === "number" ? err.code : 1) : 0, output: stdout + stderr });
        });
      } else if (req.method === "POST" && req.url === "/proxy") {
        answer(res, 200, await startProxy(JSON.parse(body).target));
      } else if (req.method === "GET" && req.url.startsWith("/proxy/")) {
        const state = proxies[Number(req.url.slice("/proxy/".length))];
        if (!state) return answer(res, 404, { error: "no such proxy" });
        answer(res, 200, { open: state.open.size, streams: state.streams.size });
      } else {
        answer(res, 404, { error: "not found" });
      }
    } catch (e) {
      answer(res, 500, { error: String(e) });
    }
  });
});
server.listen(0, "127.0.0.1", () => {
  console.log(`host-runner listening on http://127.0.0.1:${server.address().port}`);
});
