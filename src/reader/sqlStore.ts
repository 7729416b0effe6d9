/**
 * The reader's store over one query layer (Kysely) for two engines: the embedded SQLite file
 * (better-sqlite3, WAL; the default) and a shared PostgreSQL server (node-postgres). Only the bulk
 * insert, the writer lock and the connection differ per engine:
 * - SQLite: each write is a `BEGIN IMMEDIATE` transaction (the database's write lock, waited for up to
 *   30 s); bulk inserts are prepared statements run in a loop on the same connection;
 * - PostgreSQL: each write transaction first takes a transaction-scoped advisory lock
 *   (`pg_advisory_xact_lock`), so writers queue; bulk inserts are one `INSERT … SELECT FROM unnest(…)`
 *   per table and batch.
 * Each commit also checks that the stored checkpoint is still the one its batch continues, so two
 * syncs of one store never write the same blocks twice: the later one gets CheckpointMovedError and
 * reads again from the new checkpoint.
 */
import type Database from "better-sqlite3";
import type { Driver } from "kysely";
import type { Pool, PoolConfig } from "pg";

import type { ChainEvent } from "../chain/events";
import { revenueLedgerEvents, workLedgerEvents } from "../chain/events";
import { InvalidInputError } from "../errors";
import type { WorkRecord } from "../records/types";
import type { UsageRecord } from "../records/usage";
import { Row, bytesOf, checksum, fromDb, normalizeValue, packLog, rowFromDb, toDb, topicSig, unpackLog } from "./codec";
import { LogDecoder } from "./decode";
import { decodeAccountId, deriveEvent } from "./derive";
import { rawLogOf } from "./rawLog";
import { AnyDb, BulkInsert, RowWriter, rollbackDerived } from "./rows";
import { Engine, SCHEMA_VERSION, TABLES, pgArrayType, schemaStatements, tableDef } from "./schema";
import {
  BlockRange,
  Checkpoint,
  CheckpointMovedError,
  CommitBatch,
  EpochVersionRef,
  MissingBundle,
  ReaderStore,
  StoredBlock,
  SyncMeta,
  VerifiedBundle,
} from "./store";

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

type KyselyModule = typeof import("kysely");
let kyselyModule: KyselyModule | undefined;
/** Kysely, loaded on first use: commands that open no store do not pay for it (nor for the drivers). */
function kysely(): KyselyModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (kyselyModule ??= require("kysely") as KyselyModule);
}

const EVENTS = tableDef("events");
const BUNDLE_RECORDS = tableDef("bundle_records");
const CONTRACTS = ["WorkLedger", "RevenueLedger"] as const;

/** topic0 of every ledger event by (contract code, sig). */
const TOPIC0 = new Map<string, string>();
[workLedgerEvents, revenueLedgerEvents].forEach((iface, contract) =>
  iface.forEachEvent((f) => {
    const key = `${contract}:${topicSig(f.topicHash)}`;
    if (TOPIC0.has(key) && TOPIC0.get(key) !== f.topicHash) throw new Error(`two ${CONTRACTS[contract]} events share the topic prefix of ${f.name}`);
    TOPIC0.set(key, f.topicHash);
  }),
);

const sameCheckpoint = (a: Checkpoint | null, b: Checkpoint | null) => (a === null || b === null ? a === b : a.blockNumber === b.blockNumber && a.blockHash === b.blockHash);

