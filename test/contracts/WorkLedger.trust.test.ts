/**
 * The trust model of issue #13 on the contracts: the forged-history attack, one test per row of
 * DESIGN's trust table (what each key cannot do), signed and recovery rotations, the independent
 * arbiter (also an OpenZeppelin TimelockController), the one-time RevenueLedger wiring, and the
 * challenge window's floor and per-version window.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, ZeroAddress, ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import { RevenueLedger__factory, TimelockArbiter__factory, WorkLedger__factory } from "../../typechain-types";
import { signRotation, signSorted } from "../helpers/eip712";
import { FAR_EXPIRY, signRoot, signStatement, usageHashOf } from "../helpers/revenueFixture";
import {
  WorkLedgerFixture,
  buildEpoch,
  commitNext,
  correctNext,
  deployWorkLedgerFixture,
  makeRecords,
  networkParams,
  toLeaf,
} from "../helpers/workLedgerFixture";
import {
  ARBITER_DEADLINE,
  CHALLENGE_WINDOW,
  EPOCH_SECONDS,
  EpochStatus,
  MIN_ARBITER_DEADLINE,
  MIN_CHALLENGE_WINDOW,
  MIN_RECOVERY_DELAY,
  RECOVERY_THAW_MARGIN,
  ROLE,
  THAW_SECONDS,
  minThaw,
} from "../helpers/constants";

const REASON = keccak256(toUtf8Bytes("forged"));

/** The challenger authorizes network 1 (cap 10 USD) with 50 USD in escrow; epochs up to its first billable one are
 * committed and Final, the cursor advanced. Returns a 1-epoch statement over that epoch and 2-of-3 signatures. */
async function billableFixture() {
  const f = await deployWorkLedgerFixture();
  await f.revenue.connect(f.challenger).deposit(1n, 50n * 10n ** 6n);
  await f.revenue.connect(f.challenger).authorizeBilling(1n, 10n * 10n ** 6n, FAR_EXPIRY);
  const start = (await f.revenue.billing(1n, f.challenger.address)).nextEpoch;
  while ((await f.ledger.network(1n)).nextEpoch <= start) await commitNext(f);
  await time.increase(CHALLENGE_WINDOW);
  await f.ledger.advanceFinality(1n, 100n);
  const s = { networkId: 1n, customer: f.challenger.address, fromEpoch: start, toEpoch: start, amount: 10n * 10n ** 6n, usageHash: usageHashOf("t") };
  return { ...f, start, s, sigs: await signStatement(f.revenue, f.verifiers.slice(0, 2), s) };
}

function roleId(networkId: bigint, kind: string): string {
  return keccak256(AbiCoder.defaultAbiCoder().encode(["uint256", "bytes32"], [networkId, kind]));
}

/** Epoch 0 committed honestly (5 records) and Final. */
async function finalEpochFixture() {
  const f = await deployWorkLedgerFixture();
  const { built } = await commitNext(f, 5);
  await time.increase(CHALLENGE_WINDOW);
  return { ...f, honest: built };
}

