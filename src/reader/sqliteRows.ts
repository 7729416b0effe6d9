/**
 * Row primitives over better-sqlite3 for the derived tables: insert, read, and update with an undo
 * record (the whole old row as JSON, written by SQLite itself so integers stay exact), plus the
 * rollback that replays the undo records. Statements are prepared once and cached.
 */
import type Database from "better-sqlite3";

import { TABLES, TableDef, tableDef } from "./sqliteSchema";

export type Row = Record<string, unknown>;

export class RowWriter {
  private readonly cache = new Map<string, Database.Statement>();
  private readonly tables = new Map<string, TableStatements>();
  /** Changes in blocks below this are not recorded in the undo log (they cannot be rolled back). */
  undoFromBlock = 0;
  private nextEntry: number | undefined;

  /** Reset per-transaction caches (call at the start of every write transaction). */
  begin(undoFromBlock: number): void {
    this.undoFromBlock = undoFromBlock;
    this.nextEntry = undefined;
  }

  /** The next journal entry id (1, 2, ... in the order posted). */
  nextEntryId(): number {
    if (this.nextEntry === undefined) {
      this.nextEntry = (this.stmt(`SELECT COALESCE(MAX(entry_id), 0) AS n FROM entries`).get() as { n: number }).n + 1;
    }
    return this.nextEntry++;
  }

  constructor(private readonly db: Database.Database) {}

  /** A cached prepared statement. */
  stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  private tableStmts(table: string): TableStatements {
    let t = this.tables.get(table);
    if (!t) {
      const def = tableDef(table);
      const cols = def.columns.map(([c]) => c);
      const where = def.primaryKey.map((c) => `${c} = ?`).join(" AND ");
      const json = cols.map((c) => `'${c}', ${c}`).join(", ");
      t = {
        cols,
        pk: def.primaryKey,
        insert: this.db.prepare(`INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`),
        get: this.db.prepare(`SELECT * FROM ${table} WHERE ${where}`),
        undo: this.db.prepare(`INSERT INTO undo_log (block_number, tbl, old) SELECT ?, '${table}', json_object(${json}) FROM ${table} WHERE ${where}`),
        where,
        updates: new Map(),
      };
      this.tables.set(table, t);
    }
    return t;
  }

  /** Insert a full row (every column of the table, in any order). */
  insert(table: string, row: Row): void {
    const t = this.tableStmts(table);
    const values = new Array<unknown>(t.cols.length);
    for (let i = 0; i < t.cols.length; i++) {
      const v = row[t.cols[i]];
      if (v === undefined) throw new Error(`insert into ${table}: missing column ${t.cols[i]}`);
      values[i] = v;
    }
    t.insert.run(values);
  }

  /** The row with this primary key, or undefined. */
  get(table: string, key: Row): Row | undefined {
    const t = this.tableStmts(table);
    return t.get.get(keyValues(t, key)) as Row | undefined;
  }

  /**
   * Change some columns of the row with this primary key, saving the old row to the undo log under
   * `blockNumber` first (unless the block is below `undoFromBlock`). Returns false (and changes
   * nothing) when there is no such row.
   */
  update(table: string, key: Row, changes: Row, blockNumber: number): boolean {
    const t = this.tableStmts(table);
    const keys = keyValues(t, key);
    if (blockNumber >= this.undoFromBlock) {
      if (t.undo.run(blockNumber, ...keys).changes === 0) return false;
    }
    const cols = Object.keys(changes);
    const sig = cols.join(",");
    let upd = t.updates.get(sig);
    if (!upd) {
      upd = this.db.prepare(`UPDATE ${table} SET ${cols.map((c) => `${c} = ?`).join(", ")} WHERE ${t.where}`);
      t.updates.set(sig, upd);
    }
    return upd.run(...cols.map((c) => changes[c]), ...keys).changes > 0;
  }

  /**
   * Undo everything above `blockNumber` in the derived tables: restore changed rows from the undo
   * log (newest first), then delete rows created above the block.
   */
  rollbackDerived(blockNumber: number): void {
    const undo = this.stmt(`SELECT seq, tbl FROM undo_log WHERE block_number > ? ORDER BY seq DESC`).all(blockNumber) as { seq: number; tbl: string }[];
    for (const u of undo) {
      const def = tableDef(u.tbl);
      const cols = def.columns.map(([c]) => c);
      const extract = cols.map((c) => `json_extract(old, '$.${c}')`).join(", ");
      this.stmt(`INSERT OR REPLACE INTO ${u.tbl} (${cols.join(", ")}) SELECT ${extract} FROM undo_log WHERE seq = ?`).run(u.seq);
    }
    this.stmt(`DELETE FROM undo_log WHERE block_number > ?`).run(blockNumber);
    for (const t of derivedTables()) this.stmt(`DELETE FROM ${t.name} WHERE block_number > ?`).run(blockNumber);
  }
}

export function derivedTables(): TableDef[] {
  return TABLES.filter((t) => t.derived);
}

interface TableStatements {
  cols: string[];
  pk: string[];
  insert: Database.Statement;
  get: Database.Statement;
  undo: Database.Statement;
  where: string;
  updates: Map<string, Database.Statement>;
}

function keyValues(t: TableStatements, key: Row): unknown[] {
  return t.pk.map((c) => {
    const v = key[c];
    if (v === undefined) throw new Error(`missing key column ${c}`);
    return v;
  });
}
