/**
 * Usage records: what one customer used in one epoch (DESIGN.md "Data model"; the leaf encoding is
 * fixed): `(address customer, uint64 epoch, uint64 workUnits, uint128 amount, bytes32 ref)`.
 *
 * A usage file is CSV with the header `customer,epoch,workUnits,amount,ref` (any column order), or
 * a JSON array / NDJSON of objects with exactly those fields. It is read by the same streaming
 * readers as node records (./csv, ./json through ./parse's feedRows), with the same line numbers
 * and messages, into a UsageSink that checks:
 * - customer: 0x + 40 hex digits; mixed case must be the EIP-55 checksum (./address); output checksummed;
 * - epoch: uint64, equal to the expected epoch (or else to the first row's);
 * - workUnits: uint64; amount: uint128, an integer in the token's smallest unit;
 * - ref: 0x + 64 hex digits used as is, or any other non-empty text hashed like a nodeId (keccak256(utf8));
 * - one row per customer; Σ amount fits uint128 (the signed `totalUsage`).
 *
 * Empty files: a file with nothing in it (no CSV header, no JSON array, no NDJSON line) is an error;
 * a CSV header with no rows, or `[]`, is a valid epoch with zero usage.
 *
 * Rows are kept as their ABI encoding (`abi.encode(leaf)`, 160 bytes), which is what the usage
 * tree (./usageTree) hashes, so parsing and hashing share one binary form.
 */
import { z } from "zod";

import { checksumAddressOf, parseAddressField } from "./address";
import { bytesToHex, readUintBE } from "./codec";
import { parseIdField, parseUintField } from "./fields";
import { jsonIntLike } from "./json";
import { KeccakEngine, keccakEngine } from "../merkle/keccak";
import { RecordsFormat, feedRows, openRowsFile } from "./parse";
import { ExpectedEpoch, IssueCollector, IssueOptions, RowSink } from "./rows";
import { sortByKey32 } from "./sort";

/** A usage record: one customer, one epoch. Field order is the leaf's ABI encoding order. */
export interface UsageRecord {
  customer: string; // address, EIP-55 checksummed
  epoch: bigint; // uint64
  workUnits: bigint; // uint64
  amount: bigint; // uint128, token's smallest unit
  ref: string; // bytes32, 0x-prefixed lowercase hex
}

/** A usage record as JSON (integers as decimal strings): the form bundles and reports carry. */
export interface UsageRecordJson {
  customer: string;
  epoch: string;
  workUnits: string;
  amount: string;
  ref: string;
}

/** A usage record given by a caller: objects with bigints, or their JSON form (decimal strings). */
export type UsageRecordInput = UsageRecord | UsageRecordJson;

/** StandardMerkleTree leaf encoding of a usage record (DESIGN.md, fixed). */
export const USAGE_LEAF_ENCODING = ["address", "uint64", "uint64", "uint128", "bytes32"] as const;

/** Names of the five columns of a usage file, in leaf order. */
export const USAGE_COLUMNS = ["customer", "epoch", "workUnits", "amount", "ref"] as const;

/** zod schema of one usage object of a JSON / NDJSON usage file (exactly the five fields). */
export const UsageRowSchema = z.strictObject({
  customer: z.string(),
  epoch: jsonIntLike,
  workUnits: jsonIntLike,
  amount: jsonIntLike,
  ref: z.string(),
});

/** Size of a usage row: its ABI encoding, five 32-byte words. */
export const USAGE_ROW_SIZE = 160;
/** Offsets of the fields inside a usage row (right-aligned in their words). */
export const USAGE_AT = { customer: 12, epoch: 56, workUnits: 88, amount: 112, ref: 128 } as const;

const UINT128_MAX = (1n << 128n) - 1n;

/** Options of the usage readers. */
export interface ParseUsageOptions extends IssueOptions {
  /** The epoch every row must carry. Without it, every row must carry the first row's epoch. */
  epoch?: bigint | number;
  /** Format; by default from the file extension (.csv, .json, .ndjson/.jsonl) or sniffed from the first byte. */
  format?: RecordsFormat;
}

/** Validated usage rows in file order: `count` ABI-encoded rows of USAGE_ROW_SIZE bytes, with their source lines. */
export interface UsageRows {
  data: Uint8Array;
  lines: Uint32Array;
  count: number;
}

