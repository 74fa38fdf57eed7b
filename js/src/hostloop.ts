/**
 * The host loop of one client: performs the library's requests over `fetch`, carries its
 * stream (read line by line from the response body), hands back outcomes, and dispatches its
 * events — an operation's final event settles the promise of its caller, the others go to the
 * listeners (the async iterators). Deadlines (retries, reconnects) are timers the library
 * asks for; nothing polls.
 */

import { errorFor, fromWasm } from "./errors.js";
import { call } from "./wasm.js";
import type { WireEvent, WireHttpRequest } from "./wire.js";

/** The current time as the library counts it: Unix nanoseconds. @internal */
export function nowNs(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/** The part of a client or identity set-up that the loop drives. @internal */
export interface LoopTarget {
  pollRequest(nowNs: bigint): WireHttpRequest | undefined;
  handleHttp(id: bigint, status: number, body: Uint8Array, nowNs: bigint): void;
  nextDeadline(): bigint | undefined;
}

/** A `fetch` function (the global one unless an application passes its own). */
export type Fetch = typeof globalThis.fetch;

const encoder = new TextEncoder();

function headers(r: WireHttpRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of r.headers) out[h.name] = h.value;
  return out;
}

/** One call: its status (0 when the transport failed) and body. @internal */
export async function perform(fetchFn: Fetch, r: WireHttpRequest): Promise<[number, Uint8Array]> {
  try {
    const res = await fetchFn(r.url, { method: "POST", headers: headers(r), body: r.body as BodyInit });
    return [res.status, new Uint8Array(await res.arrayBuffer())];
  } catch (e) {
    return [0, encoder.encode(e instanceof Error ? e.message : String(e))];
  }
}

/** Milliseconds from now until `deadlineNs` (at least 0). @internal */
export function delayMs(deadlineNs: bigint): number {
  const ms = Number((deadlineNs - nowNs()) / 1_000_000n);
  return Math.max(0, Math.min(ms, 2_147_483_647));
}

type Listener = (e: WireEvent) => void;

interface ClientTarget extends LoopTarget {
  streamOpened(id: bigint, nowNs: bigint): void;
  streamLine(id: bigint, line: Uint8Array, nowNs: bigint): void;
  streamClosed(id: bigint, nowNs: bigint): void;
  pollEvents(): WireEvent[];
  subscribe(): bigint;
  unsubscribe(): void;
}

/** @internal */
export class HostLoop {
  private readonly waiting = new Map<bigint, (e: WireEvent) => void>();
  private readonly listeners = new Set<Listener>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stream: { id: bigint; abort: AbortController } | undefined;
  private subscribers = 0;
  private closed = false;
  private pumping = false;

  constructor(
    private readonly target: ClientTarget,
    private readonly fetchFn: Fetch,
  ) {}

  /** Starts an operation and waits for its final event; a `failed` event rejects. */
  operation(start: () => bigint): Promise<WireEvent> {
    if (this.closed) return Promise.reject(errorFor("api.aborted", "the client is closed", "network"));
    const op = call(start);
    const done = new Promise<WireEvent>((resolve, reject) => {
      // Registered before any event is dispatched (dispatching happens in pump(), below).
      this.waiting.set(op, (e: WireEvent) => (e.kind === "failed" ? reject(fromWasm(e.error)) : resolve(e)));
    });
    this.pump();
    return done;
  }

  /** Adds a receiver of the events that end no operation; returns its removal. */
  listen(f: Listener): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** One more stream wanted: the first subscribes. */
  acquireStream(): void {
    if (this.closed) return;
    if (this.subscribers++ === 0) {
      call(() => this.target.subscribe());
      this.pump();
    }
  }

  /** One stream fewer: the last unsubscribes and closes the connection. */
  releaseStream(): void {
    if (this.subscribers === 0) return;
    if (--this.subscribers === 0) {
      if (!this.closed) call(() => this.target.unsubscribe());
      this.closeStream();
      this.pump();
    }
  }

  /** Whether a stream connection is open now. */
  get streaming(): boolean {
    return this.stream !== undefined;
  }

  /** Stops everything: timers, the stream, and every pending operation (`api.aborted`). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.closeStream();
    const err = { kind: "network", code: "api.aborted", message: "the client was closed" };
    for (const [op, settle] of this.waiting) settle({ kind: "failed", op, error: err });
    this.waiting.clear();
  }

  /** Takes every due request, starts it, dispatches events and arms the next deadline. */
  pump(): void {
    if (this.closed || this.pumping) return;
    this.pumping = true;
    try {
      for (;;) {
        const r = call(() => this.target.pollRequest(nowNs()));
        if (r === undefined) break;
        if (r.isStream) this.openStream(r);
        else void this.request(r);
      }
      this.dispatch();
      this.arm();
    } finally {
      this.pumping = false;
    }
  }

  private dispatch(): void {
    const events = call(() => this.target.pollEvents());
    for (const e of events) {
      const op = "op" in e ? e.op : undefined;
      if (op === undefined) {
        for (const f of this.listeners) f(e);
        continue;
      }
      // A final event nobody waits for ends an operation the library started by itself (such
      // as the consent it publishes for a new conversation): nothing to settle.
      const settle = this.waiting.get(op);
      this.waiting.delete(op);
      settle?.(e);
    }
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = call(() => this.target.nextDeadline());
    if (deadline !== undefined) this.timer = setTimeout(() => this.pump(), delayMs(deadline));
  }

  private async request(r: WireHttpRequest): Promise<void> {
    const [status, body] = await perform(this.fetchFn, r);
    if (this.closed) return;
    call(() => this.target.handleHttp(r.id, status, body, nowNs()));
    this.pump();
  }

  private closeStream(): void {
    this.stream?.abort.abort();
    this.stream = undefined;
  }

  private openStream(r: WireHttpRequest): void {
    // A new stream replaces the open one.
    this.closeStream();
    const abort = new AbortController();
    this.stream = { id: r.id, abort };
    void this.readStream(r, abort);
  }

  private async readStream(r: WireHttpRequest, abort: AbortController): Promise<void> {
    const id = r.id;
    const input = (f: () => void) => {
      if (this.closed) return;
      call(f);
      this.pump();
    };
    try {
      const res = await this.fetchFn(r.url, {
        method: "POST",
        headers: headers(r),
        body: r.body as BodyInit,
        signal: abort.signal,
      });
      if (!res.ok || res.body === null) {
        await res.arrayBuffer().catch(() => undefined);
        throw new Error(`stream refused: ${res.status}`);
      }
      input(() => this.target.streamOpened(id, nowNs()));
      const reader = res.body.getReader();
      let pending = new Uint8Array(0);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        let chunk = value;
        if (pending.length > 0) {
          chunk = new Uint8Array(pending.length + value.length);
          chunk.set(pending);
          chunk.set(value, pending.length);
        }
        let start = 0;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, start)) {
          const line = chunk.subarray(start, i);
          start = i + 1;
          if (line.length > 0) input(() => this.target.streamLine(id, line, nowNs()));
        }
        pending = chunk.slice(start);
      }
    } catch {
      // Aborted by us, refused, or dropped: the library decides what follows.
    }
    if (this.stream?.id === id) this.stream = undefined;
    input(() => this.target.streamClosed(id, nowNs()));
  }
}
