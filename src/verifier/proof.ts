/**
 * Offline checks of record proofs against a StandardMerkleTree root: one at a time, or in batches
 * on two cores.
 */
import { PACKED, PACKED_RECORD_SIZE, bytesToHex, hashPairInto, leafHashFromPacked, packUintsInto, tryHexToBytesInto } from "../records/codec";
import { keccakEngine } from "../records/keccak";
import { WorkRecord } from "../records/types";
import { startHashWorker } from "../writer/pool";

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

function toBytes32(hex: string, out: Uint8Array, off: number): boolean {
  return tryHexToBytesInto(hex, out, off, 32);
}

function packOrNull(record: WorkRecord, out: Uint8Array, off: number): boolean {
  try {
    if (record.uptimeBps < 0 || record.uptimeBps > 0xffff || !Number.isInteger(record.uptimeBps)) return false;
    if (record.epoch < 0n || record.epoch > U64_MAX || record.workUnits < 0n || record.workUnits > U64_MAX) return false;
    if (record.revenue < 0n || record.revenue > U128_MAX) return false;
    if (!tryHexToBytesInto(record.nodeId, out, off + PACKED.nodeId, 32) || !tryHexToBytesInto(record.evidence, out, off + PACKED.evidence, 32)) return false;
    packUintsInto(record, out, off);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when `proof` proves `record` against `root` (StandardMerkleTree leaf and node hashing;
 * the same check as `StandardMerkleTree.verify(root, RECORD_LEAF_ENCODING, leaf, proof)`).
 * Malformed input gives false, never an exception.
 *
 * @example
 * verifyRecordProof(proofFile.record, proofFile.proof, proofFile.root); // true
 */
export function verifyRecordProof(record: WorkRecord, proof: readonly string[], root: string): boolean {
  const engine = keccakEngine();
  const packed = new Uint8Array(PACKED_RECORD_SIZE);
  if (!packOrNull(record, packed, 0)) return false;
  const acc = new Uint8Array(32);
  leafHashFromPacked(engine, packed, 0, acc, 0);
  const sib = new Uint8Array(32);
  for (const p of proof) {
    if (!toBytes32(p, sib, 0)) return false;
    hashPairInto(engine, acc, 0, sib, 0, acc, 0);
  }
  return typeof root === "string" && bytesToHex(acc) === root.toLowerCase();
}

export interface ProofCheck {
  record: WorkRecord;
  proof: readonly string[];
  root: string;
}

/**
 * Checks many proofs; from 2,000 items the second thread verifies the first 70% (handed over in
 * chunks as they are packed) while this thread packs and verifies the rest. One boolean per item, in order.
 *
 * @example
 * const ok = await verifyRecordProofs(proofFiles.map((f) => ({ record: f.record, proof: f.proof, root: f.root })));
 */
export async function verifyRecordProofs(items: readonly ProofCheck[], options: { parallel?: boolean } = {}): Promise<boolean[]> {
  const n = items.length;
  // layout per item: record 98 | root 32 | u32 LE proof length | proof × 32
  const offsets = new Uint32Array(n + 1);
  let size = 0;
  for (let k = 0; k < n; k++) {
    offsets[k] = size;
    size += 134 + 32 * items[k].proof.length;
  }
  offsets[n] = size;
  const buf = new Uint8Array(new SharedArrayBuffer(Math.max(1, size)));
  const view = new DataView(buf.buffer);
  const results = new Uint8Array(new SharedArrayBuffer(Math.max(1, n)));
  const valid = new Uint8Array(n);
  const pack = (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      const p = offsets[k];
      const it = items[k];
      let ok = packOrNull(it.record, buf, p) && toBytes32(it.root, buf, p + 98);
      view.setUint32(p + 130, it.proof.length, true);
      let q = p + 134;
      for (const sib of it.proof) {
        ok = toBytes32(sib, buf, q) && ok;
        q += 32;
      }
      valid[k] = ok ? 1 : 0;
    }
  };
  // packing (hex strings to bytes, ~6 µs a proof) runs here only and checking a 20-level proof
  // hashes ~14 µs: giving the worker 70% of the checks balances the two threads
  const split = (options.parallel ?? true) && n >= 2000 ? Math.floor(n * 0.7) : 0;
  const worker = split > 0 ? startHashWorker() : null;
  try {
    if (worker) {
      // hand the worker its share in chunks as they are packed, so it starts at once
      const jobs: Promise<void>[] = [];
      const CHUNK = 8192;
      for (let c0 = 0; c0 < split; c0 += CHUNK) {
        const c1 = Math.min(split, c0 + CHUNK);
        pack(c0, c1);
        jobs.push(worker.run({ op: "verify", items: buf.buffer, offset: offsets[c0], length: offsets[c1] - offsets[c0], count: c1 - c0, results: results.buffer, resultsOffset: c0 }));
      }
      pack(split, n);
      verifyRange(buf, offsets, split, n, results);
      await Promise.all(jobs);
    } else {
      pack(0, n);
      verifyRange(buf, offsets, 0, n, results);
    }
  } finally {
    await worker?.close();
  }
  const out: boolean[] = new Array(n);
  for (let k = 0; k < n; k++) out[k] = valid[k] === 1 && results[k] === 1;
  return out;
}

function verifyRange(buf: Uint8Array, offsets: Uint32Array, start: number, end: number, results: Uint8Array): void {
  const engine = keccakEngine();
  const view = new DataView(buf.buffer);
  const acc = new Uint8Array(32);
  for (let k = start; k < end; k++) {
    const p = offsets[k];
    leafHashFromPacked(engine, buf, p, acc, 0);
    const len = view.getUint32(p + 130, true);
    let q = p + 134;
    for (let j = 0; j < len; j++, q += 32) hashPairInto(engine, acc, 0, buf, q, acc, 0);
    let ok = 1;
    for (let i = 0; i < 32; i++) {
      if (acc[i] !== buf[p + 98 + i]) {
        ok = 0;
        break;
      }
    }
    results[k] = ok;
  }
}
