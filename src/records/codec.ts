/**
 * Binary forms of a work record.
 *
 * - **Packed** (98 bytes): `abi.encodePacked(bytes32 nodeId, uint64 epoch, uint64 workUnits,
 *   uint16 uptimeBps, uint128 revenue, bytes32 evidence)`, big-endian. This is the row format of a
 *   {@link RecordTable}, of the epoch bundle, and of the canonical data hash.
 * - **Leaf** (192 bytes): `abi.encode(...)` of the same six fields, which StandardMerkleTree hashes
 *   twice: `leaf = keccak256(keccak256(abi.encode(record)))`.
 */
import { KeccakEngine, keccakEngine } from "../merkle/keccak";
import { PACKED_RECORD_BYTES } from "../merkle/keccakWasm";
import { WorkRecord } from "./types";

/** Size of a packed record. */
export const PACKED_RECORD_SIZE = PACKED_RECORD_BYTES;
/** Offsets of the fields inside a packed record. */
export const PACKED = { nodeId: 0, epoch: 32, workUnits: 40, uptimeBps: 48, revenue: 50, evidence: 66 } as const;
/** Size of the ABI (leaf) encoding of a record: six 32-byte words. */
export const LEAF_ENCODING_SIZE = 192;

const HEX_CODES = Buffer.from("0123456789abcdef", "latin1");
const HEX_SCRATCH = Buffer.alloc(2 + 2 * 256);

/**
 * Lowercase 0x-hex of `len` bytes of `buf` from `off`. Built in a byte buffer and decoded once, so
 * the result is a flat string (string concatenation would build a rope that is slow to read back).
 */
export function bytesToHex(buf: Uint8Array, off = 0, len = buf.length - off): string {
  const need = 2 + 2 * len;
  const s = need <= HEX_SCRATCH.length ? HEX_SCRATCH : Buffer.alloc(need);
  s[0] = 48;
  s[1] = 120;
  for (let i = 0; i < len; i++) {
    const b = buf[off + i];
    s[2 + 2 * i] = HEX_CODES[b >> 4];
    s[3 + 2 * i] = HEX_CODES[b & 15];
  }
  return s.toString("latin1", 0, need);
}

