/**
 * Providers for the CLI: the embedded in-process Hardhat network (this repo's hardhat.config.ts,
 * loaded from any working directory) or any JSON-RPC URL. Checks reachability up front so an
 * unreachable endpoint is one clear error instead of ethers' endless retry loop.
 */
import path from "path";
import { AbstractProvider, BrowserProvider, Eip1193Provider, JsonRpcProvider, Network, Signer } from "ethers";

import { ChainMismatchError, WorkLedgerError } from "../errors";

import { DEFAULT_RPC, EMBEDDED_RPC } from "./reportNames";

export { DEFAULT_RPC, EMBEDDED_RPC };
/** Repository root (src/cli/../..). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

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

async function rpcChainId(url: string, timeoutMs: number): Promise<bigint> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: ctrl.signal,
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const body = (await res.json()) as { result?: string; error?: { message?: string } };
    if (!body.result) throw new Error(body.error?.message ?? "no result");
    return BigInt(body.result);
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    const reason = ctrl.signal.aborted ? `no answer within ${timeoutMs} ms` : (cause?.code ?? (e as Error).message);
    throw new WorkLedgerError(`cannot reach RPC at ${url}: ${reason}`, { code: "E_RPC", cause: e });
  } finally {
    clearTimeout(timer);
  }
}

/** Connect to a JSON-RPC URL. Throws a one-line error if nothing answers. */
export async function connectRpc(url: string, timeoutMs = 10_000): Promise<Chain> {
  if (!/^https?:\/\//i.test(url)) {
    throw new WorkLedgerError(`--rpc must be an http(s) URL or "${EMBEDDED_RPC}", got "${url}"`, { code: "E_INPUT", exitCode: 2 });
  }
  const chainId = await rpcChainId(url, timeoutMs);
  // cacheTimeout -1: no stale nonces against `hardhat node` (DESIGN.md pitfalls).
  const provider = new JsonRpcProvider(url, undefined, {
    cacheTimeout: -1,
    staticNetwork: Network.from(chainId),
    pollingInterval: 250,
  });
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

interface HardhatRuntime {
  network: { provider: Eip1193Provider };
}

/**
 * Start the embedded in-process Hardhat network of this repository's hardhat.config.ts. Works from
 * any working directory; needs no compile (contracts are deployed from TypeChain factories).
 */
export async function connectEmbedded(): Promise<Chain> {
  process.env.HARDHAT_CONFIG = path.join(REPO_ROOT, "hardhat.config.ts");
  process.env.HARDHAT_NETWORK = "hardhat";
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const hre = require(path.join(REPO_ROOT, "node_modules", "hardhat")) as HardhatRuntime;
  const eip1193 = hre.network.provider;
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
  return rpc === EMBEDDED_RPC ? connectEmbedded() : connectRpc(rpc);
}

/** Throw unless the chain's id is `expected` (a deployment file made for another chain). */
export function assertChainId(chain: Chain, expected: bigint, what: string): void {
  if (chain.chainId !== expected) {
    throw new ChainMismatchError(`${what} is for chain ${expected} but ${chain.url} is chain ${chain.chainId}`);
  }
}

/** Move the chain's clock forward by `seconds` and mine a block (hardhat node, anvil, embedded). */
export async function advanceTime(chain: Chain, seconds: number | bigint): Promise<void> {
  await chain.send("evm_increaseTime", [Number(seconds)]);
  await chain.send("evm_mine", []);
}
