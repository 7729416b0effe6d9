import { expect } from "chai";
import crypto from "crypto";
import { AbiCoder, keccak256 } from "ethers";

import { PACKED_RECORD_SIZE, bytesToHex, leafEncodingFromPacked, recordLeafHash } from "../../../src/records/codec";
import { RECORD_LEAF_ENCODING } from "../../../src/records/types";
import { KECCAK_ENGINE_BUFFER, createKeccakEngine, instantiateKeccak, keccak256Bytes, sharedWasmMemory } from "../../../src/merkle/keccak";
import { KECCAK_RESERVED, KECCAK_SCRATCH } from "../../../src/merkle/keccakWasm";

/** Deterministic bytes (seeded), so a failure names a reproducible input. */
function bytes(seed: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < len; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe("records: the generated WebAssembly keccak256", () => {
  it("equals ethers' keccak256 for every input length from 0 to 1,100 bytes (across the 136-byte rate)", () => {
    for (let len = 0; len <= 1100; len++) {
      const d = bytes(len, len);
      expect(bytesToHex(keccak256Bytes(d)), `length ${len}`).to.equal(keccak256(d));
    }
  });

  it("hashes in place in the I/O window, and inputs longer than the window through hashInto", () => {
    const engine = createKeccakEngine();
    for (const len of [0, 1, 32, 64, 135, 136, 137, 192, 4096, KECCAK_ENGINE_BUFFER]) {
      const d = bytes(7 + len, len);
      engine.mem.set(d, 0);
      engine.hashInPlace(len);
      expect(bytesToHex(engine.mem.subarray(0, 32)), `in place, length ${len}`).to.equal(keccak256(d));
    }
    const big = bytes(99, 3 * KECCAK_ENGINE_BUFFER + 77);
    const out = new Uint8Array(40);
    engine.hashInto(big, out, 8);
    expect(bytesToHex(out.subarray(8))).to.equal(keccak256(big));
  });

  it("absorbs incrementally in pieces of any size and gives the one-shot digest", () => {
    const engine = createKeccakEngine();
    const cuts = [[1], [135, 1], [136], [137, 135], [3, 5, 7, 300, 1], [16384, 16384, 9]];
    for (const sizes of cuts) {
      const total = sizes.reduce((a, b) => a + b, 0);
      const d = bytes(total, total);
      engine.begin();
      let off = 0;
      for (const n of sizes) {
        engine.mem.set(d.subarray(off, off + n), 0);
        engine.absorb(n);
        off += n;
      }
      expect(bytesToHex(engine.finish()), `pieces ${sizes.join("+")}`).to.equal(keccak256(d));
    }
  });

  it("hashes a sorted pair, a run of leaves and a run of pairs inside the module", () => {
    const memory = sharedWasmMemory(1 << 16);
    const ex = instantiateKeccak(memory, true);
    const m = new Uint8Array(memory.buffer);
    const s = KECCAK_RESERVED;
    const base = KECCAK_RESERVED + 2 * KECCAK_SCRATCH;
    // pair: the smaller node first, whichever argument it is
    const a = bytes(1, 32);
    const b = bytes(2, 32);
    const [lo, hi] = Buffer.compare(a, b) < 0 ? [a, b] : [b, a];
    const expected = keccak256(Buffer.concat([lo, hi]));
    for (const [x, y] of [[a, b], [b, a]]) {
      m.set(x, base);
      m.set(y, base + 32);
      ex.pair(base, base + 32, base + 64, s);
      expect(bytesToHex(m.subarray(base + 64, base + 96))).to.equal(expected);
    }
    m.set(a, base);
    m.set(a, base + 32);
    ex.pair(base, base + 32, base + 64, s);
    expect(bytesToHex(m.subarray(base + 64, base + 96)), "equal nodes").to.equal(keccak256(Buffer.concat([a, a])));
    // leaves: keccak256(keccak256(abi.encode(record)))
    const recs = bytes(3, 5 * PACKED_RECORD_SIZE);
    m.set(recs, base);
    ex.leaves(base, 5, base + 1024, s);
    for (let i = 0; i < 5; i++) {
      const enc = new Uint8Array(192);
      leafEncodingFromPacked(recs, i * PACKED_RECORD_SIZE, enc, true);
      expect(bytesToHex(m.subarray(base + 1024 + 32 * i, base + 1056 + 32 * i)), `leaf ${i}`).to.equal(keccak256(keccak256(enc)));
    }
    // pairs: 3 inner nodes from 6 consecutive children
    const kids = base + 2048;
    const parents = base + 4096;
    m.set(bytes(4, 6 * 32), kids);
    ex.pairs(kids, 3, parents, s);
    const node = (at: number, i: number) => m.subarray(at + 32 * i, at + 32 * i + 32);
    for (const i of [0, 1, 2]) {
      const [l, r] = [node(kids, 2 * i), node(kids, 2 * i + 1)];
      const want = keccak256(Buffer.compare(l, r) <= 0 ? Buffer.concat([l, r]) : Buffer.concat([r, l]));
      expect(bytesToHex(node(parents, i)), `node ${i}`).to.equal(want);
    }
  });

  it("decodes 0x-hex of 32 bytes in the module, and refuses every byte that is not a hex digit", () => {
    const memory = sharedWasmMemory(1 << 16);
    const ex = instantiateKeccak(memory, true);
    const m = Buffer.from(memory.buffer);
    const src = 4096;
    const dst = 8192;
    const digits = new Set([..."0123456789abcdefABCDEF"].map((c) => c.charCodeAt(0)));
    for (let seed = 0; seed < 20; seed++) {
      const want = Buffer.from(bytes(seed, 32));
      const text = "0" + (seed % 2 ? "X" : "x") + (seed % 3 ? want.toString("hex") : want.toString("hex").toUpperCase());
      m.write(text, src, "latin1");
      expect(ex.hex32(src, dst), text).to.equal(1);
      expect(m.subarray(dst, dst + 32).equals(want), text).to.equal(true);
      // every byte value at one position of the digits: accepted exactly when it is a digit
      const at = src + 2 + ((seed * 7) % 64);
      const wrong: number[] = [];
      for (let b = 0; b < 256; b++) {
        m.write(text, src, "latin1");
        m[at] = b;
        if (ex.hex32(src, dst) !== (digits.has(b) ? 1 : 0)) wrong.push(b);
      }
      expect(wrong, `bytes judged wrongly at digit ${at - src - 2}`).to.deep.equal([]);
      // and the prefix
      for (const [p0, p1] of [[0x31, 0x78], [0x30, 0x79], [0x30, 0x30], [0x30, 0xf8]]) {
        m.write(text, src, "latin1");
        m[src] = p0;
        m[src + 1] = p1;
        expect(ex.hex32(src, dst), `prefix ${p0},${p1}`).to.equal(0);
      }
    }
  });

  it("recordLeafHash is StandardMerkleTree's leaf hash: keccak256(keccak256(abi.encode(record)))", () => {
    const coder = AbiCoder.defaultAbiCoder();
    for (let seed = 0; seed < 50; seed++) {
      const b = bytes(seed, 80);
      const record = {
        nodeId: bytesToHex(b.subarray(0, 32)),
        epoch: BigInt(seed) * 1_000_003n,
        workUnits: seed % 2 ? (1n << 64n) - 1n : BigInt(seed),
        uptimeBps: (seed * 211) % 10_001,
        revenue: seed % 3 ? (1n << 128n) - 1n - BigInt(seed) : BigInt(seed) * 10n ** 18n,
        evidence: bytesToHex(b.subarray(32, 64)),
      };
      const values = [record.nodeId, record.epoch, record.workUnits, record.uptimeBps, record.revenue, record.evidence];
      expect(recordLeafHash(record), `seed ${seed}`).to.equal(keccak256(keccak256(coder.encode([...RECORD_LEAF_ENCODING], values))));
    }
  });

  it("keeps two threads' scratch areas apart on one shared memory", () => {
    const memory = sharedWasmMemory(1 << 16);
    const one = instantiateKeccak(memory, true);
    const two = instantiateKeccak(memory, true);
    const m = new Uint8Array(memory.buffer);
    const base = KECCAK_RESERVED + 4 * KECCAK_SCRATCH;
    const d = crypto.randomBytes(200);
    m.set(d, base);
    one.keccak(base, 200, base + 256, KECCAK_RESERVED);
    two.keccak(base, 200, base + 288, KECCAK_RESERVED + KECCAK_SCRATCH);
    expect(bytesToHex(m.subarray(base + 256, base + 288))).to.equal(keccak256(d));
    expect(bytesToHex(m.subarray(base + 288, base + 320))).to.equal(keccak256(d));
  });
});
