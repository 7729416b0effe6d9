/**
 * Value codecs between the reader's rows in JS (hashes as lowercase 0x-hex, addresses checksummed,
 * integers as numbers) and what the engines store (BLOB/BYTEA for hashes and addresses), the undo
 * log's JSON form of a row, and the packed form of a log's topics and data words.
 */
import { getAddress } from "ethers";

import type { ColumnDef, ColumnKind, TableDef } from "./schema";

export type Row = Record<string, unknown>;

const checksums = new Map<string, string>();
/** getAddress of a 0x-hex address, memoized (bounded). */
export function checksum(address: string): string {
  const key = address.toLowerCase();
  let v = checksums.get(key);
  if (v === undefined) {
    v = getAddress(key);
    if (checksums.size > 100_000) checksums.clear();
    checksums.set(key, v);
  }
  return v;
}

/** 0x-hex (or a Buffer) as the bytes a BLOB/BYTEA column stores. */
export function bytesOf(v: unknown, column = "value"): Buffer {
  if (Buffer.isBuffer(v)) return v;
  const s = String(v);
  if (!/^0x([0-9a-fA-F]{2})*$/.test(s)) throw new Error(`column ${column}: expected 0x-hex, got ${s.slice(0, 80)}`);
  return Buffer.from(s.slice(2), "hex");
}

/** A JS value (as handlers and callers give it) in the row's canonical JS form. */
export function normalizeValue(c: ColumnDef, v: unknown): unknown {
  if (v === null || v === undefined) {
    if (!c.nullable && v === null) throw new Error(`column ${c.name} is NOT NULL`);
    return v;
  }
  switch (c.kind) {
    case "int":
    case "small": {
      if (typeof v === "number") return v;
      const b = BigInt(v as bigint | string | number);
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case "text":
      return String(v);
    case "hash":
      return Buffer.isBuffer(v) ? "0x" + v.toString("hex") : String(v).toLowerCase();
    case "addr":
      return checksum(Buffer.isBuffer(v) ? "0x" + v.toString("hex") : String(v).toLowerCase());
    case "blob":
      return Buffer.isBuffer(v) ? v : bytesOf(v, c.name);
  }
}

/** A canonical JS value as the engine stores it. */
export function toDb(c: ColumnDef, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (c.kind === "hash" || c.kind === "addr" || c.kind === "blob") return bytesOf(v, c.name);
  return v;
}

/** A value read from the engine in canonical JS form. */
export function fromDb(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case "int":
    case "small":
      return typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : typeof v === "string" ? Number(v) : v;
    case "hash":
      return "0x" + (v as Buffer).toString("hex");
    case "addr":
      return checksum("0x" + (v as Buffer).toString("hex"));
    case "blob":
      return Buffer.from(v as Uint8Array);
    default:
      return v;
  }
}

const kindsByTable = new WeakMap<TableDef, Map<string, ColumnKind>>();

/** A row read from the engine, every column decoded (columns not in the table are left as they are). */
export function rowFromDb(t: TableDef, raw: Row): Row {
  let kinds = kindsByTable.get(t);
  if (!kinds) kindsByTable.set(t, (kinds = new Map(t.columns.map((c) => [c.name, c.kind]))));
  const out: Row = {};
  for (const k in raw) {
    const kind = kinds.get(k);
    out[k] = kind ? fromDb(kind, raw[k]) : raw[k];
  }
  return out;
}

/** The undo log's JSON of a canonical row (integers beyond 2^53 as strings). */
export function rowToJson(t: TableDef, row: Row): string {
  const o: Record<string, unknown> = {};
  for (const c of t.columns) {
    const v = row[c.name];
    o[c.name] = typeof v === "bigint" ? v.toString() : Buffer.isBuffer(v) ? "0x" + v.toString("hex") : v;
  }
  return JSON.stringify(o);
}

export function rowFromJson(t: TableDef, json: string): Row {
  const o = JSON.parse(json) as Row;
  const out: Row = {};
  for (const c of t.columns) out[c.name] = normalizeValue(c, o[c.name]);
  return out;
}

/** The first 4 bytes of a topic as a signed 32-bit integer (the `events.sig` column). */
export function topicSig(topic0: string): number {
  return parseInt(topic0.slice(2, 10), 16) | 0;
}

/**
 * Pack a log's topics after topic0 and its data words: byte 0 is the topic count (bit 7 set when the
 * data is not whole 32-byte words, then stored raw after the topics); each word is one length byte
 * and its bytes without leading zeros. Event words are mostly small numbers: this is 2–5× smaller
 * than the words themselves.
 */
export function packLog(topics: readonly string[], data: string): Buffer {
  const rest = topics.slice(1);
  const dataBytes = Buffer.from(data.slice(2), "hex");
  const whole = dataBytes.length % 32 === 0;
  const parts: Buffer[] = [Buffer.from([rest.length | (whole ? 0 : 0x80)])];
  const word = (w: Buffer) => {
    let i = 0;
    while (i < w.length && w[i] === 0) i++;
    parts.push(Buffer.from([w.length - i]), w.subarray(i));
  };
  for (const t of rest) word(Buffer.from(t.slice(2), "hex"));
  if (whole) for (let i = 0; i < dataBytes.length; i += 32) word(dataBytes.subarray(i, i + 32));
  else parts.push(dataBytes);
  return Buffer.concat(parts);
}

/** The topics after topic0 and the data of a packed log. */
export function unpackLog(buf: Buffer): { topics: string[]; data: string } {
  const n = buf[0] & 0x7f;
  const whole = (buf[0] & 0x80) === 0;
  let p = 1;
  const words: string[] = [];
  const read = () => {
    const len = buf[p++];
    const w = Buffer.alloc(32);
    buf.copy(w, 32 - len, p, p + len);
    p += len;
    return w.toString("hex");
  };
  for (let i = 0; i < n; i++) words.push("0x" + read());
  let data = "0x";
  if (whole) {
    const out: string[] = [];
    while (p < buf.length) out.push(read());
    data += out.join("");
  } else {
    data += buf.subarray(p).toString("hex");
  }
  return { topics: words, data };
}
