/**
 * RecordSink: the node-records RowSink (./rows). It receives raw rows from a format reader,
 * validates each field (./fields), packs good rows into a RecordTable and collects every problem
 * as a RecordIssue. `finish()` adds the
 * whole-file checks (duplicate nodeIds) and throws one RecordsError listing every issue.
 */
import { PACKED, PACKED_RECORD_SIZE, bytesToHex } from "./codec";
import { RECORD_COLUMNS, parseEvidenceField, parseNodeIdField, parseUintField, parseUptimeField } from "./fields";
import { RecordRowSchema } from "./json";
import { KeccakEngine, keccakEngine } from "../merkle/keccak";
import { ExpectedEpoch, IssueCollector, IssueOptions, RowSink } from "./rows";
import { sortByKey32 } from "./sort";
import { RecordTable } from "./table";

/** Options of every records reader. */
export interface ParseRecordsOptions extends IssueOptions {
  /** The epoch every row must carry. Without it, every row must carry the first row's epoch. */
  epoch?: bigint | number;
  /** Called after each chunk with the table so far (rows below `table.count` are final). */
  onProgress?: (table: RecordTable) => void;
}

/** Validates node-record rows into a RecordTable and collects issues (see the module doc). */
export class RecordSink extends IssueCollector implements RowSink {
  readonly columns = RECORD_COLUMNS;
  readonly textColumns = [true, false, false, false, false, true];
  readonly rowSchema = RecordRowSchema;
  readonly fileKind = "records";
  readonly rowNoun = "record";
  readonly table = new RecordTable(4096);
  private readonly engine: KeccakEngine = keccakEngine();
  private readonly epoch: ExpectedEpoch;

  constructor(opts: ParseRecordsOptions = {}) {
    super(RECORD_COLUMNS, opts);
    this.epoch = new ExpectedEpoch(opts.epoch);
  }

  /** One row in RECORD_COLUMNS order (see RowSink.row). */
  row(line: number, bufs: readonly Uint8Array[], starts: ArrayLike<number>, ends: ArrayLike<number>, preset?: readonly (string | null)[]): boolean {
    const t = this.table;
    const off = t.allocRow(line);
    const out = t.data;
    let bad = 0;
    const r0 = preset?.[0] ?? parseNodeIdField(bufs[0], starts[0], ends[0], out, off, this.engine);
    if (r0 !== null) bad += this.fieldIssue(line, 0, r0);
    const r1 = preset?.[1] ?? parseUintField(bufs[1], starts[1], ends[1], 64, out, off + PACKED.epoch, "epoch") ?? this.epoch.check(out, off + PACKED.epoch);
    if (r1 !== null) bad += this.fieldIssue(line, 1, r1);
    const r2 = preset?.[2] ?? parseUintField(bufs[2], starts[2], ends[2], 64, out, off + PACKED.workUnits, "workUnits");
    if (r2 !== null) bad += this.fieldIssue(line, 2, r2);
    const r3 = preset?.[3] ?? parseUptimeField(bufs[3], starts[3], ends[3], out, off);
    if (r3 !== null) bad += this.fieldIssue(line, 3, r3);
    const r4 = preset?.[4] ?? parseUintField(bufs[4], starts[4], ends[4], 128, out, off + PACKED.revenue, "revenue");
    if (r4 !== null) bad += this.fieldIssue(line, 4, r4);
    const r5 = preset?.[5] ?? parseEvidenceField(bufs[5], starts[5], ends[5], out, off);
    if (r5 !== null) bad += this.fieldIssue(line, 5, r5);
    const ok = bad === 0;
    if (!ok) t.popRow();
    return ok;
  }

  /** Whole-file checks; returns the table or throws a RecordsError with every issue. */
  finish(): RecordTable {
    findDuplicateNodeIds(this.table, (line, column, reason) => this.issue(line, column, reason));
    this.throwIfIssues();
    return this.table;
  }
}

/**
 * Reports every duplicate nodeId of a table (at the later line, naming the first), and returns
 * the permutation that sorts the table by nodeId.
 */
export function findDuplicateNodeIds(table: RecordTable, report: (line: number, column: string, reason: string) => void): Uint32Array {
  const perm = sortByKey32(table.data, PACKED_RECORD_SIZE, PACKED.nodeId, table.count);
  const d = table.data;
  let runFirst = table.count > 0 ? table.lines[perm[0]] : 0;
  for (let k = 1; k < table.count; k++) {
    const a = perm[k - 1] * PACKED_RECORD_SIZE;
    const b = perm[k] * PACKED_RECORD_SIZE;
    let same = true;
    for (let i = 0; i < 32; i++) {
      if (d[a + i] !== d[b + i]) {
        same = false;
        break;
      }
    }
    if (same) {
      report(table.lines[perm[k]], "nodeId", `duplicate nodeId ${bytesToHex(d, b, 32)} (first at line ${runFirst})`);
    } else {
      runFirst = table.lines[perm[k]];
    }
  }
  return perm;
}
