/**
 * The finality cursor (DESIGN rule 1, issue #14): finalizedCount(networkId) counts the leading epochs
 * whose latest version is Final; advanceFinality moves it (anyone, bounded by maxSteps) and stops at the
 * first uncommitted, Pending, Challenged or Voided epoch; commits never move it; a correction holds it
 * back until the new version is Final. Also the usage words: verifyUsage and the commit gas bound.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroHash } from "ethers";
import {
  buildEpoch,
  buildUsage,
  commitNext,
  correctNext,
  deployWorkLedgerFixture,
  makeRecords,
  makeUsage,
  signAndCommit,
  toUsageLeaf,
} from "../helpers/workLedgerFixture";
import { ARBITER_DEADLINE, CHALLENGE_WINDOW, EPOCH_SECONDS, LARGE_EPOCH_RECORDS } from "../helpers/constants";

/** Today's (before usage words) 1,000-record 2-of-3 commit gas, plus the 2,000 the issue allows. */
const MAX_NO_USAGE_COMMIT_GAS = 106_638n + 2_000n;

/** Five epochs committed (0..4), none Final yet. */
async function fiveEpochsFixture() {
  const f = await deployWorkLedgerFixture();
  for (let i = 0; i < 5; i++) await commitNext(f);
  return f;
}

