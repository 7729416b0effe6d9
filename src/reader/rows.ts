/**
 * Row primitives for the derived tables inside one write transaction, over either engine: a unit of
 * work. Rows read, inserted and updated while deriving a batch of events stay in memory (so a batch
 * of 10,000 deposits touches each account row once) and are written at `flush()`: new rows with the
 * engine's bulk insert, changed rows with one UPDATE each, undo records in bulk. Before a row is
 * changed at a block inside the reorg window, its old state goes to the undo log; `rollbackDerived`
 * replays those records newest first and deletes the rows created above the fork block.
 */
import type { Kysely } from "kysely";

import { Row, normalizeValue, rowFromDb, rowFromJson, rowToJson, toDb } from "./codec";
import { ColumnDef, TableDef, derivedTables, tableDef } from "./schema";

export type { Row };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDb = Kysely<any>;

/** Writes canonical rows of one table in bulk (the engine's fastest way), inside the transaction. */
export type BulkInsert = (trx: AnyDb, t: TableDef, rows: Row[]) => Promise<void>;

interface Cached {
  row: Row | null;
  state: "new" | "clean" | "dirty";
}

function column(t: TableDef, name: string): ColumnDef {
  const c = t.columns.find((x) => x.name === name);
  if (!c) throw new Error(`table ${t.name} has no column ${name}`);
  return c;
}

/** `WHERE pk = ...` on a query builder, values encoded for the engine. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function wherePk<Q extends { where: (...a: any[]) => Q }>(q: Q, t: TableDef, row: Row): Q {
  for (const k of t.primaryKey) q = q.where(k, "=", toDb(column(t, k), row[k]));
  return q;
}

export class RowWriter {
  private readonly cache = new Map<string, Map<string, Cached>>();
  private readonly fresh = new Map<string, Row[]>();
  private undo: Row[] = [];
  private nextEntry: number | undefined;
  private nextSeq: number | undefined;

  constructor(
    private readonly trx: AnyDb,
    private readonly bulk: BulkInsert,
    /** Changes in blocks below this are not recorded in the undo log (they cannot be rolled back). */
    readonly undoFromBlock: number,
  ) {}

  private keyOf(t: TableDef, row: Row): string {
    return t.primaryKey
      .map((k) => {
        const v = row[k];
        if (v === undefined) throw new Error(`${t.name}: missing key column ${k}`);
        return String(normalizeValue(column(t, k), v));
      })
      .join("|");
  }

  private tableCache(name: string): Map<string, Cached> {
    let m = this.cache.get(name);
    if (!m) {
      m = new Map();
      this.cache.set(name, m);
    }
    return m;
  }

  /** The next journal entry id (1, 2, ... in the order posted). */
  async nextEntryId(): Promise<number> {
    if (this.nextEntry === undefined) {
      const r = await this.trx.selectFrom("entries").select((eb) => eb.fn.max("entry_id").as("n")).executeTakeFirst();
      this.nextEntry = Number(r?.n ?? 0) + 1;
    }
    return this.nextEntry++;
  }

  /** The row with this primary key, or undefined. */
  async get(table: string, key: Row): Promise<Row | undefined> {
    const t = tableDef(table);
    const k = this.keyOf(t, key);
    const m = this.tableCache(table);
    const hit = m.get(k);
    if (hit) return hit.row ?? undefined;
    const raw = await wherePk(this.trx.selectFrom(table).selectAll(), t, normalizeKey(t, key)).executeTakeFirst();
    const row = raw ? rowFromDb(t, raw) : null;
    m.set(k, { row, state: "clean" });
    return row ?? undefined;
  }

  /** Insert a full row (every column of the table, in any order). */
  insert(table: string, row: Row): void {
    const t = tableDef(table);
    const out: Row = {};
    for (const c of t.columns) {
      const v = row[c.name];
      if (v === undefined) throw new Error(`insert into ${table}: missing column ${c.name}`);
      out[c.name] = normalizeValue(c, v);
    }
    const k = this.keyOf(t, out);
    const m = this.tableCache(table);
    if (m.get(k)?.row) throw new Error(`insert into ${table}: duplicate key ${k}`);
    m.set(k, { row: out, state: "new" });
    let list = this.fresh.get(table);
    if (!list) this.fresh.set(table, (list = []));
    list.push(out);
  }

  /**
   * Change some columns of the row with this primary key, saving the old row to the undo log under
   * `blockNumber` first (unless the block is below `undoFromBlock`). Returns false (and changes
   * nothing) when there is no such row.
   */
  async update(table: string, key: Row, changes: Row, blockNumber: number): Promise<boolean> {
    const t = tableDef(table);
    const row = await this.get(table, key);
    if (!row) return false;
    if (blockNumber >= this.undoFromBlock) this.undo.push({ block_number: blockNumber, tbl: table, old: rowToJson(t, row) });
    for (const [c, v] of Object.entries(changes)) row[c] = normalizeValue(column(t, c), v);
    const entry = this.tableCache(table).get(this.keyOf(t, key))!;
    if (entry.state === "clean") entry.state = "dirty";
    return true;
  }

  /** The first row matching `where` in `orderBy` order (flushes pending writes first). */
  async first(table: string, where: Row, orderBy: [string, "asc" | "desc"][]): Promise<Row | undefined> {
    await this.flush();
    const t = tableDef(table);
    let q = this.trx.selectFrom(table).selectAll();
    for (const [c, v] of Object.entries(where)) q = q.where(c, "=", toDb(column(t, c), normalizeValue(column(t, c), v)));
    for (const [c, dir] of orderBy) q = q.orderBy(c, dir);
    const raw = await q.limit(1).executeTakeFirst();
    if (!raw) return undefined;
    const row = rowFromDb(t, raw);
    const m = this.tableCache(table);
    const k = this.keyOf(t, row);
    const hit = m.get(k);
    if (hit?.row) return hit.row;
    m.set(k, { row, state: "clean" });
    return row;
  }

  /** Write every pending insert, change and undo record. */
  async flush(): Promise<void> {
    for (const [table, rows] of this.fresh) {
      if (rows.length > 0) await this.bulk(this.trx, tableDef(table), rows);
    }
    this.fresh.clear();
    for (const [table, m] of this.cache) {
      const t = tableDef(table);
      for (const c of m.values()) {
        if (c.state === "dirty" && c.row) {
          const set: Row = {};
          for (const col of t.columns) if (!t.primaryKey.includes(col.name)) set[col.name] = toDb(col, c.row[col.name]);
          await wherePk(this.trx.updateTable(table).set(set), t, c.row).execute();
        }
        c.state = "clean";
      }
    }
    if (this.undo.length > 0) {
      if (this.nextSeq === undefined) {
        const r = await this.trx.selectFrom("undo_log").select((eb) => eb.fn.max("seq").as("n")).executeTakeFirst();
        this.nextSeq = Number(r?.n ?? 0) + 1;
      }
      for (const u of this.undo) u.seq = this.nextSeq++;
      await this.bulk(this.trx, tableDef("undo_log"), this.undo);
      this.undo = [];
    }
  }
}