/** The usage RowSink (see the module doc). */
export class UsageSink extends IssueCollector implements RowSink {
  readonly columns = USAGE_COLUMNS;
  readonly textColumns = [true, false, false, false, true];
  readonly rowSchema = UsageRowSchema;
  readonly fileKind = "usage";
  readonly rowNoun = "usage record";
  private data = new Uint8Array(64 * USAGE_ROW_SIZE);
  private lines = new Uint32Array(64);
  private count = 0;
  private readonly engine: KeccakEngine = keccakEngine();
  private readonly epoch: ExpectedEpoch;

  constructor(opts: ParseUsageOptions = {}) {
    super(USAGE_COLUMNS, opts);
    this.epoch = new ExpectedEpoch(opts.epoch);
  }

  /** One row in USAGE_COLUMNS order (see RowSink.row). */
  row(line: number, bufs: readonly Uint8Array[], starts: ArrayLike<number>, ends: ArrayLike<number>, preset?: readonly (string | null)[]): boolean {
    if ((this.count + 1) * USAGE_ROW_SIZE > this.data.length) this.grow();
    const off = this.count * USAGE_ROW_SIZE;
    const out = this.data;
    out.fill(0, off, off + USAGE_ROW_SIZE);
    let bad = 0;
    const r0 = preset?.[0] ?? parseAddressField(bufs[0], starts[0], ends[0], out, off + USAGE_AT.customer, this.engine, "customer");
    if (r0 !== null) bad += this.fieldIssue(line, 0, r0);
    const r1 = preset?.[1] ?? parseUintField(bufs[1], starts[1], ends[1], 64, out, off + USAGE_AT.epoch, "epoch") ?? this.epoch.check(out, off + USAGE_AT.epoch);
    if (r1 !== null) bad += this.fieldIssue(line, 1, r1);
    const r2 = preset?.[2] ?? parseUintField(bufs[2], starts[2], ends[2], 64, out, off + USAGE_AT.workUnits, "workUnits");
    if (r2 !== null) bad += this.fieldIssue(line, 2, r2);
    const r3 = preset?.[3] ?? parseUintField(bufs[3], starts[3], ends[3], 128, out, off + USAGE_AT.amount, "amount");
    if (r3 !== null) bad += this.fieldIssue(line, 3, r3);
    const r4 = preset?.[4] ?? parseIdField(bufs[4], starts[4], ends[4], out, off + USAGE_AT.ref, this.engine, "ref");
    if (r4 !== null) bad += this.fieldIssue(line, 4, r4);
    if (bad === 0) this.lines[this.count++] = line;
    return bad === 0;
  }

  /** Whole-file checks (one row per customer, Σ amount within uint128); returns the rows or throws a RecordsError with every issue. */
  finish(): UsageRows {
    const rows: UsageRows = { data: this.data.subarray(0, this.count * USAGE_ROW_SIZE), lines: this.lines.subarray(0, this.count), count: this.count };
    findDuplicateCustomers(rows, (line, reason) => this.issue(line, "customer", reason));
    let total = 0n;
    for (let i = 0; i < rows.count; i++) {
      total += readUintBE(rows.data, i * USAGE_ROW_SIZE + USAGE_AT.amount, 16);
      if (total > UINT128_MAX) {
        this.issue(rows.lines[i], "amount", `total usage exceeds the uint128 maximum at this row (Σ amount so far ${total})`);
        break;
      }
    }
    this.throwIfIssues();
    return rows;
  }

  private grow(): void {
    const data = new Uint8Array(this.data.length * 2);
    data.set(this.data);
    const lines = new Uint32Array(this.lines.length * 2);
    lines.set(this.lines);
    this.data = data;
    this.lines = lines;
  }
}

/**
 * Reports every repeated customer (at the later line, naming the first) and returns the
 * permutation that orders the rows by customer address (ascending bytes).
 */
