/**
 * The engines the reader tests run against, and fresh stores for each: SQLite (in memory, or a file
 * in a temp dir) and PostgreSQL (a new database on the real test server, see postgres.ts).
 */
import fs from "fs";
import os from "os";
import path from "path";

import { SqlStore, openStore } from "../../src/reader";
import { PostgresServer, acquirePostgres, releasePostgres } from "./postgres";

export const ENGINES = ["sqlite", "postgres"] as const;
export type EngineName = (typeof ENGINES)[number];

export class TestStores {
  private pg: PostgresServer | undefined;
  private tmp: string | undefined;
  private n = 0;
  private readonly open_: SqlStore[] = [];

  /** Start (or join) the PostgreSQL test server. */
  async setup(): Promise<void> {
    this.pg = await acquirePostgres();
    this.tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reader-stores-"));
  }

  async teardown(): Promise<void> {
    for (const s of this.open_) await s.close().catch(() => undefined);
    if (this.pg) await releasePostgres();
    this.pg = undefined;
    if (this.tmp) fs.rmSync(this.tmp, { recursive: true, force: true });
  }

  /** Where a new, empty store of `engine` lives: a SQLite file (or `:memory:`) or a postgres:// URL. */
  async location(engine: EngineName, opts: { file?: boolean } = {}): Promise<string> {
    if (engine === "postgres") return this.pg!.createDatabase("reader");
    return opts.file ? path.join(this.tmp!, `store-${++this.n}.sqlite`) : ":memory:";
  }

  /** A new, empty store (closed by teardown unless closed before). */
  async open(engine: EngineName, opts: { file?: boolean } = {}): Promise<SqlStore> {
    const s = await openStore(await this.location(engine, opts));
    this.open_.push(s);
    return s;
  }
}