const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_DIGIT[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_DIGIT[97 + i] = HEX_DIGIT[65 + i] = 10 + i;

/** Writes a 0x-prefixed hex string of exactly `len` bytes into `out` at `off`; false if it is not that. */
export function tryHexToBytesInto(hex: string, out: Uint8Array, off: number, len: number): boolean {
  if (typeof hex !== "string" || hex.length !== 2 + 2 * len || hex.charCodeAt(0) !== 48 || (hex.charCodeAt(1) | 32) !== 120) return false;
  for (let i = 0; i < len; i++) {
    const h = hex.charCodeAt(2 + 2 * i);
    const l = hex.charCodeAt(3 + 2 * i);
    const hv = h < 128 ? HEX_DIGIT[h] : -1;
    const lv = l < 128 ? HEX_DIGIT[l] : -1;
    if ((hv | lv) < 0) return false;
    out[off + i] = (hv << 4) | lv;
  }
  return true;
}

/** Writes a 0x-prefixed hex string of exactly `len` bytes into `out` at `off` (throws RangeError otherwise). */
export function hexToBytesInto(hex: string, out: Uint8Array, off: number, len: number): void {
  if (!tryHexToBytesInto(hex, out, off, len)) throw new RangeError(`expected 0x-prefixed hex of ${len} bytes, got "${String(hex).slice(0, 80)}"`);
}

/** Big-endian unsigned integer of `len` bytes as bigint. */
export function readUintBE(buf: Uint8Array, off: number, len: number): bigint {
  // small values (the usual case) without BigInt arithmetic
  let hi = 0;
  for (let i = 0; i < len - 6; i++) hi = hi * 256 + buf[off + i]; // leading bytes
  let lo = 0;
  for (let i = Math.max(0, len - 6); i < len; i++) lo = lo * 256 + buf[off + i]; // last 6 bytes (< 2^48)
  if (hi === 0) return BigInt(lo);
  if (len === 8 && hi < 32) return BigInt(hi * 2 ** 48 + lo); // < 2^53
  let v = 0n;
  for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(buf[off + i]);
  return v;
}

/** Writes `value` as a big-endian unsigned integer of `len` bytes (len a multiple of 4 above 2^53). */
export function writeUintBE(buf: Uint8Array, off: number, len: number, value: bigint): void {
  if (value <= 0x1fffffffffffffn) {
    let n = Number(value);
    for (let i = off + len - 1; i >= off; i--) {
      buf[i] = n % 256;
      n = Math.floor(n / 256);
    }
    return;
  }
  let v = value;
  for (let i = off + len - 4; i >= off; i -= 4) {
    const w = Number(v & 0xffffffffn);
    buf[i] = w >>> 24;
    buf[i + 1] = (w >>> 16) & 0xff;
    buf[i + 2] = (w >>> 8) & 0xff;
    buf[i + 3] = w & 0xff;
    v >>= 32n;
  }
}

/** Packs one record into `out` at `off` (the record must already be valid). */
export function packRecordInto(r: WorkRecord, out: Uint8Array, off: number): void {
  hexToBytesInto(r.nodeId, out, off + PACKED.nodeId, 32);
  hexToBytesInto(r.evidence, out, off + PACKED.evidence, 32);
  packUintsInto(r, out, off);
}

/** Packs the integer fields (epoch, workUnits, uptimeBps, revenue) of a valid record. */
export function packUintsInto(r: WorkRecord, out: Uint8Array, off: number): void {
  writeUintBE(out, off + PACKED.epoch, 8, r.epoch);
  writeUintBE(out, off + PACKED.workUnits, 8, r.workUnits);
  out[off + PACKED.uptimeBps] = (r.uptimeBps >> 8) & 0xff;
  out[off + PACKED.uptimeBps + 1] = r.uptimeBps & 0xff;
  writeUintBE(out, off + PACKED.revenue, 16, r.revenue);
}

/** Unpacks the record at `off`. */
export function unpackRecord(buf: Uint8Array, off: number): WorkRecord {
  return {
    nodeId: bytesToHex(buf, off + PACKED.nodeId, 32),
    epoch: readUintBE(buf, off + PACKED.epoch, 8),
    workUnits: readUintBE(buf, off + PACKED.workUnits, 8),
    uptimeBps: (buf[off + PACKED.uptimeBps] << 8) | buf[off + PACKED.uptimeBps + 1],
    revenue: readUintBE(buf, off + PACKED.revenue, 16),
    evidence: bytesToHex(buf, off + PACKED.evidence, 32),
  };
}

/**
 * Writes the 192-byte ABI encoding of the packed record at `src[off]` into `dst` (which must be
 * zero in the padding bytes, or `zeroPadding` set).
 */
export function leafEncodingFromPacked(src: Uint8Array, off: number, dst: Uint8Array, zeroPadding = true): void {
  if (zeroPadding) dst.fill(0, 0, LEAF_ENCODING_SIZE);
  // byte loops: no subarray allocation per field (this runs a million times per epoch)
  for (let i = 0; i < 32; i++) dst[i] = src[off + i]; // nodeId
  for (let i = 0; i < 8; i++) dst[56 + i] = src[off + PACKED.epoch + i]; // uint64 -> word 1
  for (let i = 0; i < 8; i++) dst[88 + i] = src[off + PACKED.workUnits + i]; // uint64 -> word 2
  dst[126] = src[off + PACKED.uptimeBps]; // uint16 -> word 3
  dst[127] = src[off + PACKED.uptimeBps + 1];
  for (let i = 0; i < 16; i++) dst[144 + i] = src[off + PACKED.revenue + i]; // uint128 -> word 4
  for (let i = 0; i < 32; i++) dst[160 + i] = src[off + PACKED.evidence + i]; // evidence
}

/** StandardMerkleTree leaf hash of a record (0x-hex). */
export function recordLeafHash(record: WorkRecord): string {
  const packed = new Uint8Array(PACKED_RECORD_SIZE);
  packRecordInto(record, packed, 0);
  const out = new Uint8Array(32);
  keccakEngine().leavesInto(packed, 0, 1, out, 0);
  return bytesToHex(out);
}

/** StandardMerkleTree inner node: keccak256 of the two children in ascending byte order. */
export function hashPairInto(engine: KeccakEngine, a: Uint8Array, aOff: number, b: Uint8Array, bOff: number, out: Uint8Array, outOff: number): void {
  const mem = engine.mem;
  let i = 0;
  while (i < 32 && a[aOff + i] === b[bOff + i]) i++;
  if (i === 32 || a[aOff + i] < b[bOff + i]) {
    for (let k = 0; k < 32; k++) {
      mem[k] = a[aOff + k];
      mem[32 + k] = b[bOff + k];
    }
  } else {
    for (let k = 0; k < 32; k++) {
      mem[k] = b[bOff + k];
      mem[32 + k] = a[aOff + k];
    }
  }
  engine.hashInPlace(64);
  for (let k = 0; k < 32; k++) out[outOff + k] = mem[k];
}

/** The record as the JSON-safe tuple StandardMerkleTree takes: [nodeId, epoch, workUnits, uptimeBps, revenue, evidence]. */
export function recordToLeafValues(r: WorkRecord): [string, string, string, string, string, string] {
  return [r.nodeId, r.epoch.toString(), r.workUnits.toString(), String(r.uptimeBps), r.revenue.toString(), r.evidence];
}
