/**
 * The sync engine: one pass from the checkpoint to the head (minus confirmations), chunk by chunk,
 * each chunk committed with its checkpoint in one store transaction; reorgs detected and rolled back
 * before each pass; `followChain` repeats passes until stopped. Talks to the store only through
 * {@link ReaderStore}.
 */
import fs from "fs";
import path from "path";
import { Provider, getAddress } from "ethers";

import type { ChainEvent, LedgerAddresses } from "../chain/events";
import { ChainMismatchError, InvalidInputError } from "../errors";
import { BundleMismatchError, ImportBundleResult, importBundle } from "./bundles";
import { LogDecoder } from "./decode";
import { DEFAULT_CHUNK_SIZE, SpanControl, decodeLogs, readLogChunk, retryOptions } from "./fetchEvents";
import { reconcileReorg } from "./reorg";
import { isStoreUnavailable } from "./sqlStore";
import { AbortedError, BlockHeader, ChainSource, RawLog, RetryOptions, RpcUnavailableError, chainSource, isChainMoved, sleep, withRetry } from "./rpc";
import { CheckpointMovedError, ReaderStore, StoredBlock } from "./store";

export interface SyncProgress {
  fromBlock: number; // first block of this pass
  toBlock: number; // last block this pass will read
  currentBlock: number; // last block committed
  events: number; // events committed in this pass
}

export interface SyncOptions {
  /** JSON-RPC URL or an ethers Provider. */
  provider: Provider | string;
  store: ReaderStore;
  addresses: LedgerAddresses;
  /** Deployment block: the first block read. */
  fromBlock: number;
  /** Last block to read (default: head − confirmations; never above it). */
  toBlock?: number;
  /** Blocks below the head left unread (default 0, right for local chains). */
  confirmations?: number;
  /** Deepest reorg rolled back; a deeper one stops the sync with ReorgTooDeepError (default 64). */
  maxReorgDepth?: number;
  /** Most blocks per eth_getLogs (default 2000, halved automatically when refused). */
  chunkSize?: number;
  /** Chunk reads kept in flight while one is committed (default 4; 0 reads one chunk at a time). */
  readAhead?: number;
  retries?: number | RetryOptions;
  onProgress?: (p: SyncProgress) => void;
  /** Stops the pass after the current transaction. */
  signal?: AbortSignal;
}

export interface SyncResult {
  fromBlock: number; // first block read in this pass
  toBlock: number; // the checkpoint after the pass
  toBlockHash: string;
  events: number; // events stored in this pass
  reorgDepth?: number; // set when a reorg was rolled back before the pass
  aborted?: boolean; // the signal stopped the pass early
}

/** Default deepest reorg the reader rolls back. */
export const DEFAULT_MAX_REORG_DEPTH = 64;

/** Blocks whose headers are kept (and compared) below the checkpoint: twice the reorg limit, so a
 * reorg just beyond the limit is still measured exactly. */
export function headerWindow(maxReorgDepth: number): number {
  return 2 * maxReorgDepth + 1;
}

class ChunkInconsistent extends Error {}

function checkOptions(opts: SyncOptions): void {
  const nonNeg = (name: string, v: number | undefined) => {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw new InvalidInputError(`${name} must be a non-negative integer, got ${v}`);
  };
  nonNeg("fromBlock", opts.fromBlock);
  nonNeg("toBlock", opts.toBlock);
  nonNeg("confirmations", opts.confirmations);
  nonNeg("maxReorgDepth", opts.maxReorgDepth);
  nonNeg("readAhead", opts.readAhead);
  if (opts.chunkSize !== undefined && (!Number.isSafeInteger(opts.chunkSize) || opts.chunkSize < 1)) {
    throw new InvalidInputError(`chunkSize must be a positive integer, got ${opts.chunkSize}`);
  }
}

