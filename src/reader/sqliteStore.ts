/**
 * The embedded SQLite implementation of {@link ReaderStore} (better-sqlite3, WAL, one transaction
 * per commit or rollback), plus query helpers for reports and people.
 */
import Database from "better-sqlite3";

import type { ChainEvent } from "../chain/events";
import type { WorkRecord } from "../records/types";
import { decodeAccountId, deriveEvent } from "./sqliteDerive";
import { RowWriter } from "./sqliteRows";
import { SCHEMA_VERSION, TABLES, schemaSql } from "./sqliteSchema";
import type {
  BlockRange,
  Checkpoint,
  CommitBatch,
  EpochVersionRef,
  MissingBundle,
  ReaderStore,
  StoredBlock,
  SyncMeta,
  VerifiedBundle,
} from "./store";

interface EventRow {
  block_number: number;
  log_index: number;
  block_hash: string;
  tx_hash: string;
  contract: string;
  address: string;
  name: string;
  args: string;
}

/** An account balance as of a block, from the last entry that touched it. */
export interface AccountBalance {
  accountId: string;
  kind: string;
  networkId: number;
  holder: string;
  balance: bigint;
  blockNumber: number; // block of the entry that set it
}

/** One row of a table dump: column name to value. */
export type DumpRow = Record<string, unknown>;

export class SqliteStore implements ReaderStore {
  /** The underlying connection, for direct SQL queries (read them; do not write). */
  readonly db: Database.Database;
  readonly file: string;
  private readonly rows: RowWriter;
  private readonly insertEvent: Database.Statement;
  private readonly commitTx: (batch: CommitBatch) => number;
  private readonly rollbackTx: (to: Checkpoint | null) => void;

  constructor(file: string) {
    this.file = file;
    this.db = new Database(file);
    if (file !== ":memory:") this.db.pragma("journal_mode = WAL");
    // NORMAL is durable against a killed process (the WAL is fsynced at checkpoints); FULL adds power-loss safety.
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(schemaSql());
    const version = this.getMeta("schema_version");
    if (version === undefined) this.putMeta("schema_version", String(SCHEMA_VERSION));
    else if (Number(version) !== SCHEMA_VERSION) throw new Error(`${file}: reader schema version ${version}, expected ${SCHEMA_VERSION}; sync into a new database`);
    this.rows = new RowWriter(this.db);
    this.insertEvent = this.db.prepare(
      `INSERT OR IGNORE INTO events (block_number, log_index, block_hash, tx_hash, contract, address, name, args) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const putBlock = this.db.prepare(`INSERT OR REPLACE INTO blocks (block_number, block_hash) VALUES (?, ?)`);
    const putCheckpoint = this.db.prepare(`INSERT OR REPLACE INTO sync_state (id, block_number, block_hash) VALUES (1, ?, ?)`);
    this.commitTx = this.db.transaction((batch: CommitBatch) => {
      let added = 0;
      this.rows.begin(batch.undoFromBlock ?? 0);
      for (const e of batch.events) {
        const r = this.insertEvent.run(e.blockNumber, e.logIndex, e.blockHash, e.txHash, e.contract, e.address, e.name, JSON.stringify(e.args));
        if (r.changes === 0) continue;
        added++;
        deriveEvent(this.rows, e);
      }
      for (const b of batch.blocks) putBlock.run(b.number, b.hash);
      putBlock.run(batch.checkpoint.blockNumber, batch.checkpoint.blockHash);
      putCheckpoint.run(batch.checkpoint.blockNumber, batch.checkpoint.blockHash);
      return added;
    });
    this.rollbackTx = this.db.transaction((to: Checkpoint | null) => {
      const keep = to ? to.blockNumber : -1;
      this.rows.begin(0);
      this.rows.rollbackDerived(keep);
      this.db.prepare(`DELETE FROM events WHERE block_number > ?`).run(keep);
      this.db.prepare(`DELETE FROM blocks WHERE block_number > ?`).run(keep);
      this.db.prepare(`DELETE FROM bundle_records WHERE (network_id, epoch, version) IN (SELECT network_id, epoch, version FROM bundles WHERE commit_block > ?)`).run(keep);
      this.db.prepare(`DELETE FROM bundles WHERE commit_block > ?`).run(keep);
      if (to) {
        putBlock.run(to.blockNumber, to.blockHash);
        putCheckpoint.run(to.blockNumber, to.blockHash);
      } else {
        this.db.prepare(`DELETE FROM sync_state`).run();
      }
    });
  }

  private getMeta(key: string): string | undefined {
    const r = this.db.prepare(`SELECT value FROM meta WHERE key = ?`).get(key) as { value: string } | undefined;
    return r?.value;
  }

  private putMeta(key: string, value: string): void {
    this.db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`).run(key, value);
  }

