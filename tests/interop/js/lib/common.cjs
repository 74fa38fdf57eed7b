"use strict";
// Shared helpers for produce.cjs and consume.cjs.

const fs = require("node:fs");
// xmtp-js's ESM entry is broken; always load it as CommonJS.
const xmtp = require("@xmtp/xmtp-js");
const { ContentTypeId } = require("@xmtp/content-type-primitives");
const { ReactionCodec } = require("@xmtp/content-type-reaction");
const { ReplyCodec } = require("@xmtp/content-type-reply");
const { ReadReceiptCodec } = require("@xmtp/content-type-read-receipt");
const {
  AttachmentCodec,
  RemoteAttachmentCodec,
  ContentTypeRemoteAttachment,
} = require("@xmtp/content-type-remote-attachment");

const GENERATOR = "@xmtp/xmtp-js@13.0.4";

// A content type that no standard registry knows. Only a sender registers it;
// readers see the message as undecodable and fall back to its fallback text.
const ContentTypeCustom = new ContentTypeId({
  authorityId: "example.org",
  typeId: "custom",
  versionMajor: 1,
  versionMinor: 0,
});

// Content: any JSON value with a string `label`; wire content = UTF-8 JSON.
class CustomCodec {
  get contentType() {
    return ContentTypeCustom;
  }
  encode(content) {
    return {
      type: ContentTypeCustom,
      parameters: { format: "json" },
      content: new TextEncoder().encode(JSON.stringify(content)),
    };
  }
  decode(encoded) {
    return JSON.parse(new TextDecoder().decode(encoded.content));
  }
  fallback(content) {
    return `Custom content: ${content.label}`;
  }
  shouldPush() {
    return false;
  }
}

// The standard content-type codecs registered on every reading client (text is built in).
// transaction-reference 2.x is ESM-only, hence the dynamic import.
async function standardCodecs() {
  const { TransactionReferenceCodec } = await import("@xmtp/content-type-transaction-reference");
  return [
    new ReactionCodec(),
    new ReplyCodec(),
    new ReadReceiptCodec(),
    new AttachmentCodec(),
    new RemoteAttachmentCodec(),
    new TransactionReferenceCodec(),
  ];
}

function clientOptions(apiUrl, codecs, extra = {}) {
  return { env: "local", apiUrl, codecs, ...extra };
}

// Encoded PrivateKeyBundle{v1}, byte-identical to what Client.getKeys returns
// (Client.getKeys does exactly this on a freshly created client).
async function exportKeys(client) {
  const keys = await client.keystore.getPrivateKeyBundle();
  return new xmtp.PrivateKeyBundleV1(keys).encode();
}

const b64 = (bytes) => Buffer.from(bytes).toString("base64");
const fromB64 = (s) => new Uint8Array(Buffer.from(s, "base64"));
const msToNs = (date) => (BigInt(date.getTime()) * 1000000n).toString();

// Decoded content -> plain JSON (Uint8Array as standard base64).
function toJson(value) {
  if (value === undefined || value === null) return null;
  if (value instanceof Uint8Array) return b64(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return msToNs(value);
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJson(v);
    }
    return out;
  }
  return value;
}

function messageJson(msg) {
  const out = {
    id: msg.id,
    senderAddress: msg.senderAddress,
    sentNs: msToNs(msg.sent),
    contentType: msg.contentType ? msg.contentType.toString() : null,
    content: msg.error ? null : toJson(msg.content),
    fallback: msg.contentFallback ?? null,
  };
  if (msg.error) out.error = String(msg.error.message || msg.error);
  return out;
}

function contextJson(context) {
  if (!context) return null;
  return { conversationId: context.conversationId, metadata: { ...(context.metadata || {}) } };
}

// RemoteAttachmentCodec.load() with downloads served from `attachments`
// ({url: base64 payload}) instead of the network.
async function loadRemote(content, client, attachments) {
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => {
    const key = String(url);
    if (Object.prototype.hasOwnProperty.call(attachments, key)) {
      return new Response(Buffer.from(attachments[key], "base64"));
    }
    return realFetch(url, init);
  };
  try {
    return await RemoteAttachmentCodec.load(content, client);
  } finally {
    globalThis.fetch = realFetch;
  }
}

// What a client reads back: conversations.list(), then messages() of each.
// Remote attachments whose URL is in `attachments` are also downloaded and
// decrypted (result in `remoteContent`).
async function readBack(client, attachments = {}) {
  const conversations = [];
  for (const conv of await client.conversations.list()) {
    const messages = [];
    for (const msg of await conv.messages()) {
      const m = messageJson(msg);
      if (m.contentType === ContentTypeRemoteAttachment.toString() && m.content && attachments[m.content.url]) {
        try {
          m.remoteContent = toJson(await loadRemote(msg.content, client, attachments));
        } catch (err) {
          m.remoteError = String(err.message || err);
        }
      }
      messages.push(m);
    }
    conversations.push({
      version: conv.conversationVersion,
      topic: conv.topic,
      peerAddress: conv.peerAddress,
      context: conv.conversationVersion === "v2" ? contextJson(conv.context) : null,
      createdNs: msToNs(conv.createdAt),
      messages,
    });
  }
  return { conversations };
}

// Parse `--name VALUE` pairs; `required` must all be present, `optional` may be.
function parseArgs(argv, required, optional = []) {
  const known = [...required, ...optional];
  const meta = (name) => (name.endsWith("url") ? "URL" : "FILE");
  const usage = () => {
    const err = new Error(
      `usage: ${[...required.map((n) => `--${n} ${meta(n)}`), ...optional.map((n) => `[--${n} ${meta(n)}]`)].join(" ")}`,
    );
    err.usage = true;
    return err;
  };
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].startsWith("--") ? argv[i].slice(2) : null;
    if (!name || !known.includes(name) || i + 1 >= argv.length) throw usage();
    out[name] = argv[i + 1];
  }
  for (const n of required) if (!out[n]) throw usage();
  return out;
}

function writeJson(path, obj) {
  fs.writeFileSync(path, JSON.stringify(obj, null, 2) + "\n");
}

// Run main(); exit non-zero on error or if it does not finish in time. Once
// main() has settled the process should exit by itself; if something still
// holds the event loop open, exit anyway after a short grace period.
function run(main, timeoutMs = 180000) {
  const timer = setTimeout(() => {
    console.error(`timed out after ${timeoutMs} ms`);
    process.exit(2);
  }, timeoutMs);
  timer.unref();
  const finish = (code) => {
    clearTimeout(timer);
    process.exitCode = code;
    setTimeout(() => {
      console.error("warning: event loop still busy after completion; exiting");
      process.exit(code);
    }, 3000).unref();
  };
  main().then(
    () => finish(0),
    (err) => {
      console.error(err && err.usage ? err.message : err && err.stack ? err.stack : err);
      finish(1);
    },
  );
}

module.exports = {
  xmtp,
  GENERATOR,
  ContentTypeCustom,
  CustomCodec,
  standardCodecs,
  clientOptions,
  exportKeys,
  b64,
  fromB64,
  msToNs,
  toJson,
  readBack,
  parseArgs,
  writeJson,
  run,
};
