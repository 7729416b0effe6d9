/**
 * Bonded challenges (issue #13, DESIGN rules 4, 5 and 10): the bond comes from the challenger's wallet
 * into bond:<networkId>:<challenger> in the RevenueLedger's books; upheld or expired returns it,
 * rejected forfeits it to the network's revenue of that epoch; one open challenge per version, the bond
 * doubles after each rejection, at most three per version; the arbiter's deadline; tokens that refuse
 * or skim the transfer; only the WorkLedger moves bonds; a pause does not stop any of it.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ContractTransactionResponse, ZeroAddress, keccak256, toUtf8Bytes } from "ethers";
import { BlocklistToken__factory, FeeOnTransferToken__factory, RevenueLedger } from "../../typechain-types";
import { Kind, accountId } from "../helpers/revenueFixture";
import { WorkLedgerFixture, commitNext, correctNext, deployWorkLedgerFixture, networkParams } from "../helpers/workLedgerFixture";
import { ARBITER_DEADLINE, BOND, CHALLENGE_WINDOW, EpochStatus, MAX_CHALLENGES } from "../helpers/constants";

const REASON = keccak256(toUtf8Bytes("usage of customer 2 is double-counted"));

/** The EntryPosted events `tx` emitted on `revenue`, as [debit, credit, amount, epoch]. */
async function entries(revenue: RevenueLedger, tx: ContractTransactionResponse): Promise<[string, string, bigint, bigint][]> {
  const receipt = await tx.wait();
  const addr = await revenue.getAddress();
  return receipt!.logs
    .filter((l) => l.address === addr)
    .map((l) => revenue.interface.parseLog(l))
    .filter((e) => e?.name === "EntryPosted")
    .map((e) => [e!.args.debitAccount, e!.args.creditAccount, e!.args.amount, e!.args.epoch]);
}

/** The test network with epoch 0 committed (Pending). */
async function pendingFixture() {
  const f = await deployWorkLedgerFixture();
  const { epoch } = await commitNext(f);
  const tokenAddr = await f.token.getAddress();
  return {
    ...f,
    epoch,
    assets: accountId(Kind.Assets, 0n, tokenAddr),
    bondOf: (who: string) => accountId(Kind.Bond, 1n, who),
    revenueAccount: accountId(Kind.Revenue, 1n),
  };
}

/** The books tie: tokens held by the RevenueLedger == its Assets account. */
async function expectBooksTie(f: WorkLedgerFixture) {
  const held = await f.token.balanceOf(await f.revenue.getAddress());
  expect(await f.revenue.balanceOf(accountId(Kind.Assets, 0n, await f.token.getAddress()))).to.equal(held);
}

