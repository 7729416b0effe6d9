/**
 * Unit tests of RevenueLedger over a mock WorkLedger (epoch status, pause and roles set directly):
 * every path, every revert with its custom error and arguments, every event with its arguments.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import { RevenueLedger__factory } from "../../typechain-types";
import {
  BILLER,
  ChargeStatus,
  Kind,
  MAX_FEE_BPS,
  NO_EPOCH,
  PROTOCOL_ADMIN_ROLE,
  PayoutLeaf,
  Status,
  USD,
  UnitFixture,
  accountId,
  chargeIdOf,
  nodeIdOf,
  payoutTree,
  proofOf,
  revenueUnitFixture,
  signPermit,
} from "../helpers/revenueFixture";

const EPOCH = 5n;
const REF = keccak256(toUtf8Bytes("usage-5"));
const REASON = keccak256(toUtf8Bytes("SLA breach"));
const MAX_NETWORK_ID = (1n << 88n) - 1n;

/** Alice deposits 100 USD on net1; epoch 5 is Pending; biller charges her 40 USD (fee 1%). */
async function chargedFixture(): Promise<UnitFixture & { chargeId: string }> {
  const f = await revenueUnitFixture();
  await f.ledger.connect(f.admin).setProtocolFee(100);
  await f.ledger.connect(f.alice).deposit(f.net1, 100n * USD);
  await f.wl.setEpochStatus(f.net1, EPOCH, Status.Pending);
  await f.ledger.connect(f.biller).charge(f.net1, f.alice.address, EPOCH, 40n * USD, REF);
  return { ...f, chargeId: chargeIdOf(f.net1, f.alice.address, EPOCH, REF) };
}

/** chargedFixture, then the epoch is Final and the charge posted: 39.6 USD revenue, 0.4 USD fee. */
async function postedFixture(): Promise<UnitFixture & { chargeId: string }> {
  const f = await chargedFixture();
  await f.wl.setEpochStatus(f.net1, EPOCH, Status.Final);
  await f.ledger.postCharge(f.chargeId);
  return f;
}

/** postedFixture, then a payout root of 3 leaves (op1: 10 + 5 USD, op2: 20 USD) for epoch 5. */
async function payoutFixture() {
  const f = await postedFixture();
  const leaves: PayoutLeaf[] = [
    [0n, nodeIdOf("n0"), f.op1.address, 10n * USD],
    [1n, nodeIdOf("n1"), f.op2.address, 20n * USD],
    [2n, nodeIdOf("n2"), f.op1.address, 5n * USD],
  ];
  const tree = payoutTree(leaves);
  await f.ledger.connect(f.biller).postPayoutRoot(f.net1, EPOCH, tree.root, 35n * USD, 3);
  return { ...f, leaves, tree };
}

