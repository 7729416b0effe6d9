/**
 * Offline checks of record proofs against a StandardMerkleTree root: one at a time, or in batches
 * on two cores. The hashing (leaf, path, comparison with the root) runs inside the WebAssembly
 * module of ../records/keccakWasm, hex decoding included; JavaScript writes the record's integers
 * and copies the text.
 */
import { PACKED_RECORD_SIZE, packUintsInto, tryHexToBytesInto } from "../records/codec";
import { KECCAK_ENGINE_BUFFER, KeccakExports, WasmMemory, instantiateKeccak, keccakEngine, sharedWasmMemory } from "./keccak";
import { ITEM_TEXT, KECCAK_RESERVED, KECCAK_SCRATCH } from "./keccakWasm";
import { WorkRecord } from "../records/types";
import { HashWorker, startHashWorker } from "./pool";

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

/** Bytes of an item before its text: packed record 98 | root 32 | u32 LE proof length. */
const ITEM_HEADER = ITEM_TEXT;
/** Items per unit of work handed between the threads. */
const CHUNK = 1024;

/** Writes the integer fields of the record into the packed layout; false if any is out of range. */
function packUints(record: WorkRecord, out: Buffer, off: number): boolean {
  const { epoch, workUnits, uptimeBps, revenue } = record;
  if (typeof epoch !== "bigint" || typeof workUnits !== "bigint" || typeof revenue !== "bigint" || typeof uptimeBps !== "number") return false;
  if (epoch < 0n || epoch > U64_MAX || workUnits < 0n || workUnits > U64_MAX || revenue < 0n || revenue > U128_MAX) return false;
  if (!Number.isInteger(uptimeBps) || uptimeBps < 0 || uptimeBps > 0xffff) return false;
  packUintsInto(record, out, off);
  return true;
}

/** nodeId, evidence and each proof sibling go to the module as 66 characters of 0x-hex, decoded there (hex32). */
const HEX_CHARS = 66;
/** Siblings a single check takes in the engine's I/O window (a tree of 2^246 leaves). */
const MAX_SINGLE_PROOF = Math.floor((KECCAK_ENGINE_BUFFER - ITEM_HEADER - 1) / HEX_CHARS) - 2;

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
  exports.verify(base, 1, base + result, scratch, 0, 0, 0);
  return mem[result] === 1;
}

export interface ProofCheck {
  record: WorkRecord;
  proof: readonly string[];
  root: string;
}

/** Bytes an item takes in the module's layout. */
function itemSize(proof: readonly string[]): number {
  return ITEM_HEADER + HEX_CHARS * (2 + (Array.isArray(proof) ? proof.length : 0));
}

/** The last root written, so a batch against one root decodes it once. */
interface RootMemo {
  root: string;
  at: number;
}

/**
 * Writes one check in the module's item layout at `off`; false if the record's integers, the root
 * or the shape of the text fields is malformed (the proof length is written regardless, so the
 * item can be stepped over). nodeId, evidence and siblings are copied as text in one write; the
 * module refuses any that is not 0x-hex.
 */
function packItem(buf: Buffer, off: number, record: WorkRecord, proof: readonly string[], root: string, memo?: RootMemo): boolean {
  const n = Array.isArray(proof) ? proof.length : 0;
  buf.writeUInt32LE(n, off + PACKED_RECORD_SIZE + 32);
  if (!Array.isArray(proof) || record === null || typeof record !== "object" || !packUints(record, buf, off)) return false;
  const rootAt = off + PACKED_RECORD_SIZE;
  if (memo && root === memo.root) buf.copy(buf, rootAt, memo.at, memo.at + 32);
  else if (!tryHexToBytesInto(root, buf, rootAt, 32)) return false;
  else if (memo) {
    memo.root = root;
    memo.at = rootAt;
  }
  const { nodeId, evidence } = record;
  if (typeof nodeId !== "string" || nodeId.length !== HEX_CHARS || typeof evidence !== "string" || evidence.length !== HEX_CHARS) return false;
  for (let j = 0; j < n; j++) if (typeof proof[j] !== "string" || proof[j].length !== HEX_CHARS) return false;
  // any non-ASCII character makes the UTF-8 longer than the text, and is refused here
  const text = n === 0 ? nodeId + evidence : nodeId + evidence + proof.join("");
  return buf.write(text, off + ITEM_HEADER, "utf8") === text.length;
}

export interface VerifyProofsOptions {
  /** Use a second thread from 2,000 items (default true). */
  parallel?: boolean;
  /**
   * Hash an inner node once when several proofs of the batch share it (default true): each thread
   * keeps a cache of node hashes keyed by the full 64-byte input. Results are the same either way;
   * false checks every proof as if it were alone (used to measure that case).
   */
  shareNodes?: boolean;
  /** Items laid out in the shared memory at a time (default 65,536; bounds the memory a huge batch takes). */
  window?: number;
}

/** Entries of each thread's node cache: 2^MEMO_BITS × 128 bytes. */
const MEMO_BITS = 17;
/** Default items per window. */
const WINDOW = 1 << 16;

/**
 * Checks many proofs. The batch goes through one shared WebAssembly memory a window at a time;
 * this thread packs a window chunk by chunk while a second thread checks the chunks already
 * packed, and once packing is done both threads take the remaining chunks from a shared counter,
 * so the load balances itself. Proofs of one tree share their upper nodes, which each thread
 * hashes once (see `shareNodes`). One boolean per item, in order.
 *
 * @example
 * const ok = await verifyRecordProofs(proofFiles.map((f) => ({ record: f.record, proof: f.proof, root: f.root })));
 */