describe("WorkLedger: finality cursor", function () {
  it("starts at 0, is not moved by commits, and advances over Final epochs with FinalityAdvanced", async function () {
    const f = await loadFixture(fiveEpochsFixture);
    expect(await f.ledger.finalizedCount(1n)).to.equal(0n);
    await expect(f.ledger.advanceFinality(1n, 10n)).to.not.emit(f.ledger, "FinalityAdvanced");
    await time.increase(CHALLENGE_WINDOW);
    await commitNext(f); // epoch 5, Pending
    expect(await f.ledger.finalizedCount(1n)).to.equal(0n);
    expect(await f.ledger.advanceFinality.staticCall(1n, 10n)).to.equal(5n);
    await expect(f.ledger.connect(f.outsider).advanceFinality(1n, 10n)).to.emit(f.ledger, "FinalityAdvanced").withArgs(1n, 0n, 5n);
    expect(await f.ledger.finalizedCount(1n)).to.equal(5n);
    const net = await f.ledger.network(1n);
    expect([net.nextEpoch, net.finalizedCount]).to.deep.equal([6n, 5n]);
  });

  it("is bounded by maxSteps (0 does nothing) and stops at nextEpoch", async function () {
    const f = await loadFixture(fiveEpochsFixture);
    await time.increase(CHALLENGE_WINDOW);
    await expect(f.ledger.advanceFinality(1n, 0n)).to.not.emit(f.ledger, "FinalityAdvanced");
    await expect(f.ledger.advanceFinality(1n, 2n)).to.emit(f.ledger, "FinalityAdvanced").withArgs(1n, 0n, 2n);
    await expect(f.ledger.advanceFinality(1n, 1n)).to.emit(f.ledger, "FinalityAdvanced").withArgs(1n, 2n, 3n);
    await expect(f.ledger.advanceFinality(1n, 2n ** 64n - 1n)).to.emit(f.ledger, "FinalityAdvanced").withArgs(1n, 3n, 5n);
    await expect(f.ledger.advanceFinality(1n, 2n ** 64n - 1n)).to.not.emit(f.ledger, "FinalityAdvanced");
    expect(await f.ledger.finalizedCount(1n)).to.equal(5n);
  });

  it("stops at a Pending, a Challenged and a Voided epoch", async function () {
    const f = await loadFixture(fiveEpochsFixture);
    // Epoch 1 challenged; epoch 3 challenged and voided; epoch 4 corrected (Pending again).
    await f.ledger.connect(f.challenger).challengeEpoch(1n, 1n, ZeroHash);
    await f.ledger.connect(f.challenger).challengeEpoch(1n, 3n, ZeroHash);
    await f.ledger.connect(f.arbiter).resolveChallenge(1n, 3n, true);
    await time.increase(CHALLENGE_WINDOW - 600n);
    await correctNext(f, 4n, 2n);
    await time.increase(600n);
    await f.ledger.advanceFinality(1n, 10n);
    expect(await f.ledger.finalizedCount(1n)).to.equal(1n); // stops at Challenged epoch 1
    await f.ledger.connect(f.arbiter).resolveChallenge(1n, 1n, false);
    const { finalizesAt } = await f.ledger.latestEpoch(1n, 1n);
    await f.ledger.advanceFinality(1n, 10n);
    expect(await f.ledger.finalizedCount(1n)).to.equal(1n); // epoch 1 is Pending again
    await time.increaseTo(finalizesAt);
    await f.ledger.advanceFinality(1n, 10n);
    expect(await f.ledger.finalizedCount(1n)).to.equal(3n); // stops at Voided epoch 3
    await correctNext(f, 3n, 2n);
    await f.ledger.advanceFinality(1n, 10n);
    expect(await f.ledger.finalizedCount(1n)).to.equal(3n); // the correction is Pending
    await time.increase(CHALLENGE_WINDOW);
    await expect(f.ledger.advanceFinality(1n, 10n)).to.emit(f.ledger, "FinalityAdvanced").withArgs(1n, 3n, 5n);
  });

  it("is held back by a corrected epoch until its new version is Final", async function () {
    const f = await loadFixture(deployWorkLedgerFixture);
    await commitNext(f);
    await commitNext(f);
    const v1 = await f.ledger.latestEpoch(1n, 1n);
    await time.increaseTo((await f.ledger.latestEpoch(1n, 0n)).finalizesAt - 100n);
    const { tx } = await correctNext(f, 0n, 2n);
    const at = BigInt((await tx.getBlock())!.timestamp);
    await time.increaseTo(v1.finalizesAt);
    expect(await f.ledger.isFinal(1n, 1n)).to.equal(true);
    await f.ledger.advanceFinality(1n, 10n);
    expect(await f.ledger.finalizedCount(1n)).to.equal(0n);
    await time.increaseTo(at + CHALLENGE_WINDOW - 2n); // the next block is at + window - 1
    await f.ledger.advanceFinality(1n, 10n);
    expect(await f.ledger.finalizedCount(1n)).to.equal(0n);
    await f.ledger.advanceFinality(1n, 10n); // this block is at + window: version 2 is Final
    expect(await f.ledger.finalizedCount(1n)).to.equal(2n);
  });

  it("reverts for an unknown network; works while paused", async function () {
    const f = await loadFixture(fiveEpochsFixture);
    await expect(f.ledger.advanceFinality(0n, 1n)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork").withArgs(0n);
    await f.ledger.connect(f.admin).setPaused(1n, true);
    await time.increase(CHALLENGE_WINDOW);
    await expect(f.ledger.advanceFinality(1n, 3n)).to.emit(f.ledger, "FinalityAdvanced").withArgs(1n, 0n, 3n);
  });

  it("an expired challenge voids the epoch and holds the cursor there", async function () {
    const f = await loadFixture(fiveEpochsFixture);
    await f.ledger.connect(f.challenger).challengeEpoch(1n, 2n, ZeroHash);
    await time.increase(ARBITER_DEADLINE);
    await f.ledger.expireChallenge(1n, 2n);
    await f.ledger.advanceFinality(1n, 10n);
    expect(await f.ledger.finalizedCount(1n)).to.equal(2n);
  });
});

describe("WorkLedger: usage words", function () {
  it("verifyUsage is true only for a usage leaf of the latest Final version", async function () {
    const f = await loadFixture(deployWorkLedgerFixture);
    const usage = buildUsage(makeUsage(5, 0n));
    await commitNext(f, 3, usage.words);
    const u = usage.usage[3];
    const proof = usage.tree.getProof(toUsageLeaf(u));
    expect(await f.ledger.verifyUsage(1n, 0n, u, proof)).to.equal(false); // Pending
    await time.increase(CHALLENGE_WINDOW);
    expect(await f.ledger.verifyUsage(1n, 0n, u, proof)).to.equal(true);
    expect(await f.ledger.verifyUsage(1n, 0n, { ...u, amount: u.amount + 1n }, proof)).to.equal(false);
    expect(await f.ledger.verifyUsage(1n, 1n, u, proof)).to.equal(false); // usage.epoch != epoch
    expect(await f.ledger.verifyUsage(2n, 0n, u, proof)).to.equal(false); // unknown network
    // An epoch without usage (usage root zero) proves nothing.
    await commitNext(f, 3);
    await time.increase(CHALLENGE_WINDOW);
    const single = buildUsage(makeUsage(1, 1n));
    expect(await f.ledger.verifyUsage(1n, 1n, single.usage[0], [])).to.equal(false);
    expect((await f.ledger.latestEpoch(1n, 1n)).usageRoot).to.equal(ZeroHash);
  });

  it("keeps each version's usage root: a correction without usage shows none, the superseded one keeps its own", async function () {
    const f = await loadFixture(deployWorkLedgerFixture);
    const usage = buildUsage(makeUsage(2, 0n));
    await commitNext(f, 3, usage.words);
    await correctNext(f, 0n, 2n);
    expect((await f.ledger.epochVersion(1n, 0n, 1n)).usageRoot).to.equal(usage.words.usageRoot);
    expect((await f.ledger.epochVersion(1n, 0n, 2n)).usageRoot).to.equal(ZeroHash);
  });

  it(`commits ${LARGE_EPOCH_RECORDS} records without usage within today's gas + 2,000 (${MAX_NO_USAGE_COMMIT_GAS})`, async function () {
    // Instrumented bytecode under solidity-coverage costs far more gas: the bound is for real bytecode only.
    if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING) this.skip();
    const f = await loadFixture(deployWorkLedgerFixture);
    await time.increase(2n * EPOCH_SECONDS);
    const signers = f.verifiers.slice(0, 2);
    // Epoch 0 pays the network's one-off nextEpoch write; epoch 1 is the steady state the bound is about.
    await commitNext(f);
    const large = buildEpoch(makeRecords(LARGE_EPOCH_RECORDS, 1n)).summary;
    const tx = await signAndCommit(f.ledger, signers, f.domain, { networkId: 1n, epoch: 1n, version: 1n, summary: large }, f.relayer);
    expect((await tx.wait())!.gasUsed).to.be.lessThanOrEqual(MAX_NO_USAGE_COMMIT_GAS);
  });
});