async function checkMeta(source: ChainSource, opts: SyncOptions, retry: RetryOptions & { signal?: AbortSignal }): Promise<void> {
  const chainId = (await withRetry("eth_chainId", () => source.chainId(), retry)).toString();
  const want = {
    chainId,
    workLedger: getAddress(opts.addresses.workLedger),
    revenueLedger: getAddress(opts.addresses.revenueLedger),
    fromBlock: opts.fromBlock,
  };
  let have = await opts.store.meta();
  // Another writer may record the deployment between the read and the write: setMeta returns what is stored.
  if (!have) have = await opts.store.setMeta(want);
  for (const k of ["chainId", "workLedger", "revenueLedger", "fromBlock"] as const) {
    if (String(have[k]) !== String(want[k])) {
      throw new ChainMismatchError(`the store was synced with ${k} ${have[k]}, not ${want[k]}`, {
        details: "a reader database holds one chain and one deployment; use another --db file",
      });
    }
  }
}

/**
 * Read [from, ≤ target] once, consistently: the chain must not change under the query (the header
 * of the last block is read before and after the logs and must agree), must continue the stored
 * checkpoint, and every event must carry its block's canonical hash where we know it.
 */
interface Chunk {
  from: number;
  parentHash: string; // parent of the first block: must be the checkpoint's hash
  end: number;
  events: ChainEvent[];
  blocks: StoredBlock[];
  endHash: string;
}

async function readChunk(
  source: ChainSource,
  opts: SyncOptions,
  decoder: LogDecoder,
  from: number,
  target: number,
  windowStart: number,
  ctl: SpanControl,
  retry: RetryOptions & { signal?: AbortSignal },
): Promise<Chunk> {
  // Headers: the first block (its parent must be our checkpoint), the window blocks inside the
  // range, and the last block; asked for alongside the logs, for the range the logs will likely cover.
  const headerNumbers = (end: number) => {
    const wanted = new Set<number>([from, end]);
    for (let n = Math.max(from, windowStart); n <= end; n++) wanted.add(n);
    return [...wanted].sort((a, b) => a - b);
  };
  const guess = Math.min(from + ctl.span - 1, target);
  // "No such block" means the head moved back under us (a reorg to a shorter chain): re-plan, do not retry.
  const moved = { ...retry, passThrough: isChainMoved };
  let end: number;
  let raw: RawLog[];
  let guessed: (BlockHeader | null)[];
  try {
    [{ toBlock: end, raw }, guessed] = await Promise.all([
      readLogChunk(source, opts.addresses, from, target, ctl, moved),
      withRetry(`eth_getBlockByNumber ${from}..${guess}`, () => source.headers(headerNumbers(guess)), moved),
    ]);
  } catch (err) {
    if (isChainMoved(err)) throw new ChunkInconsistent(`blocks ${from}..${guess} are not on the chain any more`);
    throw err;
  }
  const known = new Map<number, BlockHeader | null>();
  headerNumbers(guess).forEach((n, i) => known.set(n, guessed[i]));
  const numbers = headerNumbers(end);
  const missing = numbers.filter((n) => !known.has(n));
  if (missing.length > 0) {
    const more = await withRetry(`eth_getBlockByNumber ${from}..${end}`, () => source.headers(missing), retry);
    missing.forEach((n, i) => known.set(n, more[i]));
  }
  const got = numbers.map((n) => known.get(n) ?? null);
  const byNumber = new Map<number, BlockHeader>();
  got.forEach((h, i) => {
    if (!h) throw new ChunkInconsistent(`block ${numbers[i]} is missing`);
    if (h.number !== numbers[i]) throw new ChunkInconsistent(`asked block ${numbers[i]}, got ${h.number}`);
    byNumber.set(h.number, h);
  });
  const first = byNumber.get(from)!;
  for (let n = Math.max(from, windowStart) + 1; n <= end; n++) {
    if (byNumber.get(n)!.parentHash !== byNumber.get(n - 1)!.hash) throw new ChunkInconsistent(`headers ${n - 1}..${n} do not chain`);
  }
  const events = decodeLogs(raw, decoder, from, end);
  for (const e of events) {
    const h = byNumber.get(e.blockNumber);
    if (h && h.hash !== e.blockHash) throw new ChunkInconsistent(`log ${e.txHash}:${e.logIndex} is from a non-canonical block ${e.blockNumber}`);
  }
  // The last block again, after everything: a reorg in between changes its hash.
  const [again] = await withRetry(`eth_getBlockByNumber ${end}`, () => source.headers([end]), retry);
  const last = byNumber.get(end)!;
  if (!again || again.hash !== last.hash) throw new ChunkInconsistent(`block ${end} changed while reading`);
  const blocks: StoredBlock[] = [];
  for (const n of numbers) if (n >= windowStart) blocks.push({ number: n, hash: byNumber.get(n)!.hash });
  return { from, end, events, blocks, endHash: last.hash, parentHash: first.parentHash };
}

