import { expect } from "chai";

import { RecordTable } from "../../../src/records/table";
import { WorkRecord } from "../../../src/records/types";
import { ProofCheck, verifyRecordProof, verifyRecordProofs } from "../../../src/merkle/proof";
import { buildRecordTree, treeProof, treeRoot } from "../../../src/merkle/tree";
import { seededRecords } from "../writer/fixture";

/** Every record's check of a seeded epoch of n records. */
async function epochChecks(n: number, seed: number): Promise<ProofCheck[]> {
  const records = seededRecords(n, seed);
  const tree = await buildRecordTree(RecordTable.fromRecords(records));
  const root = treeRoot(tree);
  return Array.from({ length: n }, (_, k) => ({ record: records[tree.order[k]], proof: treeProof(tree, k), root }));
}

/** Indexes of the checks that failed (chai's deep equality is slow on long boolean arrays). */
function failed(ok: boolean[]): number[] {
  const out: number[] = [];
  ok.forEach((v, k) => {
    if (v !== true) out.push(k);
  });
  return out;
}

/** A sibling replaced, keeping everything else. */
function withSibling(c: ProofCheck, j: number, sibling: unknown): ProofCheck {
  const proof = [...c.proof];
  proof[j] = sibling as string;
  return { ...c, proof };
}

