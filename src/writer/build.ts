/**
 * buildEpoch: records -> epoch summary (root, totals, dataHash) and epoch bundle.
 */
import { InvalidInputError, RecordsError } from "../errors";
import { canonicalDataHash } from "../records/canonical";
import { PACKED, PACKED_RECORD_SIZE, readUintBE } from "../records/codec";
import { ReadRecordsOptions, readRecordsFile } from "../records/parse";
import { RecordSink, findDuplicateNodeIds } from "../records/sink";
import { RecordTable } from "../records/table";
import { EpochSummary, NO_USAGE, WorkRecord } from "../records/types";
import { ParseUsageOptions, UsageRecordInput, readUsageFile } from "../records/usage";
import { UsageBuild, UsageRevenueComparison, buildUsage, compareUsageToRevenue } from "../records/usageTree";
import { EpochBundle } from "./bundle";
import { computeTotals } from "./totals";
import { HashWorker, startHashWorker } from "../merkle/pool";
import { LeafPrehasher } from "../merkle/prehash";
import { buildRecordTree, treeRoot } from "../merkle/tree";

export interface BuildEpochOptions {
  /** The epoch being built; every record must carry it. */
  epoch: bigint | number;
  /** The network (kept in the bundle header). */
  networkId?: bigint | number;
  /** Use a second thread for large epochs (default true). */
  parallel?: boolean;
  /** A running hashing worker to use (not closed here). */
  worker?: HashWorker | null;
  /** Record count from which the second thread is used (default 20,000). */
  parallelThreshold?: number;
  /**
   * The epoch's usage records (one per customer): objects, their JSON form, or an already built
   * usage tree. Validated like a usage file (every row must carry `epoch`). Absent: no usage, and
   * the summary's usage words are zero.
   */
  usage?: readonly UsageRecordInput[] | UsageBuild | null;
}

export interface BuiltEpoch {
  /** The summary verifiers sign: work words and usage words. */
  summary: EpochSummary;
  bundle: EpochBundle;
  /** The usage tree and its leaves (customer order), or null for an epoch without usage. */
  usage: UsageBuild | null;
  /** Σ usage against Σ node revenue (null without usage); `message` is the warning when they differ. */
  usageRevenue: UsageRevenueComparison | null;
}

/** Options of {@link buildEpochFromFile}: those of buildEpoch plus the files' formats and a usage file. */
export interface BuildEpochFromFileOptions extends BuildEpochOptions, Pick<ReadRecordsOptions, "format"> {
  /** A usage file (CSV `customer,epoch,workUnits,amount,ref`, JSON or NDJSON); read only when `usage` is not given. */
  usageFile?: string;
  /** Format of the usage file (default: from its extension). */
  usageFormat?: ParseUsageOptions["format"];
}

function isUsageBuild(u: BuildEpochOptions["usage"]): u is UsageBuild {
  return !!u && !Array.isArray(u) && typeof (u as UsageBuild).root === "string" && "tree" in (u as object);
}

/**
 * The usage words of an epoch: builds (and validates, every row must carry `epoch`) the usage tree
 * of `usage`, or returns null for none. A prebuilt tree is checked for the epoch too.
 */
export function epochUsage(usage: BuildEpochOptions["usage"], epoch: bigint): UsageBuild | null {
  if (usage === undefined || usage === null) return null;
  if (isUsageBuild(usage)) {
    const i = usage.leaves.findIndex((l) => l.epoch !== epoch);
    if (i >= 0) throw new RecordsError([{ line: i + 1, column: "epoch", reason: `epoch mismatch: expected ${epoch}, got ${usage.leaves[i].epoch}` }]);
    return usage;
  }
  return buildUsage(usage, { epoch });
}

function usageWords(u: UsageBuild | null): Pick<EpochSummary, "usageRoot" | "usageCount" | "totalUsage"> {
  return u ? { usageRoot: u.root, usageCount: u.usageCount, totalUsage: u.totalUsage } : { ...NO_USAGE };
}

/** Validates record objects (same rules and messages as the file readers; line = index + 1). */
export function tableFromRecords(records: readonly WorkRecord[], epoch?: bigint | number): RecordTable {
  const sink = new RecordSink({ epoch });
  const starts = new Int32Array(6);
  const ends = new Int32Array(6);
  records.forEach((r, i) => {
    const parts = [r.nodeId, String(r.epoch), String(r.workUnits), String(r.uptimeBps), String(r.revenue), r.evidence].map((v) => Buffer.from(typeof v === "string" ? v : String(v), "utf8"));
    let at = 0;
    parts.forEach((p, c) => {
      starts[c] = at;
      at += p.length;
      ends[c] = at;
    });
    const buf = Buffer.concat(parts);
    sink.row(i + 1, [buf, buf, buf, buf, buf, buf], starts, ends);
  });
  return sink.finish();
}

