// Syncing with the npm package and with @xmtp/xmtp-js 13.0.4 against the same node (the devnode
// on loopback, loaded by the Rust example `bench_sync --load`), for scripts/bench-hosts.sh:
//
//   node js/bench/sync.mjs --node URL --list META [--runs R]
//       a fresh client of the reader lists its conversations (opens every invitation)
//   node js/bench/sync.mjs --node URL --sync META [--runs R]
//       ... and then reads every message of each conversation, one conversation after another
//   node js/bench/sync.mjs --node URL --sync META --rss xmtp-rs|xmtp-js
//       one sync by one client in this fresh process, then the process's peak resident set
//   node js/bench/sync.mjs --node URL --send META [--runs R]
//       each client lists, then sends R text messages one at a time to the first conversation
//       (after 1,000 untimed, as every host's benchmark does), per message
//   node js/bench/sync.mjs --node URL --create [--runs R]
//       each client creates clients of new wallets: identity (two signatures), stored keys,
//       contact (after one untimed)
//   node js/bench/sync.mjs --node URL --invite META [--runs R] [--offset O]
//       each client starts a conversation with one of the corpus's peers at a time (the
//       npm package from peer O on, xmtp-js after it; one untimed first)
//
// META is the corpus's `--meta-out` file from `bench_corpus` (the reader's keys and the
// conversations' counts). Every run starts from a new client (nothing cached; creating it is not
// timed) and checks that it found every conversation and message. The two clients alternate run
// by run, so that both see the same machine. Prints one JSON line: median, minimum and maximum
// in ms per client, or the peak resident set in KiB.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const require = createRequire(join(root, "tests", "interop", "js", "package.json"));

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}
const node = arg("node");
const op = ["list", "sync", "send", "invite"].find((o) => arg(o) !== undefined) ?? (process.argv.includes("--create") ? "create" : undefined);
if (!node || !op) {
  console.error("usage: sync.mjs --node URL (--list META | --sync META | --send META | --create | --invite META [--offset O]) [--runs R] [--rss xmtp-rs|xmtp-js]");
  process.exit(2);
}
const meta = op === "create" ? { reader: { keys: "" }, conversations: [] } : JSON.parse(readFileSync(arg(op), "utf8"));
const runs = Number(arg("runs") ?? "5");
const rss = arg("rss");
const keys = new Uint8Array(Buffer.from(meta.reader.keys, "base64"));
const want = {
  conversations: meta.conversations.length,
  messages: op === "sync" ? meta.conversations.reduce((n, c) => n + c.messages, 0) : 0,
};

// A fresh client of the reader, per client library (both close with `close()`).
const openers = {
  async "xmtp-rs"() {
    const { Client } = await import(join(root, "js", "dist", "index.js"));
    return Client.fromKeys(keys, { apiUrl: node });
  },
  async "xmtp-js"() {
    const { Client } = require("@xmtp/xmtp-js");
    return Client.create(null, { env: "local", apiUrl: node, privateKeyOverride: keys, skipContactPublishing: true });
  },
};

async function sync(c) {
  const conversations = await c.conversations.list();
  let messages = 0;
  if (op === "sync") {
    for (const conversation of conversations) messages += (await conversation.messages()).length;
  }
  return { conversations: conversations.length, messages };
}

async function once(name) {
  const client = await openers[name]();
  try {
    const t = performance.now();
    const got = await sync(client);
    const ms = performance.now() - t;
    if (got.conversations !== want.conversations || got.messages !== want.messages) {
      throw new Error(`${name} found ${JSON.stringify(got)}, the corpus has ${JSON.stringify(want)}`);
    }
    return ms;
  } finally {
    await client.close();
  }
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median_ms: median, min_ms: s[0], max_ms: s[s.length - 1] };
};

// Untimed sends before the timed ones, the same in every host (the compilers warm up).
const SEND_WARM_UP = 1000;

async function sends(name) {
  const client = await openers[name]();
  try {
    const [conversation] = await client.conversations.list();
    if (!conversation) throw new Error(`${name}: no conversation to send to`);
    const ms = [];
    for (let i = 0; i < runs + SEND_WARM_UP; i++) {
      const t = performance.now();
      await conversation.send(`benchmark message ${i}`);
      if (i >= SEND_WARM_UP) ms.push(performance.now() - t);
    }
    return ms;
  } finally {
    await client.close();
  }
}

// A new wallet each time: the npm package's own signer, an ethers wallet for xmtp-js.
const creators = {
  async "xmtp-rs"() {
    const { Client, PrivateKeySigner } = await import(join(root, "js", "dist", "index.js"));
    return Client.create(await PrivateKeySigner.generate(), { apiUrl: node });
  },
  async "xmtp-js"() {
    const { Client } = require("@xmtp/xmtp-js");
    const { Wallet } = require("ethers");
    return Client.create(Wallet.createRandom(), { env: "local", apiUrl: node });
  },
};

async function creates(name) {
  const ms = [];
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    const client = await creators[name]();
    if (i > 0) ms.push(performance.now() - t);
    await client.close();
  }
  return ms;
}

async function invites(name, offset) {
  const peers = meta.peers ?? [];
  if (peers.length < offset + runs + 1) throw new Error(`the corpus has ${peers.length} peers, ${offset + runs + 1} needed`);
  const client = await openers[name]();
  try {
    const ms = [];
    for (let i = 0; i <= runs; i++) {
      const t = performance.now();
      const conversation = await client.conversations.newConversation(peers[offset + i]);
      if (i > 0) ms.push(performance.now() - t);
      if (conversation.peerAddress.toLowerCase() !== peers[offset + i].toLowerCase()) throw new Error(`${name}: wrong peer`);
    }
    return ms;
  } finally {
    await client.close();
  }
}

if (op === "create") {
  const [rs, js] = [await creates("xmtp-rs"), await creates("xmtp-js")];
  console.log(JSON.stringify({ op, runs, xmtprs: stats(rs), xmtpjs: stats(js), node: process.version }));
} else if (op === "invite") {
  const offset = Number(arg("offset") ?? "0");
  const [rs, js] = [await invites("xmtp-rs", offset), await invites("xmtp-js", offset + runs + 1)];
  console.log(JSON.stringify({ op, runs, xmtprs: stats(rs), xmtpjs: stats(js), node: process.version }));
} else if (op === "send") {
  const [rs, js] = [await sends("xmtp-rs"), await sends("xmtp-js")];
  console.log(JSON.stringify({ op, runs, xmtprs: stats(rs), xmtpjs: stats(js), node: process.version }));
} else if (rss) {
  if (!openers[rss]) throw new Error(`--rss: ${rss}?`);
  await once(rss);
  console.log(JSON.stringify({ op, client: rss, messages: want.messages, peak_rss_kib: process.resourceUsage().maxRSS }));
} else {
  const times = { "xmtp-rs": [], "xmtp-js": [] };
  for (const name of Object.keys(times)) await once(name); // warm-up
  for (let i = 0; i < runs; i++) {
    for (const name of Object.keys(times)) times[name].push(await once(name));
  }
  console.log(
    JSON.stringify({
      op,
      ...want,
      runs,
      xmtprs: stats(times["xmtp-rs"]),
      xmtpjs: stats(times["xmtp-js"]),
      node: process.version,
    }),
  );
}