describe("WorkLedger: trust model", function () {
  describe("the forged-history attack of issue #13", function () {
    it("fails at every step (rotate to self, zero window, correct a Final epoch), and the honest record still verifies as Final", async function () {
      const f = await loadFixture(finalEpochFixture);
      const honest = f.honest.records[2];
      const honestProof = f.honest.tree.getProof(toLeaf(honest));
      expect(await f.ledger.verifyRecord(1n, 0n, honest, honestProof)).to.equal(true);

      // 1. Rotate to a set of the admin alone: without signatures, or signed by the admin itself.
      await expect(f.ledger.connect(f.admin).rotateVerifiers(1n, [f.admin.address], 1, []))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerBelowThreshold")
        .withArgs(0n, 2n);
      const selfSigned = await signRotation([f.admin, f.outsider], f.domain, {
        networkId: 1n,
        verifierSetId: 2n,
        verifiers: [f.admin.address],
        threshold: 1,
      });
      await expect(f.ledger.connect(f.admin).rotateVerifiers(1n, [f.admin.address], 1, selfSigned)).to.be.revertedWithCustomError(
        f.ledger,
        "WorkLedgerNotVerifier",
      );
      // The recovery path needs weeks in public, so it gives no set that signs the next epoch at once.
      await f.ledger.connect(f.admin).proposeRecovery(1n, [f.admin.address], 1);
      const [, , , executableAt] = await f.ledger.recoveryProposal(1n);
      await expect(f.ledger.applyRecovery(1n, [f.admin.address], 1))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerRecoveryNotReady")
        .withArgs(1n, executableAt);

      // 2. A zero window.
      await expect(f.ledger.connect(f.admin).setChallengeWindow(1n, 0n))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidChallengeWindow")
        .withArgs(0n);

      // 3. Correct the Final epoch with a forged record: signed by the admin, or even by every verifier.
      const forged = buildEpoch([{ ...honest, uptimeBps: 10_000, workUnits: honest.workUnits * 9n }]);
      const m2 = { networkId: 1n, epoch: 0n, version: 2n, summary: forged.summary };
      for (const signers of [[f.admin], f.verifiers]) {
        await expect(f.ledger.connect(f.admin).correctEpoch(1n, 0n, forged.summary, await signSorted(signers, f.domain, m2), REASON))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
          .withArgs(1n, 0n, EpochStatus.Final);
      }

      // Even after the recovery delay, with the admin as the only verifier, the Final version stays.
      await time.increaseTo(executableAt);
      await f.ledger.applyRecovery(1n, [f.admin.address], 1);
      await expect(f.ledger.correctEpoch(1n, 0n, forged.summary, await signSorted([f.admin], f.domain, m2), REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Final);
      expect(await f.ledger.verifyRecord(1n, 0n, honest, honestProof)).to.equal(true);
      expect(await f.ledger.verifyRecord(1n, 0n, forged.records[0], [])).to.equal(false);
      expect(await f.ledger.epochStatus(1n, 0n)).to.deep.equal([EpochStatus.Final, 1n]);
      expect((await f.ledger.latestEpoch(1n, 0n)).verifierSetId).to.equal(1n);
    });

    it("cannot turn a Final, already-billed epoch into a Voided one; the statement's refund works even while paused", async function () {
      const f = await loadFixture(billableFixture);
      await f.ledger.connect(f.admin).grantRole(roleId(1n, ROLE.BILLER), f.admin.address);
      await f.revenue.connect(f.admin).charge(f.s, "invoice", f.sigs);
      await expect(correctNext(f, f.start, 2n, f.verifiers))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, f.start, EpochStatus.Final);
      await expect(f.ledger.connect(f.outsider).challengeEpoch(1n, f.start, REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, f.start, EpochStatus.Final);
      await f.ledger.connect(f.admin).setPaused(1n, true);
      const chargeId = await f.revenue.chargeIdOf(1n, f.challenger.address, f.start);
      await expect(f.revenue.connect(f.admin).refund(chargeId, f.start, 1n, REASON)).to.emit(f.revenue, "Refunded");
    });

    it("cannot re-open a Final version by challenging it or by changing the window", async function () {
      const f = await loadFixture(finalEpochFixture);
      const before = await f.ledger.latestEpoch(1n, 0n);
      await f.ledger.connect(f.admin).setChallengeWindow(1n, CHALLENGE_WINDOW + 86_400n);
      await expect(f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Final);
      expect(await f.ledger.latestEpoch(1n, 0n)).to.deep.equal(before);
    });
  });

  describe("trust table: what each key cannot do", function () {
    it("admin: cannot rotate verifiers alone, touch a Final version, arbitrate, cancel a recovery or grant the arbiter role", async function () {
      const f = await loadFixture(finalEpochFixture);
      await expect(f.ledger.connect(f.admin).rotateVerifiers(1n, [f.admin.address], 1, [])).to.be.revertedWithCustomError(
        f.ledger,
        "WorkLedgerBelowThreshold",
      );
      const fixed = buildEpoch(makeRecords(2, 0n, "admin"));
      const m = { networkId: 1n, epoch: 0n, version: 2n, summary: fixed.summary };
      await expect(f.ledger.connect(f.admin).correctEpoch(1n, 0n, fixed.summary, await signSorted(f.verifiers, f.domain, m), REASON))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Final);
      const { epoch } = await commitNext(f);
      await f.ledger.connect(f.challenger).challengeEpoch(1n, epoch, REASON);
      for (const upheld of [true, false]) {
        await expect(f.ledger.connect(f.admin).resolveChallenge(1n, epoch, upheld))
          .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotArbiter")
          .withArgs(1n, f.admin.address);
      }
      await f.ledger.connect(f.admin).proposeRecovery(1n, [f.admin.address], 1);
      await expect(f.ledger.connect(f.admin).cancelRecovery(1n))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotArbiter")
        .withArgs(1n, f.admin.address);
      await expect(f.ledger.connect(f.admin).grantRole(roleId(1n, ROLE.ARBITER), f.admin.address)).to.be.revertedWithCustomError(
        f.ledger,
        "AccessControlUnauthorizedAccount",
      );
      await expect(f.ledger.connect(f.admin).transferArbiter(1n, f.admin.address))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotArbiter")
        .withArgs(1n, f.admin.address);
      // Nor charge without the biller role, nor with it but without a k-of-n signed statement.
      const s = { networkId: 1n, customer: f.challenger.address, fromEpoch: 0n, toEpoch: 0n, amount: 1n, usageHash: ZeroHash };
      await expect(f.revenue.connect(f.admin).charge(s, "", []))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerUnauthorized")
        .withArgs(1n, f.admin.address, ROLE.BILLER);
      await f.ledger.connect(f.admin).grantRole(roleId(1n, ROLE.BILLER), f.admin.address);
      await f.revenue.connect(f.challenger).authorizeBilling(1n, 1n, FAR_EXPIRY);
      const start = (await f.revenue.billing(1n, f.challenger.address)).nextEpoch;
      const own = { ...s, fromEpoch: start, toEpoch: start };
      await f.ledger.connect(f.admin).advanceFinality(1n, 10n);
      await expect(f.revenue.connect(f.admin).charge(own, "", await signStatement(f.revenue, [f.admin], own)))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerNotFinalized")
        .withArgs(1n, start, await f.ledger.finalizedCount(1n));
    });

    it("verifiers (k of n): cannot commit without the others, nor change a Final version", async function () {
      const f = await loadFixture(finalEpochFixture);
      await time.increase(EPOCH_SECONDS);
      const next = buildEpoch(makeRecords(3, 1n, "alone"));
      const m = { networkId: 1n, epoch: 1n, version: 1n, summary: next.summary };
      await expect(f.ledger.commitEpoch(1n, 1n, next.summary, await signSorted([f.verifiers[0]], f.domain, m)))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerBelowThreshold")
        .withArgs(1n, 2n);
      await expect(correctNext(f, 0n, 2n, f.verifiers))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Final);
    });

    it("arbiter: cannot commit or charge, and cannot stall a challenge past its deadline", async function () {
      const f = await loadFixture(finalEpochFixture);
      await time.increase(EPOCH_SECONDS);
      const next = buildEpoch(makeRecords(3, 1n, "arbiter"));
      const m = { networkId: 1n, epoch: 1n, version: 1n, summary: next.summary };
      await expect(f.ledger.connect(f.arbiter).commitEpoch(1n, 1n, next.summary, await signSorted([f.arbiter, f.verifiers[0]], f.domain, m)))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotVerifier")
        .withArgs(f.arbiter.address);
      const s = { networkId: 1n, customer: f.challenger.address, fromEpoch: 0n, toEpoch: 0n, amount: 1n, usageHash: ZeroHash };
      await expect(f.revenue.connect(f.arbiter).charge(s, "", []))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerUnauthorized")
        .withArgs(1n, f.arbiter.address, ROLE.BILLER);
      const { epoch } = await commitNext(f);
      await f.ledger.connect(f.challenger).challengeEpoch(1n, epoch, REASON);
      const { deadline } = await f.ledger.challengeOf(1n, epoch);
      await time.increaseTo(deadline);
      await expect(f.ledger.connect(f.arbiter).resolveChallenge(1n, epoch, false))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerChallengeDeadlinePassed")
        .withArgs(1n, epoch, deadline);
      await expect(f.ledger.connect(f.outsider).expireChallenge(1n, epoch)).to.emit(f.ledger, "ChallengeExpired");
      expect(await f.ledger.epochStatus(1n, epoch)).to.deep.equal([EpochStatus.Voided, 1n]);
    });

    it("biller: cannot move free escrow, charge unsigned usage, above the cap, an epoch twice or a Voided epoch, choose who is paid, or arbitrate", async function () {
      const f = await loadFixture(billableFixture);
      const biller = f.operator;
      await f.ledger.connect(f.admin).grantRole(roleId(1n, ROLE.BILLER), biller.address);
      // The biller withdraws only its own (empty) escrow.
      await expect(f.revenue.connect(biller).requestWithdrawal(1n, 1n))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerInsufficientFree")
        .withArgs(1n, biller.address, 0n, 1n);
      await expect(f.revenue.connect(biller).withdraw(1n, biller.address))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerNoWithdrawalRequest")
        .withArgs(1n, biller.address);
      // Usage the verifiers did not sign, and above the customer's cap.
      await expect(f.revenue.connect(biller).charge(f.s, "", await signStatement(f.revenue, [biller], f.s)))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerBelowThreshold")
        .withArgs(1n, 2n);
      const above = { ...f.s, amount: f.s.amount + 1n };
      await expect(f.revenue.connect(biller).charge(above, "", await signStatement(f.revenue, f.verifiers.slice(0, 2), above)))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerCapExceeded")
        .withArgs(1n, f.challenger.address, f.s.amount, 1n, f.s.amount + 1n);
      // An epoch twice.
      await f.revenue.connect(biller).charge(f.s, "", f.sigs);
      await expect(f.revenue.connect(biller).charge(f.s, "", f.sigs))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerStatementOutOfOrder")
        .withArgs(1n, f.challenger.address, f.start, f.start + 1n);
      // Who is paid: a root of its own.
      const root = { networkId: 1n, root: keccak256(toUtf8Bytes("mine")), throughEpoch: f.start, total: 1n, dataHash: ZeroHash };
      await expect(f.revenue.connect(biller).postPayoutRoot(root, await signRoot(f.revenue, [biller], root)))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerBelowThreshold")
        .withArgs(1n, 2n);
      // A Voided epoch: the finality cursor stops before it, so no statement reaches it.
      const { epoch } = await commitNext(f);
      await f.ledger.connect(f.outsider).challengeEpoch(1n, epoch, REASON);
      await expect(f.ledger.connect(biller).resolveChallenge(1n, epoch, true)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotArbiter");
      await f.ledger.connect(f.arbiter).resolveChallenge(1n, epoch, true);
      await time.increase(CHALLENGE_WINDOW);
      await f.ledger.advanceFinality(1n, 100n);
      expect(await f.ledger.finalizedCount(1n)).to.equal(epoch);
      const voided = { ...f.s, fromEpoch: f.start + 1n, toEpoch: epoch, amount: 0n };
      await expect(f.revenue.connect(biller).charge(voided, "", await signStatement(f.revenue, f.verifiers.slice(0, 2), voided)))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerNotFinalized")
        .withArgs(1n, epoch, epoch);
    });

    it("anyone: relays signed commits, k-of-n corrections, bonded challenges, expiries and the finality cursor", async function () {
      const f = await loadFixture(deployWorkLedgerFixture);
      const anyone = f.outsider;
      await time.increase(EPOCH_SECONDS);
      const e0 = buildEpoch(makeRecords(3, 0n, "anyone"));
      const sigs = await signSorted(f.verifiers.slice(0, 2), f.domain, { networkId: 1n, epoch: 0n, version: 1n, summary: e0.summary });
      await expect(f.ledger.connect(anyone).commitEpoch(1n, 0n, e0.summary, sigs)).to.emit(f.ledger, "EpochCommitted");
      const fix = buildEpoch(makeRecords(2, 0n, "anyone-fix"));
      const fixSigs = await signSorted(f.verifiers.slice(1), f.domain, { networkId: 1n, epoch: 0n, version: 2n, summary: fix.summary });
      await expect(f.ledger.connect(anyone).correctEpoch(1n, 0n, fix.summary, fixSigs, REASON)).to.emit(f.ledger, "EpochCorrected");
      await expect(f.ledger.connect(anyone).challengeEpoch(1n, 0n, REASON)).to.emit(f.ledger, "EpochChallenged");
      await time.increase(ARBITER_DEADLINE);
      await expect(f.ledger.connect(anyone).expireChallenge(1n, 0n)).to.emit(f.ledger, "ChallengeExpired");
      await correctNext(f, 0n, 3n);
      await time.increase(CHALLENGE_WINDOW);
      await expect(f.ledger.connect(anyone).advanceFinality(1n, 10n)).to.emit(f.ledger, "FinalityAdvanced").withArgs(1n, 0n, 1n);
    });
  });

  describe("challenge window", function () {
    it("applies a change to later commits only: each version keeps the window it was committed with", async function () {
      const f = await loadFixture(deployWorkLedgerFixture);
      const first = await commitNext(f);
      const firstAt = BigInt((await ethers.provider.getBlock(first.tx.blockNumber!))!.timestamp);
      await f.ledger.connect(f.admin).setChallengeWindow(1n, MIN_CHALLENGE_WINDOW);
      const second = await commitNext(f);
      const secondAt = BigInt((await ethers.provider.getBlock(second.tx.blockNumber!))!.timestamp);
      const v0 = await f.ledger.latestEpoch(1n, 0n);
      const v1 = await f.ledger.latestEpoch(1n, 1n);
      expect([v0.challengeWindow, v0.finalizesAt]).to.deep.equal([CHALLENGE_WINDOW, firstAt + CHALLENGE_WINDOW]);
      expect([v1.challengeWindow, v1.finalizesAt]).to.deep.equal([MIN_CHALLENGE_WINDOW, secondAt + MIN_CHALLENGE_WINDOW]);
      await time.increaseTo(secondAt + MIN_CHALLENGE_WINDOW);
      expect(await f.ledger.isFinal(1n, 1n)).to.equal(true);
      expect(await f.ledger.isFinal(1n, 0n)).to.equal(false);
    });
  });

  describe("RevenueLedger wiring", function () {
    it("is set once, by the deployer, to a RevenueLedger that reads this WorkLedger", async function () {
      const [deployer, other] = await ethers.getSigners();
      const wl = await new WorkLedger__factory(deployer).deploy();
      const otherWl = await new WorkLedger__factory(deployer).deploy();
      const rl = await new RevenueLedger__factory(deployer).deploy(await wl.getAddress(), deployer.address);
      const foreign = await new RevenueLedger__factory(deployer).deploy(await otherWl.getAddress(), deployer.address);
      expect(await wl.revenueLedger()).to.equal(ZeroAddress);
      await expect(wl.connect(other).setRevenueLedger(await rl.getAddress()))
        .to.be.revertedWithCustomError(wl, "WorkLedgerNotDeployer")
        .withArgs(other.address);
      for (const bad of [await foreign.getAddress(), other.address, ZeroAddress, await otherWl.getAddress()]) {
        await expect(wl.setRevenueLedger(bad)).to.be.revertedWithCustomError(wl, "WorkLedgerRevenueLedgerMismatch").withArgs(bad);
      }
      await expect(wl.setRevenueLedger(await rl.getAddress()))
        .to.emit(wl, "RevenueLedgerSet")
        .withArgs(await rl.getAddress());
      expect(await wl.revenueLedger()).to.equal(await rl.getAddress());
      await expect(wl.setRevenueLedger(await rl.getAddress()))
        .to.be.revertedWithCustomError(wl, "WorkLedgerRevenueLedgerAlreadySet")
        .withArgs(await rl.getAddress());
    });

    it("without it, no challenge can be posted", async function () {
      const [deployer, admin, v1, , , , , , , arbiter] = await ethers.getSigners();
      const wl = await new WorkLedger__factory(deployer).deploy();
      await wl.createNetwork(networkParams(admin.address, [v1.address], 1, undefined, arbiter.address));
      await expect(wl.challengeEpoch(1n, 0n, REASON)).to.be.revertedWithCustomError(wl, "WorkLedgerRevenueLedgerNotSet");
    });
  });

  describe("arbiter", function () {
    it("is changed only by itself, in two steps (transfer, accept)", async function () {
      const f = await loadFixture(deployWorkLedgerFixture);
      const next = f.outsider;
      await expect(f.ledger.connect(f.arbiter).transferArbiter(1n, next.address))
        .to.emit(f.ledger, "ArbiterTransferStarted")
        .withArgs(1n, f.arbiter.address, next.address);
      expect(await f.ledger.pendingArbiterOf(1n)).to.equal(next.address);
      expect(await f.ledger.arbiterOf(1n)).to.equal(f.arbiter.address);
      await expect(f.ledger.connect(f.admin).acceptArbiter(1n))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotPendingArbiter")
        .withArgs(1n, f.admin.address);
      await expect(f.ledger.connect(next).acceptArbiter(1n))
        .to.emit(f.ledger, "ArbiterTransferred")
        .withArgs(1n, f.arbiter.address, next.address);
      expect(await f.ledger.arbiterOf(1n)).to.equal(next.address);
      expect(await f.ledger.pendingArbiterOf(1n)).to.equal(ZeroAddress);
      expect(await f.ledger.hasNetworkRole(1n, ROLE.ARBITER, next.address)).to.equal(true);
      await expect(f.ledger.connect(f.arbiter).transferArbiter(1n, f.arbiter.address))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotArbiter")
        .withArgs(1n, f.arbiter.address);
    });

    it("refuses a zero nominee, an admin as nominee, and a nominee who became admin before accepting", async function () {
      const f = await loadFixture(deployWorkLedgerFixture);
      await expect(f.ledger.connect(f.arbiter).transferArbiter(1n, ZeroAddress))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerZeroAddress")
        .withArgs("arbiter");
      await expect(f.ledger.connect(f.arbiter).transferArbiter(1n, f.admin.address))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerArbiterIsAdmin")
        .withArgs(1n, f.admin.address);
      await f.ledger.connect(f.arbiter).transferArbiter(1n, f.outsider.address);
      await f.ledger.connect(f.admin).grantRole(roleId(1n, ROLE.ADMIN), f.outsider.address);
      await expect(f.ledger.connect(f.outsider).acceptArbiter(1n))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerArbiterIsAdmin")
        .withArgs(1n, f.outsider.address);
      await expect(f.ledger.acceptArbiter(5n)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork").withArgs(5n);
      await expect(f.ledger.transferArbiter(5n, f.outsider.address))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork")
        .withArgs(5n);
    });

    it("can be an OpenZeppelin TimelockController, unchanged: it rules and hands over through scheduled calls", async function () {
      const f = await loadFixture(deployWorkLedgerFixture);
      const [proposer, executor] = [f.v4, f.relayer];
      const delay = 3_600n;
      const timelock = await new TimelockArbiter__factory(f.deployer).deploy(delay, [proposer.address], [executor.address], ZeroAddress);
      const tl = await timelock.getAddress();
      const params = { ...networkParams(f.admin.address, f.verifiers.map((v) => v.address), 2, await f.token.getAddress(), tl) };
      await f.ledger.createNetwork(params);
      expect(await f.ledger.arbiterOf(2n)).to.equal(tl);
      const g = { ...f, networkId: 2n };
      const { epoch } = await commitNext(g);
      await f.ledger.connect(f.challenger).challengeEpoch(2n, epoch, REASON);

      const run = async (data: string, salt: string) => {
        const target = await f.ledger.getAddress();
        await timelock.connect(proposer).schedule(target, 0n, data, ZeroHash, salt, delay);
        await time.increase(delay);
        return timelock.connect(executor).execute(target, 0n, data, ZeroHash, salt);
      };
      const resolve = f.ledger.interface.encodeFunctionData("resolveChallenge", [2n, epoch, false]);
      await expect(run(resolve, keccak256("0x01"))).to.emit(f.ledger, "ChallengeResolved");
      const [{ args }] = await f.ledger.queryFilter(f.ledger.filters.ChallengeResolved(2n, epoch));
      expect(args.arbiter).to.equal(tl);
      expect(await f.ledger.epochStatus(2n, epoch)).to.deep.equal([EpochStatus.Pending, 1n]);

      const transfer = f.ledger.interface.encodeFunctionData("transferArbiter", [2n, f.outsider.address]);
      await expect(run(transfer, keccak256("0x02"))).to.emit(f.ledger, "ArbiterTransferStarted").withArgs(2n, tl, f.outsider.address);
      await f.ledger.connect(f.outsider).acceptArbiter(2n);
      expect(await f.ledger.arbiterOf(2n)).to.equal(f.outsider.address);
    });
  });

  describe("recovery rotation", function () {
    const members = (f: WorkLedgerFixture) => [f.v4.address, f.outsider.address, f.relayer.address];
    /** A one-verifier network with the smallest window, deadline and statement length, and thaw `thawSeconds`. */
    const shortParams = (f: WorkLedgerFixture, thawSeconds: bigint) => ({
      ...networkParams(f.admin.address, [f.v4.address], 1),
      challengeWindow: MIN_CHALLENGE_WINDOW,
      arbiterDeadline: MIN_ARBITER_DEADLINE,
      maxStatementEpochs: 1,
      thawSeconds,
    });

    it("waits max(7 days, 2 x window, thaw + 1 day) in public, then anyone applies it; committed versions keep their set", async function () {
      const f = await loadFixture(finalEpochFixture);
      const delay = THAW_SECONDS + RECOVERY_THAW_MARGIN;
      expect(await f.ledger.recoveryDelay(1n)).to.equal(delay);
      const tx = await f.ledger.connect(f.admin).proposeRecovery(1n, members(f), 2);
      const at = BigInt((await ethers.provider.getBlock(tx.blockNumber!))!.timestamp);
      await expect(tx)
        .to.emit(f.ledger, "RecoveryProposed")
        .withArgs(1n, 2n, members(f), 2n, at + delay, f.admin.address);
      const setHash = keccak256(AbiCoder.defaultAbiCoder().encode(["address[]", "uint8"], [members(f), 2]));
      expect(await f.ledger.recoveryProposal(1n)).to.deep.equal([setHash, 2n, at, at + delay]);
      await time.setNextBlockTimestamp(at + delay - 1n);
      await expect(f.ledger.connect(f.outsider).applyRecovery(1n, members(f), 2))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerRecoveryNotReady")
        .withArgs(1n, at + delay);
      const applied = f.ledger.connect(f.outsider).applyRecovery(1n, members(f), 2);
      await expect(applied).to.emit(f.ledger, "VerifierSetUpdated").withArgs(1n, 2n, members(f), 2n);
      await expect(applied).to.emit(f.ledger, "RecoveryApplied").withArgs(1n, 2n, f.outsider.address);
      expect(await f.ledger.recoveryProposal(1n)).to.deep.equal([ZeroHash, 0n, 0n, 0n]);
      expect((await f.ledger.latestEpoch(1n, 0n)).verifierSetId).to.equal(1n);
      expect(await f.ledger.verifyRecord(1n, 0n, f.honest.records[0], f.honest.tree.getProof(toLeaf(f.honest.records[0])))).to.equal(true);
      // The new set signs the next epoch.
      await expect(commitNext(f, 2, {}, [f.v4, f.outsider])).to.not.be.reverted;
    });

    it("uses 7 days or 2 x the window when they are longer than the thaw plus a day", async function () {
      const f = await loadFixture(deployWorkLedgerFixture);
      const short = shortParams(f, minThaw(MIN_CHALLENGE_WINDOW, MIN_ARBITER_DEADLINE, 1, EPOCH_SECONDS));
      await f.ledger.createNetwork(short);
      expect(await f.ledger.recoveryDelay(2n)).to.equal(MIN_RECOVERY_DELAY);
      const window = 10n * 86_400n;
      await f.ledger.createNetwork({ ...short, challengeWindow: window, thawSeconds: minThaw(window, MIN_ARBITER_DEADLINE, 1, EPOCH_SECONDS) });
      expect(await f.ledger.recoveryDelay(3n)).to.equal(2n * window);
      await expect(f.ledger.recoveryDelay(9n)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork").withArgs(9n);
    });

    it("takes a window raised after the proposal into account when applied", async function () {
      const f = await loadFixture(deployWorkLedgerFixture);
      const short = shortParams(f, 30n * 86_400n);
      await f.ledger.createNetwork(short);
      const tx = await f.ledger.connect(f.admin).proposeRecovery(2n, [f.outsider.address], 1);
      const at = BigInt((await ethers.provider.getBlock(tx.blockNumber!))!.timestamp);
      const window = 20n * 86_400n;
      await f.ledger.connect(f.admin).setChallengeWindow(2n, window);
      await time.setNextBlockTimestamp(at + 31n * 86_400n);
      await expect(f.ledger.applyRecovery(2n, [f.outsider.address], 1))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerRecoveryNotReady")
        .withArgs(2n, at + 2n * window);
    });

    it("can be cancelled by the arbiter only", async function () {
      const f = await loadFixture(deployWorkLedgerFixture);
      await expect(f.ledger.connect(f.arbiter).cancelRecovery(1n)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerNoRecovery").withArgs(1n);
      await f.ledger.connect(f.admin).proposeRecovery(1n, members(f), 2);
      await expect(f.ledger.connect(f.outsider).cancelRecovery(1n))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNotArbiter")
        .withArgs(1n, f.outsider.address);
      await expect(f.ledger.connect(f.arbiter).cancelRecovery(1n)).to.emit(f.ledger, "RecoveryCancelled").withArgs(1n, 2n, f.arbiter.address);
      await time.increase(THAW_SECONDS + RECOVERY_THAW_MARGIN);
      await expect(f.ledger.applyRecovery(1n, members(f), 2)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerNoRecovery").withArgs(1n);
      await expect(f.ledger.cancelRecovery(7n)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork").withArgs(7n);
    });

    it("is proposed by the admin only, validated up front, replaced by a new proposal", async function () {
      const f = await loadFixture(deployWorkLedgerFixture);
      await expect(f.ledger.connect(f.outsider).proposeRecovery(1n, members(f), 2))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnauthorized")
        .withArgs(1n, f.outsider.address, roleId(1n, ROLE.ADMIN));
      await expect(f.ledger.connect(f.admin).proposeRecovery(4n, members(f), 2))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork")
        .withArgs(4n);
      await expect(f.ledger.connect(f.admin).proposeRecovery(1n, [f.v4.address], 2))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidThreshold")
        .withArgs(2n, 1n);
      await expect(f.ledger.connect(f.admin).proposeRecovery(1n, [f.v4.address, ZeroAddress], 1))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerZeroVerifier")
        .withArgs(1n);
      await expect(f.ledger.connect(f.admin).proposeRecovery(1n, [f.v4.address, f.outsider.address, f.v4.address], 1))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerDuplicateVerifier")
        .withArgs(f.v4.address);
      await f.ledger.connect(f.admin).proposeRecovery(1n, members(f), 2);
      await f.ledger.connect(f.admin).proposeRecovery(1n, [f.v4.address], 1);
      await time.increase(THAW_SECONDS + RECOVERY_THAW_MARGIN);
      await expect(f.ledger.applyRecovery(1n, members(f), 2)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerRecoveryMismatch").withArgs(1n);
      await expect(f.ledger.applyRecovery(1n, [f.v4.address], 2)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerRecoveryMismatch");
      await expect(f.ledger.applyRecovery(8n, [f.v4.address], 1)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork").withArgs(8n);
      await expect(f.ledger.applyRecovery(1n, [f.v4.address], 1)).to.emit(f.ledger, "RecoveryApplied");
    });

    it("goes stale when the verifiers rotate first (their signed rotation wins)", async function () {
      const f = await loadFixture(deployWorkLedgerFixture);
      await f.ledger.connect(f.admin).proposeRecovery(1n, members(f), 2);
      const next = [f.verifiers[0].address, f.verifiers[1].address];
      const sigs = await signRotation(f.verifiers.slice(0, 2), f.domain, { networkId: 1n, verifierSetId: 2n, verifiers: next, threshold: 2 });
      await f.ledger.rotateVerifiers(1n, next, 2, sigs);
      await time.increase(THAW_SECONDS + RECOVERY_THAW_MARGIN);
      await expect(f.ledger.applyRecovery(1n, members(f), 2))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerRecoveryStale")
        .withArgs(1n, 2n, 2n);
    });
  });
});