describe("RevenueLedger", function () {
  describe("constructor and views", function () {
    it("reverts on a zero WorkLedger or protocol admin", async function () {
      const [admin] = await ethers.getSigners();
      const factory = new RevenueLedger__factory(admin);
      await expect(factory.deploy(ZeroAddress, admin.address))
        .to.be.revertedWithCustomError(factory, "RevenueLedgerZeroAddress")
        .withArgs("workLedger");
      await expect(factory.deploy(admin.address, ZeroAddress))
        .to.be.revertedWithCustomError(factory, "RevenueLedgerZeroAddress")
        .withArgs("protocolAdmin");
    });

    it("exposes its WorkLedger, admin, fee rate and account ids", async function () {
      const { ledger, wl, admin, alice } = await loadFixture(revenueUnitFixture);
      expect(await ledger.workLedger()).to.equal(await wl.getAddress());
      expect(await ledger.protocolAdmin()).to.equal(admin.address);
      expect(await ledger.protocolFeeBps()).to.equal(0n);
      expect(await ledger.MAX_FEE_BPS()).to.equal(MAX_FEE_BPS);
      expect(await ledger.networkToken(1n)).to.equal(ZeroAddress);
      for (const kind of Object.values(Kind)) {
        expect(await ledger.accountId(kind, 7n, alice.address)).to.equal(accountId(kind, 7n, alice.address));
      }
    });
  });

  describe("deposit", function () {
    it("credits escrow, debits assets and emits Deposited and EntryPosted", async function () {
      const { ledger, token, alice, net1 } = await loadFixture(revenueUnitFixture);
      const assets = accountId(Kind.Assets, 0n, await token.getAddress());
      const escrow = accountId(Kind.Escrow, net1, alice.address);
      await expect(ledger.connect(alice).deposit(net1, 100n * USD))
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, assets, escrow, 100n * USD, NO_EPOCH, ZeroHash, 100n * USD, 100n * USD)
        .and.to.emit(ledger, "Deposited")
        .withArgs(net1, alice.address, alice.address, 100n * USD, 100n * USD);
      await expect(ledger.connect(alice).deposit(net1, 50n * USD))
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, assets, escrow, 50n * USD, NO_EPOCH, ZeroHash, 150n * USD, 150n * USD);
      expect(await ledger.balanceOf(escrow)).to.equal(150n * USD);
      expect(await ledger.balanceOf(assets)).to.equal(await token.balanceOf(await ledger.getAddress()));
      expect(await ledger.networkToken(net1)).to.equal(await token.getAddress());
      const c = await ledger.customer(net1, alice.address);
      expect([c.free, c.held, c.lastChargeId, c.runwayThreshold]).to.deep.equal([150n * USD, 0n, ZeroHash, 0n]);
    });

    it("returns the credited amount", async function () {
      const { ledger, alice, net1 } = await loadFixture(revenueUnitFixture);
      expect(await ledger.connect(alice).deposit.staticCall(net1, 7n)).to.equal(7n);
    });

    it("keeps one assets account per token across networks", async function () {
      const { ledger, token, alice, bob, net1, net2 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(alice).deposit(net1, 10n * USD);
      await ledger.connect(bob).deposit(net2, 20n * USD);
      expect(await ledger.balanceOf(accountId(Kind.Assets, 0n, await token.getAddress()))).to.equal(30n * USD);
      expect(await ledger.balanceOf(accountId(Kind.Escrow, net2, bob.address))).to.equal(20n * USD);
    });

    it("reverts on zero or too large amounts", async function () {
      const { ledger, alice, net1 } = await loadFixture(revenueUnitFixture);
      await expect(ledger.connect(alice).deposit(net1, 0n)).to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAmount");
      await expect(ledger.connect(alice).deposit(net1, 1n << 128n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerAmountTooLarge")
        .withArgs(1n << 128n);
    });

    it("reverts on an unknown network", async function () {
      const { ledger, alice } = await loadFixture(revenueUnitFixture);
      for (const id of [0n, 3n, MAX_NETWORK_ID + 1n]) {
        await expect(ledger.connect(alice).deposit(id, 1n))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownNetwork")
          .withArgs(id);
      }
    });

    it("works while the network is paused (a pause stops only charges, rule 10)", async function () {
      const { ledger, wl, alice, net1 } = await loadFixture(revenueUnitFixture);
      await wl.setPaused(net1, true);
      await expect(ledger.connect(alice).deposit(net1, 1n)).to.emit(ledger, "Deposited").withArgs(net1, alice.address, alice.address, 1n, 1n);
    });
  });

  describe("depositWithPermit", function () {
    it("deposits in one call with an EIP-2612 permit and no prior allowance", async function () {
      const { ledger, token, outsider, net1 } = await loadFixture(revenueUnitFixture);
      await token.mint(outsider.address, 50n * USD);
      const spender = await ledger.getAddress();
      const deadline = 2n ** 40n;
      const sig = await signPermit(token, outsider, spender, 50n * USD, deadline);
      await expect(ledger.connect(outsider).depositWithPermit(net1, 50n * USD, deadline, sig.v, sig.r, sig.s))
        .to.emit(ledger, "Deposited")
        .withArgs(net1, outsider.address, outsider.address, 50n * USD, 50n * USD);
      expect(await token.nonces(outsider.address)).to.equal(1n);
      expect(await ledger.balanceOf(accountId(Kind.Escrow, net1, outsider.address))).to.equal(50n * USD);
    });

    it("still deposits when the permit was front-run (allowance already set)", async function () {
      const { ledger, token, outsider, net1 } = await loadFixture(revenueUnitFixture);
      await token.mint(outsider.address, 50n * USD);
      const spender = await ledger.getAddress();
      const deadline = 2n ** 40n;
      const sig = await signPermit(token, outsider, spender, 50n * USD, deadline);
      await token.permit(outsider.address, spender, 50n * USD, deadline, sig.v, sig.r, sig.s);
      await expect(ledger.connect(outsider).depositWithPermit(net1, 50n * USD, deadline, sig.v, sig.r, sig.s))
        .to.emit(ledger, "Deposited")
        .withArgs(net1, outsider.address, outsider.address, 50n * USD, 50n * USD);
    });

    it("reverts with the token's error when the permit is invalid and there is no allowance", async function () {
      const { ledger, token, outsider, net1 } = await loadFixture(revenueUnitFixture);
      await token.mint(outsider.address, 50n * USD);
      const spender = await ledger.getAddress();
      const sig = await signPermit(token, outsider, spender, 50n * USD, 2n ** 40n);
      await expect(ledger.connect(outsider).depositWithPermit(net1, 50n * USD, 2n ** 40n + 1n, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(token, "ERC20InsufficientAllowance")
        .withArgs(spender, 0n, 50n * USD);
    });

    it("reverts on an unknown network before touching the token, and works while paused", async function () {
      const { ledger, wl, alice, net1 } = await loadFixture(revenueUnitFixture);
      await expect(ledger.connect(alice).depositWithPermit(9n, 1n, 0n, 27, ZeroHash, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownNetwork")
        .withArgs(9n);
      await wl.setPaused(net1, true);
      // alice approved the ledger already, so the (invalid, ignored) permit is not needed.
      await expect(ledger.connect(alice).depositWithPermit(net1, 1n, 0n, 27, ZeroHash, ZeroHash)).to.emit(ledger, "Deposited");
    });
  });

  describe("withdraw", function () {
    it("pays free escrow to any address, with Withdrawn and EntryPosted", async function () {
      const { ledger, token, alice, outsider, net1 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(alice).deposit(net1, 100n * USD);
      const assets = accountId(Kind.Assets, 0n, await token.getAddress());
      const escrow = accountId(Kind.Escrow, net1, alice.address);
      const tx = ledger.connect(alice).withdraw(net1, 30n * USD, outsider.address);
      await expect(tx)
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, escrow, assets, 30n * USD, NO_EPOCH, ZeroHash, 70n * USD, 70n * USD)
        .and.to.emit(ledger, "Withdrawn")
        .withArgs(net1, alice.address, outsider.address, 30n * USD);
      await expect(tx).to.changeTokenBalances(token, [ledger, outsider], [-30n * USD, 30n * USD]);
    });

    it("works while the network is paused (a pause never traps funds)", async function () {
      const { ledger, wl, token, alice, net1 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(alice).deposit(net1, 100n * USD);
      await wl.setPaused(net1, true);
      await expect(ledger.connect(alice).withdraw(net1, 100n * USD, alice.address)).to.changeTokenBalance(
        token,
        alice,
        100n * USD,
      );
    });

    it("cannot take held charges (a charge cannot be dodged)", async function () {
      const { ledger, alice, net1 } = await loadFixture(chargedFixture);
      await expect(ledger.connect(alice).withdraw(net1, 61n * USD, alice.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInsufficientFree")
        .withArgs(net1, alice.address, 60n * USD, 61n * USD);
      await ledger.connect(alice).withdraw(net1, 60n * USD, alice.address);
      expect((await ledger.customer(net1, alice.address)).held).to.equal(40n * USD);
    });

    it("reverts on a zero recipient, zero amount, unknown network or no balance", async function () {
      const { ledger, alice, bob, net1 } = await loadFixture(revenueUnitFixture);
      await expect(ledger.connect(alice).withdraw(net1, 1n, ZeroAddress))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAddress")
        .withArgs("to");
      await expect(ledger.connect(alice).withdraw(net1, 0n, alice.address)).to.be.revertedWithCustomError(
        ledger,
        "RevenueLedgerZeroAmount",
      );
      await expect(ledger.connect(alice).withdraw(MAX_NETWORK_ID + 1n, 1n, alice.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownNetwork")
        .withArgs(MAX_NETWORK_ID + 1n);
      await expect(ledger.connect(bob).withdraw(net1, 1n, bob.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInsufficientFree")
        .withArgs(net1, bob.address, 0n, 1n);
    });
  });

  describe("setRunwayThreshold", function () {
    it("stores the caller's threshold and emits RunwayThresholdSet", async function () {
      const { ledger, alice, net1 } = await loadFixture(revenueUnitFixture);
      await expect(ledger.connect(alice).setRunwayThreshold(net1, 70n * USD))
        .to.emit(ledger, "RunwayThresholdSet")
        .withArgs(net1, alice.address, 70n * USD);
      expect((await ledger.customer(net1, alice.address)).runwayThreshold).to.equal(70n * USD);
      expect((await ledger.customer(2n, alice.address)).runwayThreshold).to.equal(0n);
    });
  });

  describe("charge", function () {
    it("moves the amount from escrow to held, records the charge and emits Charged", async function () {
      const { ledger, wl, admin, biller, alice, net1 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(admin).setProtocolFee(250);
      await ledger.connect(alice).deposit(net1, 100n * USD);
      await wl.setEpochStatus(net1, EPOCH, Status.Pending);
      const id = chargeIdOf(net1, alice.address, EPOCH, REF);
      const escrow = accountId(Kind.Escrow, net1, alice.address);
      const held = accountId(Kind.Held, net1, alice.address);
      expect(await ledger.connect(biller).charge.staticCall(net1, alice.address, EPOCH, 40n * USD, REF)).to.equal(id);
      await expect(ledger.connect(biller).charge(net1, alice.address, EPOCH, 40n * USD, REF))
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, escrow, held, 40n * USD, EPOCH, id, 60n * USD, 40n * USD)
        .and.to.emit(ledger, "Charged")
        .withArgs(id, net1, alice.address, EPOCH, 40n * USD, REF, 250)
        .and.not.to.emit(ledger, "RunwayLow");
      const c = await ledger.getCharge(id);
      expect([c.customer, c.epoch, c.status, c.feeBps, c.amount, c.refunded, c.networkId, c.ref]).to.deep.equal([
        alice.address,
        EPOCH,
        ChargeStatus.Held,
        250n,
        40n * USD,
        0n,
        net1,
        REF,
      ]);
      const view = await ledger.customer(net1, alice.address);
      expect([view.free, view.held, view.lastChargeId]).to.deep.equal([60n * USD, 40n * USD, id]);
    });

    it("charges Pending, Challenged and Final epochs", async function () {
      const { ledger, wl, biller, alice, net1 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(alice).deposit(net1, 100n * USD);
      for (const [i, s] of [Status.Pending, Status.Challenged, Status.Final].entries()) {
        await wl.setEpochStatus(net1, BigInt(i), s);
        await expect(ledger.connect(biller).charge(net1, alice.address, BigInt(i), 1n, REF)).to.emit(ledger, "Charged");
      }
    });

    it("emits RunwayLow when the charge leaves free escrow below the threshold", async function () {
      const { ledger, wl, biller, alice, net1 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(alice).deposit(net1, 100n * USD);
      await ledger.connect(alice).setRunwayThreshold(net1, 50n * USD);
      await wl.setEpochStatus(net1, EPOCH, Status.Pending);
      await expect(ledger.connect(biller).charge(net1, alice.address, EPOCH, 50n * USD, REF)).not.to.emit(
        ledger,
        "RunwayLow",
      );
      await expect(ledger.connect(biller).charge(net1, alice.address, EPOCH, 1n, ZeroHash))
        .to.emit(ledger, "RunwayLow")
        .withArgs(net1, alice.address, 50n * USD - 1n, 50n * USD);
    });

    it("reverts for a caller without the BILLER role", async function () {
      const { ledger, wl, alice, net1 } = await loadFixture(revenueUnitFixture);
      await wl.setEpochStatus(net1, EPOCH, Status.Pending);
      await expect(ledger.connect(alice).charge(net1, alice.address, EPOCH, 1n, REF))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnauthorized")
        .withArgs(net1, alice.address, BILLER);
    });

    it("reverts on an unknown or paused network", async function () {
      const { ledger, wl, biller, alice, net1 } = await loadFixture(revenueUnitFixture);
      await expect(ledger.connect(biller).charge(3n, alice.address, EPOCH, 1n, REF))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownNetwork")
        .withArgs(3n);
      await wl.setPaused(net1, true);
      await expect(ledger.connect(biller).charge(net1, alice.address, EPOCH, 1n, REF))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerNetworkPaused")
        .withArgs(net1);
    });

    it("reverts on a zero customer, zero amount or too large amount", async function () {
      const { ledger, wl, biller, alice, net1 } = await loadFixture(revenueUnitFixture);
      await wl.setEpochStatus(net1, EPOCH, Status.Pending);
      await expect(ledger.connect(biller).charge(net1, ZeroAddress, EPOCH, 1n, REF))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAddress")
        .withArgs("customer");
      await expect(ledger.connect(biller).charge(net1, alice.address, EPOCH, 0n, REF)).to.be.revertedWithCustomError(
        ledger,
        "RevenueLedgerZeroAmount",
      );
      await expect(ledger.connect(biller).charge(net1, alice.address, EPOCH, 1n << 128n, REF))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerAmountTooLarge")
        .withArgs(1n << 128n);
    });

    it("reverts for an epoch never committed or Voided", async function () {
      const { ledger, wl, biller, alice, net1 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(alice).deposit(net1, 100n * USD);
      await expect(ledger.connect(biller).charge(net1, alice.address, EPOCH, 1n, REF))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerEpochNotChargeable")
        .withArgs(net1, EPOCH, Status.None);
      await wl.setEpochStatus(net1, EPOCH, Status.Voided);
      await expect(ledger.connect(biller).charge(net1, alice.address, EPOCH, 1n, REF))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerEpochNotChargeable")
        .withArgs(net1, EPOCH, Status.Voided);
    });

    it("reverts on the same (customer, epoch, reference) twice", async function () {
      const { ledger, biller, alice, net1, chargeId } = await loadFixture(chargedFixture);
      await expect(ledger.connect(biller).charge(net1, alice.address, EPOCH, 1n, REF))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerChargeExists")
        .withArgs(chargeId);
    });

    it("reverts above the free balance (never a partial charge)", async function () {
      const { ledger, biller, alice, net1 } = await loadFixture(chargedFixture);
      await expect(ledger.connect(biller).charge(net1, alice.address, EPOCH, 60n * USD + 1n, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInsufficientFree")
        .withArgs(net1, alice.address, 60n * USD, 60n * USD + 1n);
      expect((await ledger.customer(net1, alice.address)).free).to.equal(60n * USD);
    });
  });

  describe("postCharge", function () {
    it("posts net revenue and the protocol fee once the epoch is Final", async function () {
      const { ledger, wl, alice, outsider, net1, chargeId } = await loadFixture(chargedFixture);
      await wl.setEpochStatus(net1, EPOCH, Status.Final);
      const held = accountId(Kind.Held, net1, alice.address);
      const revenue = accountId(Kind.Revenue, net1);
      const fee = accountId(Kind.Fee, net1);
      await expect(ledger.connect(outsider).postCharge(chargeId))
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, held, revenue, 39_600_000n, EPOCH, chargeId, 400_000n, 39_600_000n)
        .and.to.emit(ledger, "EntryPosted")
        .withArgs(net1, held, fee, 400_000n, EPOCH, chargeId, 0n, 400_000n)
        .and.to.emit(ledger, "ChargePosted")
        .withArgs(chargeId, net1, alice.address, EPOCH, 39_600_000n, 400_000n);
      expect((await ledger.getCharge(chargeId)).status).to.equal(ChargeStatus.Posted);
      expect(await ledger.epochRevenue(net1, EPOCH)).to.equal(39_600_000n);
      expect((await ledger.customer(net1, alice.address)).held).to.equal(0n);
    });

    it("rounds the fee down and leaves the remainder with revenue (no unit created or destroyed)", async function () {
      const { ledger, wl, admin, biller, alice, net1 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(admin).setProtocolFee(MAX_FEE_BPS);
      await ledger.connect(alice).deposit(net1, 100n * USD);
      await wl.setEpochStatus(net1, EPOCH, Status.Final);
      await ledger.connect(biller).charge(net1, alice.address, EPOCH, 19n, REF);
      const id = chargeIdOf(net1, alice.address, EPOCH, REF);
      await expect(ledger.postCharge(id)).to.emit(ledger, "ChargePosted").withArgs(id, net1, alice.address, EPOCH, 18n, 1n);
      expect((await ledger.balanceOf(accountId(Kind.Revenue, net1))) + (await ledger.balanceOf(accountId(Kind.Fee, net1)))).to.equal(19n);
    });

    it("posts no fee entry when the fee rounds to zero", async function () {
      const { ledger, wl, biller, alice, net1 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(alice).deposit(net1, 100n * USD);
      await wl.setEpochStatus(net1, EPOCH, Status.Final);
      await ledger.connect(biller).charge(net1, alice.address, EPOCH, 99n, REF);
      const id = chargeIdOf(net1, alice.address, EPOCH, REF);
      const receipt = await (await ledger.postCharge(id)).wait();
      const entries = receipt!.logs.filter((l) => l.topics[0] === ledger.interface.getEvent("EntryPosted").topicHash);
      expect(entries.length).to.equal(1);
      expect(await ledger.balanceOf(accountId(Kind.Fee, net1))).to.equal(0n);
    });

    it("snapshots the fee rate at charge time", async function () {
      const { ledger, wl, admin, alice, net1, chargeId } = await loadFixture(chargedFixture);
      await ledger.connect(admin).setProtocolFee(0);
      await wl.setEpochStatus(net1, EPOCH, Status.Final);
      await expect(ledger.postCharge(chargeId))
        .to.emit(ledger, "ChargePosted")
        .withArgs(chargeId, net1, alice.address, EPOCH, 39_600_000n, 400_000n);
    });

    it("reverts before the epoch is Final", async function () {
      const { ledger, wl, net1, chargeId } = await loadFixture(chargedFixture);
      for (const s of [Status.Pending, Status.Challenged, Status.Voided]) {
        await wl.setEpochStatus(net1, EPOCH, s);
        await expect(ledger.postCharge(chargeId))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerEpochNotFinal")
          .withArgs(net1, EPOCH, s);
      }
    });

    it("reverts on an unknown charge, and on a charge not Held", async function () {
      const { ledger, wl, net1, chargeId } = await loadFixture(chargedFixture);
      await wl.setEpochStatus(net1, EPOCH, Status.Final);
      await expect(ledger.postCharge(REF)).to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownCharge").withArgs(REF);
      await ledger.postCharge(chargeId);
      await expect(ledger.postCharge(chargeId))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidChargeStatus")
        .withArgs(chargeId, ChargeStatus.Posted);
    });
  });

  describe("voidCharge", function () {
    it("returns a held charge to escrow once the epoch is Voided, even while paused", async function () {
      const { ledger, wl, alice, outsider, net1, chargeId } = await loadFixture(chargedFixture);
      await wl.setEpochStatus(net1, EPOCH, Status.Voided);
      await wl.setPaused(net1, true);
      const held = accountId(Kind.Held, net1, alice.address);
      const escrow = accountId(Kind.Escrow, net1, alice.address);
      await expect(ledger.connect(outsider).voidCharge(chargeId))
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, held, escrow, 40n * USD, EPOCH, chargeId, 0n, 100n * USD)
        .and.to.emit(ledger, "ChargeVoided")
        .withArgs(chargeId, net1, alice.address, EPOCH, 40n * USD);
      expect((await ledger.getCharge(chargeId)).status).to.equal(ChargeStatus.Voided);
      await expect(ledger.voidCharge(chargeId))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidChargeStatus")
        .withArgs(chargeId, ChargeStatus.Voided);
    });

    it("reverts unless the epoch is Voided, and on an unknown charge", async function () {
      const { ledger, wl, net1, chargeId } = await loadFixture(chargedFixture);
      for (const s of [Status.Pending, Status.Challenged, Status.Final]) {
        await wl.setEpochStatus(net1, EPOCH, s);
        await expect(ledger.voidCharge(chargeId))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerEpochNotVoided")
          .withArgs(net1, EPOCH, s);
      }
      await expect(ledger.voidCharge(REF)).to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownCharge").withArgs(REF);
    });
  });

  describe("refund", function () {
    it("credits part of a posted charge back to escrow, naming the charge", async function () {
      const { ledger, biller, alice, net1, chargeId } = await loadFixture(postedFixture);
      const revenue = accountId(Kind.Revenue, net1);
      const escrow = accountId(Kind.Escrow, net1, alice.address);
      await expect(ledger.connect(biller).refund(chargeId, 5n * USD, REASON))
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, revenue, escrow, 5n * USD, EPOCH, chargeId, 34_600_000n, 65n * USD)
        .and.to.emit(ledger, "Refunded")
        .withArgs(chargeId, net1, alice.address, EPOCH, 5n * USD, REASON);
      expect((await ledger.getCharge(chargeId)).refunded).to.equal(5n * USD);
      expect(await ledger.epochRevenue(net1, EPOCH)).to.equal(34_600_000n);
      // The rest of the net amount (39.6 - 5) can still be refunded, and not a unit more.
      await expect(ledger.connect(biller).refund(chargeId, 34_600_001n, REASON))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerRefundExceedsCharge")
        .withArgs(chargeId, 34_600_000n, 34_600_001n);
      await ledger.connect(biller).refund(chargeId, 34_600_000n, REASON);
      expect(await ledger.balanceOf(revenue)).to.equal(0n);
    });

    it("reverts on an unknown charge or one that is not Posted", async function () {
      const { ledger, biller, chargeId } = await loadFixture(chargedFixture);
      await expect(ledger.connect(biller).refund(REF, 1n, REASON)).to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownCharge").withArgs(REF);
      await expect(ledger.connect(biller).refund(chargeId, 1n, REASON))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidChargeStatus")
        .withArgs(chargeId, ChargeStatus.Held);
    });

    it("reverts for a non-biller and on zero; works while paused", async function () {
      const { ledger, wl, biller, alice, net1, chargeId } = await loadFixture(postedFixture);
      await expect(ledger.connect(alice).refund(chargeId, 1n, REASON))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnauthorized")
        .withArgs(net1, alice.address, BILLER);
      await expect(ledger.connect(biller).refund(chargeId, 0n, REASON)).to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAmount");
      await wl.setPaused(net1, true);
      await expect(ledger.connect(biller).refund(chargeId, 1n, REASON)).to.emit(ledger, "Refunded");
    });

    it("reverts when the epoch's revenue went to a payout root", async function () {
      const { ledger, biller, net1, chargeId } = await loadFixture(payoutFixture);
      await expect(ledger.connect(biller).refund(chargeId, 5n * USD, REASON))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInsufficientRevenue")
        .withArgs(net1, EPOCH, 4_600_000n, 5n * USD);
    });
  });

  describe("postPayoutRoot", function () {
    it("moves the declared total from revenue to payable", async function () {
      const { ledger, biller, net1, token } = await loadFixture(postedFixture);
      const tree = payoutTree([[0n, nodeIdOf("n0"), biller.address, 39_600_000n]]);
      await expect(ledger.connect(biller).postPayoutRoot(net1, EPOCH, tree.root, 39_600_000n, 1))
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, accountId(Kind.Revenue, net1), accountId(Kind.Payable, net1), 39_600_000n, EPOCH, tree.root, 0n, 39_600_000n)
        .and.to.emit(ledger, "PayoutRootPosted")
        .withArgs(net1, EPOCH, tree.root, 39_600_000n, 1n);
      const p = await ledger.payout(net1, EPOCH);
      expect([p.root, p.total, p.claimed]).to.deep.equal([tree.root, 39_600_000n, 0n]);
      expect(await ledger.epochRevenue(net1, EPOCH)).to.equal(0n);
      expect(await ledger.networkToken(net1)).to.equal(await token.getAddress());
    });

    it("reverts on an unknown network and for a non-biller; works while paused", async function () {
      const { ledger, wl, biller, alice, net1 } = await loadFixture(postedFixture);
      await expect(ledger.connect(biller).postPayoutRoot(0n, EPOCH, REF, 1n, 1n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownNetwork")
        .withArgs(0n);
      await expect(ledger.connect(alice).postPayoutRoot(net1, EPOCH, REF, 1n, 1n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnauthorized")
        .withArgs(net1, alice.address, BILLER);
      await wl.setPaused(net1, true);
      await expect(ledger.connect(biller).postPayoutRoot(net1, EPOCH, REF, 1n, 1n)).to.emit(ledger, "PayoutRootPosted");
    });

    it("reverts on a zero root or zero leaves, a zero or too large total", async function () {
      const { ledger, biller, net1 } = await loadFixture(postedFixture);
      await expect(ledger.connect(biller).postPayoutRoot(net1, EPOCH, ZeroHash, 1n, 1n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidPayoutRoot")
        .withArgs(net1, EPOCH, ZeroHash, 1n);
      await expect(ledger.connect(biller).postPayoutRoot(net1, EPOCH, REF, 1n, 0n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidPayoutRoot")
        .withArgs(net1, EPOCH, REF, 0n);
      await expect(ledger.connect(biller).postPayoutRoot(net1, EPOCH, REF, 0n, 1n)).to.be.revertedWithCustomError(
        ledger,
        "RevenueLedgerZeroAmount",
      );
      await expect(ledger.connect(biller).postPayoutRoot(net1, EPOCH, REF, 1n << 96n, 1n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerAmountTooLarge")
        .withArgs(1n << 96n);
    });

    it("reverts unless the epoch is Final", async function () {
      const { ledger, wl, biller, net1 } = await loadFixture(postedFixture);
      await wl.setEpochStatus(net1, EPOCH, Status.Challenged);
      await expect(ledger.connect(biller).postPayoutRoot(net1, EPOCH, REF, 1n, 1n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerEpochNotFinal")
        .withArgs(net1, EPOCH, Status.Challenged);
    });

    it("reverts above the epoch's available revenue and on a second root", async function () {
      const { ledger, biller, net1 } = await loadFixture(postedFixture);
      await expect(ledger.connect(biller).postPayoutRoot(net1, EPOCH, REF, 39_600_001n, 1n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInsufficientRevenue")
        .withArgs(net1, EPOCH, 39_600_000n, 39_600_001n);
      await ledger.connect(biller).postPayoutRoot(net1, EPOCH, REF, 1n, 1n);
      await expect(ledger.connect(biller).postPayoutRoot(net1, EPOCH, REF, 1n, 1n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerPayoutExists")
        .withArgs(net1, EPOCH);
    });
  });

  describe("claim", function () {
    it("pays a leaf to the address the operator chooses, once", async function () {
      const { ledger, token, op1, outsider, net1, tree } = await loadFixture(payoutFixture);
      const node = nodeIdOf("n0");
      const proof = proofOf(tree, 0n);
      const payable = accountId(Kind.Payable, net1);
      const assets = accountId(Kind.Assets, 0n, await token.getAddress());
      const assetsBefore = await ledger.balanceOf(assets);
      const tx = ledger.connect(op1).claim(net1, EPOCH, 0n, node, 10n * USD, proof, outsider.address);
      await expect(tx)
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, payable, assets, 10n * USD, EPOCH, node, 25n * USD, assetsBefore - 10n * USD)
        .and.to.emit(ledger, "PayoutClaimed")
        .withArgs(net1, EPOCH, 0n, node, op1.address, outsider.address, 10n * USD);
      await expect(tx).to.changeTokenBalances(token, [ledger, outsider], [-10n * USD, 10n * USD]);
      expect(await ledger.isClaimed(net1, EPOCH, 0n)).to.equal(true);
      expect(await ledger.isClaimed(net1, EPOCH, 2n)).to.equal(false);
      expect((await ledger.payout(net1, EPOCH)).claimed).to.equal(10n * USD);
      await expect(ledger.connect(op1).claim(net1, EPOCH, 0n, node, 10n * USD, proof, op1.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerAlreadyClaimed")
        .withArgs(net1, EPOCH, 0n);
    });

    it("works while the network is paused (a pause never traps earned payouts)", async function () {
      const { ledger, wl, token, op2, net1, tree } = await loadFixture(payoutFixture);
      await wl.setPaused(net1, true);
      await expect(ledger.connect(op2).claim(net1, EPOCH, 1n, nodeIdOf("n1"), 20n * USD, proofOf(tree, 1n), op2.address)).to.changeTokenBalance(
        token,
        op2,
        20n * USD,
      );
    });

    it("rejects a caller that is not the leaf's operator and a wrong amount", async function () {
      const { ledger, op1, op2, net1, tree } = await loadFixture(payoutFixture);
      const proof = proofOf(tree, 1n);
      await expect(ledger.connect(op1).claim(net1, EPOCH, 1n, nodeIdOf("n1"), 20n * USD, proof, op1.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidProof")
        .withArgs(net1, EPOCH, 1n);
      await expect(ledger.connect(op2).claim(net1, EPOCH, 1n, nodeIdOf("n1"), 21n * USD, proof, op2.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidProof")
        .withArgs(net1, EPOCH, 1n);
      expect(await ledger.isClaimed(net1, EPOCH, 1n)).to.equal(false);
    });

    it("reverts on a zero recipient, zero amount or unknown payout", async function () {
      const { ledger, op1, net1, tree } = await loadFixture(payoutFixture);
      const proof = proofOf(tree, 0n);
      await expect(ledger.connect(op1).claim(net1, EPOCH, 0n, nodeIdOf("n0"), 10n * USD, proof, ZeroAddress))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAddress")
        .withArgs("to");
      await expect(ledger.connect(op1).claim(net1, EPOCH, 0n, nodeIdOf("n0"), 0n, proof, op1.address)).to.be.revertedWithCustomError(
        ledger,
        "RevenueLedgerZeroAmount",
      );
      await expect(ledger.connect(op1).claim(net1, EPOCH + 1n, 0n, nodeIdOf("n0"), 10n * USD, proof, op1.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownPayout")
        .withArgs(net1, EPOCH + 1n);
    });

    it("caps claims at the root's declared total", async function () {
      const { ledger, wl, biller, alice, op1, op2, net1 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(alice).deposit(net1, 100n * USD);
      await wl.setEpochStatus(net1, EPOCH, Status.Final);
      await ledger.connect(biller).charge(net1, alice.address, EPOCH, 100n * USD, REF);
      await ledger.postCharge(chargeIdOf(net1, alice.address, EPOCH, REF));
      // Leaves sum to 30 but the root declares 25: the second claim is capped.
      const leaves: PayoutLeaf[] = [
        [0n, nodeIdOf("a"), op1.address, 20n * USD],
        [1n, nodeIdOf("b"), op2.address, 10n * USD],
      ];
      const tree = payoutTree(leaves);
      await ledger.connect(biller).postPayoutRoot(net1, EPOCH, tree.root, 25n * USD, 2);
      await ledger.connect(op1).claim(net1, EPOCH, 0n, nodeIdOf("a"), 20n * USD, proofOf(tree, 0n), op1.address);
      await expect(ledger.connect(op2).claim(net1, EPOCH, 1n, nodeIdOf("b"), 10n * USD, proofOf(tree, 1n), op2.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerPayoutExceedsTotal")
        .withArgs(net1, EPOCH, 5n * USD, 10n * USD);
    });

    it("tracks leaves across bitmap words", async function () {
      const { ledger, wl, biller, alice, op1, net1 } = await loadFixture(revenueUnitFixture);
      await ledger.connect(alice).deposit(net1, 100n * USD);
      await wl.setEpochStatus(net1, EPOCH, Status.Final);
      await ledger.connect(biller).charge(net1, alice.address, EPOCH, 100n * USD, REF);
      await ledger.postCharge(chargeIdOf(net1, alice.address, EPOCH, REF));
      const leaves: PayoutLeaf[] = [255n, 256n, 1000n].map((i) => [i, nodeIdOf(`x${i}`), op1.address, USD]);
      const tree = payoutTree(leaves);
      await ledger.connect(biller).postPayoutRoot(net1, EPOCH, tree.root, 3n * USD, 3);
      await ledger.connect(op1).claim(net1, EPOCH, 256n, nodeIdOf("x256"), USD, proofOf(tree, 256n), op1.address);
      expect(await ledger.isClaimed(net1, EPOCH, 255n)).to.equal(false);
      expect(await ledger.isClaimed(net1, EPOCH, 256n)).to.equal(true);
      expect(await ledger.isClaimed(net1, EPOCH, 1000n)).to.equal(false);
      await ledger.connect(op1).claim(net1, EPOCH, 255n, nodeIdOf("x255"), USD, proofOf(tree, 255n), op1.address);
      expect(await ledger.isClaimed(net1, EPOCH, 255n)).to.equal(true);
    });
  });

  describe("claimed-bitmap words opened by the root", function () {
    /** Revenue of 100 USD on epoch 5 and a root over leaves 0, 1 (word 0) and 1000 (word 3), declaring `leafCount`. */
    async function openedFixture(leafCount: bigint) {
      const f = await revenueUnitFixture();
      await f.ledger.connect(f.alice).deposit(f.net1, 100n * USD);
      await f.wl.setEpochStatus(f.net1, EPOCH, Status.Final);
      await f.ledger.connect(f.biller).charge(f.net1, f.alice.address, EPOCH, 100n * USD, REF);
      await f.ledger.postCharge(chargeIdOf(f.net1, f.alice.address, EPOCH, REF));
      const leaves: PayoutLeaf[] = [0n, 1n, 1000n].map((i) => [i, nodeIdOf(`w${i}`), f.op1.address, USD]);
      const tree = payoutTree(leaves);
      await f.ledger.connect(f.biller).postPayoutRoot(f.net1, EPOCH, tree.root, 3n * USD, leafCount);
      const claimGas = async (i: bigint) => {
        const to = ethers.Wallet.createRandom().address;
        const tx = await f.ledger.connect(f.op1).claim(f.net1, EPOCH, i, nodeIdOf(`w${i}`), USD, proofOf(tree, i), to);
        return (await tx.wait())!.gasUsed;
      };
      return { ...f, claimGas };
    }

    it("lets the first claim of an opened word skip the word's zero-to-non-zero write", async function () {
      const { ledger, net1, claimGas } = await openedFixture(3n);
      expect(await ledger.PREOPENED_WORDS()).to.equal(16n);
      const first = await claimGas(0n); // word 0: opened by the root
      const unopened = await claimGas(1000n); // word 3: leafCount 3 opened only word 0
      expect(unopened - first).to.be.greaterThan(15_000n);
      // The marker bit is never read as a claim.
      expect(await ledger.isClaimed(net1, EPOCH, 1n)).to.equal(false);
      expect(await ledger.isClaimed(net1, EPOCH, 254n)).to.equal(false);
      expect(await ledger.isClaimed(net1, EPOCH, 255n)).to.equal(false);
      expect(await ledger.isClaimed(net1, EPOCH, 1000n)).to.equal(true);
    });

    it("opens at most PREOPENED_WORDS words however many leaves are declared", async function () {
      const { ledger, net1, claimGas } = await openedFixture(1n << 255n);
      expect((await ledger.payout(net1, EPOCH)).total).to.equal(3n * USD);
      const first = await claimGas(0n);
      const second = await claimGas(1000n); // word 3 < 16: opened too
      expect(second - first).to.be.lessThan(15_000n);
    });
  });

  describe("protocol fee", function () {
    it("sets the rate (admin only, at most MAX_FEE_BPS)", async function () {
      const { ledger, admin, alice } = await loadFixture(revenueUnitFixture);
      await expect(ledger.connect(admin).setProtocolFee(MAX_FEE_BPS)).to.emit(ledger, "ProtocolFeeSet").withArgs(MAX_FEE_BPS);
      expect(await ledger.protocolFeeBps()).to.equal(MAX_FEE_BPS);
      await expect(ledger.connect(admin).setProtocolFee(MAX_FEE_BPS + 1n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidFeeBps")
        .withArgs(MAX_FEE_BPS + 1n);
      await expect(ledger.connect(alice).setProtocolFee(1))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnauthorized")
        .withArgs(0n, alice.address, PROTOCOL_ADMIN_ROLE);
    });

    it("withdraws a network's fees to any address, even while paused", async function () {
      const { ledger, wl, token, admin, outsider, net1 } = await loadFixture(postedFixture);
      await wl.setPaused(net1, true);
      const fee = accountId(Kind.Fee, net1);
      const assets = accountId(Kind.Assets, 0n, await token.getAddress());
      const assetsBefore = await ledger.balanceOf(assets);
      const tx = ledger.connect(admin).withdrawFees(net1, outsider.address);
      await expect(tx)
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, fee, assets, 400_000n, NO_EPOCH, ZeroHash, 0n, assetsBefore - 400_000n)
        .and.to.emit(ledger, "FeesWithdrawn")
        .withArgs(net1, outsider.address, 400_000n);
      await expect(tx).to.changeTokenBalance(token, outsider, 400_000n);
      await expect(ledger.connect(admin).withdrawFees(net1, outsider.address)).to.be.revertedWithCustomError(
        ledger,
        "RevenueLedgerZeroAmount",
      );
    });

    it("reverts fee withdrawals for non-admins, zero recipients and unknown networks", async function () {
      const { ledger, admin, alice, net1 } = await loadFixture(postedFixture);
      await expect(ledger.connect(alice).withdrawFees(net1, alice.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnauthorized")
        .withArgs(0n, alice.address, PROTOCOL_ADMIN_ROLE);
      await expect(ledger.connect(admin).withdrawFees(net1, ZeroAddress))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAddress")
        .withArgs("to");
      await expect(ledger.connect(admin).withdrawFees(MAX_NETWORK_ID + 1n, admin.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownNetwork")
        .withArgs(MAX_NETWORK_ID + 1n);
    });
  });

  describe("books", function () {
    it("keep assets equal to the tokens held and to the sum of liabilities through a full cycle", async function () {
      const { ledger, token, alice, bob, op1, admin, net1, tree } = await loadFixture(payoutFixture);
      await ledger.connect(op1).claim(net1, EPOCH, 2n, nodeIdOf("n2"), 5n * USD, proofOf(tree, 2n), op1.address);
      await ledger.connect(admin).withdrawFees(net1, admin.address);
      await ledger.connect(bob).deposit(2n, 3n * USD);
      const tokenAddr = await token.getAddress();
      const liabilities = [
        accountId(Kind.Escrow, net1, alice.address),
        accountId(Kind.Held, net1, alice.address),
        accountId(Kind.Revenue, net1),
        accountId(Kind.Payable, net1),
        accountId(Kind.Fee, net1),
        accountId(Kind.Escrow, 2n, bob.address),
      ];
      let sum = 0n;
      for (const a of liabilities) sum += await ledger.balanceOf(a);
      const held = await token.balanceOf(await ledger.getAddress());
      expect(await ledger.balanceOf(accountId(Kind.Assets, 0n, tokenAddr))).to.equal(held);
      expect(sum).to.equal(held);
    });
  });
});

