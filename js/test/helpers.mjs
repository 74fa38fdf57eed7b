// Shared by the tests: where things are (set by run.sh), loading the package as users install
// it, a fetch that can sever the live stream, and waiting with a time limit.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const root = process.env.XMTP_TEST_ROOT ?? path.resolve(here, "../..");
/** The devnode's base URL. */
export const apiUrl = process.env.XMTP_TEST_NODE ?? "";
/** The directory holding the installed fixture projects. */
export const fixtures = process.env.XMTP_TEST_FIXTURES ?? "";

if (!apiUrl || !fixtures) {
  throw new Error("run the tests with js/test/run.sh TARBALL (XMTP_TEST_NODE and XMTP_TEST_FIXTURES unset)");
}

/** The package as installed from the tarball into the ES-module fixture project. */
export async function loadPackage() {
  return import(pathToFileURL(path.join(fixtures, "esm", "index.mjs")).href);
}

/** The test build (seeded generators, a deliberate panic), never published. */
export async function loadTestBuild() {
  return import(pathToFileURL(path.join(root, "js", "build", "testing", "dist", "index.js")).href);
}

/** Resolves with `p`, or rejects after `ms` naming `what`. */
export async function within(p, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The next `n` values of an async iterator (within `ms`). */
export async function take(iterator, n, ms = 10_000, what = `${n} stream values`) {
  const out = [];
  while (out.length < n) {
    const r = await within(iterator.next(), ms, `${what} (got ${out.length})`);
    if (r.done) throw new Error(`the stream ended after ${out.length} of ${n} values`);
    out.push(r.value);
  }
  return out;
}

/** Whether an iterator yields nothing more within `ms` (the pending `next()` is left behind). */
export async function quietFor(iterator, ms) {
  const next = iterator.next();
  const r = await Promise.race([next, sleep(ms).then(() => "quiet")]);
  return r === "quiet" ? { quiet: true, next } : { quiet: false, value: r };
}

/**
 * A fetch for `Client.create(…, { fetch })` that watches the client's stream (its subscribe
 * calls): each is recorded with whether its AbortSignal fired and whether its body was
 * cancelled or ended; `sever()` errors the open stream's body (a dropped connection);
 * `hold()` makes the next subscribe calls wait until `release()`.
 */
export function streamWatchingFetch() {
  const streams = [];
  const waiters = [];
  let gate;
  const notify = () => {
    for (const w of waiters.splice(0)) w();
  };
  const changed = () => new Promise((resolve) => waiters.push(resolve));

  async function watchedFetch(url, init = {}) {
    if (!String(url).includes("/subscribe")) return fetch(url, init);
    const rec = { url: String(url), requested: true, opened: false, aborted: false, ended: false, severed: false };
    streams.push(rec);
    init.signal?.addEventListener("abort", () => {
      rec.aborted = true;
      notify();
    });
    notify();
    if (gate) await gate.promise;
    const res = await fetch(url, init);
    if (!res.ok || res.body === null) return res;
    const reader = res.body.getReader();
    let controller;
    const body = new ReadableStream({
      start(c) {
        controller = c;
      },
      async pull(c) {
        try {
          const { done, value } = await reader.read();
          if (rec.severed) return;
          if (done) {
            rec.ended = true;
            c.close();
          } else {
            c.enqueue(value);
          }
        } catch (e) {
          rec.ended = true;
          if (!rec.severed) c.error(e);
        } finally {
          notify();
        }
      },
      cancel(reason) {
        rec.ended = true;
        notify();
        return reader.cancel(reason);
      },
    });
    rec.sever = () => {
      rec.severed = true;
      controller.error(new TypeError("connection reset (severed by the test)"));
      reader.cancel().catch(() => {});
      notify();
    };
    rec.opened = true;
    notify();
    return new Response(body, { status: res.status, headers: res.headers });
  }

  return {
    fetch: watchedFetch,
    streams,
    /** The latest subscribe call. */
    get current() {
      return streams[streams.length - 1];
    },
    /** Waits until `predicate()` holds (checked on every change of a stream). */
    async until(predicate, ms = 10_000, what = "a stream change") {
      const deadline = Date.now() + ms;
      while (!predicate()) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out: ${what}`);
        await within(changed(), left, what).catch(() => {});
      }
    },
    /** Waits until `count` subscribe calls were made and the last is open. */
    async opened(count = streams.length || 1, ms = 10_000) {
      await this.until(() => streams.length >= count && streams[streams.length - 1].opened, ms, `stream ${count} open`);
      // The node registers the subscription as it answers; give the relay a moment.
      await sleep(100);
    },
    hold() {
      let release;
      const promise = new Promise((resolve) => (release = resolve));
      gate = { promise, release };
    },
    release() {
      gate?.release();
      gate = undefined;
    },
  };
}

/** Runs `node` with `args` (cwd `cwd`); resolves with its exit code, stdout and stderr. */
export function runNode(args, { cwd, input, timeoutMs = 60_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`node ${args.join(" ")} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(input ?? "");
  });
}

export const b64 = (bytes) => Buffer.from(bytes).toString("base64");
export const fromB64 = (s) => new Uint8Array(Buffer.from(s, "base64"));
export const hex = (bytes) => Buffer.from(bytes).toString("hex");
export const fromHex = (s) => new Uint8Array(Buffer.from(s.replace(/^0x/, ""), "hex"));
