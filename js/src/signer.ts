import { init, call, wasm } from "./wasm.js";
import type { Signer } from "./client.js";
import type * as glue from "../generated/xmtp_wasm.js";

/** A wallet whose private key the application holds (services, bots, tests). */
export class PrivateKeySigner implements Signer {
  private constructor(private readonly wallet: glue.PrivateKeyWallet) {}

  /** A new random key. */
  static async generate(): Promise<PrivateKeySigner> {
    await init();
    return new PrivateKeySigner(call(() => wasm().PrivateKeyWallet.generate()));
  }

  /** A wallet for a 32-byte private key. */
  static async fromPrivateKey(key: Uint8Array): Promise<PrivateKeySigner> {
    await init();
    return new PrivateKeySigner(call(() => wasm().PrivateKeyWallet.fromPrivateKey(key)));
  }

  /** @internal */
  static wrap(wallet: glue.PrivateKeyWallet): PrivateKeySigner {
    return new PrivateKeySigner(wallet);
  }

  /** The address (EIP-55). */
  getAddress(): string {
    return call(() => this.wallet.address());
  }

  /** An EIP-191 `personal_sign` signature (65 bytes). */
  signMessage(message: string): Uint8Array {
    return call(() => this.wallet.sign(message));
  }
}
