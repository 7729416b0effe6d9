/**
 * A fast builder of @openzeppelin/merkle-tree StandardMerkleTree trees of work records (leaf
 * encoding RECORD_LEAF_ENCODING, default options: leaves sorted by hash). Same layout as the
 * library: an array of 2n-1 nodes where node i has children 2i+1 and 2i+2 and the leaf of sorted
 * index k sits at 2n-2-k; an inner node is keccak256 of its two children in ascending order.
 * Nodes are kept in one Uint8Array (32 bytes each), hashed with the WebAssembly Keccak engine, and
 * large trees use a second thread (./pool). Equality with the library, root for root and proof
 * for proof, is shown by test/sdk/writer/tree.property.test.ts.
 */
import { PACKED_RECORD_SIZE, bytesToHex, hashPairInto } from "../records/codec";
import { KeccakEngine, keccakEngine } from "./keccak";
import { sortByKey32 } from "../records/sort";
import { RecordTable, sharedBytes } from "../records/table";
import { HashWorker, PARALLEL_THRESHOLD, startHashWorker } from "./pool";

/** A built tree. */
export interface RecordTree {
  /** Number of leaves. */
  leafCount: number;
  /** 2n-1 nodes of 32 bytes, library layout (tree[0] is the root). */
  nodes: Uint8Array;
  /** order[k] = row of the input table whose leaf has sorted index k. */
  order: Uint32Array;
}

/** The root of zero records (bytes32(0)). */
export const EMPTY_ROOT = "0x" + "00".repeat(32);

export interface BuildTreeOptions {
  /** Use a second thread for large inputs (default: true from PARALLEL_THRESHOLD records). */
  parallel?: boolean;
  /** A running worker to use (not closed here). */
  worker?: HashWorker | null;
  /** Record count from which the second thread is used (default PARALLEL_THRESHOLD). */
  parallelThreshold?: number;
  /** Work done on this thread while the worker hashes leaves (e.g. the data hash). */
  alongside?: () => void;
}

/** Leaf hashes of rows [start, end) into out (32 bytes per row, at the row's index). */
export function hashLeavesRange(engine: KeccakEngine, records: Uint8Array, out: Uint8Array, start: number, end: number): void {
  if (end > start) engine.leavesInto(records, start * PACKED_RECORD_SIZE, end - start, out, start * 32);
}

/** Inner nodes of the subtree rooted at `root`, deepest level first (internal nodes are 0..internal-1). */
export function hashSubtree(engine: KeccakEngine, tree: Uint8Array, internal: number, root: number): void {
  let depth = 0;
  while ((root + 1) * 2 ** (depth + 1) - 1 < internal) depth++;
  for (let d = depth; d >= 0; d--) {
    // nodes lo..hi-1 of this level; their children 2lo+1..2hi are consecutive
    const lo = (root + 1) * 2 ** d - 1;
    const hi = Math.min(lo + 2 ** d, internal);
    if (hi > lo) engine.pairsInto(tree, (2 * lo + 1) * 32, hi - lo, tree, lo * 32);
  }
}

/**
 * Builds the StandardMerkleTree of a table's records.
 *
 * @example
 * const { nodes } = await buildRecordTree(table);
 * const root = bytesToHex(nodes, 0, 32); // === StandardMerkleTree.of(values, RECORD_LEAF_ENCODING).root
 */
export async function buildRecordTree(table: RecordTable, options: BuildTreeOptions = {}): Promise<RecordTree> {
  const n = table.count;
  const engine = keccakEngine();
  if (n === 0) {
    options.alongside?.();
    return { leafCount: 0, nodes: new Uint8Array(0), order: new Uint32Array(0) };
  }
  const useWorker = (options.parallel ?? true) && n >= (options.parallelThreshold ?? PARALLEL_THRESHOLD);
  const own = useWorker && options.worker === undefined ? startHashWorker() : null;
  const worker = useWorker ? (options.worker ?? own) : null;
  try {
    let records = table.data;
    if (worker && !(records.buffer instanceof SharedArrayBuffer)) {
      records = sharedBytes(n * PACKED_RECORD_SIZE);
      records.set(table.data.subarray(0, n * PACKED_RECORD_SIZE));
    }
    const pre = table.leafHashes && table.leafHashes.count === n ? table.leafHashes.bytes : null;
    const leaves = pre ?? (worker ? sharedBytes(n * 32) : new Uint8Array(n * 32));
    let alongsideDone = false;
    if (!pre) {
      if (worker) {
        // the worker takes the first 55% (this thread also runs `alongside`)
        const split = Math.floor(n * 0.55);
        const job = worker.run({ op: "leaves", records: records.buffer, out: leaves.buffer, start: 0, end: split });
        options.alongside?.();
        hashLeavesRange(engine, records, leaves, split, n);
        await job;
      } else {
        options.alongside?.();
        hashLeavesRange(engine, records, leaves, 0, n);
      }
      alongsideDone = true;
    }
    const { nodes, order } = placeLeaves(leaves, n, worker !== null);
    const internal = n - 1;
    if (worker && !alongsideDone && internal > 0) {
      // leaves came pre-hashed: the worker hashes the whole inner tree while this thread runs `alongside`
      const job = worker.run({ op: "subtree", tree: nodes.buffer, internal, root: 0 });
      try {
        options.alongside?.();
      } finally {
        await job;
      }
      alongsideDone = true;
    } else if (worker && internal >= 3) {
      const job = worker.run({ op: "subtree", tree: nodes.buffer, internal, root: 1 });
      hashSubtree(engine, nodes, internal, 2);
      await job;
      hashPairInto(engine, nodes, 32, nodes, 64, nodes, 0);
    } else if (internal > 0) {
      hashSubtree(engine, nodes, internal, 0);
    }
    if (!alongsideDone) options.alongside?.();
    return { leafCount: n, nodes, order };
  } finally {
    if (own) await own.close();
  }
}