describe("verifier: offline proof checks", () => {
  let checks: ProofCheck[];
  before(async () => {
    checks = await epochChecks(4100, 21);
  });

  it("refuses malformed siblings, one by one and in a batch, without throwing", async () => {
    const c = checks[5];
    const good = c.proof[2];
    const malformed: [string, ProofCheck][] = [
      ["a non-hex digit", withSibling(c, 2, good.slice(0, 40) + "g" + good.slice(41))],
      ["a non-ASCII character that Latin-1 would read as '0'", withSibling(c, 2, good.slice(0, 40) + "\u0130" + good.slice(41))],
      ["an emoji in place of two digits", withSibling(c, 2, good.slice(0, 40) + "\u{1F600}" + good.slice(42))],
      ["65 characters", withSibling(c, 2, good.slice(0, 65))],
      ["67 characters", withSibling(c, 2, good + "0")],
      ["no 0x prefix", withSibling(c, 2, "00" + good.slice(2))],
      ["a number", withSibling(c, 2, 7)],
      ["null", withSibling(c, 2, null)],
      ["two siblings in one string and an empty one", { ...c, proof: [c.proof[0] + c.proof[1], "", ...c.proof.slice(2)] }],
      ["a missing sibling", { ...c, proof: c.proof.slice(1) }],
      ["an extra sibling", { ...c, proof: [...c.proof, good] }],
      ["a proof that is not an array", { ...c, proof: "0x00" as unknown as string[] }],
      ["a root of 31 bytes", { ...c, root: c.root.slice(0, 64) }],
      ["a record with a bad nodeId", { ...c, record: { ...c.record, nodeId: "0x12" } }],
      ["a nodeId with a non-hex digit", { ...c, record: { ...c.record, nodeId: c.record.nodeId.slice(0, 65) + "z" } }],
      ["an evidence with a non-ASCII character", { ...c, record: { ...c.record, evidence: "0x\u0131" + c.record.evidence.slice(3) } }],
      ["an evidence without its 0x", { ...c, record: { ...c.record, evidence: "ab" + c.record.evidence.slice(2) } }],
      ["a record without its nodeId", { ...c, record: { ...c.record, nodeId: undefined as unknown as string } }],
      ["a revenue above uint128", { ...c, record: { ...c.record, revenue: 1n << 128n } }],
      ["a negative epoch", { ...c, record: { ...c.record, epoch: -1n } }],
      ["a workUnits given as a number", { ...c, record: { ...c.record, workUnits: 5 as unknown as bigint } }],
      ["a null record", { ...c, record: null as unknown as WorkRecord }],
      ["a record with uptime above 65535", { ...c, record: { ...c.record, uptimeBps: 70_000 } }],
    ];
    for (const [what, m] of malformed) expect(verifyRecordProof(m.record, m.proof, m.root), what).to.equal(false);
    // the same inside a batch big enough for the second thread, at the start, middle and end
    const batch = [...malformed.map(([, m]) => m), ...checks, ...malformed.map(([, m]) => m)];
    batch.splice(2000, 0, ...malformed.map(([, m]) => m));
    const ok = await verifyRecordProofs(batch);
    const bad: number[] = [];
    for (const at of [0, 2000, batch.length - malformed.length]) malformed.forEach((_, i) => bad.push(at + i));
    expect(ok.length).to.equal(batch.length);
    expect(failed(ok)).to.deep.equal(bad);
  });

  it("accepts either case of hex digits and of the 0x prefix", async () => {
    const c = checks[9];
    const upper = { ...c, proof: c.proof.map((p) => "0X" + p.slice(2).toUpperCase()) };
    expect(verifyRecordProof(upper.record, upper.proof, upper.root)).to.equal(true);
    expect(await verifyRecordProofs([upper, c])).to.deep.equal([true, true]);
  });

  it("gives the same answers with and without the shared node cache, on one or two threads", async () => {
    // the whole epoch, twice (every upper node is shared), with every 97th item altered
    const items = [...checks, ...checks].map((c, k) => (k % 97 === 0 ? { ...c, record: { ...c.record, workUnits: c.record.workUnits + 1n } } : c));
    const expected = failed(items.map((_, k) => k % 97 !== 0));
    expect(expected.length).to.equal(85);
    for (const shareNodes of [true, false]) {
      for (const parallel of [true, false]) {
        const ok = await verifyRecordProofs(items, { shareNodes, parallel });
        expect(ok.length).to.equal(items.length);
        expect(failed(ok), `shareNodes ${shareNodes}, parallel ${parallel}`).to.deep.equal(expected);
      }
    }
  });

  it("does not let a cached node answer for a different input (proofs of two epochs, mixed)", async () => {
    // two epochs whose proofs share positions but no nodes; a cache keyed by less than the
    // whole input would mix them up
    const other = await epochChecks(4100, 22);
    const mixed: ProofCheck[] = [];
    for (let k = 0; k < 4100; k++) mixed.push(checks[k], other[k], { ...other[k], root: checks[k].root });
    const ok = await verifyRecordProofs(mixed);
    expect(ok.length).to.equal(mixed.length);
    expect(failed(ok)).to.deep.equal(failed(mixed.map((_, k) => k % 3 !== 2)));
  });

  it("misses the cache for a sibling that differs from a cached one in any single byte", async () => {
    // the valid proof first fills the cache; each altered copy has the same cache slot for most
    // bytes, so only a comparison of the whole 64-byte input keeps it from taking the old node
    // every level of three proofs, so the sibling is the lower node of its pair in some cases
    // and the higher in others
    const items: ProofCheck[] = [];
    const altered: number[] = [];
    for (const c of [checks[123], checks[2000], checks[3999]]) {
      items.push(c);
      for (let j = 0; j < c.proof.length; j++) {
        for (let byte = 0; byte < 32; byte++) {
          const sib = Buffer.from(c.proof[j].slice(2), "hex");
          sib[byte] ^= 0x01;
          altered.push(items.length);
          items.push(withSibling(c, j, "0x" + sib.toString("hex")), c);
        }
      }
    }
    const ok = await verifyRecordProofs(items, { parallel: false });
    expect(altered.length).to.equal(3 * 12 * 32);
    expect(failed(ok)).to.deep.equal(altered);
  });

  it("checks a batch larger than one window of shared memory, in order", async () => {
    const items = checks.map((c, k) => (k % 1000 === 999 ? withSibling(c, 0, c.proof[1]) : c));
    const ok = await verifyRecordProofs(items, { window: 1500 });
    expect(ok.length).to.equal(items.length);
    expect(failed(ok)).to.deep.equal([999, 1999, 2999, 3999]);
    expect(await verifyRecordProofs([])).to.deep.equal([]);
  });

  it("checks the proof of a one-record epoch (no siblings)", async () => {
    const [only] = await epochChecks(1, 3);
    expect(only.proof).to.deep.equal([]);
    expect(verifyRecordProof(only.record, only.proof, only.root)).to.equal(true);
    const other: WorkRecord = { ...only.record, revenue: only.record.revenue + 1n };
    expect(verifyRecordProof(other, [], only.root)).to.equal(false);
    // a proof that is not an array is refused even where no sibling is needed
    const notArray = { ...only, proof: undefined as unknown as string[] };
    expect(verifyRecordProof(notArray.record, notArray.proof, notArray.root)).to.equal(false);
    expect(await verifyRecordProofs([only, notArray, { ...only, record: other }])).to.deep.equal([true, false, false]);
  });
});