export async function verifyRecordProofs(items: readonly ProofCheck[], options: VerifyProofsOptions = {}): Promise<boolean[]> {
  const n = items.length;
  const out: boolean[] = new Array(n);
  if (n === 0) return out;
  const window = Math.max(1, Math.floor(options.window ?? WINDOW));
  const worker = (options.parallel ?? true) && n >= 2000 ? startHashWorker() : null;
  try {
    const layout = planLayout(items, window, worker !== null, options.shareNodes !== false);
    const memory = sharedWasmMemory(layout.size);
    const ex = instantiateKeccak(memory, true);
    for (let from = 0; from < n; from += window) {
      await verifyWindow(items, from, Math.min(n, from + window), out, { memory, ex, layout, worker });
    }
  } finally {
    await worker?.close();
  }
  return out;
}

/**
 * Where things go in the shared memory: the module's constants | scratch × 2 | control (packed, next) | chunk table
 * (ptr, count, results) | results | node cache × 2 (one per thread) | items of one window.
 */
interface Layout {
  control: number;
  table: number;
  resultsAt: number;
  memoAt: number;
  /** Node cache entries are 2^bits (0: no cache). */
  bits: number;
  /** Proof level from which nodes go through the cache. */
  fromLevel: number;
  itemsAt: number;
  size: number;
}

function planLayout(items: readonly ProofCheck[], window: number, twoThreads: boolean, share: boolean): Layout {
  const n = items.length;
  const chunks = Math.ceil(Math.min(n, window) / CHUNK);
  const control = KECCAK_RESERVED + 2 * KECCAK_SCRATCH;
  const table = control + 8;
  const resultsAt = table + 12 * chunks;
  // Each thread sees about perThread proofs of the batch (the caches outlive a window). In a tree
  // of 2^depth leaves, their paths start to meet about log2(perThread) levels below the root:
  // cache from there up, in a table of about four times the nodes of one level there.
  const perThread = twoThreads ? Math.ceil(n / 2) : n;
  const depth = Array.isArray(items[0].proof) ? items[0].proof.length : 0;
  const log2 = Math.floor(Math.log2(perThread + 1));
  const bits = share ? Math.min(MEMO_BITS, Math.max(8, log2 + 2)) : 0;
  const fromLevel = Math.max(0, depth - log2);
  const memoAt = (resultsAt + Math.min(n, window) + 127) & ~127;
  const itemsAt = memoAt + (bits ? 2 << (bits + 7) : 0);
  let largest = 0;
  for (let from = 0; from < n; from += window) {
    let bytes = 0;
    for (let k = from; k < Math.min(n, from + window); k++) bytes += itemSize(items[k].proof);
    largest = Math.max(largest, bytes);
  }
  return { control, table, resultsAt, memoAt, bits, fromLevel, itemsAt, size: itemsAt + largest };
}

interface WindowRun {
  memory: WasmMemory;
  ex: KeccakExports;
  layout: Layout;
  worker: HashWorker | null;
}

async function verifyWindow(items: readonly ProofCheck[], from: number, to: number, out: boolean[], run: WindowRun): Promise<void> {
  const { memory, ex, worker } = run;
  const { control, table, resultsAt, memoAt, bits, fromLevel, itemsAt } = run.layout;
  const n = to - from;
  const chunks = Math.ceil(n / CHUNK);
  const buf = Buffer.from(memory.buffer);
  const i32 = new Int32Array(memory.buffer);
  i32[control / 4] = 0; // chunks packed
  i32[control / 4 + 1] = 0; // next chunk to take
  const valid = new Uint8Array(n);
  const job = worker?.run({ op: "verify", memory, control, table, chunks, scratch: KECCAK_RESERVED + KECCAK_SCRATCH, memo: memoAt + (bits ? 1 << (bits + 7) : 0), bits, from: fromLevel });
  let p = itemsAt;
  const rootMemo: RootMemo = { root: "", at: 0 };
  for (let c = 0; c < chunks; c++) {
    const c0 = c * CHUNK;
    const c1 = Math.min(n, c0 + CHUNK);
    const t = table / 4 + 3 * c;
    i32[t] = p;
    i32[t + 1] = c1 - c0;
    i32[t + 2] = resultsAt + c0;
    for (let k = c0; k < c1; k++) {
      const it = items[from + k];
      valid[k] = packItem(buf, p, it.record, it.proof, it.root, rootMemo) ? 1 : 0;
      p += itemSize(it.proof);
    }
    Atomics.store(i32, control / 4, c + 1);
    Atomics.notify(i32, control / 4);
  }
  // take the chunks the worker has not
  for (let c = Atomics.add(i32, control / 4 + 1, 1); c < chunks; c = Atomics.add(i32, control / 4 + 1, 1)) {
    const t = table / 4 + 3 * c;
    ex.verify(i32[t], i32[t + 1], i32[t + 2], KECCAK_RESERVED, memoAt, bits, fromLevel);
  }
  await job;
  for (let k = 0; k < n; k++) out[from + k] = valid[k] === 1 && buf[resultsAt + k] === 1;
}
