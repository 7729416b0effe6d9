/**
 * RecordTable: a compact, growable store of packed records (98 bytes each, see ./codec) with the
 * 1-based source line of each row. A million records take ~102 MB and no JS object per record.
 */
import { PACKED_RECORD_SIZE, packRecordInto, unpackRecord } from "./codec";
import { WorkRecord } from "./types";

/** Zeroed bytes backed by a SharedArrayBuffer, so worker threads can hash rows without a copy. */
export function sharedBytes(size: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(size));
}

/** Packed records (98 bytes each) with their source lines; see the module doc. */
export class RecordTable {
  /** Packed rows, `count * PACKED_RECORD_SIZE` bytes are in use. */
  data: Uint8Array;
  /** Source line of each row (1-based; 0 when the row did not come from a file). */
  lines: Uint32Array;
  count = 0;
  /** Leaf hashes of the rows (32 bytes each, row order) when computed while parsing; valid while `count` is unchanged. */
  leafHashes?: { count: number; bytes: Uint8Array };

  constructor(capacity = 1024, data?: Uint8Array, lines?: Uint32Array, count?: number) {
    this.data = data ?? sharedBytes(Math.max(1, capacity) * PACKED_RECORD_SIZE);
    this.lines = lines ?? new Uint32Array(Math.max(1, capacity));
    if (count !== undefined) this.count = count;
  }

  /** A table holding the given (already valid) records. */
  static fromRecords(records: readonly WorkRecord[]): RecordTable {
    const t = new RecordTable(records.length);
    for (const r of records) t.push(r, 0);
    return t;
  }

  /** Appends an empty row and returns its byte offset (the caller fills the 98 bytes). */
  allocRow(line: number): number {
    if ((this.count + 1) * PACKED_RECORD_SIZE > this.data.length) this.grow();
    const off = this.count * PACKED_RECORD_SIZE;
    this.data.fill(0, off, off + PACKED_RECORD_SIZE);
    this.lines[this.count] = line;
    this.count++;
    return off;
  }

  /** Removes the last row (used when a row turns out to be invalid). */
  popRow(): void {
    if (this.count > 0) this.count--;
  }

  /** Appends a record. */
  push(r: WorkRecord, line: number): void {
    const off = this.allocRow(line);
    packRecordInto(r, this.data, off);
  }

  /** The record at `i` as an object. */
  get(i: number): WorkRecord {
    if (i < 0 || i >= this.count) throw new RangeError(`record index ${i} out of range 0..${this.count - 1}`);
    return unpackRecord(this.data, i * PACKED_RECORD_SIZE);
  }

  /** Every record as an object (materializes the whole table; for small tables). */
  toArray(): WorkRecord[] {
    const out: WorkRecord[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.get(i);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<WorkRecord> {
    for (let i = 0; i < this.count; i++) yield this.get(i);
  }

  /** Packed bytes of the rows in use. */
  bytes(): Uint8Array {
    return this.data.subarray(0, this.count * PACKED_RECORD_SIZE);
  }

  /** A new table with the rows in the order of `perm` (row perm[i] becomes row i). */
  permute(perm: Uint32Array, shared = true): RecordTable {
    const n = this.count;
    const data = shared ? sharedBytes(Math.max(1, n) * PACKED_RECORD_SIZE) : new Uint8Array(Math.max(1, n) * PACKED_RECORD_SIZE);
    const lines = new Uint32Array(Math.max(1, n));
    const src = this.data;
    for (let i = 0; i < n; i++) {
      const from = perm[i] * PACKED_RECORD_SIZE;
      const to = i * PACKED_RECORD_SIZE;
      for (let k = 0; k < PACKED_RECORD_SIZE; k++) data[to + k] = src[from + k];
      lines[i] = this.lines[perm[i]];
    }
    return new RecordTable(0, data, lines, n);
  }

  private grow(): void {
    const cap = Math.max(1024, (this.data.length / PACKED_RECORD_SIZE) * 2);
    const data = sharedBytes(cap * PACKED_RECORD_SIZE);
    data.set(this.data.subarray(0, this.count * PACKED_RECORD_SIZE));
    const lines = new Uint32Array(cap);
    lines.set(this.lines.subarray(0, this.count));
    this.data = data;
    this.lines = lines;
  }
}
