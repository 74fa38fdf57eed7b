/**
 * Loading the WebAssembly module. It ships as a separate file, `xmtp_wasm_bg.wasm`, beside the
 * package's entry points; {@link init} loads it once (every `Client` constructor calls it):
 * - in Node it is read from the package directory;
 * - in browsers it is fetched from beside the module (`new URL(…, import.meta.url)`, which
 *   Vite, webpack and Parcel follow and copy); with other bundlers, copy the file next to the
 *   bundle or pass its URL (or bytes, or a compiled `WebAssembly.Module`) to `init`.
 */

import initGlue, * as glue from "../generated/xmtp_wasm.js";
import { errorFor, fromWasm, type XmtpError } from "./errors.js";

/** Where the WebAssembly module comes from. */
export type WasmSource = URL | string | Uint8Array | ArrayBuffer | WebAssembly.Module | Response | Promise<Response>;

declare const __XMTP_CJS__: boolean;
declare const __filename: string;
declare function require(id: string): unknown;

let loading: Promise<void> | undefined;
let aborted = false;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === "string";
}

function defaultUrl(): URL {
  if (__XMTP_CJS__) {
    const { pathToFileURL } = require("node:url") as { pathToFileURL(p: string): URL };
    return new URL("./xmtp_wasm_bg.wasm", pathToFileURL(__filename));
  }
  return new URL("./xmtp_wasm_bg.wasm", import.meta.url);
}

async function defaultSource(): Promise<WasmSource> {
  const url = defaultUrl();
  if (isNode() && url.protocol === "file:") {
    // A specifier computed at run time (no minifier folds it to a literal), so that bundlers
    // for browsers leave it alone.
    const fsName = ["node:fs", "promises"].join("/");
    const fs = (await import(/* @vite-ignore */ fsName)) as { readFile(u: URL): Promise<Uint8Array> };
    return fs.readFile(url);
  }
  return url;
}

/**
 * Loads the WebAssembly module (once; later calls return the same promise). Call it yourself
 * only to choose where the module comes from.
 */
export function init(source?: WasmSource): Promise<void> {
  loading ??= (async () => {
    await initGlue({ module_or_path: source ?? (await defaultSource()) });
  })();
  return loading;
}

/** The loaded module's exports. @internal */
export function wasm(): typeof glue {
  if (loading === undefined) throw errorFor("internal.aborted", "call init() (or a Client constructor) first", "internal");
  return glue;
}

/**
 * Runs a call into the module, turning what it throws into an {@link XmtpError}. A trap (a
 * panic aborts on wasm32) leaves the module in an unknown state: it is reported as
 * `internal.panic`, and every later call fails with `internal.aborted`. @internal
 */
export function call<T>(f: () => T): T {
  if (aborted) throw errorFor("internal.aborted", "the library stopped after an internal error", "internal");
  try {
    return f();
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) {
      aborted = true;
      throw errorFor("internal.panic", "an internal error stopped the library", "internal", e);
    }
    throw fromWasm(e) satisfies XmtpError;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * `value`, once every string in it (in arrays and plain objects too) is known to be valid
 * Unicode. A lone UTF-16 surrogate, which a JavaScript string can hold and a Rust string
 * cannot, would otherwise reach the library as U+FFFD without a word: it is refused as
 * `input.text`. @internal
 */
export function wellFormed<T>(value: T): T {
  checkText(value, 0);
  return value;
}

function checkText(v: unknown, depth: number): void {
  if (typeof v === "string") {
    if (LONE_SURROGATE.test(v)) {
      throw errorFor("input.text", "a string is not valid Unicode (a lone UTF-16 surrogate)", "invalidInput");
    }
    return;
  }
  if (depth > 16 || typeof v !== "object" || v === null || ArrayBuffer.isView(v)) return;
  if (Array.isArray(v)) {
    for (const x of v) checkText(x, depth + 1);
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) checkText(x, depth + 1);
  }
}

/**
 * Frees a library object. After a trap the instance is stopped and there is nothing left to
 * free: that is not an error. @internal
 */
export function release(o: { free(): void }): void {
  if (aborted) return;
  call(() => o.free());
}
