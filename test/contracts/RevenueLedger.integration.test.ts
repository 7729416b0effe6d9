/**
 * RevenueLedger on the real WorkLedger: epochs committed with 2-of-3 EIP-712 verifier signatures, the
 * finality cursor advanced by anyone, verifier-signed billing statements over Final epochs (a voided and
 * corrected epoch included), a verifier set rotated away, the billing-key-only drain sequence, cumulative
 * payout roots with one claim per node, a forfeited bond paid out, and the network pause.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { Signer, keccak256, toUtf8Bytes } from "ethers";
import { EPOCH_COMMIT_TYPES, workLedgerDomain } from "../../src/records/eip712";
import { signRotation, sortByAddress } from "../helpers/eip712";
import {
  BOND,
  CHALLENGE_WINDOW,
  FAR_EXPIRY,
  Kind,
  LedgerFixture,
  PayoutLeaf,
  RootMessage,
  Statement,
  USD,
  accountId,
  chargeIdOf,
  commitNextEpoch,
  finalizeAll,
  nodeIdOf,
  payoutTree,
  prepareNextEpoch,
  proofOf,
  revenueLedgerFixture,
  signRoot,
  signStatement,
  usageHashOf,
} from "../helpers/revenueFixture";

const CAP = 50n * USD;
const REASON = keccak256(toUtf8Bytes("bad telemetry"));

/** Commits epochs up to and including `last`, then lets the window pass and advances the cursor. */
async function finalizeThrough(f: LedgerFixture, net: bigint, last: bigint): Promise<void> {
  while ((await f.wl.network(net)).nextEpoch <= last) await commitNextEpoch(f.wl, net, f.verifiers);
  await finalizeAll(CHALLENGE_WINDOW);
  await f.wl.advanceFinality(net, 1_000n);
}

async function chargeOf(f: LedgerFixture, s: Statement, signers: Signer[] = f.verifiers.slice(0, 2)) {
  return f.ledger.connect(f.netAdmin).charge(s, "invoice 2026-11", await signStatement(f.ledger, signers, s));
}

/** alice (1,000 USD escrow) authorizes CAP on network 1; returns her first billable epoch. */
async function authorized(f: LedgerFixture): Promise<bigint> {
  const alice = f.customers[0];
  await f.ledger.connect(alice).deposit(1n, 1_000n * USD);
  await f.ledger.connect(alice).authorizeBilling(1n, CAP, FAR_EXPIRY);
  return (await f.ledger.billing(1n, alice.address)).nextEpoch;
}

