/**
 * RevenueLedger with awkward tokens: fee-on-transfer (credited net of what arrived), USDT-style
 * no-return (through SafeERC20), a token that re-enters the ledger on transfer (blocked by the
 * guard), and a token with a blocklist (a blocked recipient never traps funds).
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import {
  BlocklistToken__factory,
  FeeOnTransferToken__factory,
  MockWorkLedgerForRevenue__factory,
  NoReturnToken__factory,
  ReentrantToken__factory,
  RevenueLedger__factory,
} from "../../typechain-types";
import {
  BILLER,
  FAR_EXPIRY,
  Kind,
  NO_EPOCH,
  PayoutLeaf,
  USD,
  accountId,
  nodeIdOf,
  payoutTree,
  proofOf,
  signRoot,
  signStatement,
  usageHashOf,
} from "../helpers/revenueFixture";

const REF = keccak256(toUtf8Bytes("usage"));
/** The mock networks' thaw. */
const THAW = 86_400;

/** A mock WorkLedger with one network per odd token (1: 1% fee-on-transfer, 2: no-return, 3: re-entrant, 4: blocklist). */
async function oddTokensFixture() {
  const [admin, biller, alice, op, outsider, v1, v2] = await ethers.getSigners();
  const wl = await new MockWorkLedgerForRevenue__factory(admin).deploy();
  const ledger = await new RevenueLedger__factory(admin).deploy(await wl.getAddress(), admin.address);
  const fot = await new FeeOnTransferToken__factory(admin).deploy(100);
  const noReturn = await new NoReturnToken__factory(admin).deploy();
  const reentrant = await new ReentrantToken__factory(admin).deploy();
  const blocklist = await new BlocklistToken__factory(admin).deploy();
  const ledgerAddr = await ledger.getAddress();
  for (const t of [fot, noReturn, reentrant, blocklist]) {
    await wl.addNetwork(await t.getAddress(), [v1.address, v2.address], 2);
    await t.mint(alice.address, 1_000n * USD);
    await t.connect(alice).approve(ledgerAddr, ethers.MaxUint256);
  }
  for (const n of [1n, 2n, 3n, 4n]) {
    await wl.setRole(n, BILLER, biller.address, true);
    await wl.setFinalizedCount(n, 1n << 40n);
  }
  return { ledger, wl, fot, noReturn, reentrant, blocklist, admin, biller, alice, op, outsider, ledgerAddr, verifiers: [v1, v2] };
}

type Fx = Awaited<ReturnType<typeof oddTokensFixture>>;

/** Alice deposits 100 and is charged all of it by a signed statement; `op` gets a one-node root of `amount` on `net`. */
async function payOperator(f: Fx, net: bigint, amount: bigint) {
  await f.ledger.connect(f.alice).deposit(net, 100n * USD);
  await f.ledger.connect(f.alice).authorizeBilling(net, 1_000n * USD, FAR_EXPIRY);
  const credited = (await f.ledger.customer(net, f.alice.address)).escrow;
  const from = (await f.ledger.billing(net, f.alice.address)).nextEpoch;
  const s = { networkId: net, customer: f.alice.address, fromEpoch: from, toEpoch: from, amount: credited, usageHash: usageHashOf("t") };
  await f.ledger.connect(f.biller).charge(s, "", await signStatement(f.ledger, f.verifiers, s));
  const leaves: PayoutLeaf[] = [[nodeIdOf("n"), f.op.address, amount], [nodeIdOf("m"), f.alice.address, 1n]];
  const tree = payoutTree(leaves);
  const msg = { networkId: net, root: tree.root, throughEpoch: from, total: amount + 1n, dataHash: ZeroHash };
  await f.ledger.postPayoutRoot(msg, await signRoot(f.ledger, f.verifiers, msg));
  return { proof: proofOf(tree, nodeIdOf("n")), nodeId: nodeIdOf("n") };
}

/** `who` (default alice) asks to withdraw `amount` on `net` and waits out the thaw. */
async function thawed(f: Fx, net: bigint, amount: bigint) {
  await f.ledger.connect(f.alice).requestWithdrawal(net, amount);
  await time.increase(THAW);
}

