/**
 * Byte-level validators of the fields of node records and usage records. Each reads a field's raw
 * bytes (`buf[s..e)`), writes its binary form into a row (a RecordTable row, a usage row) and
 * returns null, or returns the reason it is invalid. The CSV, JSON and NDJSON readers all go
 * through these, so a value gets the same verdict (and the same message) in every format.
 *
 * nodeId rule (DESIGN.md, fixed): a value starting with `0x` must be 32-byte hex (64 hex digits)
 * and is used as is, lowercased; any other non-empty string is `keccak256(utf8(value))`. A usage
 * record's `ref` follows the same rule. Addresses: ./address.
 */
import { PACKED } from "./codec";
import { KeccakEngine } from "../merkle/keccak";
import { BPS } from "./types";

/** Names of the six columns, in leaf order. */
export const RECORD_COLUMNS = ["nodeId", "epoch", "workUnits", "uptimeBps", "revenue", "evidence"] as const;
export type RecordColumn = (typeof RECORD_COLUMNS)[number];

/** Value of a hex digit by character code (-1 if not a hex digit). */
export const HEX_VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[97 + i] = 10 + i;
  HEX_VALUE[65 + i] = 10 + i;
}

/** Whether buf[s..e) starts with 0x or 0X. */
export function hasHexPrefix(buf: Uint8Array, s: number, e: number): boolean {
  return e - s >= 2 && buf[s] === 48 && (buf[s + 1] === 120 || buf[s + 1] === 88);
}

/** Decodes `0x` + 64 hex digits into out[off..off+32); returns a reason or null. */
function parseBytes32(buf: Uint8Array, s: number, e: number, out: Uint8Array, off: number, what: string): string | null {
  if (!hasHexPrefix(buf, s, e)) return `${what} must be 0x-prefixed 32-byte hex`;
  const digits = e - s - 2;
  if (digits !== 64) return `${what} must be 32-byte hex (64 hex digits), got ${digits} digits`;
  return decodeHexInto(buf, s + 2, 32, out, off, what);
}

/** Decodes the 2·len hex digits at buf[s..] into out[off..off+len); returns a reason or null. */
export function decodeHexInto(buf: Uint8Array, s: number, len: number, out: Uint8Array, off: number, what: string): string | null {
  for (let i = 0; i < len; i++) {
    const hi = HEX_VALUE[buf[s + 2 * i]];
    const lo = HEX_VALUE[buf[s + 1 + 2 * i]];
    if (hi < 0 || lo < 0) {
      const bad = hi < 0 ? buf[s + 2 * i] : buf[s + 1 + 2 * i];
      return `bad hex character '${String.fromCharCode(bad)}' in ${what}`;
    }
    out[off + i] = (hi << 4) | lo;
  }
  return null;
}

/** An id field (nodeId, a usage ref) into out[off..off+32): 0x + 32-byte hex used as is, or any other non-empty string hashed with keccak256. */
export function parseIdField(buf: Uint8Array, s: number, e: number, out: Uint8Array, off: number, engine: KeccakEngine, what: string): string | null {
  if (e <= s) return `empty ${what}`;
  if (hasHexPrefix(buf, s, e)) return parseBytes32(buf, s, e, out, off, what);
  engine.hashInto(buf.subarray(s, e), out, off);
  return null;
}

/** nodeId of a packed record row (see parseIdField). */
export function parseNodeIdField(buf: Uint8Array, s: number, e: number, out: Uint8Array, row: number, engine: KeccakEngine): string | null {
  return parseIdField(buf, s, e, out, row + PACKED.nodeId, engine, "nodeId");
}

/** evidence: 0x + 32-byte hex. */
export function parseEvidenceField(buf: Uint8Array, s: number, e: number, out: Uint8Array, row: number): string | null {
  if (e <= s) return "empty evidence";
  return parseBytes32(buf, s, e, out, row + PACKED.evidence, "evidence");
}

/**
 * A decimal unsigned integer of `bits` bits written big-endian into out[off..off+bits/8).
 * Returns the reason on failure. `value` receives the number when it is a safe integer (else -1).
 */
