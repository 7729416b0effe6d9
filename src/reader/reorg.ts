/**
 * Reorg detection: compare the stored hashes of recent blocks with the chain, find the highest block
 * both agree on (the fork point), and roll the store back to it — or refuse when the reorg is deeper
 * than allowed.
 */
import { WorkLedgerError } from "../errors";
import { ChainSource, RetryOptions, withRetry } from "./rpc";
import type { Checkpoint, ReaderStore } from "./store";

/** The chain reorganized deeper than `maxReorgDepth`: the index is left as it was. */
export class ReorgTooDeepError extends WorkLedgerError {
  override name = "ReorgTooDeepError";
  constructor(
    readonly depth: number,
    readonly maxReorgDepth: number,
    readonly checkpoint: Checkpoint,
    readonly bound: "exact" | "atMost" | "atLeast",
  ) {
    super(
      `chain reorganized ${bound === "exact" ? "" : bound === "atMost" ? "up to " : "at least "}${depth} blocks deep below the indexed block ${checkpoint.blockNumber}, beyond maxReorgDepth ${maxReorgDepth}`,
      {
        code: "E_REORG_TOO_DEEP",
        details: `the store still holds blocks up to ${checkpoint.blockNumber} (${checkpoint.blockHash}); sync into a new database, or raise maxReorgDepth`,
      },
    );
  }
}

/** Known blocks compared per round trip while looking for the fork point. */
const WALK_BATCH = 32;

/**
 * Check the checkpoint against the chain; on a mismatch, find the fork point, roll back to it and
 * return the reorg depth (blocks replaced above the fork). Returns undefined when nothing changed.
 */
export async function reconcileReorg(
  source: ChainSource,
  store: ReaderStore,
  maxReorgDepth: number,
  retry: RetryOptions & { signal?: AbortSignal },
): Promise<number | undefined> {
  const cp = await store.checkpoint();
  if (!cp) return undefined;
  const [head] = await withRetry(`eth_getBlockByNumber ${cp.blockNumber}`, () => source.headers([cp.blockNumber]), retry);
  if (head && head.hash === cp.blockHash) return undefined;

  // Walk the stored hashes downwards until one still matches the chain.
  const limit = Math.max(4 * maxReorgDepth + 8, 256);
  const known = await store.knownBlocks(cp.blockNumber, limit);
  let fork: Checkpoint | undefined;
  let above = cp.blockNumber + 1; // lowest known block that no longer matches
  for (let i = 0; i < known.length && !fork; i += WALK_BATCH) {
    const part = known.slice(i, i + WALK_BATCH);
    const chain = await withRetry(`eth_getBlockByNumber ${part[part.length - 1].number}..${part[0].number}`, () => source.headers(part.map((b) => b.number)), retry);
    for (let j = 0; j < part.length; j++) {
      if (chain[j] && chain[j]!.hash === part[j].hash) {
        fork = { blockNumber: part[j].number, blockHash: part[j].hash };
        break;
      }
      above = part[j].number;
    }
  }
  const firstBlock = (await store.meta())?.fromBlock ?? 0;
  if (!fork) {
    if (known.length >= limit) {
      // Nothing within reach matches: deeper than everything we compared.
      throw new ReorgTooDeepError(cp.blockNumber - above + 1, maxReorgDepth, cp, "atLeast");
    }
    // Every stored block changed: the fork is below the first block synced.
    const depth = cp.blockNumber - (firstBlock - 1);
    if (depth > maxReorgDepth) throw new ReorgTooDeepError(depth, maxReorgDepth, cp, above === firstBlock ? "exact" : "atMost");
    await store.rollback(null, cp);
    return depth;
  }
  // Exact when the block right above the fork was compared; otherwise an upper bound.
  const depth = cp.blockNumber - fork.blockNumber;
  if (depth > maxReorgDepth) throw new ReorgTooDeepError(depth, maxReorgDepth, cp, above === fork.blockNumber + 1 ? "exact" : "atMost");
  await store.rollback(fork, cp);
  return depth;
}