describe("RevenueLedger on the real WorkLedger", function () {
  it("bills only epochs behind the finality cursor; a voided epoch blocks the cursor until corrected and Final", async function () {
    const f = await loadFixture(revenueLedgerFixture);
    const { ledger, wl, arbiter, verifiers, customers } = f;
    const [alice, bob] = customers;
    const net = 1n;
    const start = await authorized(f);
    while ((await wl.network(net)).nextEpoch <= start + 3n) await commitNextEpoch(wl, net, verifiers);
    const s: Statement = { networkId: net, customer: alice.address, fromEpoch: start, toEpoch: start + 3n, amount: 100n * USD, usageHash: usageHashOf("a") };
    // Pending epochs: the cursor has not passed them.
    await expect(chargeOf(f, s)).to.be.revertedWithCustomError(ledger, "RevenueLedgerNotFinalized").withArgs(net, start + 3n, 0n);
    // bob challenges epoch start+2 and the arbiter upholds: Voided, so the cursor stops before it.
    await f.token.connect(bob).approve(await ledger.getAddress(), ethers.MaxUint256);
    await wl.connect(bob).challengeEpoch(net, start + 2n, REASON);
    await wl.connect(arbiter).resolveChallenge(net, start + 2n, true);
    await finalizeAll(CHALLENGE_WINDOW);
    await wl.advanceFinality(net, 1_000n);
    expect(await wl.finalizedCount(net)).to.equal(start + 2n);
    await expect(chargeOf(f, s)).to.be.revertedWithCustomError(ledger, "RevenueLedgerNotFinalized").withArgs(net, start + 3n, start + 2n);
    // The verifiers correct it (version 2); once Final, the cursor passes it and the statement is charged.
    const prepared = await prepareNextEpoch(wl, net, verifiers); // only for its summary shape
    const summary = { ...prepared.summary, root: keccak256(toUtf8Bytes("corrected")) };
    const { chainId } = await ethers.provider.getNetwork();
    const domain = workLedgerDomain(chainId, await wl.getAddress());
    const sorted = await sortByAddress(verifiers.slice(0, 2));
    const sigs = await Promise.all(sorted.map((v) => v.signTypedData(domain, EPOCH_COMMIT_TYPES, { networkId: net, epoch: start + 2n, version: 2n, ...summary })));
    await wl.correctEpoch(net, start + 2n, summary, sigs, REASON);
    await finalizeAll(CHALLENGE_WINDOW);
    await wl.advanceFinality(net, 1_000n);
    expect(await wl.finalizedCount(net)).to.be.greaterThan(start + 3n);
    await expect(chargeOf(f, s)).to.emit(ledger, "StatementCharged");
  });

  it("the billing-key-only drain (charge, a payout root paying itself, claim) fails at every step", async function () {
    const f = await loadFixture(revenueLedgerFixture);
    const { ledger, wl, netAdmin, verifiers, customers } = f;
    const alice = customers[0];
    const net = 1n;
    const start = await authorized(f);
    await finalizeThrough(f, net, start + 5n);
    const escrowBefore = await ledger.balanceOf(accountId(Kind.Escrow, net, alice.address));
    // 1. Charge without the verifiers: no signature, its own signature, or one verifier plus its own.
    const s: Statement = { networkId: net, customer: alice.address, fromEpoch: start, toEpoch: start + 5n, amount: 300n * USD, usageHash: usageHashOf("x") };
    await expect(ledger.connect(netAdmin).charge(s, "", [])).to.be.revertedWithCustomError(ledger, "RevenueLedgerBelowThreshold").withArgs(0n, 2n);
    await expect(chargeOf(f, s, [netAdmin])).to.be.revertedWithCustomError(ledger, "RevenueLedgerBelowThreshold").withArgs(1n, 2n);
    await expect(chargeOf(f, s, [netAdmin, verifiers[0]]))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerNotVerifier")
      .withArgs(netAdmin.address);
    // Even with the verifiers' signatures, the customer's cap holds (6 epochs x 50 USD).
    const tooMuch = { ...s, amount: 301n * USD };
    await expect(chargeOf(f, tooMuch)).to.be.revertedWithCustomError(ledger, "RevenueLedgerCapExceeded").withArgs(net, alice.address, CAP, 6n, 301n * USD);
    // Nothing was posted, so even k verifiers could not sign a root paying anything yet.
    const tree = payoutTree([[nodeIdOf("mine"), netAdmin.address, 100n * USD], [nodeIdOf("pad"), netAdmin.address, 0n]]);
    const msg: RootMessage = { networkId: net, root: tree.root, throughEpoch: start, total: 100n * USD, dataHash: nodeIdOf("f") };
    await expect(ledger.postPayoutRoot(msg, await signRoot(ledger, verifiers.slice(0, 2), msg)))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerPayoutExceedsPosted")
      .withArgs(net, 100n * USD, 0n);
    // An honest statement posts revenue; 2. the biller's root paying itself, signed by itself (alone or with one verifier).
    await chargeOf(f, { ...s, amount: 300n * USD });
    await expect(ledger.connect(netAdmin).postPayoutRoot(msg, await signRoot(ledger, [netAdmin], msg)))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerBelowThreshold")
      .withArgs(1n, 2n);
    await expect(ledger.connect(netAdmin).postPayoutRoot(msg, await signRoot(ledger, [netAdmin, verifiers[0]], msg)))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerNotVerifier")
      .withArgs(netAdmin.address);
    // 3. The claim.
    await expect(ledger.connect(netAdmin).claim(net, nodeIdOf("mine"), 1n * USD, proofOf(tree, nodeIdOf("mine")), netAdmin.address))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerNoPayoutRoot")
      .withArgs(net);
    // Only the honest statement moved alice's money; revenue stays the network's, payable is empty.
    expect(await ledger.balanceOf(accountId(Kind.Escrow, net, alice.address))).to.equal(escrowBefore - 300n * USD);
    expect(await ledger.balanceOf(accountId(Kind.Payable, net))).to.equal(0n);
    expect(await wl.finalizedCount(net)).to.be.greaterThan(start + 5n);
  });

  it("a verifier rotated out of the set can no longer sign statements or roots", async function () {
    const f = await loadFixture(revenueLedgerFixture);
    const { ledger, wl, verifiers, customers, operators } = f;
    const [v1, v2, v3] = verifiers;
    const net = 1n;
    const start = await authorized(f);
    await finalizeThrough(f, net, start + 1n);
    const { chainId } = await ethers.provider.getNetwork();
    const domain = workLedgerDomain(chainId, await wl.getAddress());
    const next = [v2.address, v3.address, operators[0].address];
    const rot = { networkId: net, verifierSetId: 2n, verifiers: next, threshold: 2 };
    await wl.rotateVerifiers(net, next, 2, await signRotation([v1, v2], domain, rot));
    const s: Statement = { networkId: net, customer: customers[0].address, fromEpoch: start, toEpoch: start + 1n, amount: 10n * USD, usageHash: usageHashOf("r") };
    await expect(chargeOf(f, s, [v1, v2])).to.be.revertedWithCustomError(ledger, "RevenueLedgerNotVerifier").withArgs(v1.address);
    await expect(chargeOf(f, s, [v2, operators[0]])).to.emit(ledger, "StatementCharged");
    const msg: RootMessage = { networkId: net, root: nodeIdOf("r"), throughEpoch: start, total: 1n, dataHash: nodeIdOf("d") };
    await expect(ledger.postPayoutRoot(msg, await signRoot(ledger, [v1, v3], msg))).to.be.revertedWithCustomError(ledger, "RevenueLedgerNotVerifier").withArgs(v1.address);
    await expect(ledger.postPayoutRoot(msg, await signRoot(ledger, [v3, operators[0]], msg))).to.emit(ledger, "PayoutRootPosted");
  });

  it("cumulative roots pay each node once for any number of epochs, a forfeited bond included; a pause stops only charges", async function () {
    const f = await loadFixture(revenueLedgerFixture);
    const { ledger, wl, token, admin, netAdmin, arbiter, verifiers, customers, operators } = f;
    const [alice, bob] = customers;
    const net = 1n;
    await ledger.connect(admin).setProtocolFee(200);
    const start = await authorized(f);
    // bob challenges epoch `start` and loses: his bond is network revenue.
    while ((await wl.network(net)).nextEpoch <= start) await commitNextEpoch(wl, net, verifiers);
    await wl.connect(bob).challengeEpoch(net, start, REASON);
    await expect(wl.connect(arbiter).resolveChallenge(net, start, false)).to.emit(ledger, "BondForfeited").withArgs(net, start, bob.address, BOND);
    await finalizeThrough(f, net, start + 9n);
    await chargeOf(f, { networkId: net, customer: alice.address, fromEpoch: start, toEpoch: start + 9n, amount: 400n * USD, usageHash: usageHashOf("p") });
    const netPosted = 392n * USD + BOND;
    expect(await ledger.netRevenuePosted(net)).to.equal(netPosted);
    const signers = verifiers.slice(0, 2);
    const nodes = operators.map((_, i) => nodeIdOf(`node-${i}`));
    const rootAt = async (through: bigint, amounts: bigint[]) => {
      const leaves: PayoutLeaf[] = amounts.map((a, i) => [nodes[i], operators[i].address, a]);
      const tree = payoutTree(leaves);
      const msg: RootMessage = { networkId: net, root: tree.root, throughEpoch: through, total: amounts.reduce((x, y) => x + y, 0n), dataHash: nodeIdOf(`payout-${through}`) };
      await ledger.postPayoutRoot(msg, await signRoot(ledger, signers, msg));
      return tree;
    };
    const t1 = await rootAt(start + 4n, [100n * USD, 50n * USD, BOND]);
    await expect(rootAt(start + 9n, [netPosted, 1n, 0n]))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerPayoutExceedsPosted")
      .withArgs(net, netPosted + 1n, netPosted);
    await expect(rootAt(start + 12n, [1n, 1n, 1n]))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerNotFinalized")
      .withArgs(net, start + 12n, await wl.finalizedCount(net));
    // Node 1 claims on the first root; then the network pauses.
    await ledger.connect(operators[1]).claim(net, nodes[1], 50n * USD, proofOf(t1, nodes[1]), operators[1].address);
    await wl.connect(netAdmin).setPaused(net, true);
    const t2 = await rootAt(start + 9n, [200n * USD, 150n * USD, 42n * USD + BOND]);
    // A paused network: charges stop, everything else works.
    await expect(chargeOf(f, { networkId: net, customer: alice.address, fromEpoch: start + 10n, toEpoch: start + 10n, amount: 0n, usageHash: usageHashOf("z") }))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerNetworkPaused")
      .withArgs(net);
    for (const [i, amount] of [200n * USD, 150n * USD, 42n * USD + BOND].entries()) {
      const before = await ledger.claimed(net, nodes[i]);
      await expect(ledger.connect(operators[i]).claim(net, nodes[i], amount, proofOf(t2, nodes[i]), operators[i].address)).to.changeTokenBalance(
        token,
        operators[i],
        amount - before,
      );
    }
    await expect(ledger.connect(operators[0]).claim(net, nodes[0], 200n * USD, proofOf(t2, nodes[0]), operators[0].address))
      .to.be.revertedWithCustomError(ledger, "RevenueLedgerNothingToClaim")
      .withArgs(net, nodes[0], 200n * USD, 200n * USD);
    await ledger.connect(alice).requestWithdrawal(net, 600n * USD);
    await ethers.provider.send("evm_increaseTime", [Number(await wl.thawSecondsOf(net))]);
    await expect(ledger.connect(alice).withdraw(net, alice.address)).to.changeTokenBalance(token, alice, 600n * USD);
    await ledger.connect(admin).withdrawFees(net, admin.address);
    // Books: only alice's 0 USD escrow is left; assets equal the tokens held, which are zero.
    const held = await token.balanceOf(await ledger.getAddress());
    expect(held).to.equal(0n);
    expect(await ledger.balanceOf(accountId(Kind.Assets, 0n, await token.getAddress()))).to.equal(held);
    expect(chargeIdOf(net, alice.address, start)).to.equal(await ledger.chargeIdOf(net, alice.address, start));
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
