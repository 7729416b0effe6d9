/**
 * The store the reader syncs into, as an interface: the sync engine (sync.ts) only talks to this.
 * sqlStore.ts implements it for the embedded SQLite file and for a shared PostgreSQL server.
 *
 * Contract every implementation keeps:
 * - every write (`commit`, `rollback`, `prune`) is one transaction under the store's writer lock,
 *   so two processes syncing one store never double-write and readers never see half a batch;
 * - `commit` is atomic: the raw events, the derived rows, the block hashes and the checkpoint are
 *   written together or not at all (a crash at any point resumes from the last checkpoint).
 * - events are idempotent on (txHash, logIndex): committing the same event twice stores it once and
 *   derives from it once.
 * - `rollback` removes, atomically, every row (raw and derived) above the fork block and restores the
 *   rows that later events had changed, so the store equals one that never saw those blocks.
 */
import type { ChainEvent } from "../chain/events";
import { WorkLedgerError } from "../errors";
import type { WorkRecord } from "../records/types";
import type { UsageRecord } from "../records/usage";

/** A block the store knows by number and hash. */
export interface StoredBlock {
  number: number;
  hash: string; // 0x-prefixed lowercase hex
}

/** The last block whose events are all stored (and nothing above it). */
export interface Checkpoint {
  blockNumber: number;
  blockHash: string;
}

/** What the store was synced from; a store never mixes two chains or two deployments. */
export interface SyncMeta {
  chainId: string; // decimal
  workLedger: string; // checksummed
  revenueLedger: string; // checksummed
  fromBlock: number; // deployment block (first block read)
}

/** One atomic step of a sync: the events of a block range and the checkpoint at its end. */
export interface CommitBatch {
  events: ChainEvent[]; // ordered by (blockNumber, logIndex)
  blocks: StoredBlock[]; // canonical block hashes learned while reading the range (headers)
  checkpoint: Checkpoint;
  /** Blocks below this can no longer be rolled back: rows they change need no undo record. */
  undoFromBlock?: number;
  /** The checkpoint this batch continues (null: an empty store); when set, checked in the transaction. */
  parent?: Checkpoint | null;
}

/** A range of blocks, both ends inclusive and optional. */
export interface BlockRange {
  fromBlock?: number;
  toBlock?: number;
}

/** The latest committed version of an epoch, as the store derived it from EpochCommitted. */
export interface EpochVersionRef {
  networkId: number;
  epoch: bigint;
  version: number;
  root: string;
  dataHash: string;
  /** The version's usage root (0x00…00 for an epoch without usage). */
  usageRoot: string;
  recordCount: bigint;
  blockNumber: number;
}

/** An epoch bundle whose root and dataHash were checked, ready to store. */
export interface VerifiedBundle {
  networkId: number;
  epoch: bigint;
  version: number;
  root: string;
  dataHash: string;
  source: string;
  records: WorkRecord[];
  /** The usage records (customer order), checked against the version's usageRoot; none without usage. */
  usage?: UsageRecord[];
}

/** A committed epoch version whose bundle has not been imported. */
export interface MissingBundle {
  networkId: number;
  epoch: bigint;
  version: number;
}

/** Another writer moved the checkpoint since this batch was read: nothing was written; read again. */
export class CheckpointMovedError extends WorkLedgerError {
  override name = "CheckpointMovedError";
  constructor(
    readonly expected: Checkpoint | null,
    readonly found: Checkpoint | null,
  ) {
    super(`the store's checkpoint moved (expected ${expected ? expected.blockNumber : "none"}, found ${found ? found.blockNumber : "none"}): another writer is syncing this store`, {
      code: "E_CHECKPOINT_MOVED",
    });
  }
}

export interface ReaderStore {
  /** What this store was synced from, or null before the first sync. */
  meta(): Promise<SyncMeta | null>;
  /**
   * Record what this store is synced from (first sync only): when another writer recorded it first,
   * returns what is stored, for the caller to compare.
   */
  setMeta(meta: SyncMeta): Promise<SyncMeta>;
  /** The last fully stored block, or null when nothing was synced yet. */
  checkpoint(): Promise<Checkpoint | null>;
  /** The stored hash of block `n` (a header, a checkpoint or a block with events), if known. */
  blockHash(n: number): Promise<string | undefined>;
  /** Known block hashes at or below `atOrBelow`, newest first, at most `limit` (for reorg checks). */
  knownBlocks(atOrBelow: number, limit: number): Promise<StoredBlock[]>;
  /**
   * Atomically store a batch; returns how many events were new. With `batch.parent` set, refuses
   * ({@link CheckpointMovedError}, nothing written) unless the stored checkpoint still equals it.
   */
  commit(batch: CommitBatch): Promise<number>;
  /**
   * Atomically remove everything above `to.blockNumber` and make `to` the checkpoint; `null`
   * removes everything (the fork is below the first block synced). With `from`, refuses
   * ({@link CheckpointMovedError}) unless the stored checkpoint still equals it.
   */
  rollback(to: Checkpoint | null, from?: Checkpoint): Promise<void>;
  /** Forget undo data and non-event block hashes below `belowBlock` (they can no longer be reorged). */
  prune(belowBlock: number): Promise<void>;
  /** Stored events ordered by (blockNumber, logIndex), exactly as decoded from the chain. */
  events(range?: BlockRange): Promise<ChainEvent[]>;
  /** Number of stored events. */
  eventCount(): Promise<number>;
  /** The latest committed version of an epoch, or undefined if the store has no commit for it. */
  latestEpochVersion(networkId: number, epoch: bigint | number): Promise<EpochVersionRef | undefined>;
  /** Store the records of a bundle that was checked against its commit (replaces an earlier import). */
  putBundle(bundle: VerifiedBundle): Promise<void>;
  /** Records of an imported bundle, or undefined if none was imported for that version. */
  bundleRecords(networkId: number, epoch: bigint | number, version: number): Promise<WorkRecord[] | undefined>;
  /** Usage records of an imported bundle (customer order; [] without usage), or undefined if none was imported. */
  bundleUsage(networkId: number, epoch: bigint | number, version: number): Promise<UsageRecord[] | undefined>;
  /** Latest committed epoch versions (with records) whose bundle was not imported. */
  missingBundles(): Promise<MissingBundle[]>;
  /** Release the store (its connections). */
  close(): Promise<void>;
}
