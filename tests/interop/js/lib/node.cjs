"use strict";
// A tiny in-process XMTP message-API node (`xmtp.message_api.v1` over the
// grpc-gateway HTTP/JSON mapping) for tests. It listens on 127.0.0.1 only.
//
//   POST /message/v1/publish        {envelopes: [...]}                 -> {}
//   POST /message/v1/query          QueryRequest                       -> QueryResponse
//   POST /message/v1/batch-query    {requests: [QueryRequest...]}      -> {responses: [...]}
//   POST /message/v1/subscribe      {contentTopics: [...]}             -> NDJSON {"result": envelope}
//   POST /message/v1/subscribe-all  {}                                 -> NDJSON {"result": envelope}
//
// JSON dialect: bytes are standard base64, 64-bit integers are decimal
// strings, enums are names (numbers accepted). Any request Content-Type is
// accepted. No authentication is checked.

const http = require("node:http");
const crypto = require("node:crypto");

const MAX_TOPIC_BYTES = 300;
const MAX_MESSAGE_BYTES = 1048214;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 100;
const MAX_LIMIT_USER_PREFERENCES = 500;
const MAX_BATCH = 50;

const ASC = "SORT_DIRECTION_ASCENDING";
const DESC = "SORT_DIRECTION_DESCENDING";

// gRPC status codes and the HTTP status grpc-gateway maps them to.
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const HTTP_STATUS = { [INVALID_ARGUMENT]: 400, [NOT_FOUND]: 404, 13: 500 };

class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const invalid = (message) => new ApiError(INVALID_ARGUMENT, message);

// Field lookup accepting both the lowerCamelCase JSON name and the proto name.
function field(obj, camel, snake) {
  if (obj == null || typeof obj !== "object") return undefined;
  return obj[camel] !== undefined ? obj[camel] : obj[snake];
}

function parseU64(value, name) {
  if (value === undefined || value === null || value === "") return 0n;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) {
    return BigInt(value);
  }
  if (typeof value === "string" && /^[0-9]+$/.test(value)) return BigInt(value);
  throw invalid(`${name}: not an unsigned 64-bit integer`);
}

function parseBytes(value, name) {
  if (value === undefined || value === null) return Buffer.alloc(0);
  if (typeof value !== "string") throw invalid(`${name}: expected a base64 string`);
  // Buffer's decoder accepts the standard and URL-safe alphabets, padded or not.
  return Buffer.from(value, "base64");
}

function parseDirection(value) {
  if (value === ASC || value === 1) return ASC;
  // UNSPECIFIED (0 / missing) means descending, like the real node.
  return DESC;
}

// The unique row id of a stored envelope: sha256(topic || message).
function rowDigest(topic, message) {
  return crypto.createHash("sha256").update(Buffer.from(topic, "utf8")).update(message).digest();
}

// Order rows by (sender timestamp, digest).
function compareKeys(aTs, aDigest, bTs, bDigest) {
  if (aTs !== bTs) return aTs < bTs ? -1 : 1;
  return Buffer.compare(aDigest, bDigest);
}

function isEphemeral(topic) {
  return topic.startsWith("/xmtp/0/mE-") || topic.startsWith("/xmtp/0/dmE-");
}

function envelopeJson(row) {
  return {
    contentTopic: row.contentTopic,
    timestampNs: row.timestampNs.toString(),
    message: row.message.toString("base64"),
  };
}

function parseEnvelope(raw, i) {
  const contentTopic = field(raw, "contentTopic", "content_topic");
  if (typeof contentTopic !== "string" || contentTopic.length === 0) {
    throw invalid(`envelopes[${i}]: missing contentTopic`);
  }
  if (Buffer.byteLength(contentTopic, "utf8") > MAX_TOPIC_BYTES) {
    throw invalid(`envelopes[${i}]: topic too long`);
  }
  const timestampNs = parseU64(field(raw, "timestampNs", "timestamp_ns"), "timestampNs");
  const message = parseBytes(raw.message, "message");
  if (message.length > MAX_MESSAGE_BYTES) {
    throw invalid(`envelopes[${i}]: message too large`);
  }
  return { contentTopic, timestampNs, message };
}

class MessageApiNode {
  constructor() {
    this.rows = []; // stored envelopes (non-ephemeral), unsorted
    this.rowIds = new Set(); // hex digests of stored rows
    this.published = []; // every envelope received by Publish, in order (JSON form)
    this.subscribers = new Set(); // {topics: Set|null, res}
    this.server = null;
    this.url = null;
  }

