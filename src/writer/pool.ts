/**
 * A helper thread for bulk hashing on a second core. The worker runs a small self-contained
 * script (no TypeScript loader needed) with its own instance of the same Keccak WebAssembly module
 * (posted to it), and works on SharedArrayBuffers: leaf hashes of packed records, a subtree of
 * the Merkle tree, or a batch of proof checks. Its results are checked against
 * @openzeppelin/merkle-tree by the property tests (test/sdk/writer/tree.property.test.ts).
 */
import { Worker } from "worker_threads";

import { keccakWasmModule } from "../records/keccak";

const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require("worker_threads");
const ex = new WebAssembly.Instance(workerData.module, {}).exports;
const mem = new Uint8Array(ex.memory.buffer, ex.Hash_GetBuffer(), 16384);
const H = (n) => ex.Hash_Calculate(n, 256, 1);
const REC = 98;
function leafInto(rec, off, out, outOff) {
  mem.fill(0, 0, 192);
  for (let i = 0; i < 32; i++) mem[i] = rec[off + i];
  for (let i = 0; i < 8; i++) mem[56 + i] = rec[off + 32 + i];
  for (let i = 0; i < 8; i++) mem[88 + i] = rec[off + 40 + i];
  mem[126] = rec[off + 48]; mem[127] = rec[off + 49];
  for (let i = 0; i < 16; i++) mem[144 + i] = rec[off + 50 + i];
  for (let i = 0; i < 32; i++) mem[160 + i] = rec[off + 66 + i];
  H(192); H(32);
  for (let k = 0; k < 32; k++) out[outOff + k] = mem[k];
}
function pairInto(a, ao, b, bo, out, oo) {
  let i = 0;
  while (i < 32 && a[ao + i] === b[bo + i]) i++;
  if (i === 32 || a[ao + i] < b[bo + i]) { for (let k = 0; k < 32; k++) { mem[k] = a[ao + k]; mem[32 + k] = b[bo + k]; } }
  else { for (let k = 0; k < 32; k++) { mem[k] = b[bo + k]; mem[32 + k] = a[ao + k]; } }
  H(64);
  for (let k = 0; k < 32; k++) out[oo + k] = mem[k];
}
function subtree(tree, internal, root) {
  // internal nodes are 0..internal-1; process the subtree of 'root' level by level, deepest first
  let depth = 0;
  while (((root + 1) * 2 ** (depth + 1)) - 1 < internal) depth++;
  for (let d = depth; d >= 0; d--) {
    const lo = (root + 1) * 2 ** d - 1;
    const hi = Math.min(lo + 2 ** d, internal);
    for (let i = hi - 1; i >= lo; i--) pairInto(tree, (2 * i + 1) * 32, tree, (2 * i + 2) * 32, tree, i * 32);
  }
}
function verify(items, count, results) {
  // items: per proof [leaf record 98 bytes][root 32][u32 proofLen][proofLen*32]
  const view = new DataView(items.buffer, items.byteOffset, items.byteLength);
  const acc = new Uint8Array(32);
  let p = 0;
  for (let k = 0; k < count; k++) {
    leafInto(items, p, acc, 0);
    const rootOff = p + 98;
    const len = view.getUint32(p + 130, true);
    let q = p + 134;
    for (let j = 0; j < len; j++, q += 32) pairInto(acc, 0, items, q, acc, 0);
    let ok = 1;
    for (let i = 0; i < 32; i++) if (acc[i] !== items[rootOff + i]) { ok = 0; break; }
    results[k] = ok;
    p = q;
  }
}
parentPort.on("message", (m) => {
  if (m.op === "leaves") {
    const rec = new Uint8Array(m.records), out = new Uint8Array(m.out);
    const base = m.outBase || 0;
    for (let i = m.start; i < m.end; i++) leafInto(rec, i * REC, out, (i - base) * 32);
  } else if (m.op === "subtree") {
    subtree(new Uint8Array(m.tree), m.internal, m.root);
  } else if (m.op === "verify") {
    verify(new Uint8Array(m.items, m.offset, m.length), m.count, new Uint8Array(m.results, m.resultsOffset, m.count));
  }
  parentPort.postMessage({ id: m.id });
});
`;

export interface HashWorker {
  run(msg: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/** Starts one hashing worker thread (null if WebAssembly Keccak is unavailable). */
export function startHashWorker(): HashWorker | null {
  const module = keccakWasmModule();
  if (!module) return null;
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module } });
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