describe("WorkLedger: bonded challenges", function () {
  let f: Awaited<ReturnType<typeof pendingFixture>>;
  beforeEach(async function () {
    f = await loadFixture(pendingFixture);
  });

  it("pulls the bond from the challenger's wallet into its bond account (one balanced entry)", async function () {
    expect(await f.ledger.nextBond(1n, 0n)).to.equal(BOND);
    const tx = await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
    await expect(tx).to.changeTokenBalances(f.token, [f.challenger, f.revenue], [-BOND, BOND]);
    await expect(tx).to.emit(f.revenue, "BondLocked").withArgs(1n, 0n, f.challenger.address, BOND);
    expect(await entries(f.revenue, tx)).to.deep.equal([[f.assets, f.bondOf(f.challenger.address), BOND, 0n]]);
    expect(await f.revenue.balanceOf(f.bondOf(f.challenger.address))).to.equal(BOND);
    expect(await f.revenue.networkToken(1n)).to.equal(await f.token.getAddress());
    await expectBooksTie(f);
  });

  it("takes the bond from the wallet, never from escrow: no allowance, no challenge", async function () {
    await f.revenue.connect(f.challenger).deposit(1n, 100n * BOND);
    await f.token.connect(f.challenger).approve(await f.revenue.getAddress(), 0n);
    await expect(f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON)).to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance");
    expect((await f.revenue.customer(1n, f.challenger.address)).escrow).to.equal(100n * BOND);
  });

  it("upheld: Voided and the bond returned (bond -> assets)", async function () {
    await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
    const tx = await f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, true);
    await expect(tx).to.changeTokenBalances(f.token, [f.challenger, f.revenue], [BOND, -BOND]);
    await expect(tx).to.emit(f.revenue, "BondReturned").withArgs(1n, 0n, f.challenger.address, BOND, true);
    expect(await entries(f.revenue, tx)).to.deep.equal([[f.bondOf(f.challenger.address), f.assets, BOND, 0n]]);
    expect(await f.ledger.epochStatus(1n, 0n)).to.deep.equal([EpochStatus.Voided, 1n]);
    expect(await f.revenue.balanceOf(f.bondOf(f.challenger.address))).to.equal(0n);
    await expectBooksTie(f);
  });

  it("rejected: the bond becomes network revenue (booked on that epoch) and the remaining window resumes", async function () {
    await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
    const { remainingWindow } = await f.ledger.latestEpoch(1n, 0n);
    const tx = await f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, false);
    const now = BigInt((await ethers.provider.getBlock(tx.blockNumber!))!.timestamp);
    await expect(tx).to.changeTokenBalance(f.token, f.challenger, 0n);
    await expect(tx).to.emit(f.revenue, "BondForfeited").withArgs(1n, 0n, f.challenger.address, BOND);
    expect(await entries(f.revenue, tx)).to.deep.equal([[f.bondOf(f.challenger.address), f.revenueAccount, BOND, 0n]]);
    expect(await f.revenue.netRevenuePosted(1n)).to.equal(BOND);
    expect(await f.revenue.balanceOf(f.revenueAccount)).to.equal(BOND);
    expect((await f.ledger.latestEpoch(1n, 0n)).finalizesAt).to.equal(now + remainingWindow);
    await expectBooksTie(f);
  });

  it("doubles the bond after each rejection and allows at most three challenges per version", async function () {
    const challengers = [f.challenger, f.outsider, f.challenger];
    for (let i = 0; i < MAX_CHALLENGES; i++) {
      const bond = BOND << BigInt(i);
      expect(await f.ledger.nextBond(1n, 0n)).to.equal(bond);
      await expect(f.ledger.connect(challengers[i]).challengeEpoch(1n, 0n, REASON))
        .to.emit(f.ledger, "EpochChallenged")
        .withArgs(1n, 0n, 1n, challengers[i].address, bond, (v: bigint) => v > 0n, REASON);
      expect((await f.ledger.challengeOf(1n, 0n)).bond).to.equal(bond);
      expect((await f.ledger.latestEpoch(1n, 0n)).challenges).to.equal(BigInt(i + 1));
      await f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, false);
    }
    expect(await f.revenue.netRevenuePosted(1n)).to.equal(BOND * 7n);
    await expect(f.ledger.connect(f.outsider).challengeEpoch(1n, 0n, REASON))
      .to.be.revertedWithCustomError(f.ledger, "WorkLedgerTooManyChallenges")
      .withArgs(1n, 0n, 1n);
    await time.increase(CHALLENGE_WINDOW);
    expect(await f.ledger.isFinal(1n, 0n)).to.equal(true);
    await expectBooksTie(f);
  });

  it("gives a corrected version its own three challenges, from the base bond", async function () {
    await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
    await f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, false);
    expect(await f.ledger.nextBond(1n, 0n)).to.equal(2n * BOND);
    await correctNext(f, 0n, 2n);
    expect(await f.ledger.nextBond(1n, 0n)).to.equal(BOND);
    await expect(f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON))
      .to.emit(f.ledger, "EpochChallenged")
      .withArgs(1n, 0n, 2n, f.challenger.address, BOND, (v: bigint) => v > 0n, REASON);
    expect((await f.ledger.epochVersion(1n, 0n, 1n)).challenges).to.equal(1n);
  });

  describe("arbiter deadline", function () {
    beforeEach(async function () {
      await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
    });

    it("lets the arbiter rule until one second before the deadline, and no later", async function () {
      const { deadline } = await f.ledger.challengeOf(1n, 0n);
      const at = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      expect(deadline).to.equal(at + ARBITER_DEADLINE);
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, false)).to.emit(f.ledger, "ChallengeResolved");
    });

    it("expires at the deadline (anyone): Voided, bond returned; not a second earlier", async function () {
      const { deadline } = await f.ledger.challengeOf(1n, 0n);
      await time.setNextBlockTimestamp(deadline - 1n);
      await expect(f.ledger.connect(f.outsider).expireChallenge(1n, 0n))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerChallengeNotExpired")
        .withArgs(1n, 0n, deadline);
      await time.setNextBlockTimestamp(deadline);
      const tx = await f.ledger.connect(f.outsider).expireChallenge(1n, 0n);
      await expect(tx).to.emit(f.ledger, "ChallengeExpired").withArgs(1n, 0n, 1n, f.outsider.address);
      await expect(tx).to.changeTokenBalance(f.token, f.challenger, BOND);
      await expect(tx).to.emit(f.revenue, "BondReturned").withArgs(1n, 0n, f.challenger.address, BOND, true);
      expect(await f.ledger.epochStatus(1n, 0n)).to.deep.equal([EpochStatus.Voided, 1n]);
      expect((await f.ledger.challengeOf(1n, 0n)).challenger).to.equal(ZeroAddress);
      await expect(f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, false))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Voided);
      await expectBooksTie(f);
    });

    it("expireChallenge reverts for an unknown network or epoch and an epoch not challenged", async function () {
      await time.increase(ARBITER_DEADLINE);
      await expect(f.ledger.expireChallenge(3n, 0n)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownNetwork").withArgs(3n);
      await expect(f.ledger.expireChallenge(1n, 4n)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerUnknownEpoch").withArgs(1n, 4n);
      await f.ledger.expireChallenge(1n, 0n);
      await expect(f.ledger.expireChallenge(1n, 0n))
        .to.be.revertedWithCustomError(f.ledger, "WorkLedgerInvalidEpochStatus")
        .withArgs(1n, 0n, EpochStatus.Voided);
    });
  });

  it("keeps challenges, rulings, expiries and corrections open while paused; commits and registrations stop", async function () {
    await f.ledger.connect(f.admin).setPaused(1n, true);
    await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
    await f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, false);
    await f.ledger.connect(f.challenger).challengeEpoch(1n, 0n, REASON);
    await time.increase(ARBITER_DEADLINE);
    await expect(f.ledger.expireChallenge(1n, 0n)).to.emit(f.ledger, "ChallengeExpired");
    await expect(correctNext(f, 0n, 2n)).to.not.be.reverted;
    await expect(f.ledger.advanceFinality(1n, 1n)).to.not.be.reverted;
    await expect(commitNext(f)).to.be.revertedWithCustomError(f.ledger, "WorkLedgerNetworkPaused").withArgs(1n);
    await expect(f.ledger.connect(f.admin).registerNode(1n, REASON, f.operator.address))
      .to.be.revertedWithCustomError(f.ledger, "WorkLedgerNetworkPaused")
      .withArgs(1n);
  });

  it("lets only the WorkLedger move bonds", async function () {
    const token = await f.token.getAddress();
    const who = f.challenger.address;
    await expect(f.revenue.connect(f.admin).lockBond(1n, token, who, BOND, 0n))
      .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerOnlyWorkLedger")
      .withArgs(f.admin.address);
    await expect(f.revenue.connect(f.arbiter).returnBond(1n, who, BOND, 0n))
      .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerOnlyWorkLedger")
      .withArgs(f.arbiter.address);
    await expect(f.revenue.connect(f.deployer).forfeitBond(1n, who, BOND, 0n))
      .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerOnlyWorkLedger")
      .withArgs(f.deployer.address);
  });

  describe("tokens that refuse or skim transfers", function () {
    it("a blocklisted challenger cannot block the ruling: the returned bond waits, booked, for withdrawBond", async function () {
      const token = await new BlocklistToken__factory(f.deployer).deploy();
      const tokenAddr = await token.getAddress();
      await f.ledger.createNetwork(networkParams(f.admin.address, f.verifiers.map((v) => v.address), 2, tokenAddr, f.arbiter.address));
      const g = { ...f, networkId: 2n };
      const { epoch } = await commitNext(g);
      await token.mint(f.challenger.address, 10n * BOND);
      await token.connect(f.challenger).approve(await f.revenue.getAddress(), ethers.MaxUint256);
      await f.ledger.connect(f.challenger).challengeEpoch(2n, epoch, REASON);
      await token.setBlocked(f.challenger.address, true);
      const tx = await f.ledger.connect(f.arbiter).resolveChallenge(2n, epoch, true);
      await expect(tx).to.emit(f.revenue, "BondReturned").withArgs(2n, epoch, f.challenger.address, BOND, false);
      expect(await entries(f.revenue, tx)).to.deep.equal([]);
      expect(await f.ledger.epochStatus(2n, epoch)).to.deep.equal([EpochStatus.Voided, 1n]);
      expect(await f.revenue.returnableBond(2n, f.challenger.address)).to.equal(BOND);
      const bondAccount = accountId(Kind.Bond, 2n, f.challenger.address);
      expect(await f.revenue.balanceOf(bondAccount)).to.equal(BOND);

      await expect(f.revenue.connect(f.challenger).withdrawBond(2n, ZeroAddress))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerZeroAddress")
        .withArgs("to");
      await expect(f.revenue.connect(f.outsider).withdrawBond(2n, f.outsider.address)).to.be.revertedWithCustomError(f.revenue, "RevenueLedgerZeroAmount");
      const w = await f.revenue.connect(f.challenger).withdrawBond(2n, f.outsider.address);
      await expect(w).to.changeTokenBalance(token, f.outsider, BOND);
      await expect(w).to.emit(f.revenue, "BondWithdrawn").withArgs(2n, f.challenger.address, f.outsider.address, BOND);
      expect(await entries(f.revenue, w)).to.deep.equal([[bondAccount, accountId(Kind.Assets, 0n, tokenAddr), BOND, 2n ** 64n - 1n]]);
      expect(await f.revenue.returnableBond(2n, f.challenger.address)).to.equal(0n);
      expect(await f.revenue.balanceOf(accountId(Kind.Assets, 0n, tokenAddr))).to.equal(await token.balanceOf(await f.revenue.getAddress()));
    });

    it("a fee-on-transfer token that delivers less than the bond is refused", async function () {
      const token = await new FeeOnTransferToken__factory(f.deployer).deploy(100);
      await f.ledger.createNetwork(
        networkParams(f.admin.address, f.verifiers.map((v) => v.address), 2, await token.getAddress(), f.arbiter.address),
      );
      const { epoch } = await commitNext({ ...f, networkId: 2n });
      await token.mint(f.challenger.address, 10n * BOND);
      await token.connect(f.challenger).approve(await f.revenue.getAddress(), ethers.MaxUint256);
      await expect(f.ledger.connect(f.challenger).challengeEpoch(2n, epoch, REASON))
        .to.be.revertedWithCustomError(f.revenue, "RevenueLedgerBondShortfall")
        .withArgs(BOND, BOND - BOND / 100n);
    });
  });

  it("lets customers of the network challenge too, and keeps their escrow apart from their bond", async function () {
    await f.revenue.connect(f.outsider).deposit(1n, 20n * BOND);
    await f.ledger.connect(f.outsider).challengeEpoch(1n, 0n, REASON);
    expect((await f.revenue.customer(1n, f.outsider.address)).escrow).to.equal(20n * BOND);
    expect(await f.revenue.balanceOf(accountId(Kind.Bond, 1n, f.outsider.address))).to.equal(BOND);
    await f.ledger.connect(f.arbiter).resolveChallenge(1n, 0n, false);
    expect((await f.revenue.customer(1n, f.outsider.address)).escrow).to.equal(20n * BOND);
    expect(await f.revenue.netRevenuePosted(1n)).to.equal(BOND);
    await expectBooksTie(f);
  });
});
