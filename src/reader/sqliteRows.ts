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

  /** Insert a full row (every column of the table, in any order). */
  insert(table: string, row: Row): void {
    const def = tableDef(table);
    const cols = def.columns.map(([c]) => c);
    const sql = `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map((c) => "@" + c).join(", ")})`;
    const params: Row = {};
    for (const c of cols) {
      if (!(c in row)) throw new Error(`insert into ${table}: missing column ${c}`);
      params[c] = row[c];
    }
    this.stmt(sql).run(params);
  }

  /** The row with this primary key, or undefined. */
  get(table: string, key: Row): Row | undefined {
    const def = tableDef(table);
    const where = def.primaryKey.map((c) => `${c} = @${c}`).join(" AND ");
    return this.stmt(`SELECT * FROM ${table} WHERE ${where}`).get(pick(key, def.primaryKey)) as Row | undefined;
  }

  /**
   * Change some columns of the row with this primary key, saving the old row to the undo log under
   * `blockNumber` first. Returns false (and changes nothing) when there is no such row.
   */
  update(table: string, key: Row, changes: Row, blockNumber: number): boolean {
    const def = tableDef(table);
    const keyParams = pick(key, def.primaryKey);
    const where = def.primaryKey.map((c) => `${c} = @${c}`).join(" AND ");
    const json = def.columns.map(([c]) => `'${c}', ${c}`).join(", ");
    const saved = this.stmt(
      `INSERT INTO undo_log (block_number, tbl, old) SELECT @__block, '${table}', json_object(${json}) FROM ${table} WHERE ${where}`,
    ).run({ ...keyParams, __block: blockNumber });
    if (saved.changes === 0) return false;
    const cols = Object.keys(changes);
    const set = cols.map((c) => `${c} = @__set_${c}`).join(", ");
    const params: Row = { ...keyParams };
    for (const c of cols) params[`__set_${c}`] = changes[c];
    this.stmt(`UPDATE ${table} SET ${set} WHERE ${where}`).run(params);
    return true;
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

function pick(row: Row, cols: string[]): Row {
  const out: Row = {};
  for (const c of cols) {
    if (!(c in row)) throw new Error(`missing key column ${c}`);
    out[c] = row[c];
  }
  return out;
}
