/**
 * The reader: an indexer of WorkLedger and RevenueLedger events (chunked log queries,
 * confirmations, checkpoints, reorg rollback, retries), its store (an embedded SQLite file or a
 * shared PostgreSQL database, one query layer) and query helpers.
 */
export type { ReaderStore, Checkpoint, StoredBlock, SyncMeta, CommitBatch, BlockRange, EpochVersionRef, VerifiedBundle, MissingBundle } from "./store";
export { CheckpointMovedError } from "./store";
export { SqlStore, SqliteStore, PostgresStore, openStore, isPostgresUrl, isStoreUnavailable } from "./sqlStore";
export type { AccountBalance, DumpRow, PostgresStoreOptions } from "./sqlStore";
export { ACCOUNT_KINDS, decodeAccountId } from "./derive";
export { TABLES, SCHEMA_VERSION } from "./schema";
export { syncChain, followChain, DEFAULT_MAX_REORG_DEPTH, headerWindow } from "./sync";
export type { SyncOptions, SyncResult, SyncProgress, FollowOptions } from "./sync";
export { fetchEvents, DEFAULT_CHUNK_SIZE } from "./fetchEvents";
export type { FetchEventsOptions } from "./fetchEvents";
export { ReorgTooDeepError } from "./reorg";
export { AbortedError, LogRangeRefused, RpcRequestError, RpcUnavailableError, chainSource } from "./rpc";
export type { RetryOptions, ChainSource, BlockHeader } from "./rpc";
export { balanceAt } from "./balance";
export { importBundle, importBundleDir, BundleMismatchError } from "./bundles";
export type { ImportBundleOptions, ImportBundleResult } from "./bundles";
