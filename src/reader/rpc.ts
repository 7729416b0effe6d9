/**
 * The reader's view of a JSON-RPC endpoint: block numbers, headers, logs and pinned calls, over
 * either a URL (a small fetch-based client that sees every transport fault) or an ethers Provider.
 * Every call is retried with exponential backoff and full jitter on transport errors and rate
 * limits; a log query the provider refuses as too large is reported as {@link LogRangeRefused} so
 * the caller can halve the range.
 */
import type { Provider } from "ethers";

import {
  AbortedError,
  HttpRpc,
  RetryOptions,
  RetryingRpcProvider,
  RpcRequestError,
  RpcUnavailableError,
  backoffDelay,
  errorText,
  isChainMoved,
  isFatal,
  sleep,
  withRetry,
} from "../chain/transport";
import { WorkLedgerError } from "../errors";

export { AbortedError, HttpRpc, RpcRequestError, RpcUnavailableError, backoffDelay, errorText, isChainMoved, isFatal, sleep, withRetry };
export type { RetryOptions };

export interface BlockHeader {
  number: number;
  hash: string; // lowercase
  parentHash: string; // lowercase
  timestamp: number;
}

/** A raw log as eth_getLogs returns it, normalized to what decodeLog reads. */
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: number;
  blockHash: string;
  transactionHash: string;
  index: number;
  removed?: boolean;
}

/** The provider refused a log query as too large (range or result count). */
export class LogRangeRefused extends WorkLedgerError {
  override name = "LogRangeRefused";
  constructor(
    readonly fromBlock: number,
    readonly toBlock: number,
    cause: unknown,
  ) {
    super(`eth_getLogs refused blocks ${fromBlock}..${toBlock}: ${errorText(cause).slice(0, 200)}`, { code: "E_RPC_RANGE", cause });
  }
}

const RANGE_PATTERNS = [
  /block range/i,
  /range (is )?too (large|wide|big)/i,
  /too many (blocks|results|logs)/i,
  /more than \d+ (results|logs|blocks)/i,
  /query returned more than/i,
  /response size (exceeded|too large)/i,
  /exceed(s|ed)? (the )?(max|maximum|limit)/i,
  /log response size/i,
  /limited to (a )?[\d,]+ (block )?range/i,
];

/** Whether an eth_getLogs error means "ask for less". */
export function isRangeRefusal(err: unknown): boolean {
  const t = errorText(err);
  return RANGE_PATTERNS.some((p) => p.test(t));
}

/** The calls the reader makes, without retries (the sync and fetchEvents add them). */
export interface ChainSource {
  readonly label: string;
  chainId(): Promise<bigint>;
  blockNumber(): Promise<number>;
  /** Headers by number (null for a block the chain does not have), in one round trip where possible. */
  headers(numbers: number[]): Promise<(BlockHeader | null)[]>;
  logs(addresses: string[], fromBlock: number, toBlock: number): Promise<RawLog[]>;
  /** eth_call pinned to a block hash (EIP-1898, requireCanonical). */
  callAtHash(tx: { to: string; data: string }, blockHash: string): Promise<string>;
  close(): void;
}

const toHex = (n: number) => "0x" + n.toString(16);

function parseHeader(raw: unknown): BlockHeader | null {
  if (!raw || typeof raw !== "object") return null;
  const b = raw as Record<string, string>;
  if (!b.hash || b.number === undefined) throw new Error(`malformed block header: ${JSON.stringify(raw).slice(0, 200)}`);
  return { number: Number(BigInt(b.number)), hash: b.hash.toLowerCase(), parentHash: String(b.parentHash).toLowerCase(), timestamp: Number(BigInt(b.timestamp ?? 0)) };
}

function parseLogs(raw: unknown): RawLog[] {
  if (!Array.isArray(raw)) throw new Error(`eth_getLogs: expected an array, got ${typeof raw}`);
  return raw.map((l: Record<string, unknown>) => ({
    address: String(l.address),
    topics: (l.topics as string[]) ?? [],
    data: String(l.data),
    blockNumber: Number(BigInt(l.blockNumber as string)),
    blockHash: String(l.blockHash).toLowerCase(),
    transactionHash: String(l.transactionHash).toLowerCase(),
    index: Number(BigInt((l.logIndex ?? l.index) as string)),
    removed: l.removed === true,
  }));
}

/** Largest number of calls sent in one JSON-RPC batch. */
const MAX_BATCH = 100;