  meta(): SyncMeta | null {
    const chainId = this.getMeta("chain_id");
    if (chainId === undefined) return null;
    return {
      chainId,
      workLedger: this.getMeta("work_ledger") ?? "",
      revenueLedger: this.getMeta("revenue_ledger") ?? "",
      fromBlock: Number(this.getMeta("from_block") ?? 0),
    };
  }

  setMeta(meta: SyncMeta): void {
    this.db.transaction(() => {
      this.putMeta("chain_id", meta.chainId);
      this.putMeta("work_ledger", meta.workLedger);
      this.putMeta("revenue_ledger", meta.revenueLedger);
      this.putMeta("from_block", String(meta.fromBlock));
    })();
  }

  checkpoint(): Checkpoint | null {
    const r = this.db.prepare(`SELECT block_number, block_hash FROM sync_state WHERE id = 1`).get() as { block_number: number; block_hash: string } | undefined;
    return r ? { blockNumber: r.block_number, blockHash: r.block_hash } : null;
  }

  blockHash(n: number): string | undefined {
    const b = this.db.prepare(`SELECT block_hash FROM blocks WHERE block_number = ?`).get(n) as { block_hash: string } | undefined;
    if (b) return b.block_hash;
    const e = this.db.prepare(`SELECT block_hash FROM events WHERE block_number = ? LIMIT 1`).get(n) as { block_hash: string } | undefined;
    return e?.block_hash;
  }

  knownBlocks(atOrBelow: number, limit: number): StoredBlock[] {
    // Two index scans from the top (headers, and blocks with events), merged.
    const headers = this.db
      .prepare(`SELECT block_number AS number, block_hash AS hash FROM blocks WHERE block_number <= ? ORDER BY block_number DESC LIMIT ?`)
      .all(atOrBelow, limit) as StoredBlock[];
    const withEvents = this.db
      .prepare(`SELECT block_number AS number, block_hash AS hash FROM events WHERE block_number <= ? GROUP BY block_number ORDER BY block_number DESC LIMIT ?`)
      .all(atOrBelow, limit) as StoredBlock[];
    const byNumber = new Map<number, StoredBlock>();
    for (const b of [...withEvents, ...headers]) byNumber.set(b.number, b);
    return [...byNumber.values()].sort((a, b) => b.number - a.number).slice(0, limit);
  }

  commit(batch: CommitBatch): number {
    return this.commitTx(batch);
  }

  rollback(to: Checkpoint | null): void {
    this.rollbackTx(to);
  }

