/**
 * Fills a ReportInput straight from a chain (logs and state reads pinned to toBlock): what
 * verification uses, and what the store-backed path uses for its state reads.
 */
import { Contract, getAddress, Provider } from "ethers";

import { mapInBatches } from "../chain/batches";
import { ChainEvent, compareEvents } from "../chain/events";
import { fetchEvents } from "../reader/fetchEvents";
import { ChainMismatchError } from "../errors";
import type { RecordSource, ReportInput, UsageSource } from "./input";
import type { EpochTree } from "../merkle";
import { replay } from "./state";
import type { TokenInfo } from "./types";

const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
];

/**
 * Every WorkLedger/RevenueLedger event in [fromBlock, toBlock], decoded and ordered (the reader's
 * chunked, retrying fetchEvents).
 */
export async function fetchLedgerEvents(
  provider: Provider,
  addresses: { ledger: string; revenueLedger: string },
  fromBlock: number,
  toBlock: number,
): Promise<ChainEvent[]> {
  const events = await fetchEvents(provider, { workLedger: addresses.ledger, revenueLedger: addresses.revenueLedger }, fromBlock, toBlock);
  return [...events].sort(compareEvents);
}

/** The first block at which both contracts have code (binary search on eth_getCode). */
export async function findDeploymentBlock(provider: Provider, addresses: string[], toBlock: number): Promise<number> {
  const hasCode = async (b: number) => {
    for (const a of addresses) if ((await provider.getCode(a, b)) === "0x") return false;
    return true;
  };
  if (!(await hasCode(toBlock))) throw new ChainMismatchError(`no contract code at ${addresses.join(", ")} at block ${toBlock}`);
  let lo = 0;
  let hi = toBlock;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (await hasCode(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Token metadata and the RevenueLedger's balance, read at `blockTag`. */
export async function readTokens(
  provider: Provider,
  tokens: Iterable<string>,
  holder: string,
  blockTag: number,
): Promise<{ tokens: Record<string, TokenInfo>; heldByContract: Record<string, bigint> }> {
  const info: Record<string, TokenInfo> = {};
  const held: Record<string, bigint> = {};
  for (const t of [...new Set(tokens)].sort()) {
    const c = new Contract(t, ERC20_ABI, provider);
    const [balance, decimals, symbol] = await Promise.all([
      c.balanceOf(holder, { blockTag }) as Promise<bigint>,
      (c.decimals({ blockTag }) as Promise<bigint>).catch(() => 18n),
      (c.symbol({ blockTag }) as Promise<string>).catch(() => "TOKEN"),
    ]);
    info[t] = { address: t, symbol, decimals: Number(decimals) };
    held[t] = balance;
  }
  return { tokens: info, heldByContract: held };
}

export interface ChainInputOptions {
  ledger: string;
  revenueLedger: string;
  fromBlock: number;
  toBlock?: number;
  /** First block to read events from (default: found by binary search on contract code). */
  eventsFromBlock?: number;
  records: RecordSource;
  trees?: (networkId: number, epoch: number, version: number) => EpochTree | undefined;
  /** Usage leaves behind statements (see ReportInput.usage). */
  usage?: UsageSource;
  /** Events already read (e.g. from an index) instead of eth_getLogs. */
  events?: ChainEvent[];
}

/**
 * A ReportInput read from the chain: events from deployment (or `eventsFromBlock`) to toBlock,
 * toBlock's hash and timestamp, token metadata and balanceOf(revenueLedger) at toBlock.
 */
export async function reportInputFromChain(provider: Provider, opts: ChainInputOptions): Promise<ReportInput> {
  const ledger = getAddress(opts.ledger);
  const revenueLedger = getAddress(opts.revenueLedger);
  const network = await provider.getNetwork();
  const toBlock = opts.toBlock ?? (await provider.getBlockNumber());
  const [block, first] = await Promise.all([provider.getBlock(toBlock), provider.getBlock(opts.fromBlock)]);
  if (!block || !block.hash) throw new ChainMismatchError(`block ${toBlock} not found`);
  if (!first) throw new ChainMismatchError(`block ${opts.fromBlock} not found`);
  let events = opts.events;
  if (!events) {
    const start = opts.eventsFromBlock ?? (await findDeploymentBlock(provider, [ledger, revenueLedger], toBlock));
    events = await fetchLedgerEvents(provider, { ledger, revenueLedger }, start, toBlock);
  }
  const state = replay(events);
  const blockTimestamps = await readBlockTimestamps(provider, events, opts.fromBlock, toBlock);
  const tokenAddrs = [...state.networks.values()].map((n) => n.token);
  const { tokens, heldByContract } = await readTokens(provider, tokenAddrs, revenueLedger, toBlock);
  return {
    chainId: Number(network.chainId),
    ledger,
    revenueLedger,
    fromBlock: opts.fromBlock,
    toBlock,
    toBlockHash: block.hash.toLowerCase(),
    toBlockTimestamp: block.timestamp,
    fromBlockTimestamp: first.timestamp,
    events,
    records: opts.records,
    trees: opts.trees,
    usage: opts.usage,
    blockTimestamps,
    tokens,
    heldByContract,
  };
}

/** Timestamps of the blocks in [fromBlock, toBlock] that hold an event (every dated line's block). */
export async function readBlockTimestamps(provider: Provider, events: ChainEvent[], fromBlock: number, toBlock: number): Promise<Record<number, number>> {
  const blocks = [...new Set(events.filter((e) => e.blockNumber >= fromBlock && e.blockNumber <= toBlock).map((e) => e.blockNumber))];
  const out: Record<number, number> = {};
  const got = await mapInBatches(blocks, 16, (b) => provider.getBlock(b));
  got.forEach((b, k) => {
    if (!b) throw new ChainMismatchError(`block ${blocks[k]} not found`);
    out[blocks[k]] = b.timestamp;
  });
  return out;
}
