/**
 * The epoch bundle: an epoch's records in Merkle leaf order plus its summary, from which any
 * record's proof comes in O(log n) (the tree is rebuilt once on load and kept in memory; no proof
 * per record is ever written). Other modules read records from it (the indexer imports bundles;
 * reports read per-node records).
 *
 * File format (binary, little overhead: 98 bytes per record):
 *
 *     "WLBUNDLE" | u32 LE format version (2) | u32 LE header length | header JSON (UTF-8)
 *     | recordCount × 98-byte packed records (abi.encodePacked of the six leaf fields), in
 *       sorted-leaf order: record k is the leaf with sorted index k (tree node 2n-2-k)
 *
 * The header holds the epoch, the summary (integers as decimal strings, usage words included),
 * optional networkId, the leaf encoding and, for an epoch with usage, `usage`: the usage leaves as
 * JSON (UsageRecordJson, customer order) with `usageLeafEncoding`, so anyone can derive any
 * customer's usage proof. `readBundle` rebuilds both trees and refuses a file whose root, usage
 * words, dataHash, totals, order or epoch do not recompute.
 *
 * Versions: 2 adds the usage words and leaves. Version 1 files (written before usage records) are
 * still read, as epochs without usage (zero usage words); newer versions are refused by name.
 */
import fs from "fs";
import path from "path";

import { InvalidInputError } from "../errors";
import { canonicalDataHash } from "../records/canonical";
import { PACKED, PACKED_RECORD_SIZE, readUintBE } from "../records/codec";
import { normalizeNodeId } from "../records/nodeId";
import { findDuplicateNodeIds } from "../records/sink";
import { sortByKey32 } from "../records/sort";
import { RecordTable, sharedBytes } from "../records/table";
import { EpochSummary, NO_USAGE, RECORD_LEAF_ENCODING, WorkRecord } from "../records/types";
import { USAGE_LEAF_ENCODING } from "../records/usage";
import { UsageBuild, UsageProof, buildUsage, usageProof, usageRecordToJson } from "../records/usageTree";
import { computeTotals } from "./totals";
import { EMPTY_ROOT, buildRecordTree, treeProof, treeRoot } from "../merkle/tree";

export const BUNDLE_MAGIC = "WLBUNDLE";
export const BUNDLE_FORMAT_VERSION = 2;
/** Oldest bundle format version readBundle still reads (1: no usage). */
export const BUNDLE_MIN_FORMAT_VERSION = 1;

/** A record with its proof out of a bundle. */
export interface RecordProof {
  record: WorkRecord;
  proof: string[];
  /** Sorted leaf index (StandardMerkleTree tree index is 2n-2-leafIndex). */
  leafIndex: number;
  root: string;
}

/** An epoch's records in leaf order with its tree and summary; proofs in O(log n). */
export class EpochBundle {
  private byNodeId: Uint32Array | null = null;

  /**
   * @param epoch the epoch number
   * @param summary the epoch summary (root, totals, dataHash)
   * @param table records in sorted-leaf order
   * @param nodes the tree (2n-1 nodes × 32 bytes, StandardMerkleTree layout)
   * @param networkId the network, when known
   * @param usage the epoch's usage tree and leaves (null: no usage)
   */
  constructor(
    readonly epoch: bigint,
    readonly summary: EpochSummary,
    readonly table: RecordTable,
    readonly nodes: Uint8Array,
    readonly networkId?: bigint,
    readonly usage: UsageBuild | null = null,
  ) {}

  /** usageRoot of the summary (0x00…00 without usage). */
  get usageRoot(): string {
    return this.summary.usageRoot;
  }

  /**
   * A customer's usage leaf and proof (O(n) over the usage leaves, a few hundred). Throws
   * InvalidInputError when the epoch has no usage or the customer has no usage record in it.
   */
  usageProof(customer: string): UsageProof {
    if (!this.usage || this.usage.leaves.length === 0) throw new InvalidInputError(`epoch ${this.epoch} has no usage records`);
    return usageProof(this.usage, customer);
  }

  get recordCount(): number {
    return this.table.count;
  }

  get root(): string {
    return this.summary.root;
  }

  /** The record with sorted leaf index `leafIndex`. */
  record(leafIndex: number): WorkRecord {
    return this.table.get(leafIndex);
  }

  /** Every record, in leaf order (one object at a time). */
  *records(): IterableIterator<WorkRecord> {
    yield* this.table;
  }

