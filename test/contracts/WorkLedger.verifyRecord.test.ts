import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroHash, keccak256 } from "ethers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { WorkLedgerPolicyMock__factory } from "../../typechain-types";
import { RECORD_LEAF_ENCODING, WorkRecord } from "../../src/records/types";
import { buildEpoch, largeEpochFixture, makeRecords, signAndCommit, toLeaf } from "../helpers/workLedgerFixture";
import { CHALLENGE_WINDOW, EpochStatus, LARGE_EPOCH_RECORDS } from "../helpers/constants";

type Large = Awaited<ReturnType<typeof largeEpochFixture>>;

/** Parallel eth_calls per batch: enough to keep 1,000 view calls fast without flooding the provider. */
const CALL_BATCH = 100;

/** Runs `fn` over `items` in batches of CALL_BATCH concurrent calls. */
async function inBatches<T, R>(items: T[], fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += CALL_BATCH) {
    out.push(...(await Promise.all(items.slice(i, i + CALL_BATCH).map((item, j) => fn(item, i + j)))));
  }
  return out;
}

/** One field of a record changed to a different valid value. */
const ALTERATIONS: { field: keyof WorkRecord; alter: (r: WorkRecord) => WorkRecord }[] = [
  { field: "nodeId", alter: (r) => ({ ...r, nodeId: keccak256(r.nodeId) }) },
  { field: "workUnits", alter: (r) => ({ ...r, workUnits: r.workUnits + 1n }) },
  { field: "uptimeBps", alter: (r) => ({ ...r, uptimeBps: r.uptimeBps === 10_000 ? 9_999 : r.uptimeBps + 1 }) },
  { field: "revenue", alter: (r) => ({ ...r, revenue: r.revenue + 1n }) },
  { field: "evidence", alter: (r) => ({ ...r, evidence: keccak256(r.evidence) }) },
];

