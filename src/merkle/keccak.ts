/**
 * A synchronous, allocation-free keccak256 engine for bulk hashing (leaves, tree nodes, the
 * canonical data hash, proofs), on the WebAssembly module of ./keccakWasm. One engine per thread:
 * it owns a small private memory with a 16 KiB I/O window (`mem`) and a scratch area.
 */
import { KECCAK_RESERVED, KECCAK_SCRATCH, PACKED_RECORD_BYTES, keccakModuleBytes } from "./keccakWasm";

/** Size of the engine's I/O window. */
export const KECCAK_ENGINE_BUFFER = 16 * 1024;

/** Minimal WebAssembly typings: the project's tsconfig has no DOM lib and @types/node 20 declares none. */
export type WasmModule = object;
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
  Memory: new (desc: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The module's exports (pointers are byte offsets into its memory; `s` is a KECCAK_SCRATCH-byte scratch area). */
export interface KeccakExports {
  keccak(ptr: number, len: number, out: number, s: number): void;
  pair(a: number, b: number, out: number, s: number): void;
  leaves(rec: number, count: number, out: number, s: number): void;
  pairs(src: number, count: number, dst: number, s: number): void;
  verify(items: number, count: number, results: number, s: number, memo: number, bits: number, from: number): void;
  pairCached(a: number, b: number, out: number, s: number, memo: number, bits: number): void;
  hex32(src: number, dst: number): number;
  init(s: number): void;
  update(ptr: number, len: number, s: number): void;
  final(out: number, s: number): void;
}

/** A keccak256 engine bound to one WebAssembly instance (one per thread). */
export interface KeccakEngine {
  /** The engine's I/O window: write input at offset 0, read the 32-byte digest at offset 0. */
  readonly mem: Uint8Array;
  /** The module's exports and where `mem` and the scratch area sit in its memory. */
  readonly wasm: { exports: KeccakExports; base: number; scratch: number };
  /** Hashes `mem[0..size)` and leaves the digest in `mem[0..32)`. */
  hashInPlace(size: number): void;
  /** keccak256(data) written into `out` at `outOffset` (data of any length). */
  hashInto(data: Uint8Array, out: Uint8Array, outOffset: number): void;
  /** Incremental hashing of a long input. */
  begin(): void;
  /** Absorbs `mem[0..size)` (size <= KECCAK_ENGINE_BUFFER). */
  absorb(size: number): void;
  /** Finishes and returns the 32-byte digest (copied). */
  finish(): Uint8Array;
  /** Leaf hashes of `count` packed records (98 bytes each) at `src[srcOff..]` into `dst[dstOff..]` (32 bytes each). */
  leavesInto(src: Uint8Array, srcOff: number, count: number, dst: Uint8Array, dstOff: number): void;
  /** `count` inner nodes from the 2·count consecutive nodes at `src[srcOff..]` into `dst[dstOff..]`. */
  pairsInto(src: Uint8Array, srcOff: number, count: number, dst: Uint8Array, dstOff: number): void;
}

const modules: { private?: WasmModule; shared?: WasmModule } = {};

/**
 * The compiled module (cached). `shared` selects the variant that imports a shared memory, for
 * several threads working on one SharedArrayBuffer-backed memory.
 */
export function keccakWasmModule(shared = false): WasmModule {
  const key = shared ? "shared" : "private";
  return (modules[key] ??= new WA.Module(keccakModuleBytes(shared)));
}

/** Instantiates the module over `memory` (shared memories need the shared module). */
export function instantiateKeccak(memory: WasmMemory, shared = false): KeccakExports {
  return new WA.Instance(keccakWasmModule(shared), { env: { memory } }).exports as KeccakExports;
}

/** A shared WebAssembly memory of at least `bytes` bytes (its buffer is a SharedArrayBuffer). */
export function sharedWasmMemory(bytes: number): WasmMemory {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  return new WA.Memory({ initial: pages, maximum: pages, shared: true });
}

/** Offsets in an engine's private memory. */
const SCRATCH = KECCAK_RESERVED;
const BASE = SCRATCH + KECCAK_SCRATCH;
const OUT = BASE + KECCAK_ENGINE_BUFFER;

/** Batches through the I/O window: inputs first, outputs after them. */
const LEAVES_PER_CALL = Math.floor(KECCAK_ENGINE_BUFFER / (PACKED_RECORD_BYTES + 32));
const LEAVES_OUT = LEAVES_PER_CALL * PACKED_RECORD_BYTES;
const PAIRS_PER_CALL = Math.floor(KECCAK_ENGINE_BUFFER / 96);
const PAIRS_OUT = PAIRS_PER_CALL * 64;

/** Instantiates an engine with its own memory. */
export function createKeccakEngine(): KeccakEngine {
  const memory = new WA.Memory({ initial: 1 });
  const ex = instantiateKeccak(memory);
  const mem = new Uint8Array(memory.buffer, BASE, KECCAK_ENGINE_BUFFER);
  const digest = new Uint8Array(memory.buffer, OUT, 32);
  return {
    mem,
    wasm: { exports: ex, base: BASE, scratch: SCRATCH },
    hashInPlace(size: number) {
      ex.keccak(BASE, size, BASE, SCRATCH);
    },
    hashInto(data: Uint8Array, out: Uint8Array, outOffset: number) {
      ex.init(SCRATCH);
      for (let i = 0; i < data.length; i += KECCAK_ENGINE_BUFFER) {
        const chunk = data.subarray(i, Math.min(data.length, i + KECCAK_ENGINE_BUFFER));
        mem.set(chunk, 0);
        ex.update(BASE, chunk.length, SCRATCH);
      }
      ex.final(OUT, SCRATCH);
      out.set(digest, outOffset);
    },
    begin() {
      ex.init(SCRATCH);
    },
    absorb(size: number) {
      ex.update(BASE, size, SCRATCH);
    },
    finish() {
      ex.final(OUT, SCRATCH);
      return digest.slice();
    },
    leavesInto(src, srcOff, count, dst, dstOff) {
      for (let done = 0; done < count; done += LEAVES_PER_CALL) {
        const k = Math.min(LEAVES_PER_CALL, count - done);
        mem.set(src.subarray(srcOff + done * PACKED_RECORD_BYTES, srcOff + (done + k) * PACKED_RECORD_BYTES), 0);
        ex.leaves(BASE, k, BASE + LEAVES_OUT, SCRATCH);
        dst.set(mem.subarray(LEAVES_OUT, LEAVES_OUT + 32 * k), dstOff + 32 * done);
      }
    },
    pairsInto(src, srcOff, count, dst, dstOff) {
      for (let done = 0; done < count; done += PAIRS_PER_CALL) {
        const k = Math.min(PAIRS_PER_CALL, count - done);
        mem.set(src.subarray(srcOff + 64 * done, srcOff + 64 * (done + k)), 0);
        ex.pairs(BASE, k, BASE + PAIRS_OUT, SCRATCH);
        dst.set(mem.subarray(PAIRS_OUT, PAIRS_OUT + 32 * k), dstOff + 32 * done);
      }
    },
  };
}

let shared: KeccakEngine | undefined;

/** The calling thread's shared engine. Callers must not hold `mem` across calls to other modules. */
export function keccakEngine(): KeccakEngine {
  shared ??= createKeccakEngine();
  return shared;
}

/** keccak256 of bytes as a Uint8Array (32 bytes). */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  keccakEngine().hashInto(data, out, 0);
  return out;
}