/** Compare two canonical values for the dump's order (numbers numerically, strings by code unit). */
function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export abstract class SqlStore implements ReaderStore {
  abstract readonly engine: Engine;
  /** The query builder on this store's connection, for direct queries (read them; do not write). */
  readonly db: AnyDb;
  /** The file path or the postgres:// URL (without password). */
  readonly location: string;
  private decoder: LogDecoder | undefined;

  protected constructor(db: AnyDb, location: string) {
    this.db = db;
    this.location = location;
  }

  /** Run `fn` in one write transaction holding the store's writer lock. */
  protected abstract writeTx<T>(fn: (trx: AnyDb) => Promise<T>): Promise<T>;
  /** The engine's bulk insert of canonical rows. */
  protected abstract readonly bulkInsert: BulkInsert;
  /** Bytes the store takes on disk (tables and indexes). */
  abstract storageBytes(): Promise<number>;

  /** `s` once its tables exist (closed again when that fails). */
  protected static async ready<S extends SqlStore>(s: S, readOnly = false): Promise<S> {
    try {
      await s.init(readOnly);
    } catch (e) {
      await s.close();
      throw e;
    }
    return s;
  }

  /**
   * Check the schema version; create the tables when the store is new. A current store is only
   * read here, so a role that may only SELECT (a team's report readers) can open it.
   */
  async init(readOnly = false): Promise<void> {
    const have = await this.getMeta("schema_version").catch(() => undefined); // no meta table yet: a new store
    if (have !== undefined) {
      if (Number(have) !== SCHEMA_VERSION) throw new InvalidInputError(`${this.location}: reader schema version ${have}, expected ${SCHEMA_VERSION}; sync into a new database`);
      return;
    }
    if (readOnly) throw new InvalidInputError(`${this.location} is not a WorkLedger index (no tables): run \`workledger sync\` into it first`);
    const { sql } = kysely();
    await this.writeTx(async (trx) => {
      for (const s of schemaStatements(this.engine)) await sql.raw(s).execute(trx);
      const v = await trx.selectFrom("meta").select("value").where("key", "=", "schema_version").executeTakeFirst();
      if (!v) await trx.insertInto("meta").values({ key: "schema_version", value: String(SCHEMA_VERSION) }).execute();
      else if (Number(v.value) !== SCHEMA_VERSION) throw new InvalidInputError(`${this.location}: reader schema version ${v.value}, expected ${SCHEMA_VERSION}; sync into a new database`);
    });
  }

  private async getMeta(key: string, db: AnyDb = this.db): Promise<string | undefined> {
    const r = await db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirst();
    return r?.value as string | undefined;
  }

  async meta(): Promise<SyncMeta | null> {
    const rows = (await this.db.selectFrom("meta").select(["key", "value"]).execute()) as { key: string; value: string }[];
    const m = new Map(rows.map((r) => [r.key, r.value]));
    const chainId = m.get("chain_id");
    if (chainId === undefined) return null;
    return { chainId, workLedger: m.get("work_ledger") ?? "", revenueLedger: m.get("revenue_ledger") ?? "", fromBlock: Number(m.get("from_block") ?? 0) };
  }

  async setMeta(meta: SyncMeta): Promise<SyncMeta> {
    await this.writeTx(async (trx) => {
      if ((await this.getMeta("chain_id", trx)) !== undefined) return; // another writer was first
      await trx
        .insertInto("meta")
        .values([
          { key: "chain_id", value: meta.chainId },
          { key: "work_ledger", value: meta.workLedger },
          { key: "revenue_ledger", value: meta.revenueLedger },
          { key: "from_block", value: String(meta.fromBlock) },
        ])
        .execute();
    });
    this.decoder = undefined;
    return (await this.meta())!;
  }

  private async readCheckpoint(db: AnyDb): Promise<Checkpoint | null> {
    const r = await db.selectFrom("sync_state").select(["block_number", "block_hash"]).where("id", "=", 1).executeTakeFirst();
    return r ? { blockNumber: Number(r.block_number), blockHash: fromDb("hash", r.block_hash) as string } : null;
  }

  checkpoint(): Promise<Checkpoint | null> {
    return this.readCheckpoint(this.db);
  }

  async blockHash(n: number): Promise<string | undefined> {
    const r = await this.db.selectFrom("blocks").select("block_hash").where("block_number", "=", n).executeTakeFirst();
    return r ? (fromDb("hash", r.block_hash) as string) : undefined;
  }

  async knownBlocks(atOrBelow: number, limit: number): Promise<StoredBlock[]> {
    const rows = await this.db.selectFrom("blocks").select(["block_number", "block_hash"]).where("block_number", "<=", atOrBelow).orderBy("block_number", "desc").limit(limit).execute();
    return rows.map((r) => ({ number: Number(r.block_number), hash: fromDb("hash", r.block_hash) as string }));
  }

  /** Insert or refresh block hashes (has_events never goes back from 1 to 0). */
  private async putBlocks(trx: AnyDb, blocks: Map<number, { hash: string; hasEvents: number }>): Promise<void> {
    const { sql } = kysely();
    const rows = [...blocks.entries()].map(([n, b]) => ({ block_number: n, block_hash: bytesOf(b.hash), has_events: b.hasEvents }));
    for (let i = 0; i < rows.length; i += 1000) {
      await trx
        .insertInto("blocks")
        .values(rows.slice(i, i + 1000))
        .onConflict((oc) =>
          oc.column("block_number").doUpdateSet({
            block_hash: sql`excluded.block_hash`,
            has_events: sql`CASE WHEN blocks.has_events > excluded.has_events THEN blocks.has_events ELSE excluded.has_events END`,
          }),
        )
        .execute();
    }
  }

  private async putCheckpoint(trx: AnyDb, cp: Checkpoint): Promise<void> {
    const hash = bytesOf(cp.blockHash);
    await trx
      .insertInto("sync_state")
      .values({ id: 1, block_number: cp.blockNumber, block_hash: hash })
      .onConflict((oc) => oc.column("id").doUpdateSet({ block_number: cp.blockNumber, block_hash: hash }))
      .execute();
  }

  private eventRow(e: ChainEvent): Row {
    const contract = CONTRACTS.indexOf(e.contract);
    if (contract < 0) throw new Error(`unknown contract ${e.contract}`);
    const raw = rawLogOf(e);
    return { block_number: e.blockNumber, log_index: e.logIndex, tx_hash: e.txHash, contract, sig: topicSig(raw.topics[0]), data: packLog(raw.topics, raw.data) };
  }

  async commit(batch: CommitBatch): Promise<number> {
    return this.writeTx(async (trx) => {
      if (batch.parent !== undefined) {
        const cp = await this.readCheckpoint(trx);
        if (!sameCheckpoint(cp, batch.parent)) throw new CheckpointMovedError(batch.parent, cp);
      }
      let fresh = batch.events;
      if (fresh.length > 0) {
        let lo = Infinity;
        let hi = -Infinity;
        for (const e of fresh) {
          lo = Math.min(lo, e.blockNumber);
          hi = Math.max(hi, e.blockNumber);
        }
        const have = await trx.selectFrom("events").select(["block_number", "log_index"]).where("block_number", ">=", lo).where("block_number", "<=", hi).execute();
        if (have.length > 0) {
          const seen = new Set(have.map((r) => `${r.block_number}:${r.log_index}`));
          const once = new Set<string>();
          fresh = fresh.filter((e) => {
            const k = `${e.blockNumber}:${e.logIndex}`;
            if (seen.has(k) || once.has(k)) return false;
            once.add(k);
            return true;
          });
        }
      }
      await this.bulkInsert(trx, EVENTS, fresh.map((e) => this.eventRow(e)));
      const blocks = new Map<number, { hash: string; hasEvents: number }>();
      for (const e of fresh) blocks.set(e.blockNumber, { hash: e.blockHash, hasEvents: 1 });
      for (const b of [...batch.blocks, { number: batch.checkpoint.blockNumber, hash: batch.checkpoint.blockHash }]) {
        if (!blocks.has(b.number)) blocks.set(b.number, { hash: b.hash, hasEvents: 0 });
      }
      await this.putBlocks(trx, blocks);
      const w = new RowWriter(trx, this.bulkInsert, batch.undoFromBlock ?? 0);
      for (const e of fresh) await deriveEvent(w, e);
      await w.flush();
      await this.putCheckpoint(trx, batch.checkpoint);
      return fresh.length;
    });
  }

  async rollback(to: Checkpoint | null, from?: Checkpoint): Promise<void> {
    await this.writeTx(async (trx) => {
      if (from) {
        const cp = await this.readCheckpoint(trx);
        if (!sameCheckpoint(cp, from)) throw new CheckpointMovedError(from, cp);
      }
      const keep = to ? to.blockNumber : -1;
      await rollbackDerived(trx, keep);
      await trx.deleteFrom("events").where("block_number", ">", keep).execute();
      await trx.deleteFrom("blocks").where("block_number", ">", keep).execute();
      for (const t of ["bundle_records", "bundle_usage"]) {
        await trx
          .deleteFrom(t)
          .where(({ exists, selectFrom }) =>
            exists(
              selectFrom("bundles as b")
                .select("b.network_id")
                .whereRef("b.network_id", "=", `${t}.network_id`)
                .whereRef("b.epoch", "=", `${t}.epoch`)
                .whereRef("b.version", "=", `${t}.version`)
                .where("b.commit_block", ">", keep),
            ),
          )
          .execute();
      }
      await trx.deleteFrom("bundles").where("commit_block", ">", keep).execute();
      if (to) {
        await this.putBlocks(trx, new Map([[to.blockNumber, { hash: to.blockHash, hasEvents: 0 }]]));
        await this.putCheckpoint(trx, to);
      } else {
        await trx.deleteFrom("sync_state").execute();
      }
    });
  }

  async prune(belowBlock: number): Promise<void> {
    await this.writeTx(async (trx) => {
      await trx.deleteFrom("undo_log").where("block_number", "<", belowBlock).execute();
      const cp = await this.readCheckpoint(trx);
      let q = trx.deleteFrom("blocks").where("block_number", "<", belowBlock).where("has_events", "=", 0);
      if (cp) q = q.where("block_number", "!=", cp.blockNumber);
      await q.execute();
    });
  }

  private async logDecoder(): Promise<LogDecoder> {
    if (!this.decoder) {
      const m = await this.meta();
      if (!m) throw new Error(`${this.location}: the store has events but no deployment recorded`);
      this.decoder = new LogDecoder({ workLedger: m.workLedger, revenueLedger: m.revenueLedger });
    }
    return this.decoder;
  }

  async events(range: BlockRange = {}): Promise<ChainEvent[]> {
    const rows = await this.db
      .selectFrom("events as e")
      .leftJoin("blocks as b", "b.block_number", "e.block_number")
      .select(["e.block_number", "e.log_index", "e.tx_hash", "e.contract", "e.sig", "e.data", "b.block_hash"])
      .where("e.block_number", ">=", range.fromBlock ?? 0)
      .where("e.block_number", "<=", range.toBlock ?? Number.MAX_SAFE_INTEGER)
      .orderBy("e.block_number")
      .orderBy("e.log_index")
      .execute();
    if (rows.length === 0) return [];
    const decoder = await this.logDecoder();
    const m = (await this.meta())!;
    const addresses = [m.workLedger, m.revenueLedger];
    return rows.map((r) => {
      const topic0 = TOPIC0.get(`${r.contract}:${r.sig}`);
      if (!topic0) throw new Error(`stored event at ${r.block_number}:${r.log_index} has an unknown topic`);
      if (r.block_hash === null) throw new Error(`stored event at ${r.block_number}:${r.log_index} has no block hash`);
      const { topics, data } = unpackLog(Buffer.from(r.data as Uint8Array));
      const e = decoder.decode({
        address: addresses[Number(r.contract)],
        topics: [topic0, ...topics],
        data,
        blockNumber: Number(r.block_number),
        blockHash: fromDb("hash", r.block_hash) as string,
        transactionHash: fromDb("hash", r.tx_hash) as string,
        index: Number(r.log_index),
      });
      if (!e) throw new Error(`stored event at ${r.block_number}:${r.log_index} does not decode`);
      return e;
    });
  }

  async eventCount(): Promise<number> {
    const r = await this.db.selectFrom("events").select((eb) => eb.fn.countAll().as("n")).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async latestEpochVersion(networkId: number, epoch: bigint | number): Promise<EpochVersionRef | undefined> {
    const r = await this.db
      .selectFrom("epochs")
      .select(["latest_version", "root", "data_hash", "usage_root", "record_count", "committed_block"])
      .where("network_id", "=", networkId)
      .where("epoch", "=", Number(epoch))
      .executeTakeFirst();
    if (!r) return undefined;
    return {
      networkId,
      epoch: BigInt(epoch),
      version: Number(r.latest_version),
      root: fromDb("hash", r.root) as string,
      dataHash: fromDb("hash", r.data_hash) as string,
      usageRoot: fromDb("hash", r.usage_root) as string,
      recordCount: BigInt(r.record_count),
      blockNumber: Number(r.committed_block),
    };
  }

  async putBundle(bundle: VerifiedBundle): Promise<void> {
    const key = { network_id: bundle.networkId, epoch: Number(bundle.epoch), version: bundle.version };
    await this.writeTx(async (trx) => {
      const v = await trx.selectFrom("epoch_versions").select("block_number").where("network_id", "=", key.network_id).where("epoch", "=", key.epoch).where("version", "=", key.version).executeTakeFirst();
      if (!v) throw new InvalidInputError(`no commit of network ${bundle.networkId} epoch ${bundle.epoch} version ${bundle.version} in the store`);
      for (const t of ["bundle_records", "bundle_usage", "bundles"]) {
        await trx.deleteFrom(t).where("network_id", "=", key.network_id).where("epoch", "=", key.epoch).where("version", "=", key.version).execute();
      }
      await trx
        .insertInto("bundles")
        .values({
          ...key,
          root: bytesOf(bundle.root),
          data_hash: bytesOf(bundle.dataHash),
          record_count: bundle.records.length,
          source: bundle.source,
          commit_block: Number(v.block_number),
        })
        .execute();
      const rows = bundle.records.map((r, i) => ({
        ...key,
        position: i,
        node_id: r.nodeId.toLowerCase(),
        record_epoch: r.epoch.toString(),
        work_units: r.workUnits.toString(),
        uptime_bps: r.uptimeBps,
        revenue: r.revenue.toString(),
        evidence: r.evidence.toLowerCase(),
      }));
      await this.bulkInsert(trx, BUNDLE_RECORDS, rows);
      const usage = (bundle.usage ?? []).map((u, i) => ({
        ...key,
        position: i,
        customer: u.customer,
        usage_epoch: u.epoch.toString(),
        work_units: u.workUnits.toString(),
        amount: u.amount.toString(),
        ref: u.ref.toLowerCase(),
      }));
      await this.bulkInsert(trx, tableDef("bundle_usage"), usage);
    });
  }

  /** A bundle's rows of `table` (records or usage) in file order, or undefined when that bundle was not imported. */
  private async bundleRows(table: string, networkId: number, epoch: bigint | number, version: number): Promise<Row[] | undefined> {
    const key = { network_id: networkId, epoch: Number(epoch), version };
    if ((await this.rows("bundles", key)).length === 0) return undefined;
    return this.rows(table, key, ["position"]);
  }

  async bundleUsage(networkId: number, epoch: bigint | number, version: number): Promise<UsageRecord[] | undefined> {
    const rows = await this.bundleRows("bundle_usage", networkId, epoch, version);
    return rows?.map((r) => ({
      customer: r.customer as string,
      epoch: BigInt(r.usage_epoch as string),
      workUnits: BigInt(r.work_units as string),
      amount: BigInt(r.amount as string),
      ref: r.ref as string,
    }));
  }

  async bundleRecords(networkId: number, epoch: bigint | number, version: number): Promise<WorkRecord[] | undefined> {
    const rows = await this.bundleRows("bundle_records", networkId, epoch, version);
    if (!rows) {
      const v = await this.db.selectFrom("epoch_versions").select("record_count").where("network_id", "=", networkId).where("epoch", "=", Number(epoch)).where("version", "=", version).executeTakeFirst();
      return v && Number(v.record_count) === 0 ? [] : undefined;
    }
    return rows.map((r) => ({
      nodeId: r.node_id as string,
      epoch: BigInt(r.record_epoch as string),
      workUnits: BigInt(r.work_units as string),
      uptimeBps: r.uptime_bps as number,
      revenue: BigInt(r.revenue as string),
      evidence: r.evidence as string,
    }));
  }

  async missingBundles(): Promise<MissingBundle[]> {
    const rows = await this.db
      .selectFrom("epochs as e")
      .leftJoin("bundles as b", (j) => j.onRef("b.network_id", "=", "e.network_id").onRef("b.epoch", "=", "e.epoch").onRef("b.version", "=", "e.latest_version"))
      .select(["e.network_id", "e.epoch", "e.latest_version"])
      .where("b.network_id", "is", null)
      .where("e.record_count", ">", 0)
      .orderBy("e.network_id")
      .orderBy("e.epoch")
      .execute();
    return rows.map((r) => ({ networkId: Number(r.network_id), epoch: BigInt(r.epoch), version: Number(r.latest_version) }));
  }

  // ------------------------------------------------------------------ query helpers

  /** Rows of `table` matching `where` (canonical values), decoded, in `orderBy` order. */
  async rows(table: string, where: Row = {}, orderBy: string[] = []): Promise<Row[]> {
    const t = tableDef(table);
    let q = this.db.selectFrom(table).selectAll();
    for (const [c, v] of Object.entries(where)) {
      const col = t.columns.find((x) => x.name === c);
      if (!col) throw new Error(`table ${table} has no column ${c}`);
      q = v === null ? q.where(c, "is", null) : q.where(c, "=", toDb(col, normalizeValue(col, v)));
    }
    for (const c of orderBy) q = q.orderBy(c);
    return (await q.execute()).map((r) => rowFromDb(t, r));
  }

  /**
   * Every epoch with its latest version's summary and stored status (pending, challenged, voided),
   * per network. With `atTimestamp` (unix seconds, e.g. a block's time) each row also gets
   * `effective_status`: a pending version whose window closed by then is `final`.
   */
  async epochSummaries(networkId?: number, atTimestamp?: number): Promise<Row[]> {
    const rows = await this.rows("epochs", networkId === undefined ? {} : { network_id: networkId }, ["network_id", "epoch"]);
    if (atTimestamp === undefined) return rows;
    return rows.map((r) => ({
      ...r,
      effective_status: r.status === "pending" && r.finalizes_at !== null && Number(r.finalizes_at) <= atTimestamp ? "final" : r.status,
    }));
  }

  /** Every version of an epoch, oldest first, and its status changes. */
  async epochHistory(networkId: number, epoch: bigint | number): Promise<{ versions: Row[]; changes: Row[] }> {
    const key = { network_id: networkId, epoch: Number(epoch) };
    return {
      versions: await this.rows("epoch_versions", key, ["version"]),
      changes: await this.rows("epoch_status_changes", key, ["block_number", "log_index"]),
    };
  }

  /** The records of an epoch's latest version (undefined if its bundle was not imported). */
  async epochRecords(networkId: number, epoch: bigint | number): Promise<WorkRecord[] | undefined> {
    const v = await this.latestEpochVersion(networkId, epoch);
    return v ? this.bundleRecords(networkId, epoch, v.version) : undefined;
  }

  /** A node's registrations and deactivations, oldest first. */
  async nodeHistory(networkId: number, nodeId: string): Promise<Row[]> {
    return this.rows("node_status", { network_id: networkId, node_id: nodeId }, ["block_number", "log_index"]);
  }

  /**
   * Entries that moved a customer's escrow or held balance, in the order posted; each row also
   * gets `debit_kind`, `debit_holder`, `credit_kind` and `credit_holder` from its account ids.
   */
  async customerEntries(customer: string, networkId?: number): Promise<Row[]> {
    const holder = bytesOf(checksum(customer));
    let acc = this.db.selectFrom("accounts").select("account_id").where("holder", "=", holder).where("kind", "in", ["escrow", "held"]);
    if (networkId !== undefined) acc = acc.where("network_id", "=", networkId);
    const ids = (await acc.execute()).map((r) => r.account_id as Buffer);
    if (ids.length === 0) return [];
    const rows = await this.db
      .selectFrom("entries")
      .selectAll()
      .where((eb) => eb.or([eb("debit_account", "in", ids), eb("credit_account", "in", ids)]))
      .orderBy("entry_id")
      .execute();
    const t = tableDef("entries");
    return rows.map((raw) => {
      const r = rowFromDb(t, raw);
      const d = decodeAccountId(r.debit_account as string);
      const c = decodeAccountId(r.credit_account as string);
      return { ...r, debit_kind: d.kind, debit_holder: d.holder, credit_kind: c.kind, credit_holder: c.holder };
    });
  }

  /**
   * A customer's charged billing statements, oldest first, each with `epochs`: the covered epochs as
   * charged (epoch, version, usage_root), and `refunds`: the refunds against it (epoch, amount).
   */
  async customerStatements(customer: string, networkId?: number): Promise<Row[]> {
    const where: Row = { customer };
    if (networkId !== undefined) where.network_id = networkId;
    const rows = await this.rows("statements", where, ["network_id", "from_epoch"]);
    const out: Row[] = [];
    for (const r of rows) {
      const key = { charge_id: r.charge_id as string };
      out.push({ ...r, epochs: await this.rows("statement_epochs", key, ["epoch"]), refunds: await this.rows("refunds", key, ["block_number", "log_index"]) });
    }
    return out;
  }

  /** Every account's balance as of the end of `blockNumber` (default: the checkpoint). */
  async balancesAt(blockNumber?: number): Promise<AccountBalance[]> {
    const at = blockNumber ?? (await this.checkpoint())?.blockNumber ?? Number.MAX_SAFE_INTEGER;
    const side = (acc: "debit" | "credit") =>
      this.db
        .selectFrom("entries")
        .select([`${acc}_account as account`, `${acc}_balance as balance`, "block_number", "log_index"])
        .where("block_number", "<=", at)
        .execute();
    const rows = [...(await side("debit")).map((r) => ({ ...r, side: 0 })), ...(await side("credit")).map((r) => ({ ...r, side: 1 }))];
    rows.sort((a, b) => Number(a.block_number) - Number(b.block_number) || Number(a.log_index) - Number(b.log_index) || a.side - b.side);
    const latest = new Map<string, { balance: string; block: number }>();
    for (const r of rows) latest.set(fromDb("hash", r.account) as string, { balance: String(r.balance), block: Number(r.block_number) });
    return [...latest.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, v]) => {
        const d = decodeAccountId(id);
        return { accountId: id, kind: d.kind, networkId: d.networkId, holder: d.holder, balance: BigInt(v.balance), blockNumber: v.block };
      });
  }

  /** One account's balance as of the end of `blockNumber`. */
  async balanceAt(accountId: string, blockNumber?: number): Promise<bigint> {
    const at = blockNumber ?? Number.MAX_SAFE_INTEGER;
    const id = bytesOf(accountId);
    const last = (acc: "debit" | "credit") =>
      this.db
        .selectFrom("entries")
        .select([`${acc}_balance as balance`, "block_number", "log_index"])
        .where(`${acc}_account`, "=", id)
        .where("block_number", "<=", at)
        .orderBy("block_number", "desc")
        .orderBy("log_index", "desc")
        .limit(1)
        .executeTakeFirst();
    const d = await last("debit");
    const c = await last("credit");
    const pick = !d ? c : !c ? d : Number(c.block_number) > Number(d.block_number) || (Number(c.block_number) === Number(d.block_number) && Number(c.log_index) >= Number(d.log_index)) ? c : d;
    return pick ? BigInt(pick.balance as string) : 0n;
  }

  /**
   * Full contents of every table, decoded, rows in a canonical order (for equality checks between
   * two syncs, also across engines). The undo log's sequence numbers depend on history, so they are
   * left out.
   */
  async dump(): Promise<Record<string, DumpRow[]>> {
    const out: Record<string, DumpRow[]> = {};
    for (const t of TABLES) {
      const rows = (await this.db.selectFrom(t.name).selectAll().execute()).map((r) => {
        const row = rowFromDb(t, r);
        const o: DumpRow = {};
        for (const c of t.columns) if (!(t.name === "undo_log" && c.name === "seq")) o[c.name] = Buffer.isBuffer(row[c.name]) ? "0x" + (row[c.name] as Buffer).toString("hex") : row[c.name];
        return o;
      });
      const names = t.columns.map((c) => c.name).filter((c) => !(t.name === "undo_log" && c === "seq"));
      rows.sort((a, b) => {
        for (const n of names) {
          const d = compareValues(a[n], b[n]);
          if (d !== 0) return d;
        }
        return 0;
      });
      out[t.name] = rows;
    }
    return out;
  }

  abstract close(): Promise<void>;
}

