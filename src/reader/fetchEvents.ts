/**
 * Chunked eth_getLogs over both ledger contracts: adaptive range halving when the provider refuses a
 * range, retries with backoff and jitter on transport errors and rate limits, emitter checked by
 * decodeLog. Independent of any store: the report verifier re-derives reports with it.
 */
import { Provider, getAddress } from "ethers";

import { ChainEvent, LedgerAddresses, compareEvents } from "../chain/events";
import { InvalidInputError } from "../errors";
import { LogDecoder } from "./decode";
import { ChainSource, LogRangeRefused, RawLog, RetryOptions, chainSource, withRetry } from "./rpc";

/** Default number of blocks asked for in one eth_getLogs. */
export const DEFAULT_CHUNK_SIZE = 2_000;

/** Successful queries in a row after which a halved range is doubled again. */
const GROW_AFTER = 4;

/**
 * The block span of the next log query: halved when the provider refuses a range, doubled back
 * (up to the configured chunk size) after a run of successes.
 */
export class SpanControl {
  span: number;
  private successes = 0;
  constructor(readonly max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new InvalidInputError(`chunkSize must be a positive integer, got ${max}`);
    this.span = max;
  }
  refused(triedSpan: number): void {
    this.span = Math.max(1, Math.floor(Math.min(this.span, triedSpan) / 2));
    this.successes = 0;
  }
  succeeded(): void {
    if (++this.successes >= GROW_AFTER && this.span < this.max) {
      this.span = Math.min(this.max, this.span * 2);
      this.successes = 0;
    }
  }
}

/** Normalize the `retries` option (a count or a policy). */
export function retryOptions(retries: number | RetryOptions | undefined): RetryOptions {
  return typeof retries === "number" ? { retries } : (retries ?? {});
}

/** The configured addresses, checksummed, in the order eth_getLogs gets them. */
export function ledgerAddressList(addresses: LedgerAddresses): string[] {
  return [getAddress(addresses.workLedger), getAddress(addresses.revenueLedger)];
}

/** Decode raw logs of [fromBlock, toBlock]: drop removed, out-of-range and foreign logs; order; dedupe. */
export function decodeLogs(raw: RawLog[], decoder: LogDecoder, fromBlock: number, toBlock: number): ChainEvent[] {
  const out: ChainEvent[] = [];
  for (const l of raw) {
    if (l.removed) continue;
    if (l.blockNumber < fromBlock || l.blockNumber > toBlock) continue;
    const e = decoder.decode(l);
    if (e) out.push(e);
  }
  out.sort(compareEvents);
  return out.filter((e, i) => i === 0 || compareEvents(out[i - 1], e) !== 0);
}

/**
 * Logs of one query starting at `fromBlock`, as large as the provider accepts (up to `ctl.span`
 * blocks, never past `toBlock`). Returns the block the query ended at.
 */
export async function readLogChunk(
  source: ChainSource,
  addresses: LedgerAddresses,
  fromBlock: number,
  toBlock: number,
  ctl: SpanControl,
  retry: RetryOptions & { signal?: AbortSignal; passThrough?: (err: unknown) => boolean },
): Promise<{ toBlock: number; raw: RawLog[] }> {
  const list = ledgerAddressList(addresses);
  for (;;) {
    const end = Math.min(fromBlock + ctl.span - 1, toBlock);
    const single = end === fromBlock;
    try {
      const raw = await withRetry(`eth_getLogs ${fromBlock}..${end}`, () => source.logs(list, fromBlock, end), {
        ...retry,
        // A refused range is halved at once; a single block cannot be, so it is retried like any fault.
        passThrough: (err) => (err instanceof LogRangeRefused && !single) || (retry.passThrough?.(err) ?? false),
      });
      ctl.succeeded();
      return { toBlock: end, raw };
    } catch (err) {
      if (err instanceof LogRangeRefused && !single) {
        ctl.refused(end - fromBlock + 1);
        continue;
      }
      throw err;
    }
  }
}

export interface FetchEventsOptions {
  /** Most blocks per eth_getLogs (default 2000); halved automatically when refused. */
  chunkSize?: number;
  retries?: number | RetryOptions;
  signal?: AbortSignal;
  /** Called after each query with the block reached and the events so far. */
  onChunk?: (p: { fromBlock: number; toBlock: number; currentBlock: number; events: number }) => void;
}

/**
 * Every WorkLedger and RevenueLedger event in [fromBlock, toBlock], straight from the chain,
 * ordered by (blockNumber, logIndex). Only logs emitted by the two configured addresses are kept.
 *
 * @example
 * const events = await fetchEvents("http://127.0.0.1:8545", { workLedger, revenueLedger }, 0, 1200);
 */
export async function fetchEvents(
  provider: Provider | string,
  addresses: LedgerAddresses,
  fromBlock: number,
  toBlock: number,
  opts: FetchEventsOptions = {},
): Promise<ChainEvent[]> {
  if (!Number.isSafeInteger(fromBlock) || !Number.isSafeInteger(toBlock) || fromBlock < 0) {
    throw new InvalidInputError(`fetchEvents: bad block range ${fromBlock}..${toBlock}`);
  }
  const retry = { ...retryOptions(opts.retries), signal: opts.signal };
  const source = chainSource(provider, retry);
  const ctl = new SpanControl(opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const decoder = new LogDecoder(addresses);
  const out: ChainEvent[] = [];
  try {
    for (let from = fromBlock; from <= toBlock; ) {
      const { toBlock: end, raw } = await readLogChunk(source, addresses, from, toBlock, ctl, retry);
      for (const e of decodeLogs(raw, decoder, from, end)) out.push(e);
      opts.onChunk?.({ fromBlock, toBlock, currentBlock: end, events: out.length });
      from = end + 1;
    }
  } finally {
    source.close();
  }
  return out;
}
