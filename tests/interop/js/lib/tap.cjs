"use strict";
// A tap on globalThis.fetch, through which xmtp-js makes every message-API call:
// it records the envelopes of acknowledged publishes (in acknowledgement order)
// and counts subscriptions whose response headers have arrived (a stream is
// live from then on). With an external node (--api-url) this is the only way
// to know what was published; in every mode it tells when a stream is live.

const PUBLISH = "/message/v1/publish";
const SUBSCRIBE = ["/message/v1/subscribe", "/message/v1/subscribe-all"];

function pathOf(input) {
  try {
    const url = typeof input === "string" || input instanceof URL ? String(input) : input.url;
    return new URL(url).pathname;
  } catch {
    return "";
  }
}

// An envelope as the gateway's JSON shows it (std base64, decimal string).
function normalizeEnvelope(e) {
  return {
    contentTopic: e.contentTopic ?? e.content_topic,
    timestampNs: String(e.timestampNs ?? e.timestamp_ns ?? "0"),
    message: Buffer.from(e.message || "", "base64").toString("base64"),
  };
}

function installFetchTap() {
  const realFetch = globalThis.fetch;
  const published = [];
  let subscriptions = 0;
  globalThis.fetch = async (input, init) => {
    const res = await realFetch(input, init);
    const path = pathOf(input);
    if (res.ok && path.endsWith(PUBLISH) && init && typeof init.body === "string") {
      const body = JSON.parse(init.body);
      for (const e of body.envelopes || []) published.push(normalizeEnvelope(e));
    } else if (res.ok && SUBSCRIBE.some((s) => path.endsWith(s))) {
      subscriptions += 1;
    }
    return res;
  };
  return {
    published: () => published.slice(),
    subscriptions: () => subscriptions,
    async waitForSubscriptions(n, timeoutMs = 10000) {
      const deadline = Date.now() + timeoutMs;
      while (subscriptions < n) {
        if (Date.now() > deadline) throw new Error(`no live subscription after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    uninstall() {
      globalThis.fetch = realFetch;
    },
  };
}

// A message-API node running elsewhere, shaped like lib/node.cjs's node for the
// scripts: its URL, and the envelopes acknowledged to this process.
function externalNode(apiUrl, tap) {
  const url = String(apiUrl).replace(/\/+$/, "");
  if (!/^https?:\/\//.test(url)) throw new Error(`--api-url: not an http(s) URL: ${apiUrl}`);
  return {
    url,
    publishedEnvelopes: () => tap.published(),
    stop: async () => {},
  };
}

module.exports = { installFetchTap, externalNode, normalizeEnvelope };
