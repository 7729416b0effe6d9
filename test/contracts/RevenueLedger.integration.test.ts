/**
 * RevenueLedger on the real WorkLedger: epochs committed with 2-of-3 EIP-712 verifier signatures,
 * finality by the passing of the challenge window, a challenge upheld (void), the network pause,
 * and a payout root claimed with OpenZeppelin Merkle proofs; the books balance at the end.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keccak256, toUtf8Bytes } from "ethers";
import {
  ChargeStatus,
  Kind,
  PayoutLeaf,
  Status,
  USD,
  BOND,
  accountId,
  chargeIdOf,
  commitNextEpoch,
  finalizeAll,
  nodeIdOf,
  payoutTree,
  proofOf,
  revenueLedgerFixture,
  signPermit,
} from "../helpers/revenueFixture";

const REF = keccak256(toUtf8Bytes("usage"));

describe("RevenueLedger on the real WorkLedger", function () {
  it("charges, voids, posts, refunds, pays out and keeps the books balanced through a pause", async function () {
    const { ledger, wl, token, admin, netAdmin, arbiter, verifiers, customers, operators } = await loadFixture(revenueLedgerFixture);
    const [alice, bob] = customers;
    const net = 1n;
    const ledgerAddr = await ledger.getAddress();
    await ledger.connect(admin).setProtocolFee(200);

    await ledger.connect(alice).deposit(net, 1_000n * USD);
    await token.connect(bob).approve(ledgerAddr, 0n);
    const sig = await signPermit(token, bob, ledgerAddr, 500n * USD, 2n ** 40n);
    await ledger.connect(bob).depositWithPermit(net, 500n * USD, 2n ** 40n, sig.v, sig.r, sig.s);

    // Epoch 0 is Pending: it can be charged but not posted.
    const e0 = await commitNextEpoch(wl, net, verifiers);
    expect((await wl.epochStatus(net, e0)).status).to.equal(Status.Pending);
    await ledger.connect(netAdmin).charge(net, alice.address, e0, 300n * USD, REF);
    await ledger.connect(netAdmin).charge(net, bob.address, e0, 100n * USD, REF);
    const c0 = chargeIdOf(net, alice.address, e0, REF);
    await expect(ledger.postCharge(c0))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerEpochNotFinal")
      .withArgs(net, e0, Status.Pending);

    // Epoch 1 is challenged by alice with a bond from her wallet (frozen), then the arbiter upholds the
    // challenge: its charge goes back to escrow and the bond back to alice.
    const e1 = await commitNextEpoch(wl, net, verifiers);
    await ledger.connect(netAdmin).charge(net, alice.address, e1, 50n * USD, REF);
    const c1 = chargeIdOf(net, alice.address, e1, REF);
    await expect(wl.connect(alice).challengeEpoch(net, e1, keccak256(toUtf8Bytes("bad telemetry")))).to.changeTokenBalance(token, alice, -BOND);
    expect(await ledger.balanceOf(accountId(Kind.Bond, net, alice.address))).to.equal(BOND);
    await expect(ledger.voidCharge(c1))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerEpochNotVoided")
      .withArgs(net, e1, Status.Challenged);
    await expect(wl.connect(arbiter).resolveChallenge(net, e1, true)).to.changeTokenBalance(token, alice, BOND);
    expect(await ledger.balanceOf(accountId(Kind.Bond, net, alice.address))).to.equal(0n);
    await expect(ledger.voidCharge(c1)).to.emit(ledger, "ChargeVoided").withArgs(c1, net, alice.address, e1, 50n * USD);
    await expect(ledger.connect(netAdmin).charge(net, alice.address, e1, 1n, keccak256("0x01")))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerEpochNotChargeable")
      .withArgs(net, e1, Status.Voided);

    // The window passes: epoch 0 is Final; anyone posts; 2% fee.
    await finalizeAll();
    expect(await wl.isFinal(net, e0)).to.equal(true);
    await expect(ledger.connect(operators[2]).postCharge(c0))
      .to.emit(ledger, "ChargePosted")
      .withArgs(c0, net, alice.address, e0, 294n * USD, 6n * USD);
    await ledger.postCharge(chargeIdOf(net, bob.address, e0, REF));
    expect((await ledger.getCharge(c0)).status).to.equal(ChargeStatus.Posted);
    expect(await ledger.epochRevenue(net, e0)).to.equal(392n * USD);

    // An SLA credit to alice, then a payout root over the rest.
    await ledger.connect(netAdmin).refund(c0, 12n * USD, keccak256(toUtf8Bytes("uptime 97%")));
    const leaves: PayoutLeaf[] = operators.map((o, i) => [BigInt(i), nodeIdOf(`node-${i}`), o.address, [100n, 120n, 160n][i] * USD]);
    const tree = payoutTree(leaves);
    await expect(ledger.connect(netAdmin).postPayoutRoot(net, e0, tree.root, 381n * USD, 3))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerInsufficientRevenue")
      .withArgs(net, e0, 380n * USD, 381n * USD);
    await ledger.connect(netAdmin).postPayoutRoot(net, e0, tree.root, 380n * USD, 3);

    // The network admin pauses: charges stop (rule 10), but deposits, withdrawals and claims go on.
    await wl.connect(netAdmin).setPaused(net, true);
    await expect(ledger.connect(alice).deposit(net, 1n)).to.emit(ledger, "Deposited");
    await expect(ledger.connect(netAdmin).charge(net, alice.address, e0, 1n, keccak256("0x02")))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerNetworkPaused")
      .withArgs(net);
    // The first claim after the root, paying an address that never held the token: <= 100,000 gas.
    const [index0, nodeId0, , amount0] = leaves[0];
    const fresh = ethers.Wallet.createRandom().address;
    const firstClaim = await (await ledger.connect(operators[0]).claim(net, e0, index0, nodeId0, amount0, proofOf(tree, index0), fresh)).wait();
    expect(firstClaim!.gasUsed).to.be.at.most(100_000n);
    expect(await token.balanceOf(fresh)).to.equal(amount0);
    for (const [index, nodeId, operator, amount] of leaves.slice(1)) {
      const signer = operators.find((o) => o.address === operator)!;
      await expect(ledger.connect(signer).claim(net, e0, index, nodeId, amount, proofOf(tree, index), operator)).to.changeTokenBalance(
        token,
        signer,
        amount,
      );
    }
    const free = (await ledger.customer(net, alice.address)).free;
    expect(free).to.equal(1_000n * USD - 300n * USD + 12n * USD + 1n);
    await ledger.connect(alice).withdraw(net, free, alice.address);
    await ledger.connect(admin).withdrawFees(net, admin.address);

    // Books: what is left is bob's free escrow; assets equal the tokens held.
    const held = await token.balanceOf(ledgerAddr);
    expect(held).to.equal(400n * USD);
    expect(await ledger.balanceOf(accountId(Kind.Escrow, net, bob.address))).to.equal(400n * USD);
    expect(await ledger.balanceOf(accountId(Kind.Assets, 0n, await token.getAddress()))).to.equal(held);
    for (const kind of [Kind.Revenue, Kind.Payable, Kind.Fee]) expect(await ledger.balanceOf(accountId(kind, net))).to.equal(0n);
  });

  it("reads the network's existence and token from the WorkLedger", async function () {
    const { ledger, token, customers } = await loadFixture(revenueLedgerFixture);
    await expect(ledger.connect(customers[0]).deposit(3n, 1n))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownNetwork")
      .withArgs(3n);
    await ledger.connect(customers[0]).deposit(2n, 1n);
    expect(await ledger.networkToken(2n)).to.equal(await token.getAddress());
  });
});
