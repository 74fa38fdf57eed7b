/**
 * Test-only exports. They work only in the package's test build (seeded random generators and a
 * deliberate panic are compiled in there, never in the published package); elsewhere every
 * function throws `internal.aborted`.
 */

import { Client, wireOptions, type ClientOptions } from "./client.js";
import { errorFor, type XmtpError } from "./errors.js";
import { PrivateKeySigner } from "./signer.js";
import { call, init, wasm } from "./wasm.js";

// The test build's extra exports, which the published build's type declarations lack.
interface TestingExports {
  isTestingBuild(): boolean;
  debugErrorFor(code: string): { kind: string; code: string; message: string };
  Client: { fromKeysSeeded(keys: Uint8Array, options: unknown, seed: bigint): unknown };
  PrivateKeyWallet: { generateSeeded(seed: bigint): unknown };
}

async function exports(): Promise<TestingExports> {
  await init();
  const w = wasm() as unknown as TestingExports;
  if (!w.isTestingBuild()) throw errorFor("internal.aborted", "not a test build of the package", "internal");
  return w;
}

/** @internal */
export const testing = {
  /** Whether this is the test build. */
  async isTestingBuild(): Promise<boolean> {
    await init();
    return call(() => wasm().isTestingBuild());
  },
  /** A client whose random generator is seeded. */
  async fromKeysSeeded(keys: Uint8Array, options: ClientOptions, seed: bigint): Promise<Client> {
    const w = await exports();
    const raw = call(() =>
      w.Client.fromKeysSeeded(keys, wireOptions(options), seed),
    );
    return new Client(raw as ConstructorParameters<typeof Client>[0], options);
  },
  /** A wallet from a seeded generator. */
  async walletSeeded(seed: bigint): Promise<PrivateKeySigner> {
    const w = await exports();
    return PrivateKeySigner.wrap(call(() => w.PrivateKeyWallet.generateSeeded(seed)) as Parameters<typeof PrivateKeySigner.wrap>[0]);
  },
  /**
   * The error the library makes for `code`: the `kind` it reports, and the error this package
   * throws when the library throws it.
   */
  async libraryError(code: string): Promise<{ kind: string; error: XmtpError }> {
    const w = await exports();
    const raw = call(() => w.debugErrorFor(code));
    try {
      call(() => {
        throw raw;
      });
    } catch (e) {
      return { kind: raw.kind, error: e as XmtpError };
    }
    throw errorFor("internal.panic", "the library error was not thrown", "internal");
  },
  /** Makes the library panic inside a call on `client`. */
  debugPanic(client: Client): void {
    const raw = client.raw as unknown as { debugPanic(): void };
    call(() => raw.debugPanic());
  },
};
