/**
 * buildEpoch: records -> epoch summary (root, totals, dataHash) and epoch bundle.
 */
import { InvalidInputError, RecordsError } from "../errors";
import { canonicalDataHash } from "../records/canonical";
import { PACKED, PACKED_RECORD_SIZE, readUintBE } from "../records/codec";
import { ReadRecordsOptions, readRecordsFile } from "../records/parse";
import { RecordSink, findDuplicateNodeIds } from "../records/sink";
import { RecordTable } from "../records/table";
import { EpochSummary, WorkRecord } from "../records/types";
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
}

export interface BuiltEpoch {
  summary: EpochSummary;
  bundle: EpochBundle;
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
  const summary: EpochSummary = { root: treeRoot(tree), ...totals, dataHash };
  const leafOrdered = n === 0 ? table : table.permute(tree.order);
  const networkId = options.networkId === undefined ? undefined : BigInt(options.networkId);
  return { summary, bundle: new EpochBundle(epoch, summary, leafOrdered, tree.nodes, networkId) };
}

/**
 * Reads a records file and builds its epoch, hashing leaves on a second thread while the file is
 * still being parsed (the fastest path for large files). Throws RecordsError for any bad row.
 *
 * @example
 * const { summary, bundle } = await buildEpochFromFile("epoch-7.csv", { epoch: 7n });
 */
export async function buildEpochFromFile(file: string, options: BuildEpochOptions & Pick<ReadRecordsOptions, "format">): Promise<BuiltEpoch> {
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