export function findDuplicateCustomers(rows: UsageRows, report: (line: number, reason: string) => void): Uint32Array {
  // the 32 bytes from the address on are the address and the epoch word's zero padding: sorting by
  // them orders rows by address, and two rows of one address compare equal
  const perm = sortByKey32(rows.data, USAGE_ROW_SIZE, USAGE_AT.customer, rows.count);
  let first = 0;
  for (let k = 1; k < rows.count; k++) {
    const a = perm[first] * USAGE_ROW_SIZE;
    const b = perm[k] * USAGE_ROW_SIZE;
    let same = true;
    for (let i = USAGE_AT.customer; i < 32; i++) {
      if (rows.data[a + i] !== rows.data[b + i]) {
        same = false;
        break;
      }
    }
    if (same) report(rows.lines[perm[k]], `duplicate customer ${checksumAddressOf(rows.data, b + USAGE_AT.customer)} (first at line ${rows.lines[perm[first]]}): one usage record per customer and epoch`);
    else first = k;
  }
  return perm;
}

/** The usage record of row `i`. */
export function usageRowAt(rows: Pick<UsageRows, "data">, i: number): UsageRecord {
  const o = i * USAGE_ROW_SIZE;
  const d = rows.data;
  return {
    customer: checksumAddressOf(d, o + USAGE_AT.customer),
    epoch: readUintBE(d, o + USAGE_AT.epoch, 8),
    workUnits: readUintBE(d, o + USAGE_AT.workUnits, 8),
    amount: readUintBE(d, o + USAGE_AT.amount, 16),
    ref: bytesToHex(d, o + USAGE_AT.ref, 32),
  };
}

/** Every row as a usage record, in file order. */
export function usageRecordsOf(rows: UsageRows): UsageRecord[] {
  const out: UsageRecord[] = new Array(rows.count);
  for (let i = 0; i < rows.count; i++) out[i] = usageRowAt(rows, i);
  return out;
}

/**
 * Validates usage records given as objects (from code, or from a bundle's JSON) with the file rules
 * (a `ref` may be text, hashed like a nodeId) and returns their rows; a bad record throws a
 * RecordsError whose `line` is the record's index + 1.
 */
export function usageRowsFrom(records: readonly UsageRecordInput[], options: Pick<ParseUsageOptions, "epoch"> = {}): UsageRows {
  const sink = new UsageSink(options);
  const starts = new Int32Array(5);
  const ends = new Int32Array(5);
  records.forEach((r, i) => {
    const preset: (string | null)[] = [];
    const texts = USAGE_COLUMNS.map((c, k) => {
      const v: unknown = r?.[c];
      const text = sink.textColumns[k];
      const ok = text ? typeof v === "string" : typeof v === "bigint" || typeof v === "string" || (typeof v === "number" && Number.isSafeInteger(v));
      preset.push(ok ? null : `${c} must be ${text ? "a string" : "a bigint, a safe integer or a decimal string"}`);
      return ok ? String(v) : "";
    });
    const buf = Buffer.from(texts.join(""), "utf8");
    let at = 0;
    texts.forEach((t, k) => {
      starts[k] = at;
      at += Buffer.byteLength(t, "utf8");
      ends[k] = at;
    });
    sink.row(i + 1, [buf, buf, buf, buf, buf], starts, ends, preset);
  });
  return sink.finish();
}

/**
 * Reads usage records from chunks (a stream). Throws RecordsError listing every bad row.
 *
 * @example
 * const usage = await parseUsageStream(fs.createReadStream("usage-7.csv"), { format: "csv", epoch: 7n });
 */
export async function parseUsageStream(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, options: ParseUsageOptions = {}): Promise<UsageRecord[]> {
  const sink = new UsageSink(options);
  await feedRows(chunks, sink, options.format);
  return usageRecordsOf(sink.finish());
}

/** Reads usage records from an in-memory string or bytes. */
export async function parseUsage(input: string | Uint8Array, options: ParseUsageOptions = {}): Promise<UsageRecord[]> {
  return parseUsageStream([typeof input === "string" ? Buffer.from(input, "utf8") : input], options);
}

/**
 * Reads a usage file (CSV, JSON or NDJSON; streaming).
 *
 * @example
 * const usage = await readUsageFile("usage-7.csv", { epoch: 7n });
 * const { root, usageCount, totalUsage } = buildUsage(usage);
 */
export async function readUsageFile(file: string, options: ParseUsageOptions = {}): Promise<UsageRecord[]> {
  const { chunks, format } = openRowsFile(file, "usage", options.format);
  return parseUsageStream(chunks, { ...options, format, file: options.file ?? file });
}