/** reconcileReorg, again when another writer moved the checkpoint while it compared. */
async function reconcile(source: ChainSource, store: ReaderStore, maxReorgDepth: number, retry: RetryOptions & { signal?: AbortSignal }): Promise<number | undefined> {
  for (;;) {
    try {
      return await reconcileReorg(source, store, maxReorgDepth, retry);
    } catch (err) {
      if (!(err instanceof CheckpointMovedError)) throw err;
    }
  }
}

/** Default number of chunk reads kept in flight ahead of the one being committed. */
const READ_AHEAD = 4;

/** Inconsistent chunk reads tolerated in a row (a chain that keeps reorganizing) before giving up. */
const MAX_INCONSISTENT = 20;

/**
 * Sync every WorkLedger and RevenueLedger event from the checkpoint (or `fromBlock`) up to the head
 * minus `confirmations`, in one pass. Safe to run again at any time; a crash loses nothing.
 *
 * @example
 * const store = openStore("workledger.db");
 * const r = await syncChain({ provider: "http://127.0.0.1:8545", store, addresses, fromBlock: 0 });
 * console.log(`indexed up to ${r.toBlock} (${r.events} new events)`);
 */
export async function syncChain(opts: SyncOptions): Promise<SyncResult> {
  checkOptions(opts);
  const retry = { ...retryOptions(opts.retries), signal: opts.signal };
  const maxReorgDepth = opts.maxReorgDepth ?? DEFAULT_MAX_REORG_DEPTH;
  const source = chainSource(opts.provider, retry);
  const store = opts.store;
  let passFrom = -1;
  let events = 0;
  let reorgDepth: number | undefined;
  const result = async (aborted: boolean): Promise<SyncResult> => {
    const cp = await store.checkpoint();
    const r: SyncResult = {
      fromBlock: passFrom >= 0 ? passFrom : (cp ? cp.blockNumber + 1 : opts.fromBlock),
      toBlock: cp ? cp.blockNumber : opts.fromBlock - 1,
      toBlockHash: cp ? cp.blockHash : "",
      events,
    };
    if (reorgDepth !== undefined) r.reorgDepth = reorgDepth;
    if (aborted) r.aborted = true;
    return r;
  };
  try {
    await checkMeta(source, opts, retry);
    const head = await withRetry("eth_blockNumber", () => source.blockNumber(), retry);
    const safeHead = head - (opts.confirmations ?? 0);
    const target = Math.min(opts.toBlock ?? safeHead, safeHead);
    const depth = await reconcile(source, store, maxReorgDepth, retry);
    if (depth !== undefined) reorgDepth = depth;
    const windowStart = target - headerWindow(maxReorgDepth) + 1;
    const ctl = new SpanControl(opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
    let cp = await store.checkpoint();
    passFrom = cp ? cp.blockNumber + 1 : opts.fromBlock;
    let inconsistent = 0;
    const decoder = new LogDecoder(opts.addresses);
    const readAhead = opts.readAhead ?? READ_AHEAD;
    // Up to `readAhead` chunks are read while the current one is committed. Their ranges are
    // planned from the current span; when a read ends elsewhere (a refused range was halved), the
    // reads planned after it are dropped and planned again.
    let queue: { plannedEnd: number; read: Promise<Chunk> }[] = [];
    let nextFrom = cp ? cp.blockNumber + 1 : opts.fromBlock;
    const launch = () => {
      const from = nextFrom;
      const plannedEnd = Math.min(from + ctl.span - 1, target);
      const read = readChunk(source, opts, decoder, from, target, windowStart, ctl, retry);
      read.catch(() => undefined); // handled when awaited, or dropped
      queue.push({ plannedEnd, read });
      nextFrom = plannedEnd + 1;
    };
    const restart = () => {
      queue = [];
      nextFrom = cp ? cp.blockNumber + 1 : opts.fromBlock;
    };
    while ((cp ? cp.blockNumber + 1 : opts.fromBlock) <= target) {
      if (opts.signal?.aborted) return await result(true);
      while (queue.length < readAhead + 1 && nextFrom <= target) launch();
      const next = queue.shift()!;
      let chunk: Chunk;
      try {
        chunk = await next.read;
        if (cp && chunk.parentHash !== cp.blockHash) throw new ChunkInconsistent(`block ${chunk.from} does not continue the checkpoint`);
      } catch (err) {
        if (!(err instanceof ChunkInconsistent)) throw err;
        // The chain moved under us: look for a reorg again and re-read.
        if (++inconsistent > MAX_INCONSISTENT) throw new RpcUnavailableError(`reading blocks from ${nextFrom}`, inconsistent, err);
        await sleep(Math.min(1000, 50 * inconsistent), opts.signal);
        const d = await reconcile(source, store, maxReorgDepth, retry);
        if (d !== undefined) reorgDepth = Math.max(reorgDepth ?? 0, d);
        cp = await store.checkpoint();
        restart();
        // A head now below this pass's target ends the pass here; the next pass plans from the new head.
        const now = (await withRetry("eth_blockNumber", () => source.blockNumber(), retry)) - (opts.confirmations ?? 0);
        if (now < target) {
          if (cp) await store.prune(cp.blockNumber - headerWindow(maxReorgDepth) + 1);
          return await result(false);
        }
        continue;
      }
      inconsistent = 0;
      const parent = cp;
      const checkpoint = { blockNumber: chunk.end, blockHash: chunk.endHash };
      if (chunk.end !== next.plannedEnd) {
        cp = checkpoint; // (committed just below) so that restart() plans from here
        restart();
      }
      if (!opts.signal?.aborted) {
        while (queue.length < readAhead && nextFrom <= target) launch();
      }
      try {
        events += await store.commit({ events: chunk.events, blocks: chunk.blocks, checkpoint, undoFromBlock: windowStart, parent });
      } catch (err) {
        if (!(err instanceof CheckpointMovedError)) throw err;
        // Another writer committed first: nothing was written; go on from its checkpoint.
        cp = await store.checkpoint();
        restart();
        continue;
      }
      cp = checkpoint;
      opts.onProgress?.({ fromBlock: passFrom, toBlock: target, currentBlock: chunk.end, events });
    }
    if (cp) await store.prune(cp.blockNumber - headerWindow(maxReorgDepth) + 1);
    return await result(false);
  } catch (err) {
    if (err instanceof AbortedError) return await result(true);
    throw err;
  } finally {
    source.close();
  }
}

export interface FollowOptions extends SyncOptions {
  /** Pause between passes in ms (default 2000). */
  pollMs?: number;
  /** Called after each pass. */
  onPass?: (r: SyncResult) => void;
  /** Called when a pass fails because the endpoint or the store is unreachable for now; following goes on. */
  onError?: (err: unknown) => void;
  /**
   * A directory of epoch bundles (`*.wlb`): after each pass, files that are new or changed since the
   * last look are imported, and those that failed are tried again once the chain moved (a bundle
   * often lands before its commit is indexed).
   */
  bundles?: string;
  /** Called for each bundle file tried from `bundles`: imported, or the reason it was not. */
  onBundle?: (r: { file: string; imported?: ImportBundleResult; error?: Error }) => void;
}

/** Imports the bundles of a directory as they appear (see FollowOptions.bundles). */
class BundleWatcher {
  /**
   * file → "mtime:size" of the version last tried, whether it imported, and for a bundle that did not
   * match its epoch, the version it was compared with: it is read again only once that changes.
   */
  private readonly tried = new Map<string, { sig: string; ok: boolean; mismatch?: { networkId: number; epoch: bigint; against: string } }>();
  constructor(
    private readonly dir: string,
    private readonly opts: FollowOptions,
  ) {}

  /** The latest version of an epoch as "version:root" ("" when none). */
  private async latest(networkId: number, epoch: bigint): Promise<string> {
    const v = await this.opts.store.latestEpochVersion(networkId, epoch);
    return v ? `${v.version}:${v.root}` : "";
  }

  async scan(chainMoved: boolean, reorged: boolean): Promise<void> {
    if (reorged) this.tried.clear(); // a rollback may have removed imported bundles
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((f) => f.endsWith(".wlb")).sort();
    } catch (err) {
      this.opts.onBundle?.({ file: this.dir, error: err as Error });
      return;
    }
    for (const name of names) {
      if (this.opts.signal?.aborted) return;
      const file = path.join(this.dir, name);
      let sig: string;
      try {
        const st = fs.statSync(file);
        sig = `${st.mtimeMs}:${st.size}`;
      } catch {
        continue; // removed meanwhile
      }
      const prev = this.tried.get(file);
      if (prev && prev.sig === sig) {
        if (prev.ok || !chainMoved) continue;
        // A bundle that did not match is read again only when its epoch got a new version (a correction).
        if (prev.mismatch && (await this.latest(prev.mismatch.networkId, prev.mismatch.epoch)) === prev.mismatch.against) continue;
      }
      try {
        const imported = await importBundle(this.opts.store, file);
        this.tried.set(file, { sig, ok: true });
        this.opts.onBundle?.({ file, imported });
      } catch (err) {
        const mismatch = err instanceof BundleMismatchError ? { networkId: err.networkId, epoch: err.epoch, against: await this.latest(err.networkId, err.epoch) } : undefined;
        this.tried.set(file, { sig, ok: false, mismatch });
        this.opts.onBundle?.({ file, error: err as Error });
      }
    }
  }
}

