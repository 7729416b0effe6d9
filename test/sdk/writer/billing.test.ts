/**
 * Billing statements in the SDK (#15) on the in-process Hardhat network, end to end through the jobs:
 * customers authorize a per-epoch cap (own transaction, or a signed authorization the biller relays),
 * epochs with usage are published (bundles written) and one is corrected while pending, the finality
 * cursor advances, 2 of 3 verifiers sign a statement rebuilt from the bundles, the biller charges it.
 * Refusals: past the cursor, a missing bundle, too few or tampered signatures, a non-verifier, above
 * n × cap (then charged after a raise), refunds outside the statement / above the epoch's net / in a
 * payout root, a withdrawal before its thaw ends. Every refusal is exit code 2 and sends nothing.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { Signer, Wallet, keccak256, toUtf8Bytes } from "ethers";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import {
  advanceFinality,
  authorizeBilling,
  buildStatement,
  chargeIdOf,
  chargeStatement,
  createNetwork,
  deployContracts,
  deposit,
  epochShares,
  grantRole,
  isoDate,
  listCharges,
  mintTestToken,
  publishEpoch,
  readBilling,
  readBillingAuthorization,
  readStatementSignature,
  refundStatement,
  relayBillingAuthorization,
  requestWithdrawal,
  revokeBilling,
  signBillingAuthorization,
  signStatement,
  usageRefsHash,
  verifyAndSignEpoch,
  withdraw,
  writeBillingAuthorization,
  writeStatementSignature,
} from "../../../src";
import type { StatementSignatureFile, UsageRecord } from "../../../src";
import { IERC20Metadata__factory, IWorkLedger__factory, RevenueLedger__factory } from "../../../src/contracts";
import { refusal } from "../../helpers/refusal";
import { BILLING_STATEMENT_TYPES, PAYOUT_ROOT_TYPES, revenueLedgerDomain } from "../../../src/records/eip712";
import { withBundleHeader } from "../../helpers/bundleFile";

const EPOCH = 3600n;
const WINDOW = 3600n;
const USD = 1_000_000n; // the mock stablecoin has 6 decimals
const addr = (s: Signer) => s.getAddress();

/** Usage of epoch `e`: alice and bob, amounts in micro-USD. */
function usageOf(e: bigint, alice: string, bob: string, a: bigint, b: bigint): UsageRecord[] {
  return [
    { customer: alice, epoch: e, workUnits: 10n, amount: a, ref: keccak256(toUtf8Bytes(`INV-alice-${e}`)) },
    { customer: bob, epoch: e, workUnits: 20n, amount: b, ref: keccak256(toUtf8Bytes(`INV-bob-${e}`)) },
  ];
}