  /** The leaf index of a node (nodeId rule applies: hex used as is, else hashed), or -1. */
  leafIndexOf(nodeId: string): number {
    const key = Buffer.from(normalizeNodeId(nodeId).slice(2), "hex");
    this.byNodeId ??= sortByKey32(this.table.data, PACKED_RECORD_SIZE, PACKED.nodeId, this.table.count);
    const order = this.byNodeId;
    let lo = 0;
    let hi = order.length - 1;
    const d = this.table.data;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const off = order[mid] * PACKED_RECORD_SIZE + PACKED.nodeId;
      let cmp = 0;
      for (let i = 0; i < 32; i++) {
        const x = d[off + i] - key[i];
        if (x !== 0) {
          cmp = x;
          break;
        }
      }
      if (cmp === 0) return order[mid];
      if (cmp < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The record of a node, or undefined if the node has none in this epoch. */
  recordOf(nodeId: string): WorkRecord | undefined {
    const i = this.leafIndexOf(nodeId);
    return i < 0 ? undefined : this.record(i);
  }

  /** The proof of the leaf with sorted index `leafIndex` (O(log n)). */
  proof(leafIndex: number): string[] {
    return treeProof({ leafCount: this.table.count, nodes: this.nodes }, leafIndex);
  }
}

/**
 * A node's record and proof from a bundle.
 *
 * @example
 * const { record, proof, root } = bundleProof(bundle, "hotspot-42");
 * verifyRecordProof(record, proof, root); // true
 */
export function bundleProof(bundle: EpochBundle, nodeId: string): RecordProof {
  const leafIndex = bundle.leafIndexOf(nodeId);
  if (leafIndex < 0) throw new InvalidInputError(`node ${nodeId} has no record in epoch ${bundle.epoch}`);
  return { record: bundle.record(leafIndex), proof: bundle.proof(leafIndex), leafIndex, root: bundle.root };
}

/** Summary fields as decimal strings / hex (JSON-safe), usage words included. */
export function summaryToJson(s: EpochSummary): Record<keyof EpochSummary, string> {
  return {
    root: s.root,
    recordCount: s.recordCount.toString(),
    activeNodes: s.activeNodes.toString(),
    totalWorkUnits: s.totalWorkUnits.toString(),
    totalRevenue: s.totalRevenue.toString(),
    dataHash: s.dataHash,
    usageRoot: s.usageRoot,
    usageCount: s.usageCount.toString(),
    totalUsage: s.totalUsage.toString(),
  };
}

/** Options of {@link summaryFromJson}. */
export interface SummaryFromJsonOptions {
  /**
   * Read a summary without the three usage words as one without usage (zero words): only for
   * files written before usage existed (bundle format 1). A signed summary always carries them.
   */
  usageOptional?: boolean;
}

/**
 * Parses a JSON summary (decimal strings or numbers, hex strings). Every field is required,
 * usage words included (InvalidInputError naming `where.field`), unless `usageOptional`.
 */
export function summaryFromJson(j: unknown, where = "summary", options: SummaryFromJsonOptions = {}): EpochSummary {
  if (!j || typeof j !== "object") throw new InvalidInputError(`${where} must be an object`);
  const o = j as Record<string, unknown>;
  const hex32 = (k: string): string => {
    const v = o[k];
    if (typeof v !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw new InvalidInputError(`${where}.${k} must be 32-byte hex`);
    return v.toLowerCase();
  };
  const uint = (k: string): bigint => {
    const v = o[k];
    if ((typeof v === "string" && /^[0-9]+$/.test(v)) || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0)) return BigInt(v);
    throw new InvalidInputError(`${where}.${k} must be a non-negative integer (decimal string)`);
  };
  const noUsage = options.usageOptional && o.usageRoot === undefined && o.usageCount === undefined && o.totalUsage === undefined;
  const summary: EpochSummary = {
    root: hex32("root"),
    recordCount: uint("recordCount"),
    activeNodes: uint("activeNodes"),
    totalWorkUnits: uint("totalWorkUnits"),
    totalRevenue: uint("totalRevenue"),
    dataHash: hex32("dataHash"),
    ...(noUsage ? NO_USAGE : { usageRoot: hex32("usageRoot"), usageCount: uint("usageCount"), totalUsage: uint("totalUsage") }),
  };
  const zeroRoot = /^0x0{64}$/.test(summary.usageRoot);
  if (zeroRoot !== (summary.usageCount === 0n) || (zeroRoot && summary.totalUsage !== 0n)) {
    throw new InvalidInputError(`${where}: usageRoot must be 0x00…00 exactly when usageCount is 0, and totalUsage 0 then (got usageRoot ${summary.usageRoot}, usageCount ${summary.usageCount}, totalUsage ${summary.totalUsage})`);
  }
  return summary;
}

/**
 * Writes a bundle file (atomically: a temp file renamed into place).
 *
 * @example
 * await writeBundle(bundle, "epoch-7.wlb");
 */
export async function writeBundle(bundle: EpochBundle, file: string): Promise<void> {
  const header = Buffer.from(
    JSON.stringify({
      epoch: bundle.epoch.toString(),
      networkId: bundle.networkId?.toString(),
      leafEncoding: RECORD_LEAF_ENCODING,
      summary: summaryToJson(bundle.summary),
      ...(bundle.usage && bundle.usage.leaves.length > 0 ? { usageLeafEncoding: USAGE_LEAF_ENCODING, usage: bundle.usage.leaves.map(usageRecordToJson) } : {}),
    }),
    "utf8",
  );
  const pre = Buffer.alloc(16);
  pre.write(BUNDLE_MAGIC, 0, "latin1");
  pre.writeUInt32LE(BUNDLE_FORMAT_VERSION, 8);
  pre.writeUInt32LE(header.length, 12);
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, pre);
    fs.writeSync(fd, header);
    const body = bundle.table.bytes();
    const CHUNK = 64 * 1024 * 1024;
    for (let o = 0; o < body.length; o += CHUNK) fs.writeSync(fd, body, o, Math.min(CHUNK, body.length - o));
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

function bad(file: string, reason: string): never {
  throw new InvalidInputError(`bundle ${file}: ${reason}`);
}

/**
 * Reads a bundle file and checks it: format, sizes, record order, epoch of every record, unique
 * nodeIds, and that the root, dataHash and totals recompute to the header's summary.
 *
 * @example
 * const bundle = await readBundle("epoch-7.wlb");
 * bundle.recordOf("hotspot-42");
 */
export async function readBundle(file: string): Promise<EpochBundle> {
  const fd = openBundle(file);
  try {
    const h = readHeader(fd, file);
    const bodyLength = h.size - 16 - h.headerLength;
    if (bodyLength % PACKED_RECORD_SIZE !== 0) bad(file, `record section of ${bodyLength} bytes is not a multiple of ${PACKED_RECORD_SIZE}`);
    const n = bodyLength / PACKED_RECORD_SIZE;
    if (BigInt(n) !== h.summary.recordCount) bad(file, `summary.recordCount is ${h.summary.recordCount} but the file holds ${n} records`);
    const data = sharedBytes(Math.max(1, bodyLength));
    const CHUNK = 64 * 1024 * 1024;
    for (let o = 0; o < bodyLength; o += CHUNK) fs.readSync(fd, data, o, Math.min(CHUNK, bodyLength - o), 16 + h.headerLength + o);
    const table = new RecordTable(0, data, new Uint32Array(Math.max(1, n)), n);
    for (let i = 0; i < n; i++) table.lines[i] = i + 1;
    return await checkAndAssemble(table, h.epoch, h.summary, h.networkId, h.usage, (reason) => bad(file, reason));
  } finally {
    fs.closeSync(fd);
  }
}

/** A bundle's header: where it belongs, its summary and its usage leaves (checked against the summary's usage words). */
export interface BundleHeader {
  epoch: bigint;
  networkId?: bigint;
  summary: EpochSummary;
  usage: UsageBuild | null;
}

/**
 * Reads only a bundle's header (not its records): the summary, and the usage leaves rebuilt into their
 * tree and checked against the summary's usageRoot, usageCount and totalUsage. The records' root is
 * NOT recomputed: compare `summary.usageRoot` with the chain before trusting the usage leaves, and use
 * readBundle for the records. Throws InvalidInputError naming the file and the problem.
 */
export function readBundleHeader(file: string): BundleHeader {
  const fd = openBundle(file);
  try {
    const { epoch, networkId, summary, usage } = readHeader(fd, file);
    return { epoch, networkId, summary, usage };
  } finally {
    fs.closeSync(fd);
  }
}

function openBundle(file: string): number {
  if (!fs.existsSync(file)) throw new InvalidInputError(`bundle file not found: ${file}`);
  return fs.openSync(file, "r");
}

/** The magic, format version and header of an open bundle file, checked. */
function readHeader(fd: number, file: string): BundleHeader & { size: number; headerLength: number } {
  const size = fs.fstatSync(fd).size;
  if (size < 16) bad(file, "too short to be a bundle");
  const pre = Buffer.alloc(16);
  fs.readSync(fd, pre, 0, 16, 0);
  if (pre.toString("latin1", 0, 8) !== BUNDLE_MAGIC) bad(file, "not an epoch bundle (bad magic)");
  const version = pre.readUInt32LE(8);
  if (version < BUNDLE_MIN_FORMAT_VERSION || version > BUNDLE_FORMAT_VERSION) {
    bad(file, `unsupported bundle format version ${version} (this workledger reads versions ${BUNDLE_MIN_FORMAT_VERSION} to ${BUNDLE_FORMAT_VERSION}${version > BUNDLE_FORMAT_VERSION ? "; upgrade workledger to read it" : ""})`);
  }
  const headerLength = pre.readUInt32LE(12);
  if (16 + headerLength > size) bad(file, "truncated header");
  const headerBuf = Buffer.alloc(headerLength);
  fs.readSync(fd, headerBuf, 0, headerLength, 16);
  let header: { epoch?: unknown; networkId?: unknown; summary?: unknown; leafEncoding?: unknown; usage?: unknown; usageLeafEncoding?: unknown };
  try {
    header = JSON.parse(headerBuf.toString("utf8"));
  } catch {
    bad(file, "header is not valid JSON");
  }
  if (typeof header.epoch !== "string" || !/^[0-9]+$/.test(header.epoch)) bad(file, "header.epoch must be a decimal string");
  if (JSON.stringify(header.leafEncoding) !== JSON.stringify(RECORD_LEAF_ENCODING)) bad(file, "unexpected leaf encoding");
  const summary = summaryFromJson(header.summary, "summary", { usageOptional: version === 1 });
  const epoch = BigInt(header.epoch);
  const usage = usageOfHeader(header, epoch, summary, (reason) => bad(file, reason));
  const networkId = typeof header.networkId === "string" && /^[0-9]+$/.test(header.networkId) ? BigInt(header.networkId) : undefined;
  return { epoch, networkId, summary, usage, size, headerLength };
}

/** The usage leaves of a bundle header, rebuilt and checked against the summary's usage words. */
function usageOfHeader(header: { usage?: unknown; usageLeafEncoding?: unknown }, epoch: bigint, summary: EpochSummary, fail: (reason: string) => never): UsageBuild | null {
  if (header.usage === undefined) {
    if (summary.usageCount !== 0n) fail(`summary.usageCount is ${summary.usageCount} but the bundle carries no usage leaves`);
    return null;
  }
  if (!Array.isArray(header.usage)) fail("header.usage must be an array of usage records");
  if (JSON.stringify(header.usageLeafEncoding) !== JSON.stringify(USAGE_LEAF_ENCODING)) fail("unexpected usage leaf encoding");
  let usage: UsageBuild;
  try {
    usage = buildUsage(header.usage as never[], { epoch });
  } catch (e) {
    fail(`usage leaves: ${(e as Error).message}`);
  }
  if (BigInt(usage.leaves.length) !== summary.usageCount) fail(`summary.usageCount is ${summary.usageCount} but the bundle carries ${usage.leaves.length} usage leaves`);
  if (usage.root !== summary.usageRoot.toLowerCase()) fail(`usageRoot does not recompute: header ${summary.usageRoot}, usage leaves give ${usage.root}`);
  if (usage.totalUsage !== summary.totalUsage) fail(`totalUsage does not recompute: header ${summary.totalUsage}, usage leaves give ${usage.totalUsage}`);
  return usage;
}

async function checkAndAssemble(
  table: RecordTable,
  epoch: bigint,
  summary: EpochSummary,
  networkId: bigint | undefined,
  usage: UsageBuild | null,
  fail: (reason: string) => never,
): Promise<EpochBundle> {
  const n = table.count;
  for (let i = 0; i < n; i++) {
    const o = i * PACKED_RECORD_SIZE;
    if (readUintBE(table.data, o + PACKED.epoch, 8) !== epoch) fail(`record ${i} has epoch ${readUintBE(table.data, o + PACKED.epoch, 8)}, expected ${epoch}`);
    const up = (table.data[o + PACKED.uptimeBps] << 8) | table.data[o + PACKED.uptimeBps + 1];
    if (up > 10_000) fail(`record ${i} has uptimeBps ${up} > 10000`);
  }
  const dups: string[] = [];
  const byNode = findDuplicateNodeIds(table, (_l, _c, reason) => dups.push(reason));
  if (dups.length) fail(dups[0]);
  const tree = await buildRecordTree(table);
  for (let k = 0; k < n; k++) if (tree.order[k] !== k) fail(`records are not in sorted-leaf order (record ${k})`);
  const root = treeRoot(tree);
  if (root !== summary.root) fail(`root does not recompute: header ${summary.root}, records give ${root}`);
  const dataHash = canonicalDataHash(table, byNode);
  if (dataHash !== summary.dataHash) fail(`dataHash does not recompute: header ${summary.dataHash}, records give ${dataHash}`);
  const totals = computeTotals(table);
  for (const k of ["activeNodes", "totalWorkUnits", "totalRevenue"] as const) {
    if (totals[k] !== summary[k]) fail(`${k} does not recompute: header ${summary[k]}, records give ${totals[k]}`);
  }
  if (n === 0 && summary.root !== EMPTY_ROOT) fail("an empty epoch must have root 0x00…00");
  return new EpochBundle(epoch, summary, table, tree.nodes, networkId, usage);
}