describe("WorkLedger: verifyRecord", function () {
  let f: Large;
  beforeEach(async function () {
    f = await loadFixture(largeEpochFixture);
  });

  it(`accepts every leaf of a ${LARGE_EPOCH_RECORDS}-record epoch`, async function () {
    const results = await inBatches(f.large.records, (r, i) => f.ledger.verifyRecord(1n, 0n, r, f.large.tree.getProof(i)));
    expect(results.length).to.equal(LARGE_EPOCH_RECORDS);
    expect(results.filter((ok) => !ok).length).to.equal(0);
  });

  it("hashes leaves exactly as StandardMerkleTree does", async function () {
    const policy = await new WorkLedgerPolicyMock__factory(f.deployer).deploy(await f.ledger.getAddress(), 9_500);
    for (const i of [0, 499, 999]) {
      const r = f.large.records[i];
      expect(await policy.leafHash(r)).to.equal(f.large.tree.leafHash(toLeaf(r)));
    }
  });

  for (const index of [0, 500, LARGE_EPOCH_RECORDS - 1]) {
    it(`rejects record ${index} with any single field altered`, async function () {
      const r = f.large.records[index];
      const proof = f.large.tree.getProof(toLeaf(r));
      expect(await f.ledger.verifyRecord(1n, 0n, r, proof)).to.equal(true);
      for (const a of ALTERATIONS) {
        expect(await f.ledger.verifyRecord(1n, 0n, a.alter(r), proof), a.field).to.equal(false);
      }
      // The epoch field: against the same epoch (mismatch) and against the epoch it now names.
      const moved = { ...r, epoch: 1n };
      expect(await f.ledger.verifyRecord(1n, 0n, moved, proof)).to.equal(false);
      expect(await f.ledger.verifyRecord(1n, 1n, moved, proof)).to.equal(false);
    });
  }

  it("rejects a tampered proof and a proof of another leaf", async function () {
    const r = f.large.records[10];
    const proof = f.large.tree.getProof(toLeaf(r));
    expect(await f.ledger.verifyRecord(1n, 0n, r, [...proof.slice(0, -1), ZeroHash])).to.equal(false);
    expect(await f.ledger.verifyRecord(1n, 0n, r, proof.slice(1))).to.equal(false);
    expect(await f.ledger.verifyRecord(1n, 0n, r, f.large.tree.getProof(toLeaf(f.large.records[11])))).to.equal(false);
    expect(await f.ledger.verifyRecord(1n, 0n, r, [])).to.equal(false);
  });

  it("rejects a proof from another epoch", async function () {
    const r = f.other.records[3];
    const proof = f.other.tree.getProof(toLeaf(r));
    expect(await f.ledger.verifyRecord(1n, 1n, r, proof)).to.equal(true);
    expect(await f.ledger.verifyRecord(1n, 0n, r, proof)).to.equal(false);
    expect(await f.ledger.verifyRecord(1n, 0n, { ...r, epoch: 0n }, proof)).to.equal(false);
    // And a record of epoch 0 with its epoch-0 proof does not verify in epoch 1.
    const r0 = f.large.records[3];
    expect(await f.ledger.verifyRecord(1n, 1n, { ...r0, epoch: 1n }, f.large.tree.getProof(toLeaf(r0)))).to.equal(false);
  });

  it("rejects an inner node presented as a leaf", async function () {
    const { tree, values } = f.large.tree.dump();
    const leafIndex = values[0].treeIndex;
    const parent = (leafIndex - 1) >> 1;
    const inner = tree[parent];
    const leafProof = f.large.tree.getProof(0);
    const innerProof = leafProof.slice(1);
    // The inner node with its own path does reach the root: a single-hashed 64-byte leaf could be forged from it.
    let acc = inner;
    for (const sibling of innerProof) {
      acc = BigInt(acc) < BigInt(sibling) ? keccak256(ethers.concat([acc, sibling])) : keccak256(ethers.concat([sibling, acc]));
    }
    expect(acc).to.equal(f.large.summary.root);
    // But no record hashes to it: its children, or the node itself, as record fields never verify.
    const left = tree[2 * parent + 1];
    const right = tree[2 * parent + 2];
    const base = f.large.records[0];
    const forged: WorkRecord[] = [
      { ...base, nodeId: left, evidence: right },
      { ...base, nodeId: inner },
      { ...base, evidence: inner },
      { nodeId: left, epoch: 0n, workUnits: 0n, uptimeBps: 0, revenue: 0n, evidence: right },
    ];
    for (const r of forged) expect(await f.ledger.verifyRecord(1n, 0n, r, innerProof)).to.equal(false);
    expect(StandardMerkleTree.verify(f.large.summary.root, [...RECORD_LEAF_ENCODING], toLeaf(forged[0]), innerProof)).to.equal(false);
  });

  it("returns false, never reverting, for an unknown network or epoch", async function () {
    const r = f.large.records[0];
    const proof = f.large.tree.getProof(toLeaf(r));
    expect(await f.ledger.verifyRecord(0n, 0n, r, proof)).to.equal(false);
    expect(await f.ledger.verifyRecord(2n, 0n, r, proof)).to.equal(false);
    expect(await f.ledger.verifyRecord(1n, 5n, { ...r, epoch: 5n }, proof)).to.equal(false);
  });

  it("is true only for the latest version once Final: false while Pending, Challenged or Voided; recordStatus says which", async function () {
    const epoch2 = buildEpoch(makeRecords(9, 2n, "pending"));
    const r = epoch2.records[4];
    const proof = epoch2.tree.getProof(toLeaf(r));
    await signAndCommit(f.ledger, f.verifiers.slice(0, 2), f.domain, { networkId: 1n, epoch: 2n, version: 1n, summary: epoch2.summary });
    expect(await f.ledger.verifyRecord(1n, 2n, r, proof)).to.equal(false);
    expect(await f.ledger.recordStatus(1n, 2n, r, proof)).to.deep.equal([true, EpochStatus.Pending, 1n]);
    await f.ledger.connect(f.challenger).challengeEpoch(1n, 2n, ZeroHash);
    expect(await f.ledger.verifyRecord(1n, 2n, r, proof)).to.equal(false);
    expect(await f.ledger.recordStatus(1n, 2n, r, proof)).to.deep.equal([true, EpochStatus.Challenged, 1n]);
    await f.ledger.connect(f.arbiter).resolveChallenge(1n, 2n, true);
    expect(await f.ledger.verifyRecord(1n, 2n, r, proof)).to.equal(false);
    expect(await f.ledger.recordStatus(1n, 2n, r, proof)).to.deep.equal([true, EpochStatus.Voided, 1n]);
    // Re-signed as version 2 (a correction of the Voided version): Final after the full window.
    await signAndCommit(f.ledger, f.verifiers.slice(1, 3), f.domain, { networkId: 1n, epoch: 2n, version: 2n, summary: epoch2.summary });
    expect(await f.ledger.recordStatus(1n, 2n, r, proof)).to.deep.equal([true, EpochStatus.Pending, 2n]);
    await time.increase(CHALLENGE_WINDOW);
    expect(await f.ledger.verifyRecord(1n, 2n, r, proof)).to.equal(true);
    expect(await f.ledger.recordStatus(1n, 2n, r, proof)).to.deep.equal([true, EpochStatus.Final, 2n]);
    expect(await f.ledger.recordStatus(1n, 2n, { ...r, revenue: r.revenue + 1n }, proof)).to.deep.equal([false, EpochStatus.Final, 2n]);
  });

  it("is false when record.epoch != epoch, even with a proof that matches the epoch's root", async function () {
    // Epoch 2's tree is built over records that claim epoch 7: the proof matches epoch 2's root.
    const mislabelled = buildEpoch(makeRecords(4, 7n, "mislabelled"));
    await signAndCommit(f.ledger, f.verifiers.slice(0, 2), f.domain, { networkId: 1n, epoch: 2n, version: 1n, summary: mislabelled.summary });
    await time.increase(CHALLENGE_WINDOW);
    const r = mislabelled.records[1];
    const proof = mislabelled.tree.getProof(toLeaf(r));
    expect(StandardMerkleTree.verify(mislabelled.summary.root, [...RECORD_LEAF_ENCODING], toLeaf(r), proof)).to.equal(true);
    expect(await f.ledger.isFinal(1n, 2n)).to.equal(true);
    expect(await f.ledger.verifyRecord(1n, 2n, r, proof)).to.equal(false);
    expect(await f.ledger.recordStatus(1n, 2n, r, proof)).to.deep.equal([false, EpochStatus.Final, 1n]);
  });

  it("recordStatus returns (false, None, 0) for an unknown network or epoch, never reverting", async function () {
    const r = f.large.records[0];
    const proof = f.large.tree.getProof(toLeaf(r));
    expect(await f.ledger.recordStatus(0n, 0n, r, proof)).to.deep.equal([false, EpochStatus.None, 0n]);
    expect(await f.ledger.recordStatus(1n, 9n, { ...r, epoch: 9n }, proof)).to.deep.equal([false, EpochStatus.None, 0n]);
    expect(await f.ledger.recordStatus(1n, 0n, r, proof)).to.deep.equal([true, EpochStatus.Final, 1n]);
  });

  it("proves the only record of a one-record epoch with an empty proof", async function () {
    const single = buildEpoch(makeRecords(1, 2n, "single"));
    await signAndCommit(f.ledger, f.verifiers.slice(0, 2), f.domain, { networkId: 1n, epoch: 2n, version: 1n, summary: single.summary });
    await time.increase(CHALLENGE_WINDOW);
    expect(single.tree.getProof(0)).to.deep.equal([]);
    expect(await f.ledger.verifyRecord(1n, 2n, single.records[0], [])).to.equal(true);
  });

  it("can be called by another contract (an insurer's policy)", async function () {
    const policy = await new WorkLedgerPolicyMock__factory(f.deployer).deploy(await f.ledger.getAddress(), 9_500);
    const breach = f.large.records.find((r) => r.uptimeBps < 9_500)!;
    const healthy = f.large.records.find((r) => r.uptimeBps >= 9_500)!;
    expect(await policy.isBreach(1n, breach, f.large.tree.getProof(toLeaf(breach)))).to.equal(true);
    expect(await policy.isBreach(1n, healthy, f.large.tree.getProof(toLeaf(healthy)))).to.equal(false);
    expect(await policy.isBreach(1n, { ...breach, uptimeBps: breach.uptimeBps - 1 }, f.large.tree.getProof(toLeaf(breach)))).to.equal(false);
  });
});
