/**
 * State reads pinned to a block hash (EIP-1898), for figures that must match the events of that
 * block: a read at "latest" or at a number could land on another fork.
 */
import { Interface, Provider, getAddress } from "ethers";

import { RetryOptions, chainSource, withRetry } from "./rpc";

const erc20 = new Interface(["function balanceOf(address) view returns (uint256)"]);

/**
 * `token.balanceOf(holder)` in the block with hash `blockHash` (EIP-1898 `{ blockHash,
 * requireCanonical: true }`): fails rather than answer from another fork.
 *
 * @example
 * const held = await balanceAt(url, token, revenueLedger, report.manifest.toBlockHash);
 */
export async function balanceAt(provider: Provider | string, token: string, holder: string, blockHash: string, retry: RetryOptions = {}): Promise<bigint> {
  const source = chainSource(provider, retry);
  try {
    const data = erc20.encodeFunctionData("balanceOf", [getAddress(holder)]);
    const out = await withRetry(`balanceOf at ${blockHash}`, () => source.callAtHash({ to: getAddress(token), data }, blockHash), { ...retry, retries: retry.retries ?? 4 });
    return BigInt(erc20.decodeFunctionResult("balanceOf", out)[0] as bigint);
  } finally {
    source.close();
  }
}
