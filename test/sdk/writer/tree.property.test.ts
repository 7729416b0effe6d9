import { expect } from "chai";
import fc from "fast-check";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";

import { recordToLeafValues } from "../../../src/records/codec";
import { RecordTable } from "../../../src/records/table";
import { RECORD_LEAF_ENCODING, WorkRecord } from "../../../src/records/types";
import { verifyRecordProof, verifyRecordProofs } from "../../../src/merkle/proof";
import { HashWorker, startHashWorker } from "../../../src/merkle/pool";
import { buildRecordTree, treeProof, treeRoot } from "../../../src/merkle/tree";
import { seededRecords } from "./fixture";

const ENC = [...RECORD_LEAF_ENCODING];
const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => "0x" + Buffer.from(b).toString("hex"));
const recordArb: fc.Arbitrary<WorkRecord> = fc.record({
  nodeId: hex32,
  epoch: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  workUnits: fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })),
  uptimeBps: fc.integer({ min: 0, max: 10_000 }),
  revenue: fc.oneof(fc.constant(0n), fc.constant((1n << 128n) - 1n), fc.bigInt({ min: 0n, max: (1n << 128n) - 1n })),
  evidence: hex32,
});

/** Checks our tree against StandardMerkleTree: root, and the proof of every value (or `sample` of them). */
async function assertSameAsOz(records: WorkRecord[], sample = Infinity, parallel = false): Promise<void> {
  const oz = StandardMerkleTree.of(records.map(recordToLeafValues), ENC);
  // parallel: force the two-thread path (worker hashes leaves and the left subtree) at any size
  const ours = await buildRecordTree(RecordTable.fromRecords(records), { parallel, parallelThreshold: 2, worker: parallel ? sharedWorker : undefined });
  expect(treeRoot(ours)).to.equal(oz.root);
  const n = records.length;
  const leafOfRow = new Uint32Array(n);
  ours.order.forEach((row, k) => (leafOfRow[row] = k));
  const step = Math.max(1, Math.floor(n / Math.min(n, sample)));
  for (let row = 0; row < n; row += step) {
    expect(treeProof(ours, leafOfRow[row])).to.deep.equal(oz.getProof(row));
    // the library's tree index of this value is 2n-2-leafIndex, as ours
    expect(oz.dump().values[row].treeIndex).to.equal(2 * n - 2 - leafOfRow[row]);
  }
}

let sharedWorker: HashWorker | null = null;

describe("writer: fast tree equals @openzeppelin/merkle-tree", () => {
  before(() => {
    sharedWorker = startHashWorker();
    expect(sharedWorker, "the WebAssembly Keccak worker").to.not.equal(null);
  });
  after(async () => {
    await sharedWorker?.close();
  });

  // 1,000 cases in all: 994 small epochs (every proof compared) + 6 large ones (sampled proofs)
  it("root for root and proof for proof on 994 random epochs of 1..16 records, on one or two threads", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { minLength: 1, maxLength: 16 }), fc.boolean(), (records: WorkRecord[], parallel: boolean) => assertSameAsOz(records, Infinity, parallel)),
      { numRuns: 994, seed: 20261128 },
    );
  });

  it("root for root and sampled proofs on random epochs of 1..5,000 records (both code paths)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5000 }), fc.integer(), fc.boolean(), async (n, seed, parallel) => {
        await assertSameAsOz(seededRecords(n, seed), 40, parallel);
      }),
      { numRuns: 6, seed: 7, examples: [[5000, 1, true], [4097, 2, false], [3, 3, true]] },
    );
  });

  it("matches the library at 20,001 records with the default thread split (WL_SLOW_TESTS=1)", async function () {
    if (!process.env.WL_SLOW_TESTS) this.skip();
    this.timeout(300_000);
    const records = seededRecords(20_001, 99);
    const oz = StandardMerkleTree.of(records.map(recordToLeafValues), ENC);
    expect(treeRoot(await buildRecordTree(RecordTable.fromRecords(records)))).to.equal(oz.root);
  });

  it("verifies proofs offline, one by one and in batches, and rejects any altered field", async () => {
    const records = seededRecords(3000, 5);
    const tree = await buildRecordTree(RecordTable.fromRecords(records));
    const root = treeRoot(tree);
    const items = Array.from({ length: 3000 }, (_, k) => ({ record: records[tree.order[k]], proof: treeProof(tree, k), root }));
    expect((await verifyRecordProofs(items)).every(Boolean)).to.equal(true);
    const r = items[17];
    expect(verifyRecordProof(r.record, r.proof, root)).to.equal(true);
    const altered: WorkRecord[] = [
      { ...r.record, nodeId: "0x" + "00".repeat(31) + "01" },
      { ...r.record, epoch: r.record.epoch + 1n },
      { ...r.record, workUnits: r.record.workUnits ^ 1n },
      { ...r.record, uptimeBps: r.record.uptimeBps === 0 ? 1 : r.record.uptimeBps - 1 },
      { ...r.record, revenue: r.record.revenue + 1n },
      { ...r.record, evidence: "0x" + "ee".repeat(32) },
    ];
    for (const a of altered) expect(verifyRecordProof(a, r.proof, root)).to.equal(false);
    const batch = await verifyRecordProofs([...items.slice(0, 2500), ...altered.map((a) => ({ ...r, record: a }))]);
    expect(batch.slice(0, 2500).every(Boolean)).to.equal(true);
    expect(batch.slice(2500)).to.deep.equal([false, false, false, false, false, false]);
    // the same with the altered records first, i.e. in the second thread's share
    const batch2 = await verifyRecordProofs([...altered.map((a) => ({ ...r, record: a })), ...items.slice(0, 2500)]);
    expect(batch2.slice(0, 6)).to.deep.equal([false, false, false, false, false, false]);
    expect(batch2.slice(6).every(Boolean)).to.equal(true);
    expect(verifyRecordProof(r.record, [...r.proof.slice(1)], root)).to.equal(false);
    expect(verifyRecordProof(r.record, ["0x1234"], root)).to.equal(false);
  });
});
