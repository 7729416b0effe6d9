/**
 * A real PostgreSQL server for tests, started from Debian's `postgresql` package binaries in a
 * temporary directory on a free loopback port, and stopped after. As root it runs as the `postgres`
 * user (PostgreSQL refuses to run as root). Missing binaries fail loudly: nothing is skipped.
 * One server per process, shared by the files that use it (reference counted); each caller gets
 * fresh databases from `createDatabase()`.
 */
import { execFileSync, spawnSync } from "child_process";
import fs from "fs";
import os from "os";
import path from "path";

import { freePort } from "./node";

export interface PostgresServer {
  /** postgres://wl@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dir: string;
  /** A new empty database; returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stop the server (fast: connections are cut), wait `downMs`, start it again. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Where Debian puts the server binaries (PG_BIN overrides). */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((v) => fs.existsSync(path.join(base, v, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (install Debian's `postgresql` package, as .ci/run does, or set PG_BIN)");
  }
  return path.join(base, versions[0], "bin");
}

function asServerUser(bin: string, args: string[], opts: { timeout?: number } = {}): string {
  const root = process.getuid?.() === 0;
  const cmd = root ? "runuser" : bin;
  const argv = root ? ["-u", "postgres", "--", bin, ...args] : args;
  const r = spawnSync(cmd, argv, { encoding: "utf8", timeout: opts.timeout ?? 60_000 });
  if (r.status !== 0) throw new Error(`${path.basename(bin)} ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

let shared: { server: PostgresServer; refs: number } | undefined;
let counter = 0;

/**
 * Start a server of its own (not the shared one). `durable` keeps PostgreSQL's default fsync and
 * synchronous commit (benchmarks); without it they are off (tests throw the server away).
 */
export async function startPostgres(opts: { durable?: boolean } = {}): Promise<PostgresServer> {
  return start(opts.durable ?? false);
}

async function start(durable = false): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-pg-"));
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres", dir]);
  const data = path.join(dir, "data");
  asServerUser(path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "wl", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const port = await freePort();
  // Tests turn durability off: a test server is thrown away (crash tests kill the client, not the server).
  const serverOpts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1` + (durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
  asServerUser(path.join(bin, "pg_ctl"), ["-D", data, "-o", serverOpts, "-l", path.join(dir, "log"), "-w", "-t", "60", "start"], { timeout: 90_000 });
  const url = `postgres://wl@127.0.0.1:${port}/postgres`;
  const startArgs = ["-D", data, "-o", serverOpts, "-l", path.join(dir, "log"), "-w", "-t", "60", "start"];
  const stop = async () => {
    try {
      asServerUser(path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  // A test run that dies without `after` hooks still stops its server.
  const onExit = () => {
    if (fs.existsSync(data)) spawnSync(process.getuid?.() === 0 ? "runuser" : path.join(bin, "pg_ctl"), process.getuid?.() === 0 ? ["-u", "postgres", "--", path.join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop"] : ["-D", data, "-m", "immediate", "stop"]);
  };
  process.once("exit", onExit);
  return {
    url,
    port,
    dir,
    async createDatabase(prefix = "t") {
      const name = `${prefix}_${process.pid}_${++counter}`;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pg = require("pg") as typeof import("pg");
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://wl@127.0.0.1:${port}/${name}`;
    },
    async restart(downMs = 500) {
      asServerUser(path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"]);
      await new Promise((r) => setTimeout(r, downMs));
      asServerUser(path.join(bin, "pg_ctl"), startArgs, { timeout: 90_000 });
    },
    async stop() {
      process.removeListener("exit", onExit);
      await stop();
    },
  };
}

/** The shared test server (started on first use); call `releasePostgres()` once per acquire. */
export async function acquirePostgres(): Promise<PostgresServer> {
  if (!shared) shared = { server: await start(), refs: 0 };
  shared.refs++;
  return shared.server;
}

export async function releasePostgres(): Promise<void> {
  if (!shared) return;
  if (--shared.refs > 0) return;
  const s = shared.server;
  shared = undefined;
  await s.stop();
}

/**
 * A role that may only read the tables of database `url` (the README's reader role for `report` and
 * `serve`): created with LOGIN and SELECT on every table of schema `public` as it is now, so create
 * the tables first (a first sync). Role names are server-wide: make `role` unique (e.g. with the pid).
 * Returns `url` connecting as that role.
 */
export async function readOnlyRole(url: string, role: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`readOnlyRole: "${role}" is not a plain lower-case role name`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pg = require("pg") as typeof import("pg");
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${role} LOGIN`);
    await admin.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.username = role;
  u.password = "";
  return u.toString();
}