  // Start listening on 127.0.0.1 with an ephemeral port. Resolves to the base URL.
  async start() {
    this.server = http.createServer((req, res) => this._handle(req, res));
    await new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", resolve);
    });
    this.url = `http://127.0.0.1:${this.server.address().port}`;
    return this.url;
  }

  // End every stream, close all connections and stop listening.
  async stop() {
    if (!this.server) return;
    for (const sub of this.subscribers) sub.res.end();
    this.subscribers.clear();
    const closed = new Promise((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
    this.server = null;
  }

  // Store envelopes ({contentTopic, timestampNs, message} in the JSON form)
  // directly, keeping their timestamps. Ephemeral topics and duplicates are
  // skipped. Returns the number stored.
  store(envelopes) {
    let stored = 0;
    envelopes.forEach((raw, i) => {
      const env = parseEnvelope(raw, i);
      if (!isEphemeral(env.contentTopic) && this._insert(env)) stored += 1;
    });
    return stored;
  }

  // Envelopes received by Publish, in publish order.
  publishedEnvelopes() {
    return this.published.slice();
  }

  _insert(env) {
    const digest = rowDigest(env.contentTopic, env.message);
    const id = digest.toString("hex");
    if (this.rowIds.has(id)) return false;
    this.rowIds.add(id);
    this.rows.push({ ...env, digest });
    return true;
  }

  _publish(body) {
    const raws = field(body, "envelopes", "envelopes") || [];
    if (!Array.isArray(raws)) throw invalid("envelopes: expected an array");
    const envelopes = raws.map(parseEnvelope); // validate everything first
    for (const env of envelopes) {
      this.published.push(envelopeJson(env));
      const fresh = isEphemeral(env.contentTopic) || this._insert(env);
      if (fresh) this._relay(env);
    }
    return {};
  }

  _relay(env) {
    const line = JSON.stringify({ result: envelopeJson(env) }) + "\n";
    for (const sub of this.subscribers) {
      if (sub.topics === null || sub.topics.has(env.contentTopic)) sub.res.write(line);
    }
  }

  _query(req) {
    const topics = field(req, "contentTopics", "content_topics");
    if (!Array.isArray(topics) || topics.length === 0) {
      throw invalid("at least one content topic is required");
    }
    const startNs = parseU64(field(req, "startTimeNs", "start_time_ns"), "startTimeNs");
    const endNs = parseU64(field(req, "endTimeNs", "end_time_ns"), "endTimeNs");
    const paging = field(req, "pagingInfo", "paging_info") || {};
    const direction = parseDirection(paging.direction);
    let limit = Number(paging.limit || 0);
    if (!Number.isInteger(limit) || limit < 0) throw invalid("pagingInfo.limit: invalid");
    if (limit === 0) limit = DEFAULT_LIMIT;
    const maxLimit =
      topics.length === 1 && topics[0].startsWith("/xmtp/0/userpreferences-")
        ? MAX_LIMIT_USER_PREFERENCES
        : MAX_LIMIT;
    if (limit > maxLimit) throw invalid(`pagingInfo.limit: must be at most ${maxLimit}`);

    let cursor = null;
    const index = field(paging.cursor, "index", "index");
    if (index) {
      cursor = {
        ts: parseU64(field(index, "senderTimeNs", "sender_time_ns"), "senderTimeNs"),
        digest: parseBytes(index.digest, "digest"),
      };
    }

    const wanted = new Set(topics);
    const sign = direction === ASC ? 1 : -1;
    const page = this.rows
      .filter((r) => wanted.has(r.contentTopic))
      .filter((r) => (startNs === 0n || r.timestampNs >= startNs) && (endNs === 0n || r.timestampNs <= endNs))
      .filter((r) => !cursor || sign * compareKeys(r.timestampNs, r.digest, cursor.ts, cursor.digest) > 0)
      .sort((a, b) => sign * compareKeys(a.timestampNs, a.digest, b.timestampNs, b.digest))
      .slice(0, limit);

    const pagingInfo = { limit: 0, cursor: null, direction };
    if (page.length === limit) {
      const last = page[page.length - 1];
      pagingInfo.limit = limit;
      pagingInfo.cursor = {
        index: { digest: last.digest.toString("base64"), senderTimeNs: last.timestampNs.toString() },
      };
    }
    return { envelopes: page.map(envelopeJson), pagingInfo };
  }

  _batchQuery(body) {
    const requests = field(body, "requests", "requests") || [];
    if (!Array.isArray(requests)) throw invalid("requests: expected an array");
    if (requests.length > MAX_BATCH) throw invalid(`at most ${MAX_BATCH} queries per batch`);
    return { responses: requests.map((r) => this._query(r)) };
  }

  _subscribe(body, res, all) {
    let topics = null;
    if (!all) {
      const list = field(body, "contentTopics", "content_topics");
      if (!Array.isArray(list) || list.length === 0) throw invalid("at least one content topic is required");
      topics = new Set(list);
    }
    const sub = { topics, res };
    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache" });
    res.flushHeaders();
    this.subscribers.add(sub);
    // (req emits "close" as soon as its body is read; res only when the
    // response ends or the client goes away.)
    res.on("close", () => this.subscribers.delete(sub));
  }

  _handle(req, res) {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        if (req.method !== "POST") throw new ApiError(NOT_FOUND, "not found");
        const text = Buffer.concat(chunks).toString("utf8");
        let body;
        try {
          body = text.length ? JSON.parse(text) : {};
        } catch {
          throw invalid("request body is not JSON");
        }
        const path = req.url.split("?")[0];
        switch (path) {
          case "/message/v1/publish":
            return reply(res, this._publish(body));
          case "/message/v1/query":
            return reply(res, this._query(body));
          case "/message/v1/batch-query":
            return reply(res, this._batchQuery(body));
          case "/message/v1/subscribe":
            return this._subscribe(body, res, false);
          case "/message/v1/subscribe-all":
            return this._subscribe(body, res, true);
          default:
            throw new ApiError(NOT_FOUND, `no handler for ${path}`);
        }
      } catch (err) {
        const code = err instanceof ApiError ? err.code : 13;
        const status = HTTP_STATUS[code] || 500;
        if (res.headersSent) return res.end();
        return reply(res, { code, message: String(err.message || err), details: [] }, status);
      }
    });
  }
}

function reply(res, obj, status = 200) {
  const data = Buffer.from(JSON.stringify(obj), "utf8");
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": data.length });
  res.end(data);
}

// Convenience: create and start a node.
async function startNode() {
  const node = new MessageApiNode();
  await node.start();
  return node;
}

module.exports = { MessageApiNode, startNode, rowDigest };
