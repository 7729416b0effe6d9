/**
 * Large epoch bundles loaded on a worker thread, so `serve` keeps answering (/healthz, proofs of
 * cached epochs) while a million-record epoch is read and its tree rebuilt: on the main thread that
 * takes one to two seconds of blocked event loop. One worker, started on first use (or by
 * {@link BundleLoader.start}), runs one job at a time; it does not keep the process alive. The
 * results are the same EpochBundle objects readBundle and buildEpoch give (the cache test compares
 * them); errors keep their name, code and message.
 */
import path from "path";
import { Worker } from "worker_threads";

import { InvalidInputError, WorkLedgerError } from "../errors";
import { RecordTable } from "../records/table";
import type { EpochSummary } from "../records/types";
import type { UsageRecord } from "../records/usage";
import { buildUsage } from "../records/usageTree";
import { EpochBundle } from "../writer/bundle";

/** A job for the worker. @internal */
export type BundleJob =
  | { op: "file"; file: string }
  | { op: "records"; data: Uint8Array; count: number; epoch: bigint; networkId: bigint; usage: UsageRecord[] | null };

/** What the worker sends back: an EpochBundle's parts. @internal */
export interface BuiltParts {
  epoch: bigint;
  summary: EpochSummary;
  count: number;
  data: Uint8Array;
  lines: Uint32Array;
  nodes: Uint8Array;
  networkId?: bigint;
  usageLeaves: UsageRecord[] | null;
}

/** The worker's answer to one job. @internal */
export type BundleJobReply = { parts: BuiltParts; error?: undefined } | { parts?: undefined; error: { name: string; message: string; details?: string; code?: string } };

/** The worker's entry: the compiled .js next to this module, or the .ts source under ts-node (tests, benchmarks). */
function spawnWorker(): Worker {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `bundleWorker${ext}`);
  if (ext === ".ts") {
    return new Worker(`require("ts-node").register({ transpileOnly: true }); require(${JSON.stringify(entry)});`, { eval: true });
  }
  return new Worker(entry);
}

/** Rebuilds an error the worker reported, keeping its class where the server maps it (InvalidInputError, WorkLedgerError). */
function errorOf(e: { name: string; message: string; details?: string; code?: string }, rebuild?: (e: { name: string; message: string }) => Error | undefined): Error {
  const own = rebuild?.(e);
  if (own) return own;
  if (e.name === "InvalidInputError" || e.name === "RecordsError") {
    const err = new InvalidInputError(e.message, { details: e.details, code: e.code });
    err.name = e.name;
    return err;
  }
  if (e.code) {
    const err = new WorkLedgerError(e.message, { details: e.details, code: e.code });
    err.name = e.name;
    return err;
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}

/** Loads bundles on one worker thread, a job at a time. */
export class BundleLoader {
  private worker?: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: BundleJobReply) => void; reject: (e: unknown) => void }>();
  private queue: Promise<unknown> = Promise.resolve();
  /** Jobs the worker completed (with a bundle or an error). */
  jobs = 0;

  /** @param rebuild maps a reported error back to a caller's own class (e.g. BundleSourceError by name) */
  constructor(private readonly rebuild?: (e: { name: string; message: string }) => Error | undefined) {}

  /** Start the worker now (it loads its modules), so the first large request does not wait for that. */
  start(): void {
    this.ensure();
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = spawnWorker();
    w.unref();
    w.on("message", (m: BundleJobReply & { id: number }) => {
      const p = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      this.jobs++;
      p?.resolve(m);
    });
    const fail = (e: unknown) => {
      if (this.worker === w) this.worker = undefined; // the next job starts a new one
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`the bundle worker exited (code ${code})`)));
    this.worker = w;
    return w;
  }

  private send(job: BundleJob): Promise<EpochBundle> {
    const run = async (): Promise<EpochBundle> => {
      const w = this.ensure();
      const id = this.nextId++;
      const reply = await new Promise<BundleJobReply>((resolve, reject) => {
        this.waiting.set(id, { resolve, reject });
        w.postMessage({ ...job, id });
      });
      if (reply.error) throw errorOf(reply.error, this.rebuild);
      const p = reply.parts;
      const table = new RecordTable(0, p.data, p.lines, p.count);
      const usage = p.usageLeaves && p.usageLeaves.length > 0 ? buildUsage(p.usageLeaves, { epoch: p.epoch }) : null;
      if ((usage?.root ?? p.summary.usageRoot) !== p.summary.usageRoot) throw new Error(`usage leaves from the bundle worker give root ${usage?.root}, not ${p.summary.usageRoot}`);
      return new EpochBundle(p.epoch, p.summary, table, p.nodes, p.networkId, usage);
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** readBundle(file) on the worker. */
  readBundle(file: string): Promise<EpochBundle> {
    return this.send({ op: "file", file });
  }

  /** buildEpoch(table, { epoch, networkId, usage }).bundle on the worker; the table's rows are shared, not copied, when they live in a SharedArrayBuffer. */
  buildBundle(table: RecordTable, o: { epoch: bigint; networkId: bigint; usage: UsageRecord[] | null }): Promise<EpochBundle> {
    return this.send({ op: "records", data: table.data, count: table.count, ...o });
  }

  /** Stop the worker (pending jobs are refused). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}