async function billingFixture() {
  const [admin, v1, v2, v3, alice, bob, arbiter, outsider, carol] = await ethers.getSigners();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-billing-"));
  const bundlesDir = path.join(dir, "bundles");
  const { deployment } = await deployContracts(admin);
  const genesis = BigInt(await time.latest()) + 100n;
  await createNetwork(admin, deployment, {
    admin: await addr(admin),
    token: deployment.token,
    genesisTime: genesis,
    epochSeconds: EPOCH,
    challengeWindow: WINDOW,
    capacityPerNode: 0n,
    threshold: 2,
    name: "Billing net",
    workUnit: "GPU-seconds",
    verifiers: await Promise.all([v1, v2, v3].map(addr)),
    arbiter: await addr(arbiter),
  });
  await grantRole(admin, deployment, { networkId: 1n, role: "biller", account: await addr(admin) });
  for (const c of [alice, bob, carol]) {
    await mintTestToken(admin, deployment.token, { to: await addr(c), amount: 10_000n * USD });
    await deposit(c, deployment, { networkId: 1n, amount: 1_000n * USD });
  }
  // before genesis: billing starts at epoch 0. Alice: cap 100 USD/epoch; bob: 5 USD/epoch (too low for his usage)
  const authA = await authorizeBilling(alice, deployment, { networkId: 1n, capPerEpoch: 100n * USD });
  await authorizeBilling(bob, deployment, { networkId: 1n, capPerEpoch: 5n * USD });
  // epochs 0..3 with usage (epoch 1: bob only; epoch 3: nobody), epoch 2 corrected while pending (v2 differs)
  const [A, B] = [await addr(alice), await addr(bob)];
  const usage: Record<string, UsageRecord[]> = {
    "0": usageOf(0n, A, B, 12n * USD, 4n * USD),
    "1": [usageOf(1n, A, B, 0n, 3n * USD)[1]],
    "2": usageOf(2n, A, B, 30n * USD, 6n * USD),
    "3": [],
  };
  const v2Epoch2 = usageOf(2n, A, B, 20n * USD + 333_333n, 7n * USD);
  await time.increaseTo(genesis + 4n * EPOCH + 1n);
  const publish = async (epoch: bigint, u: UsageRecord[], version = 1, correction?: string) => {
    const file = path.join(dir, `records-${epoch}-v${version}.csv`);
    fs.writeFileSync(file, `nodeId,epoch,workUnits,uptimeBps,revenue,evidence\ngpu-1,${epoch},${100 + version},10000,${1_000_000 * version},0x${"e".repeat(64)}\n`);
    const ctx = { networkId: 1n, epoch, version, chainId: deployment.chainId, workLedger: deployment.workLedger };
    const sigs = [await verifyAndSignEpoch(file, ctx, v1, { usage: u }), await verifyAndSignEpoch(file, ctx, v2, { usage: u })];
    return publishEpoch(admin, deployment, { networkId: 1n, epoch, recordsFile: file, usage: u, signatures: sigs, bundleDir: bundlesDir, nodeCheck: "skip", ...(correction ? { correction: { reason: correction } } : {}) });
  };
  for (const e of [0n, 1n, 2n, 3n]) await publish(e, usage[String(e)]);
  await publish(2n, v2Epoch2, 2, "metering fix");
  await time.increase(WINDOW + 1n);
  const finality = await advanceFinality(admin, deployment, 1n);
  const rl = RevenueLedger__factory.connect(deployment.revenueLedger, admin);
  const token = IERC20Metadata__factory.connect(deployment.token, admin);
  return { admin, v1, v2, v3, alice, bob, arbiter, outsider, carol, deployment, dir, bundlesDir, genesis, authA, usage, v2Epoch2, finality, rl, token, publish };
}

type Fixture = Awaited<ReturnType<typeof billingFixture>>;

async function chainState(...who: Signer[]): Promise<string> {
  const block = await ethers.provider.getBlockNumber();
  const nonces = await Promise.all(who.map(async (s) => ethers.provider.getTransactionCount(await addr(s))));
  return `${block}:${nonces.join(",")}`;
}


async function sign2(f: Fixture, customer: Signer, fromEpoch: bigint, toEpoch: bigint, signers: Signer[] = [f.v1, f.v3]): Promise<StatementSignatureFile[]> {
  const p = { networkId: 1n, customer: await addr(customer), fromEpoch, toEpoch, bundlesDir: f.bundlesDir };
  return Promise.all(signers.map((s) => signStatement(s, f.deployment, p)));
}