/** Kysely's SQLite dialect with `BEGIN IMMEDIATE` transactions: the write lock is taken up front. */
function immediateSqliteDialect(database: Database.Database) {
  const { SqliteDialect, CompiledQuery } = kysely();
  class ImmediateSqliteDialect extends SqliteDialect {
    override createDriver(): Driver {
      const driver = super.createDriver();
      driver.beginTransaction = async (connection) => {
        await connection.executeQuery(CompiledQuery.raw("begin immediate"));
      };
      return driver;
    }
  }
  return new ImmediateSqliteDialect({ database });
}

/** The embedded store: one SQLite file (or `:memory:`). */
export class SqliteStore extends SqlStore {
  readonly engine = "sqlite" as const;
  /** The better-sqlite3 connection. @internal */
  readonly sqlite: Database.Database;
  readonly file: string;
  private readonly inserts = new Map<string, Database.Statement>();

  private constructor(file: string, readOnly: boolean) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const BetterSqlite = require("better-sqlite3") as typeof import("better-sqlite3");
    const conn = new BetterSqlite(file, { timeout: 30_000, fileMustExist: readOnly });
    // A reader's connection refuses every write (SQLite's query_only), yet shares the WAL with a writer.
    if (readOnly) conn.pragma("query_only = ON");
    else if (file !== ":memory:") conn.pragma("journal_mode = WAL");
    // NORMAL is durable against a killed process (the WAL is fsynced at checkpoints); FULL adds power-loss safety.
    conn.pragma("synchronous = NORMAL");
    super(new (kysely().Kysely)({ dialect: immediateSqliteDialect(conn) }), file);
    this.sqlite = conn;
    this.file = file;
  }

  /** Open (or create) a SQLite store; `readOnly`: an existing index only, and every write refused. */
  static async open(file: string, opts: { readOnly?: boolean } = {}): Promise<SqliteStore> {
    let s: SqliteStore;
    try {
      s = new SqliteStore(file, Boolean(opts.readOnly));
    } catch (e) {
      if (opts.readOnly && (e as { code?: string }).code === "SQLITE_CANTOPEN") throw new InvalidInputError(`no database at ${file}: run \`workledger sync --db ${file}\` first`);
      throw e;
    }
    return SqlStore.ready(s, Boolean(opts.readOnly));
  }

  protected writeTx<T>(fn: (trx: AnyDb) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  protected readonly bulkInsert: BulkInsert = async (_trx, t, rows) => {
    if (rows.length === 0) return;
    let stmt = this.inserts.get(t.name);
    if (!stmt) {
      stmt = this.sqlite.prepare(`INSERT INTO ${t.name} (${t.columns.map((c) => c.name).join(", ")}) VALUES (${t.columns.map(() => "?").join(", ")})`);
      this.inserts.set(t.name, stmt);
    }
    const values = new Array<unknown>(t.columns.length);
    for (const r of rows) {
      for (let i = 0; i < t.columns.length; i++) values[i] = toDb(t.columns[i], r[t.columns[i].name]);
      stmt.run(values);
    }
  };

  async storageBytes(): Promise<number> {
    if (this.file !== ":memory:") this.sqlite.pragma("wal_checkpoint(TRUNCATE)");
    const pages = this.sqlite.pragma("page_count", { simple: true }) as number;
    const free = this.sqlite.pragma("freelist_count", { simple: true }) as number;
    return (pages - free) * (this.sqlite.pragma("page_size", { simple: true }) as number);
  }

  async close(): Promise<void> {
    if (this.sqlite.open) await this.db.destroy();
  }
}

