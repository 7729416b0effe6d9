/**
 * The reader: an embedded indexer of WorkLedger and RevenueLedger events (chunked log queries,
 * confirmations, checkpoints, reorg rollback, retries), its SQLite store and query helpers.
 */
export type { ReaderStore, Checkpoint, StoredBlock, SyncMeta, CommitBatch, BlockRange, EpochVersionRef, VerifiedBundle, MissingBundle } from "./store";
export { SqliteStore, openStore } from "./sqliteStore";
export type { AccountBalance, DumpRow } from "./sqliteStore";
export { ACCOUNT_KINDS, decodeAccountId } from "./sqliteDerive";
export { TABLES, SCHEMA_VERSION } from "./sqliteSchema";
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
