/**
 * Record trees for report lines: root and proofs identical to @openzeppelin/merkle-tree's
 * StandardMerkleTree over RECORD_LEAF_ENCODING with default options (leaves sorted). Two builders:
 * `recordTreeSync` (the library itself, for small epochs) and `buildRecordTree` (a WASM keccak,
 * the same layout, for large epochs); a test pins that both agree root-for-root and proof-for-proof.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { createKeccak, IHasher } from "hash-wasm";

import { RECORD_LEAF_ENCODING, WorkRecord } from "../records/types";

/** The tree of one epoch version: its root and the proof of the record at each input index. */
export interface EpochTree {
  root: string;
  proof(valueIndex: number): string[];
}

/** The tree of `records` built by the library (fine up to a few thousand records). */
export function recordTreeSync(records: readonly WorkRecord[]): EpochTree {
  if (records.length === 0) return { root: `0x${"0".repeat(64)}`, proof: () => [] };
  const tree = StandardMerkleTree.of(
    records.map((r) => [r.nodeId, r.epoch, r.workUnits, r.uptimeBps, r.revenue, r.evidence]),
    [...RECORD_LEAF_ENCODING],
  );
  return { root: tree.root, proof: (i) => tree.getProof(i) };
}

let hasherPromise: Promise<IHasher> | undefined;

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function toHex(bytes: Uint8Array, offset: number): string {
  let s = "0x";
  for (let i = offset; i < offset + 32; i++) s += HEX[bytes[i]];
  return s;
}

function putHex32(buf: Uint8Array, offset: number, hex: string): void {
  buf.set(Buffer.from(hex.slice(2).padStart(64, "0"), "hex"), offset);
}

/** Writes the ABI encoding of a record (6 words) at `offset` of a zeroed buffer. */
function encodeRecord(view: DataView, buf: Uint8Array, offset: number, r: WorkRecord): void {
  putHex32(buf, offset, r.nodeId);
  view.setBigUint64(offset + 56, r.epoch);
  view.setBigUint64(offset + 88, r.workUnits);
  view.setUint16(offset + 126, r.uptimeBps);
  view.setBigUint64(offset + 144, r.revenue >> 64n);
  view.setBigUint64(offset + 152, r.revenue & 0xffffffffffffffffn);
  putHex32(buf, offset + 160, r.evidence);
}

/**
 * The tree of `records` with a WASM keccak (about 10× the library's speed), laid out exactly as
 * StandardMerkleTree lays it out.
 */
export async function buildRecordTree(records: readonly WorkRecord[]): Promise<EpochTree> {
  const n = records.length;
  if (n === 0) return { root: `0x${"0".repeat(64)}`, proof: () => [] };
  hasherPromise ??= createKeccak(256);
  const h = await hasherPromise;
  const enc = new Uint8Array(192);
  const view = new DataView(enc.buffer);
  const leaves = new Uint8Array(n * 32);
  const leafHex: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    enc.fill(0);
    encodeRecord(view, enc, 0, records[i]);
    h.init();
    h.update(enc);
    const inner = h.digest("binary");
    h.init();
    h.update(inner);
    leaves.set(h.digest("binary"), i * 32);
    leafHex[i] = toHex(leaves, i * 32);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (leafHex[a] < leafHex[b] ? -1 : leafHex[a] > leafHex[b] ? 1 : 0));
  const total = 2 * n - 1;
  const nodes = new Uint8Array(total * 32);
  const hex: (string | undefined)[] = new Array(total);
  const treeIndex = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const pos = total - 1 - j;
    nodes.set(leaves.subarray(order[j] * 32, order[j] * 32 + 32), pos * 32);
    hex[pos] = leafHex[order[j]];
    treeIndex[order[j]] = pos;
  }
  const pair = new Uint8Array(64);
  for (let i = total - 1 - n; i >= 0; i--) {
    const a = (2 * i + 1) * 32;
    const b = (2 * i + 2) * 32;
    let cmp = 0;
    for (let k = 0; k < 32 && cmp === 0; k++) cmp = nodes[a + k] - nodes[b + k];
    if (cmp <= 0) {
      pair.set(nodes.subarray(a, a + 32), 0);
      pair.set(nodes.subarray(b, b + 32), 32);
    } else {
      pair.set(nodes.subarray(b, b + 32), 0);
      pair.set(nodes.subarray(a, a + 32), 32);
    }
    h.init();
    h.update(pair);
    nodes.set(h.digest("binary"), i * 32);
  }
  const nodeHex = (i: number): string => (hex[i] ??= toHex(nodes, i * 32));
  return {
    root: nodeHex(0),
    proof(valueIndex: number): string[] {
      const out: string[] = [];
      let i = treeIndex[valueIndex];
      while (i > 0) {
        out.push(nodeHex(i % 2 === 1 ? i + 1 : i - 1));
        i = (i - 1) >> 1;
      }
      return out;
    },
  };
}