/** Advisory lock key of the reader's writer lock (per database). */
const PG_LOCK_KEY = "7283001450914350001";

/** Options of a PostgreSQL store. */
export interface PostgresStoreOptions {
  /** Connections in the pool (default 4). */
  poolSize?: number;
  /**
   * A reader's store: an existing index only, and every write refused (SQLite's query_only; PostgreSQL
   * sessions with default_transaction_read_only). `workledger serve` opens its store this way.
   */
  readOnly?: boolean;
}

/** The shared store: a PostgreSQL database (tables in the connection's current schema). */
export class PostgresStore extends SqlStore {
  readonly engine = "postgres" as const;
  /** The node-postgres pool. @internal */
  readonly pool: Pool;

  private constructor(pool: Pool, location: string) {
    const { Kysely, PostgresDialect } = kysely();
    super(new Kysely({ dialect: new PostgresDialect({ pool }) }), location);
    this.pool = pool;
  }

  /** Connect to a `postgres://` URL and create the tables if needed. */
  static async open(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
    // Loaded only for a postgres:// store, so the embedded default never loads the client.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pg = require("pg") as typeof import("pg");
    const config: PoolConfig = {
      connectionString: url,
      max: opts.poolSize ?? 4,
      ...(opts.readOnly ? { options: "-c default_transaction_read_only=on" } : {}),
      // BIGINT columns (block numbers, ids, epochs) as JS numbers, like SQLite's INTEGER.
      types: { getTypeParser: ((oid: number, format?: "text" | "binary") => (oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format))) as never },
    };
    const pool = new pg.Pool(config);
    pool.on("error", () => undefined); // an idle connection that drops is replaced on next use
    // A connection that drops while checked out (inside a transaction, or when the server is shut down
    // between two queries) rejects its queries, which callers see; node-postgres also emits 'error' on
    // the client, which with no listener would crash the process. The pool discards such a client on release.
    pool.on("connect", (client) => client.on("error", () => undefined));
    const s = new PostgresStore(pool, redactUrl(url));
    return SqlStore.ready(s, Boolean(opts.readOnly));
  }

  protected writeTx<T>(fn: (trx: AnyDb) => Promise<T>): Promise<T> {
    const { sql } = kysely();
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${PG_LOCK_KEY}::bigint)`.execute(trx);
      return fn(trx);
    });
  }

  protected readonly bulkInsert: BulkInsert = async (trx, t, rows) => {
    const { sql } = kysely();
    const CHUNK = 20_000;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const part = rows.slice(i, i + CHUNK);
      const arrays = t.columns.map((c) => part.map((r) => toDb(c, r[c.name])));
      const cols = sql.join(t.columns.map((c) => sql.ref(c.name)));
      const unnest = sql.join(t.columns.map((c, j) => sql`${arrays[j]}::${sql.raw(pgArrayType(c.kind))}`));
      await sql`INSERT INTO ${sql.table(t.name)} (${cols}) SELECT * FROM unnest(${unnest})`.execute(trx);
    }
  };

  async storageBytes(): Promise<number> {
    const { sql } = kysely();
    const r = await sql<{ n: string }>`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::text AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname IN (${sql.join(TABLES.map((t) => t.name))})`.execute(this.db);
    return Number(r.rows[0].n);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ":***@");
  }
}

/**
 * Whether an error says the store is unreachable for now rather than wrong: the PostgreSQL server
 * restarting or the connection dropped (SQLSTATE class 08, 57P0x), or SQLite's write lock still held
 * by another process after the wait. A follower waits and tries again.
 */
export function isStoreUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, i = 0; e && i < 4; i++, e = e.cause as typeof e) {
    const code = typeof e.code === "string" ? e.code : "";
    if (/^08/.test(code) || /^57P0[1-3]$/.test(code) || code === "SQLITE_BUSY" || ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(code)) return true;
    const msg = String((e as { message?: unknown }).message ?? "");
    if (/Connection terminated|terminating connection|the database system is (starting up|shutting down)|Client has encountered a connection error/i.test(msg)) return true;
  }
  return false;
}

/** Whether `location` names a PostgreSQL database (`postgres://` or `postgresql://`). */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * Open (or create) a reader store: a `postgres://user@host:port/db` URL opens the shared
 * PostgreSQL store, anything else a SQLite file (`":memory:"`: a throwaway in-memory store).
 *
 * @example
 * const store = await openStore("workledger.sqlite"); // or "postgres://wl@127.0.0.1:5432/workledger"
 * await syncChain({ provider: "http://127.0.0.1:8545", store, addresses, fromBlock });
 * console.log(await store.epochSummaries());
 * await store.close();
 */
export async function openStore(location: string, opts: PostgresStoreOptions = {}): Promise<SqlStore> {
  if (typeof location !== "string" || location.length === 0) throw new InvalidInputError("openStore: a file path or a postgres:// URL is required");
  return isPostgresUrl(location) ? PostgresStore.open(location, opts) : SqliteStore.open(location, { readOnly: opts.readOnly });
}
