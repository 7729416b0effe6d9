/**
 * Leaf hashing overlapped with parsing: while the reader fills a RecordTable on this thread, a
 * hashing worker hashes the leaves of the rows already parsed, in batches. At the end the tail is
 * hashed here and the leaf hashes (row order) are handed to buildRecordTree, which then only has
 * to sort them and hash the inner nodes.
 */
import { keccakEngine } from "./keccak";
import { RecordTable, sharedBytes } from "../records/table";
import { HashWorker } from "./pool";
import { hashLeavesRange } from "./tree";

/** Rows per batch sent to the worker. */
const BATCH = 50_000;

interface Batch {
  start: number;
  end: number;
  out: Uint8Array;
  done: Promise<void>;
}

/** Sends batches of parsed rows to a hashing worker; see the module doc. */
export class LeafPrehasher {
  private hashedUpTo = 0;
  private readonly batches: Batch[] = [];

  constructor(
    private readonly worker: HashWorker,
    private readonly batchRows = BATCH,
  ) {}

  /** Sends every complete batch of parsed rows to the worker. Rows below `table.count` are final. */
  poll(table: RecordTable): void {
    while (table.count - this.hashedUpTo >= this.batchRows) {
      const start = this.hashedUpTo;
      const end = start + this.batchRows;
      const out = sharedBytes(this.batchRows * 32);
      // the table's current buffer stays valid for these rows even if the table grows later
      const done = this.worker.run({ op: "leaves", records: table.data.buffer, out: out.buffer, start, end, outBase: start });
      this.batches.push({ start, end, out, done });
      this.hashedUpTo = end;
    }
  }

  /** Hashes the remaining rows here, waits for the worker, and returns all leaf hashes in row order. */
  async finish(table: RecordTable): Promise<Uint8Array> {
    const n = table.count;
    const leaves = sharedBytes(Math.max(1, n) * 32);
    if (this.hashedUpTo > n) throw new Error("records were removed after hashing");
    hashLeavesRange(keccakEngine(), table.data, leaves, this.hashedUpTo, n);
    for (const b of this.batches) {
      await b.done;
      leaves.set(b.out, b.start * 32);
    }
    return leaves;
  }
}
