/**
 * Offline checks of record proofs against a StandardMerkleTree root: one at a time, or in batches
 * on two cores. The hashing (leaf, path, comparison with the root) runs inside the WebAssembly
 * module of ../records/keccakWasm; JavaScript only turns the hex into bytes.
 */
import { PACKED, PACKED_RECORD_SIZE, packUintsInto } from "../records/codec";
import { KECCAK_ENGINE_BUFFER, instantiateKeccak, keccakEngine, sharedWasmMemory } from "../records/keccak";
import { KECCAK_SCRATCH } from "../records/keccakWasm";
import { WorkRecord } from "../records/types";
import { startHashWorker } from "../writer/pool";

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

/** Bytes of an item before its proof: record 98 | root 32 | u32 LE proof length. */
const ITEM_HEADER = PACKED_RECORD_SIZE + 32 + 4;
/** Items per unit of work handed between the threads. */
const CHUNK = 1024;

/** Writes 0x-prefixed hex of exactly 32 bytes at `off` (Node's native hex decoder); false if it is not that. */
function toBytes32(hex: unknown, out: Buffer, off: number): boolean {
  return typeof hex === "string" && hex.length === 66 && hex.charCodeAt(0) === 48 && (hex.charCodeAt(1) | 32) === 120 && out.write(hex.slice(2), off, 32, "hex") === 32;
}

function packOrNull(record: WorkRecord, out: Buffer, off: number): boolean {
  try {
    if (record.uptimeBps < 0 || record.uptimeBps > 0xffff || !Number.isInteger(record.uptimeBps)) return false;
    if (record.epoch < 0n || record.epoch > U64_MAX || record.workUnits < 0n || record.workUnits > U64_MAX) return false;
    if (record.revenue < 0n || record.revenue > U128_MAX) return false;
    if (!toBytes32(record.nodeId, out, off + PACKED.nodeId) || !toBytes32(record.evidence, out, off + PACKED.evidence)) return false;
    packUintsInto(record, out, off);
    return true;
  } catch {
    return false;
  }
}

/** Siblings a single check takes in the engine's I/O window (a tree of 2^506 leaves). */
const MAX_SINGLE_PROOF = Math.floor((KECCAK_ENGINE_BUFFER - ITEM_HEADER - 1) / 32);

/**
 * True when `proof` proves `record` against `root` (StandardMerkleTree leaf and node hashing;
 * the same check as `StandardMerkleTree.verify(root, RECORD_LEAF_ENCODING, leaf, proof)`).
 * Malformed input gives false, never an exception.
 *
 * @example
 * verifyRecordProof(proofFile.record, proofFile.proof, proofFile.root); // true
 */
export function verifyRecordProof(record: WorkRecord, proof: readonly string[], root: string): boolean {
  if (!Array.isArray(proof) || proof.length > MAX_SINGLE_PROOF) return false;
  const engine = keccakEngine();
  const mem = Buffer.from(engine.mem.buffer, engine.mem.byteOffset, engine.mem.byteLength);
  if (!packItem(mem, 0, record, proof, root)) return false;
  const { exports, base, scratch } = engine.wasm;
  const result = KECCAK_ENGINE_BUFFER - 1;
  exports.verify(base, 1, base + result, scratch);
  return mem[result] === 1;
}

export interface ProofCheck {
  record: WorkRecord;
  proof: readonly string[];
  root: string;
}

/**
 * Writes one check in the module's item layout at `off`; false if any part is malformed (the
 * proof length is written regardless, so the item can still be stepped over).
 */
function packItem(buf: Buffer, off: number, record: WorkRecord, proof: readonly string[], root: string): boolean {
  let ok = packOrNull(record, buf, off) && toBytes32(root, buf, off + PACKED_RECORD_SIZE);
  const n = Array.isArray(proof) ? proof.length : 0;
  new DataView(buf.buffer, buf.byteOffset).setUint32(off + PACKED_RECORD_SIZE + 32, n, true);
  let q = off + ITEM_HEADER;
  for (let j = 0; j < n; j++, q += 32) ok = toBytes32(proof[j], buf, q) && ok;
  return ok && n === (proof as unknown[]).length;
}

/**
 * Checks many proofs. The batch is laid out in one shared WebAssembly memory; this thread packs
 * it (hex to bytes) chunk by chunk while a second thread checks the chunks already packed, and
 * once packing is done both threads take the remaining chunks from a shared counter, so the load
 * balances itself. One boolean per item, in order.
 *
 * @example
 * const ok = await verifyRecordProofs(proofFiles.map((f) => ({ record: f.record, proof: f.proof, root: f.root })));
 */
export async function verifyRecordProofs(items: readonly ProofCheck[], options: { parallel?: boolean } = {}): Promise<boolean[]> {
  const n = items.length;
  const chunks = Math.ceil(n / CHUNK);
  // memory: scratch × 2 | control (packed, next) | chunk table (ptr, count, results) | results | items
  const control = 2 * KECCAK_SCRATCH;
  const table = control + 8;
  const resultsAt = table + 12 * chunks;
  const itemsAt = (resultsAt + n + 7) & ~7;
  let size = itemsAt;
  for (let k = 0; k < n; k++) size += ITEM_HEADER + 32 * (Array.isArray(items[k].proof) ? items[k].proof.length : 0);
  const memory = sharedWasmMemory(size);
  const ex = instantiateKeccak(memory, true);
  const buf = Buffer.from(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  const valid = new Uint8Array(n);
  const worker = (options.parallel ?? true) && n >= 2000 ? startHashWorker() : null;
  try {
    const job = worker?.run({ op: "verify", memory, control, table, chunks, scratch: KECCAK_SCRATCH });
    let p = itemsAt;
    for (let c = 0; c < chunks; c++) {
      const from = c * CHUNK;
      const to = Math.min(n, from + CHUNK);
      const t = table / 4 + 3 * c;
      i32[t] = p;
      i32[t + 1] = to - from;
      i32[t + 2] = resultsAt + from;
      for (let k = from; k < to; k++) {
        const it = items[k];
        valid[k] = packItem(buf, p, it.record, it.proof, it.root) ? 1 : 0;
        p += ITEM_HEADER + 32 * (Array.isArray(it.proof) ? it.proof.length : 0);
      }
      Atomics.store(i32, control / 4, c + 1);
      Atomics.notify(i32, control / 4);
    }
    // take what the worker has not
    for (let c = Atomics.add(i32, control / 4 + 1, 1); c < chunks; c = Atomics.add(i32, control / 4 + 1, 1)) {
      const t = table / 4 + 3 * c;
      ex.verify(i32[t], i32[t + 1], i32[t + 2], 0);
    }
    await job;
  } finally {
    await worker?.close();
  }
  const out: boolean[] = new Array(n);
  for (let k = 0; k < n; k++) out[k] = valid[k] === 1 && buf[resultsAt + k] === 1;
  return out;
}
