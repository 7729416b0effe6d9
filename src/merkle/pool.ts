/**
 * A helper thread for bulk hashing on a second core. The worker runs a small self-contained
 * script (no TypeScript loader needed) with its own instance of the same Keccak WebAssembly module
 * (posted to it), and works on SharedArrayBuffers: leaf hashes of packed records, a subtree of
 * the Merkle tree, or proof checks taken chunk by chunk from a shared WebAssembly memory. Its results are checked against
 * @openzeppelin/merkle-tree by the property tests (test/sdk/writer/tree.property.test.ts).
 */
import { Worker } from "worker_threads";

import { keccakWasmModule } from "./keccak";
import { KECCAK_RESERVED, KECCAK_SCRATCH, PACKED_RECORD_BYTES } from "./keccakWasm";

const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require("worker_threads");
// a private memory: the module's constants, scratch at S, a 16 KiB I/O window at IO (the digest lands at IO)
const { S, IO } = workerData;
const memory = new WebAssembly.Memory({ initial: 1 });
const ex = new WebAssembly.Instance(workerData.module, { env: { memory } }).exports;
const mem = new Uint8Array(memory.buffer, IO, 16384);
// proof checks run in place on the caller's shared memory
let sharedMemory = null, sharedEx = null;
function onShared(memory) {
  if (memory !== sharedMemory) {
    sharedEx = new WebAssembly.Instance(workerData.sharedModule, { env: { memory } }).exports;
    sharedMemory = memory;
  }
  return sharedEx;
}
const REC = workerData.REC;
// batches through the I/O window, inputs first and outputs after them (as the engine in records/keccak.ts)
const LEAVES = Math.floor(16384 / (REC + 32)), PAIRS = Math.floor(16384 / 96);
function leavesInto(src, srcOff, count, dst, dstOff) {
  for (let done = 0; done < count; done += LEAVES) {
    const k = Math.min(LEAVES, count - done);
    mem.set(src.subarray(srcOff + done * REC, srcOff + (done + k) * REC), 0);
    ex.leaves(IO, k, IO + LEAVES * REC, S);
    dst.set(mem.subarray(LEAVES * REC, LEAVES * REC + 32 * k), dstOff + 32 * done);
  }
}
function pairsInto(src, srcOff, count, dst, dstOff) {
  for (let done = 0; done < count; done += PAIRS) {
    const k = Math.min(PAIRS, count - done);
    mem.set(src.subarray(srcOff + 64 * done, srcOff + 64 * (done + k)), 0);
    ex.pairs(IO, k, IO + PAIRS * 64, S);
    dst.set(mem.subarray(PAIRS * 64, PAIRS * 64 + 32 * k), dstOff + 32 * done);
  }
}
function subtree(tree, internal, root) {
  // internal nodes are 0..internal-1; the subtree of 'root' level by level, deepest first
  let depth = 0;
  while (((root + 1) * 2 ** (depth + 1)) - 1 < internal) depth++;
  for (let d = depth; d >= 0; d--) {
    const lo = (root + 1) * 2 ** d - 1;
    const hi = Math.min(lo + 2 ** d, internal);
    if (hi > lo) pairsInto(tree, (2 * lo + 1) * 32, hi - lo, tree, lo * 32);
  }
}
parentPort.on("message", (m) => {
  if (m.op === "leaves") {
    const rec = new Uint8Array(m.records), out = new Uint8Array(m.out);
    const base = m.outBase || 0;
    if (m.end > m.start) leavesInto(rec, m.start * REC, m.end - m.start, out, (m.start - base) * 32);
  } else if (m.op === "subtree") {
    subtree(new Uint8Array(m.tree), m.internal, m.root);
  } else if (m.op === "verify") {
    // take chunks from the shared counter; wait for each to be packed (see verifier/proof.ts)
    const ex = onShared(m.memory);
    const i32 = new Int32Array(m.memory.buffer);
    const packed = m.control >> 2, next = packed + 1;
    for (let c = Atomics.add(i32, next, 1); c < m.chunks; c = Atomics.add(i32, next, 1)) {
      for (let v = Atomics.load(i32, packed); v <= c; v = Atomics.load(i32, packed)) Atomics.wait(i32, packed, v);
      const t = (m.table >> 2) + 3 * c;
      ex.verify(i32[t], i32[t + 1], i32[t + 2], m.scratch, m.memo, m.bits, m.from);
    }
  }
  parentPort.postMessage({ id: m.id });
});
`;

export interface HashWorker {
  run(msg: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** Starts one hashing worker thread. */
export function startHashWorker(): HashWorker {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: keccakWasmModule(), sharedModule: keccakWasmModule(true), S: KECCAK_RESERVED, IO: KECCAK_RESERVED + KECCAK_SCRATCH, REC: PACKED_RECORD_BYTES } });
  worker.unref();
  let nextId = 1;
  const waiting = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  worker.on("message", (m: { id: number }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    w?.resolve();
  });
  worker.on("error", (e) => {
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
  });
  return {
    run(msg) {
      const id = nextId++;
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ ...msg, id });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** Record count from which building a tree uses the second core. */
export const PARALLEL_THRESHOLD = 20_000;
