/**
 * The SDK's trust jobs (#13) on the in-process Hardhat network: deploy wires the ledgers; network
 * creation fills DESIGN's trust defaults; bonded challenges (approve + challenge from the
 * challenger's wallet) ruled on by the arbiter or expired; verifier rotations signed by k of the
 * current set into files and relayed by anyone; the admin's delayed recovery and the arbiter's
 * cancel; the arbiter's two-step handover; roles; pause, window and node deactivation. Every refusal
 * is a ContractRefusedError / InvalidInputError (exit code 2) in words, and a dry run sends nothing.
 * Epochs are committed straight to the contract (test/helpers/workLedgerFixture), so these tests do
 * not depend on the publish job.
 */
import { expect } from "chai";
import fs from "fs";
import os from "os";
import path from "path";
import { Signer, ZeroAddress, ZeroHash, keccak256, toUtf8Bytes } from "ethers";
import { ethers, network } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";

import {
  ContractRefusedError,
  WIRING_GAS,
  acceptArbiter,
  applyRecovery,
  arbiterCallAs,
  applyRotation,
  cancelRecovery,
  challengeEpoch,
  createNetwork,
  deactivateNode,
  deployContracts,
  durationText,
  expireChallenge,
  grantRole,
  listRoles,
  mintTestToken,
  parseRoleName,
  proposeRecovery,
  proposeRotation,
  readChallenge,
  readRotationSignature,
  readTrust,
  readVerifierStatus,
  registerNode,
  resolveChallenge,
  revokeRole,
  revertInWords,
  setChallengeWindow,
  setNetworkPaused,
  signRotation,
  transferArbiter,
  writeRotationFile,
} from "../../../src";
import { IERC20Metadata__factory, WorkLedger__factory } from "../../../src/contracts";
import { TimelockArbiter__factory } from "../../../typechain-types";
import { buildEpoch, makeRecords, signAndCommit } from "../../helpers/workLedgerFixture";
import { domainOf } from "../../helpers/eip712";
import { refusal } from "../../helpers/refusal";

const EPOCH = 3600n;
const WINDOW = 7200n;
const BOND = 5_000_000n;
const DEADLINE = 86_400n;

async function addr(s: Signer): Promise<string> {
  return s.getAddress();
}

async function trustFixture() {
  const [admin, v1, v2, v3, customer, arbiter, outsider, v4] = await ethers.getSigners();
  const { deployment } = await deployContracts(admin);
  const { network: created, trust, warnings } = await createNetwork(admin, deployment, {
    admin: await addr(admin),
    token: deployment.token,
    genesisTime: 0n,
    epochSeconds: EPOCH,
    challengeWindow: WINDOW,
    capacityPerNode: 3600n,
    threshold: 2,
    name: "Trust net",
    workUnit: "GPU-seconds",
    verifiers: await Promise.all([v1, v2, v3].map(addr)),
    arbiter: await addr(arbiter),
    bond: BOND,
  });
  await grantRole(admin, deployment, { networkId: 1n, role: "registrar", account: await addr(admin) });
  await mintTestToken(admin, deployment.token, { to: await addr(customer), amount: 1_000_000_000n });
  const wl = WorkLedger__factory.connect(deployment.workLedger, admin);
  const domain = await domainOf(wl);
  // epoch 0 (5 records) committed by v1 and v2
  await time.increase(EPOCH);
  const built = buildEpoch(makeRecords(5, 0n));
  await signAndCommit(wl, [v1, v2], domain, { networkId: 1n, epoch: 0n, version: 1n, summary: built.summary });
  const token = IERC20Metadata__factory.connect(deployment.token, admin);
  return { admin, v1, v2, v3, v4, customer, arbiter, outsider, deployment, created: created!, trust, warnings, wl, domain, built, token };
}

