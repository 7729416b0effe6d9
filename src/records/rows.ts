/**
 * What the CSV, JSON and NDJSON readers (./csv, ./json) feed: a RowSink that knows its columns,
 * validates each row's fields and collects every problem as a RecordIssue. Node records
 * (./sink, RecordSink) and usage records (./usage, UsageSink) are two sinks over the same readers,
 * so both file kinds get one implementation of the formats, with the same line numbers and messages.
 */
import { z } from "zod";

import { InvalidInputError, RecordIssue, RecordsError } from "../errors";
import { readUintBE, writeUintBE } from "./codec";

/** A consumer of raw rows (see the module doc). */
export interface RowSink {
  /** Column names, in the sink's field order (the order of `row`'s arrays). */
  readonly columns: readonly string[];
  /** For JSON rows: true where a column must be a JSON string (the others take integers). */
  readonly textColumns: readonly boolean[];
  /** zod schema of one JSON / NDJSON row object (a strict object of exactly the columns). */
  readonly rowSchema: z.ZodType;
  /** What the file holds, for messages ("records", "usage"). */
  readonly fileKind: string;
  /** What one row is, for messages ("record", "usage record"). */
  readonly rowNoun: string;
  /** Records a problem at a line (and column). */
  issue(line: number, column: string | undefined, reason: string): void;
  /**
   * One row: the field of column `c` is `bufs[c][starts[c]..ends[c])`; `preset[c]`, when not
   * null, is a reason found before (a JSON value of the wrong type). Returns true if the row is valid.
   */
  row(line: number, bufs: readonly Uint8Array[], starts: ArrayLike<number>, ends: ArrayLike<number>, preset?: readonly (string | null)[]): boolean;
}

/** Options every reader of a sink takes. */
export interface IssueOptions {
  /** Stop listing issues after this many (default 1,000); the error says how many more there were. */
  maxIssues?: number;
  /** File name used in error messages. */
  file?: string;
}

/** Issue bookkeeping shared by the sinks: the list, its bound, and the final sorted RecordsError. */
export class IssueCollector {
  readonly issues: RecordIssue[] = [];
  private extraIssues = 0;
  private readonly maxIssues: number;

  constructor(
    private readonly columnOrder: readonly string[],
    private readonly issueOptions: IssueOptions = {},
  ) {
    this.maxIssues = issueOptions.maxIssues ?? 1000;
  }

  /** Records a problem at a line (and column). */
  issue(line: number, column: string | undefined, reason: string): void {
    if (this.issues.length >= this.maxIssues) {
      this.extraIssues++;
      return;
    }
    this.issues.push(column === undefined ? { line, reason } : { line, column, reason });
  }

  /** Records a problem of the field in column `column` (index in the column order); returns 1, to count bad fields. */
  protected fieldIssue(line: number, column: number, reason: string): number {
    this.issue(line, this.columnOrder[column], reason);
    return 1;
  }

  get hasIssues(): boolean {
    return this.issues.length > 0;
  }

  /** Throws one RecordsError listing every issue (by line, then column order), if there is any. */
  throwIfIssues(): void {
    if (this.issues.length === 0) return;
    const col = (c: string | undefined) => (c === undefined ? -1 : this.columnOrder.indexOf(c));
    this.issues.sort((a, b) => a.line - b.line || col(a.column) - col(b.column));
    if (this.extraIssues > 0) this.issues.push({ line: this.issues[this.issues.length - 1].line, reason: `${this.extraIssues} more issues not listed` });
    throw new RecordsError(this.issues, this.issueOptions.file);
  }
}

/**
 * The epoch every row of a file must carry: the given one, or else the first valid row's.
 * Compares the 8 big-endian bytes a sink has just written.
 */
export class ExpectedEpoch {
  private expected: Uint8Array | null = null;
  private fromFirstRow = false;

  constructor(epoch?: bigint | number) {
    if (epoch !== undefined) {
      const e = typeof epoch === "bigint" || Number.isSafeInteger(epoch) ? BigInt(epoch) : -1n;
      if (e < 0n || e >= 1n << 64n) throw new InvalidInputError(`expected epoch must be an integer from 0 to 2^64-1, got ${String(epoch)}`);
      this.expected = new Uint8Array(8);
      writeUintBE(this.expected, 0, 8, e);
    }
  }

  /** Null if the epoch at `buf[off..off+8)` is the expected one (or becomes it), else the reason. */
  check(buf: Uint8Array, off: number): string | null {
    const want = this.expected;
    if (want === null) {
      this.expected = buf.slice(off, off + 8);
      this.fromFirstRow = true;
      return null;
    }
    for (let i = 0; i < 8; i++) {
      if (buf[off + i] !== want[i]) {
        return `epoch mismatch: expected ${readUintBE(want, 0, 8)}${this.fromFirstRow ? " (the first row's)" : ""}, got ${readUintBE(buf, off, 8)}`;
      }
    }
    return null;
  }
}