describe("RevenueLedger with awkward tokens", function () {
  describe("fee-on-transfer token", function () {
    it("credits what actually arrived and books it against the tokens held", async function () {
      const { ledger, fot, alice } = await loadFixture(oddTokensFixture);
      const assets = accountId(Kind.Assets, 0n, await fot.getAddress());
      const escrow = accountId(Kind.Escrow, 1n, alice.address);
      expect(await ledger.connect(alice).deposit.staticCall(1n, 100n * USD)).to.equal(99n * USD);
      await expect(ledger.connect(alice).deposit(1n, 100n * USD))
        .to.emit(ledger, "Deposited")
        .withArgs(1n, alice.address, alice.address, 99n * USD, 100n * USD)
        .and.to.emit(ledger, "EntryPosted")
        .withArgs(1n, assets, escrow, 99n * USD, NO_EPOCH, ZeroHash, 99n * USD, 99n * USD);
      expect(await fot.balanceOf(await ledger.getAddress())).to.equal(99n * USD);
      expect(await ledger.balanceOf(assets)).to.equal(99n * USD);
    });

    it("withdraws the booked amount (the recipient bears the token's fee) and leaves the books at zero", async function () {
      const f = await loadFixture(oddTokensFixture);
      const { ledger, fot, alice, ledgerAddr } = f;
      await ledger.connect(alice).deposit(1n, 100n * USD);
      await thawed(f, 1n, 99n * USD);
      await expect(ledger.connect(alice).withdraw(1n, alice.address)).to.changeTokenBalances(
        fot,
        [ledgerAddr, alice.address],
        [-99n * USD, 98_010_000n],
      );
      expect(await fot.balanceOf(ledgerAddr)).to.equal(0n);
      expect(await ledger.balanceOf(accountId(Kind.Assets, 0n, await fot.getAddress()))).to.equal(0n);
    });

    it("reverts when nothing arrives", async function () {
      const { ledger, fot, alice } = await loadFixture(oddTokensFixture);
      await fot.setFeeBps(10_000);
      await expect(ledger.connect(alice).deposit(1n, 100n * USD)).to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAmount");
    });

    it("pays claims that keep the books equal to the tokens held", async function () {
      const f = await loadFixture(oddTokensFixture);
      const { proof, nodeId } = await payOperator(f, 1n, 50n * USD);
      await f.ledger.connect(f.op).claim(1n, nodeId, 50n * USD, proof, f.op.address);
      expect(await f.fot.balanceOf(f.op.address)).to.equal(49_500_000n);
      expect(await f.ledger.balanceOf(accountId(Kind.Assets, 0n, await f.fot.getAddress()))).to.equal(
        await f.fot.balanceOf(f.ledgerAddr),
      );
    });
  });

  describe("no-return (USDT-style) token", function () {
    it("deposits, withdraws and pays claims through SafeERC20", async function () {
      const f = await loadFixture(oddTokensFixture);
      const { proof, nodeId } = await payOperator(f, 2n, 60n * USD);
      await expect(f.ledger.connect(f.op).claim(2n, nodeId, 60n * USD, proof, f.op.address)).to.changeTokenBalance(
        f.noReturn,
        f.op,
        60n * USD,
      );
      await f.ledger.connect(f.alice).deposit(2n, 10n * USD);
      await thawed(f, 2n, 10n * USD);
      await expect(f.ledger.connect(f.alice).withdraw(2n, f.alice.address)).to.changeTokenBalance(
        f.noReturn,
        f.alice,
        10n * USD,
      );
      expect(await f.ledger.balanceOf(accountId(Kind.Assets, 0n, await f.noReturn.getAddress()))).to.equal(
        await f.noReturn.balanceOf(f.ledgerAddr),
      );
    });

    it("bubbles the token's revert when the transfer fails", async function () {
      const { ledger, noReturn, outsider, ledgerAddr } = await loadFixture(oddTokensFixture);
      await noReturn.connect(outsider).approve(ledgerAddr, 5n);
      await expect(ledger.connect(outsider).deposit(2n, 5n))
        .to.be.revertedWithCustomError(noReturn, "NoReturnTokenInsufficientBalance")
        .withArgs(outsider.address, 0n, 5n);
    });
  });

  describe("re-entering token", function () {
    it("cannot re-enter from a deposit, a withdrawal or a claim", async function () {
      const f = await loadFixture(oddTokensFixture);
      const { ledger, reentrant, alice, ledgerAddr } = f;
      const { proof, nodeId } = await payOperator(f, 3n, 40n * USD);
      await ledger.connect(alice).deposit(3n, 10n * USD);
      await thawed(f, 3n, 10n * USD);
      const attack = ledger.interface.encodeFunctionData("withdraw", [3n, alice.address]);
      await reentrant.setReentry(ledgerAddr, attack);
      await expect(ledger.connect(alice).deposit(3n, 10n * USD)).to.be.revertedWithCustomError(ledger, "ReentrancyGuardReentrantCall");
      await expect(ledger.connect(alice).withdraw(3n, alice.address)).to.be.revertedWithCustomError(
        ledger,
        "ReentrancyGuardReentrantCall",
      );
      await expect(ledger.connect(f.op).claim(3n, nodeId, 40n * USD, proof, f.op.address)).to.be.revertedWithCustomError(
        ledger,
        "ReentrancyGuardReentrantCall",
      );
      // Nothing moved; disarmed, the same calls work.
      expect((await ledger.customer(3n, alice.address)).escrow).to.equal(10n * USD);
      await reentrant.setReentry(ethers.ZeroAddress, "0x");
      await ledger.connect(alice).withdraw(3n, alice.address);
      await ledger.connect(f.op).claim(3n, nodeId, 40n * USD, proof, f.op.address);
      expect(await ledger.balanceOf(accountId(Kind.Assets, 0n, await reentrant.getAddress()))).to.equal(
        await reentrant.balanceOf(ledgerAddr),
      );
    });
    it("is stopped by the guard whichever mutating function it re-enters", async function () {
      const { ledger, reentrant, alice, ledgerAddr } = await loadFixture(oddTokensFixture);
      const i = ledger.interface;
      const calls = [
        i.encodeFunctionData("deposit", [3n, 1n]),
        i.encodeFunctionData("depositWithPermit", [3n, 1n, 0n, 27, ZeroHash, ZeroHash]),
        i.encodeFunctionData("withdraw", [3n, alice.address]),
        i.encodeFunctionData("charge", [{ networkId: 3n, customer: alice.address, fromEpoch: 0n, toEpoch: 0n, amount: 1n, usageHash: REF }, "", []]),
        i.encodeFunctionData("refund", [REF, 0n, 1n, ZeroHash]),
        i.encodeFunctionData("postPayoutRoot", [{ networkId: 3n, root: REF, throughEpoch: 0n, total: 1n, dataHash: ZeroHash }, []]),
        i.encodeFunctionData("claim", [3n, ZeroHash, 1n, [], alice.address]),
        i.encodeFunctionData("withdrawFees", [3n, alice.address]),
        i.encodeFunctionData("withdrawBond", [3n, alice.address]),
      ];
      for (const data of calls) {
        await reentrant.setReentry(ledgerAddr, data);
        await expect(ledger.connect(alice).deposit(3n, 10n)).to.be.revertedWithCustomError(ledger, "ReentrancyGuardReentrantCall");
      }
    });
  });

  describe("blocklisting token", function () {
    it("a blocked recipient fails the transfer but the funds stay claimable to another address", async function () {
      const f = await loadFixture(oddTokensFixture);
      const { proof, nodeId } = await payOperator(f, 4n, 30n * USD);
      await f.blocklist.setBlocked(f.op.address, true);
      await expect(f.ledger.connect(f.op).claim(4n, nodeId, 30n * USD, proof, f.op.address))
        .to.be.revertedWithCustomError(f.blocklist, "BlocklistTokenBlocked")
        .withArgs(f.op.address);
      expect(await f.ledger.claimed(4n, nodeId)).to.equal(0n);
      await expect(f.ledger.connect(f.op).claim(4n, nodeId, 30n * USD, proof, f.outsider.address)).to.changeTokenBalance(
        f.blocklist,
        f.outsider,
        30n * USD,
      );
    });

    it("a blocked customer withdraws to another address; a blocked depositor cannot deposit", async function () {
      const f = await loadFixture(oddTokensFixture);
      const { ledger, blocklist, alice, outsider } = f;
      await ledger.connect(alice).deposit(4n, 10n * USD);
      await thawed(f, 4n, 10n * USD);
      await blocklist.setBlocked(alice.address, true);
      await expect(ledger.connect(alice).deposit(4n, 1n))
        .to.be.revertedWithCustomError(blocklist, "BlocklistTokenBlocked")
        .withArgs(alice.address);
      await expect(ledger.connect(alice).withdraw(4n, alice.address))
        .to.be.revertedWithCustomError(blocklist, "BlocklistTokenBlocked")
        .withArgs(alice.address);
      await expect(ledger.connect(alice).withdraw(4n, outsider.address)).to.changeTokenBalance(
        blocklist,
        outsider,
        10n * USD,
      );
    });

    it("a blocked ledger cannot pay out, and the books keep every unit", async function () {
      const f = await loadFixture(oddTokensFixture);
      const { ledger, blocklist, alice, ledgerAddr } = f;
      await ledger.connect(alice).deposit(4n, 10n * USD);
      await thawed(f, 4n, 10n * USD);
      await blocklist.setBlocked(ledgerAddr, true);
      await expect(ledger.connect(alice).withdraw(4n, alice.address))
        .to.be.revertedWithCustomError(blocklist, "BlocklistTokenBlocked")
        .withArgs(ledgerAddr);
      expect((await ledger.customer(4n, alice.address)).escrow).to.equal(10n * USD);
      expect(await ledger.balanceOf(accountId(Kind.Assets, 0n, await blocklist.getAddress()))).to.equal(10n * USD);
    });
  });
});
