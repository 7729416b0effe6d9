/**
 * Unit tests of RevenueLedger over a mock WorkLedger (network timing, verifier sets, finality cursor,
 * pause and roles set directly): every path, every revert with its custom error and arguments, every
 * event with its arguments — billing authorizations and caps over time, verifier-signed statements,
 * refunds, thawing withdrawals, cumulative payout roots and claims, fees and the books.
 */
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { Signer, ZeroAddress, ZeroHash, keccak256, toUtf8Bytes, verifyTypedData } from "ethers";
import { MockContractWallet__factory, RevenueLedger__factory } from "../../typechain-types";
import {
  BILLING_AUTHORIZATION_TYPES,
  BILLING_STATEMENT_TYPE,
  BILLING_STATEMENT_TYPES,
  PAYOUT_ROOT_TYPE,
  PAYOUT_ROOT_TYPES,
  REVENUE_DOMAIN_NAME,
} from "../../src/records/eip712";
import { sortByAddress, toHighS, truncate } from "../helpers/eip712";
import {
  BILLER,
  FAR_EXPIRY,
  Kind,
  MAX_FEE_BPS,
  NO_EPOCH,
  PROTOCOL_ADMIN_ROLE,
  PayoutLeaf,
  RootMessage,
  Statement,
  USD,
  UnitFixture,
  accountId,
  chargeIdOf,
  ledgerDomain,
  nodeIdOf,
  payoutTree,
  proofOf,
  revenueUnitFixture,
  signAuthorization,
  signPermit,
  signRoot,
  signStatement,
  usageHashOf,
} from "../helpers/revenueFixture";

const CAP = 10n * USD;
const REF_TEXT = "invoice 2026-11";
const REASON = keccak256(toUtf8Bytes("SLA breach"));
const MAX_NETWORK_ID = (1n << 88n) - 1n;
const EPOCH_SECONDS = 60n;
const THAW = 86_400n;

/** The first epoch of the mock networks (genesis 0, 60-second epochs) that starts after `t`. */
function epochAfter(t: bigint): bigint {
  return t / EPOCH_SECONDS + 1n;
}

type Billed = UnitFixture & { start: bigint };

/**
 * Fee 1%; alice deposits 500 USD on net1 and authorizes CAP per epoch (far expiry); billing starts at
 * `start`, the first epoch after the authorization; the cursor covers 1,000 epochs from there.
 */
async function billedFixture(): Promise<Billed> {
  const f = await revenueUnitFixture();
  await f.ledger.connect(f.admin).setProtocolFee(100);
  await f.ledger.connect(f.alice).deposit(f.net1, 500n * USD);
  await f.ledger.connect(f.alice).authorizeBilling(f.net1, CAP, FAR_EXPIRY);
  const start = (await f.ledger.billing(f.net1, f.alice.address)).nextEpoch;
  await f.wl.setFinalizedCount(f.net1, start + 1_000n);
  await f.wl.setFinalizedCount(f.net2, start + 1_000n);
  return { ...f, start };
}

function stmt(f: Billed, from: bigint, to: bigint, amount: bigint, customer?: string, networkId?: bigint): Statement {
  return {
    networkId: networkId ?? f.net1,
    customer: customer ?? f.alice.address,
    fromEpoch: from,
    toEpoch: to,
    amount,
    usageHash: usageHashOf(`${from}-${to}`),
  };
}

async function signed(f: UnitFixture, s: Statement, signers: Signer[] = f.verifiers.slice(0, 2)): Promise<string[]> {
  return signStatement(f.ledger, signers, s);
}

async function chargeOf(f: UnitFixture, s: Statement, signers?: Signer[]) {
  return f.ledger.connect(f.biller).charge(s, REF_TEXT, await signed(f, s, signers));
}

async function sortedAddresses(signers: Signer[]): Promise<string[]> {
  return Promise.all((await sortByAddress(signers)).map((s) => s.getAddress()));
}

/** billedFixture, then alice's statement over [start, start+9] for 40 USD: fee 0.4 USD, net 39.6 USD. */
async function chargedFixture(): Promise<Billed & { chargeId: string; s: Statement }> {
  const f = await billedFixture();
  const s = stmt(f, f.start, f.start + 9n, 40n * USD);
  await chargeOf(f, s);
  return { ...f, s, chargeId: chargeIdOf(f.net1, f.alice.address, f.start) };
}

