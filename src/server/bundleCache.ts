/**
 * Epoch bundles for the API, built once and kept: an LRU of EpochBundle objects bounded by their
 * total record count (default 3,000,000: a 1M-record epoch takes ~200 MB with its tree), with
 * in-flight dedupe, so concurrent first requests for one epoch build it once and every later proof
 * is a binary search plus an O(log n) walk.
 *
 * Where a bundle comes from: `--bundles DIR` (the file named by bundleFileName, read and checked by
 * readBundle, then compared with the indexed root), else the index's imported bundle_records
 * (rebuilt with buildEpoch and compared with the indexed root). A bundle whose root differs from the
 * index's is refused (BundleSourceError), never served.
 */
import fs from "fs";
import path from "path";

import type { SqlStore } from "../reader/sqlStore";
import type { EpochVersionRef } from "../reader/store";
import { buildEpoch } from "../writer/build";
import { EpochBundle, readBundle } from "../writer/bundle";
import { bundleFileName } from "../writer/publish";
import { WorkLedgerError } from "../errors";
import { BundleLoader } from "./bundleLoader";
import { PACKED, PACKED_RECORD_SIZE, writeUintBE } from "../records/codec";
import { RecordTable } from "../records/table";

/** Rows read from the index per query while rebuilding a bundle (the event loop runs between chunks). */
const INDEX_CHUNK = 5_000;

/**
 * The records of an imported bundle, read from the index straight into a packed RecordTable (file
 * order), a chunk at a time with a turn of the event loop between chunks, so a server keeps answering
 * while a million-record epoch loads. Undefined when that version's bundle was not imported.
 */