/** Sorts leaf hashes (row order) and places them at the library's leaf positions of a new node array. */
function placeLeaves(leaves: Uint8Array, n: number, shared: boolean): { nodes: Uint8Array; order: Uint32Array } {
  const order = sortByKey32(leaves, 32, 0, n);
  const size = 2 * n - 1;
  const nodes = shared ? sharedBytes(size * 32) : new Uint8Array(size * 32);
  for (let k = 0; k < n; k++) nodes.set(leaves.subarray(order[k] * 32, order[k] * 32 + 32), (size - 1 - k) * 32);
  return { nodes, order };
}

/** The same tree as buildRecordTree, on the calling thread and synchronously (for small epochs). */
export function buildRecordTreeSync(table: RecordTable): RecordTree {
  const n = table.count;
  if (n === 0) return { leafCount: 0, nodes: new Uint8Array(0), order: new Uint32Array(0) };
  const leaves = new Uint8Array(n * 32);
  hashLeavesRange(keccakEngine(), table.data, leaves, 0, n);
  return buildTreeFromLeafHashes(leaves, n);
}

/**
 * The StandardMerkleTree over precomputed leaf hashes (`n` × 32 bytes, any order), synchronously:
 * for trees of any leaf encoding (usage leaves, payout leaves) once their leaves are hashed.
 *
 * @example
 * const tree = buildTreeFromLeafHashes(leafHashes, n); // treeRoot(tree), treeProof(tree, k)
 */
export function buildTreeFromLeafHashes(leaves: Uint8Array, n: number): RecordTree {
  if (n === 0) return { leafCount: 0, nodes: new Uint8Array(0), order: new Uint32Array(0) };
  const { nodes, order } = placeLeaves(leaves, n, false);
  hashSubtree(keccakEngine(), nodes, n - 1, 0);
  return { leafCount: n, nodes, order };
}

/** The root of a built tree (bytes32(0) when empty). */
export function treeRoot(tree: Pick<RecordTree, "leafCount" | "nodes">): string {
  return tree.leafCount === 0 ? EMPTY_ROOT : bytesToHex(tree.nodes, 0, 32);
}

/** The proof of the leaf with sorted index `leafIndex`: sibling hashes from the leaf up. */
export function treeProof(tree: Pick<RecordTree, "leafCount" | "nodes">, leafIndex: number): string[] {
  const n = tree.leafCount;
  if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= n) throw new RangeError(`leaf index ${leafIndex} out of range 0..${n - 1}`);
  return proofPath(2 * n - 2 - leafIndex, (i) => bytesToHex(tree.nodes, i * 32, 32));
}

/**
 * The proof walk of the StandardMerkleTree layout: the siblings of node `treeIndex` and of each of
 * its ancestors below the root, leaf first; `node(i)` gives node i as hex.
 */
export function proofPath(treeIndex: number, node: (i: number) => string): string[] {
  const proof: string[] = [];
  for (let i = treeIndex; i > 0; i = (i - 1) >> 1) proof.push(node(i % 2 === 1 ? i + 1 : i - 1));
  return proof;
}

/** keccak256 pair hash on hex strings (StandardMerkleTree's node hash), for small uses. */
export function hashPairHex(a: string, b: string, engine: KeccakEngine = keccakEngine()): string {
  const x = Buffer.from(a.slice(2), "hex");
  const y = Buffer.from(b.slice(2), "hex");
  const out = new Uint8Array(32);
  hashPairInto(engine, x, 0, y, 0, out, 0);
  return bytesToHex(out);
}