/** Block number and nonces: unchanged after a dry run or a refused call. */
async function chainState(...who: Signer[]): Promise<string> {
  const block = await ethers.provider.getBlockNumber();
  const nonces = await Promise.all(who.map(async (s) => ethers.provider.getTransactionCount(await addr(s))));
  return `${block}:${nonces.join(",")}`;
}

describe("SDK trust jobs (#13)", function () {
  this.timeout(120_000);

  describe("deploy and network creation", function () {
    it("deploy wires the RevenueLedger into the WorkLedger once; a dry run lists the wiring and sends nothing", async function () {
      const { deployment, wl, admin } = await loadFixture(trustFixture);
      expect(await wl.revenueLedger()).to.equal(deployment.revenueLedger);
      const before = await chainState(admin);
      const dry = await deployContracts(admin, { dryRun: true });
      expect(dry.creations.map((c) => c.name)).to.deep.equal(["WorkLedger", "RevenueLedger", "MockStablecoin", "WorkLedger.setRevenueLedger"]);
      expect(dry.creations[3].gasEstimate).to.equal(WIRING_GAS);
      expect(dry.creations[3].address).to.equal(dry.deployment.workLedger);
      expect(await chainState(admin)).to.equal(before);
      // the gas a dry run shows for the wiring is the one a real deploy estimates
      const real = await deployContracts(admin);
      expect(real.creations[3].name).to.equal("WorkLedger.setRevenueLedger");
      expect(real.creations[3].gasEstimate).to.equal(WIRING_GAS);
      expect(await WorkLedger__factory.connect(real.deployment.workLedger, admin).revenueLedger()).to.equal(real.deployment.revenueLedger);
    });

    it("createNetwork sends the trust parameters and reads them back (arbiterOf, bondOf, thaw = smallest allowed)", async function () {
      const { deployment, arbiter, trust, warnings } = await loadFixture(trustFixture);
      expect(warnings).to.deep.equal([]);
      const t = await readTrust(ethers.provider, deployment, 1n);
      expect(t.arbiter).to.equal(await addr(arbiter));
      expect(t.bond).to.equal(BOND);
      expect(t.arbiterDeadline).to.equal(DEADLINE);
      expect(t.maxStatementEpochs).to.equal(720);
      expect(t.thawSeconds).to.equal(WINDOW + DEADLINE + 720n * EPOCH);
      expect(trust.thawSeconds).to.equal(t.thawSeconds);
      expect(t.recoveryDelay).to.equal(t.thawSeconds + 86_400n); // max(7 d, 2 × window, thaw + 1 d)
    });

    it("without an arbiter, the first verifier that is not the signer is taken, with a warning; the admin as arbiter is refused before sending", async function () {
      const { deployment, admin, v1, v2 } = await loadFixture(trustFixture);
      const base = { admin: await addr(admin), token: deployment.token, genesisTime: 0n, epochSeconds: EPOCH, challengeWindow: WINDOW, capacityPerNode: 0n, threshold: 1, name: "n2", workUnit: "u" };
      const r = await createNetwork(v1, deployment, { ...base, verifiers: [await addr(v1), await addr(v2)] });
      expect(r.trust.arbiter).to.equal(await addr(v2));
      expect(r.warnings.join(" ")).to.match(/the first verifier that is not the signer/);
      expect(r.trust.bond).to.equal(1_000_000n);
      const before = await chainState(admin);
      const e = await refusal(createNetwork(admin, deployment, { ...base, verifiers: [await addr(v1)], arbiter: await addr(admin) }));
      expect(e.message).to.match(/arbiter .* is the network admin/);
      const short = await refusal(createNetwork(admin, deployment, { ...base, verifiers: [await addr(v1)], arbiter: await addr(v2), thawSeconds: 1000n }));
      expect(short.message).to.match(/--thaw-seconds 1000 is too short: at least \d+/);
      const none = await refusal(createNetwork(admin, deployment, { ...base, verifiers: [await addr(admin)] }));
      expect(none.message).to.equal("no --arbiter given and every verifier is the signer or the admin: pass --arbiter ADDR (an account independent of the admin)");
      const deadline = await refusal(createNetwork(admin, deployment, { ...base, verifiers: [await addr(v1)], arbiter: await addr(v2), arbiterDeadline: 31n * 86_400n }));
      expect(deadline.message).to.equal("--arbiter-deadline must be from 86400 to 2592000 seconds, got 2678400");
      const epochs = await refusal(createNetwork(admin, deployment, { ...base, verifiers: [await addr(v1)], arbiter: await addr(v2), maxStatementEpochs: 10_001 }));
      expect(epochs.message).to.equal("--max-statement-epochs must be from 1 to 10000, got 10001");
      const bond = await refusal(createNetwork(admin, deployment, { ...base, verifiers: [await addr(v1)], arbiter: await addr(v2), bond: 999_999n }));
      expect(bond.message).to.match(/^--bond must be from 1000000 to/);
      expect(await chainState(admin)).to.equal(before);
    });
  });

  describe("bonded challenges", function () {
    it("a customer challenges with a bond from its wallet (approve + challenge); the arbiter upholds: voided, bond returned", async function () {
      const { deployment, customer, arbiter, token } = await loadFixture(trustFixture);
      const start = await token.balanceOf(await addr(customer));
      const r = await challengeEpoch(customer, deployment, { networkId: 1n, epoch: 0n, reasonHash: keccak256(toUtf8Bytes("over capacity")) });
      expect(r.transactions.map((t) => t.method)).to.deep.equal(["approve", "challengeEpoch"]);
      expect(r.bond).to.equal(BOND);
      expect(r.version).to.equal(1);
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      expect(r.deadline).to.equal(now + DEADLINE);
      expect(await token.balanceOf(await addr(customer))).to.equal(start - BOND);
      const info = await readChallenge(ethers.provider, deployment, 1n, 0n);
      expect(info.status).to.equal("challenged");
      expect(info.open).to.include({ challenger: await addr(customer), bond: BOND });
      const ruling = await resolveChallenge(arbiter, deployment, { networkId: 1n, epoch: 0n, upheld: true });
      expect(ruling.version).to.equal(1);
      expect(ruling.bond).to.deep.equal({ challenger: await addr(customer), amount: BOND, fate: "returned", paid: true });
      expect((await readChallenge(ethers.provider, deployment, 1n, 0n)).status).to.equal("voided");
      expect(await token.balanceOf(await addr(customer))).to.equal(start);
    });

    it("a dry run sends nothing: with a short allowance only the approval is simulated", async function () {
      const { deployment, customer } = await loadFixture(trustFixture);
      const before = await chainState(customer);
      const r = await challengeEpoch(customer, deployment, { networkId: 1n, epoch: 0n, reasonHash: ZeroHash }, { dryRun: true });
      expect(r.challengeSimulated).to.equal(false);
      expect(r.transactions.map((t) => [t.method, t.dryRun])).to.deep.equal([["approve", true]]);
      expect(r.transactions[0].gasEstimate > 0n).to.equal(true);
      expect(await chainState(customer)).to.equal(before);
      expect((await readChallenge(ethers.provider, deployment, 1n, 0n)).status).to.equal("pending");
    });

    it("only the arbiter rules (the admin is refused in words); a rejection forfeits the bond and doubles the next one", async function () {
      const { deployment, customer, arbiter, admin } = await loadFixture(trustFixture);
      await challengeEpoch(customer, deployment, { networkId: 1n, epoch: 0n, reasonHash: ZeroHash });
      const before = await chainState(admin);
      const e = await refusal(resolveChallenge(admin, deployment, { networkId: 1n, epoch: 0n, upheld: true }));
      expect(e).to.be.instanceOf(ContractRefusedError);
      expect(e.message).to.equal(`${await addr(admin)} is not the arbiter of network 1 (WorkLedgerNotArbiter)`);
      expect(await chainState(admin)).to.equal(before);
      const r = await resolveChallenge(arbiter, deployment, { networkId: 1n, epoch: 0n, upheld: false });
      expect(r.bond?.fate).to.equal("forfeited");
      expect(r.finalizesAt! > 0n).to.equal(true);
      const info = await readChallenge(ethers.provider, deployment, 1n, 0n);
      expect(info.status).to.equal("pending");
      expect(info.challenges).to.equal(1);
      expect(info.nextBond).to.equal(2n * BOND);
    });

    it("an unresolved challenge expires only after the arbiter's deadline (refused before, with the ISO date), then voided and bond returned", async function () {
      const { deployment, customer, outsider, token } = await loadFixture(trustFixture);
      const start = await token.balanceOf(await addr(customer));
      const c = await challengeEpoch(customer, deployment, { networkId: 1n, epoch: 0n, reasonHash: ZeroHash });
      const early = await refusal(expireChallenge(outsider, deployment, { networkId: 1n, epoch: 0n }));
      expect(early.message).to.include(`can only expire from ${new Date(Number(c.deadline!) * 1000).toISOString()}`);
      await time.increaseTo(c.deadline!);
      const r = await expireChallenge(outsider, deployment, { networkId: 1n, epoch: 0n });
      expect(r.version).to.equal(1);
      expect(r.bond).to.deep.include({ fate: "returned", amount: BOND });
      expect((await readChallenge(ethers.provider, deployment, 1n, 0n)).status).to.equal("voided");
      expect(await token.balanceOf(await addr(customer))).to.equal(start);
    });

    it("refuses what cannot be challenged before sending: a Final epoch, a challenger without the bond", async function () {
      const { deployment, outsider, customer } = await loadFixture(trustFixture);
      const poor = await refusal(challengeEpoch(outsider, deployment, { networkId: 1n, epoch: 0n, reasonHash: ZeroHash }));
      expect(poor.message).to.match(/the bond is 5\.00 mUSD but 0x[0-9a-fA-F]{40} holds 0\.00 mUSD/);
      await time.increase(WINDOW);
      const fin = await refusal(challengeEpoch(customer, deployment, { networkId: 1n, epoch: 0n, reasonHash: ZeroHash }));
      expect(fin.message).to.equal("epoch 0 of network 1 is final: only a pending version can be challenged");
    });
  });

  describe("verifier rotations and recovery", function () {
    it("k current verifiers sign a rotation into files; anyone relays it; old signatures cannot be replayed", async function () {
      const { deployment, v1, v2, v3, v4, outsider } = await loadFixture(trustFixture);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-rotation-"));
      const next = [await addr(v2), await addr(v3), await addr(v4)];
      const proposal = await proposeRotation(ethers.provider, deployment, 1n, next, 2);
      expect(proposal.verifierSetId).to.equal("2");
      const files = [];
      for (const [i, v] of [v1, v3].entries()) {
        const f = path.join(dir, `sig-${i}.json`);
        writeRotationFile(await signRotation(proposal, v), f);
        files.push(f);
      }
      const sigs = files.map(readRotationSignature);
      const r = await applyRotation(outsider, deployment, sigs);
      expect(r.verifierSetId).to.equal(2);
      expect(r.signers).to.deep.equal([await addr(v1), await addr(v3)].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)));
      const s = await readVerifierStatus(ethers.provider, deployment, 1n);
      expect(s).to.include({ verifierSetId: 2, threshold: 2 });
      expect(s.verifiers).to.deep.equal(next);
      const replay = await refusal(applyRotation(outsider, deployment, sigs));
      expect(replay.message).to.match(/the rotation would create verifier set 2, but network 1 is at set 2/);
      // v1 left the set: its signature over the next rotation names it
      const p3 = await proposeRotation(ethers.provider, deployment, 1n, [await addr(v1)], 1);
      const f3 = path.join(dir, "sig-old.json");
      writeRotationFile(await signRotation(p3, v1), f3);
      const notMember = await refusal(applyRotation(outsider, deployment, [readRotationSignature(f3)], { names: [f3] }));
      expect(notMember.message).to.equal(`${f3}: ${await addr(v1)} is not in the current verifier set 2 of network 1`);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("one signature below the threshold, or a tampered file, is refused naming the problem; nothing is sent", async function () {
      const { deployment, admin, v1, outsider } = await loadFixture(trustFixture);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wl-rotation-"));
      const proposal = await proposeRotation(ethers.provider, deployment, 1n, [await addr(admin)], 1);
      const sig = await signRotation(proposal, v1);
      const before = await chainState(outsider);
      const few = await refusal(applyRotation(outsider, deployment, [sig]));
      expect(few.message).to.equal("1 signature(s) given, the current threshold of network 1 is 2");
      const f = path.join(dir, "tampered.json");
      writeRotationFile({ ...sig, threshold: 1, verifiers: [await addr(outsider)] }, f);
      expect(() => readRotationSignature(f)).to.throw(/recovers to 0x[0-9a-fA-F]{40}, not to the signer/);
      expect(await chainState(outsider)).to.equal(before);
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("the admin's recovery waits its delay in public, the arbiter can cancel it, then anyone applies it", async function () {
      const { deployment, admin, arbiter, outsider, v4 } = await loadFixture(trustFixture);
      const next = [await addr(v4)];
      const notAdmin = await refusal(proposeRecovery(outsider, deployment, { networkId: 1n, verifiers: next, threshold: 1 }));
      expect(notAdmin.message).to.equal(`${await addr(outsider)} does not hold the admin role of network 1 (WorkLedgerUnauthorized)`);
      const p1 = await proposeRecovery(admin, deployment, { networkId: 1n, verifiers: next, threshold: 1 });
      const t = await readTrust(ethers.provider, deployment, 1n);
      const now = BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
      expect(p1.executableAt).to.equal(now + t.recoveryDelay);
      const status = await readVerifierStatus(ethers.provider, deployment, 1n);
      expect(status.recovery).to.include({ verifierSetId: 2, executable: false, threshold: 1, stale: false });
      expect(status.recovery!.verifiers).to.deep.equal(next);
      const early = await refusal(applyRecovery(outsider, deployment, { networkId: 1n, verifiers: next, threshold: 1 }));
      expect(early.message).to.include(`can be applied from ${new Date(Number(p1.executableAt) * 1000).toISOString()}, not before`);
      await cancelRecovery(arbiter, deployment, { networkId: 1n });
      expect((await readVerifierStatus(ethers.provider, deployment, 1n)).recovery).to.equal(null);
      const p2 = await proposeRecovery(admin, deployment, { networkId: 1n, verifiers: next, threshold: 1 });
      const wrong = await refusal(applyRecovery(outsider, deployment, { networkId: 1n, verifiers: next.concat(await addr(admin)), threshold: 1 }));
      expect(wrong.message).to.equal("the verifiers and threshold given are not those proposed for network 1");
      await time.increaseTo(p2.executableAt!);
      const applied = await applyRecovery(outsider, deployment, { networkId: 1n, verifiers: next, threshold: 1 });
      expect(applied.verifierSetId).to.equal(2);
      expect((await readVerifierStatus(ethers.provider, deployment, 1n)).verifiers).to.deep.equal(next);
    });
  });

  describe("a recovery overtaken by a signed rotation", function () {
    it("is shown stale by readVerifierStatus and cannot be applied, even when due", async function () {
      const { deployment, admin, v1, v2, v4, outsider } = await loadFixture(trustFixture);
      const p = await proposeRecovery(admin, deployment, { networkId: 1n, verifiers: [await addr(v4)], threshold: 1 });
      const next = await proposeRotation(ethers.provider, deployment, 1n, [await addr(v1), await addr(v2)], 2);
      await applyRotation(outsider, deployment, [await signRotation(next, v1), await signRotation(next, v2)]);
      await time.increaseTo(p.executableAt!);
      const s = await readVerifierStatus(ethers.provider, deployment, 1n);
      expect(s.recovery).to.include({ verifierSetId: 2, stale: true, executable: true });
      const e = await refusal(applyRecovery(outsider, deployment, { networkId: 1n, verifiers: [await addr(v4)], threshold: 1 }));
      expect(e.message).to.equal("the recovery proposal of network 1 would create verifier set 2, but the network is already at set 2 (it rotated since): propose again (WorkLedgerRecoveryStale)");
    });
  });

  describe("arbiter, roles and the admin's levers", function () {
    it("the arbiter hands over in two steps; nobody else can accept, and the admin can never become arbiter", async function () {
      const { deployment, admin, arbiter, outsider, customer } = await loadFixture(trustFixture);
      const toAdmin = await refusal(transferArbiter(arbiter, deployment, { networkId: 1n, to: await addr(admin) }));
      expect(toAdmin.message).to.match(/holds the admin role of the network 1: the arbiter must be independent of the admin \(WorkLedgerArbiterIsAdmin\)/);
      const notArbiter = await refusal(transferArbiter(admin, deployment, { networkId: 1n, to: await addr(outsider) }));
      expect(notArbiter.message).to.equal(`${await addr(admin)} is not the arbiter of network 1 (WorkLedgerNotArbiter)`);
      const t = await transferArbiter(arbiter, deployment, { networkId: 1n, to: await addr(outsider) });
      expect(t.pendingArbiter).to.equal(await addr(outsider));
      const wrong = await refusal(acceptArbiter(customer, deployment, { networkId: 1n }));
      expect(wrong.message).to.equal(`${await addr(customer)} is not the nominated arbiter of network 1 (the nominee is ${await addr(outsider)})`);
      const a = await acceptArbiter(outsider, deployment, { networkId: 1n });
      expect(a).to.include({ previousArbiter: await addr(arbiter), arbiter: await addr(outsider) });
      expect((await readTrust(ethers.provider, deployment, 1n)).arbiter).to.equal(await addr(outsider));
    });

    it("a TimelockController as the arbiter: arbiterCallAs gives the call to schedule; executed through the timelock it rules", async function () {
      const { deployment, admin, v1, v2, v3, customer, outsider, domain, wl } = await loadFixture(trustFixture);
      const delay = 3_600n;
      const timelock = await new TimelockArbiter__factory(admin).deploy(delay, [await addr(outsider)], [await addr(outsider)], ZeroAddress);
      const tl = await timelock.getAddress();
      const { network: n2 } = await createNetwork(admin, deployment, {
        admin: await addr(admin), token: deployment.token, genesisTime: 0n, epochSeconds: EPOCH, challengeWindow: WINDOW, capacityPerNode: 0n,
        threshold: 2, name: "Timelock-arbitrated", workUnit: "u", verifiers: await Promise.all([v1, v2, v3].map(addr)), arbiter: tl,
      });
      const id = n2!.networkId;
      await time.increase(EPOCH);
      await signAndCommit(wl, [v1, v2], domain, { networkId: id, epoch: 0n, version: 1n, summary: buildEpoch(makeRecords(3, 0n, "tl")).summary });
      await challengeEpoch(customer, deployment, { networkId: id, epoch: 0n, reasonHash: ZeroHash });
      const before = await chainState(admin, outsider);
      const call = await arbiterCallAs(ethers.provider, deployment, tl, { kind: "resolve", networkId: id, epoch: 0n, upheld: true });
      expect(call).to.include({ dryRun: true, from: tl, to: deployment.workLedger, method: "resolveChallenge" });
      expect(await chainState(admin, outsider)).to.equal(before);
      const notArbiter = await refusal(arbiterCallAs(ethers.provider, deployment, await addr(admin), { kind: "resolve", networkId: id, epoch: 0n, upheld: true }));
      expect(notArbiter.message).to.equal(`${await addr(admin)} is not the arbiter of network ${id} (WorkLedgerNotArbiter)`);
      const salt = keccak256(toUtf8Bytes("ruling"));
      await timelock.connect(outsider).schedule(call.to, 0n, call.data, ZeroHash, salt, delay);
      await time.increase(delay);
      await timelock.connect(outsider).execute(call.to, 0n, call.data, ZeroHash, salt);
      expect((await readChallenge(ethers.provider, deployment, id, 0n)).status).to.equal("voided");
    });

    it("roles: the admin grants and revokes registrar and biller; listRoles reads them back; others and 'arbiter' are refused", async function () {
      const { deployment, admin, outsider, arbiter } = await loadFixture(trustFixture);
      await grantRole(admin, deployment, { networkId: 1n, role: "biller", account: await addr(outsider) });
      let r = await listRoles(ethers.provider, deployment, 1n);
      expect(r).to.deep.include({ admin: [await addr(admin)], registrar: [await addr(admin)], biller: [await addr(outsider)], arbiter: await addr(arbiter), pendingArbiter: null });
      const again = await refusal(grantRole(admin, deployment, { networkId: 1n, role: "biller", account: await addr(outsider) }));
      expect(again.message).to.equal(`${await addr(outsider)} already holds the biller role of network 1`);
      const byOther = await refusal(grantRole(outsider, deployment, { networkId: 1n, role: "registrar", account: await addr(outsider) }));
      expect(byOther.message).to.equal(`${await addr(outsider)} does not hold the admin role of network 1: only the admin grants and revokes roles`);
      const arbiterAdmin = await refusal(grantRole(admin, deployment, { networkId: 1n, role: "admin", account: await addr(arbiter) }));
      expect(arbiterAdmin.message).to.match(/is the arbiter of network 1: the arbiter may not hold the admin role/);
      expect(() => parseRoleName("arbiter")).to.throw(/not a role anyone grants/);
      await revokeRole(admin, deployment, { networkId: 1n, role: "biller", account: await addr(outsider) });
      r = await listRoles(ethers.provider, deployment, 1n);
      expect(r.biller).to.deep.equal([]);
    });

    it("pause/unpause, the challenge window (floor and thaw rule checked first) and node deactivation", async function () {
      const { deployment, admin, outsider } = await loadFixture(trustFixture);
      await setNetworkPaused(admin, deployment, { networkId: 1n, paused: true });
      expect((await readTrust(ethers.provider, deployment, 1n)).paused).to.equal(true);
      const twice = await refusal(setNetworkPaused(admin, deployment, { networkId: 1n, paused: true }));
      expect(twice.message).to.equal("network 1 is already paused");
      let paused: unknown = null;
      await registerNode(admin, deployment, { networkId: 1n, nodeId: "gpu-x", operator: await addr(outsider) }).catch((e: unknown) => (paused = e));
      expect(String(paused)).to.match(/WorkLedgerNetworkPaused\(networkId=1\)/);
      await setNetworkPaused(admin, deployment, { networkId: 1n, paused: false });
      const zero = await refusal(setChallengeWindow(admin, deployment, { networkId: 1n, challengeWindow: 0n }));
      expect(zero.message).to.match(/a challenge window must be from 3600 s \(1 h\) to/);
      const long = await refusal(setChallengeWindow(admin, deployment, { networkId: 1n, challengeWindow: 30n * 86_400n }));
      expect(long.message).to.match(/needs a thaw of at least \d+ s, but network 1's thaw is \d+ s .*the largest window allowed is 7200 s/);
      const w = await setChallengeWindow(admin, deployment, { networkId: 1n, challengeWindow: 3600n });
      expect(w).to.include({ previous: WINDOW, challengeWindow: 3600n });
      await registerNode(admin, deployment, { networkId: 1n, nodeId: "gpu-1", operator: await addr(outsider) });
      const d = await deactivateNode(outsider, deployment, { networkId: 1n, nodeId: "gpu-1" }); // its operator may
      expect(d.operator).to.equal(await addr(outsider));
      const inactive = await refusal(deactivateNode(admin, deployment, { networkId: 1n, nodeId: "gpu-1" }));
      expect(inactive.message).to.match(/is already inactive on network 1/);
    });
  });

  describe("the forged-history attempt (#13) through the SDK", function () {
    it("rotate to self, zero window and correcting a Final epoch all fail; the honest record still verifies as Final", async function () {
      const { deployment, admin, wl, domain, built, outsider } = await loadFixture(trustFixture);
      await time.increase(WINDOW); // epoch 0 is Final
      // 1. rotate the verifier set to the admin alone: the admin is no verifier, so its signature does not count
      const proposal = await proposeRotation(ethers.provider, deployment, 1n, [await addr(admin)], 1);
      const own = await signRotation(proposal, admin);
      const rot = await refusal(applyRotation(admin, deployment, [own]));
      expect(rot.message).to.match(/is not in the current verifier set 1 of network 1/);
      // …and sent anyway, the contract refuses it too
      const direct = await refusal(
        (async () => {
          const { sendRefusable } = await import("../../../src/writer/refusal");
          return sendRefusable(admin, { contract: "WorkLedger", to: deployment.workLedger, iface: wl.interface, method: "rotateVerifiers", args: [1n, [await addr(admin)], 1, [own.signature]] });
        })(),
      );
      expect(direct.message).to.match(/(signed but is not in the network's current verifier set|valid signature\(s\) given, the threshold is 2)/);
      // 2. zero challenge window
      const zero = await refusal(setChallengeWindow(admin, deployment, { networkId: 1n, challengeWindow: 0n }));
      expect(zero.message).to.match(/a challenge window must be from/);
      // 3. a correction of the Final epoch with a forged record signed by the admin alone
      const forged = buildEpoch(makeRecords(5, 0n, "forged"));
      const corr = await refusal(
        (async () => {
          try {
            return await signAndCommit(wl.connect(admin), [admin], domain, { networkId: 1n, epoch: 0n, version: 2n, summary: forged.summary }, admin, keccak256(toUtf8Bytes("forged")));
          } catch (e) {
            const { asRefusal } = await import("../../../src/writer/refusal");
            throw asRefusal(e);
          }
        })(),
      );
      expect(corr.message).to.match(/epoch 0 of network 1 is final, which does not allow this|is not in the network's current verifier set/);
      // the honest record: included, Final, version 1, and verifyRecord true; the forged one false
      const rec = built.records[1];
      const proof = built.tree.getProof(1);
      const leaf = { ...rec };
      const [included, status, version] = await wl.recordStatus(1n, 0n, leaf, proof);
      expect([included, Number(status), Number(version)]).to.deep.equal([true, 3, 1]);
      expect(await wl.verifyRecord(1n, 0n, leaf, proof)).to.equal(true);
      expect(await wl.verifyRecord(1n, 0n, forged.records[1], forged.tree.getProof(1))).to.equal(false);
      expect(await wl.connect(outsider).isFinal(1n, 0n)).to.equal(true);
    });
  });

  it("revertInWords covers unknown errors with their arguments; durationText reads as days and hours", function () {
    expect(revertInWords("SomethingNew", { a: 1n, b: "x" })).to.equal("SomethingNew(a=1, b=x)");
    expect([86_400n, 2_772_000n, 3_600n, 90_600n, 59n].map((v) => durationText(v))).to.deep.equal(["86400 s (1 d)", "2772000 s (32 d 2 h)", "3600 s (1 h)", "90600 s", "59 s"]);
    void network;
  });
});