describe("SDK billing statements (#15)", function () {
  this.timeout(180_000);

  after(() => {
    // fixtures' temp dirs live under os.tmpdir(): remove ours
    for (const d of fs.readdirSync(os.tmpdir())) if (d.startsWith("wl-billing-")) fs.rmSync(path.join(os.tmpdir(), d), { recursive: true, force: true });
  });

  it("authorize (billing from epoch 0), publish epochs with usage, advance finality, 2 of 3 verifiers sign, the biller charges: amount = Σ latest-version leaves", async function () {
    const f = await loadFixture(billingFixture);
    const A = await addr(f.alice);
    expect(f.authA).to.deep.include({ customer: A, capPerEpoch: 100n * USD, changeEpoch: 0n, nextEpoch: 0n, relayer: A });
    expect(f.finality.toCount).to.equal(4n);
    // the verifier's rebuild: epochs with usage only (1 and 3 have none for alice), epoch 2 from its v2 bundle
    const built = await buildStatement(ethers.provider, f.deployment, { networkId: 1n, customer: A, fromEpoch: 0n, toEpoch: 3n, bundlesDir: f.bundlesDir });
    expect(built.usage.map((u) => [u.epoch, u.version, u.leaf.amount])).to.deep.equal([
      [0n, 1, 12n * USD],
      [2n, 2, 20n * USD + 333_333n],
    ]);
    expect(built.statement.amount).to.equal(32n * USD + 333_333n);
    expect(built.statement.usageHash).to.equal(usageRefsHash(built.refs));
    const sigs = await sign2(f, f.alice, 0n, 3n);
    const file = path.join(f.dir, "stmt-a.json");
    writeStatementSignature(sigs[0], file);
    const back = readStatementSignature(file);
    expect(back).to.deep.include({ signer: await addr(f.v1), amount: (32n * USD + 333_333n).toString(), fromEpoch: "0", toEpoch: "3", usageEpochs: ["0", "2"] });
    expect(back).to.not.have.property("built");

    // a dry run simulates and sends nothing
    const before = await chainState(f.admin);
    const dry = await chargeStatement(f.admin, f.deployment, { networkId: 1n, customer: A, fromEpoch: 0n, toEpoch: 3n, bundlesDir: f.bundlesDir, signatures: [back, sigs[1]] }, { dryRun: true });
    expect(dry.outcome.dryRun).to.equal(true);
    expect(dry.chargeId).to.equal(chargeIdOf(1n, A, 0n));
    expect(await chainState(f.admin)).to.equal(before);

    const escrowBefore = (await readBilling(ethers.provider, f.deployment, 1n, A)).escrow;
    const c = await chargeStatement(f.admin, f.deployment, { networkId: 1n, customer: A, fromEpoch: 0n, toEpoch: 3n, bundlesDir: f.bundlesDir, signatures: [back, sigs[1]], referenceText: "invoice 2026-11" });
    expect(c.chargeId).to.equal(chargeIdOf(1n, A, 0n));
    expect(c.statement.amount).to.equal(32n * USD + 333_333n);
    const bps = await f.rl.protocolFeeBps();
    expect(c.fee).to.equal((c.statement.amount * BigInt(bps)) / 10_000n);
    expect(c.capPerEpoch).to.equal(100n * USD);
    expect(c.referenceText).to.equal("invoice 2026-11");
    expect(c.signers).to.deep.equal([await addr(f.v1), await addr(f.v3)].sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1)));
    const st = await readBilling(ethers.provider, f.deployment, 1n, A);
    expect(st).to.deep.include({ nextEpoch: 4n, lastBilledEpoch: 3n, capPerEpoch: 100n * USD, escrow: escrowBefore - c.statement.amount, thawing: 0n });
    const [listed] = await listCharges(ethers.provider, f.deployment, { networkId: 1n, customer: A });
    expect(listed).to.deep.include({ chargeId: c.chargeId, amount: c.statement.amount, fee: c.fee, referenceText: "invoice 2026-11", refunded: 0n, fromEpoch: 0n, toEpoch: 3n });
    // charging the same statement again: out of order, in words
    const again = await refusal(chargeStatement(f.admin, f.deployment, { networkId: 1n, customer: A, fromEpoch: 0n, toEpoch: 3n, bundlesDir: f.bundlesDir, signatures: sigs }));
    expect(again.message).to.match(/must start at its next unbilled epoch 4, not at epoch 0 .*\(RevenueLedgerStatementOutOfOrder\)/);
  });

  it("refuses a statement past the finality cursor, a missing bundle, too few, tampered or non-verifier signatures — nothing sent", async function () {
    const f = await loadFixture(billingFixture);
    const A = await addr(f.alice);
    const p = { networkId: 1n, customer: A, fromEpoch: 0n, toEpoch: 4n, bundlesDir: f.bundlesDir };
    const past = await refusal(buildStatement(ethers.provider, f.deployment, p));
    expect(past.message).to.match(/^epoch 4 of network 1 is not Final yet: the finality cursor is 4 \(epochs 0\.\.3 are Final/);
    await refusal(signStatement(f.v1, f.deployment, p));
    const notVerifier = await refusal(signStatement(f.outsider, f.deployment, { ...p, toEpoch: 3n }));
    expect(notVerifier.message).to.equal(`${await addr(f.outsider)} is not in the current verifier set 1 of network 1: only its verifiers sign billing statements`);

    const sigs = await sign2(f, f.alice, 0n, 3n);
    const before = await chainState(f.admin);
    const base = { networkId: 1n, customer: A, fromEpoch: 0n, toEpoch: 3n, bundlesDir: f.bundlesDir };
    const one = await refusal(chargeStatement(f.admin, f.deployment, { ...base, signatures: [sigs[0]] }));
    expect(one.message).to.equal("1 verifier signature(s) given, network 1 needs 2 (its threshold)");
    const twice = await refusal(chargeStatement(f.admin, f.deployment, { ...base, signatures: [sigs[0], sigs[0]] }));
    expect(twice.message).to.match(/signature 2: 0x[0-9a-fA-F]{40} signed twice/);
    const tampered = { ...sigs[1], amount: "1" };
    const t = await refusal(chargeStatement(f.admin, f.deployment, { ...base, signatures: [sigs[0], tampered], names: ["a.json", "b.json"] }));
    expect(t.message).to.equal(`b.json signs amount 1 but the statement rebuilt from the chain and the bundles has amount ${32n * USD + 333_333n}`);
    // an outsider's own signature over the right statement
    const forged = { ...sigs[1], signer: await addr(f.outsider), signature: await f.outsider.signTypedData(revenueLedgerDomain(f.deployment.chainId, f.deployment.revenueLedger), BILLING_STATEMENT_TYPES, { networkId: 1n, customer: A, fromEpoch: 0n, toEpoch: 3n, amount: BigInt(sigs[1].amount), usageHash: sigs[1].usageHash }) };
    const o = await refusal(chargeStatement(f.admin, f.deployment, { ...base, signatures: [sigs[0], forged] }));
    expect(o.message).to.equal(`signature 2: ${await addr(f.outsider)} is not in the current verifier set 1 of network 1`);
    // the bundle of the latest version of epoch 2 gone: refused naming the file
    const v2File = path.join(f.bundlesDir, "network-1-epoch-2-v2.wlb");
    const moved = `${v2File}.away`;
    fs.renameSync(v2File, moved);
    try {
      const missing = await refusal(chargeStatement(f.admin, f.deployment, { ...base, signatures: sigs }));
      expect(missing.message).to.equal(`missing bundle for epoch 2 v2 of network 1 (the latest version): expected ${v2File}`);
    } finally {
      fs.renameSync(moved, v2File);
    }
    // under that name, the bundle of its voided v1 (another root), then v2 with one usage amount raised
    // in its header (the usage leaves no longer give the usage root): each refused naming the file
    const original = fs.readFileSync(v2File);
    try {
      fs.copyFileSync(path.join(f.bundlesDir, "network-1-epoch-2-v1.wlb"), v2File);
      const other = await refusal(chargeStatement(f.admin, f.deployment, { ...base, signatures: sigs }));
      expect(other.message).to.match(new RegExp(`^${v2File.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} has root 0x[0-9a-f]{64} but epoch 2 v2 on chain has root 0x[0-9a-f]{64}$`));
      let usageRoot = "";
      fs.writeFileSync(
        v2File,
        withBundleHeader(original, (header) => {
          header.usage![0].amount = (BigInt(header.usage![0].amount) + 1n).toString();
          usageRoot = header.summary.usageRoot;
        }),
      );
      const raised = await refusal(chargeStatement(f.admin, f.deployment, { ...base, signatures: sigs }));
      const given = raised.message.split("usage leaves give ")[1];
      expect(raised.message).to.equal(`bundle ${v2File}: usageRoot does not recompute: header ${usageRoot}, usage leaves give ${given}`);
      expect(given).to.match(/^0x[0-9a-f]{64}$/).and.not.equal(usageRoot);
    } finally {
      fs.writeFileSync(v2File, original);
    }
    // another deployment's signature: refused by chain/contract
    const other = { ...sigs[0], revenueLedger: Wallet.createRandom().address };
    const wrongDeployment = await refusal(chargeStatement(f.admin, f.deployment, { ...base, signatures: [other, sigs[1]] }));
    expect(wrongDeployment.message).to.match(/signature 1 was signed for chain \d+ \/ RevenueLedger 0x[0-9a-fA-F]{40}, not this deployment/);
    expect(await chainState(f.admin)).to.equal(before);
  });

  it("refuses a statement above n × cap naming the limit (nothing sent); after the customer raises its cap the same signatures charge", async function () {
    const f = await loadFixture(billingFixture);
    // carol authorizes 1 USD/epoch through a signed authorization the biller relays; her usage will be 3 USD/epoch
    const C = await addr(f.carol);
    const auth = await signBillingAuthorization(f.carol, f.deployment, { networkId: 1n, capPerEpoch: 1n * USD });
    const authFile = path.join(f.dir, "auth-carol.json");
    writeBillingAuthorization(auth, authFile);
    expect(readBillingAuthorization(authFile)).to.deep.equal(auth);
    const relayed = await relayBillingAuthorization(f.admin, f.deployment, readBillingAuthorization(authFile));
    expect(relayed).to.deep.include({ customer: C, capPerEpoch: 1n * USD, relayer: await addr(f.admin) });
    const replay = await refusal(relayBillingAuthorization(f.admin, f.deployment, auth));
    expect(replay.message).to.match(/has nonce 0 but .*'s next nonce on network 1 is 1 \(already used or replaced\)/);
    // billing starts at the first epoch after her authorization: publish up to the one after it, carol using 3 USD per epoch
    const from = relayed.nextEpoch!;
    const to = from + 1n;
    expect(from).to.be.greaterThan(3n);
    await time.increaseTo(f.genesis + (to + 1n) * EPOCH + 1n);
    const A = await addr(f.alice);
    for (let e = 4n; e <= to; e++) await f.publish(e, [{ customer: C, epoch: e, workUnits: 1n, amount: 3n * USD, ref: keccak256(toUtf8Bytes(`carol-${e}`)) }, { customer: A, epoch: e, workUnits: 1n, amount: 1n, ref: keccak256(toUtf8Bytes(`alice-${e}`)) }]);
    await time.increase(WINDOW + 1n);
    await advanceFinality(f.admin, f.deployment, 1n);
    expect((await readBilling(ethers.provider, f.deployment, 1n, C)).nextEpoch).to.equal(from);
    const sigs = await sign2(f, f.carol, from, to);
    const n = 2n;
    const params = { networkId: 1n, customer: C, fromEpoch: from, toEpoch: to, bundlesDir: f.bundlesDir, signatures: sigs };
    const before = await chainState(f.admin);
    const over = await refusal(chargeStatement(f.admin, f.deployment, params));
    const amount = BigInt(sigs[0].amount);
    expect(amount).to.equal(6n * USD);
    const fmt = (v: bigint) => `${(Number(v) / 1e6).toFixed(2)} mUSD`;
    expect(over.message).to.equal(
      `the statement's amount ${fmt(amount)} is above the customer's limit of ${fmt(n * USD)} (${n} epochs × cap 1.00 mUSD per epoch) on network 1: ${C} must raise its cap (billing authorize) first (RevenueLedgerCapExceeded)`,
    );
    expect(await chainState(f.admin)).to.equal(before);
    // the raise binds every unbilled epoch: the same signatures now charge
    const raise = await authorizeBilling(f.carol, f.deployment, { networkId: 1n, capPerEpoch: 5n * USD });
    expect(raise.capPerEpoch).to.equal(5n * USD);
    const c = await chargeStatement(f.admin, f.deployment, params);
    expect(c.capPerEpoch).to.equal(5n * USD);
    expect(c.statement.amount).to.equal(amount);
  });

  it("refunds within an epoch's net only: outside the statement, above the net, or in a payout root are refused", async function () {
    const f = await loadFixture(billingFixture);
    const A = await addr(f.alice);
    const sigs = await sign2(f, f.alice, 0n, 3n);
    const c = await chargeStatement(f.admin, f.deployment, { networkId: 1n, customer: A, fromEpoch: 0n, toEpoch: 3n, bundlesDir: f.bundlesDir, signatures: sigs });
    const bps = BigInt(await f.rl.protocolFeeBps());
    const shares = epochShares(c.usage, bps, c.fee);
    expect(shares.reduce((s, x) => s + x.fee, 0n)).to.equal(c.fee);
    const e2 = shares.find((x) => x.epoch === 2n)!;
    const base = { chargeId: c.chargeId, reason: "SLA credit: outage", bundlesDir: f.bundlesDir };
    const before = await chainState(f.admin);
    const outside = await refusal(refundStatement(f.admin, f.deployment, { ...base, epoch: 4n, amount: 1n }));
    expect(outside.message).to.equal(`epoch 4 is outside charge ${c.chargeId}, which covers epochs 0 to 3`);
    const above = await refusal(refundStatement(f.admin, f.deployment, { ...base, epoch: 2n, amount: e2.net + 1n }));
    expect(above.message).to.match(/^refund of [\d,.]+ mUSD is above what epoch 2 can refund: epoch 2's net in charge 0x[0-9a-f]{64} is [\d,.]+ mUSD \(usage 20\.333333 mUSD less fee [\d,.]+ mUSD\); at most [\d,.]+ mUSD$/);
    const noUsage = await refusal(refundStatement(f.admin, f.deployment, { ...base, epoch: 1n, amount: 1n }));
    expect(noUsage.message).to.match(/epoch 1 has no usage of 0x[0-9a-fA-F]{40} in charge .* \(net 0\); at most 0/);
    expect(await chainState(f.admin)).to.equal(before);
    const r = await refundStatement(f.admin, f.deployment, { ...base, epoch: 2n, amount: e2.net - 5n });
    expect(r).to.deep.include({ epoch: 2n, amount: e2.net - 5n, epochRefundable: e2.net, customer: A });
    const rest = await refusal(refundStatement(f.admin, f.deployment, { ...base, epoch: 2n, amount: 6n }));
    expect(rest.message).to.match(/already refunded; at most 0\.000005 mUSD$/);
    const [listed] = await listCharges(ethers.provider, f.deployment, { networkId: 1n, customer: A });
    expect(listed.refunded).to.equal(e2.net - 5n);
    // a payout root through epoch 0 (2 of 3 verifiers sign it; anyone posts): epoch 0 can no longer be refunded
    const root = { networkId: 1n, root: keccak256(toUtf8Bytes("root")), throughEpoch: 0n, total: 1n, dataHash: keccak256(toUtf8Bytes("leaves")) };
    const domain = revenueLedgerDomain(f.deployment.chainId, f.deployment.revenueLedger);
    const signed = await Promise.all([f.v1, f.v2].map(async (s) => ({ who: await addr(s), sig: await s.signTypedData(domain, PAYOUT_ROOT_TYPES, root) })));
    signed.sort((x, y) => (BigInt(x.who) < BigInt(y.who) ? -1 : 1));
    await (await f.rl.postPayoutRoot(root, signed.map((x) => x.sig))).wait();
    const paid = await refusal(refundStatement(f.admin, f.deployment, { ...base, epoch: 0n, amount: 1n }));
    expect(paid.message).to.equal("epoch 0 of network 1 is already in a payout root (through epoch 0): paid shares cannot shrink, so it cannot be refunded");
  });

  it("withdrawals thaw: a request, a refusal naming the ready date before it, the tokens after; revoke stops later epochs", async function () {
    const f = await loadFixture(billingFixture);
    const B = await addr(f.bob);
    const req = await requestWithdrawal(f.bob, f.deployment, { networkId: 1n, amount: 300n * USD });
    const thaw = await IWorkLedger__factory.connect(f.deployment.workLedger, ethers.provider).thawSecondsOf(1n);
    expect(req.amount).to.equal(300n * USD);
    expect(req.readyAt).to.equal(BigInt(await time.latest()) + thaw);
    const st = await readBilling(ethers.provider, f.deployment, 1n, B);
    expect(st).to.deep.include({ thawing: 300n * USD, thawReadyAt: req.readyAt, free: st.escrow - 300n * USD });
    const before = await chainState(f.bob);
    const early = await refusal(withdraw(f.bob, f.deployment, { networkId: 1n }));
    expect(early.message).to.match(new RegExp(`^the withdrawal of ${B} on network 1 is still thawing: it is ready at ${isoDate(req.readyAt).replace(/[.]/g, "\\.")} \\(chain time now `));
    expect(await chainState(f.bob)).to.equal(before);
    const none = await refusal(withdraw(f.alice, f.deployment, { networkId: 1n }));
    expect(none.message).to.match(/has no withdrawal request on network 1: request one first/);
    await time.increaseTo(req.readyAt);
    const wallet = await f.token.balanceOf(B);
    const w = await withdraw(f.bob, f.deployment, { networkId: 1n });
    expect(w.amount).to.equal(300n * USD);
    expect(await f.token.balanceOf(B)).to.equal(wallet + 300n * USD);
    expect((await readBilling(ethers.provider, f.deployment, 1n, B)).thawing).to.equal(0n);
    // revoke: cap 0
    const rv = await revokeBilling(f.bob, f.deployment, { networkId: 1n });
    expect(rv.capPerEpoch).to.equal(0n);
    expect((await readBilling(ethers.provider, f.deployment, 1n, B)).capPerEpoch).to.equal(0n);
    const never = await refusal(revokeBilling(f.outsider, f.deployment, { networkId: 1n }));
    expect(never.message).to.match(/never authorized network 1 to bill it/);
  });
});