export function parseUintField(buf: Uint8Array, s: number, e: number, bits: 16 | 64 | 128, out: Uint8Array, off: number, what: string): string | null {
  if (e <= s) return `empty ${what}`;
  if (buf[s] === 45) return `negative ${what}: ${latin1(buf, s, e)}`;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c < 48 || c > 57) {
      if (c === 46 || c === 101 || c === 69) return notIntegerReason(what, latin1(buf, s, e));
      return `${what} is not a decimal integer: ${latin1(buf, s, e)}`;
    }
    n = n * 10 + (c - 48);
  }
  const bytes = bits / 8;
  if (e - s <= 15) {
    // exact in a double: n < 10^15 < 2^53
    if (bits === 16 && n > 0xffff) return `${what} ${n} exceeds uint16 maximum`;
    out.fill(0, off, off + bytes);
    if (bits === 16) {
      out[off] = n >>> 8;
      out[off + 1] = n & 0xff;
    } else {
      const hi = Math.floor(n / 4294967296);
      const lo = n >>> 0;
      const p = off + bytes - 8;
      out[p] = hi >>> 24;
      out[p + 1] = (hi >>> 16) & 0xff;
      out[p + 2] = (hi >>> 8) & 0xff;
      out[p + 3] = hi & 0xff;
      out[p + 4] = lo >>> 24;
      out[p + 5] = (lo >>> 16) & 0xff;
      out[p + 6] = (lo >>> 8) & 0xff;
      out[p + 7] = lo & 0xff;
    }
    return null;
  }
  // long decimals: six 24-bit limbs (least significant first), fed 7 digits at a time; every
  // intermediate stays below 2^24 * 10^7 < 2^53, so plain numbers are exact (no bigint per value)
  const L = LIMBS;
  L.fill(0);
  let i = s;
  while (i < e) {
    const k = Math.min(7, e - i);
    let chunk = 0;
    for (let j = 0; j < k; j++) chunk = chunk * 10 + (buf[i + j] - 48);
    i += k;
    let carry = chunk;
    const m = POW10[k];
    for (let l = 0; l < 6; l++) {
      const x = L[l] * m + carry;
      carry = Math.floor(x / 16777216);
      L[l] = x - carry * 16777216;
    }
    if (carry !== 0) return `${what} ${BigInt(latin1(buf, s, e, Infinity))} exceeds uint${bits} maximum`;
  }
  // 6 limbs = 18 bytes big-endian in SCRATCH; the value must fit `bytes`
  for (let l = 0; l < 6; l++) {
    const v = L[l];
    const p = 18 - 3 * (l + 1);
    SCRATCH[p] = Math.floor(v / 65536);
    SCRATCH[p + 1] = Math.floor(v / 256) & 0xff;
    SCRATCH[p + 2] = v & 0xff;
  }
  for (let b = 0; b < 18 - bytes; b++) {
    if (SCRATCH[b] !== 0) return `${what} ${BigInt(latin1(buf, s, e, Infinity))} exceeds uint${bits} maximum`;
  }
  for (let b = 0; b < bytes; b++) out[off + b] = SCRATCH[18 - bytes + b];
  return null;
}

/** Fields that hold token amounts, in the token's smallest unit. */
const TOKEN_AMOUNT_FIELDS = new Set(["revenue", "amount"]);

/**
 * The reason for a number with a fraction or an exponent. For token amounts it says that files
 * hold integers in the token's smallest unit (CLI flags such as --amount take decimals), with the
 * integer a plain decimal stands for, e.g. 1.078920 → 1078920 for a 6-decimal token.
 */
export function notIntegerReason(what: string, text: string): string {
  const base = `${what} is not an integer: ${text}`;
  if (!TOKEN_AMOUNT_FIELDS.has(what)) return base;
  const m = /^(\d*)\.(\d{1,18})$/.exec(text);
  const decimals = m && m[2].length > 6 ? 18 : 6;
  const example = m ? `${text} of ${decimals === 18 ? "an" : "a"} ${decimals}-decimal token is ${BigInt((m[1] || "0") + m[2].padEnd(decimals, "0"))}` : "1.5 of a 6-decimal token is 1500000";
  return `${base} (amounts in files are integers in the token's smallest unit: ${example}; only CLI flags such as --amount take decimals)`;
}

const LIMBS = new Float64Array(6);
const SCRATCH = new Uint8Array(18);
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000, 10000000];

/** uptimeBps: integer 0..10000. */
export function parseUptimeField(buf: Uint8Array, s: number, e: number, out: Uint8Array, row: number): string | null {
  const reason = parseUintField(buf, s, e, 16, out, row + PACKED.uptimeBps, "uptimeBps");
  if (reason) return reason;
  const v = (out[row + PACKED.uptimeBps] << 8) | out[row + PACKED.uptimeBps + 1];
  if (v > BPS) return `uptimeBps ${v} exceeds ${BPS}`;
  return null;
}

/** buf[s..e) as text for a message (cut at `limit` bytes). */
export function latin1(buf: Uint8Array, s: number, e: number, limit = 80): string {
  const max = Math.min(e, s + limit);
  let str = Buffer.from(buf.buffer, buf.byteOffset + s, max - s).toString("utf8");
  if (max < e) str += "…";
  return str;
}