class UrlSource implements ChainSource {
  readonly label: string;
  private readonly rpc: HttpRpc;
  constructor(url: string, timeoutMs?: number, signal?: AbortSignal) {
    this.label = url;
    this.rpc = new HttpRpc(url, timeoutMs, signal);
  }
  async chainId(): Promise<bigint> {
    return BigInt((await this.rpc.request("eth_chainId", [])) as string);
  }
  async blockNumber(): Promise<number> {
    return Number(BigInt((await this.rpc.request("eth_blockNumber", [])) as string));
  }
  async headers(numbers: number[]): Promise<(BlockHeader | null)[]> {
    const out: (BlockHeader | null)[] = [];
    for (let i = 0; i < numbers.length; i += MAX_BATCH) {
      const part = numbers.slice(i, i + MAX_BATCH);
      const res =
        part.length === 1
          ? [await this.rpc.request("eth_getBlockByNumber", [toHex(part[0]), false])]
          : await this.rpc.batch(part.map((n) => ({ method: "eth_getBlockByNumber", params: [toHex(n), false] })));
      out.push(...res.map(parseHeader));
    }
    return out;
  }
  async logs(addresses: string[], fromBlock: number, toBlock: number): Promise<RawLog[]> {
    try {
      return parseLogs(await this.rpc.request("eth_getLogs", [{ address: addresses, fromBlock: toHex(fromBlock), toBlock: toHex(toBlock) }]));
    } catch (err) {
      if (isRangeRefusal(err)) throw new LogRangeRefused(fromBlock, toBlock, err);
      throw err;
    }
  }
  async callAtHash(tx: { to: string; data: string }, blockHash: string): Promise<string> {
    return (await this.rpc.request("eth_call", [tx, { blockHash, requireCanonical: true }])) as string;
  }
  close(): void {
    // fetch keeps no state that needs closing
  }
}

type Sender = { send(method: string, params: unknown[]): Promise<unknown> };

class ProviderSource implements ChainSource {
  readonly label = "provider";
  constructor(private readonly provider: Provider) {}
  private get sender(): Sender | undefined {
    const p = this.provider as unknown as Partial<Sender>;
    return typeof p.send === "function" ? (p as Sender) : undefined;
  }
  async chainId(): Promise<bigint> {
    return (await this.provider.getNetwork()).chainId;
  }
  async blockNumber(): Promise<number> {
    return this.provider.getBlockNumber();
  }
  async headers(numbers: number[]): Promise<(BlockHeader | null)[]> {
    const s = this.sender;
    if (s) return Promise.all(numbers.map(async (n) => parseHeader(await s.send("eth_getBlockByNumber", [toHex(n), false]))));
    return Promise.all(
      numbers.map(async (n) => {
        const b = await this.provider.getBlock(n);
        return b && b.hash ? { number: b.number, hash: b.hash.toLowerCase(), parentHash: b.parentHash.toLowerCase(), timestamp: b.timestamp } : null;
      }),
    );
  }
  async logs(addresses: string[], fromBlock: number, toBlock: number): Promise<RawLog[]> {
    try {
      const s = this.sender;
      if (s) return parseLogs(await s.send("eth_getLogs", [{ address: addresses, fromBlock: toHex(fromBlock), toBlock: toHex(toBlock) }]));
      const logs = await this.provider.getLogs({ address: addresses, fromBlock, toBlock });
      return logs.map((l) => ({
        address: l.address,
        topics: [...l.topics],
        data: l.data,
        blockNumber: l.blockNumber,
        blockHash: l.blockHash.toLowerCase(),
        transactionHash: l.transactionHash.toLowerCase(),
        index: l.index,
        removed: l.removed,
      }));
    } catch (err) {
      if (isRangeRefusal(err)) throw new LogRangeRefused(fromBlock, toBlock, err);
      throw err;
    }
  }
  async callAtHash(tx: { to: string; data: string }, blockHash: string): Promise<string> {
    const s = this.sender;
    if (s) return (await s.send("eth_call", [tx, { blockHash, requireCanonical: true }])) as string;
    // ethers formats a 32-byte block tag as { blockHash } (EIP-1898).
    return this.provider.call({ ...tx, blockTag: blockHash });
  }
  close(): void {
    // the caller owns the provider
  }
}

/** A ChainSource for a URL or an ethers Provider; `signal` cancels requests in flight (URL endpoints). */
export function chainSource(provider: Provider | string, opts: RetryOptions & { signal?: AbortSignal } = {}): ChainSource {
  // A retrying provider's URL is read directly, so the reader's retries are not multiplied by its own.
  if (provider instanceof RetryingRpcProvider) return new UrlSource(provider.url, opts.timeoutMs, opts.signal);
  return typeof provider === "string" ? new UrlSource(provider, opts.timeoutMs, opts.signal) : new ProviderSource(provider);
}
