/**
 * Epoch trees over record objects (what reports and the report verifier hold): root and proofs
 * identical to @openzeppelin/merkle-tree's StandardMerkleTree over RECORD_LEAF_ENCODING with default
 * options (leaves sorted). Two builders: `recordTreeSync` (the library itself, for small epochs) and
 * `buildEpochTree` (./tree's WASM builder, the same layout, for large epochs); a test pins that both
 * agree root-for-root and proof-for-proof.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { PACKED_RECORD_SIZE, packRecordInto, unpackRecord } from "../records/codec";
import { RecordTable, sharedBytes } from "../records/table";
import { RECORD_LEAF_ENCODING, WorkRecord } from "../records/types";
import { PARALLEL_THRESHOLD } from "./pool";
import { EMPTY_ROOT, RecordTree, buildRecordTree, buildRecordTreeSync, proofPath } from "./tree";

/** The tree of one epoch version: its root and the proof of the record at each input index. */
export interface EpochTree {
  root: string;
  proof(valueIndex: number): string[];
}

/** The tree of an empty epoch. */
const EMPTY_TREE: EpochTree = { root: EMPTY_ROOT, proof: () => [] };

/** The tree of `records` built by the library (fine up to a few thousand records). */
export function recordTreeSync(records: readonly WorkRecord[]): EpochTree {
  if (records.length === 0) return EMPTY_TREE;
  const tree = StandardMerkleTree.of(
    records.map((r) => [r.nodeId, r.epoch, r.workUnits, r.uptimeBps, r.revenue, r.evidence]),
    [...RECORD_LEAF_ENCODING],
  );
  return { root: tree.root, proof: (i) => tree.getProof(i) };
}

/** Hex of tree nodes: one flat hex string of every node, sliced per node on demand (each node's
 * string is made once and shared by every proof that names it). */
function hexCache(nodes: Uint8Array, total: number): (i: number) => string {
  const hex: (string | undefined)[] = new Array(total);
  let all: string | undefined;
  return (i) => {
    let h = hex[i];
    if (h === undefined) {
      all ??= Buffer.from(nodes.buffer, nodes.byteOffset, total * 32).toString("hex");
      h = hex[i] = `0x${all.slice(i * 64, i * 64 + 64)}`;
    }
    return h;
  };
}

/** Records packed into a (shared) RecordTable. */
function packRecords(records: readonly WorkRecord[]): RecordTable {
  const n = records.length;
  const data = sharedBytes(n * PACKED_RECORD_SIZE);
  for (let i = 0; i < n; i++) packRecordInto(records[i], data, i * PACKED_RECORD_SIZE);
  return new RecordTable(n, data, new Uint32Array(n), n);
}

/** An EpochTree over a StandardMerkleTree node array (root at 0) and each input's node index. */
function epochTreeOver(nodes: Uint8Array, treeIndex: Int32Array, total: number): EpochTree {
  const nodeHex = hexCache(nodes, total);
  return {
    root: nodeHex(0),
    proof: (valueIndex: number) => proofPath(treeIndex[valueIndex], nodeHex),
  };
}

/** An EpochTree over a tree made by ./tree's builder (order[k] = row of sorted leaf k). */
function fromRecordTree(tree: RecordTree): EpochTree {
  const n = tree.leafCount;
  const total = 2 * n - 1;
  const treeIndex = new Int32Array(n);
  for (let k = 0; k < n; k++) treeIndex[tree.order[k]] = total - 1 - k;
  return epochTreeOver(tree.nodes, treeIndex, total);
}

/**
 * The tree of `records` with the WASM keccak engine of ./keccak (about 10× the library's
 * speed), laid out exactly as StandardMerkleTree lays it out. Duplicate records are allowed (as the
 * library allows them), so a verifier can rebuild whatever a report claims.
 */
export async function buildEpochTree(records: readonly WorkRecord[], options: { parallel?: boolean } = {}): Promise<EpochTree> {
  if ((options.parallel ?? true) && records.length >= PARALLEL_THRESHOLD) return fromRecordTree(await buildRecordTree(packRecords(records)));
  return buildEpochTreeSync(records);
}

/** The same tree on the calling thread, synchronously (what builders fall back to when no tree is given). */
export function buildEpochTreeSync(records: readonly WorkRecord[]): EpochTree {
  if (records.length === 0) return EMPTY_TREE;
  return fromRecordTree(buildRecordTreeSync(packRecords(records)));
}

/** What an epoch bundle offers (writer/bundle EpochBundle): records in sorted-leaf order and the tree. */
export interface BundleLike {
  readonly root: string;
  readonly recordCount: number;
  readonly nodes: Uint8Array;
  readonly table: { data: Uint8Array; count: number };
}

/** Records of a packed table, decoded by the one packed-row decoder (records/codec unpackRecord). */
function unpackTable(table: { data: Uint8Array; count: number }): WorkRecord[] {
  const out: WorkRecord[] = new Array(table.count);
  for (let i = 0; i < table.count; i++) out[i] = unpackRecord(table.data, i * PACKED_RECORD_SIZE);
  return out;
}

/**
 * Records and tree of an epoch straight from its bundle: no hashing, proofs read from the
 * bundle's nodes. Records come in the bundle's (sorted-leaf) order.
 */
export function epochFromBundle(bundle: BundleLike): { records: WorkRecord[]; tree: EpochTree } {
  const n = bundle.recordCount;
  const records = unpackTable(bundle.table);
  if (n === 0) return { records, tree: EMPTY_TREE };
  const total = 2 * n - 1;
  const nodeHex = hexCache(bundle.nodes, total);
  return { records, tree: { root: nodeHex(0), proof: (valueIndex: number) => proofPath(total - 1 - valueIndex, nodeHex) } };
}