/**
 * Keep syncing: a pass, a pause of `pollMs`, again, until `signal` fires; then it ends cleanly after
 * the current transaction and returns the last pass's result. A reorg beyond the limit, a chain
 * mismatch or a bad option ends it with that error; an unreachable endpoint or store (a database
 * server restarting) is waited for and retried. With
 * `bundles`, new epoch bundles in that directory are imported as they appear.
 *
 * @example
 * const ac = new AbortController();
 * process.once("SIGINT", () => ac.abort());
 * await followChain({ provider: url, store, addresses, fromBlock, pollMs: 1000, signal: ac.signal, bundles: "bundles/" });
 */
export async function followChain(opts: FollowOptions): Promise<SyncResult> {
  const pollMs = opts.pollMs ?? 2000;
  const watcher = opts.bundles !== undefined ? new BundleWatcher(opts.bundles, opts) : undefined;
  let last: SyncResult | undefined;
  let first = true;
  for (;;) {
    try {
      last = await syncChain(opts);
      opts.onPass?.(last);
      await watcher?.scan(first || last.events > 0 || last.reorgDepth !== undefined, last.reorgDepth !== undefined);
      first = false;
    } catch (err) {
      if (!(err instanceof RpcUnavailableError) && !isStoreUnavailable(err)) throw err;
      opts.onError?.(err);
    }
    if (opts.signal?.aborted) break;
    try {
      await sleep(pollMs, opts.signal);
    } catch {
      break;
    }
  }
  const cp = await opts.store.checkpoint();
  return last ?? { fromBlock: opts.fromBlock, toBlock: cp ? cp.blockNumber : opts.fromBlock - 1, toBlockHash: cp?.blockHash ?? "", events: 0, aborted: true };
}