/** chargedFixture, then a 2-of-3 root through start+4 paying n0 (op1) 10 USD and n1 (op2) 20 USD. */
async function rootFixture() {
  const f = await chargedFixture();
  const leaves: PayoutLeaf[] = [
    [nodeIdOf("n0"), f.op1.address, 10n * USD],
    [nodeIdOf("n1"), f.op2.address, 20n * USD],
  ];
  const tree = payoutTree(leaves);
  const msg: RootMessage = { networkId: f.net1, root: tree.root, throughEpoch: f.start + 4n, total: 30n * USD, dataHash: nodeIdOf("file-1") };
  await f.ledger.postPayoutRoot(msg, await signRoot(f.ledger, f.verifiers.slice(0, 2), msg));
  return { ...f, leaves, tree, msg };
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

    it("signs in its own EIP-712 domain with the fixed type strings (DESIGN rule 9)", async function () {
      const { ledger } = await loadFixture(revenueUnitFixture);
      const [, name, version, chainId, verifyingContract] = await ledger.eip712Domain();
      expect([name, version, chainId, verifyingContract]).to.deep.equal([REVENUE_DOMAIN_NAME, "1", 31337n, await ledger.getAddress()]);
      expect(BILLING_STATEMENT_TYPE).to.equal(
        "BillingStatement(uint256 networkId,address customer,uint64 fromEpoch,uint64 toEpoch,uint256 amount,bytes32 usageHash)",
      );
      expect(ethers.TypedDataEncoder.from(BILLING_STATEMENT_TYPES).encodeType("BillingStatement")).to.equal(BILLING_STATEMENT_TYPE);
      expect(ethers.TypedDataEncoder.from(PAYOUT_ROOT_TYPES).encodeType("PayoutRoot")).to.equal(PAYOUT_ROOT_TYPE);
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
      expect([c.escrow, c.thawing, c.thawReadyAt, c.runwayThreshold]).to.deep.equal([150n * USD, 0n, 0n, 0n]);
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

  describe("billing authorization", function () {
    it("starts billing at the first epoch after the first authorization, with BillingAuthorized", async function () {
      const { ledger, alice, net1 } = await loadFixture(revenueUnitFixture);
      const tx = ledger.connect(alice).authorizeBilling(net1, CAP, FAR_EXPIRY);
      await expect(tx).to.emit(ledger, "BillingAuthorized");
      const t = BigInt(await time.latest());
      const start = epochAfter(t);
      await expect(tx)
        .to.emit(ledger, "BillingAuthorized")
        .withArgs(net1, alice.address, CAP, FAR_EXPIRY, start, start, alice.address);
      const b = await ledger.billing(net1, alice.address);
      expect([b.authorized, b.capPerEpoch, b.expiry, b.nextEpoch, b.nonce, b.thawing, b.thawReadyAt, b.thawFromEpoch]).to.deep.equal([
        true,
        CAP,
        FAR_EXPIRY,
        start,
        0n,
        0n,
        0n,
        0n,
      ]);
      const expiryEnd = epochAfter(FAR_EXPIRY);
      expect(await ledger.capAt(net1, alice.address, start)).to.deep.equal([CAP, start, expiryEnd]);
      expect(await ledger.capAt(net1, alice.address, start - 1n)).to.deep.equal([0n, 0n, 0n]); // before billing starts
      expect(await ledger.capAt(net1, alice.address, expiryEnd)).to.deep.equal([0n, 0n, 0n]); // starts after the expiry
      expect(await ledger.capAt(net1, ZeroAddress, start)).to.deep.equal([0n, 0n, 0n]); // never authorized
    });

    it("reverts on a zero cap, an expiry not in the future, an unknown network, and a revoke before any authorization", async function () {
      const { ledger, alice, net1 } = await loadFixture(revenueUnitFixture);
      await expect(ledger.connect(alice).authorizeBilling(net1, 0n, FAR_EXPIRY)).to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAmount");
      const now = BigInt(await time.latest());
      await expect(ledger.connect(alice).authorizeBilling(net1, CAP, now + 1n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidExpiry")
        .withArgs(now + 1n, now + 1n);
      await expect(ledger.connect(alice).authorizeBilling(9n, CAP, FAR_EXPIRY))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownNetwork")
        .withArgs(9n);
      await expect(ledger.connect(alice).revokeBilling(net1))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerNotAuthorized")
        .withArgs(net1, alice.address);
    });

    it("a lower cap binds only epochs that start after the change; a statement stays inside one cap", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, alice, net1, start } = f;
      await time.increase(600);
      await ledger.connect(alice).authorizeBilling(net1, CAP / 2n, FAR_EXPIRY);
      const change = epochAfter(BigInt(await time.latest()));
      expect(await ledger.capAt(net1, alice.address, start)).to.deep.equal([CAP, start, change]);
      expect(await ledger.capAt(net1, alice.address, change - 1n)).to.deep.equal([CAP, start, change]);
      expect(await ledger.capAt(net1, alice.address, change)).to.deep.equal([CAP / 2n, change, epochAfter(FAR_EXPIRY)]);
      // A statement spanning the change is refused, naming the first epoch under the other cap.
      const spanning = stmt(f, start, change, CAP);
      await expect(chargeOf(f, spanning))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerStatementSpansCapChange")
        .withArgs(net1, alice.address, change, change);
      // Before the change: the old cap; after: the new one.
      const n = change - start;
      await expect(chargeOf(f, stmt(f, start, change - 1n, CAP * n + 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerCapExceeded")
        .withArgs(net1, alice.address, CAP, n, CAP * n + 1n);
      await expect(chargeOf(f, stmt(f, start, change - 1n, CAP * n)))
        .to.emit(ledger, "StatementCharged")
        .withArgs(chargeIdOf(net1, alice.address, start), net1, alice.address, start, change - 1n, CAP * n, (CAP * n) / 100n, usageHashOf(`${start}-${change - 1n}`), CAP, await sortedAddresses(f.verifiers.slice(0, 2)), REF_TEXT);
      await expect(chargeOf(f, stmt(f, change, change + 1n, CAP + 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerCapExceeded")
        .withArgs(net1, alice.address, CAP / 2n, 2n, CAP + 1n);
      await expect(chargeOf(f, stmt(f, change, change + 1n, CAP))).to.emit(ledger, "StatementCharged");
    });

    it("a raise binds every unbilled epoch, including those before the change", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, alice, net1, start } = f;
      await time.increase(600);
      await ledger.connect(alice).authorizeBilling(net1, CAP / 2n, FAR_EXPIRY); // lower first: two runs
      await time.increase(600);
      await ledger.connect(alice).authorizeBilling(net1, 3n * CAP, FAR_EXPIRY); // then raise: one run again
      expect(await ledger.capAt(net1, alice.address, start)).to.deep.equal([3n * CAP, start, epochAfter(FAR_EXPIRY)]);
      await expect(chargeOf(f, stmt(f, start, start + 14n, 45n * CAP))).to.emit(ledger, "StatementCharged"); // > 15 x the old caps
    });

    it("a revoke binds epochs that start after it; earlier unbilled epochs keep their cap", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, alice, net1, start } = f;
      await time.increase(600);
      await expect(ledger.connect(alice).revokeBilling(net1)).to.emit(ledger, "BillingAuthorized");
      const change = epochAfter(BigInt(await time.latest()));
      expect((await ledger.billing(net1, alice.address)).capPerEpoch).to.equal(0n);
      expect(await ledger.capAt(net1, alice.address, change - 1n)).to.deep.equal([CAP, start, change]);
      expect(await ledger.capAt(net1, alice.address, change)).to.deep.equal([0n, 0n, 0n]);
      await chargeOf(f, stmt(f, start, change - 1n, CAP));
      // After the revoke: nothing billable (cap 0); a zero-usage statement may still close the epochs.
      await expect(chargeOf(f, stmt(f, change, change, 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerCapExceeded")
        .withArgs(net1, alice.address, 0n, 1n, 1n);
      await expect(chargeOf(f, stmt(f, change, change + 5n, 0n))).to.emit(ledger, "StatementCharged");
      // Authorizing again is a raise: every unbilled epoch (even those after the revoke) gets the cap.
      await time.increase(600);
      await ledger.connect(alice).authorizeBilling(net1, CAP, FAR_EXPIRY);
      await expect(chargeOf(f, stmt(f, change + 6n, change + 7n, 2n * CAP))).to.emit(ledger, "StatementCharged");
    });

    it("epochs that start after the expiry are not billable", async function () {
      const f = await loadFixture(revenueUnitFixture);
      const { ledger, alice, net1 } = f;
      await ledger.connect(alice).deposit(net1, 100n * USD);
      const now = BigInt(await time.latest());
      const expiry = now + 300n;
      await ledger.connect(alice).authorizeBilling(net1, CAP, expiry);
      const start = (await ledger.billing(net1, alice.address)).nextEpoch;
      const end = epochAfter(expiry);
      await f.wl.setFinalizedCount(net1, end + 10n);
      expect(await ledger.capAt(net1, alice.address, end - 1n)).to.deep.equal([CAP, start, end]);
      const b = { ...f, start };
      await expect(chargeOf(f, stmt(b, start, end, CAP)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerStatementSpansCapChange")
        .withArgs(net1, alice.address, end, end);
      await chargeOf(f, stmt(b, start, end - 1n, CAP));
      await expect(chargeOf(f, stmt(b, end, end, 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerCapExceeded")
        .withArgs(net1, alice.address, 0n, 1n, 1n);
    });

    it("an authorization that expires within the current epoch bills nothing after it", async function () {
      const fx = await loadFixture(revenueUnitFixture);
      const { ledger, alice, net1 } = fx;
      const epoch = BigInt(await time.latest()) / EPOCH_SECONDS + 5n;
      const t = epoch * EPOCH_SECONDS + 10n;
      await time.setNextBlockTimestamp(t);
      await expect(ledger.connect(alice).authorizeBilling(net1, CAP, t + 20n))
        .to.emit(ledger, "BillingAuthorized")
        .withArgs(net1, alice.address, CAP, t + 20n, epoch + 1n, epoch + 1n, alice.address);
      expect(await ledger.capAt(net1, alice.address, epoch + 1n)).to.deep.equal([0n, 0n, 0n]);
      // No run at all: a statement with usage names cap 0; a zero-usage one only moves the cursor.
      const f = { ...fx, start: epoch + 1n };
      await f.wl.setFinalizedCount(net1, epoch + 10n);
      await ledger.connect(alice).deposit(net1, 10n * USD);
      await expect(chargeOf(f, stmt(f, epoch + 1n, epoch + 1n, 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerCapExceeded")
        .withArgs(net1, alice.address, 0n, 1n, 1n);
      await expect(chargeOf(f, stmt(f, epoch + 1n, epoch + 3n, 0n))).to.emit(ledger, "StatementCharged");
    });

    describe("signed (relayed) authorization", function () {
      it("a biller relays the customer's signed authorization; the nonce makes it single-use", async function () {
        const { ledger, alice, biller, net1 } = await loadFixture(revenueUnitFixture);
        const deadline = BigInt(await time.latest()) + 3_600n;
        const sig = await signAuthorization(ledger, alice, net1, CAP, FAR_EXPIRY, deadline);
        await expect(ledger.connect(biller).authorizeBillingBySig(net1, alice.address, CAP, FAR_EXPIRY, deadline, sig))
          .to.emit(ledger, "BillingAuthorized")
          .withArgs(net1, alice.address, CAP, FAR_EXPIRY, (v: bigint) => v > 0n, (v: bigint) => v > 0n, biller.address);
        expect((await ledger.billing(net1, alice.address)).nonce).to.equal(1n);
        await expect(ledger.connect(biller).authorizeBillingBySig(net1, alice.address, CAP, FAR_EXPIRY, deadline, sig))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidAuthorization")
          .withArgs(alice.address);
        // A signed cap of 0 revokes.
        const revoke = await signAuthorization(ledger, alice, net1, 0n, 0n, deadline);
        await expect(ledger.connect(biller).authorizeBillingBySig(net1, alice.address, 0n, 0n, deadline, revoke))
          .to.emit(ledger, "BillingAuthorized")
          .withArgs(net1, alice.address, 0n, 0n, (v: bigint) => v > 0n, (v: bigint) => v > 0n, biller.address);
        const digest = await ledger.billingAuthorizationDigest(net1, alice.address, CAP, FAR_EXPIRY, 2n, deadline);
        expect(digest).to.equal(
          ethers.TypedDataEncoder.hash(await ledgerDomain(ledger), BILLING_AUTHORIZATION_TYPES, {
            networkId: net1,
            customer: alice.address,
            capPerEpoch: CAP,
            expiry: FAR_EXPIRY,
            nonce: 2n,
            deadline,
          }),
        );
      });

      it("accepts an ERC-1271 contract wallet's signature", async function () {
        const { ledger, biller, admin, net1 } = await loadFixture(revenueUnitFixture);
        const owner = ethers.Wallet.createRandom();
        const wallet = await new MockContractWallet__factory(admin).deploy(owner.address);
        const walletAddr = await wallet.getAddress();
        const deadline = BigInt(await time.latest()) + 3_600n;
        const digest = await ledger.billingAuthorizationDigest(net1, walletAddr, CAP, FAR_EXPIRY, 0n, deadline);
        const sig = owner.signingKey.sign(digest).serialized;
        await expect(ledger.connect(biller).authorizeBillingBySig(net1, walletAddr, CAP, FAR_EXPIRY, deadline, sig))
          .to.emit(ledger, "BillingAuthorized")
          .withArgs(net1, walletAddr, CAP, FAR_EXPIRY, (v: bigint) => v > 0n, (v: bigint) => v > 0n, biller.address);
        await expect(ledger.connect(biller).authorizeBillingBySig(net1, walletAddr, CAP, FAR_EXPIRY, deadline, sig))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidAuthorization")
          .withArgs(walletAddr);
      });

      it("reverts past the deadline, for another signer, another cap, or a zero customer", async function () {
        const { ledger, alice, bob, biller, net1 } = await loadFixture(revenueUnitFixture);
        const now = BigInt(await time.latest());
        const late = await signAuthorization(ledger, alice, net1, CAP, FAR_EXPIRY, now);
        await expect(ledger.connect(biller).authorizeBillingBySig(net1, alice.address, CAP, FAR_EXPIRY, now, late))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerAuthorizationExpired")
          .withArgs(now);
        const deadline = now + 3_600n;
        const byBob = await signAuthorization(ledger, bob, net1, CAP, FAR_EXPIRY, deadline, 0n);
        await expect(ledger.connect(biller).authorizeBillingBySig(net1, alice.address, CAP, FAR_EXPIRY, deadline, byBob))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidAuthorization")
          .withArgs(alice.address);
        const sig = await signAuthorization(ledger, alice, net1, CAP, FAR_EXPIRY, deadline);
        await expect(ledger.connect(biller).authorizeBillingBySig(net1, alice.address, 2n * CAP, FAR_EXPIRY, deadline, sig))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidAuthorization")
          .withArgs(alice.address);
        await expect(ledger.connect(biller).authorizeBillingBySig(net1, ZeroAddress, CAP, FAR_EXPIRY, deadline, "0x"))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidAuthorization")
          .withArgs(ZeroAddress);
      });
    });
  });

  describe("charge (verifier-signed statements)", function () {
    it("charges and posts in one transaction: net to revenue, one fee entry, the reference text in the event", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, token, alice, net1, start } = f;
      const s = stmt(f, start, start + 9n, 40n * USD);
      const id = chargeIdOf(net1, alice.address, start);
      const escrow = accountId(Kind.Escrow, net1, alice.address);
      const tx = chargeOf(f, s);
      await expect(tx)
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, escrow, accountId(Kind.Revenue, net1), 39_600_000n, start + 9n, id, 460_400_000n, 39_600_000n)
        .and.to.emit(ledger, "EntryPosted")
        .withArgs(net1, escrow, accountId(Kind.Fee, net1), 400_000n, start + 9n, id, 460n * USD, 400_000n)
        .and.to.emit(ledger, "StatementCharged")
        .withArgs(id, net1, alice.address, start, start + 9n, 40n * USD, 400_000n, s.usageHash, CAP, await sortedAddresses(f.verifiers.slice(0, 2)), REF_TEXT);
      await expect(tx).to.changeTokenBalance(token, ledger, 0n);
      expect(await ledger.chargeIdOf(net1, alice.address, start)).to.equal(id);
      const st = await ledger.statement(id);
      expect([st.networkId, st.customer, st.fromEpoch, st.toEpoch, st.refundable]).to.deep.equal([net1, alice.address, start, start + 9n, 39_600_000n]);
      expect((await ledger.billing(net1, alice.address)).nextEpoch).to.equal(start + 10n);
      expect(await ledger.netRevenuePosted(net1)).to.equal(39_600_000n);
      expect(await ledger.billingStatementDigest(s)).to.equal(ethers.TypedDataEncoder.hash(await ledgerDomain(ledger), BILLING_STATEMENT_TYPES, { ...s }));
      expect(await ledger.statement(ZeroHash)).to.deep.equal([0n, ZeroAddress, 0n, 0n, 0n]);
    });

    it("rounds the fee down (floor(amount x feeBps / 10000)) and posts no fee entry when it is zero", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, admin, alice, net1, start } = f;
      await expect(chargeOf(f, stmt(f, start, start, 999n)))
        .to.emit(ledger, "StatementCharged")
        .withArgs(chargeIdOf(net1, alice.address, start), net1, alice.address, start, start, 999n, 9n, usageHashOf(`${start}-${start}`), CAP, await sortedAddresses(f.verifiers.slice(0, 2)), REF_TEXT);
      await ledger.connect(admin).setProtocolFee(0);
      const tx = await (await chargeOf(f, stmt(f, start + 1n, start + 1n, 500n))).wait();
      const entries = tx!.logs.filter((l) => l.topics[0] === ledger.interface.getEvent("EntryPosted").topicHash);
      expect(entries.length).to.equal(1);
      expect(await ledger.balanceOf(accountId(Kind.Fee, net1))).to.equal(9n);
    });

    it("a zero-usage statement only moves the customer's cursor", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, alice, net1, start } = f;
      const rc = await (await chargeOf(f, stmt(f, start, start + 4n, 0n))).wait();
      expect(rc!.logs.filter((l) => l.topics[0] === ledger.interface.getEvent("EntryPosted").topicHash).length).to.equal(0);
      expect((await ledger.billing(net1, alice.address)).nextEpoch).to.equal(start + 5n);
      expect((await ledger.statement(chargeIdOf(net1, alice.address, start))).networkId).to.equal(0n);
    });

    it("emits RunwayLow when the charge leaves escrow below the customer's threshold", async function () {
      const f = await loadFixture(billedFixture);
      await f.ledger.connect(f.alice).setRunwayThreshold(f.net1, 470n * USD);
      await expect(chargeOf(f, stmt(f, f.start, f.start + 9n, 40n * USD)))
        .to.emit(f.ledger, "RunwayLow")
        .withArgs(f.net1, f.alice.address, 460n * USD, 470n * USD);
    });

    it("reverts for a caller without the BILLER role, on an unknown network and while paused", async function () {
      const f = await loadFixture(billedFixture);
      const s = stmt(f, f.start, f.start, 1n);
      const sigs = await signed(f, s);
      await expect(f.ledger.connect(f.outsider).charge(s, REF_TEXT, sigs))
        .to.be.revertedWithCustomError(f.ledger, "RevenueLedgerUnauthorized")
        .withArgs(f.net1, f.outsider.address, BILLER);
      const unknown = { ...s, networkId: 9n };
      await expect(f.ledger.connect(f.biller).charge(unknown, REF_TEXT, sigs))
        .to.be.revertedWithCustomError(f.ledger, "RevenueLedgerUnknownNetwork")
        .withArgs(9n);
      await f.wl.setPaused(f.net1, true);
      await expect(f.ledger.connect(f.biller).charge(s, REF_TEXT, sigs))
        .to.be.revertedWithCustomError(f.ledger, "RevenueLedgerNetworkPaused")
        .withArgs(f.net1);
      await f.wl.setPaused(f.net1, false);
      // Network ids must fit the charge id's 32 bits.
      const big = 1n << 32n;
      await f.wl.setNetworkCount(big);
      await f.wl.setRole(big, BILLER, f.biller.address, true);
      await f.wl.setFinalizedCount(big, f.start + 10n);
      await expect(f.ledger.connect(f.biller).charge({ ...s, networkId: big }, REF_TEXT, sigs))
        .to.be.revertedWithCustomError(f.ledger, "RevenueLedgerUnknownNetwork")
        .withArgs(big);
    });

    it("reverts on an inverted range, an amount above uint128, past the finality cursor, and longer than maxStatementEpochs", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, net1, start } = f;
      await expect(chargeOf(f, stmt(f, start + 1n, start, 0n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidRange")
        .withArgs(start + 1n, start);
      await expect(chargeOf(f, stmt(f, start, start, 1n << 128n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerAmountTooLarge")
        .withArgs(1n << 128n);
      await f.wl.setFinalizedCount(net1, start + 5n);
      await expect(chargeOf(f, stmt(f, start, start + 5n, 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerNotFinalized")
        .withArgs(net1, start + 5n, start + 5n);
      await expect(chargeOf(f, stmt(f, start, start + 4n, 1n))).to.emit(ledger, "StatementCharged");
      await f.wl.setFinalizedCount(net1, start + 2_000n);
      await expect(chargeOf(f, stmt(f, start + 5n, start + 5n + 720n, 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerStatementTooLong")
        .withArgs(net1, 721n, 720n);
      await expect(chargeOf(f, stmt(f, start + 5n, start + 5n + 719n, 1n))).to.emit(ledger, "StatementCharged");
    });

    it("reverts for a customer that never authorized the network", async function () {
      const f = await loadFixture(billedFixture);
      await f.ledger.connect(f.bob).deposit(f.net1, 10n * USD);
      await expect(chargeOf(f, stmt(f, f.start, f.start, 1n, f.bob.address)))
        .to.be.revertedWithCustomError(f.ledger, "RevenueLedgerNotAuthorized")
        .withArgs(f.net1, f.bob.address);
    });

    it("never bills an epoch twice: overlapping, already billed and gapped ranges are refused", async function () {
      const f = await loadFixture(chargedFixture);
      const { ledger, alice, net1, start } = f;
      // The same signed statement again (already billed).
      await expect(f.ledger.connect(f.biller).charge(f.s, REF_TEXT, await signed(f, f.s)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerStatementOutOfOrder")
        .withArgs(net1, alice.address, start, start + 10n);
      await expect(chargeOf(f, stmt(f, start + 9n, start + 12n, 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerStatementOutOfOrder")
        .withArgs(net1, alice.address, start + 9n, start + 10n);
      await expect(chargeOf(f, stmt(f, start + 11n, start + 12n, 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerStatementOutOfOrder")
        .withArgs(net1, alice.address, start + 11n, start + 10n);
      // Epochs before billing started are never billable.
      await f.ledger.connect(f.bob).authorizeBilling(net1, CAP, FAR_EXPIRY);
      const bobStart = (await ledger.billing(net1, f.bob.address)).nextEpoch;
      await expect(chargeOf(f, stmt(f, bobStart - 1n, bobStart, 1n, f.bob.address)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerStatementOutOfOrder")
        .withArgs(net1, f.bob.address, bobStart - 1n, bobStart);
    });

    it("reverts above n x cap and above the customer's escrow (never a partial charge)", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, alice, net1, start } = f;
      await expect(chargeOf(f, stmt(f, start, start + 2n, 3n * CAP + 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerCapExceeded")
        .withArgs(net1, alice.address, CAP, 3n, 3n * CAP + 1n);
      await ledger.connect(alice).authorizeBilling(net1, 1_000n * USD, FAR_EXPIRY);
      await expect(chargeOf(f, stmt(f, start, start, 500n * USD + 1n)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInsufficientFree")
        .withArgs(net1, alice.address, 500n * USD, 500n * USD + 1n);
    });

    describe("signatures", function () {
      it("reverts below k, on malformed, unsorted or duplicate signatures, and for a non-verifier", async function () {
        const f = await loadFixture(billedFixture);
        const { ledger, verifiers, outsider } = f;
        const s = stmt(f, f.start, f.start, 1n);
        const charge = (sigs: string[]) => ledger.connect(f.biller).charge(s, REF_TEXT, sigs);
        const [a, b] = await signed(f, s);
        await expect(charge([a])).to.be.revertedWithCustomError(ledger, "RevenueLedgerBelowThreshold").withArgs(1n, 2n);
        await expect(charge([a, truncate(b, 64)])).to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidSignature").withArgs(1n);
        await expect(charge([toHighS(a), b])).to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidSignature").withArgs(0n);
        const [lo, hi] = await sortedAddresses(verifiers.slice(0, 2));
        await expect(charge([b, a])).to.be.revertedWithCustomError(ledger, "RevenueLedgerSignersUnsorted").withArgs(hi, lo);
        await expect(charge([a, a])).to.be.revertedWithCustomError(ledger, "RevenueLedgerDuplicateSigner").withArgs(lo);
        await expect(charge(await signed(f, s, [verifiers[0], outsider])))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerNotVerifier")
          .withArgs(outsider.address);
        // All 3 verifiers may sign.
        await expect(charge(await signed(f, s, verifiers))).to.emit(ledger, "StatementCharged");
      });

      it("reverts for a verifier removed from the current set", async function () {
        const f = await loadFixture(billedFixture);
        const [v1, v2, v3] = f.verifiers;
        await f.wl.setVerifiers(f.net1, 2, [v2.address, v3.address], 2);
        const s = stmt(f, f.start, f.start, 1n);
        await expect(chargeOf(f, s, [v1, v2])).to.be.revertedWithCustomError(f.ledger, "RevenueLedgerNotVerifier").withArgs(v1.address);
        await expect(chargeOf(f, s, [v2, v3])).to.emit(f.ledger, "StatementCharged");
      });

      it("a statement signed for one network, customer or contract does not verify on another", async function () {
        const f = await loadFixture(billedFixture);
        const { ledger, alice, bob, net1, net2, start } = f;
        await ledger.connect(bob).deposit(net1, 100n * USD);
        await ledger.connect(bob).authorizeBilling(net1, CAP, FAR_EXPIRY);
        await ledger.connect(alice).deposit(net2, 100n * USD);
        await ledger.connect(alice).authorizeBilling(net2, CAP, FAR_EXPIRY);
        const s = stmt(f, start, start, 1n);
        const sigs = await signed(f, s);
        const domain = await ledgerDomain(ledger);
        const recovered = (m: Statement, d = domain) => verifyTypedData(d, BILLING_STATEMENT_TYPES, { ...m }, sigs[0]);
        // Another network (alice's net2 cursor made to match).
        const onNet2 = { ...s, networkId: net2, fromEpoch: (await ledger.billing(net2, alice.address)).nextEpoch };
        onNet2.toEpoch = onNet2.fromEpoch;
        await expect(ledger.connect(f.biller).charge(onNet2, REF_TEXT, sigs))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerNotVerifier")
          .withArgs(recovered(onNet2));
        // Another customer.
        const bobStart = (await ledger.billing(net1, bob.address)).nextEpoch;
        const onBob = { ...s, customer: bob.address, fromEpoch: bobStart, toEpoch: bobStart };
        await expect(ledger.connect(f.biller).charge(onBob, REF_TEXT, sigs))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerNotVerifier")
          .withArgs(recovered(onBob));
        // Another RevenueLedger on the same WorkLedger.
        const other = await new RevenueLedger__factory(f.admin).deploy(await f.wl.getAddress(), f.admin.address);
        await f.token.connect(alice).approve(await other.getAddress(), ethers.MaxUint256);
        await other.connect(alice).deposit(net1, 10n * USD);
        await other.connect(alice).authorizeBilling(net1, CAP, FAR_EXPIRY);
        const onOther = { ...s, fromEpoch: (await other.billing(net1, alice.address)).nextEpoch };
        onOther.toEpoch = onOther.fromEpoch;
        const otherSigs = await signStatement(ledger, f.verifiers.slice(0, 2), onOther); // signed for `ledger`
        await expect(other.connect(f.biller).charge(onOther, REF_TEXT, otherSigs))
          .to.be.revertedWithCustomError(other, "RevenueLedgerNotVerifier")
          .withArgs(verifyTypedData(await ledgerDomain(other), BILLING_STATEMENT_TYPES, { ...onOther }, otherSigs[0]));
      });
    });
  });

  describe("withdrawals thaw", function () {
    it("a request marks part of the escrow thawing; the money leaves after thawSeconds, written then", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, token, alice, outsider, net1 } = f;
      const tx = ledger.connect(alice).requestWithdrawal(net1, 100n * USD);
      await expect(tx).to.emit(ledger, "WithdrawalRequested");
      const t = BigInt(await time.latest());
      await expect(tx).to.emit(ledger, "WithdrawalRequested").withArgs(net1, alice.address, 100n * USD, t + THAW, epochAfter(t));
      const c = await ledger.customer(net1, alice.address);
      expect([c.escrow, c.thawing, c.thawReadyAt]).to.deep.equal([500n * USD, 100n * USD, t + THAW]);
      expect((await ledger.billing(net1, alice.address)).thawFromEpoch).to.equal(epochAfter(t));
      await expect(ledger.connect(alice).withdraw(net1, outsider.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerStillThawing")
        .withArgs(net1, alice.address, t + THAW);
      await time.increaseTo(t + THAW);
      const escrow = accountId(Kind.Escrow, net1, alice.address);
      const assets = accountId(Kind.Assets, 0n, await token.getAddress());
      const w = ledger.connect(alice).withdraw(net1, outsider.address);
      await expect(w)
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, escrow, assets, 100n * USD, NO_EPOCH, ZeroHash, 400n * USD, 400n * USD)
        .and.to.emit(ledger, "Withdrawn")
        .withArgs(net1, alice.address, outsider.address, 100n * USD);
      await expect(w).to.changeTokenBalances(token, [ledger, outsider], [-100n * USD, 100n * USD]);
      expect((await ledger.customer(net1, alice.address)).thawing).to.equal(0n);
      await expect(ledger.connect(alice).withdraw(net1, alice.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerNoWithdrawalRequest")
        .withArgs(net1, alice.address);
    });

    it("while thawing, the money still pays for epochs that started before the request, not after", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, alice, net1, start } = f;
      await time.increase(600);
      await ledger.connect(alice).requestWithdrawal(net1, 480n * USD);
      const from = epochAfter(BigInt(await time.latest()));
      // A statement reaching an epoch that starts after the request: only the 20 non-thawing USD pay.
      await ledger.connect(alice).authorizeBilling(net1, 1_000n * USD, FAR_EXPIRY);
      await expect(chargeOf(f, stmt(f, start, from, 21n * USD)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInsufficientFree")
        .withArgs(net1, alice.address, 20n * USD, 21n * USD);
      // Epochs that started before the request: the thawing money pays, the thawing amount shrinks.
      await chargeOf(f, stmt(f, start, from - 1n, 100n * USD));
      expect((await ledger.customer(net1, alice.address)).thawing).to.equal(400n * USD);
      await time.increase(THAW);
      await expect(ledger.connect(alice).withdraw(net1, alice.address)).to.emit(ledger, "Withdrawn").withArgs(net1, alice.address, alice.address, 400n * USD);
    });

    it("a withdrawal whose thawing money was all charged sends nothing; a request of 0 cancels", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, alice, net1, start } = f;
      await ledger.connect(alice).authorizeBilling(net1, 1_000n * USD, FAR_EXPIRY);
      await time.increase(600);
      await ledger.connect(alice).requestWithdrawal(net1, 500n * USD);
      await chargeOf(f, stmt(f, start, start + 1n, 500n * USD));
      await time.increase(THAW);
      const rc = await (await ledger.connect(alice).withdraw(net1, alice.address)).wait();
      expect(rc!.logs.filter((l) => l.topics[0] === ledger.interface.getEvent("EntryPosted").topicHash).length).to.equal(0);
      await ledger.connect(alice).deposit(net1, 10n * USD);
      await ledger.connect(alice).requestWithdrawal(net1, 10n * USD);
      await expect(ledger.connect(alice).requestWithdrawal(net1, 0n)).to.emit(ledger, "WithdrawalRequested").withArgs(net1, alice.address, 0n, 0n, 0n);
      expect((await ledger.billing(net1, alice.address)).thawing).to.equal(0n);
      await expect(ledger.connect(alice).withdraw(net1, alice.address)).to.be.revertedWithCustomError(ledger, "RevenueLedgerNoWithdrawalRequest");
    });

    it("reverts above the escrow, above uint128, on an unknown network and to a zero recipient; works while paused", async function () {
      const f = await loadFixture(billedFixture);
      const { ledger, token, alice, net1 } = f;
      await expect(ledger.connect(alice).requestWithdrawal(net1, 500n * USD + 1n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInsufficientFree")
        .withArgs(net1, alice.address, 500n * USD, 500n * USD + 1n);
      await expect(ledger.connect(alice).requestWithdrawal(net1, 1n << 128n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerAmountTooLarge")
        .withArgs(1n << 128n);
      await expect(ledger.connect(alice).requestWithdrawal(9n, 1n)).to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownNetwork").withArgs(9n);
      await expect(ledger.connect(alice).withdraw(net1, ZeroAddress)).to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAddress").withArgs("to");
      await f.wl.setPaused(net1, true);
      await ledger.connect(alice).requestWithdrawal(net1, 500n * USD);
      await time.increase(THAW);
      await expect(ledger.connect(alice).withdraw(net1, alice.address)).to.changeTokenBalance(token, alice, 500n * USD);
    });
  });

  describe("refund", function () {
    it("credits part of a statement back to escrow for one of its epochs, naming (chargeId, epoch)", async function () {
      const f = await loadFixture(chargedFixture);
      const { ledger, alice, biller, net1, start, chargeId } = f;
      await expect(ledger.connect(biller).refund(chargeId, start + 3n, 5n * USD, REASON))
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, accountId(Kind.Revenue, net1), accountId(Kind.Escrow, net1, alice.address), 5n * USD, start + 3n, chargeId, 34_600_000n, 465n * USD)
        .and.to.emit(ledger, "Refunded")
        .withArgs(chargeId, net1, alice.address, start + 3n, 5n * USD, REASON);
      expect((await ledger.statement(chargeId)).refundable).to.equal(34_600_000n);
      expect(await ledger.netRevenuePosted(net1)).to.equal(34_600_000n);
      // Works while paused; bounded by the unrefunded net.
      await f.wl.setPaused(net1, true);
      await expect(ledger.connect(biller).refund(chargeId, start, 34_600_001n, REASON))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerRefundExceedsCharge")
        .withArgs(chargeId, 34_600_000n, 34_600_001n);
      await expect(ledger.connect(biller).refund(chargeId, start, 34_600_000n, REASON)).to.emit(ledger, "Refunded");
    });

    it("reverts on an unknown charge, for a non-biller, on zero, and outside the statement's epochs", async function () {
      const f = await loadFixture(chargedFixture);
      const { ledger, biller, outsider, net1, start, chargeId } = f;
      await expect(ledger.connect(biller).refund(ZeroHash, start, 1n, REASON)).to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownCharge").withArgs(ZeroHash);
      await expect(ledger.connect(outsider).refund(chargeId, start, 1n, REASON))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerUnauthorized")
        .withArgs(net1, outsider.address, BILLER);
      await expect(ledger.connect(biller).refund(chargeId, start, 0n, REASON)).to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAmount");
      for (const e of [start - 1n, start + 10n]) {
        await expect(ledger.connect(biller).refund(chargeId, e, 1n, REASON))
          .to.be.revertedWithCustomError(ledger, "RevenueLedgerRefundOutsideStatement")
          .withArgs(chargeId, e, start, start + 9n);
      }
    });

    it("reverts for an epoch already in a payout root, and when the revenue went to payable", async function () {
      const f = await loadFixture(rootFixture);
      const { ledger, biller, net1, start, chargeId } = f;
      await expect(ledger.connect(biller).refund(chargeId, start + 4n, 1n, REASON))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerEpochPaidOut")
        .withArgs(net1, start + 4n, start + 4n);
      // 39.6 USD net posted, 30 USD moved to payable: 9.6 USD of revenue left for later epochs.
      await expect(ledger.connect(biller).refund(chargeId, start + 5n, 9_600_001n, REASON))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInsufficientRevenue")
        .withArgs(net1, 9_600_000n, 9_600_001n);
      await expect(ledger.connect(biller).refund(chargeId, start + 5n, 9_600_000n, REASON)).to.emit(ledger, "Refunded");
    });
  });

  describe("payout roots (cumulative, verifier-signed)", function () {
    it("moves the total from revenue to payable and records the root (anyone relays, even while paused)", async function () {
      const f = await loadFixture(chargedFixture);
      const { ledger, wl, outsider, net1, start, verifiers } = f;
      await wl.setPaused(net1, true);
      const tree = payoutTree([[nodeIdOf("n0"), f.op1.address, 30n * USD]]);
      const msg: RootMessage = { networkId: net1, root: tree.root, throughEpoch: start + 4n, total: 30n * USD, dataHash: nodeIdOf("file") };
      const sigs = await signRoot(ledger, verifiers.slice(0, 2), msg);
      await expect(ledger.connect(outsider).postPayoutRoot(msg, sigs))
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, accountId(Kind.Revenue, net1), accountId(Kind.Payable, net1), 30n * USD, start + 4n, tree.root, 9_600_000n, 30n * USD)
        .and.to.emit(ledger, "PayoutRootPosted")
        .withArgs(net1, start + 4n, tree.root, 30n * USD, 30n * USD, msg.dataHash, await sortedAddresses(verifiers.slice(0, 2)));
      expect(await ledger.payoutRoot(net1)).to.deep.equal([tree.root, start + 4n, 1n, 30n * USD, msg.dataHash]);
      expect(await ledger.netRevenuePosted(net1)).to.equal(39_600_000n);
      expect(await ledger.payoutRootDigest(msg)).to.equal(ethers.TypedDataEncoder.hash(await ledgerDomain(ledger), PAYOUT_ROOT_TYPES, { ...msg }));
    });

    it("a later root moves only the increase; an equal total moves nothing", async function () {
      const f = await loadFixture(rootFixture);
      const { ledger, net1, start, verifiers } = f;
      const msg2: RootMessage = { ...f.msg, root: nodeIdOf("root-2"), throughEpoch: start + 6n, total: 35n * USD };
      await expect(ledger.postPayoutRoot(msg2, await signRoot(ledger, verifiers.slice(1), msg2)))
        .to.emit(ledger, "PayoutRootPosted")
        .withArgs(net1, start + 6n, msg2.root, 35n * USD, 5n * USD, msg2.dataHash, await sortedAddresses(verifiers.slice(1)));
      expect(await ledger.balanceOf(accountId(Kind.Payable, net1))).to.equal(35n * USD);
      const msg3: RootMessage = { ...msg2, root: nodeIdOf("root-3"), throughEpoch: start + 7n };
      const rc = await (await ledger.postPayoutRoot(msg3, await signRoot(ledger, verifiers.slice(0, 2), msg3))).wait();
      expect(rc!.logs.filter((l) => l.topics[0] === ledger.interface.getEvent("EntryPosted").topicHash).length).to.equal(0);
      expect((await ledger.payoutRoot(net1)).rootCount).to.equal(3n);
    });

    it("reverts on a zero root, past the cursor, a throughEpoch that does not rise, a falling total, and a total above net posted", async function () {
      const f = await loadFixture(rootFixture);
      const { ledger, wl, net1, start, verifiers } = f;
      const post = async (m: RootMessage) => ledger.postPayoutRoot(m, await signRoot(ledger, verifiers.slice(0, 2), m));
      const base: RootMessage = { ...f.msg, root: nodeIdOf("root-2"), throughEpoch: start + 5n };
      await expect(post({ ...base, root: ZeroHash })).to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidPayoutRoot").withArgs(net1);
      await wl.setFinalizedCount(net1, start + 5n);
      await expect(post(base)).to.be.revertedWithCustomError(ledger, "RevenueLedgerNotFinalized").withArgs(net1, start + 5n, start + 5n);
      await wl.setFinalizedCount(net1, start + 100n);
      // Replaying the posted root, or going backwards.
      await expect(ledger.postPayoutRoot(f.msg, await signRoot(ledger, verifiers.slice(0, 2), f.msg)))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerThroughEpochNotRising")
        .withArgs(net1, start + 4n, start + 4n);
      await expect(post({ ...base, throughEpoch: start + 3n }))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerThroughEpochNotRising")
        .withArgs(net1, start + 3n, start + 4n);
      await expect(post({ ...base, total: 30n * USD - 1n }))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerPayoutTotalDecreased")
        .withArgs(net1, 30n * USD - 1n, 30n * USD);
      await expect(post({ ...base, total: 39_600_001n }))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerPayoutExceedsPosted")
        .withArgs(net1, 39_600_001n, 39_600_000n);
      await expect(post({ ...base, total: 39_600_000n })).to.emit(ledger, "PayoutRootPosted");
      await expect(post({ ...base, networkId: 9n })).to.be.revertedWithCustomError(ledger, "RevenueLedgerUnknownNetwork").withArgs(9n);
    });

    it("takes effect only with k signatures of the current set, for this network", async function () {
      const f = await loadFixture(chargedFixture);
      const { ledger, wl, alice, net1, net2, start, verifiers } = f;
      const [v1, v2, v3] = verifiers;
      const msg: RootMessage = { networkId: net1, root: nodeIdOf("r"), throughEpoch: start, total: 1n, dataHash: ZeroHash };
      await expect(ledger.postPayoutRoot(msg, await signRoot(ledger, [v1], msg))).to.be.revertedWithCustomError(ledger, "RevenueLedgerBelowThreshold").withArgs(1n, 2n);
      // Replayed on another network (with revenue of its own).
      await ledger.connect(alice).deposit(net2, 10n * USD);
      await ledger.connect(alice).authorizeBilling(net2, CAP, FAR_EXPIRY);
      const s2 = stmt(f, (await ledger.billing(net2, alice.address)).nextEpoch, (await ledger.billing(net2, alice.address)).nextEpoch, 1n * USD, alice.address, net2);
      await chargeOf(f, s2);
      const sigs = await signRoot(ledger, [v1, v2], msg);
      const onNet2 = { ...msg, networkId: net2 };
      await expect(ledger.postPayoutRoot(onNet2, sigs))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerNotVerifier")
        .withArgs(verifyTypedData(await ledgerDomain(ledger), PAYOUT_ROOT_TYPES, { ...onNet2 }, sigs[0]));
      // Signed by a set that was rotated away.
      await wl.setVerifiers(net1, 2, [v3.address, f.outsider.address], 2);
      await expect(ledger.postPayoutRoot(msg, sigs)).to.be.revertedWithCustomError(ledger, "RevenueLedgerNotVerifier");
      await expect(ledger.postPayoutRoot(msg, await signRoot(ledger, [v3, f.outsider], msg))).to.emit(ledger, "PayoutRootPosted");
    });
  });

  describe("claim", function () {
    it("pays cumulativeAmount - claimed to the address the operator chooses, once per root", async function () {
      const f = await loadFixture(rootFixture);
      const { ledger, token, op1, outsider, net1, start, tree } = f;
      const n0 = nodeIdOf("n0");
      const assets = accountId(Kind.Assets, 0n, await token.getAddress());
      const tx = ledger.connect(op1).claim(net1, n0, 10n * USD, proofOf(tree, n0), outsider.address);
      await expect(tx)
        .to.emit(ledger, "EntryPosted")
        .withArgs(net1, accountId(Kind.Payable, net1), assets, 10n * USD, start + 4n, n0, 20n * USD, (v: bigint) => v > 0n)
        .and.to.emit(ledger, "PayoutClaimed")
        .withArgs(net1, n0, op1.address, outsider.address, 10n * USD, 10n * USD, start + 4n);
      await expect(tx).to.changeTokenBalances(token, [ledger, outsider], [-10n * USD, 10n * USD]);
      expect(await ledger.claimed(net1, n0)).to.equal(10n * USD);
      expect(await ledger.connect(op1).claim.staticCall(net1, n0, 10n * USD, proofOf(tree, n0), op1.address).catch(() => -1n)).to.equal(-1n);
      await expect(ledger.connect(op1).claim(net1, n0, 10n * USD, proofOf(tree, n0), op1.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerNothingToClaim")
        .withArgs(net1, n0, 10n * USD, 10n * USD);
    });

    it("claims across roots never pay twice; an older root's proof is refused", async function () {
      const f = await loadFixture(rootFixture);
      const { ledger, op1, op2, net1, start, tree, verifiers } = f;
      const n0 = nodeIdOf("n0");
      const n1 = nodeIdOf("n1");
      await ledger.connect(op1).claim(net1, n0, 10n * USD, proofOf(tree, n0), op1.address);
      const leaves2: PayoutLeaf[] = [
        [n0, op1.address, 14n * USD],
        [n1, op2.address, 25n * USD],
      ];
      const tree2 = payoutTree(leaves2);
      const msg2: RootMessage = { networkId: net1, root: tree2.root, throughEpoch: start + 9n, total: 39n * USD, dataHash: nodeIdOf("file-2") };
      await ledger.postPayoutRoot(msg2, await signRoot(ledger, verifiers.slice(0, 2), msg2));
      // The old root's proof no longer verifies.
      await expect(ledger.connect(op2).claim(net1, n1, 20n * USD, proofOf(tree, n1), op2.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidProof")
        .withArgs(net1, n1);
      await expect(ledger.connect(op1).claim(net1, n0, 14n * USD, proofOf(tree2, n0), op1.address))
        .to.emit(ledger, "PayoutClaimed")
        .withArgs(net1, n0, op1.address, op1.address, 4n * USD, 14n * USD, start + 9n);
      await expect(ledger.connect(op2).claim(net1, n1, 25n * USD, proofOf(tree2, n1), op2.address))
        .to.emit(ledger, "PayoutClaimed")
        .withArgs(net1, n1, op2.address, op2.address, 25n * USD, 25n * USD, start + 9n);
      expect(await ledger.balanceOf(accountId(Kind.Payable, net1))).to.equal(0n);
    });

    it("rejects a wrong operator, a wrong amount, a zero recipient and a network without a root; works while paused", async function () {
      const f = await loadFixture(rootFixture);
      const { ledger, wl, op1, op2, net1, net2, tree } = f;
      const n0 = nodeIdOf("n0");
      await expect(ledger.connect(op2).claim(net1, n0, 10n * USD, proofOf(tree, n0), op2.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidProof")
        .withArgs(net1, n0);
      await expect(ledger.connect(op1).claim(net1, n0, 11n * USD, proofOf(tree, n0), op1.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerInvalidProof")
        .withArgs(net1, n0);
      await expect(ledger.connect(op1).claim(net1, n0, 10n * USD, proofOf(tree, n0), ZeroAddress))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAddress")
        .withArgs("to");
      await expect(ledger.connect(op1).claim(net2, n0, 10n * USD, proofOf(tree, n0), op1.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerNoPayoutRoot")
        .withArgs(net2);
      await wl.setPaused(net1, true);
      await expect(ledger.connect(op1).claim(net1, n0, 10n * USD, proofOf(tree, n0), op1.address)).to.emit(ledger, "PayoutClaimed");
    });

    it("a root whose leaves exceed its total pays until payable runs out, then names the shortfall", async function () {
      const f = await loadFixture(chargedFixture);
      const { ledger, op1, op2, net1, start, verifiers } = f;
      const leaves: PayoutLeaf[] = [
        [nodeIdOf("a"), op1.address, 8n * USD],
        [nodeIdOf("b"), op2.address, 8n * USD],
      ];
      const tree = payoutTree(leaves);
      const msg: RootMessage = { networkId: net1, root: tree.root, throughEpoch: start, total: 10n * USD, dataHash: ZeroHash };
      await ledger.postPayoutRoot(msg, await signRoot(ledger, verifiers.slice(0, 2), msg));
      await ledger.connect(op1).claim(net1, nodeIdOf("a"), 8n * USD, proofOf(tree, nodeIdOf("a")), op1.address);
      await expect(ledger.connect(op2).claim(net1, nodeIdOf("b"), 8n * USD, proofOf(tree, nodeIdOf("b")), op2.address))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerPayableShortfall")
        .withArgs(net1, 2n * USD, 8n * USD);
    });
  });

  describe("bonds (WorkLedger only)", function () {
    it("refuses lockBond, returnBond and forfeitBond from anyone but the WorkLedger, and withdrawBond with nothing returnable", async function () {
      const { ledger, token, alice, net1 } = await loadFixture(revenueUnitFixture);
      await expect(ledger.connect(alice).lockBond(net1, await token.getAddress(), alice.address, 1n, 0n))
        .to.be.revertedWithCustomError(ledger, "RevenueLedgerOnlyWorkLedger")
        .withArgs(alice.address);
      await expect(ledger.connect(alice).returnBond(net1, alice.address, 1n, 0n)).to.be.revertedWithCustomError(ledger, "RevenueLedgerOnlyWorkLedger");
      await expect(ledger.connect(alice).forfeitBond(net1, alice.address, 1n, 0n)).to.be.revertedWithCustomError(ledger, "RevenueLedgerOnlyWorkLedger");
      await expect(ledger.connect(alice).withdrawBond(net1, ZeroAddress)).to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAddress").withArgs("to");
      await expect(ledger.connect(alice).withdrawBond(net1, alice.address)).to.be.revertedWithCustomError(ledger, "RevenueLedgerZeroAmount");
      expect(await ledger.returnableBond(net1, alice.address)).to.equal(0n);
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
      const { ledger, wl, token, admin, outsider, net1 } = await loadFixture(chargedFixture);
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
      const { ledger, admin, alice, net1 } = await loadFixture(chargedFixture);
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
      const f = await loadFixture(rootFixture);
      const { ledger, token, alice, bob, op1, admin, biller, net1, start, tree, chargeId } = f;
      await ledger.connect(op1).claim(net1, nodeIdOf("n0"), 10n * USD, proofOf(tree, nodeIdOf("n0")), op1.address);
      await ledger.connect(admin).withdrawFees(net1, admin.address);
      await ledger.connect(biller).refund(chargeId, start + 8n, 1n * USD, REASON);
      await ledger.connect(bob).deposit(2n, 3n * USD);
      await ledger.connect(alice).requestWithdrawal(net1, 50n * USD);
      await time.increase(THAW);
      await ledger.connect(alice).withdraw(net1, alice.address);
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
      expect(await ledger.balanceOf(accountId(Kind.Held, net1, alice.address))).to.equal(0n);
    });
  });
});
