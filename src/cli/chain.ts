/**
 * Providers for the CLI: the embedded in-process Hardhat network (workledger/testing's
 * embeddedChainProvider: Hardhat is an optional peer, loaded only here) or any JSON-RPC URL. Checks
 * reachability up front so an unreachable endpoint is one clear error instead of ethers' endless
 * retry loop.
 */
import { AbstractProvider, BrowserProvider, Network, Signer } from "ethers";

import { InvalidInputError, connectRpc } from "../index";
import { embeddedChainProvider } from "../testing";
import { DEFAULT_RPC, EMBEDDED_RPC } from "./reportNames";

export { DEFAULT_RPC, EMBEDDED_RPC };

/** A connected chain. */
export interface Chain {
  provider: AbstractProvider;
  chainId: bigint;
  /** The URL, or "embedded". */
  url: string;
  embedded: boolean;
  /** The node's unlocked account `index` (hardhat node, anvil, the embedded chain), or null if it has none. */
  unlockedSigner(index?: number): Promise<Signer | null>;
  /** Raw JSON-RPC request (evm_increaseTime, evm_mine, ...). */
  send(method: string, params: unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

/** Connect to a JSON-RPC URL through the SDK's retrying transport. Throws a one-line error if nothing answers. */
export async function connectUrl(url: string): Promise<Chain> {
  if (!/^https?:\/\//i.test(url)) {
    throw new InvalidInputError(`--rpc must be an http(s) URL or "${EMBEDDED_RPC}", got "${url}"`);
  }
  const provider = await connectRpc(url);
  const chainId = (await provider.getNetwork()).chainId;
  return {
    provider,
    chainId,
    url,
    embedded: false,
    async unlockedSigner(index = 0) {
      const accounts = (await provider.send("eth_accounts", [])) as string[];
      if (accounts.length <= index) return null;
      return provider.getSigner(accounts[index]);
    },
    send: (method, params) => provider.send(method, params),
    async close() {
      provider.destroy();
    },
  };
}

/**
 * Start the embedded in-process Hardhat network (needs the optional peer `hardhat`; a clear error
 * names it when missing). Needs no compile: contracts are deployed from TypeChain factories.
 */
export async function connectEmbedded(): Promise<Chain> {
  const eip1193 = embeddedChainProvider();
  const chainId = BigInt((await eip1193.request({ method: "eth_chainId", params: [] })) as string);
  const provider = new BrowserProvider(eip1193, Network.from(chainId), { cacheTimeout: -1, pollingInterval: 50 });
  return {
    provider,
    chainId,
    url: EMBEDDED_RPC,
    embedded: true,
    async unlockedSigner(index = 0) {
      const accounts = (await eip1193.request({ method: "eth_accounts", params: [] })) as string[];
      if (accounts.length <= index) return null;
      return provider.getSigner(accounts[index]);
    },
    send: (method, params) => eip1193.request({ method, params }),
    async close() {
      provider.destroy();
    },
  };
}

/** Connect to `rpc` ("embedded" or a URL). */
export async function connect(rpc: string): Promise<Chain> {
  return rpc === EMBEDDED_RPC ? connectEmbedded() : connectUrl(rpc);
}

/** Move the chain's clock forward by `seconds` and mine a block (hardhat node, anvil, embedded). */
export async function advanceTime(chain: Chain, seconds: number | bigint): Promise<void> {
  await chain.send("evm_increaseTime", [Number(seconds)]);
  await chain.send("evm_mine", []);
}