function normalizeKey(t: TableDef, key: Row): Row {
  const out: Row = {};
  for (const k of t.primaryKey) out[k] = normalizeValue(column(t, k), key[k]);
  return out;
}

/**
 * Undo everything above `blockNumber` in the derived tables: restore changed rows from the undo
 * log (newest first), then delete rows created above the block.
 */
export async function rollbackDerived(trx: AnyDb, blockNumber: number): Promise<void> {
  const undo = await trx.selectFrom("undo_log").select(["seq", "tbl", "old"]).where("block_number", ">", blockNumber).orderBy("seq", "desc").execute();
  for (const u of undo as { tbl: string; old: string }[]) {
    const t = tableDef(u.tbl);
    const row = rowFromJson(t, u.old);
    const values: Row = {};
    for (const c of t.columns) values[c.name] = toDb(c, row[c.name]);
    const set: Row = {};
    for (const c of t.columns) if (!t.primaryKey.includes(c.name)) set[c.name] = values[c.name];
    await trx
      .insertInto(u.tbl)
      .values(values)
      .onConflict((oc) => oc.columns(t.primaryKey).doUpdateSet(set))
      .execute();
  }
  await trx.deleteFrom("undo_log").where("block_number", ">", blockNumber).execute();
  for (const t of derivedTables()) await trx.deleteFrom(t.name).where("block_number", ">", blockNumber).execute();
}
