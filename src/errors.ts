/**
 * Errors of the WorkLedger SDK. One base class with a short message, optional details and cause
 * (after viem's BaseError); subclasses per domain. Messages name the field, line or argument.
 */
import { formatRecordIssues } from "./records/issues";

export interface WorkLedgerErrorOptions {
  /** Extra lines for a human (what to check, what was expected). */
  details?: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Machine-readable code, e.g. "E_RECORDS". */
  code?: string;
  /** Process exit code the CLI uses for this error (default 1). */
  exitCode?: number;
}

export class WorkLedgerError extends Error {
  override name = "WorkLedgerError";
  readonly shortMessage: string;
  readonly details?: string;
  readonly code: string;
  readonly exitCode: number;

  constructor(shortMessage: string, options: WorkLedgerErrorOptions = {}) {
    super(options.details ? `${shortMessage}\n${options.details}` : shortMessage, { cause: options.cause });
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.code = options.code ?? "E_WORKLEDGER";
    this.exitCode = options.exitCode ?? 1;
  }

  /** Walks the cause chain and returns the first error matching `fn` (or the deepest one). */
  walk(fn?: (err: unknown) => boolean): unknown {
    return walkCauses(this, fn);
  }
}

/** The first error of `start`'s cause chain matching `fn`, or the deepest one when no `fn`. */
function walkCauses(start: unknown, fn?: (err: unknown) => boolean): unknown {
  for (let err = start; ; ) {
    if (fn && fn(err)) return err;
    const next = (err as { cause?: unknown })?.cause;
    if (next === undefined || next === null) return fn ? undefined : err;
    err = next;
  }
}

/** A bad value from the user: a flag, a file, a field. */
export class InvalidInputError extends WorkLedgerError {
  override name = "InvalidInputError";
  constructor(shortMessage: string, options: WorkLedgerErrorOptions = {}) {
    super(shortMessage, { code: "E_INPUT", exitCode: 2, ...options });
  }
}

/** One problem found in a records file, with its position. */
export interface RecordIssue {
  line: number; // 1-based line (CSV/NDJSON) or record index + 1 (JSON arrays)
  column?: string; // the column / field name, if the problem belongs to one
  reason: string;
}

/** A records (or usage) file with one or more bad rows: nothing is signed or sent. The message lists up to 20 of them. */
export class RecordsError extends WorkLedgerError {
  override name = "RecordsError";
  readonly issues: RecordIssue[];
  readonly file?: string;
  constructor(issues: RecordIssue[], file?: string) {
    // every bad row up to 20, each with its line and column (records/issues.ts)
    super(formatRecordIssues(issues, { file }), { code: "E_RECORDS", exitCode: 2 });
    this.issues = issues;
    this.file = file;
  }
}

/** A contract call reverted with one of WorkLedger's custom errors, decoded with its arguments. */
export class ContractRevertError extends WorkLedgerError {
  override name = "ContractRevertError";
  readonly errorName: string;
  readonly args: Record<string, unknown>;
  constructor(errorName: string, args: Record<string, unknown>, cause?: unknown) {
    const argText = Object.entries(args)
      .map(([k, v]) => `${k}=${typeof v === "bigint" ? v.toString() : String(v)}`)
      .join(", ");
    super(`contract reverted: ${errorName}(${argText})`, { code: "E_REVERT", cause });
    this.errorName = errorName;
    this.args = args;
  }
}

/** The RPC endpoint, deployment or chain is not what was expected. */
export class ChainMismatchError extends WorkLedgerError {
  override name = "ChainMismatchError";
  constructor(shortMessage: string, options: WorkLedgerErrorOptions = {}) {
    super(shortMessage, { code: "E_CHAIN", ...options });
  }
}

/** A proof, signature or report that does not verify. */
export class VerificationError extends WorkLedgerError {
  override name = "VerificationError";
  constructor(shortMessage: string, options: WorkLedgerErrorOptions = {}) {
    super(shortMessage, { code: "E_VERIFY", ...options });
  }
}