export async function recordsFromIndex(store: SqlStore, v: EpochVersionRef, chunk = INDEX_CHUNK): Promise<RecordTable | undefined> {
  const key = { network_id: v.networkId, epoch: Number(v.epoch), version: v.version };
  const b = await store.db.selectFrom("bundles").select("record_count").where("network_id", "=", key.network_id).where("epoch", "=", key.epoch).where("version", "=", key.version).executeTakeFirst();
  if (!b) return v.recordCount === 0n ? new RecordTable(1) : undefined;
  const n = Number(b.record_count);
  const table = new RecordTable(Math.max(1, n));
  const out = table.data;
  for (let from = 0; from < n; from += chunk) {
    const rows = await store.db
      .selectFrom("bundle_records")
      .select(["position", "node_id", "record_epoch", "work_units", "uptime_bps", "revenue", "evidence"])
      .where("network_id", "=", key.network_id)
      .where("epoch", "=", key.epoch)
      .where("version", "=", key.version)
      .where("position", ">=", from)
      .where("position", "<", from + chunk)
      .orderBy("position")
      .execute();
    for (const r of rows) {
      const i = Number(r.position);
      if (i < from || i >= n) throw new BundleSourceError(`the index's bundle_records of network ${v.networkId} epoch ${v.epoch} v${v.version} have position ${i} outside 0..${n - 1}`);
      const off = i * PACKED_RECORD_SIZE;
      out.set(r.node_id as Uint8Array, off + PACKED.nodeId);
      out.set(r.evidence as Uint8Array, off + PACKED.evidence);
      writeUintBE(out, off + PACKED.epoch, 8, BigInt(r.record_epoch as string));
      writeUintBE(out, off + PACKED.workUnits, 8, BigInt(r.work_units as string));
      const up = Number(r.uptime_bps);
      out[off + PACKED.uptimeBps] = (up >> 8) & 0xff;
      out[off + PACKED.uptimeBps + 1] = up & 0xff;
      writeUintBE(out, off + PACKED.revenue, 16, BigInt(r.revenue as string));
    }
    if (rows.length !== Math.min(chunk, n - from)) {
      throw new BundleSourceError(`the index holds ${rows.length} records at positions ${from}.. of network ${v.networkId} epoch ${v.epoch} v${v.version}, expected ${Math.min(chunk, n - from)}`);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  table.count = n;
  for (let i = 0; i < n; i++) table.lines[i] = i + 1;
  return table;
}

/** Default bound on the records held by the cache. */
export const DEFAULT_CACHE_RECORDS = 3_000_000;

/** No bundle could be found for an epoch version (neither in the directory nor in the index). */
export class BundleUnavailableError extends WorkLedgerError {
  override name = "BundleUnavailableError";
  constructor(message: string) {
    super(message, { code: "E_NO_BUNDLE" });
  }
}

/** A bundle was found but does not match the indexed commit. */
export class BundleSourceError extends WorkLedgerError {
  override name = "BundleSourceError";
  constructor(message: string) {
    super(message, { code: "E_BUNDLE_MISMATCH" });
  }
}

/** Options of the cache. */
export interface EpochBundleCacheOptions {
  /** Directory of bundle files (bundleFileName names); looked in first. */
  dir?: string;
  /** Most records kept in memory across cached bundles (default 3,000,000; the newest bundle is kept even if larger). */
  maxRecords?: number;
  /**
   * Bundles of at least this many records are read or rebuilt on a worker thread (default 50,000;
   * `Infinity`: never), so the server keeps answering while they load. Smaller ones load inline.
   */
  offThreadRecords?: number;
}

/** Default of {@link EpochBundleCacheOptions.offThreadRecords}. */
export const DEFAULT_OFF_THREAD_RECORDS = 50_000;

/** Where a cached bundle came from. */
export type BundleOrigin = "file" | "index";

interface Entry {
  bundle: EpochBundle;
  origin: BundleOrigin;
}

/** An LRU cache of epoch bundles keyed by (network, epoch, version), checked against the index. */
export class EpochBundleCache {
  private readonly entries = new Map<string, Entry>(); // insertion order = recency
  private readonly inFlight = new Map<string, Promise<Entry>>();
  private records = 0;
  readonly dir?: string;
  readonly maxRecords: number;
  readonly offThreadRecords: number;
  /** Bundles built or read so far (cache misses that completed). */
  loads = 0;
  /** Bundles read or built on the worker thread (one refused for its root included). */
  offThreadLoads = 0;
  private loader?: BundleLoader;

  constructor(
    private readonly store: SqlStore,
    opts: EpochBundleCacheOptions = {},
  ) {
    this.dir = opts.dir;
    this.maxRecords = opts.maxRecords ?? DEFAULT_CACHE_RECORDS;
    this.offThreadRecords = opts.offThreadRecords ?? DEFAULT_OFF_THREAD_RECORDS;
  }

  /** The worker-thread loader (started on first use). */
  private worker(): BundleLoader {
    this.loader ??= new BundleLoader((e) => (e.name === "BundleSourceError" ? new BundleSourceError(e.message) : undefined));
    return this.loader;
  }

  /** Start the loading thread now, so the first large epoch does not wait for it to load its modules. */
  startWorker(): void {
    if (this.offThreadRecords !== Infinity) this.worker().start();
  }

  /** Stop the loading thread (the cache can still load: a new thread starts on demand). */
  async close(): Promise<void> {
    const l = this.loader;
    this.loader = undefined;
    await l?.close();
  }

  /** Records currently held. */
  get heldRecords(): number {
    return this.records;
  }

  /** Number of bundles held. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The bundle of the version `v` (as the index has it), from the cache or loaded once.
   * @throws BundleUnavailableError when neither the directory nor the index has it
   * @throws BundleSourceError when the bundle found does not match the indexed root
   */
  async get(v: EpochVersionRef): Promise<{ bundle: EpochBundle; origin: BundleOrigin }> {
    const key = `${v.networkId}:${v.epoch}:${v.version}`;
    const hit = this.entries.get(key);
    if (hit && hit.bundle.root === v.root.toLowerCase()) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.load(v).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    const e = await p;
    if (!this.entries.has(key)) this.put(key, e);
    return e;
  }

  private put(key: string, e: Entry): void {
    const old = this.entries.get(key);
    if (old) this.records -= old.bundle.recordCount;
    this.entries.set(key, e);
    this.records += e.bundle.recordCount;
    for (const [k, x] of this.entries) {
      if (this.records <= this.maxRecords || k === key) break;
      this.entries.delete(k);
      this.records -= x.bundle.recordCount;
    }
  }

  private async load(v: EpochVersionRef): Promise<Entry> {
    const where = `network ${v.networkId} epoch ${v.epoch} v${v.version}`;
    const root = v.root.toLowerCase();
    const offThread = Number(v.recordCount) >= this.offThreadRecords;
    if (this.dir) {
      const file = path.join(this.dir, bundleFileName(v.networkId, v.epoch, v.version));
      if (fs.existsSync(file)) {
        const bundle = offThread ? await this.worker().readBundle(file) : await readBundle(file);
        if (offThread) this.offThreadLoads++;
        if (bundle.root !== root) throw new BundleSourceError(`bundle ${file} has root ${bundle.root} but the index has ${root} for ${where}`);
        this.loads++;
        return { bundle, origin: "file" };
      }
    }
    const table = await recordsFromIndex(this.store, v);
    if (!table) {
      throw new BundleUnavailableError(
        `no bundle for ${where}: ${this.dir ? `no ${bundleFileName(v.networkId, v.epoch, v.version)} in ${this.dir} and ` : ""}none imported into the index (sync --bundles DIR)`,
      );
    }
    const usage = await this.store.bundleUsage(v.networkId, v.epoch, v.version);
    const epochUsage = usage && usage.length > 0 ? usage : null;
    const bundle = offThread
      ? await this.worker().buildBundle(table, { epoch: BigInt(v.epoch), networkId: BigInt(v.networkId), usage: epochUsage })
      : (await buildEpoch(table, { epoch: v.epoch, networkId: v.networkId, usage: epochUsage })).bundle;
    if (offThread) this.offThreadLoads++;
    if (bundle.root !== root) throw new BundleSourceError(`the index's records of ${where} give root ${bundle.root}, but the commit has ${root}`);
    this.loads++;
    return { bundle, origin: "index" };
  }

  /** Forget every bundle. */
  clear(): void {
    this.entries.clear();
    this.records = 0;
  }
}