/**
 * Builds an epoch: the StandardMerkleTree of its records (identical to
 * `StandardMerkleTree.of(values, RECORD_LEAF_ENCODING)`), its totals, the canonical dataHash
 * (see records/canonical.ts) and the epoch bundle. Records are a RecordTable from a reader or
 * WorkRecord objects (validated here). Throws RecordsError for a wrong epoch or a duplicate nodeId.
 *
 * @example
 * const table = await readRecordsFile("epoch-7.csv", { epoch: 7n });
 * const { summary, bundle } = await buildEpoch(table, { epoch: 7n });
 * await writeBundle(bundle, "epoch-7.wlb");
 */
export async function buildEpoch(records: RecordTable | readonly WorkRecord[], options: BuildEpochOptions): Promise<BuiltEpoch> {
  if (options.epoch === undefined || options.epoch === null) throw new InvalidInputError("buildEpoch: options.epoch is required");
  const epoch = BigInt(options.epoch);
  const usage = epochUsage(options.usage, epoch);
  const table = records instanceof RecordTable ? records : tableFromRecords(records, epoch);
  const n = table.count;
  for (let i = 0; i < n; i++) {
    const got = readUintBE(table.data, i * PACKED_RECORD_SIZE + PACKED.epoch, 8);
    if (got !== epoch) throw new RecordsError([{ line: table.lines[i] || i + 1, column: "epoch", reason: `epoch mismatch: expected ${epoch}, got ${got}` }]);
  }
  let dataHash = "";
  let totals: ReturnType<typeof computeTotals> | undefined;
  let totalsError: unknown;
  const tree = await buildRecordTree(table, {
    parallel: options.parallel,
    worker: options.worker ?? undefined,
    parallelThreshold: options.parallelThreshold,
    alongside: () => {
      const issues: { line: number; column: string; reason: string }[] = [];
      const order = findDuplicateNodeIds(table, (line, column, reason) => issues.push({ line, column, reason }));
      if (issues.length) throw new RecordsError(issues);
      dataHash = canonicalDataHash(table, order);
      try {
        totals = computeTotals(table);
      } catch (e) {
        totalsError = e;
      }
    },
  });
  if (totalsError || !totals) throw totalsError;
  const summary: EpochSummary = { root: treeRoot(tree), ...totals, dataHash, ...usageWords(usage) };
  const leafOrdered = n === 0 ? table : table.permute(tree.order);
  const networkId = options.networkId === undefined ? undefined : BigInt(options.networkId);
  return {
    summary,
    bundle: new EpochBundle(epoch, summary, leafOrdered, tree.nodes, networkId, usage),
    usage,
    usageRevenue: usage ? compareUsageToRevenue(usage.totalUsage, summary.totalRevenue) : null,
  };
}

/**
 * Reads a records file (and a usage file, if given) and builds its epoch, hashing leaves on a
 * second thread while the file is still being parsed (the fastest path for large files). Throws
 * RecordsError for any bad row of either file (a usage row of another epoch included), naming
 * the file, line and column; the usage file is read first, so a bad one costs no records pass.
 *
 * @example
 * const { summary, bundle, usageRevenue } = await buildEpochFromFile("epoch-7.csv", { epoch: 7n, usageFile: "usage-7.csv" });
 * if (usageRevenue?.message) console.warn(usageRevenue.message);
 */
export async function buildEpochFromFile(file: string, options: BuildEpochFromFileOptions): Promise<BuiltEpoch> {
  if (options.usage === undefined && options.usageFile !== undefined) {
    const usage = await readUsageFile(options.usageFile, { epoch: BigInt(options.epoch), format: options.usageFormat });
    options = { ...options, usage };
  }
  const worker = options.parallel === false ? null : (options.worker ?? startHashWorker());
  try {
    const pre = worker ? new LeafPrehasher(worker) : null;
    const table = await readRecordsFile(file, { epoch: BigInt(options.epoch), format: options.format, onProgress: pre ? (t) => pre.poll(t) : undefined });
    if (pre) table.leafHashes = { count: table.count, bytes: await pre.finish(table) };
    return await buildEpoch(table, { ...options, worker });
  } finally {
    if (worker && worker !== options.worker) await worker.close();
  }
}
