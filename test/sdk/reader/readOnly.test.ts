/**
 * A reader's store (`openStore(location, { readOnly: true })`, what `workledger serve` opens): it
 * opens only an existing index, reads it like any store, and refuses every write at the database
 * (SQLite's query_only, PostgreSQL's default_transaction_read_only), so nothing it runs can change
 * the index. Both engines.
 */
import { expect } from "chai";
import fs from "fs";

import { InvalidInputError } from "../../../src/errors";
import { openStore } from "../../../src/reader";
import type { CommitBatch } from "../../../src/reader";
import { ENGINES, TestStores } from "../../helpers/readerStores";

const HASH_A = `0x${"aa".repeat(32)}`;
const HASH_B = `0x${"bb".repeat(32)}`;
const META = { chainId: "31337", workLedger: "0x5FbDB2315678afecb367f032d93F642f64180aa3", revenueLedger: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", fromBlock: 1 };

/** A batch with no events: only block hashes and a checkpoint (still a write). */
const batch = (n: number, hash: string, parent: CommitBatch["parent"]): CommitBatch => ({ events: [], blocks: [{ number: n, hash }], checkpoint: { blockNumber: n, blockHash: hash }, parent });

/** The error `p` rejects with (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a refusal, but the write went through");
}

describe("reader: read-only stores (what serve opens)", function () {
  this.timeout(120_000);
  const stores = new TestStores();
  before(async () => stores.setup());
  after(async () => stores.teardown());

  for (const engine of ENGINES) {
    it(`${engine}: reads an existing index and refuses every write, leaving it unchanged`, async function () {
      const location = await stores.location(engine, { file: true });
      const writer = await openStore(location);
      await writer.setMeta(META);
      await writer.commit(batch(5, HASH_A, null));
      const reader = await openStore(location, { readOnly: true });
      try {
        expect(await reader.meta()).to.deep.equal(META);
        expect(await reader.checkpoint()).to.deep.equal({ blockNumber: 5, blockHash: HASH_A });
        expect(await reader.blockHash(5)).to.equal(HASH_A);
        // every kind of write fails at the database
        const refused = engine === "sqlite" ? /readonly|query_only|attempt to write/i : /read-only transaction/i;
        expect((await failure(reader.commit(batch(6, HASH_B, { blockNumber: 5, blockHash: HASH_A })))).message).to.match(refused);
        expect((await failure(reader.rollback(null))).message).to.match(refused);
        expect((await failure(reader.prune(10))).message).to.match(refused);
        // the writer's view is what it wrote; and the writer still writes beside the reader
        expect(await writer.checkpoint()).to.deep.equal({ blockNumber: 5, blockHash: HASH_A });
        await writer.commit(batch(6, HASH_B, { blockNumber: 5, blockHash: HASH_A }));
        expect(await reader.checkpoint()).to.deep.equal({ blockNumber: 6, blockHash: HASH_B });
      } finally {
        await reader.close();
        await writer.close();
      }
    });

    it(`${engine}: refuses a database that was never synced, creating nothing`, async function () {
      const location = await stores.location(engine, { file: true });
      const err = await openStore(location, { readOnly: true }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(InvalidInputError);
      expect((err as Error).message).to.match(engine === "sqlite" ? /^no database at .*store-\d+\.sqlite: run `workledger sync --db/ : /is not a WorkLedger index \(no tables\): run `workledger sync` into it first/);
      if (engine === "sqlite") expect(fs.existsSync(location), "the file was created").to.equal(false);
      else {
        // still no tables: a writer opening it afterwards creates them (the reader wrote nothing)
        const w = await openStore(location);
        expect(await w.checkpoint()).to.equal(null);
        await w.close();
      }
    });
  }
});