  prune(belowBlock: number): void {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM undo_log WHERE block_number < ?`).run(belowBlock);
      this.db.prepare(`DELETE FROM blocks WHERE block_number < ? AND block_number NOT IN (SELECT block_number FROM sync_state)`).run(belowBlock);
    })();
  }

  events(range: BlockRange = {}): ChainEvent[] {
    const rows = this.db
      .prepare(`SELECT * FROM events WHERE block_number >= ? AND block_number <= ? ORDER BY block_number, log_index`)
      .all(range.fromBlock ?? 0, range.toBlock ?? Number.MAX_SAFE_INTEGER) as EventRow[];
    return rows.map(toChainEvent);
  }

  eventCount(): number {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM events`).get() as { n: number }).n;
  }

  latestEpochVersion(networkId: number, epoch: bigint | number): EpochVersionRef | undefined {
    const r = this.db
      .prepare(`SELECT latest_version, root, data_hash, record_count, committed_block FROM epochs WHERE network_id = ? AND epoch = ?`)
      .get(networkId, BigInt(epoch)) as { latest_version: number; root: string; data_hash: string; record_count: number; committed_block: number } | undefined;
    if (!r) return undefined;
    return {
      networkId,
      epoch: BigInt(epoch),
      version: r.latest_version,
      root: r.root,
      dataHash: r.data_hash,
      recordCount: BigInt(r.record_count),
      blockNumber: r.committed_block,
    };
  }

  putBundle(bundle: VerifiedBundle): void {
    const v = this.db
      .prepare(`SELECT block_number FROM epoch_versions WHERE network_id = ? AND epoch = ? AND version = ?`)
      .get(bundle.networkId, bundle.epoch, bundle.version) as { block_number: number } | undefined;
    if (!v) throw new Error(`no commit of network ${bundle.networkId} epoch ${bundle.epoch} version ${bundle.version} in the store`);
    const ins = this.db.prepare(
      `INSERT INTO bundle_records (network_id, epoch, version, position, node_id, record_epoch, work_units, uptime_bps, revenue, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      const key = [bundle.networkId, bundle.epoch, bundle.version] as const;
      this.db.prepare(`DELETE FROM bundle_records WHERE network_id = ? AND epoch = ? AND version = ?`).run(...key);
      this.db.prepare(`DELETE FROM bundles WHERE network_id = ? AND epoch = ? AND version = ?`).run(...key);
      this.db
        .prepare(`INSERT INTO bundles (network_id, epoch, version, root, data_hash, record_count, source, commit_block) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(...key, bundle.root.toLowerCase(), bundle.dataHash.toLowerCase(), bundle.records.length, bundle.source, v.block_number);
      bundle.records.forEach((r, i) => {
        ins.run(...key, i, r.nodeId.toLowerCase(), r.epoch.toString(), r.workUnits.toString(), r.uptimeBps, r.revenue.toString(), r.evidence.toLowerCase());
      });
    })();
  }

  bundleRecords(networkId: number, epoch: bigint | number, version: number): WorkRecord[] | undefined {
    const b = this.db.prepare(`SELECT record_count FROM bundles WHERE network_id = ? AND epoch = ? AND version = ?`).get(networkId, BigInt(epoch), version);
    if (!b) {
      const v = this.db
        .prepare(`SELECT record_count FROM epoch_versions WHERE network_id = ? AND epoch = ? AND version = ?`)
        .get(networkId, BigInt(epoch), version) as { record_count: number } | undefined;
      return v && v.record_count === 0 ? [] : undefined;
    }
    const rows = this.db
      .prepare(`SELECT * FROM bundle_records WHERE network_id = ? AND epoch = ? AND version = ? ORDER BY position`)
      .all(networkId, BigInt(epoch), version) as { node_id: string; record_epoch: string; work_units: string; uptime_bps: number; revenue: string; evidence: string }[];
    return rows.map((r) => ({
      nodeId: r.node_id,
      epoch: BigInt(r.record_epoch),
      workUnits: BigInt(r.work_units),
      uptimeBps: r.uptime_bps,
      revenue: BigInt(r.revenue),
      evidence: r.evidence,
    }));
  }

  missingBundles(): MissingBundle[] {
    const rows = this.db
      .prepare(
        `SELECT e.network_id, e.epoch, e.latest_version FROM epochs e
         LEFT JOIN bundles b ON b.network_id = e.network_id AND b.epoch = e.epoch AND b.version = e.latest_version
         WHERE b.network_id IS NULL AND e.record_count > 0 ORDER BY e.network_id, e.epoch`,
      )
      .all() as { network_id: number; epoch: number; latest_version: number }[];
    return rows.map((r) => ({ networkId: r.network_id, epoch: BigInt(r.epoch), version: r.latest_version }));
  }

  // ------------------------------------------------------------------ query helpers

  /**
   * Every epoch with its latest version's summary and stored status (pending, challenged, voided),
   * per network. With `atTimestamp` (unix seconds, e.g. a block's time) each row also gets
   * `effective_status`: a pending version whose window closed by then is `final`.
   */
  epochSummaries(networkId?: number, atTimestamp?: number): Record<string, unknown>[] {
    const rows = this.db
      .prepare(`SELECT * FROM epochs WHERE (@n IS NULL OR network_id = @n) ORDER BY network_id, epoch`)
      .all({ n: networkId ?? null }) as Record<string, unknown>[];
    if (atTimestamp === undefined) return rows;
    return rows.map((r) => ({
      ...r,
      effective_status: r.status === "pending" && r.finalizes_at !== null && Number(r.finalizes_at) <= atTimestamp ? "final" : r.status,
    }));
  }

  /** Every version of an epoch, oldest first, and its status changes. */
  epochHistory(networkId: number, epoch: bigint | number): { versions: Record<string, unknown>[]; changes: Record<string, unknown>[] } {
    const e = BigInt(epoch);
    return {
      versions: this.db.prepare(`SELECT * FROM epoch_versions WHERE network_id = ? AND epoch = ? ORDER BY version`).all(networkId, e) as Record<string, unknown>[],
      changes: this.db
        .prepare(`SELECT * FROM epoch_status_changes WHERE network_id = ? AND epoch = ? ORDER BY block_number, log_index`)
        .all(networkId, e) as Record<string, unknown>[],
    };
  }

  /** The records of an epoch's latest version (undefined if its bundle was not imported). */
  epochRecords(networkId: number, epoch: bigint | number): WorkRecord[] | undefined {
    const v = this.latestEpochVersion(networkId, epoch);
    return v ? this.bundleRecords(networkId, epoch, v.version) : undefined;
  }

  /** A node's registrations and deactivations, oldest first. */
  nodeHistory(networkId: number, nodeId: string): Record<string, unknown>[] {
    return this.db
      .prepare(`SELECT * FROM node_status WHERE network_id = ? AND node_id = ? ORDER BY block_number, log_index`)
      .all(networkId, nodeId.toLowerCase()) as Record<string, unknown>[];
  }

  /** Entries that moved a customer's escrow or held balance, in the order posted. */
  customerEntries(customer: string, networkId?: number): Record<string, unknown>[] {
    return this.db
      .prepare(
        `SELECT * FROM entries WHERE ((debit_holder = @c AND debit_kind IN ('escrow', 'held')) OR (credit_holder = @c AND credit_kind IN ('escrow', 'held')))
         AND (@n IS NULL OR network_id = @n) ORDER BY entry_id`,
      )
      .all({ c: customer, n: networkId ?? null }) as Record<string, unknown>[];
  }

  /** Every account's balance as of the end of `blockNumber` (default: the checkpoint). */
  balancesAt(blockNumber?: number): AccountBalance[] {
    const at = blockNumber ?? this.checkpoint()?.blockNumber ?? Number.MAX_SAFE_INTEGER;
    const rows = this.db
      .prepare(
        `SELECT account, balance, block_number FROM (
           SELECT debit_account AS account, debit_balance AS balance, block_number, log_index, 0 AS side FROM entries WHERE block_number <= @b
           UNION ALL
           SELECT credit_account, credit_balance, block_number, log_index, 1 FROM entries WHERE block_number <= @b
         ) ORDER BY block_number, log_index, side`,
      )
      .all({ b: at }) as { account: string; balance: string; block_number: number }[];
    const latest = new Map<string, { balance: string; block: number }>();
    for (const r of rows) latest.set(r.account, { balance: r.balance, block: r.block_number });
    return [...latest.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, v]) => {
        const d = decodeAccountId(id);
        return { accountId: id, kind: d.kind, networkId: d.networkId, holder: d.holder, balance: BigInt(v.balance), blockNumber: v.block };
      });
  }

  /** One account's balance as of the end of `blockNumber`. */
  balanceAt(accountId: string, blockNumber?: number): bigint {
    const at = blockNumber ?? Number.MAX_SAFE_INTEGER;
    const id = accountId.toLowerCase();
    const r = this.db
      .prepare(
        `SELECT balance FROM (
           SELECT debit_balance AS balance, block_number, log_index, 0 AS side FROM entries WHERE debit_account = @a AND block_number <= @b
           UNION ALL
           SELECT credit_balance, block_number, log_index, 1 FROM entries WHERE credit_account = @a AND block_number <= @b
         ) ORDER BY block_number DESC, log_index DESC, side DESC LIMIT 1`,
      )
      .get({ a: id, b: at }) as { balance: string } | undefined;
    return r ? BigInt(r.balance) : 0n;
  }

  /**
   * Full contents of every table, rows in a canonical order (for equality checks between two
   * syncs). The undo log's sequence numbers depend on history, so they are left out.
   */
  dump(): Record<string, DumpRow[]> {
    const out: Record<string, DumpRow[]> = {};
    for (const t of TABLES) {
      const cols = t.columns.map(([c]) => c).filter((c) => !(t.name === "undo_log" && c === "seq"));
      const order = cols.map((_, i) => String(i + 1)).join(", ");
      out[t.name] = this.db.prepare(`SELECT ${cols.join(", ")} FROM ${t.name} ORDER BY ${order}`).all() as DumpRow[];
    }
    return out;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toChainEvent(r: EventRow): ChainEvent {
  return {
    contract: r.contract as ChainEvent["contract"],
    address: r.address,
    name: r.name,
    blockNumber: r.block_number,
    blockHash: r.block_hash,
    txHash: r.tx_hash,
    logIndex: r.log_index,
    args: JSON.parse(r.args) as ChainEvent["args"],
  };
}

/**
 * Open (or create) a reader database. `":memory:"` gives a throwaway in-memory store.
 *
 * @example
 * const store = openStore("workledger.db");
 * await syncChain({ provider: "http://127.0.0.1:8545", store, addresses, fromBlock });
 * console.log(store.epochSummaries());
 */
export function openStore(file: string): SqliteStore {
  return new SqliteStore(file);
}
